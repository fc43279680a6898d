//! The stable JSON contract of SPEC.md: an array of findings, sorted.

use crate::engine::Report;
use crate::registry::Registry;
use serde::Serialize;

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    url: Option<&'a str>,
}

pub fn render(report: &Report) -> String {
    let registry = Registry::get();
    let findings: Vec<JsonFinding<'_>> = report
        .diagnostics
        .iter()
        .map(|d| {
            let (start, end) = report.position(d);
            let meta = &registry.rules[d.rule].meta;
            JsonFinding {
                code: &meta.code,
                name: &meta.name,
                severity: d.severity.as_str(),
                message: &d.message,
                path: &report.file(d.file).display,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                help: d.help.as_deref(),
                url: None,
            }
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}
