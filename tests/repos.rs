//! The example repositories: `sentinel` is the audit checklist's own snippets rebuilt as a
//! repository and must get exactly the findings listed here; `wellbuilt` must get none.
//! Later rule families extend the sentinel list.

mod common;

use common::{diff, findings, lint_project, Finding};
use std::collections::BTreeSet;
use std::path::Path;

fn repo(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/repos")
        .join(name)
}

fn set(items: &[(&str, usize, &str)]) -> BTreeSet<Finding> {
    items
        .iter()
        .map(|(p, l, c)| (p.to_string(), *l, c.to_string()))
        .collect()
}

#[test]
fn sentinel_gets_exactly_the_checklist_findings() {
    let root = repo("sentinel");
    let actual = findings(&lint_project(&root, &[]), &root);
    let expected = set(&[
        // §4.3: the runtime stage copies /root/.local and runs as `sentinel`.
        ("backend/Dockerfile", 16, "DKR006"),
        // §4.3: `COPY . .` and no .dockerignore in backend/.
        ("backend/Dockerfile", 1, "DKR009"),
        // §4.3: `FROM python:3.11-slim as builder`.
        ("backend/Dockerfile", 2, "DKR010"),
    ]);
    assert!(
        actual == expected,
        "sentinel findings differ:\n{}",
        diff(&expected, &actual)
    );
}

#[test]
fn wellbuilt_is_silent() {
    let root = repo("wellbuilt");
    let actual = findings(&lint_project(&root, &[]), &root);
    assert!(
        actual.is_empty(),
        "the well-built repository got findings:\n{}",
        diff(&BTreeSet::new(), &actual)
    );
}
