//! HA005 (project rule): a long-running compose service with no restart policy.

use super::{compose_projects, one_shots, runs, Runs};
use crate::facts::ProjectFacts;
use crate::registry::Ctx;

pub const META: &str = include_str!("compose_missing_restart.toml");

/// Programs that run once and exit (migrations, tests, setup scripts).
const ONE_SHOT_PROGRAMS: &[&str] = &["alembic", "pytest", "tox", "true", "echo"];

/// A service that only an override file defines is part of the local-development layer
/// (Docker's documentation describes `compose.override.yaml` that way).
fn defined_in_override(facts: &ProjectFacts, file: crate::source::FileId) -> bool {
    facts.compose_files.iter().any(|c| {
        c.file == file
            && c.path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().contains(".override."))
    })
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for project in compose_projects(facts) {
        if project.is_development() {
            continue;
        }
        let one_shots = one_shots(project);
        for service in &project.services {
            if service.restart.is_some()
                || service.restart_policy.is_some()
                // A profile makes the service opt-in: a tool run on demand.
                || !service.profiles.is_empty()
                || one_shots.contains(service.name.as_str())
                || defined_in_override(facts, service.file)
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
                || super::runs_client_only(service)
            {
                continue;
            }
            let kind = runs(service, facts);
            let what = match kind {
                Runs::Other => String::new(),
                k => format!(" ({})", k.label()),
            };
            ctx.report_in(
                service.file,
                service.key.clone(),
                format!(
                    "service `{}`{what} has no `restart:` policy: after a crash or a host reboot \
                     it stays down",
                    service.name
                ),
            )
            .help("add `restart: unless-stopped` (or `deploy.restart_policy` for Swarm)");
        }
    }
}
