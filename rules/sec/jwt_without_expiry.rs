//! SEC003: JWTs minted without an expiry (W), and tokens decoded without checking signature,
//! expiry or algorithm (E). PyJWT (`jwt`), python-jose (`jose.jwt`) and authlib
//! (`authlib.jose.jwt`, encode only) are recognised through the module's imports.

use super::flow::{for_each_call, Scope};
use crate::diagnostic::Severity;
use crate::python::{span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt};
use std::collections::HashSet;

pub const META: &str = include_str!("jwt_without_expiry.toml");

/// Qualified encode functions and the position of the payload argument.
const ENCODE: &[(&str, &str, usize)] = &[
    ("jwt.encode", "payload", 0),
    ("jwt.api_jwt.encode", "payload", 0),
    ("jose.jwt.encode", "claims", 0),
    ("authlib.jose.jwt.encode", "payload", 1),
];
const DECODE: &[&str] = &["jwt.decode", "jwt.api_jwt.decode", "jose.jwt.decode"];

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let is_decode = |call: &ExprCall| {
        module
            .summary
            .qualify_expr(&call.func)
            .is_some_and(|q| DECODE.contains(&q.as_str()))
    };
    // Unverified decodes read for one routing claim only: `jwt.decode(t, options=…).get("iss")`.
    let mut peeks = HashSet::new();
    for_each_call(module.ast, |call, _| {
        let Expr::Attribute(attr) = call.func.as_ref() else {
            return;
        };
        let claim = call
            .arguments
            .find_positional(0)
            .and_then(crate::python::string_value);
        if attr.attr.as_str() == "get"
            && claim.is_some_and(|c| ROUTING_CLAIMS.contains(&c.as_str()))
        {
            if let Expr::Call(inner) = attr.value.as_ref() {
                peeks.insert(span_of(inner).start);
            }
        }
    });
    let reads_exp = &std::cell::LazyCell::new(|| reads_exp_claim(module.ast));
    for_each_call(module.ast, |call, scope| {
        let Some(callee) = module.summary.qualify_expr(&call.func) else {
            return;
        };
        if let Some((_, name, pos)) = ENCODE.iter().find(|(q, _, _)| *q == callee) {
            encode(call, scope, name, *pos, ctx);
        } else if DECODE.contains(&callee.as_str()) {
            // An unverified decode followed, in the same function, by a verifying one is a peek
            // at the header or issuer to choose the key (OIDC back-channel logout, JWKS).
            let verified_later = || {
                let mut later = false;
                for_each_call_in(scope.body, &mut |other: &ExprCall| {
                    later |= span_of(other).start > span_of(call).start
                        && is_decode(other)
                        && !unverified(other);
                });
                later
            };
            let peek = peeks.contains(&span_of(call).start) || verified_later();
            if unverified(call) && peek {
                return;
            }
            // The expiry check turned off to be done by hand: the module reads the `exp`
            // claim (`payload.exp < time.time()`, `claims["exp"]`, `.get("exp")`), to refuse
            // an expired token with its own message, or to report when one expires.
            if !unverified(call) && option_off(call, "verify_exp") && **reads_exp {
                return;
            }
            decode(call, ctx);
        }
    });
}

/// Claims read to route a token (to pick a provider or a key), or to know when it expires.
const ROUTING_CLAIMS: &[&str] = &["iss", "kid", "aud", "exp", "iat", "nbf", "alg"];

fn for_each_call_in<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a ExprCall)) {
    struct Calls<'f, 'a>(&'f mut dyn FnMut(&'a ExprCall));
    impl<'a> Visitor<'a> for Calls<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr {
                (self.0)(c);
            }
            walk_expr(self, expr);
        }
    }
    let mut calls = Calls(f);
    for stmt in body {
        calls.visit_stmt(stmt);
    }
}

/// Whether a module reads the `exp` claim of a token: an `.exp` attribute, an `["exp"]`
/// subscript, or `.get("exp")`.
fn reads_exp_claim(ast: &ruff_python_ast::ModModule) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            let is_exp =
                |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "exp");
            match expr {
                Expr::Attribute(a) if a.attr.as_str() == "exp" => self.0 = true,
                Expr::Subscript(s) if is_exp(&s.slice) => self.0 = true,
                Expr::Call(c)
                    if matches!(c.func.as_ref(), Expr::Attribute(a) if a.attr.as_str() == "get")
                        && c.arguments.find_positional(0).is_some_and(is_exp) =>
                {
                    self.0 = true
                }
                _ => {}
            }
            if !self.0 {
                walk_expr(self, expr);
            }
        }
    }
    let mut finder = Finder(false);
    for stmt in &ast.body {
        finder.visit_stmt(stmt);
    }
    finder.0
}

