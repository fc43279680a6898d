//! Walks over a module's functions shared by the Python rules: every function (methods and
//! nested ones included), a function by its name's span (how route handlers are found), and
//! the calls a function makes in its own body.

use crate::python::span_of;
use crate::source::Span;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, ModModule, Stmt, StmtFunctionDef};
use std::collections::HashMap;

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
