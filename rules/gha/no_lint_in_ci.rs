//! GHA011 (project rule): no workflow runs the project's linters or `pre-commit run`.

use crate::facts::{ProjectFacts, WorkflowFact};
use crate::registry::Ctx;

pub const META: &str = include_str!("no_lint_in_ci.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let mut workflows: Vec<&WorkflowFact> = facts
        .workflows
        .iter()
        .filter(|w| facts.in_scope(w.file))
        .collect();
    if workflows.is_empty() {
        return;
    }
    let python =
        facts.python_project_anchor.is_some() || workflows.iter().any(|w| !w.test_runs.is_empty());
    if !python {
        return;
    }
    // Linting somewhere, or possibly out of sight (a remote reusable workflow, a local action),
    // or pre-commit.ci running the hooks (`ci:` in the root pre-commit config).
    if workflows
        .iter()
        .any(|w| !w.lint_runs.is_empty() || w.opaque)
        || facts.precommit_ci.iter().any(|(f, _)| facts.in_scope(*f))
    {
        return;
    }
    workflows.sort_by(|a, b| a.path.cmp(&b.path));
    let Some(anchor) = workflows
        .iter()
        .find(|w| !w.test_runs.is_empty())
        .or(workflows.first())
    else {
        return;
    };
    ctx.report_in(
        anchor.file,
        anchor.anchor.clone(),
        "no workflow runs the project's linters or `pre-commit run`: a skipped or missing hook lets formatting, lint and type errors reach the main branch",
    )
    .help("add a lint job (`pre-commit run --all-files`, or `pre-commit/action`), or the linters themselves (`ruff check`, `mypy`)");
}
