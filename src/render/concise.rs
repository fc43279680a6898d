//! `path:line:col: CODE [severity] message`, one finding a line: what problem matchers read.

use super::{escape_control, escape_name};
use crate::engine::Report;
use crate::registry::Registry;
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let registry = Registry::get();
    let mut out = String::new();
    for d in &report.diagnostics {
        let (start, _) = report.position(d);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            escape_name(&report.file(d.file).display),
            start.line,
            start.column,
            registry.rules[d.rule].meta.code,
            d.severity,
            escape_control(&d.message)
        );
    }
    out
}
