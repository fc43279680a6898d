//! SQLAlchemy engines: every `create_engine(...)` / `create_async_engine(...)` call of a module
//! with its keyword arguments resolved as far as the source allows: literals, module constants
//! (also imported ones), settings attributes with literal defaults, local variables, and a dict
//! passed as `**kwargs` when it is a literal bound in the same function or module (Netflix
//! Dispatch builds `timeout_kwargs = {...}` and calls `create_engine(url, **timeout_kwargs)`).
//! Whatever cannot be read makes the engine `open`: a rule must then not claim an option is
//! missing.

use super::constants::Literal;
use super::index::Target;
use super::summary::{Def, ModuleSummary};
use super::{dotted, span_of, PythonModule};
use crate::source::Span;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};

/// A bare `create_engine` that is neither imported nor defined is SQLAlchemy's (a snippet, as in
/// the checklist's §2.3, or a star import).
const SYNC_CREATE: &[&str] = &[
    "create_engine",
    "sqlalchemy.create_engine",
    "sqlalchemy.engine.create_engine",
    "sqlalchemy.engine.create.create_engine",
    // SQLModel re-exports SQLAlchemy's function unchanged.
    "sqlmodel.create_engine",
];
const ASYNC_CREATE: &[&str] = &[
    "create_async_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
    "sqlalchemy.ext.asyncio.engine.create_async_engine",
    "sqlmodel.ext.asyncio.create_async_engine",
];

/// A keyword's value as far as it can be known.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Literal(Literal),
    /// A name that is not a literal, qualified and resolved (`sqlalchemy.pool.NullPool`).
    Name(String),
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Keyword {
    pub name: String,
    pub value: Value,
    /// The keyword as written (`pool_size=20`, or the key of a `**kwargs` dict).
    pub span: Span,
    /// Added to a `**kwargs` dict after it was built (`kw["pool_size"] = 5`, `kw.update(...)`),
    /// often in one branch only.
    pub later: bool,
    /// The value is an attribute of an object built by a call (`settings.DB_POOL_SIZE` with
    /// `settings = Settings()`): its literal is a class default that the environment may
    /// override (Pydantic `BaseSettings`).
    pub overridable: bool,
}

#[derive(Debug, Clone)]
pub struct Engine {
    pub is_async: bool,
    /// The whole call.
    pub call: Span,
    /// The function name as written: where findings about the engine anchor.
    pub callee: Span,
    pub keywords: Vec<Keyword>,
    /// A `**kwargs` whose keys cannot be read: any option may be set there.
    pub open: bool,
    /// The URL argument.
    pub url: Value,
    /// `connect_args={"check_same_thread": False}` (only SQLite's driver takes it), or an
    /// enclosing class or function named for SQLite (`class AioSqliteConfiguration`).
    pub sqlite_context: bool,
}

impl Engine {
    pub fn keyword(&self, name: &str) -> Option<&Keyword> {
        self.keywords.iter().find(|k| k.name == name)
    }

    /// The pool class passed as `poolclass=`, by class name (`QueuePool`), when it is one of
    /// SQLAlchemy's; `None` when absent or not knowable.
    pub fn pool_class(&self) -> Option<&str> {
        match &self.keyword("poolclass")?.value {
            Value::Name(q) if q.starts_with("sqlalchemy.") || q.starts_with("sqlmodel.") => {
                q.rsplit('.').next()
            }
            _ => None,
        }
    }

    /// The URL's scheme (`postgresql+asyncpg`) when the URL is knowable.
    pub fn scheme(&self) -> Option<String> {
        let Value::Literal(lit) = &self.url else {
            return None;
        };
        let text = lit.text_prefix()?;
        let (scheme, _) = text.split_once("://")?;
        Some(scheme.trim().to_ascii_lowercase())
    }

    /// A SQLite database: by URL scheme or by SQLite-only `connect_args`.
    pub fn is_sqlite(&self) -> bool {
        self.sqlite_context || self.scheme().is_some_and(|s| s.starts_with("sqlite"))
    }
}

/// The engines a module creates, in source order (found once per module).
pub fn engines<'m>(module: &'m PythonModule<'_>) -> &'m [Engine] {
    module.engines.get_or_init(|| find_engines(module))
}

