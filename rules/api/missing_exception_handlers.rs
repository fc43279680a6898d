//! API004 (project rule): a `FastAPI()` app and no exception handler registered anywhere in the
//! project.

use crate::facts::ProjectFacts;
use crate::python::apps::{primary_apps, service_modules};
use crate::registry::Ctx;

pub const META: &str = include_str!("missing_exception_handlers.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let index = &facts.python;
    // `@app.exception_handler`, `add_exception_handler` and `exception_handlers=` (also as a
    // `**kwargs` dict key) on any app of the project: handlers on a sub-app or registered in
    // another module count.
    if service_modules(index).any(|m| !m.app.exception_handlers.is_empty()) {
        return;
    }
    for (module, app) in primary_apps(index) {
        ctx.report_in(
            module.file,
            app.span.clone(),
            "this FastAPI app has no exception handler anywhere in the project: an unhandled error becomes a bare 500 and database or validation errors reach the client in FastAPI's default shape",
        )
        .help("register handlers with `@app.exception_handler(SQLAlchemyError)`, `app.add_exception_handler(...)` or `FastAPI(exception_handlers={...})`");
    }
}
