//! DB007 (project rule): a migration builds an index on an existing table without
//! `CONCURRENTLY`.

use crate::facts::ProjectFacts;
use crate::python::schema::{Op, SchemaSource};
use crate::registry::Ctx;
use std::collections::HashSet;

pub const META: &str = include_str!("index_without_concurrently.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for file in facts.schema.iter().filter(|f| !f.is_sqlite_migration()) {
        let alembic = match file.source {
            SchemaSource::Alembic { .. } => true,
            SchemaSource::Sql { migration: true } => false,
            _ => continue,
        };
        // A table created by the same migration is new and empty: nobody is blocked while its
        // index builds (squawk's require-concurrent-index-creation skips it too).
        let created: HashSet<&str> = file
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::CreateTable { table } => Some(table.as_str()),
                _ => None,
            })
            .collect();
        for op in &file.ops {
            let Op::Key {
                table,
                created: Some(creation),
                ..
            } = op
            else {
                continue;
            };
            if creation.concurrently != Some(false) || created.contains(table.as_str()) {
                continue;
            }
            let (what, help) = if creation.implicit {
                (
                    "`add_column(..., index=True)` builds its index",
                    "create the index in its own step with `op.create_index(..., postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():`",
                )
            } else if alembic && !creation.sql {
                (
                    "`op.create_index` without `postgresql_concurrently=True` builds the index",
                    "pass `postgresql_concurrently=True` and run it inside `with op.get_context().autocommit_block():` (CONCURRENTLY cannot run in a transaction)",
                )
            } else if alembic {
                (
                    "`CREATE INDEX` without CONCURRENTLY in `op.execute` builds the index",
                    "write `CREATE INDEX CONCURRENTLY` and run it inside `with op.get_context().autocommit_block():` (CONCURRENTLY cannot run in a transaction)",
                )
            } else {
                (
                    "CREATE INDEX without CONCURRENTLY builds the index",
                    "use `CREATE INDEX CONCURRENTLY`, outside a transaction block",
                )
            };
            ctx.report_in(
                file.file,
                creation.span.clone(),
                format!(
                    "{what} under a SHARE lock: inserts, updates and deletes on `{table}` wait until it finishes"
                ),
            )
            .help(help);
        }
    }
}
