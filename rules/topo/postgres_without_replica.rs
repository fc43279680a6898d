//! HA009 (project rule): compose runs a single PostgreSQL and nothing that replicates it.

use super::{compose_projects, runs, Runs};
use crate::facts::ProjectFacts;
use crate::registry::Ctx;

pub const META: &str = include_str!("postgres_without_replica.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for project in compose_projects(facts) {
        if project.is_development() {
            continue;
        }
        let kinds: Vec<Runs> = project.services.iter().map(|s| runs(s, facts)).collect();
        if kinds.contains(&Runs::PostgresHa) {
            continue;
        }
        let postgres: Vec<_> = project
            .services
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| **k == Runs::Postgres)
            .map(|(s, _)| s)
            .collect();
        let [only] = postgres.as_slice() else {
            continue;
        };
        // Bitnami's image streams to replicas it is told about.
        if only.env("POSTGRESQL_REPLICATION_MODE").is_some() {
            continue;
        }
        ctx.report_in(
            only.file,
            only.key.clone(),
            format!(
                "service `{}` is the only PostgreSQL and nothing replicates it (no Patroni, no \
                 standby): when it fails, the service is down until it is restored by hand",
                only.name
            ),
        )
        .help("run PostgreSQL under Patroni with etcd and at least one replica (§1.1), or use a managed database with failover");
    }
}
