//! SEC006: `response.set_cookie(...)` on a web framework's response without `secure=True` and
//! `httponly=True`, or with `samesite="none"` and no `secure`.
//!
//! Only a receiver known to be a response is judged: a parameter annotated with a response
//! class (or a `TypeVar` bound to one), a name assigned a response built in the function or
//! returned by a project function annotated to return one, or a response built inline. A
//! project's own `service.set_cookie(request, response, …)` wrapper is left alone: its body
//! calls the framework's `set_cookie`, which is judged there.

use super::flow::{for_each_call, Scope};
use crate::python::index::Target;
use crate::python::summary::Def;
use crate::python::{span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::{Expr, ExprCall};

pub const META: &str = include_str!("insecure_cookie.toml");

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    for_each_call(module.ast, |call, scope| {
        let Expr::Attribute(attr) = call.func.as_ref() else {
            return;
        };
        if attr.attr.as_str() == "set_cookie" && is_response(module, &attr.value, scope, 0) {
            set_cookie(module, call, scope, ctx);
        }
    });
}

/// Response classes and factories of Starlette/FastAPI, Flask/Werkzeug and Django, by
/// qualified-name prefix.
const RESPONSE_PREFIXES: &[&str] = &[
    "starlette.responses.",
    "fastapi.responses.",
    "fastapi.Response",
    "fastapi.JSONResponse",
    "flask.Response",
    "flask.make_response",
    "flask.wrappers.Response",
    "werkzeug.Response",
    "werkzeug.wrappers.",
    "django.http.",
];

/// Whether a qualified name is a response class or factory, directly or as a project
/// subclass, or a `TypeVar` bound to one.
fn response_type(module: &PythonModule<'_>, qualname: &str, depth: u8) -> bool {
    if depth > 8 {
        return false;
    }
    let index = module.index;
    let canonical = index.canonical(qualname);
    if RESPONSE_PREFIXES.iter().any(|p| canonical.starts_with(p)) {
        return true;
    }
    match index.resolve(qualname) {
        Target::Name(_, _, Def::Class { bases, .. }) => {
            bases.iter().any(|b| response_type(module, b, depth + 1))
        }
        // `R = TypeVar("R", bound=Response)`
        Target::Name(m, name, Def::Call { callee, .. }) if callee.ends_with("TypeVar") => m
            .call_name_args
            .get(name)
            .into_iter()
            .flatten()
            .any(|(k, v)| k == "bound" && response_type(module, v, depth + 1)),
        // A project function annotated to return a response.
        Target::Name(_, _, Def::Function(f)) => f
            .returns
            .iter()
            .any(|r| response_type(module, r, depth + 1)),
        _ => false,
    }
}

fn annotation_is_response(module: &PythonModule<'_>, ann: &Expr, depth: u8) -> bool {
    // The depth only bounds the name resolution below (`response_type`); a union nests one
    // `BinOp` per member, so hundreds of members must not overflow it.
    match ann {
        Expr::Name(_) | Expr::Attribute(_) => module
            .summary
            .qualify_expr(ann)
            .is_some_and(|q| response_type(module, &q, depth.saturating_add(1))),
        Expr::BinOp(b) => {
            annotation_is_response(module, &b.left, depth.saturating_add(1))
                || annotation_is_response(module, &b.right, depth.saturating_add(1))
        }
        Expr::Subscript(s) => match s.slice.as_ref() {
            Expr::Tuple(t) => t
                .elts
                .iter()
                .any(|e| annotation_is_response(module, e, depth.saturating_add(1))),
            other => annotation_is_response(module, other, depth.saturating_add(1)),
        },
        Expr::StringLiteral(s) => {
            let text = s.value.to_str();
            let q = module.summary.qualify(text);
            response_type(module, &q, depth.saturating_add(1))
        }
        _ => false,
    }
}

