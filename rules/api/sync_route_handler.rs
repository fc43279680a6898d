//! API001: a path operation defined with `def` that has no reason to be one.
//!
//! FastAPI runs a `def` handler in its threadpool, which is the right place for blocking work
//! (a synchronous SQLAlchemy session, a sync HTTP client): telling such a handler to become
//! `async def` would move that work onto the event loop (API002). So a `def` handler is
//! reported when it does no blocking work at all (the thread hop buys nothing), or when it
//! queries a synchronous session in a project that already serves routes through
//! `AsyncSession` (the async path exists; this route was left behind).

use super::blocking_call_in_async::{classify, Finding};
use crate::python::functions::{all_functions, own_calls, OwnCall};
use crate::python::index::Target;
use crate::python::session::{object_kind, parameter_kind, Bindings, Bound, SessionKind};
use crate::python::summary::Def;
use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use crate::source::Span;
use ruff_python_ast::{Expr, StmtFunctionDef};
use std::collections::HashMap;

pub const META: &str = include_str!("sync_route_handler.toml");

/// What a handler's own body does, as far as the thread it runs on matters.
#[derive(Debug, PartialEq, Eq)]
enum Work {
    /// Nothing that waits: builtins, constructors, methods on request data.
    None,
    /// Queries a synchronous SQLAlchemy session.
    SyncSession,
    /// Calls an `AsyncSession` from the `def`: its queries are coroutines a `def` cannot await.
    AsyncSession(String),
    /// A known blocking call, or a call whose cost cannot be told (a project or library
    /// function, a dependency's object): it may block, so the threadpool is a fair choice.
    MayBlock,
}

/// Modules whose functions compute and return without waiting on I/O.
const PURE_MODULES: &[&str] = &[
    "datetime",
    "uuid",
    "json",
    "math",
    "re",
    "typing",
    "enum",
    "decimal",
    "base64",
    "hashlib",
    "secrets",
    "random",
    "string",
    "collections",
    "itertools",
    "functools",
    "dataclasses",
    "operator",
    "copy",
    "pydantic",
    "fastapi",
    "starlette",
    "http",
];

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let functions: HashMap<Span, &StmtFunctionDef> = all_functions(module.ast)
        .into_iter()
        .map(|f| (span_of(&f.name), f))
        .collect();
    for handler in module.index.handlers_in(module.summary.file) {
        if handler.is_async {
            continue;
        }
        let Some(f) = functions.get(&handler.span) else {
            continue;
        };
        let route = route_label(&handler.method, handler.path.as_deref());
        let name = &handler.function;
        match work(module, f) {
            Work::None => {
                ctx.report(
                    handler.span.clone(),
                    format!("route handler `{name}`{route} is a plain `def` that does no blocking work: FastAPI still sends every call to its threadpool (40 threads shared by all sync handlers) for nothing"),
                )
                .help("declare it `async def`: nothing in it waits on I/O");
            }
            Work::AsyncSession(object) => {
                ctx.report(
                    handler.span.clone(),
                    format!("route handler `{name}`{route} is a plain `def` but uses `{object}`, an `AsyncSession`: its queries are coroutines only an `async def` can await"),
                )
                .help("declare it `async def` and `await` the session's queries");
            }
            Work::SyncSession if module.index.uses_async_sessions() => {
                ctx.report(
                    handler.span.clone(),
                    format!("route handler `{name}`{route} queries a synchronous session in a `def` while the project already serves routes through `AsyncSession`: this route holds one of the threadpool's 40 threads per request"),
                )
                .help("take the project's `AsyncSession` dependency, declare the handler `async def` and `await` its queries");
            }
            _ => {}
        }
    }
}

fn work(module: &PythonModule<'_>, f: &StmtFunctionDef) -> Work {
    let bindings = Bindings::of(f);
    let sync_param = f
        .parameters
        .iter_non_variadic_params()
        .any(|p| parameter_kind(module.index, module.summary, p) == Some(SessionKind::Sync));
    if sync_param {
        return Work::SyncSession;
    }
    let mut result = if reads_self(f) {
        Work::MayBlock
    } else {
        Work::None
    };
    for own in own_calls(f) {
        if let Some(object) = async_session_object(module, &bindings, &own) {
            return Work::AsyncSession(object);
        }
        match classify(module, &bindings, &own) {
            Some(Finding::Session) => return Work::SyncSession,
            Some(_) => result = Work::MayBlock,
            None if may_block(module, &bindings, &own) => result = Work::MayBlock,
            None => {}
        }
    }
    result
}

