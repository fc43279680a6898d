//! DB004: a session or connection query inside a loop body or comprehension (N+1).

use crate::python::sqlalchemy::{is_alembic, QUERY_RUNNER_CLASSES};
use crate::python::summary::annotation_names;
use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Comprehension, Expr, ExprCall, Stmt, StmtFunctionDef};
use std::collections::{HashMap, HashSet};

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
        constants: literal_bindings(&module.ast.body),
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
    /// Locals bound only to constant literals (`indexes = ["id", "email"]`).
    constants: HashSet<String>,
    /// Every value assigned to each local, as lower-case source: a statement built before the
    /// call that runs it (`stmt = select(...).where(X.id.in_(ids))`).
    assigned: HashMap<String, String>,
}

struct Finder<'m, 'a> {
    module: &'m PythonModule<'a>,
    /// How many loop bodies or comprehension elements enclose the current node within the
    /// current function.
    depth: usize,
    functions: Vec<Function<'a>>,
    found: Vec<(crate::source::Span, String, String)>,
    /// Module-level names bound only to constant literals (`TABLES = ("users", "teams")`).
    constants: HashSet<String>,
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
        let mut assigned = Assignments {
            module: self.module,
            values: HashMap::new(),
        };
        for s in &def.body {
            assigned.visit_stmt(s);
        }
        Function {
            def,
            sessions,
            http: http.names,
            constants: literal_bindings(&def.body),
            assigned: assigned.values,
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
    fn pages(&self, body: &[Stmt]) -> bool {
        let text = match self.functions.last() {
            Some(f) => self.source(f.def),
            None => return false,
        };
        let body_text: String = body.iter().map(|s| self.source(s)).collect();
        text.contains(".limit(")
            || text.contains(".offset(")
            || text.contains("batch")
            // A page in SQL text: `... LIMIT {limit} OFFSET {offset}`.
            || (body_text.contains("limit ") && body_text.contains("offset"))
            || body_text.contains("yield_per")
    }

    /// A statement over a set of rows: `.in_(ids)` or `execute(stmt, rows)` (executemany).
    fn set_based(&self, call: &ExprCall) -> bool {
        let executemany = matches!(call.func.as_ref(), Expr::Attribute(a) if a.attr.id.as_str() == "execute")
            && call.arguments.args.len() >= 2;
        if executemany {
            return true;
        }
        let mut text = self.source(&call.arguments);
        // The statement may be built in a local first, or by a method on one.
        if let Some(f) = self.functions.last() {
            let mut names = Vec::new();
            for arg in &call.arguments.args {
                collect_names(arg, &mut names);
            }
            for n in names {
                if let Some(v) = f.assigned.get(&n) {
                    text.push(' ');
                    text.push_str(v);
                }
            }
        }
        batched_text(&text)
    }

    /// Whether `iter` is a constant known before the program runs: a literal collection of
    /// literals or classes, `range(<literal>)`, a name bound only to such a literal (here or at
    /// module level), or a model registry's tables (`metadata.sorted_tables`).
    fn constant_iterable(&self, iter: &Expr) -> bool {
        match iter {
            Expr::List(l) => l.elts.iter().all(constant_element),
            Expr::Tuple(t) => t.elts.iter().all(constant_element),
            Expr::Set(t) => t.elts.iter().all(constant_element),
            Expr::Name(n) => {
                let id = n.id.as_str();
                self.functions
                    .last()
                    .is_some_and(|f| f.constants.contains(id))
                    || (self
                        .functions
                        .last()
                        .is_none_or(|f| !f.assigned.contains_key(id))
                        && self.constants.contains(id))
            }
            Expr::Attribute(a) => {
                let attr = a.attr.id.as_str();
                attr == "sorted_tables"
                    || (attr == "tables"
                        && dotted(&a.value).is_some_and(|d| d.ends_with("metadata")))
            }
            Expr::Call(c) => {
                let callee = dotted(&c.func).unwrap_or_default();
                let last = callee.rsplit('.').next().unwrap_or("");
                let first = c.arguments.args.first();
                match last {
                    "range" => c.arguments.args.iter().all(|a| a.is_number_literal_expr()),
                    "reversed" | "sorted" | "enumerate" | "list" | "tuple" => {
                        first.is_some_and(|a| self.constant_iterable(a))
                    }
                    // `TABLES.items()`, `metadata.tables.values()`
                    "items" | "values" | "keys" => match c.func.as_ref() {
                        Expr::Attribute(a) => self.constant_iterable(&a.value),
                        _ => false,
                    },
                    _ => false,
                }
            }
            _ => false,
        }
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
                // One statement per table, model class, filter or statement of a fixed set is
                // bounded by the code, not by the data: N+1 is one query per row of a result.
                let parts = self.constant_iterable(&f.iter) || over_query_parts(&f.target, &f.body);
                if batches || parts || sleeps(&f.body) {
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
                if self.pages(&w.body) || sleeps(&w.body) {
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

/// Lower-case statement text that runs over a set of keys at once: `.in_(ids)`, `IN (...)`,
/// `= ANY(:ids)`, an expanding bind parameter.
fn batched_text(text: &str) -> bool {
    [
        ".in_(",
        " in (",
        "any(",
        "any_(",
        " in :",
        " in %(",
        "expanding=true",
    ]
    .iter()
    .any(|p| text.contains(p))
}

/// An element of a literal collection that is fixed in the code: a literal, a class or
/// constant (`User`, `models.Team`, `MAX_ROWS`), or a tuple of those.
fn constant_element(e: &Expr) -> bool {
    match e {
        Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_) => true,
        Expr::Tuple(t) => t.elts.iter().all(constant_element),
        Expr::Name(_) | Expr::Attribute(_) => dotted(e).is_some_and(|d| {
            d.rsplit('.')
                .next()
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
        }),
        _ => false,
    }
}

fn constant_collection(e: &Expr) -> bool {
    match e {
        Expr::List(l) => l.elts.iter().all(constant_element),
        Expr::Tuple(t) => t.elts.iter().all(constant_element),
        Expr::Set(t) => t.elts.iter().all(constant_element),
        Expr::Dict(d) => d
            .items
            .iter()
            .all(|i| i.key.as_ref().is_some_and(constant_element) && constant_element(&i.value)),
        _ => false,
    }
}

/// Names that a body (not its nested functions) binds only to literal collections of
/// constants and never mutates (`append`, `add`, `extend`, `update`, `insert`).
fn literal_bindings(body: &[Stmt]) -> HashSet<String> {
    #[derive(Default)]
    struct Bindings {
        literal: HashSet<String>,
        other: HashSet<String>,
    }
    impl Bindings {
        fn bind(&mut self, target: &Expr, value: Option<&Expr>) {
            if let Expr::Name(n) = target {
                let id = n.id.to_string();
                if value.is_some_and(constant_collection) {
                    self.literal.insert(id);
                } else {
                    self.other.insert(id);
                }
            }
        }
    }
    impl<'a> Visitor<'a> for Bindings {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        self.bind(t, Some(&a.value));
                    }
                }
                Stmt::AnnAssign(a) => self.bind(&a.target, a.value.as_deref()),
                Stmt::AugAssign(a) => self.bind(&a.target, None),
                Stmt::For(f) => self.bind(&f.target, None),
                _ => {}
            }
            walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr {
                if let Expr::Attribute(a) = c.func.as_ref() {
                    let mutates = matches!(
                        a.attr.id.as_str(),
                        "append" | "add" | "extend" | "update" | "insert" | "setdefault"
                    );
                    if mutates {
                        if let Expr::Name(n) = a.value.as_ref() {
                            self.other.insert(n.id.to_string());
                        }
                    }
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut b = Bindings::default();
    for s in body {
        b.visit_stmt(s);
    }
    b.literal.retain(|n| !b.other.contains(n));
    b.literal
}

/// Names read in an expression (`stmt`, `base.limit(n)` gives `base`).
fn collect_names(e: &Expr, out: &mut Vec<String>) {
    struct Names<'o>(&'o mut Vec<String>);
    impl<'a> Visitor<'a> for Names<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr {
                self.0.push(n.id.to_string());
            }
            walk_expr(self, expr);
        }
    }
    Names(out).visit_expr(e);
}

/// Every value assigned to each local of a function body, as lower-case source.
struct Assignments<'m, 'a> {
    module: &'m PythonModule<'a>,
    values: HashMap<String, String>,
}

impl<'a> Visitor<'a> for Assignments<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let (targets, value): (Vec<&Expr>, Option<&Expr>) = match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(a) => (a.targets.iter().collect(), Some(&a.value)),
            Stmt::AnnAssign(a) => (vec![&a.target], a.value.as_deref()),
            Stmt::AugAssign(a) => (vec![&a.target], Some(&a.value)),
            _ => (Vec::new(), None),
        };
        if let Some(v) = value {
            let text = self
                .module
                .text
                .get(span_of(v))
                .unwrap_or("")
                .to_ascii_lowercase();
            for t in targets {
                if let Expr::Name(n) = t {
                    let e = self.values.entry(n.id.to_string()).or_default();
                    e.push(' ');
                    e.push_str(&text);
                }
            }
        }
        walk_stmt(self, stmt);
    }
}