fn find_engines(module: &PythonModule<'_>) -> Vec<Engine> {
    let mut finder = EngineFinder {
        module,
        scopes: Vec::new(),
        classes: Vec::new(),
        out: Vec::new(),
    };
    for stmt in &module.ast.body {
        finder.visit_stmt(stmt);
    }
    finder.out
}

/// The engines of a production module with their pool sizes, for DB008. Test and Alembic
/// modules build engines for a test database or one migration run and are left out.
pub fn engine_facts(module: &PythonModule<'_>) -> Vec<crate::facts::EngineFact> {
    use crate::facts::EngineFact;
    if is_alembic(module.summary) {
        return Vec::new();
    }
    engines(module)
        .iter()
        .map(|engine| EngineFact {
            file: module.summary.file,
            path: module.path.to_path_buf(),
            callee: engine.callee.clone(),
            pool: pool_of(engine),
        })
        .collect()
}

/// SQLAlchemy's `QueuePool` defaults (`pool_size=5`, `max_overflow=10`): "Engine Creation API",
/// https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.pool_size
pub const DEFAULT_POOL_SIZE: u64 = 5;
pub const DEFAULT_MAX_OVERFLOW: u64 = 10;

fn pool_of(engine: &Engine) -> crate::facts::EnginePool {
    use crate::facts::EnginePool;
    if engine.is_sqlite() {
        return EnginePool::NotPostgres;
    }
    if engine
        .scheme()
        .is_some_and(|s| !s.starts_with("postgres") && !s.starts_with("pgsql"))
    {
        return EnginePool::NotPostgres;
    }
    if engine.open {
        return EnginePool::Unknown;
    }
    // Only the queue pools take `pool_size`/`max_overflow`; NullPool opens one connection per
    // checkout without bound, the others are not for a server database.
    if engine.keyword("poolclass").is_some()
        && !matches!(
            engine.pool_class(),
            Some("QueuePool" | "AsyncAdaptedQueuePool" | "FallbackAsyncAdaptedQueuePool")
        )
    {
        return EnginePool::Unknown;
    }
    let read = |name: &str, default: u64| -> Option<(u64, bool)> {
        let Some(k) = engine.keyword(name) else {
            return Some((default, true));
        };
        if k.later || k.overridable {
            return None;
        }
        match &k.value {
            Value::Literal(Literal::Int(n)) => Some((u64::try_from(*n).ok()?, false)),
            _ => None,
        }
    };
    match (
        read("pool_size", DEFAULT_POOL_SIZE),
        read("max_overflow", DEFAULT_MAX_OVERFLOW),
    ) {
        // `pool_size=0` means no limit.
        (Some((pool_size, size_default)), Some((max_overflow, overflow_default)))
            if pool_size > 0 =>
        {
            EnginePool::Queue {
                pool_size,
                max_overflow,
                size_default,
                overflow_default,
            }
        }
        _ => EnginePool::Unknown,
    }
}

/// A module that Alembic runs: `env.py` or a revision (it imports `alembic`).
pub fn is_alembic(summary: &ModuleSummary) -> bool {
    summary
        .imports
        .values()
        .any(|t| t == "alembic" || t.starts_with("alembic."))
}

struct EngineFinder<'m, 'a> {
    module: &'m PythonModule<'a>,
    /// Enclosing function definitions, innermost last.
    scopes: Vec<&'a StmtFunctionDef>,
    /// Names of the enclosing classes.
    classes: Vec<&'a str>,
    out: Vec<Engine>,
}

impl<'a> Visitor<'a> for EngineFinder<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(f) = stmt {
            self.scopes.push(f);
            walk_stmt(self, stmt);
            self.scopes.pop();
            return;
        }
        if let Stmt::ClassDef(c) = stmt {
            self.classes.push(c.name.id.as_str());
            walk_stmt(self, stmt);
            self.classes.pop();
            return;
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Some(engine) = self.engine(call) {
                self.out.push(engine);
            }
        }
        walk_expr(self, expr);
    }
}

