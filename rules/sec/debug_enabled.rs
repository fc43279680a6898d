//! SEC007: debug mode on in code that runs in production: `FastAPI(debug=True)`,
//! `uvicorn.run(..., reload=True)` outside `if __name__ == "__main__":`, `DEBUG = True`.

use crate::python::pydantic::{fields, kind_of_class, ModelKind};
use crate::python::{span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{CmpOp, Expr, Stmt};
use std::collections::HashSet;

pub const META: &str = include_str!("debug_enabled.toml");

const APPS: &[&str] = &[
    "fastapi.FastAPI",
    "fastapi.applications.FastAPI",
    "starlette.applications.Starlette",
];

fn is_true(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if b.value)
}

/// `if __name__ == "__main__":` (either operand order).
fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(c) = test else {
        return false;
    };
    if c.ops.as_ref() != [CmpOp::Eq] {
        return false;
    }
    let operands = [&c.left as &Expr, &c.comparators[0]];
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(operands[0]) && is_main(operands[1])) || (is_main(operands[0]) && is_name(operands[1]))
}

/// Functions called from the module's `__main__` block: their `uvicorn.run` is the script's.
fn called_from_main(body: &[Stmt]) -> HashSet<String> {
    struct Calls(HashSet<String>);
    impl<'a> Visitor<'a> for Calls {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr {
                if let Expr::Name(n) = c.func.as_ref() {
                    self.0.insert(n.id.to_string());
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut calls = Calls(HashSet::new());
    for stmt in body {
        if let Stmt::If(i) = stmt {
            if is_main_guard(&i.test) {
                for s in &i.body {
                    calls.visit_stmt(s);
                }
            }
        }
    }
    calls.0
}

struct Finder<'m, 'p, 'c, 'o> {
    module: &'m PythonModule<'p>,
    ctx: &'c mut Ctx<'o>,
    /// Inside the `__main__` block, or a function only it calls.
    script: bool,
    main_called: HashSet<String>,
    depth: usize,
}

impl Finder<'_, '_, '_, '_> {
    fn canonical(&self, expr: &Expr) -> String {
        let written = self.module.summary.qualify_expr(expr).unwrap_or_default();
        self.module.index.canonical(&written)
    }

    fn call(&mut self, call: &ruff_python_ast::ExprCall) {
        let callee = self.canonical(&call.func);
        if APPS.contains(&callee.as_str()) {
            if let Some(k) = call
                .arguments
                .find_keyword("debug")
                .filter(|k| is_true(&k.value))
            {
                self.ctx
                    .report(
                        span_of(k),
                        "`debug=True` on the app: an unhandled error returns its traceback (source lines, local paths) to the client",
                    )
                    .help("drop `debug=True`, or read it from settings that default to off");
            }
        }
        if callee == "uvicorn.run" && !self.script {
            if let Some(k) = call
                .arguments
                .find_keyword("reload")
                .filter(|k| is_true(&k.value))
            {
                self.ctx
                    .report(
                        span_of(k),
                        "`uvicorn.run(..., reload=True)` outside `if __name__ == \"__main__\":`: the production server watches files and restarts on changes, in a single process",
                    )
                    .help("run with reload only in development: move the call under `if __name__ == \"__main__\":` or pass `reload=settings.DEBUG`");
            }
        }
    }
}

impl<'a> Visitor<'a> for Finder<'_, '_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::If(i) if self.depth == 0 && is_main_guard(&i.test) => {
                let was = self.script;
                self.script = true;
                walk_stmt(self, stmt);
                self.script = was;
                return;
            }
            Stmt::FunctionDef(f) => {
                let was = self.script;
                if self.depth == 0 && self.main_called.contains(f.name.id.as_str()) {
                    self.script = true;
                }
                self.depth += 1;
                walk_stmt(self, stmt);
                self.depth -= 1;
                self.script = was;
                return;
            }
            Stmt::ClassDef(c) => {
                let kind = kind_of_class(self.module.index, self.module.summary, c);
                let dev = c.name.id.to_ascii_lowercase();
                if kind == Some(ModelKind::Settings)
                    && !(dev.contains("dev") || dev.contains("test") || dev.contains("local"))
                {
                    for field in fields(c) {
                        if field.name.eq_ignore_ascii_case("debug")
                            && field.value.is_some_and(is_true)
                        {
                            self.ctx
                                .report(
                                    field.span.clone(),
                                    format!("settings field `{}` defaults to `True`: production runs in debug mode unless every deployment sets it off", field.name),
                                )
                                .help(format!("default to off (`{}: bool = False`) and turn it on in development", field.name));
                        }
                    }
                }
                self.depth += 1;
                walk_stmt(self, stmt);
                self.depth -= 1;
                return;
            }
            _ => {}
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

/// Modules that configure development on purpose (`settings/dev.py`, `local_settings.py`).
fn is_dev_module(path: &std::path::Path) -> bool {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    stem.contains("dev") || stem.contains("local")
}

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let dev_module = is_dev_module(module.path);
    let mut finder = Finder {
        module,
        ctx,
        script: false,
        main_called: called_from_main(&module.ast.body),
        depth: 0,
    };
    for stmt in &module.ast.body {
        // Unconditional only: `if ENV == "dev": DEBUG = True` is development's switch.
        if let Stmt::Assign(a) = stmt {
            let debug = a
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "DEBUG"));
            if debug && is_true(&a.value) && !dev_module {
                finder
                    .ctx
                    .report(
                        span_of(stmt),
                        "`DEBUG = True` in application code: production runs in debug mode",
                    )
                    .help("read it from the environment with a default of off: `DEBUG = os.getenv(\"DEBUG\", \"\") == \"1\"`");
            }
        }
        finder.visit_stmt(stmt);
    }
}
