//! DB003 (project rule): a foreign-key column that no index leads with, once every migration has
//! run and the models are declared.

use crate::facts::ProjectFacts;
use crate::python::schema::{Schema, SchemaSource};
use crate::registry::Ctx;

pub const META: &str = include_str!("foreign_key_without_index.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    if facts.schema.is_empty() {
        return;
    }
    let schema = Schema::build(&facts.schema, &facts.python);
    for fk in &schema.foreign_keys {
        if schema.covered(&fk.tables, &fk.columns) {
            continue;
        }
        let source = facts
            .schema
            .iter()
            .find(|f| f.file == fk.file)
            .map(|f| &f.source);
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
