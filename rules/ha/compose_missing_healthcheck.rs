//! HA003 (project rule): a database, Redis, the app, or a service others depend on, with no
//! healthcheck.

use crate::facts::ProjectFacts;
use crate::model::stacks::{in_dev_file, judged, Seen};
use crate::model::topology::{compose_projects, has_healthcheck, one_shots, runs, Runs};
use crate::registry::Ctx;
use std::collections::HashMap;

pub const META: &str = include_str!("compose_missing_healthcheck.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let mut seen = Seen::default();
    for project in judged(compose_projects(facts)) {
        let one_shots = one_shots(project);
        // Who depends on each service, in file order, built once per project.
        let mut dependants_of: HashMap<&str, Vec<&str>> = HashMap::new();
        for s in &project.services {
            let mut named: Vec<&str> = s.depends_on.iter().map(|d| d.service.as_str()).collect();
            named.sort_unstable();
            named.dedup();
            for target in named {
                dependants_of
                    .entry(target)
                    .or_default()
                    .push(s.name.as_str());
            }
        }
        for service in &project.services {
            if has_healthcheck(service, facts) || one_shots.contains(service.name.as_str()) {
                continue;
            }
            let kind = runs(service, facts);
            let dependants = dependants_of
                .get(service.name.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let why = match kind {
                Runs::Postgres | Runs::PostgresHa | Runs::Redis | Runs::App => {
                    format!("runs {}", kind.label())
                }
                _ if !dependants.is_empty() => {
                    format!("is a dependency of `{}`", dependants.join("`, `"))
                }
                _ => continue,
            };
            let (file, span, what) = match &service.healthcheck {
                Some(h) => (h.file, h.span.clone(), "has its healthcheck disabled"),
                None => (service.file, service.key.clone(), "has no healthcheck"),
            };
            if in_dev_file(facts, file) || !seen.first(file, &span) {
                continue;
            }
            ctx.report_in(
                file,
                span,
                format!(
                    "service `{}` {why} and {what}: Docker cannot tell when it is ready, so \
                     dependants start against it too early and a hung process looks running",
                    service.name
                ),
            )
            .help(match kind {
                Runs::Postgres | Runs::PostgresHa => {
                    "add `healthcheck: {test: [\"CMD-SHELL\", \"pg_isready -U $$POSTGRES_USER\"], interval: 5s}`"
                }
                Runs::Redis => "add `healthcheck: {test: [\"CMD\", \"redis-cli\", \"ping\"], interval: 5s}`",
                _ => "add a `healthcheck:` whose `test` checks the service answers (the app's /health)",
            });
        }
    }
}
