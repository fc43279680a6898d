//! Shared test helpers: lint a folder as its own project and read inline expectations.

#![allow(dead_code)]

use prodlint::engine::{lint, LintRequest, Report};
use prodlint::registry::Registry;
use prodlint::settings::{Overrides, Settings};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// (path relative to the project, 1-based line, code)
pub type Finding = (String, usize, String);

/// Lints `root` as a project of its own, with only `select` enabled (all rules when empty).
/// A rule's fixture folder, `fixtures/<family>/<rule_dir>/<case>`: the family is the rule code's
/// prefix in lower case (`HA003_compose_missing_healthcheck` lives in `fixtures/ha/`).
pub fn rule_fixture(rule_dir: &str, case: &str) -> PathBuf {
    let family: String = rule_dir
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(family)
        .join(rule_dir)
        .join(case)
}

/// (severity, message) of every finding of `code` in a rule's fixture case: what the fixture
/// sets, which compare (file, line, code), cannot show.
pub fn rule_findings(
    rule_dir: &str,
    case: &str,
    code: &str,
) -> Vec<(prodlint::diagnostic::Severity, String)> {
    let report = lint_project(&rule_fixture(rule_dir, case), &[code]);
    let registry = Registry::get();
    report
        .diagnostics
        .iter()
        .filter(|d| registry.rules[d.rule].meta.code == code)
        .map(|d| (d.severity, d.message.clone()))
        .collect()
}

pub fn lint_project(root: &Path, select: &[&str]) -> Report {
    let overrides = Overrides {
        select: (!select.is_empty()).then(|| select.iter().map(|s| s.to_string()).collect()),
        ..Overrides::default()
    };
    let config = root.join("prodlint.toml");
    let explicit = config.is_file().then_some(config);
    let settings =
        Settings::load(explicit.as_deref(), root, &overrides).expect("fixture config loads");
    let request = LintRequest {
        paths: vec![root.to_path_buf()],
        stdin: None,
        jobs: Some(1),
        root: Some(root.to_path_buf()),
        per_project_config: None,
    };
    lint(&request, &settings).expect("lint runs")
}

pub fn findings(report: &Report, root: &Path) -> BTreeSet<Finding> {
    let registry = Registry::get();
    let root_abs = std::path::absolute(root).expect("absolute root");
    let cwd = std::env::current_dir().expect("cwd");
    report
        .diagnostics
        .iter()
        .map(|d| {
            let (start, _) = report.position(d);
            let shown = PathBuf::from(&report.file(d.file).display);
            let abs = if shown.is_absolute() {
                shown
            } else {
                cwd.join(shown)
            };
            let rel = abs
                .strip_prefix(&root_abs)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| abs.to_string_lossy().into_owned());
            (rel, start.line, registry.rules[d.rule].meta.code.clone())
        })
        .collect()
}

/// Reads `# expect: CODE[, CODE]` (in SQL, `-- expect: …`) expectations from every file under `root`.
/// After code, the comment covers its own line; alone on a line, the next line;
/// `CODE@N` names line N explicitly (for findings anchored at line 1 of a file).
pub fn expectations(root: &Path) -> BTreeSet<Finding> {
    let mut out = BTreeSet::new();
    for entry in walk(root) {
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        let rel = entry
            .strip_prefix(root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        for (i, line) in text.lines().enumerate() {
            // `#` comments in every kind but SQL, which uses `--`.
            let Some((pos, marker)) = ["# expect:", "-- expect:"]
                .iter()
                .find_map(|m| line.find(m).map(|p| (p, *m)))
            else {
                continue;
            };
            let alone = line[..pos].trim().is_empty();
            let target = if alone { i + 2 } else { i + 1 };
            for code in line[pos + marker.len()..].split(',') {
                let code = code.trim();
                if code.is_empty() {
                    continue;
                }
                match code.split_once('@') {
                    Some((c, n)) => out.insert((
                        rel.clone(),
                        n.parse().expect("line number after @"),
                        c.to_string(),
                    )),
                    None => out.insert((rel.clone(), target, code.to_string())),
                };
            }
        }
    }
    out
}

pub fn walk(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A readable difference between two finding sets.
pub fn diff(expected: &BTreeSet<Finding>, actual: &BTreeSet<Finding>) -> String {
    let mut out = String::new();
    for f in expected.difference(actual) {
        out.push_str(&format!("  missing:    {}:{} {}\n", f.0, f.1, f.2));
    }
    for f in actual.difference(expected) {
        out.push_str(&format!("  unexpected: {}:{} {}\n", f.0, f.1, f.2));
    }
    out
}
