//! Parity: a file linted alone (by path, as pre-commit does, and by stdin, as an editor does)
//! reports exactly what the whole-tree run reports for it. Every file of every example
//! repository is checked both ways.

mod common;

use common::{diff, findings, walk, Finding};
use prodlint::engine::{lint, LintRequest, Report};
use prodlint::settings::{Overrides, Settings};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repos() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repos");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures/repos")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

fn settings(root: &Path) -> Settings {
    let config = root.join("prodlint.toml");
    let explicit = config.is_file().then_some(config);
    Settings::load(explicit.as_deref(), root, &Overrides::default()).expect("fixture config loads")
}

fn run(root: &Path, paths: Vec<PathBuf>, stdin: Option<(PathBuf, Vec<u8>)>) -> Report {
    let request = LintRequest {
        paths,
        stdin,
        jobs: Some(1),
        root: Some(root.to_path_buf()),
        per_project_config: None,
    };
    lint(&request, &settings(root)).expect("lint runs")
}

fn of_file(all: &BTreeSet<Finding>, rel: &str) -> BTreeSet<Finding> {
    all.iter().filter(|f| f.0 == rel).cloned().collect()
}

#[test]
fn every_file_alone_reports_what_the_tree_reports_for_it() {
    let mut failures = String::new();
    let mut checked = 0;
    for root in repos() {
        let whole = findings(&run(&root, vec![root.clone()], None), &root);
        for file in walk(&root) {
            let rel = file
                .strip_prefix(&root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            let expected = of_file(&whole, &rel);
            let by_path = findings(&run(&root, vec![file.clone()], None), &root);
            let bytes = std::fs::read(&file).expect("fixture readable");
            let by_stdin = findings(&run(&root, vec![file.clone()], Some((file, bytes))), &root);
            for (how, alone) in [("path", by_path), ("stdin", by_stdin)] {
                if alone != expected {
                    failures.push_str(&format!(
                        "{}: {rel} by {how}:\n{}",
                        root.display(),
                        diff(&expected, &alone)
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} files checked");
    assert!(failures.is_empty(), "alone vs whole tree:\n{failures}");
}