/// The object, as written, when the call is a method of an `AsyncSession`: a parameter or local
/// name bound to one, or a module-level one (`db = async_session_factory()`).
fn async_session_object(
    module: &PythonModule<'_>,
    bindings: &Bindings<'_>,
    own: &OwnCall<'_>,
) -> Option<String> {
    let written = dotted(&own.call.func)?;
    let (object, _method) = written.rsplit_once('.')?;
    let kind = if bindings.is_local(object.split('.').next().unwrap_or(object)) {
        bindings.session_kind(module.index, module.summary, object)
    } else {
        object_kind(module.index, &module.summary.qualify(object))
    };
    (kind == Some(SessionKind::Async)).then(|| object.to_string())
}

/// Whether a call not known to block may still wait on I/O: a function of the project or of
/// a library, or a method on an object a dependency hands in. Builtins, class constructors
/// (Pydantic models, `HTTPException`), pure standard modules and methods on request data are
/// taken as not waiting.
fn may_block(module: &PythonModule<'_>, bindings: &Bindings<'_>, own: &OwnCall<'_>) -> bool {
    let Some(written) = dotted(&own.call.func) else {
        // `x().y()`, `items[0].save()`: the inner call is judged on its own; an attribute of
        // an expression we cannot name may be anything.
        return !matches!(own.call.func.as_ref(), Expr::Attribute(a) if matches!(a.value.as_ref(), Expr::Call(_)));
    };
    let head = written.split('.').next().unwrap_or(&written);
    if let Some(bounds) = bindings.names.get(head) {
        // A method on a local value: a dependency's object may do I/O, request data does not.
        return written.contains('.') && bounds.iter().any(|b| is_dependency(b));
    }
    let qualified = module.summary.qualify(&written);
    if qualified == written && !module.summary.names.contains_key(head) {
        // Not imported nor defined here: a builtin (`len`, `dict`, `sorted`).
        return false;
    }
    let root = qualified.split('.').next().unwrap_or(&qualified);
    if PURE_MODULES.contains(&root) {
        return false;
    }
    if let Target::Name(_, _, Def::Class { bases, .. }) = module.index.resolve(&qualified) {
        // A project class: a Pydantic model or an exception is data; anything else (a
        // service, a repository, a client) may do I/O as it is built.
        return !is_data_class(module, bases);
    }
    let last = qualified.rsplit('.').next().unwrap_or(&qualified);
    !last.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Whether a project class is data: a Pydantic model or settings, or an exception.
fn is_data_class(module: &PythonModule<'_>, bases: &[String]) -> bool {
    crate::python::pydantic::kind_of_bases(module.index, bases, 0).is_some()
        || bases.iter().any(|b| {
            let b = module.index.canonical(b);
            b.ends_with("Exception") || b.ends_with("Error") || b.ends_with("Enum")
        })
}

/// Whether a method reads its own object (`self.db`, `self.user`): in a class-based view
/// those attributes are the view's dependencies and properties, which may query a database.
fn reads_self(f: &StmtFunctionDef) -> bool {
    use ruff_python_ast::visitor::{walk_expr, Visitor};
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Attribute(a) = expr {
                if matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == "self") {
                    self.0 = true;
                    return;
                }
            }
            walk_expr(self, expr);
        }
    }
    let is_method = f
        .parameters
        .iter_non_variadic_params()
        .next()
        .is_some_and(|p| p.parameter.name.as_str() == "self");
    if !is_method {
        return false;
    }
    let mut finder = Finder(false);
    for stmt in &f.body {
        ruff_python_ast::visitor::walk_stmt(&mut finder, stmt);
    }
    finder.0
}

/// A parameter whose value FastAPI gets from a dependency (`Depends(...)`, `Security(...)`,
/// or `Annotated[…, Depends(...)]`).
fn is_dependency(bound: &Bound<'_>) -> bool {
    let Bound::Param(p) = bound else {
        return false;
    };
    let calls_depends = |e: &Expr| {
        let mut found = false;
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Call(c) => {
                    let name = dotted(&c.func).unwrap_or_default();
                    let last = name.rsplit('.').next().unwrap_or(&name);
                    found |= matches!(last, "Depends" | "Security");
                }
                Expr::Subscript(s) => stack.push(&s.slice),
                Expr::Tuple(t) => stack.extend(t.elts.iter()),
                _ => {}
            }
        }
        found
    };
    p.default.as_deref().is_some_and(calls_depends)
        || p.parameter.annotation.as_deref().is_some_and(calls_depends)
}

/// ` (GET /users)`, or empty when neither is known.
pub fn route_label(method: &str, path: Option<&str>) -> String {
    let method = match method {
        "api_route" => String::new(),
        m => format!("{} ", m.to_ascii_uppercase()),
    };
    match path {
        Some(p) => format!(" ({method}{p})"),
        None if !method.is_empty() => format!(" ({})", method.trim_end()),
        None => String::new(),
    }
}
