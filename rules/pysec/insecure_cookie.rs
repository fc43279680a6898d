//! SEC006: `response.set_cookie(...)` without `secure=True` and `httponly=True`, or with
//! `samesite="none"` and no `secure`.

use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{Expr, ExprCall};

pub const META: &str = include_str!("insecure_cookie.toml");

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    struct Calls<'c, 'x>(&'c mut Ctx<'x>);
    impl<'a> Visitor<'a> for Calls<'_, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                set_cookie(call, self.0);
            }
            walk_expr(self, expr);
        }
    }
    let mut calls = Calls(ctx);
    for stmt in &module.ast.body {
        calls.visit_stmt(stmt);
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

fn set_cookie(call: &ExprCall, ctx: &mut Ctx<'_>) {
    let Expr::Attribute(attr) = call.func.as_ref() else {
        return;
    };
    if attr.attr.as_str() != "set_cookie" {
        return;
    }
    let args = &call.arguments;
    // Client-side cookie jars (`session.cookies.set_cookie(cookie)`, `CookieJar.set_cookie`)
    // store cookies received; they set no response header.
    let receiver = dotted(&attr.value).unwrap_or_default().to_ascii_lowercase();
    if receiver.ends_with("cookies")
        || receiver.ends_with("jar")
        || (args.args.len() == 1 && args.keywords.is_empty())
        || args.keywords.iter().any(|k| k.arg.is_none())
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
