//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=CODE::message`.

use crate::diagnostic::Severity;
use crate::engine::Report;
use crate::registry::Registry;
use std::fmt::Write;

/// Workflow-command data escaping (actions/toolkit `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values additionally escape `:` and `,` (actions/toolkit `escapeProperty`). The
/// runner decodes these escapes, so `file=` names the real path even with a newline in it;
/// other control characters, which it would pass to the log raw (ANSI sequences), are escaped.
fn escape_property(text: &str) -> String {
    super::escape_control(&escape_data(text))
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// Control characters other than the newline (which `escape_data` encodes) are escaped.
fn escape_control_keep_newlines(text: &str) -> String {
    text.split('\n')
        .map(super::escape_control)
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn render(report: &Report) -> String {
    let registry = Registry::get();
    let mut out = String::new();
    for d in &report.diagnostics {
        let (start, end) = report.position(d);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let meta = &registry.rules[d.rule].meta;
        let mut message = format!("{}: {}", meta.name, d.message);
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&report.file(d.file).display),
            start.line,
            start.column,
            end.line,
            end.column,
            // SPEC.md: `title=CODE`; the rule name leads the message instead.
            escape_property(&meta.code),
            escape_data(&escape_control_keep_newlines(&message))
        );
    }
    out
}
