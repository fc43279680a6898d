//! DB007 (project rule): a migration builds an index on an existing table without
//! `CONCURRENTLY`.

use crate::facts::ProjectFacts;
use crate::python::app_facts::Lifespan;
use crate::python::index::Target;
use crate::python::schema::{migration_order, FileSchema, Op, SchemaSource};
use crate::python::summary::Def;
use crate::python::PythonIndex;
use crate::registry::Ctx;
use crate::source::FileId;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

pub const META: &str = include_str!("index_without_concurrently.toml");

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Options {
    applied_through: String,
    judge_startup_migrations: bool,
}

/// Alembic's programmatic upgrade.
const UPGRADE: &[&str] = &["alembic.command.upgrade"];

/// How deep calls are followed from a lifespan or startup handler.
const MAX_CALL_DEPTH: usize = 6;

/// Whether the application runs `alembic.command.upgrade(...)` on its own startup path (its
/// `lifespan=` function or an `on_event("startup")` handler, following project functions they
/// call): the migrations then run before this instance serves.
fn migrates_on_startup(index: &PythonIndex) -> bool {
    let mut queue: Vec<(String, usize)> = Vec::new();
    for m in index.modules.iter().filter(|m| index.is_service(m.file)) {
        for l in &m.app.lifespans {
            if let Lifespan::Name(q) = l {
                queue.push((q.clone(), 0));
            }
        }
        for (function, decorators) in &m.decorators {
            if decorators.iter().any(|d| d.ends_with(".on_event")) {
                queue.push((format!("{}.{function}", m.module), 0));
            }
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    while let Some((q, depth)) = queue.pop() {
        let canonical = index.canonical(&q);
        if UPGRADE.contains(&canonical.as_str()) {
            return true;
        }
        if depth >= MAX_CALL_DEPTH || !seen.insert(canonical.clone()) {
            continue;
        }
        if let Target::Name(_, _, Def::Function(f)) = index.resolve(&canonical) {
            queue.extend(f.calls.iter().map(|c| (c.clone(), depth + 1)));
        }
    }
    false
}

/// Files the project marks as applied: the `applied-through` revision and every revision it
/// descends from (Alembic), or that `.sql` file and those before it in its folder.
fn applied(files: &[FileSchema], through: &str) -> HashSet<FileId> {
    let mut out = HashSet::new();
    if through.is_empty() {
        return out;
    }
    let by_revision: HashMap<&str, &FileSchema> = files
        .iter()
        .filter_map(|f| match &f.source {
            SchemaSource::Alembic { revision, .. } => Some((revision.as_str(), f)),
            _ => None,
        })
        .collect();
    let mut stack = vec![through.to_string()];
    let mut seen = HashSet::new();
    while let Some(rev) = stack.pop() {
        if !seen.insert(rev.clone()) {
            continue;
        }
        if let Some(f) = by_revision.get(rev.as_str()) {
            out.insert(f.file);
            if let SchemaSource::Alembic { down_revisions, .. } = &f.source {
                stack.extend(down_revisions.iter().cloned());
            }
        }
    }
    let sql: Vec<&FileSchema> = migration_order(files)
        .into_iter()
        .filter(|f| matches!(f.source, SchemaSource::Sql { migration: true }))
        .collect();
    let stem = |f: &FileSchema| {
        f.path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    if let Some(last) = sql.iter().position(|f| stem(f) == through) {
        let folder = sql[last].path.parent();
        out.extend(
            sql[..=last]
                .iter()
                .filter(|f| f.path.parent() == folder)
                .map(|f| f.file),
        );
    }
    out
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let options: Options = ctx.options();
    if !options.judge_startup_migrations && migrates_on_startup(&facts.python) {
        return;
    }
    let done = applied(&facts.schema, options.applied_through.trim());
    let how_to_tell = "; a migration that already ran before the table held live data (or while the service was stopped) is history: `[rules.DB007] applied-through = \"<newest applied revision>\"` marks it and every earlier one applied";
    for file in facts
        .schema
        .iter()
        .filter(|f| !f.is_sqlite_migration() && !done.contains(&f.file))
    {
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
                    "{what} under a SHARE lock: inserts, updates and deletes on `{table}` wait until it finishes (unless it ran before `{table}` took live traffic: then mark it applied with `applied-through`)"
                ),
            )
            .help(format!("{help}{how_to_tell}"));
        }
    }
}
