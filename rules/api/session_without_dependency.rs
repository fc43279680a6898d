//! API003: a route handler that builds its own database session.

use crate::python::functions::{function_at, functions_by_name, own_calls};
use crate::python::session::{self, Bindings, Bound};
use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange};

pub const META: &str = include_str!("session_without_dependency.toml");

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let functions = functions_by_name(module.ast);
    for handler in module.index.handlers_in(module.summary.file) {
        // A WebSocket handler lives as long as its connection; a dependency's session would
        // stay checked out that whole time, so opening short sessions inside is the right
        // pattern there (prefect's events stream does this).
        if handler.method == "websocket" {
            continue;
        }
        let Some(f) = function_at(&functions, &handler.span) else {
            continue;
        };
        let bindings = Bindings::of(f);
        let opened = provider_uses(&bindings);
        for own in own_calls(f) {
            let Some(written) = dotted(&own.call.func) else {
                continue;
            };
            if bindings.is_local(written.split('.').next().unwrap_or(&written)) {
                continue;
            }
            let qualified = module.summary.qualify(&written);
            let builds = session::created_kind(module.index, &qualified).is_some()
                || (opened.contains(&own.call.range())
                    && session::provider_kind(module.index, &qualified).is_some());
            if !builds {
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

/// Calls whose result is opened as a session: `with get_db() as db`, `db = next(get_db())`.
/// A session provider called any other way (a bare `get_db()`) builds no session.
fn provider_uses(bindings: &Bindings<'_>) -> Vec<TextRange> {
    let mut out = Vec::new();
    for bound in bindings.names.values().flatten() {
        match bound {
            Bound::With(Expr::Call(c)) => out.push(c.range()),
            Bound::Value(Expr::Call(c)) if dotted(&c.func).as_deref() == Some("next") => {
                if let Some(Expr::Call(inner)) = c.arguments.args.first() {
                    out.push(inner.range());
                }
            }
            _ => {}
        }
    }
    out
}
