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
        // §3.4: `@validator` while requirements.txt says `pydantic>=2.9,<3`.
        ("backend/app/schemas.py", 10, "API005"),
        // The app (§3.3 handlers are there) has no rate limiter, no /health, /ready, /live
        // (§1.3), nothing disposes the §2.3 engine, and no metrics.
        ("backend/app/main.py", 14, "API010"),
        ("backend/app/main.py", 14, "HA001"),
        ("backend/app/main.py", 14, "HA002"),
        ("backend/app/main.py", 14, "OBS001"),
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
