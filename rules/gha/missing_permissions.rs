//! GHA006: no `permissions:` at workflow level and not on every job, so some job's token gets
//! the repository's default permissions.

use crate::model::WorkflowFile;
use crate::registry::Ctx;

pub const META: &str = include_str!("missing_permissions.toml");

pub fn check(file: &WorkflowFile<'_>, ctx: &mut Ctx<'_>) {
    let wf = &file.workflow;
    if wf.permissions.is_some() || wf.jobs.is_empty() {
        return;
    }
    // A reusable workflow runs with the caller's token, which the caller's `permissions:`
    // bounds; it cannot widen it, so the finding belongs to the caller.
    if !wf.events.is_empty() && wf.events.iter().all(|(e, _)| *e == "workflow_call") {
        return;
    }
    let open: Vec<&str> = wf
        .jobs
        .iter()
        .filter(|j| j.permissions.is_none())
        .map(|j| j.id)
        .collect();
    if open.is_empty() {
        return;
    }
    let span = wf.on_key.map_or(0..0, |k| k.span.clone());
    let jobs = open
        .iter()
        .map(|j| format!("`{j}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (noun, their) = if open.len() == 1 {
        ("job", "its")
    } else {
        ("jobs", "their")
    };
    ctx.report(
        span,
        format!("no `permissions:` for the workflow nor for {noun} {jobs}: {their} token gets the repository default, which may be write access to everything"),
    )
    .help("add `permissions: {contents: read}` at the top of the workflow and grant more only to the jobs that need it");
}
