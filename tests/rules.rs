//! Fixture-driven rule tests. Every folder `fixtures/<family>/<CODE>_<name>/<case>/` is a small
//! project linted with only rule CODE selected; the set of (file, line, code) reported must equal
//! the set of `# expect:` comments in it. Adding a fixture needs no new test function.

mod common;

use common::{diff, expectations, findings, lint_project};
use std::path::Path;

#[test]
fn rule_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut failures = String::new();
    let mut cases = 0;
    let mut families: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures/")
        .flatten()
        .map(|e| e.path())
        .collect();
    families.sort();
    for family in families.iter().filter(|p| {
        p.is_dir()
            && !p.ends_with("repos")
            && !p.ends_with("hostile")
            && !p.ends_with("roles")
            && !p.ends_with("fix")
    }) {
        let mut rules: Vec<_> = std::fs::read_dir(family)
            .expect("family")
            .flatten()
            .map(|e| e.path())
            .collect();
        rules.sort();
        for rule_dir in rules.iter().filter(|p| p.is_dir()) {
            let dir_name = rule_dir
                .file_name()
                .and_then(|n| n.to_str())
                .expect("utf-8 name");
            let code = dir_name.split('_').next().expect("CODE_name");
            assert!(
                prodlint::registry::Registry::get().find(code).is_some(),
                "fixture folder {dir_name} names unknown rule {code}"
            );
            let prefix = code.trim_end_matches(|c: char| c.is_ascii_digit());
            assert!(
                family.ends_with(prefix.to_ascii_lowercase()),
                "fixture folder {dir_name} belongs in fixtures/{}/",
                prefix.to_ascii_lowercase()
            );
            let mut case_dirs: Vec<_> = std::fs::read_dir(rule_dir)
                .expect("rule dir")
                .flatten()
                .map(|e| e.path())
                .collect();
            case_dirs.sort();
            for case in case_dirs.iter().filter(|p| p.is_dir()) {
                cases += 1;
                let report = lint_project(case, &[code]);
                let actual = findings(&report, case);
                let expected = expectations(case);
                if actual != expected {
                    failures.push_str(&format!(
                        "{}:\n{}",
                        case.display(),
                        diff(&expected, &actual)
                    ));
                }
            }
        }
    }
    assert!(cases > 0, "no fixture cases found");
    assert!(failures.is_empty(), "fixture mismatches:\n{failures}");
}