/// Whether the receiver of `set_cookie` is a response (see the module doc).
fn is_response(module: &PythonModule<'_>, receiver: &Expr, scope: Scope<'_>, depth: u8) -> bool {
    if depth > 4 {
        return false;
    }
    match receiver {
        Expr::Call(c) => module
            .summary
            .qualify_expr(&c.func)
            .is_some_and(|q| response_type(module, &q, 0)),
        Expr::Name(n) => {
            let name = n.id.as_str();
            if let Some(ann) = scope.annotation(name) {
                return annotation_is_response(module, ann, 0);
            }
            let assigned = scope.assignments_before(name, span_of(receiver).start);
            assigned
                .iter()
                .any(|a| is_response(module, a.value, scope, depth + 1))
        }
        Expr::Await(a) => is_response(module, &a.value, scope, depth + 1),
        _ => false,
    }
}

#[derive(PartialEq)]
enum Flag {
    Missing,
    False,
    /// `True`, or a value decided at run time (`secure=settings.COOKIE_SECURE`).
    Set,
}

fn flag(call: &ExprCall, name: &str, pos: usize) -> Flag {
    match call.arguments.find_argument_value(name, pos) {
        None => Flag::Missing,
        Some(Expr::BooleanLiteral(b)) if !b.value => Flag::False,
        Some(Expr::NoneLiteral(_)) => Flag::False,
        Some(_) => Flag::Set,
    }
}

fn set_cookie(module: &PythonModule<'_>, call: &ExprCall, scope: Scope<'_>, ctx: &mut Ctx<'_>) {
    let args = &call.arguments;
    if (args.args.len() == 1 && args.keywords.is_empty())
        || args.keywords.iter().any(|k| k.arg.is_none())
    {
        return;
    }
    // A flag or a UI hint (`"true"`, an enum member) carries nothing to steal; such cookies are
    // often meant to be read by the page's JavaScript.
    let key_name = args
        .find_argument_value("key", 0)
        .and_then(crate::python::string_value)
        .unwrap_or_default()
        .to_ascii_lowercase();
    // A cookie named for a credential is judged whatever its value.
    let credential_name = ["session", "token", "sid", "jwt", "auth"]
        .iter()
        .any(|w| key_name.contains(w))
        && !key_name.starts_with("is_");
    if !credential_name
        && args
            .find_argument_value("value", 1)
            .is_some_and(|v| non_secret_value(module, v, scope))
    {
        return;
    }
    // Starlette and Werkzeug share the order: key, value, max_age, expires, path, domain,
    // secure, httponly, samesite.
    let key = args
        .find_argument_value("key", 0)
        .and_then(crate::python::string_value)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let secure = flag(call, "secure", 6);
    let httponly = flag(call, "httponly", 7);
    let samesite_none = args.find_argument_value("samesite", 8).is_some_and(|v| {
        crate::python::string_value(v).is_some_and(|s| s.eq_ignore_ascii_case("none"))
    });
    // A CSRF double-submit cookie must be readable by the page's JavaScript.
    let js_readable = key.contains("csrf") || key.contains("xsrf");
    let mut missing = Vec::new();
    if secure != Flag::Set {
        missing.push("`secure=True`");
    }
    if httponly != Flag::Set && !js_readable {
        missing.push("`httponly=True`");
    }
    if missing.is_empty() {
        return;
    }
    let what = if key.is_empty() {
        "cookie".to_string()
    } else {
        format!("cookie `{key}`")
    };
    let message = if samesite_none && secure != Flag::Set {
        format!("{what} is set with `samesite=\"none\"` but without `secure=True`: browsers reject it, and it would travel over plain HTTP")
    } else {
        format!("{what} is set without {}", missing.join(" and "))
    };
    ctx.report(span_of(call), message)
        .help("pass `secure=True, httponly=True, samesite=\"lax\"` (or a setting that is true in production)");
}

/// A cookie value that is not a credential: a short literal word or number, a boolean, or a
/// value of a closed type (an enum member, a number).
fn non_secret_value(module: &PythonModule<'_>, value: &Expr, scope: Scope<'_>) -> bool {
    match value {
        Expr::StringLiteral(s) => {
            let text = s.value.to_str();
            text.len() <= 16
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_ .".contains(c))
        }
        Expr::BooleanLiteral(_) | Expr::NumberLiteral(_) | Expr::NoneLiteral(_) => true,
        other => super::origin::closed_value(module, other, scope),
    }
}