impl<'a> EngineFinder<'_, 'a> {
    fn engine(&self, call: &'a ExprCall) -> Option<Engine> {
        let written = dotted(&call.func)?;
        let canonical = self
            .module
            .index
            .canonical(&self.module.summary.qualify(&written));
        let is_async = if ASYNC_CREATE.contains(&canonical.as_str()) {
            true
        } else if SYNC_CREATE.contains(&canonical.as_str()) {
            false
        } else {
            return None;
        };
        let resolver = Resolver {
            module: self.module,
            scope: self.scopes.last().copied(),
        };
        let mut engine = Engine {
            is_async,
            call: span_of(call),
            callee: span_of(call.func.as_ref()),
            keywords: Vec::new(),
            open: false,
            url: call
                .arguments
                .find_argument_value("url", 0)
                .map_or(Value::Unknown, |e| resolver.value(e, 0)),
            sqlite_context: self
                .classes
                .iter()
                .copied()
                .chain(self.scopes.iter().map(|f| f.name.id.as_str()))
                .any(|n| n.to_ascii_lowercase().contains("sqlite")),
        };
        // Positional arguments after the URL are not part of the signature; starred ones hide
        // anything.
        if call
            .arguments
            .args
            .iter()
            .any(|a| matches!(a, Expr::Starred(_)))
        {
            engine.open = true;
        }
        for k in call.arguments.keywords.iter() {
            match &k.arg {
                Some(name) => {
                    engine.keywords.push(Keyword {
                        name: name.id.to_string(),
                        value: resolver.value(&k.value, 0),
                        span: span_of(k),
                        later: false,
                        overridable: resolver.overridable(&k.value),
                    });
                    if name.id.as_str() == "connect_args" {
                        engine.sqlite_context |= sqlite_connect_args(&k.value);
                    }
                }
                None => {
                    if !resolver.kwargs(&k.value, &mut engine.keywords, 0) {
                        engine.open = true;
                    }
                }
            }
        }
        // A key set twice (`kw["poolclass"] = NullPool` in one branch, `QueuePool` in another)
        // has no single value.
        let keywords = engine.keywords.clone();
        for k in &mut engine.keywords {
            if keywords
                .iter()
                .any(|o| o.name == k.name && o.value != k.value)
            {
                k.value = Value::Unknown;
            }
        }
        if let Some(k) = engine.keyword("url") {
            engine.url = k.value.clone();
        }
        Some(engine)
    }
}

fn sqlite_connect_args(expr: &Expr) -> bool {
    let Expr::Dict(d) = expr else {
        return false;
    };
    d.items.iter().any(|item| {
        item.key
            .as_ref()
            .and_then(super::string_value)
            .is_some_and(|k| k == "check_same_thread")
    })
}

/// Resolves names in one scope (a function, or the module when `scope` is `None`).
struct Resolver<'m, 'a> {
    module: &'m PythonModule<'a>,
    scope: Option<&'a StmtFunctionDef>,
}

const MAX_DEPTH: usize = 8;

