//! GHA008: an attacker-controlled context (`github.event.issue.title`, `github.head_ref`, …)
//! expanded inside a `run:` script, directly or through `env.NAME`.
//!
//! The list follows GitHub's security guidance ("Script injections": contexts ending in body,
//! title, message, head_ref, label, email, name of authors, page_name, default_branch) narrowed to
//! the fields an outsider can write: an issue or pull request, a comment or review, a fork's
//! branch name, a commit message merged from a fork. `inputs.*` of `workflow_dispatch` need write
//! access and are not listed; step outputs and `needs.*` cannot be traced statically.

use super::expr::{context_refs, covers};
use super::{run_expressions, workflow_env};
use crate::model::workflow::{Job, Step, Workflow};
use crate::model::{expressions, WorkflowFile};
use crate::parse::yaml::Yaml;
use crate::registry::Ctx;

pub const META: &str = include_str!("untrusted_input_in_run.toml");

const PULL_REQUEST: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
];
const ISSUE: &[&str] = &["issues", "issue_comment"];
const COMMENT: &[&str] = &[
    "issue_comment",
    "pull_request_review_comment",
    "commit_comment",
    "discussion_comment",
];
const DISCUSSION: &[&str] = &["discussion", "discussion_comment"];
const PUSH: &[&str] = &["push"];
const WORKFLOW_RUN: &[&str] = &["workflow_run"];

/// Attacker-writable fields and the events that fill them.
const UNTRUSTED: &[(&str, &[&str])] = &[
    ("github.head_ref", &["pull_request", "pull_request_target"]),
    ("github.event.issue.title", ISSUE),
    ("github.event.issue.body", ISSUE),
    ("github.event.pull_request.title", PULL_REQUEST),
    ("github.event.pull_request.body", PULL_REQUEST),
    ("github.event.pull_request.head.ref", PULL_REQUEST),
    ("github.event.pull_request.head.label", PULL_REQUEST),
    (
        "github.event.pull_request.head.repo.default_branch",
        PULL_REQUEST,
    ),
    ("github.event.comment.body", COMMENT),
    ("github.event.review.body", &["pull_request_review"]),
    ("github.event.discussion.title", DISCUSSION),
    ("github.event.discussion.body", DISCUSSION),
    ("github.event.pages.*.page_name", &["gollum"]),
    ("github.event.commits.*.message", PUSH),
    ("github.event.commits.*.author.email", PUSH),
    ("github.event.commits.*.author.name", PUSH),
    ("github.event.head_commit.message", PUSH),
    ("github.event.head_commit.author.email", PUSH),
    ("github.event.head_commit.author.name", PUSH),
    ("github.event.workflow_run.head_branch", WORKFLOW_RUN),
    ("github.event.workflow_run.display_title", WORKFLOW_RUN),
    (
        "github.event.workflow_run.head_commit.message",
        WORKFLOW_RUN,
    ),
    (
        "github.event.workflow_run.head_commit.author.email",
        WORKFLOW_RUN,
    ),
    (
        "github.event.workflow_run.head_commit.author.name",
        WORKFLOW_RUN,
    ),
];

/// The untrusted field a reference reads (or an object holding one), if one of the workflow's
/// triggers can fill it. A reusable workflow (`workflow_call`) runs with its caller's event,
/// and a workflow whose triggers cannot be read is judged on the expression alone.
fn untrusted_field(path: &str, workflow: &Workflow<'_>) -> Option<&'static str> {
    let any_event = workflow.events.is_empty() || workflow.has_event("workflow_call");
    UNTRUSTED
        .iter()
        .filter(|(pattern, _)| covers(path, pattern))
        .find(|(_, events)| any_event || events.iter().any(|e| workflow.has_event(e)))
        .map(|(pattern, _)| *pattern)
}

pub fn check(file: &WorkflowFile<'_>, ctx: &mut Ctx<'_>) {
    let wf = &file.workflow;
    for e in run_expressions(file) {
        for r in context_refs(&e.inner) {
            if r.boolean_only {
                continue;
            }
            let written = e.inner.get(r.span.clone()).unwrap_or(&r.path);
            let (field, what) = match untrusted_field(&r.path, wf) {
                Some(field) if field == r.path => (field, format!("`{field}`")),
                // An object holding the field: `toJSON(github.event.pull_request)`.
                Some(field) => (field, format!("`{written}`, which holds `{field}`,")),
                None => match env_indirection(&r.path, wf, e.job, e.step) {
                    Some(field) => (field, format!("`{written}`, set from `{field}`,")),
                    None => continue,
                },
            };
            let var = field
                .rsplit('.')
                .next()
                .unwrap_or("VALUE")
                .to_ascii_uppercase();
            ctx.report(
                e.span.clone(),
                format!("`${{{{ {} }}}}` pastes {what} into the script; an outsider can write that value, and a crafted one runs as shell code", e.inner),
            )
            .help(format!("set it as a step environment variable (`env: {{{var}: ${{{{ {field} }}}}}}`) and use \"${var}\" in the script, quoted"));
            // One finding per expression.
            break;
        }
    }
}

/// `env.NAME` whose value (step, then job, then workflow `env:`) holds an untrusted field.
fn env_indirection(
    path: &str,
    wf: &Workflow<'_>,
    job: &Job<'_>,
    step: &Step<'_>,
) -> Option<&'static str> {
    let name = path.strip_prefix("env.")?;
    let lookup = |env: Option<&Yaml>| -> Option<String> {
        env?.entries().iter().find_map(|(k, v)| {
            k.as_str()
                .filter(|k| k.eq_ignore_ascii_case(name))
                .and_then(|_| v.as_str())
                .map(str::to_string)
        })
    };
    let value = lookup(step.env)
        .or_else(|| lookup(job.node.get("env")))
        .or_else(|| lookup(workflow_env(wf)))?;
    expressions(&value)
        .iter()
        .flat_map(|x| context_refs(x.inner))
        .filter(|r| !r.boolean_only)
        .find_map(|r| untrusted_field(&r.path, wf))
}
