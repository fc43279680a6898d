//! One test over the whole registry: metadata complete and unique, every rule TOML registered
//! once, every `bad` example fires and every `good` stays silent, README table in sync.

mod common;

use prodlint::registry::{Registry, RuleKind};
use std::collections::HashSet;
use std::path::Path;

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let registry = Registry::get();
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for rule in &registry.rules {
        let m = &rule.meta;
        assert!(codes.insert(m.code.clone()), "duplicate code {}", m.code);
        assert!(names.insert(m.name.clone()), "duplicate name {}", m.name);
        assert!(
            m.code.len() >= 5
                && m.code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
            "bad code {}",
            m.code
        );
        assert!(
            m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "name not kebab-case: {}",
            m.name
        );
        assert!(
            m.rationale.contains("What it does") && m.rationale.contains("Why it matters"),
            "{}: rationale needs both sections",
            m.code
        );
        assert!(
            !m.summary.is_empty() && !m.fix.is_empty() && !m.checklist.is_empty(),
            "{}: empty docs",
            m.code
        );
        assert!(
            !m.examples.is_empty(),
            "{}: needs at least one [[example]]",
            m.code
        );
        assert!(
            !m.roles.is_empty(),
            "{}: declare the file roles the rule judges (`roles = [\"service\"]`)",
            m.code
        );
        for role in m.role_severity.keys() {
            assert!(
                m.roles.contains(role),
                "{}: role-severity for `{}`, a role the rule does not judge",
                m.code,
                role.name()
            );
        }
        let is_project = matches!(rule.check, prodlint::registry::Check::Project(_));
        assert_eq!(
            is_project,
            m.kind == RuleKind::Project,
            "{}: kind does not match its check",
            m.code
        );
    }
}

#[test]
fn every_rule_toml_is_registered_once() {
    let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let registered: Vec<String> = Registry::get()
        .rules
        .iter()
        .map(|r| r.meta.code.clone())
        .collect();
    let mut seen = Vec::new();
    for path in common::walk(&rules_dir) {
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read toml");
        let value: toml::Table = text.parse().expect("toml parses");
        // Data files under rules/ carry no `code`; rule metadata does.
        let Some(code) = value.get("code").and_then(|c| c.as_str()) else {
            continue;
        };
        assert!(
            registered.iter().any(|c| c == code),
            "{} is not registered in rules/mod.rs",
            path.display()
        );
        let rule = &Registry::get().rules[Registry::get().index_of_code(code)];
        let toml_path = Path::new(&rule.source_path()).with_extension("toml");
        assert_eq!(
            path.strip_prefix(env!("CARGO_MANIFEST_DIR")).ok(),
            Some(toml_path.as_path()),
            "{code}: a rule lives in the folder of its code prefix, named after the rule"
        );
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(rule.source_path())
                .is_file(),
            "{code}: {} is missing",
            rule.source_path()
        );
        seen.push(code.to_string());
    }
    seen.sort();
    let mut all = registered.clone();
    all.sort();
    assert_eq!(seen, all, "every registered rule has exactly one TOML file");
}

#[test]
fn examples_fire_and_fixes_are_silent() {
    let registry = Registry::get();
    let mut failures = Vec::new();
    for rule in &registry.rules {
        let m = &rule.meta;
        for (i, example) in m.examples.iter().enumerate() {
            for (label, text, must_fire) in
                [("bad", &example.bad, true), ("good", &example.good, false)]
            {
                let dir = tempfile::tempdir().expect("tempdir");
                let path = dir.path().join(&example.path);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(&path, text).expect("write example");
                for other in &example.with {
                    let path = dir.path().join(&other.path);
                    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                    std::fs::write(&path, &other.text).expect("write example file");
                }
                // Engine rules (suppressions, parse errors) judge other rules' findings: run all.
                let select: Vec<&str> = if matches!(rule.check, prodlint::registry::Check::Engine) {
                    vec![]
                } else {
                    vec![&m.code]
                };
                let report = common::lint_project(dir.path(), &select);
                let fired = report
                    .diagnostics
                    .iter()
                    .any(|d| registry.rules[d.rule].meta.code == m.code);
                if fired != must_fire {
                    failures.push(format!(
                        "{} example {} `{label}` {}",
                        m.code,
                        i + 1,
                        if must_fire { "did not fire" } else { "fired" }
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn readme_rule_table_is_current() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("README.md");
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let a = readme
        .find(start)
        .expect("README has the rules:start marker")
        + start.len();
    let b = readme.find(end).expect("README has the rules:end marker");
    let table = prodlint::cli::rule_table_markdown();
    if readme[a..b] != table {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{}{}", &readme[..a], table, &readme[b..]);
            std::fs::write(&readme_path, updated).expect("write README");
            return;
        }
        panic!("README rule table is stale; run `UPDATE_README=1 cargo test --test metadata` and commit");
    }
}