impl<'a> Resolver<'_, 'a> {
    fn body(&self) -> &'a [Stmt] {
        match self.scope {
            Some(f) => &f.body,
            None => &self.module.ast.body,
        }
    }

    fn is_parameter(&self, name: &str) -> bool {
        self.scope
            .is_some_and(|f| f.parameters.iter().any(|p| p.name().as_str() == name))
    }

    /// The value of an expression.
    fn value(&self, expr: &'a Expr, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        if let Some(lit) = super::constants::literal_default(expr) {
            return Value::Literal(lit);
        }
        match expr {
            Expr::Name(n) => {
                let name = n.id.as_str();
                if self.is_parameter(name) {
                    return Value::Unknown;
                }
                if self.scope.is_some() {
                    let b = bindings(self.body(), name);
                    match b.assigns.as_slice() {
                        [single] if b.mutated.is_empty() => return self.value(single, depth + 1),
                        [] => {}
                        _ => return Value::Unknown,
                    }
                }
                self.global(name)
            }
            Expr::Attribute(_) => match dotted(expr) {
                Some(d) => self.global(&d),
                None => Value::Unknown,
            },
            // `str(settings.DATABASE_URL)`
            Expr::Call(c)
                if c.arguments.args.len() == 1
                    && dotted(&c.func).is_some_and(|f| f == "str")
                    && c.arguments.keywords.is_empty() =>
            {
                self.value(&c.arguments.args[0], depth + 1)
            }
            // `URL.create("postgresql+psycopg", ...)`, `URL.create(drivername=...)`
            Expr::Call(c) if dotted(&c.func).is_some_and(|f| f.ends_with("URL.create")) => {
                match c
                    .arguments
                    .find_argument_value("drivername", 0)
                    .map(|e| self.value(e, depth + 1))
                {
                    Some(Value::Literal(Literal::Str(s))) => {
                        Value::Literal(Literal::StrPrefix(format!("{s}://")))
                    }
                    _ => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }
    }

    /// Whether an expression reads an attribute of an object a call built (`settings.X`).
    fn overridable(&self, expr: &Expr) -> bool {
        let Expr::Attribute(_) = expr else {
            return false;
        };
        let Some(written) = dotted(expr) else {
            return false;
        };
        let qualified = self.module.summary.qualify(&written);
        let Some((owner, _)) = qualified.rsplit_once('.') else {
            return false;
        };
        matches!(
            self.module.index.resolve(owner),
            Target::Name(_, _, Def::Call { .. })
        )
    }

    /// A dotted name as written in the module: a constant (here or imported), a settings
    /// attribute with a literal default, or else the qualified name itself.
    fn global(&self, written: &str) -> Value {
        let qualified = self.module.summary.qualify(written);
        if let Some(lit) = super::constants::constant(self.module.index, &qualified) {
            return Value::Literal(lit);
        }
        Value::Name(self.module.index.canonical(&qualified))
    }

    /// Adds the keys of a `**expr` to `out`; false when they cannot be read.
    fn kwargs(&self, expr: &'a Expr, out: &mut Vec<Keyword>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match expr {
            Expr::Dict(d) => {
                let mut known = true;
                for item in &d.items {
                    match &item.key {
                        Some(key) => match super::string_value(key) {
                            Some(name) => out.push(Keyword {
                                name,
                                value: self.value(&item.value, depth + 1),
                                span: span_of(key),
                                later: false,
                                overridable: self.overridable(&item.value),
                            }),
                            None => known = false,
                        },
                        None => known &= self.kwargs(&item.value, out, depth + 1),
                    }
                }
                known
            }
            Expr::Call(c) if dotted(&c.func).is_some_and(|f| f == "dict") => {
                for k in c.arguments.keywords.iter() {
                    if let Some(name) = &k.arg {
                        out.push(Keyword {
                            name: name.id.to_string(),
                            value: self.value(&k.value, depth + 1),
                            span: span_of(k),
                            later: false,
                            overridable: self.overridable(&k.value),
                        });
                    }
                }
                c.arguments.args.is_empty() && c.arguments.keywords.iter().all(|k| k.arg.is_some())
            }
            Expr::Name(n) => {
                let name = n.id.as_str();
                if self.is_parameter(name) {
                    return false;
                }
                let mut b = bindings(self.body(), name);
                if b.assigns.is_empty() && self.scope.is_some() {
                    // A module-level dict used inside a function.
                    b = bindings(&self.module.ast.body, name);
                }
                let [single] = b.assigns.as_slice() else {
                    return false;
                };
                let mut known = self.kwargs(single, out, depth + 1);
                let built = out.len();
                for m in b.mutated {
                    match m {
                        Mutation::Key(key, value) => out.push(Keyword {
                            name: key,
                            value: self.value(value, depth + 1),
                            span: span_of(value),
                            later: true,
                            overridable: self.overridable(value),
                        }),
                        Mutation::Update(arg) => known &= self.kwargs(arg, out, depth + 1),
                        Mutation::Other => known = false,
                    }
                }
                for k in &mut out[built..] {
                    k.later = true;
                }
                known
            }
            _ => false,
        }
    }
}

