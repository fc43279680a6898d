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

fn prodlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prodlint"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The command line: `--diff` writes nothing and exits 1, `--fix` writes and reports, a second
/// `--diff` finds nothing, and stdin is refused.
#[test]
fn cli_diff_then_fix() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(scratch.path()).expect("canonical");
    std::fs::create_dir(root.join(".git")).expect(".git");
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fix/DKR010_upper_and_lower");
    copy_tree(&case.join("before"), &root);
    let before = std::fs::read(root.join("Dockerfile")).expect("read");

    let (code, out, err) = prodlint(&root, &["check", "--select", "DKR010", "--diff", "."]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("-FROM python:3.12-slim as builder\n+FROM python:3.12-slim AS builder\n"),
        "{out}"
    );
    assert!(err.contains("would fix 2 findings"), "{err}");
    assert_eq!(
        std::fs::read(root.join("Dockerfile")).expect("read"),
        before
    );

    let (code, _, err) = prodlint(&root, &["check", "--select", "DKR010", "--fix", "."]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("fixed 2 findings in 1 file (DKR010 2)"),
        "{err}"
    );
    let after = std::fs::read(case.join("after/Dockerfile")).expect("read");
    assert_eq!(std::fs::read(root.join("Dockerfile")).expect("read"), after);

    let (code, out, _) = prodlint(&root, &["check", "--select", "DKR010", "--diff", "."]);
    assert_eq!((code, out.as_str()), (0, ""));

    let (code, _, err) = prodlint(
        &root,
        &["check", "--fix", "--stdin-filename", "Dockerfile", "-"],
    );
    assert_eq!(code, 2, "{err}");
}
