//! GHA006: no `permissions:` at workflow level and not on every job, so some job's token gets
//! the repository's default permissions; and permissions that are set but grant everything
//! (`write-all`) or let a fork's pull request push (`contents: write` under
//! `pull_request_target`).

use crate::model::WorkflowFile;
use crate::parse::yaml::Yaml;
use crate::registry::Ctx;

pub const META: &str = include_str!("missing_permissions.toml");

pub fn check(file: &WorkflowFile<'_>, ctx: &mut Ctx<'_>) {
    let wf = &file.workflow;
    // An action's steps run with the calling job's token; the caller sets its permissions.
    if wf.action {
        return;
    }
    too_wide(file, ctx);
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

/// `permissions: write-all` anywhere, and `contents: write` where a `pull_request_target` run
/// has it (at the workflow or on a job): set, but no narrower than the worst default.
fn too_wide(file: &WorkflowFile<'_>, ctx: &mut Ctx<'_>) {
    let wf = &file.workflow;
    let target = wf.has_event("pull_request_target");
    let levels = std::iter::once(("the workflow".to_string(), wf.permissions)).chain(
        wf.jobs
            .iter()
            .map(|j| (format!("job `{}`", j.id), j.permissions)),
    );
    for (owner, perms) in levels {
        let Some(perms) = perms else {
            continue;
        };
        if perms.as_str() == Some("write-all") {
            ctx.report(
                perms.span.clone(),
                format!("`permissions: write-all` on {owner} gives its token write access to every scope: any compromised step can push code, publish packages or change releases"),
            )
            .help("list only the scopes the job needs, e.g. `permissions: {contents: read}`, and widen per job");
            continue;
        }
        if !target {
            continue;
        }
        if let Some((key, value)) = perms.entry("contents") {
            if value.as_str() == Some("write") {
                report_target_write(key, &owner, ctx);
            }
        }
    }
}

fn report_target_write(key: &Yaml, owner: &str, ctx: &mut Ctx<'_>) {
    ctx.report(
        key.span.clone(),
        format!("`contents: write` on {owner} in a `pull_request_target` workflow: the run handles a fork's pull request with a token that can push to this repository"),
    )
    .help("use `contents: read` here and push from a separate workflow (`workflow_run`) that never runs the fork's code");
}
