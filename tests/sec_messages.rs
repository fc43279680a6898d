//! What the fixture sets cannot show: SEC001 reports a literal once (a set of (file, line,
//! code) hides duplicates), and its findings are warnings in development-only files (the
//! rule's `role-severity`) and errors elsewhere.

mod common;

use common::{expectations, lint_project};
use prodlint::diagnostic::Severity;
use prodlint::registry::Registry;
use std::path::Path;

fn case(name: &str) -> std::path::PathBuf {
    common::rule_fixture("SEC001_hardcoded_secret", name)
}

fn sec001(root: &Path) -> Vec<Severity> {
    let registry = Registry::get();
    lint_project(root, &["SEC001"])
        .diagnostics
        .iter()
        .filter(|d| registry.rules[d.rule].meta.code == "SEC001")
        .map(|d| d.severity)
        .collect()
}

#[test]
fn a_literal_with_a_credential_format_and_a_secret_name_is_reported_once() {
    // Every expected line of this case holds exactly one literal.
    let root = case("fires_credential_formats_in_python");
    let found = sec001(&root);
    assert_eq!(found.len(), expectations(&root).len(), "{found:?}");
}

#[test]
fn findings_are_errors_in_service_code_and_warnings_in_dev_files() {
    let app = sec001(&case("fires_secret_names_in_python"));
    assert!(!app.is_empty() && app.iter().all(|s| *s == Severity::Error));
    let dev = sec001(&case("fires_as_warning_in_dev_files"));
    assert!(!dev.is_empty() && dev.iter().all(|s| *s == Severity::Warning));
}
