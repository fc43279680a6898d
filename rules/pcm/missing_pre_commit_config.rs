//! PCM001 (project rule): a Python project without `.pre-commit-config.yaml`.

use crate::facts::ProjectFacts;
use crate::registry::Ctx;
use std::path::Path;

pub const META: &str = include_str!("missing_pre_commit_config.toml");

/// Other git-hook managers: a project that uses one has chosen its hooks already.
const OTHER_HOOK_MANAGERS: &[&str] = &[
    "lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yml",
    ".lefthook.yaml",
    "lefthook.toml",
    ".lefthook.toml",
];

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    // Hooks are installed once per repository: the root unit speaks for it.
    if !facts.unit_root.as_os_str().is_empty() {
        return;
    }
    let Some(anchor) = facts.python_project_anchor else {
        return;
    };
    // pre-commit reads the config at the repository root (either extension).
    let has = |name: &str| facts.has_file(Path::new(name));
    if has(".pre-commit-config.yaml") || has(".pre-commit-config.yml") {
        return;
    }
    if OTHER_HOOK_MANAGERS.iter().any(|n| has(n))
        || facts.paths.iter().any(|p| p.starts_with(".husky"))
    {
        return;
    }
    ctx.report_in(
        anchor,
        0..0,
        "this Python project has no .pre-commit-config.yaml: formatting, linting and secret checks run only if each developer remembers to",
    )
    .help("add a .pre-commit-config.yaml with the project's formatter and linters (pinned revs), then `pre-commit install`");
}
