//! DB003 (project rule): a foreign-key column that no index leads with, once every migration has
//! run and the models are declared.

use crate::facts::ProjectFacts;
use crate::python::schema::{Schema, SchemaSource};
use crate::registry::Ctx;
use std::collections::HashSet;

pub const META: &str = include_str!("foreign_key_without_index.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    if facts.schema.is_empty() {
        return;
    }
    let schema = Schema::build(&facts.schema, &facts.python);
    let file_of = |id| facts.schema.iter().find(|f| f.file == id);
    // One finding per foreign key: the model declaring it speaks for the migrations that
    // create it (and for every dialect's chain), so models come first.
    let mut ordered: Vec<_> = schema.foreign_keys.iter().collect();
    ordered.sort_by_key(|fk| {
        !matches!(
            file_of(fk.file).map(|f| &f.source),
            Some(SchemaSource::Models)
        )
    });
    let mut reported: HashSet<(String, Vec<String>)> = HashSet::new();
    for fk in ordered {
        if schema.covered(&fk.tables, &fk.columns) {
            continue;
        }
        if file_of(fk.file).is_some_and(|f| f.is_sqlite_migration()) {
            continue;
        }
        if fk
            .tables
            .iter()
            .any(|t| reported.contains(&(t.clone(), fk.columns.clone())))
        {
            continue;
        }
        reported.extend(fk.tables.iter().map(|t| (t.clone(), fk.columns.clone())));
        let source = file_of(fk.file).map(|f| &f.source);
        let columns = fk
            .columns
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let table = fk.tables.first().map_or("its table", String::as_str);
        let help = match source {
            Some(SchemaSource::Models) | None => format!(
                "add `index=True` to the column, or an `Index(...)` in `__table_args__` that starts with {columns}"
            ),
            Some(_) => format!(
                "create an index that starts with {columns} in a new migration (`CREATE INDEX CONCURRENTLY … ON {table} ({})`)",
                fk.columns.join(", ")
            ),
        };
        ctx.report_in(
            fk.file,
            fk.span.clone(),
            format!(
                "foreign key {columns} of table `{table}` has no index that starts with it: PostgreSQL does not index foreign keys, so joins on it and every delete or key update of the referenced table scan `{table}`"
            ),
        )
        .help(help);
    }
}
