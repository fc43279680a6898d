//! API003: a route handler that builds its own database session.

use super::{all_functions, function_at, own_calls};
use crate::python::session::{self, Bindings};
use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;

pub const META: &str = include_str!("session_without_dependency.toml");

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let functions = all_functions(module.ast);
    for handler in module.index.handlers_in(module.summary.file) {
        let Some(f) = function_at(&functions, &handler.span) else {
            continue;
        };
        let bindings = Bindings::of(f);
        for own in own_calls(f) {
            let Some(written) = dotted(&own.call.func) else {
                continue;
            };
            if bindings.is_local(written.split('.').next().unwrap_or(&written)) {
                continue;
            }
            let qualified = module.summary.qualify(&written);
            if session::created_kind(module.index, &qualified).is_none() {
                continue;
            }
            ctx.report(
                span_of(own.call),
                format!(
                    "route handler `{}` builds its own database session with `{written}(…)` instead of receiving it through `Depends(...)`",
                    handler.function
                ),
            )
            .help("take the session from a dependency that yields it and closes it (`db: Session = Depends(get_db)`); tests can then override it");
        }
    }
}