/// Statement constructors whose first argument is the table or model they act on.
const STATEMENT_BUILDERS: &[&str] = &["update", "delete", "insert", "select", "text", "query"];

/// How SQLAlchemy's statement builders are spelled through a module (`sa.delete(model)`).
const SQL_MODULES: &[&str] = &[
    "sa",
    "sqlalchemy",
    "sql",
    "expression",
    "sqlalchemy.sql",
    "sqlalchemy.sql.expression",
    "sqlmodel",
];

/// Methods of a statement under construction: called on the loop's item, the item is a
/// statement (`base_stmt.limit(n)`, `table.delete()`).
const STATEMENT_METHODS: &[&str] = &[
    "where",
    "filter",
    "filter_by",
    "limit",
    "offset",
    "order_by",
    "values",
    "join",
    "options",
    "execution_options",
    "returning",
    "group_by",
    "delete",
    "update",
    "insert",
    "select",
];

/// Methods taking a whole criterion or statement as a positional argument.
const CLAUSE_TAKERS: &[&str] = &[
    "where", "filter", "having", "execute", "scalars", "scalar", "exec",
];

/// Words that name a statement, a criterion or a table (`lane_query`, `ddl`, `cond`).
const PART_WORDS: &[&str] = &[
    "query",
    "stmt",
    "statement",
    "sql",
    "ddl",
    "filter",
    "clause",
    "condition",
    "cond",
    "criterion",
    "table",
];

