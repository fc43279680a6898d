//! HA009 (project rule): compose runs a single PostgreSQL and nothing that replicates it.

use crate::facts::ProjectFacts;
use crate::model::stacks::{in_dev_file, judged, production_message, soften, Seen};
use crate::model::topology::{compose_projects, runs, Runs};
use crate::registry::Ctx;

pub const META: &str = include_str!("postgres_without_replica.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let mut seen = Seen::default();
    for project in judged(compose_projects(facts)) {
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
        if only.env("POSTGRESQL_REPLICATION_MODE").is_some()
            || in_dev_file(facts, only.file)
            || !seen.first(only.file, &only.key)
        {
            continue;
        }
        let message = format!(
            "service `{}` is the only PostgreSQL and nothing replicates it (no Patroni, no \
             standby): when it fails, the service is down until it is restored by hand",
            only.name
        );
        let report = ctx.report_in(
            only.file,
            only.key.clone(),
            production_message(project, message),
        );
        soften(report, project)
        .help("run PostgreSQL under Patroni with etcd and at least one replica (§1.1), or use a managed database with failover");
    }
}
