//! GHA010: a deploy job with no `concurrency:` group, at job or workflow level.

use super::deploy::deploy_reason;
use crate::model::ScriptsFile;
use crate::registry::Ctx;

pub const META: &str = include_str!("deploy_without_concurrency.toml");

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    let Some(workflow) = file.workflow else {
        return;
    };
    if workflow.concurrency.is_some() {
        return;
    }
    // A reusable workflow's caller can hold the group on the job that calls it
    // (`jobs.<id>.concurrency` is allowed next to `uses:`), which this file cannot see.
    if !workflow.events.is_empty() && workflow.events.iter().all(|(e, _)| *e == "workflow_call") {
        return;
    }
    for (index, job) in workflow.jobs.iter().enumerate() {
        if job.concurrency.is_some() {
            continue;
        }
        let Some(reason) = deploy_reason(file, workflow, index) else {
            continue;
        };
        ctx.report(
            job.key.span.clone(),
            format!(
                "job `{}` deploys ({reason}) with no `concurrency:` group, so two runs can deploy at the same time",
                job.id
            ),
        )
        .help("add `concurrency: {group: deploy-production, cancel-in-progress: false}` to the job or the workflow");
    }
}