/// Whether the loop's item is a part of a query rather than a row: a model or table a
/// statement is built on (`update(model)`, `table.delete()`), a statement run or extended
/// (`session.execute(stmt)`, `base_stmt.limit(n)`), a criterion passed whole
/// (`.filter(lane_filter)`), or, by its name, a statement handed to a helper
/// (`session.scalars(_apply_tail(lane_query))`). A row's values (`item.id`, `user_id`) are
/// compared or looked up, never used so.
fn over_query_parts(target: &Expr, body: &[Stmt]) -> bool {
    let mut names = Vec::new();
    collect_names(target, &mut names);
    if names.is_empty() {
        return false;
    }
    struct Parts<'n> {
        names: &'n [String],
        found: bool,
    }
    impl Parts<'_> {
        fn is_item(&self, e: &Expr) -> Option<&str> {
            match e {
                Expr::Name(n) => self
                    .names
                    .iter()
                    .find(|x| x.as_str() == n.id.as_str())
                    .map(String::as_str),
                _ => None,
            }
        }
        fn named_part(name: &str) -> bool {
            let lower = name.to_ascii_lowercase();
            lower
                .rsplit('_')
                .next()
                .is_some_and(|w| PART_WORDS.contains(&w) || w.ends_with("query"))
        }
    }
    impl<'a> Visitor<'a> for Parts<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr {
                let callee = dotted(&c.func).unwrap_or_default();
                let last = callee.rsplit('.').next().unwrap_or("");
                let first = c.arguments.args.first();
                // `delete(model)` / `sa.update(table)` build a statement; `session.delete(row)`
                // deletes a row, and `session.query(model)` names the entity queried.
                let builder = match callee.rsplit_once('.') {
                    None => STATEMENT_BUILDERS.contains(&last),
                    Some((receiver, _)) => {
                        last == "query"
                            || (STATEMENT_BUILDERS.contains(&last)
                                && SQL_MODULES.contains(&receiver))
                    }
                };
                if builder && first.and_then(|a| self.is_item(a)).is_some() {
                    self.found = true;
                }
                if let Expr::Attribute(a) = c.func.as_ref() {
                    if STATEMENT_METHODS.contains(&a.attr.id.as_str())
                        && self.is_item(&a.value).is_some()
                    {
                        self.found = true;
                    }
                    if CLAUSE_TAKERS.contains(&a.attr.id.as_str())
                        && c.arguments.args.iter().any(|x| self.is_item(x).is_some())
                    {
                        self.found = true;
                    }
                }
                let named = c
                    .arguments
                    .args
                    .iter()
                    .filter_map(|x| self.is_item(x))
                    .any(Self::named_part);
                if named {
                    self.found = true;
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut v = Parts {
        names: &names,
        found: false,
    };
    for s in body {
        v.visit_stmt(s);
    }
    v.found
}
