//! GitLab Code Quality: the Code Climate JSON subset GitLab reads (`description`,
//! `check_name`, `fingerprint`, `severity`, `location.path`, `location.lines.begin`). Paths are
//! relative to the project root, which is what GitLab resolves them against.

use crate::baseline::Fingerprint;
use crate::diagnostic::Severity;
use crate::engine::Report;
use crate::registry::Registry;
use serde_json::{json, Value};

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

pub fn render(report: &Report, prints: &[Fingerprint]) -> String {
    let registry = Registry::get();
    let issues: Vec<Value> = report
        .diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let (start, end) = report.position(d);
            let meta = &registry.rules[d.rule].meta;
            let path = super::root_relative(report, d.file);
            // GitLab matches issues between two pipelines by fingerprint, which must be unique
            // in the report: ours is unique per rule and file, so the path joins it.
            let print = prints.get(i).map_or("", |p| p.context.as_str());
            json!({
                "type": "issue",
                "check_name": meta.code,
                "description": format!("{} {}: {}", meta.code, meta.name, d.message),
                "categories": ["Bug Risk"],
                "severity": severity(d.severity),
                "fingerprint": format!("{:016x}", fnv_hex(&[&path, &meta.code, print])),
                "location": {
                    "path": path,
                    "lines": { "begin": start.line, "end": end.line },
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}

fn fnv_hex(parts: &[&str]) -> u64 {
    crate::baseline::hash(parts)
}
