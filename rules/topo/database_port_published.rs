//! SEC010 (project rule): a PostgreSQL or Redis port published on all interfaces.

use super::{compose_projects, runs, Runs};
use crate::facts::ProjectFacts;
use crate::registry::Ctx;

pub const META: &str = include_str!("database_port_published.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for project in compose_projects(facts) {
        for service in &project.services {
            let kind = runs(service, facts);
            if !matches!(
                kind,
                Runs::Postgres | Runs::PostgresHa | Runs::Redis | Runs::Sentinel
            ) {
                continue;
            }
            for port in service.ports.iter().filter(|p| p.on_all_interfaces()) {
                let published = match &port.published {
                    Some(p) => format!("host port {p}"),
                    None => "a random host port".to_string(),
                };
                ctx.report_in(
                    port.file,
                    port.span.clone(),
                    format!(
                        "service `{}` ({}) publishes container port {} on {published} of every \
                         interface: anyone who reaches the host reaches the database",
                        service.name,
                        kind.label(),
                        port.target
                    ),
                )
                .help("bind it to the loopback (`127.0.0.1:5432:5432`) or do not publish it; services reach it over the compose network");
            }
        }
    }
}
