//! Role and unit decisions on small repositories. Every folder `fixtures/roles/<case>/` is a
//! project linted with the rules its own `prodlint.toml` selects: the findings must equal its
//! `# expect:` comments, and `expected-roles.txt` lists every linted file with the role and the
//! unit prodlint must give it (`path role unit`, as `check --show-files` shows them).

mod common;

use common::{diff, expectations, findings, lint_project};
use std::collections::BTreeSet;
use std::path::Path;

fn cases() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/roles");
    let mut cases: Vec<_> = std::fs::read_dir(root)
        .expect("fixtures/roles")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// `path role unit` of every linted file, as the report has them.
fn roles_of(report: &prodlint::engine::Report, root: &Path) -> BTreeSet<String> {
    let root = std::path::absolute(root).expect("absolute root");
    let cwd = std::env::current_dir().expect("cwd");
    report
        .files
        .iter()
        .filter(|f| f.requested)
        .map(|f| {
            let abs = cwd.join(&f.display);
            let rel = abs.strip_prefix(&root).unwrap_or(&abs).to_string_lossy();
            format!("{} {} {}", rel, f.role.role.name(), f.unit)
        })
        .collect()
}

#[test]
fn role_fixtures() {
    let mut failures = String::new();
    let all = cases();
    assert!(!all.is_empty(), "no role fixtures");
    for case in &all {
        let report = lint_project(case, &[]);
        let expected = expectations(case);
        let actual = findings(&report, case);
        if actual != expected {
            failures.push_str(&format!(
                "{}:\n{}",
                case.display(),
                diff(&expected, &actual)
            ));
        }
        let listed = std::fs::read_to_string(case.join("expected-roles.txt"))
            .expect("every role fixture has expected-roles.txt");
        let want: BTreeSet<String> = listed
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        let got = roles_of(&report, case);
        for missing in want.difference(&got) {
            failures.push_str(&format!("{}: role expected {missing}\n", case.display()));
        }
        for extra in got.difference(&want) {
            failures.push_str(&format!("{}: role got {extra}\n", case.display()));
        }
    }
    assert!(failures.is_empty(), "role fixture mismatches:\n{failures}");
}
