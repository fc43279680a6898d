//! FastAPI and Pydantic rules (API): route handlers that block, sessions, request bodies,
//! exception handlers, validators, password and email fields, CORS and rate limiting. Rules of this family and their registration
//! list (see rules/mod.rs), and the walks over function bodies they share.

pub mod blocking_call_in_async;
pub mod blocking_work_in_request;
pub mod cors_wildcard_with_credentials;
pub mod email_field_not_validated;
pub mod missing_exception_handlers;
pub mod missing_rate_limiting;
pub mod pydantic_v1_validator;
pub mod pydantic_v1_validator_fix;
pub mod session_without_dependency;
pub mod sync_route_handler;
pub mod untyped_request_body;
pub mod weak_password_field;

use crate::python::span_of;
use crate::registry::Check;
use crate::source::Span;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, ModModule, Stmt, StmtFunctionDef};
use std::collections::HashMap;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        sync_route_handler::META,
        Check::Python(sync_route_handler::check),
    ),
    (
        blocking_call_in_async::META,
        Check::Python(blocking_call_in_async::check),
    ),
    (
        session_without_dependency::META,
        Check::Python(session_without_dependency::check),
    ),
    (
        untyped_request_body::META,
        Check::Python(untyped_request_body::check),
    ),
    (
        missing_exception_handlers::META,
        Check::Project(missing_exception_handlers::check),
    ),
    (
        pydantic_v1_validator::META,
        Check::Python(pydantic_v1_validator::check),
    ),
    (
        weak_password_field::META,
        Check::Python(weak_password_field::check),
    ),
    (
        email_field_not_validated::META,
        Check::Python(email_field_not_validated::check),
    ),
    (
        cors_wildcard_with_credentials::META,
        Check::Python(cors_wildcard_with_credentials::check),
    ),
    (
        missing_rate_limiting::META,
        Check::Project(missing_rate_limiting::check),
    ),
    (
        blocking_work_in_request::META,
        Check::Python(blocking_work_in_request::check),
    ),
];

/// Every function definition of a module: top-level, nested, methods.
pub fn all_functions(ast: &ModModule) -> Vec<&StmtFunctionDef> {
    struct Collect<'a>(Vec<&'a StmtFunctionDef>);
    impl<'a> Visitor<'a> for Collect<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::FunctionDef(f) = stmt {
                self.0.push(f);
            }
            walk_stmt(self, stmt);
        }
    }
    let mut c = Collect(Vec::new());
    for s in &ast.body {
        c.visit_stmt(s);
    }
    c.0
}

/// Every function definition of a module by the span of its name, the key route handlers
/// carry: a lookup per handler, not a scan (50k routes in one file took seconds).
pub fn functions_by_name(ast: &ModModule) -> HashMap<Span, &StmtFunctionDef> {
    let mut map = HashMap::new();
    for f in all_functions(ast) {
        map.entry(span_of(&f.name)).or_insert(f);
    }
    map
}

/// The function definition whose name has this span (a route handler's span).
pub fn function_at<'a>(
    functions: &HashMap<Span, &'a StmtFunctionDef>,
    span: &Span,
) -> Option<&'a StmtFunctionDef> {
    functions.get(span).copied()
}

/// A call a function makes when it runs, and whether it is awaited right away.
pub struct OwnCall<'a> {
    pub call: &'a ExprCall,
    pub awaited: bool,
    /// The call (or its `await`) is a statement of its own: its result is thrown away.
    pub discarded: bool,
}

/// The calls that run when the function body runs: not those inside a nested `def` or
/// `lambda`, which run only when (and where) that function is called — handed to
/// `asyncio.to_thread`, `run_in_executor` or `BackgroundTasks` they run off the event loop.
/// A nested function's decorators and default values do run in the enclosing body.
pub fn own_calls(f: &StmtFunctionDef) -> Vec<OwnCall<'_>> {
    let mut c = CallCollector {
        out: Vec::new(),
        awaited: None,
        discarded: None,
    };
    for s in &f.body {
        c.visit_stmt(s);
    }
    c.out
}

struct CallCollector<'a> {
    out: Vec<OwnCall<'a>>,
    /// The call directly under the `await` being visited.
    awaited: Option<ruff_text_size::TextRange>,
    /// The call that is an expression statement of its own.
    discarded: Option<ruff_text_size::TextRange>,
}

impl<'a> Visitor<'a> for CallCollector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(nested) = stmt {
            for d in &nested.decorator_list {
                self.visit_expr(&d.expression);
            }
            for p in nested.parameters.iter_non_variadic_params() {
                if let Some(default) = &p.default {
                    self.visit_expr(default);
                }
            }
            return;
        }
        if let Stmt::Expr(e) = stmt {
            let value = match e.value.as_ref() {
                Expr::Await(a) => a.value.as_ref(),
                other => other,
            };
            if let Expr::Call(call) = value {
                self.discarded = Some(ruff_text_size::Ranged::range(call));
            }
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Await(a) => {
                if let Expr::Call(call) = a.value.as_ref() {
                    self.awaited = Some(ruff_text_size::Ranged::range(call));
                }
            }
            Expr::Call(call) => {
                let range = Some(ruff_text_size::Ranged::range(call));
                self.out.push(OwnCall {
                    call,
                    awaited: self.awaited == range,
                    discarded: self.discarded == range,
                });
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}
