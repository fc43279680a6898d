//! SARIF 2.1.0 for code scanning, with every rule's metadata in `tool.driver.rules`.

use crate::diagnostic::Severity;
use crate::engine::Report;
use crate::registry::Registry;
use serde_json::{json, Value};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF's `uri` is a URI reference (RFC 3986): a path with a space, `%` or `#` must be
/// percent-encoded or code scanning resolves it to another file, or to none.
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub fn render(report: &Report) -> String {
    let registry = Registry::get();
    let rules: Vec<Value> = registry
        .rules
        .iter()
        .map(|r| {
            let m = &r.meta;
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": m.rationale },
                "help": { "text": m.fix },
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": { "kind": m.kind.as_str(), "checklist": m.checklist },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let (start, end) = report.position(d);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!(" (help: {help})"));
            }
            json!({
                "ruleId": registry.rules[d.rule].meta.code,
                "ruleIndex": d.rule,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_reference(&report.file(d.file).display) },
                        "region": {
                            "startLine": start.line,
                            "startColumn": start.column,
                            "endLine": end.line,
                            "endColumn": end.column,
                        }
                    }
                }]
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "prodlint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}
