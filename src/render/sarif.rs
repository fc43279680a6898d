//! SARIF 2.1.0 for code scanning, with every rule's metadata in `tool.driver.rules`.

use crate::baseline::Fingerprint;
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

/// GitHub code scanning ranks security alerts by this score (0.0-10.0, a string); only
/// security rules carry it.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

fn rule_descriptor(index: usize) -> Value {
    let m = &Registry::get().rules[index].meta;
    let security = m.code.starts_with("SEC");
    let mut properties = json!({
        "kind": m.kind.as_str(),
        "checklist": m.checklist,
        "tags": if security { vec!["security"] } else { vec!["production-readiness"] },
    });
    if security {
        properties["security-severity"] = json!(security_severity(m.severity));
    }
    json!({
        "id": m.code,
        "name": m.name,
        "shortDescription": { "text": m.summary },
        "fullDescription": { "text": m.rationale },
        "help": { "text": crate::ruledoc::text(index), "markdown": crate::ruledoc::markdown(index) },
        "defaultConfiguration": { "level": level(m.severity) },
        "properties": properties,
    })
}

/// Project roots are the URI bases: results name files relative to their root, so code
/// scanning places them whatever folder prodlint ran in. The first root is `%SRCROOT%`, the
/// convention of code scanning; more (several projects in one run) are numbered.
fn base_ids(report: &Report) -> (Vec<String>, Value) {
    let mut ids: Vec<String> = Vec::with_capacity(report.files.len());
    let mut bases = serde_json::Map::new();
    let mut seen: std::collections::HashMap<&std::path::Path, String> = Default::default();
    for f in &report.files {
        let next = seen.len();
        let id = seen.entry(f.root.as_path()).or_insert_with(|| {
            let id = if next == 0 {
                "%SRCROOT%".to_string()
            } else {
                format!("%SRCROOT{next}%")
            };
            bases.insert(id.clone(), json!({ "uri": file_uri(&f.root) }));
            id
        });
        ids.push(id.clone());
    }
    (ids, Value::Object(bases))
}

/// An absolute `file://` URI of a folder, ending in `/` as SARIF requires of a base.
fn file_uri(dir: &std::path::Path) -> String {
    let mut path = dir.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", uri_reference(&path))
}

pub fn render(report: &Report, prints: &[Fingerprint]) -> String {
    let registry = Registry::get();
    let rules: Vec<Value> = (0..registry.rules.len()).map(rule_descriptor).collect();
    let (ids, bases) = base_ids(report);
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let (start, end) = report.position(d);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!(" (help: {help})"));
            }
            let mut result = json!({
                "ruleId": registry.rules[d.rule].meta.code,
                "ruleIndex": d.rule,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": uri_reference(&super::root_relative(report, d.file)),
                            "uriBaseId": ids[d.file],
                        },
                        "region": {
                            "startLine": start.line,
                            "startColumn": start.column,
                            "endLine": end.line,
                            "endColumn": end.column,
                        }
                    }
                }]
            });
            if let Some(print) = prints.get(i) {
                result["partialFingerprints"] = json!({ "prodlint/v1": print.context });
            }
            result
        })
        .collect();
    let mut driver = json!({
        "name": "prodlint",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    // Code scanning links the tool's name here; only a real address belongs in it, so it comes
    // from Cargo.toml's `repository` and is left out while that is unset.
    let repository = env!("CARGO_PKG_REPOSITORY");
    if !repository.is_empty() {
        driver["informationUri"] = json!(repository);
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": bases,
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}
