//! GHA005: a job that deploys with no `environment:`, so no required reviewer can stop it.

use super::deploy::deploy_reason;
use crate::model::ScriptsFile;
use crate::registry::Ctx;

pub const META: &str = include_str!("deploy_without_environment.toml");

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    let Some(workflow) = file.workflow else {
        return;
    };
    for (index, job) in workflow.jobs.iter().enumerate() {
        if job.environment.is_some() {
            continue;
        }
        let Some(reason) = deploy_reason(file, workflow, index) else {
            continue;
        };
        ctx.report(
            job.key.span.clone(),
            format!(
                "job `{}` deploys ({reason}) but has no `environment:`, so no required reviewer or branch rule gates it",
                job.id
            ),
        )
        .help("add `environment: production` to the job and set required reviewers for that environment in the repository settings");
    }
}