enum Mutation<'a> {
    /// `name["key"] = value`, `name.setdefault("key", value)`
    Key(String, &'a Expr),
    /// `name.update(...)`, `name |= ...`
    Update(&'a Expr),
    /// Anything else that changes it (`name.pop(...)`, `name[k] = v` with a computed key).
    Other,
}

#[derive(Default)]
struct Bindings<'a> {
    assigns: Vec<&'a Expr>,
    mutated: Vec<Mutation<'a>>,
}

/// The assignments to and mutations of `name` in a body, not looking into nested functions or
/// classes.
fn bindings<'a>(body: &'a [Stmt], name: &str) -> Bindings<'a> {
    let mut v = BindingVisitor {
        name,
        out: Bindings::default(),
    };
    for s in body {
        v.visit_stmt(s);
    }
    v.out
}

struct BindingVisitor<'n, 'a> {
    name: &'n str,
    out: Bindings<'a>,
}

impl BindingVisitor<'_, '_> {
    fn is_name(&self, e: &Expr) -> bool {
        matches!(e, Expr::Name(n) if n.id.as_str() == self.name)
    }
}

impl<'a> Visitor<'a> for BindingVisitor<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if self.is_name(t) {
                        self.out.assigns.push(&a.value);
                    } else if let Expr::Subscript(s) = t {
                        if self.is_name(&s.value) {
                            self.out.mutated.push(match super::string_value(&s.slice) {
                                Some(key) => Mutation::Key(key, &a.value),
                                None => Mutation::Other,
                            });
                        }
                    } else if let Expr::Tuple(t) = t {
                        if t.elts.iter().any(|e| self.is_name(e)) {
                            self.out.mutated.push(Mutation::Other);
                        }
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let (true, Some(v)) = (self.is_name(&a.target), a.value.as_deref()) {
                    self.out.assigns.push(v);
                }
            }
            Stmt::AugAssign(a) if self.is_name(&a.target) => {
                self.out.mutated.push(Mutation::Update(&a.value));
            }
            Stmt::For(f) if self.is_name(&f.target) => self.out.mutated.push(Mutation::Other),
            Stmt::With(w)
                if w.items
                    .iter()
                    .any(|i| i.optional_vars.as_deref().is_some_and(|v| self.is_name(v))) =>
            {
                self.out.mutated.push(Mutation::Other);
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Named(n) if self.is_name(&n.target) => self.out.assigns.push(&n.value),
            Expr::Call(c) => {
                if let Expr::Attribute(a) = c.func.as_ref() {
                    if self.is_name(&a.value) {
                        let args = &c.arguments;
                        match a.attr.id.as_str() {
                            "update" if args.args.len() == 1 && args.keywords.is_empty() => {
                                self.out.mutated.push(Mutation::Update(&args.args[0]));
                            }
                            "update" if args.args.is_empty() => {
                                // `kw.update(pool_size=5)`: read as the keywords it adds.
                                for k in args.keywords.iter() {
                                    match &k.arg {
                                        Some(n) => self
                                            .out
                                            .mutated
                                            .push(Mutation::Key(n.id.to_string(), &k.value)),
                                        None => self.out.mutated.push(Mutation::Other),
                                    }
                                }
                            }
                            "setdefault" if args.args.len() == 2 => {
                                self.out
                                    .mutated
                                    .push(match super::string_value(&args.args[0]) {
                                        Some(key) => Mutation::Key(key, &args.args[1]),
                                        None => Mutation::Other,
                                    });
                            }
                            "get" | "items" | "keys" | "values" | "copy" => {}
                            _ => self.out.mutated.push(Mutation::Other),
                        }
                    }
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// SQLAlchemy (and SQLModel) classes whose instances run queries: sessions and connections.
pub const QUERY_RUNNER_CLASSES: &[&str] = &[
    "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.Session",
    "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.scoping.scoped_session",
    "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.session.AsyncSession",
    "sqlalchemy.ext.asyncio.async_scoped_session",
    "sqlalchemy.ext.asyncio.AsyncConnection",
    "sqlalchemy.ext.asyncio.engine.AsyncConnection",
    "sqlalchemy.Connection",
    "sqlalchemy.engine.Connection",
    "sqlalchemy.engine.base.Connection",
    "sqlmodel.Session",
    "sqlmodel.orm.session.Session",
    "sqlmodel.ext.asyncio.session.AsyncSession",
];
