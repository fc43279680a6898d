//! JUnit XML: a test suite per file with findings, a failed test case per finding, so CI test
//! report views (GitLab, Jenkins, Azure) list them. A clean run is one passing case.

use crate::engine::Report;
use crate::registry::Registry;
use std::fmt::Write;

/// XML 1.0 text and attribute escaping; control characters XML cannot carry at all are
/// replaced, or the report would not parse.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report) -> String {
    let registry = Registry::get();
    let mut suites: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, d) in report.diagnostics.iter().enumerate() {
        // Diagnostics are sorted by path, so a file's findings are adjacent.
        match suites.last_mut() {
            Some((file, list)) if *file == d.file => list.push(i),
            _ => suites.push((d.file, vec![i])),
        }
    }
    let total = report.diagnostics.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"prodlint\" tests=\"{}\" failures=\"{total}\" errors=\"0\">",
        total.max(1)
    );
    if suites.is_empty() {
        out.push_str("  <testsuite name=\"prodlint\" tests=\"1\" failures=\"0\" errors=\"0\">\n");
        out.push_str("    <testcase name=\"no findings\" classname=\"prodlint\"/>\n");
        out.push_str("  </testsuite>\n");
    }
    for (file, list) in &suites {
        let path = xml(&report.file(*file).display);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">",
            n = list.len()
        );
        for &i in list {
            let d = &report.diagnostics[i];
            let (start, _) = report.position(d);
            let meta = &registry.rules[d.rule].meta;
            let _ = writeln!(
                out,
                "    <testcase name=\"{code} {name} at {line}:{col}\" classname=\"{path}\" file=\"{path}\" line=\"{line}\">",
                code = meta.code,
                name = meta.name,
                line = start.line,
                col = start.column,
            );
            let mut body = format!(
                "{path}:{}:{}: {} [{}] {}",
                start.line,
                start.column,
                meta.code,
                d.severity,
                xml(&d.message)
            );
            if let Some(help) = &d.help {
                body.push_str(&format!("\nhelp: {}", xml(help)));
            }
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{body}</failure>",
                meta.code,
                xml(&d.message)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
