//! GHA003 (project rule): no workflow that runs the tests is triggered by `pull_request`.

use crate::facts::{ProjectFacts, WorkflowFact};
use crate::registry::Ctx;
use std::collections::HashSet;
use std::path::PathBuf;

pub const META: &str = include_str!("tests_not_on_pull_request.toml");

/// The workflows a pull request runs: triggered by `pull_request`/`pull_request_target`, by a
/// `push` to any branch (a pull request's branch included), or called by such a workflow.
pub fn pull_request_workflows(workflows: &[&WorkflowFact]) -> HashSet<PathBuf> {
    let mut covered: HashSet<PathBuf> = workflows
        .iter()
        .filter(|w| w.on_pull_request || w.push_all_branches)
        .map(|w| w.path.clone())
        .collect();
    loop {
        let before = covered.len();
        for w in workflows {
            if covered.contains(&w.path) {
                covered.extend(w.calls.iter().cloned());
            }
        }
        if covered.len() == before {
            return covered;
        }
    }
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let workflows: Vec<&WorkflowFact> = facts
        .workflows
        .iter()
        .filter(|w| facts.in_scope(w.file))
        .collect();
    let on_pr = pull_request_workflows(&workflows);
    // A pull-request workflow that calls a remote reusable workflow or a local action may run
    // the tests where we cannot see.
    if workflows
        .iter()
        .any(|w| on_pr.contains(&w.path) && w.opaque)
    {
        return;
    }
    let testing: Vec<&&WorkflowFact> = workflows
        .iter()
        .filter(|w| !w.test_runs.is_empty())
        .collect();
    if testing.iter().any(|w| on_pr.contains(&w.path)) {
        return;
    }
    for w in testing {
        let command = w.test_commands.first().map_or("the tests", String::as_str);
        ctx.report_in(
            w.file,
            w.anchor.clone(),
            format!(
                "this workflow runs the tests (`{command}`) but no pull request triggers it, and no workflow that runs the tests is triggered by `pull_request`: a change is tested only after it is merged"
            ),
        )
        .help("add `pull_request:` to the workflow's `on:` (keep `push:` for the main branch)");
    }
}
