//! SEC010 (project rule): a PostgreSQL or Redis port published on all interfaces.

use crate::facts::ProjectFacts;
use crate::model::stacks::{in_dev_file, judged, production_message, soften, Seen};
use crate::model::topology::{compose_projects, runs, Runs};
use crate::registry::Ctx;

pub const META: &str = include_str!("database_port_published.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let mut seen = Seen::default();
    for project in judged(compose_projects(facts)) {
        for service in &project.services {
            let kind = runs(service, facts);
            if !matches!(
                kind,
                Runs::Postgres | Runs::PostgresHa | Runs::Redis | Runs::Sentinel
            ) {
                continue;
            }
            for port in service.ports.iter().filter(|p| p.on_all_interfaces()) {
                if in_dev_file(facts, port.file) || !seen.first(port.file, &port.span) {
                    continue;
                }
                let published = match &port.published {
                    Some(p) => format!("host port {p}"),
                    None => "a random host port".to_string(),
                };
                let message = format!(
                    "service `{}` ({}) publishes container port {} on {published} of every \
                     interface: anyone who reaches the host reaches the database",
                    service.name,
                    kind.label(),
                    port.target
                );
                let report = ctx.report_in(
                    port.file,
                    port.span.clone(),
                    production_message(project, message),
                );
                soften(report, project)
                .help("bind it to the loopback (`127.0.0.1:5432:5432`) or do not publish it; services reach it over the compose network");
            }
        }
    }
}
