//! DB004: a session or connection query inside a loop body or comprehension (N+1).

use crate::python::sqlalchemy::{is_alembic, QUERY_RUNNER_CLASSES};
use crate::python::summary::annotation_names;
use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Comprehension, Expr, ExprCall, Stmt, StmtFunctionDef};
use std::collections::HashSet;

pub const META: &str = include_str!("query_in_loop.toml");

/// Methods of `Session`, `AsyncSession` and `Connection` that run a statement (`exec` is
/// SQLModel's `Session.exec`).
const QUERY_METHODS: &[&str] = &["execute", "scalars", "scalar", "get", "query", "exec"];

/// Names that hold a session or connection by convention (`db: Session = Depends(get_db)`,
/// `async with engine.begin() as conn`).
const SESSION_NAMES: &[&str] = &[
    "session",
    "db",
    "db_session",
    "dbsession",
    "sess",
    "async_session",
    "conn",
    "connection",
    "db_conn",
    "db_connection",
    "sa_session",
    "orm_session",
];

/// Calls that build HTTP sessions and clients: `session.get(url)` on them is a request.
const HTTP_CLIENT_PREFIXES: &[&str] = &["aiohttp.", "requests.", "httpx.", "urllib3."];

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    if is_alembic(module.summary) {
        return;
    }
    let mut finder = Finder {
        module,
        depth: 0,
        functions: Vec::new(),
        found: Vec::new(),
    };
    for stmt in &module.ast.body {
        finder.visit_stmt(stmt);
    }
    for (span, receiver, method) in finder.found {
        ctx.report(
            span,
            format!(
                "`{receiver}.{method}(...)` inside a loop runs one query per iteration (N+1)"
            ),
        )
        .help("load what the loop needs in one query before it: `WHERE id IN (...)` / `.in_(ids)`, a join, or `selectinload(...)`");
    }
}

struct Function<'a> {
    def: &'a StmtFunctionDef,
    /// Parameters annotated as a session or connection.
    sessions: HashSet<String>,
    /// Names bound to an HTTP session or client in the function.
    http: HashSet<String>,
}

struct Finder<'m, 'a> {
    module: &'m PythonModule<'a>,
    /// How many loop bodies or comprehension elements enclose the current node within the
    /// current function.
    depth: usize,
    functions: Vec<Function<'a>>,
    found: Vec<(crate::source::Span, String, String)>,
}