/// `options={"verify_signature": False}` or PyJWT 1's `verify=False`.
fn unverified(call: &ExprCall) -> bool {
    option_off(call, "verify_signature")
        || call
            .arguments
            .find_keyword("verify")
            .is_some_and(|k| matches!(&k.value, Expr::BooleanLiteral(b) if !b.value))
}

fn option_off(call: &ExprCall, key: &str) -> bool {
    call.arguments
        .find_keyword("options")
        .is_some_and(|k| match &k.value {
            Expr::Dict(d) => d.items.iter().any(|item| {
                matches!(&item.key, Some(Expr::StringLiteral(s)) if s.value.to_str() == key)
                    && matches!(&item.value, Expr::BooleanLiteral(b) if !b.value)
            }),
            _ => false,
        })
}

fn encode(call: &ExprCall, scope: Scope<'_>, name: &str, pos: usize, ctx: &mut Ctx<'_>) {
    let Some(payload) = call.arguments.find_argument_value(name, pos) else {
        return;
    };
    let missing = match payload {
        Expr::Dict(_) => built_without_exp(payload) && !mentions_exp(scope.body),
        Expr::Name(n) => {
            let assigned = scope.assignments(n.id.as_str());
            !assigned.is_empty()
                && assigned
                    .iter()
                    .all(|a| !a.augmented && built_without_exp(a.value))
                && !mentions_exp(scope.body)
        }
        // Built elsewhere (a parameter passed through, a helper's result): not judged here.
        _ => false,
    };
    if missing {
        ctx.report(
            span_of(call),
            "JWT payload built here has no `exp` claim: the token is valid forever",
        )
        .help("add `\"exp\": datetime.now(timezone.utc) + timedelta(minutes=…)` to the payload");
    }
}

/// A payload whose contents are visible and carry no `exp`: a dict literal without `**`
/// spreads, `dict(k=…)`, or a copy of another mapping (`data.copy()`, `dict(data)`) that the
/// function then encodes as is.
fn built_without_exp(value: &Expr) -> bool {
    match value {
        Expr::Dict(d) => d.items.iter().all(|item| match &item.key {
            None => false,
            Some(Expr::StringLiteral(k)) => k.value.to_str() != "exp",
            Some(_) => true,
        }),
        Expr::Call(c) => {
            let args = &c.arguments;
            match c.func.as_ref() {
                Expr::Name(n) if n.id.as_str() == "dict" => {
                    args.keywords
                        .iter()
                        .all(|k| k.arg.as_ref().is_some_and(|a| a.as_str() != "exp"))
                        && args.args.len() <= 1
                }
                Expr::Attribute(a) if a.attr.as_str() == "copy" => {
                    args.args.is_empty() && args.keywords.is_empty()
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether the function sets `exp` anywhere: a `"exp"` key or subscript, an `exp=` keyword
/// (`payload.update(exp=…)`), `setdefault("exp", …)`.
fn mentions_exp(body: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !self.0 {
                walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::StringLiteral(s) if s.value.to_str() == "exp" => self.0 = true,
                Expr::Call(c)
                    if c.arguments
                        .keywords
                        .iter()
                        .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "exp")) =>
                {
                    self.0 = true
                }
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder(false);
    for stmt in body {
        finder.visit_stmt(stmt);
    }
    finder.0
}

fn decode(call: &ExprCall, ctx: &mut Ctx<'_>) {
    let args = &call.arguments;
    let spread = args.keywords.iter().any(|k| k.arg.is_none());
    let problem = if unverified(call) {
        Some((
            "JWT decoded with signature verification off: anyone can forge its claims",
            "verify the signature with the issuer's key; to read a header before choosing the key, use `jwt.get_unverified_header()`",
        ))
    } else if option_off(call, "verify_exp") {
        Some((
            "JWT decoded with the expiry check off: expired tokens are accepted",
            "remove `verify_exp: False` from `options`",
        ))
    } else if !spread && args.find_argument("algorithms", 2).is_none() {
        Some((
            "JWT decoded without `algorithms=`: python-jose and PyJWT 1 accept whatever algorithm the token's header names (PyJWT 2 raises)",
            "pass the algorithms you issue, e.g. `algorithms=[\"HS256\"]`",
        ))
    } else {
        None
    };
    if let Some((message, help)) = problem {
        ctx.report(span_of(call), message)
            .help(help)
            .severity(Severity::Error);
    }
}
