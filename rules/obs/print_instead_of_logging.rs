//! OBS002: `print()` in application code. Tests, scripts, entry-point modules and
//! `if __name__ == "__main__":` blocks are where printing is the point, and are skipped.

use crate::python::summary::is_main_guard;
use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, Stmt};

pub const META: &str = include_str!("print_instead_of_logging.toml");

/// Command-line programs print their output on purpose: modules in a `cli/` package, named
/// `cli.py` / `*_cli.py`, or built on a CLI framework. Alembic migrations report progress to
/// the terminal that runs `alembic upgrade`.
fn is_program(module: &PythonModule<'_>) -> bool {
    let path = module.path;
    let in_cli_dir = path
        .parent()
        .is_some_and(|p| p.components().any(|c| c.as_os_str() == "cli"));
    let stem = path
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let framework = module.summary.imports.values().any(|q| {
        let root = q.split('.').next().unwrap_or(q);
        matches!(root, "click" | "typer" | "argparse" | "fire" | "cyclopts")
            || q == "alembic.op"
            || q == "alembic.context"
    });
    in_cli_dir || stem == "cli" || stem.ends_with("_cli") || framework
}

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    if is_program(module) {
        return;
    }
    // `from rich import print`, `print = logger.info`: not the builtin (`from builtins import
    // print` is).
    let rebound = match module.summary.imports.get("print") {
        Some(target) => target != "builtins.print",
        None => module.summary.names.contains_key("print"),
    };
    if rebound {
        return;
    }
    let mut v = Prints { ctx };
    for stmt in &module.ast.body {
        v.visit_stmt(stmt);
    }
}

struct Prints<'c, 'x> {
    ctx: &'c mut Ctx<'x>,
}

impl<'a> Visitor<'a> for Prints<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::If(i) = stmt {
            if is_main_guard(&i.test) {
                // Only the `else` branches are library code.
                for clause in &i.elif_else_clauses {
                    for s in &clause.body {
                        self.visit_stmt(s);
                    }
                }
                return;
            }
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "print") {
                // `print(row, file=f)` writes a file, not a log line; `print(*args, **kwargs)`
                // forwards someone else's call (a print shim), destination unknown.
                let args = &call.arguments;
                let to_file = args.find_keyword("file").is_some_and(|k| {
                    !matches!(
                        dotted(&k.value).as_deref(),
                        Some("sys.stdout" | "sys.stderr")
                    )
                });
                let forwards = args.keywords.iter().any(|k| k.arg.is_none());
                if !to_file && !forwards {
                    self.ctx
                        .report(
                            span_of(call.func.as_ref()),
                            "`print()` in application code: the output has no level, logger name or timestamp, and bypasses log handlers",
                        )
                        .help("use a module logger: `logger = logging.getLogger(__name__)` then `logger.info(...)`");
                }
            }
        }
        walk_expr(self, expr);
    }
}