impl<'a> Finder<'_, 'a> {
    fn in_loop(&mut self, f: impl FnOnce(&mut Self)) {
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn function(&self, def: &'a StmtFunctionDef) -> Function<'a> {
        let summary = self.module.summary;
        let index = self.module.index;
        let sessions = def
            .parameters
            .iter()
            .filter(|p| {
                p.annotation().is_some_and(|ann| {
                    annotation_names(summary, ann)
                        .iter()
                        .any(|n| QUERY_RUNNER_CLASSES.contains(&index.canonical(n).as_str()))
                })
            })
            .map(|p| p.name().to_string())
            .collect();
        let mut http = HttpBindings {
            module: self.module,
            names: HashSet::new(),
        };
        for s in &def.body {
            http.visit_stmt(s);
        }
        Function {
            def,
            sessions,
            http: http.names,
        }
    }

    fn query_call(&self, call: &ExprCall) -> Option<(String, String)> {
        let Expr::Attribute(attr) = call.func.as_ref() else {
            return None;
        };
        let method = attr.attr.id.as_str();
        if !QUERY_METHODS.contains(&method) {
            return None;
        }
        let receiver = dotted(&attr.value)?;
        let last = receiver.rsplit('.').next().unwrap_or(&receiver);
        let current = self.functions.last();
        if current.is_some_and(|f| f.http.contains(&receiver)) {
            return None;
        }
        let annotated = current.is_some_and(|f| f.sessions.contains(&receiver));
        if !annotated && !SESSION_NAMES.contains(&last.to_ascii_lowercase().as_str()) {
            return None;
        }
        // `Session.get(Model, id)` takes an entity and a key; `session.get(url)` of an HTTP
        // client takes a URL.
        if method == "get" {
            let args = &call.arguments.args;
            let entity = args.first().and_then(dotted).is_some_and(|d| {
                d.rsplit('.')
                    .next()
                    .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
            });
            if args.len() < 2 || !entity {
                return None;
            }
        }
        Some((receiver, method.to_string()))
    }

    fn source(&self, node: &impl ruff_text_size::Ranged) -> String {
        self.module
            .text
            .get(span_of(node))
            .unwrap_or("")
            .to_ascii_lowercase()
    }

    /// The function around the current node pages or batches through a table: a `while` loop
    /// there fetches the next page (`.limit(batch_size)`, keyset `id > last_id`) per iteration,
    /// not one row per item.
    fn pages(&self) -> bool {
        let text = match self.functions.last() {
            Some(f) => self.source(f.def),
            None => return false,
        };
        text.contains(".limit(") || text.contains(".offset(") || text.contains("batch")
    }

    /// A statement over a set of rows: `.in_(ids)` or `execute(stmt, rows)` (executemany).
    fn set_based(&self, call: &ExprCall) -> bool {
        let executemany = matches!(call.func.as_ref(), Expr::Attribute(a) if a.attr.id.as_str() == "execute")
            && call.arguments.args.len() >= 2;
        executemany || self.source(&call.arguments).contains(".in_(")
    }

    fn comprehension(&mut self, elements: &[&'a Expr], generators: &'a [Comprehension]) {
        // The first iterable is evaluated once, before the loop.
        if let Some(first) = generators.first() {
            self.visit_expr(&first.iter);
        }
        self.in_loop(|s| {
            for (i, g) in generators.iter().enumerate() {
                if i > 0 {
                    s.visit_expr(&g.iter);
                }
                for cond in &g.ifs {
                    s.visit_expr(cond);
                }
            }
            for e in elements {
                s.visit_expr(e);
            }
        });
    }
}

/// A loop over batches of items (`for batch in chunked(ids, 500)`, `for segment in segments`)
/// runs one statement per batch: the fix for N+1, not an instance of it.
fn names_batches(source: &str) -> bool {
    ["batch", "chunk", "segment", "page"]
        .iter()
        .any(|w| source.contains(w))
}

/// A loop body that sleeps is a polling or retry loop (wait for the database, poll a job
/// table), not one query per item.
fn sleeps(body: &[Stmt]) -> bool {
    struct Sleep(bool);
    impl<'a> Visitor<'a> for Sleep {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr {
                if dotted(&c.func).is_some_and(|d| d == "sleep" || d.ends_with(".sleep")) {
                    self.0 = true;
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut v = Sleep(false);
    for s in body {
        v.visit_stmt(s);
    }
    v.0
}

impl<'a> Visitor<'a> for Finder<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                // A function defined in a loop runs when it is called, not per iteration.
                let depth = std::mem::replace(&mut self.depth, 0);
                let function = self.function(f);
                self.functions.push(function);
                walk_stmt(self, stmt);
                self.functions.pop();
                self.depth = depth;
            }
            Stmt::ClassDef(_) => {
                let depth = std::mem::replace(&mut self.depth, 0);
                walk_stmt(self, stmt);
                self.depth = depth;
            }
            Stmt::For(f) => {
                self.visit_expr(&f.target);
                self.visit_expr(&f.iter);
                let batches = [f.target.as_ref(), f.iter.as_ref()]
                    .iter()
                    .any(|e| names_batches(&self.source(e)));
                if batches || sleeps(&f.body) {
                    self.visit_body(&f.body);
                } else {
                    self.in_loop(|s| s.visit_body(&f.body));
                }
                self.visit_body(&f.orelse);
            }
            Stmt::While(w) => {
                // The condition fetching the next batch (`while rows := session.scalars(...)`)
                // is a batching loop, not N+1; the body is.
                self.visit_expr(&w.test);
                if self.pages() || sleeps(&w.body) {
                    self.visit_body(&w.body);
                } else {
                    self.in_loop(|s| s.visit_body(&w.body));
                }
                self.visit_body(&w.orelse);
            }
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {
                let depth = std::mem::replace(&mut self.depth, 0);
                walk_expr(self, expr);
                self.depth = depth;
            }
            Expr::ListComp(c) => self.comprehension(&[&c.elt], &c.generators),
            Expr::SetComp(c) => self.comprehension(&[&c.elt], &c.generators),
            Expr::Generator(c) => self.comprehension(&[&c.elt], &c.generators),
            Expr::DictComp(c) => {
                let mut elements: Vec<&'a Expr> = vec![&c.value];
                if let Some(k) = c.key.as_deref() {
                    elements.push(k);
                }
                self.comprehension(&elements, &c.generators)
            }
            Expr::Call(call) => {
                if self.depth > 0 && !self.set_based(call) {
                    if let Some((receiver, method)) = self.query_call(call) {
                        self.found.push((span_of(call), receiver, method));
                    }
                }
                walk_expr(self, expr);
            }
            _ => walk_expr(self, expr),
        }
    }
}

/// Names a function binds to an HTTP session or client (`async with aiohttp.ClientSession() as
/// session`, `session = requests.Session()`).
struct HttpBindings<'m, 'a> {
    module: &'m PythonModule<'a>,
    names: HashSet<String>,
}

impl HttpBindings<'_, '_> {
    fn is_http(&self, value: &Expr) -> bool {
        let Expr::Call(call) = value else {
            return false;
        };
        let Some(callee) = dotted(&call.func) else {
            return false;
        };
        let canonical = self
            .module
            .index
            .canonical(&self.module.summary.qualify(&callee));
        HTTP_CLIENT_PREFIXES
            .iter()
            .any(|p| canonical.starts_with(p))
    }
}

impl<'a> Visitor<'a> for HttpBindings<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(name) = item.optional_vars.as_deref().and_then(dotted) {
                        if self.is_http(&item.context_expr) {
                            self.names.insert(name);
                        }
                    }
                }
            }
            Stmt::Assign(a) if self.is_http(&a.value) => {
                self.names.extend(a.targets.iter().filter_map(dotted));
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }
}
