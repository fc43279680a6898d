//! DB005 (project rule): `relationship(...)` left on the default lazy loader in a project that
//! uses SQLAlchemy's asyncio extension.

use crate::facts::ProjectFacts;
use crate::python::schema::ancestors;
use crate::registry::Ctx;

pub const META: &str = include_str!("lazy_relationship_with_async.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    if !facts.python.uses_async_sessions() {
        return;
    }
    for file in &facts.schema {
        for rel in &file.relationships {
            if rel.has_lazy || rel.opaque {
                continue;
            }
            // `AsyncAttrs` models load lazy attributes with `await obj.awaitable_attrs.x`: the
            // project has chosen explicit async loading (SQLAlchemy asyncio docs).
            let async_attrs = rel.owner.as_deref().is_some_and(|owner| {
                ancestors(&facts.python, owner)
                    .iter()
                    .any(|a| a.rsplit('.').next() == Some("AsyncAttrs"))
            });
            if async_attrs {
                continue;
            }
            ctx.report_in(
                file.file,
                rel.span.clone(),
                "relationship without `lazy=` uses the default lazy loader (\"select\"); with AsyncSession, touching it outside an awaited load raises `MissingGreenlet` (sqlalche.me/e/20/xd2s)",
            )
            .help("pass `lazy=\"selectin\"` (or `\"joined\"`), or `lazy=\"raise\"` and load it with `selectinload()` in the query");
        }
    }
}
