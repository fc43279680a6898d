//! HA005 (project rule): a long-running compose service with no restart policy.

use crate::facts::ProjectFacts;
use crate::model::stacks::{in_dev_file, judged, production_message, soften, Seen};
use crate::model::topology::{compose_projects, one_shots, runs, Runs};
use crate::registry::Ctx;

pub const META: &str = include_str!("compose_missing_restart.toml");

/// Programs that run once and exit (migrations, tests, setup scripts).
const ONE_SHOT_PROGRAMS: &[&str] = &["alembic", "pytest", "tox", "true", "echo"];

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let mut seen = Seen::default();
    for project in judged(compose_projects(facts)) {
        let one_shots = one_shots(project);
        for service in &project.services {
            if service.restart.is_some()
                || service.restart_policy.is_some()
                // A profile makes the service opt-in: a tool run on demand.
                || !service.profiles.is_empty()
                || one_shots.contains(service.name.as_str())
                // A service that only a development file (an override) defines is part of
                // the local-development layer.
                || in_dev_file(facts, service.file)
                || !seen.first(service.file, &service.key)
            {
                continue;
            }
            let first = service.start_words().next().map(|w| w.text.as_str());
            let migrates = service
                .command
                .iter()
                .flat_map(|c| c.value.iter())
                .any(|w| w.text == "migrate" || w.text == "upgrade");
            if first.is_some_and(|p| ONE_SHOT_PROGRAMS.contains(&p.rsplit('/').next().unwrap_or(p)))
                || migrates
                || crate::model::topology::runs_client_only(service)
            {
                continue;
            }
            let kind = runs(service, facts);
            let what = match kind {
                Runs::Other => String::new(),
                k => format!(" ({})", k.label()),
            };
            let message = format!(
                "service `{}`{what} has no `restart:` policy: after a crash or a host reboot it \
                 stays down",
                service.name
            );
            let report = ctx.report_in(
                service.file,
                service.key.clone(),
                production_message(project, message),
            );
            soften(report, project)
                .help("add `restart: unless-stopped` (or `deploy.restart_policy` for Swarm)");
        }
    }
}
