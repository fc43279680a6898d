//! DB009 (project rule): autovacuum turned off.

use crate::facts::ProjectFacts;
use crate::kind::FileKind;
use crate::model::topology::{pg_false, runs, server_flag};
use crate::registry::Ctx;

pub const META: &str = include_str!("autovacuum_disabled.toml");

const MESSAGE: &str = "autovacuum is turned off: dead rows are never reclaimed, tables and \
                       indexes bloat, and transaction-ID wraparound eventually forces a shutdown";
const HELP: &str = "remove the setting (autovacuum is on by default); to tune it, set \
                    `autovacuum_vacuum_scale_factor` and friends, per table if needed";

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for conf in facts
        .confs
        .iter()
        .filter(|c| c.kind == FileKind::PostgresConf)
    {
        for d in conf.directives.iter().filter(|d| d.name == "autovacuum") {
            if d.args.first().is_some_and(|(v, _)| pg_false(v)) {
                ctx.report_in(conf.file, d.span.clone(), MESSAGE).help(HELP);
            }
        }
    }
    for p in &facts.patroni {
        for (name, value, span) in &p.parameters {
            if name == "autovacuum" && pg_false(value) {
                ctx.report_in(p.file, span.clone(), MESSAGE).help(HELP);
            }
        }
    }
    for compose in &facts.compose_files {
        if crate::model::stacks::in_dev_file(facts, compose.file)
            || crate::model::stacks::only_in_dev_stacks(
                crate::model::topology::compose_projects(facts),
                compose.file,
            )
        {
            continue;
        }
        for service in &compose.services {
            if !runs(service, facts).is_postgres() {
                continue;
            }
            let Some(cmd) = &service.command else {
                continue;
            };
            if let Some((value, word)) = server_flag(&cmd.value, "autovacuum") {
                if pg_false(value) {
                    ctx.report_in(cmd.file, word.span.clone(), MESSAGE)
                        .help(HELP);
                }
            }
        }
    }
}
