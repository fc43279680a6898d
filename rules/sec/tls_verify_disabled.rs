//! SEC008: `verify=False` given to requests or httpx (functions, clients, transports, and HTTP
//! methods called on session/client objects), and `session.verify = False`.

use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt};

pub const META: &str = include_str!("tls_verify_disabled.toml");

/// Libraries whose `verify=` is certificate verification.
const LIBRARIES: &[&str] = &["requests.", "httpx.", "boto3.client", "boto3.resource"];
/// HTTP methods of requests `Session` and httpx `Client`/`AsyncClient` objects, whose type is
/// not known where they are called.
const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream",
];

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let mut v = V { module, ctx };
    for stmt in &module.ast.body {
        v.visit_stmt(stmt);
    }
}

struct V<'m, 'c, 'x> {
    module: &'m PythonModule<'m>,
    ctx: &'c mut Ctx<'x>,
}

fn is_false(e: &Expr) -> bool {
    matches!(e, Expr::BooleanLiteral(b) if !b.value)
}

impl V<'_, '_, '_> {
    fn call(&mut self, call: &ExprCall) {
        let Some(k) = call.arguments.find_keyword("verify") else {
            return;
        };
        if !is_false(&k.value) {
            return;
        }
        let qualified = self.module.summary.qualify_expr(&call.func);
        let library = qualified
            .as_deref()
            .is_some_and(|q| LIBRARIES.iter().any(|l| q.starts_with(l)));
        let method =
            matches!(call.func.as_ref(), Expr::Attribute(a) if METHODS.contains(&a.attr.as_str()));
        if !(library || method) {
            return;
        }
        let what = qualified
            .or_else(|| dotted(&call.func))
            .unwrap_or_else(|| "this call".into());
        self.ctx
            .report(
                span_of(k),
                format!("`{what}(verify=False)` turns off TLS certificate verification"),
            )
            .help("keep verification on; for a private CA pass its bundle: `verify=\"/path/to/ca.pem\"` (or an `ssl.SSLContext`)");
    }
}

impl<'a> Visitor<'a> for V<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::Assign(a) = stmt {
            for t in &a.targets {
                let Expr::Attribute(attr) = t else { continue };
                let receiver = dotted(&attr.value).unwrap_or_default().to_ascii_lowercase();
                let http_object = ["session", "client", "http"]
                    .iter()
                    .any(|w| receiver.contains(w));
                if attr.attr.as_str() == "verify" && http_object && is_false(&a.value) {
                    self.ctx
                        .report(
                            span_of(stmt),
                            format!("`{receiver}.verify = False` turns off TLS certificate verification for every request of the session"),
                        )
                        .help("keep verification on; for a private CA set `verify` to its bundle path");
                }
            }
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.call(call);
        }
        walk_expr(self, expr);
    }
}
