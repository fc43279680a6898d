//! `--fix` on fixture pairs. Every folder `fixtures/fix/<CODE>_<case>/` holds `before/` (a small
//! project) and `after/` (what `--fix` with only rule CODE selected makes of it); a file
//! `unsafe-fixes` in the case folder turns on `--unsafe-fixes`. Each case also checks that a
//! second `--fix` changes nothing and that, with every rule on, no (file, rule) has more
//! findings after the fix than before.

mod common;

use common::walk;
use prodlint::engine::{lint, LintRequest, Report};
use prodlint::registry::Registry;
use prodlint::settings::{Overrides, Settings};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn request(root: &Path) -> LintRequest {
    LintRequest {
        paths: vec![root.to_path_buf()],
        stdin: None,
        jobs: Some(1),
        root: Some(root.to_path_buf()),
        per_project_config: None,
    }
}

fn settings(root: &Path, select: Option<&str>) -> Settings {
    let overrides = Overrides {
        select: select.map(|c| vec![c.to_string()]),
        ..Overrides::default()
    };
    Settings::load(None, root, &overrides).expect("settings")
}

/// Findings per (file relative to root, rule code).
fn counts(report: &Report, root: &Path) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for d in &report.diagnostics {
        let path = &report.file(d.file).path;
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let code = Registry::get().rules[d.rule].meta.code.clone();
        *out.entry((rel, code)).or_insert(0) += 1;
    }
    out
}

/// Every file under `root`, by relative path.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(root)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            (
                p.strip_prefix(root).expect("under root").to_path_buf(),
                bytes,
            )
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in files(from) {
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::write(dest, bytes).expect("write");
    }
}

/// Runs one case; returns what went wrong.
fn run_case(case: &Path) -> Result<(), String> {
    let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let code = name.split('_').next().unwrap_or("");
    let unsafe_fixes = case.join("unsafe-fixes").exists();
    let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = std::fs::canonicalize(scratch.path()).map_err(|e| e.to_string())?;
    copy_tree(&case.join("before"), &root);
    let all = settings(&root, None);
    let before = counts(&lint(&request(&root), &all).map_err(|e| e.0)?, &root);

    let one = settings(&root, Some(code));
    let first = prodlint::fix::fix(&request(&root), &one, unsafe_fixes).map_err(|e| e.0)?;
    let expected = files(&case.join("after"));
    let actual = files(&root);
    if expected != actual {
        let mut out = String::from("files after --fix differ from after/:\n");
        for (rel, bytes) in &actual {
            if expected.get(rel) != Some(bytes) {
                out.push_str(&format!(
                    "--- {}\n{}\n",
                    rel.display(),
                    String::from_utf8_lossy(bytes)
                ));
            }
        }
        return Err(out);
    }
    let changed = files(&case.join("before")) != expected;
    if changed && first.fixed_total() == 0 {
        return Err("files changed but no fix was counted".into());
    }
    let second = prodlint::fix::fix(&request(&root), &one, unsafe_fixes).map_err(|e| e.0)?;
    if second.fixed_total() != 0 || files(&root) != expected {
        return Err(format!(
            "a second --fix changed something: {:?}",
            second.fixed
        ));
    }
    let after = counts(&lint(&request(&root), &all).map_err(|e| e.0)?, &root);
    for (key, n) in &after {
        let was = before.get(key).copied().unwrap_or(0);
        if *n > was {
            return Err(format!("new finding after --fix: {key:?} {was} -> {n}"));
        }
    }
    if changed {
        let of = |m: &BTreeMap<(String, String), usize>| -> usize {
            m.iter()
                .filter(|((_, c), _)| c == code)
                .map(|(_, n)| n)
                .sum()
        };
        if of(&after) >= of(&before) {
            return Err(format!("{code} findings did not go down"));
        }
    }
    Ok(())
}

#[test]
fn fix_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fix");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/fix")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fix fixtures");
    let mut failures = String::new();
    for case in &cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let code = name.split('_').next().unwrap_or("");
        let rule = Registry::get().find(code);
        assert!(rule.is_some(), "{name}: unknown rule {code}");
        assert!(
            rule.is_some_and(|r| Registry::get().rules[r].meta.autofix.is_some()),
            "{name}: rule {code} declares no autofix"
        );
        if let Err(why) = run_case(case) {
            failures.push_str(&format!("{}: {why}\n", case.display()));
        }
    }
    assert!(failures.is_empty(), "fix fixture failures:\n{failures}");
}

/// Every rule that declares a fix has at least one fixture pair that changes something.
#[test]
fn every_fixing_rule_has_a_pair() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fix");
    let names: Vec<String> = std::fs::read_dir(&root)
        .expect("fixtures/fix")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    for rule in &Registry::get().rules {
        if rule.meta.autofix.is_some() {
            assert!(
                names
                    .iter()
                    .any(|n| n.split('_').next() == Some(rule.meta.code.as_str())),
                "{} declares an autofix but has no fixtures/fix/{}_*/ pair",
                rule.meta.code,
                rule.meta.code
            );
        }
    }
}
