//! What one module contributes to the app-wide project rules (API004, API010, HA001, HA002,
//! OBS001): every `FastAPI(...)` call that builds an app, wherever it is made (a `create_app()`
//! factory included) and how its object is bound; sub-apps mounted into others; exception
//! handler and shutdown registrations; lifespan functions and whether code runs after their
//! `yield`; SQLAlchemy engines and Redis clients created and disposed or closed; route paths the
//! summary cannot see (a decorator path held in a constant or a parameter default, Starlette
//! `Route(...)`, `add_route`, `mount`); and every external name the module uses.
//!
//! Extracted in one walk while the tree is alive, like the rest of the summary; the project
//! rules read it through the index.

use super::summary::{annotation_names, ModuleSummary};
use super::{dotted, span_of, string_value};
use crate::source::Span;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ModModule, Stmt, StmtFunctionDef};
use std::collections::{BTreeSet, HashMap};

/// How a `FastAPI(...)` object is bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// A module-level name: `app = FastAPI()` (qualified).
    Global(String),
    /// Returned by a module-level function (`def create_app(): app = FastAPI(); …; return app`),
    /// qualified function name.
    Returned(String),
    /// Assigned to an attribute or a local that is not returned (`self.app = FastAPI()`).
    Other,
}

/// A `FastAPI(...)` call that builds an app (assigned or returned; a `FastAPI()` passed as an
/// argument or stored in a dict is not an app the service runs).
#[derive(Debug, Clone)]
pub struct AppCtor {
    /// The callee as qualified in the module (`fastapi.FastAPI`).
    pub callee: String,
    pub span: Span,
    pub binding: Binding,
    /// Mounted into another app in the function that builds it (`app.mount("/v1", sub)`).
    pub mounted_locally: bool,
    /// Calls configuring a locally built app in its function (`app.include_router(...)`,
    /// `@app.get(...)`, `app.add_middleware(...)`): how much of the service it carries.
    pub wiring: usize,
}

/// What a `mount(path, app)` / `Mount(path, app=…)` mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mounted {
    /// A name, qualified (`app.api.api_app`).
    Name(String),
    /// The result of calling a function, qualified (`prefect.server.api.server.create_api_app`).
    CallResult(String),
}

/// `lifespan=` passed to any call (an app, a router, Starlette).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lifespan {
    /// A function of this module or another, qualified: judged through its `teardown` entry.
    Name(String),
    /// A function defined in the enclosing function, already judged: code after its `yield`?
    Local(bool),
    /// Anything else (a call, a class, an attribute): assumed to shut down.
    Opaque,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Engine,
    Redis,
}

/// A SQLAlchemy engine or Redis client created.
#[derive(Debug, Clone)]
pub struct Resource {
    pub kind: ResourceKind,
    /// The qualified callee (`sqlalchemy.ext.asyncio.create_async_engine`).
    pub callee: String,
    pub span: Span,
    /// The module-level name it is assigned to, qualified.
    pub binding: Option<String>,
    /// `poolclass=NullPool`: no pooled connections are kept, so nothing needs draining.
    pub null_pool: bool,
}

/// `<receiver>.dispose()`, `.close()`, `.aclose()`, `.disconnect()`.
#[derive(Debug, Clone)]
pub struct CloseCall {
    pub method: String,
    /// The receiver as qualified in the module, when it is a dotted name.
    pub receiver: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AppFacts {
    pub apps: Vec<AppCtor>,
    pub mounts: Vec<Mounted>,
    /// Exception handlers registered: `@x.exception_handler(...)`, `x.add_exception_handler(...)`,
    /// a non-empty `exception_handlers=` (keyword or `**kwargs` dict key).
    pub exception_handlers: Vec<Span>,
    /// Shutdown hooks: `on_event("shutdown")`, `add_event_handler("shutdown", …)`, a non-empty
    /// `on_shutdown=`, `signal.signal(SIGTERM, …)`, `loop.add_signal_handler`, `atexit.register`.
    pub shutdown_hooks: Vec<Span>,
    pub lifespans: Vec<Lifespan>,
    /// Module-level generator functions: whether code runs after their `yield` (a lifespan's
    /// shutdown half).
    pub teardown: HashMap<String, bool>,
    pub resources: Vec<Resource>,
    pub closes: Vec<CloseCall>,
    /// Route paths from decorators whose path is a constant or a parameter default, Starlette
    /// `Route`/`Mount`, `add_route`/`add_api_route` and `mount` calls (literal paths of route
    /// decorators are in the summary's `routes`).
    pub route_paths: Vec<String>,
    /// Every dotted name the module uses whose head is an import, qualified
    /// (`prometheus_client.make_asgi_app`, `slowapi.Limiter`).
    pub refs: BTreeSet<String>,
    /// Qualified names in the parameter annotations of route handlers (decorated with a route
    /// method anywhere, factories included): the request models.
    pub request_types: Vec<String>,
    /// Module-level classes: qualified names in their field annotations and their bases, so
    /// the models a request model nests or inherits from are request models too.
    pub class_refs: HashMap<String, Vec<String>>,
    /// Module-level functions: their request-data parameter types (for `add_api_route`
    /// endpoints, resolved across modules).
    pub function_params: HashMap<String, Vec<String>>,
    /// `add_api_route(path, endpoint)` endpoints, qualified.
    pub endpoints: Vec<String>,
}

/// Route decorators: FastAPI's (`super::summary::ROUTE_METHODS`) and Starlette's `route`.
fn is_route_decorator(name: &str) -> bool {
    super::summary::ROUTE_METHODS.contains(&name) || name == "route"
}

const ENGINE_FACTORIES: &[&str] = &[
    "sqlalchemy.create_engine",
    "sqlalchemy.engine.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
    "sqlalchemy.ext.asyncio.engine.create_async_engine",
    "sqlmodel.create_engine",
];

const REDIS_FACTORIES: &[&str] = &[
    "redis.Redis",
    "redis.StrictRedis",
    "redis.client.Redis",
    "redis.from_url",
    "redis.ConnectionPool",
    "redis.cluster.RedisCluster",
    "redis.RedisCluster",
    "redis.sentinel.Sentinel",
    "redis.asyncio.Redis",
    "redis.asyncio.StrictRedis",
    "redis.asyncio.client.Redis",
    "redis.asyncio.from_url",
    "redis.asyncio.ConnectionPool",
    "redis.asyncio.RedisCluster",
    "redis.asyncio.cluster.RedisCluster",
    "redis.asyncio.sentinel.Sentinel",
    "aioredis.Redis",
    "aioredis.from_url",
    "aioredis.create_redis_pool",
    "aioredis.create_redis",
];

impl ResourceKind {
    /// What a qualified callee creates: `redis.Redis.from_url` counts as `redis.Redis`.
    pub fn of(callee: &str) -> Option<ResourceKind> {
        let base = callee.strip_suffix(".from_url").unwrap_or(callee);
        if ENGINE_FACTORIES.contains(&callee) {
            Some(ResourceKind::Engine)
        } else if REDIS_FACTORIES.contains(&callee) || REDIS_FACTORIES.contains(&base) {
            Some(ResourceKind::Redis)
        } else {
            None
        }
    }
}

/// A function being walked: what its names hold, for paths and returned apps.
#[derive(Default)]
struct Frame {
    /// Qualified name when the function is at module level.
    qualname: Option<String>,
    /// Parameters with a string default (`health_check_path: str = "/health"`).
    string_params: HashMap<String, String>,
    /// Locals assigned a string literal.
    strings: HashMap<String, String>,
    /// Locals assigned the result of a call: qualified callee.
    call_results: HashMap<String, String>,
    /// Locals holding a `FastAPI(...)`: index into `apps`.
    apps: HashMap<String, usize>,
    /// Functions defined in this function: code after their `yield`?
    local_teardown: HashMap<String, bool>,
}

struct Walker<'s> {
    summary: &'s ModuleSummary,
    facts: AppFacts,
    /// Module-level string constants.
    constants: HashMap<String, String>,
    frames: Vec<Frame>,
    /// Modules imported with `from m import *`.
    star_modules: Vec<String>,
}

/// The module a `from … import *` names, relative imports resolved against the package.
fn star_module(summary: &ModuleSummary, level: u32, module: Option<&str>) -> String {
    if level == 0 {
        return module.unwrap_or("").to_string();
    }
    let mut base: Vec<&str> = summary
        .package
        .split('.')
        .filter(|p| !p.is_empty())
        .collect();
    for _ in 1..level {
        base.pop();
    }
    base.extend(module);
    base.join(".")
}

impl AppFacts {
    pub fn extract(summary: &ModuleSummary, ast: &ModModule) -> AppFacts {
        let mut constants = HashMap::new();
        for stmt in &ast.body {
            if let Stmt::Assign(a) = stmt {
                if let ([Expr::Name(n)], Some(v)) = (a.targets.as_slice(), string_value(&a.value)) {
                    constants.insert(n.id.to_string(), v);
                }
            }
        }
        let star_modules = ast
            .body
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::ImportFrom(i) if i.names.iter().any(|a| a.name.id.as_str() == "*") => Some(
                    star_module(summary, i.level, i.module.as_ref().map(|m| m.id.as_str())),
                ),
                _ => None,
            })
            .collect();
        let mut walker = Walker {
            summary,
            facts: AppFacts::default(),
            constants,
            frames: Vec::new(),
            star_modules,
        };
        for stmt in &ast.body {
            if let Stmt::FunctionDef(f) = stmt {
                if let Some(t) = teardown_after_yield(&f.body) {
                    walker.facts.teardown.insert(f.name.id.to_string(), t);
                }
            }
            if let Stmt::ClassDef(c) = stmt {
                let refs = walker.with_star_imports(class_refs(summary, c));
                walker.facts.class_refs.insert(c.name.id.to_string(), refs);
            }
            walker.visit_stmt(stmt);
        }
        walker.facts
    }
}

/// Whether code runs after the first `yield` of a body: `Some(true)` when a statement follows
/// it (in its block or an enclosing one), a `finally:` encloses it, or it sits in a `with`
/// block (the context manager's exit runs after it); `None` when the body does not yield.
pub fn teardown_after_yield(body: &[Stmt]) -> Option<bool> {
    scan(body).map(|v| v.teardown)
}

/// What a block holding a `yield` does after it.
#[derive(Clone, Copy)]
struct AfterYield {
    /// Code runs after some `yield`.
    teardown: bool,
    /// The path after the `yield` ends in a `return` in this block: the statements after the
    /// enclosing block never run on it.
    returns: bool,
}

fn scan(body: &[Stmt]) -> Option<AfterYield> {
    let mut found: Option<AfterYield> = None;
    for (i, stmt) in body.iter().enumerate() {
        let rest = &body[i + 1..];
        let inner = match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => continue,
            Stmt::Try(t) => {
                let mut inner = scan(&t.body);
                for h in &t.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    inner = merge(inner, scan(&h.body));
                }
                inner = merge(inner, scan(&t.orelse));
                match inner {
                    Some(v) => Some(AfterYield {
                        teardown: v.teardown || !t.finalbody.is_empty(),
                        returns: v.returns,
                    }),
                    None => scan(&t.finalbody),
                }
            }
            // The context manager's exit runs after the `yield`.
            Stmt::With(w) => scan(&w.body).map(|v| AfterYield {
                teardown: true,
                returns: v.returns,
            }),
            Stmt::If(s) => s
                .elif_else_clauses
                .iter()
                .fold(scan(&s.body), |acc, c| merge(acc, scan(&c.body))),
            Stmt::For(s) => merge(scan(&s.body), scan(&s.orelse)),
            Stmt::While(s) => merge(scan(&s.body), scan(&s.orelse)),
            Stmt::Match(m) => m
                .cases
                .iter()
                .fold(None, |acc, c| merge(acc, scan(&c.body))),
            other => contains_yield(other).then_some(AfterYield {
                teardown: false,
                returns: false,
            }),
        };
        let Some(v) = inner else {
            continue;
        };
        // Statements after it in this block run unless the yield's path returned.
        let here = if v.returns {
            v
        } else {
            let work = rest.iter().take_while(|s| !matches!(s, Stmt::Return(_)));
            AfterYield {
                teardown: v.teardown || work.clone().any(does_work),
                returns: rest.iter().any(|s| matches!(s, Stmt::Return(_))),
            }
        };
        found = merge(found, Some(here));
    }
    found
}

/// Two paths' verdicts: code runs after some `yield` if it does on either.
fn merge(a: Option<AfterYield>, b: Option<AfterYield>) -> Option<AfterYield> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(AfterYield {
            teardown: a.teardown || b.teardown,
            returns: a.returns && b.returns,
        }),
    }
}

/// A statement that does something when reached (not `pass`, `...`, another bare `yield`, or
/// a log line or `print`: a lifespan that only logs "shutting down" releases nothing).
fn does_work(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Pass(_) => false,
        Stmt::Expr(e) => {
            !matches!(
                e.value.as_ref(),
                Expr::EllipsisLiteral(_) | Expr::Yield(_) | Expr::YieldFrom(_)
            ) && !only_logs(&e.value)
        }
        _ => true,
    }
}

/// `logger.info(...)`, `logging.warning(...)`, `log.debug(...)`, `print(...)`, awaited or not.
fn only_logs(expr: &Expr) -> bool {
    let expr = match expr {
        Expr::Await(a) => a.value.as_ref(),
        e => e,
    };
    let Expr::Call(call) = expr else {
        return false;
    };
    let Some(callee) = dotted(&call.func) else {
        return false;
    };
    if callee == "print" {
        return true;
    }
    let mut parts = callee.rsplit('.');
    let (Some(method), Some(receiver)) = (parts.next(), parts.next()) else {
        return false;
    };
    let receiver = receiver.to_ascii_lowercase();
    let level = matches!(
        method,
        "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical" | "log"
    );
    level && (receiver.contains("log") || receiver == "structlog")
}

/// Whether a simple statement yields (`yield`, `x = yield`, `yield from …`), not counting
/// nested functions or lambdas.
fn contains_yield(stmt: &Stmt) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Yield(_) | Expr::YieldFrom(_) => self.0 = true,
                Expr::Lambda(_) => {}
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut f = Finder(false);
    f.visit_stmt(stmt);
    f.0
}

/// Qualified names a class's bases and field annotations mention.
fn class_refs(summary: &ModuleSummary, class: &ruff_python_ast::StmtClassDef) -> Vec<String> {
    let mut out: Vec<String> = class
        .arguments
        .as_ref()
        .map(|a| {
            a.args
                .iter()
                .filter_map(|b| summary.qualify_expr(b))
                .collect()
        })
        .unwrap_or_default();
    for stmt in &class.body {
        if let Stmt::AnnAssign(a) = stmt {
            out.extend(annotation_names(summary, &a.annotation));
        }
    }
    out
}

/// Whether an argument value is empty: `None`, `{}`, `[]`, `()`.
fn is_empty_value(expr: &Expr) -> bool {
    match expr {
        Expr::NoneLiteral(_) => true,
        Expr::Dict(d) => d.items.is_empty(),
        Expr::List(l) => l.elts.is_empty(),
        Expr::Tuple(t) => t.elts.is_empty(),
        _ => false,
    }
}

fn mentions(expr: &Expr, word: &str) -> bool {
    match expr {
        Expr::Name(n) => n.id.as_str() == word,
        Expr::Attribute(a) => a.attr.id.as_str() == word,
        Expr::StringLiteral(s) => s.value.to_str() == word,
        _ => false,
    }
}

impl Walker<'_> {
    /// Names that stay unqualified in a module with `from m import *` may come from `m`: adds
    /// `m.Name` for each (resolution drops the ones that are not there).
    fn with_star_imports(&self, names: Vec<String>) -> Vec<String> {
        if self.star_modules.is_empty() {
            return names;
        }
        let mut out = names.clone();
        for name in names {
            if name.contains('.') || self.summary.names.contains_key(&name) {
                continue;
            }
            out.extend(self.star_modules.iter().map(|m| format!("{m}.{name}")));
        }
        out
    }

    /// `Depends(get_user)` / `Security(...)` with a dependency given.
    fn is_dependency(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else {
            return false;
        };
        let callee = self.qualify(&call.func).unwrap_or_default();
        let last = callee.rsplit('.').next().unwrap_or(&callee);
        matches!(last, "Depends" | "Security")
            && (!call.arguments.args.is_empty() || !call.arguments.keywords.is_empty())
    }

    /// `Annotated[User, Depends(get_user)]`.
    fn annotated_dependency(&self, ann: &Expr) -> bool {
        let Expr::Subscript(s) = ann else {
            return false;
        };
        let head = self.qualify(&s.value).unwrap_or_default();
        if head.rsplit('.').next() != Some("Annotated") {
            return false;
        }
        match s.slice.as_ref() {
            Expr::Tuple(t) => t.elts.iter().skip(1).any(|e| self.is_dependency(e)),
            _ => false,
        }
    }

    fn qualify(&self, expr: &Expr) -> Option<String> {
        self.summary.qualify_expr(expr)
    }

    /// A path argument's value: a literal, a module constant, a local string, or a parameter
    /// default of an enclosing function.
    fn path_value(&self, expr: &Expr) -> Option<String> {
        if let Some(s) = string_value(expr) {
            return Some(s);
        }
        let Expr::Name(n) = expr else {
            return None;
        };
        let name = n.id.as_str();
        for frame in self.frames.iter().rev() {
            if let Some(v) = frame.strings.get(name).or(frame.string_params.get(name)) {
                return Some(v.clone());
            }
        }
        self.constants.get(name).cloned()
    }

    fn module_qualname(&self, name: &str) -> String {
        if self.summary.module.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.summary.module)
        }
    }

    fn is_fastapi(callee: &str) -> bool {
        callee == "FastAPI" || callee.ends_with(".FastAPI")
    }

    /// Records an assignment `target = value` (module level or in a function).
    fn assignment(&mut self, target: &Expr, value: &Expr) {
        match value {
            Expr::Call(call) => {
                let Some(callee) = self.qualify(&call.func) else {
                    return;
                };
                if Self::is_fastapi(&callee) {
                    let binding = match (target, self.frames.last()) {
                        (Expr::Name(n), None) => Binding::Global(self.module_qualname(&n.id)),
                        _ => Binding::Other,
                    };
                    self.facts.apps.push(AppCtor {
                        callee: callee.clone(),
                        span: span_of(call),
                        binding,
                        mounted_locally: false,
                        wiring: 0,
                    });
                    let index = self.facts.apps.len() - 1;
                    if let (Expr::Name(n), Some(frame)) = (target, self.frames.last_mut()) {
                        frame.apps.insert(n.id.to_string(), index);
                    }
                }
                if let Some(kind) = ResourceKind::of(&callee) {
                    let binding = match (target, self.frames.is_empty()) {
                        (Expr::Name(n), true) => Some(self.module_qualname(&n.id)),
                        _ => None,
                    };
                    let null_pool = call
                        .arguments
                        .find_keyword("poolclass")
                        .and_then(|k| dotted(&k.value))
                        .is_some_and(|d| d.ends_with("NullPool"));
                    self.facts.resources.push(Resource {
                        kind,
                        callee: callee.clone(),
                        span: span_of(call),
                        binding,
                        null_pool,
                    });
                }
                if let (Expr::Name(n), Some(frame)) = (target, self.frames.last_mut()) {
                    frame.call_results.insert(n.id.to_string(), callee);
                }
            }
            _ => {
                if let (Expr::Name(n), Some(v), Some(frame)) =
                    (target, string_value(value), self.frames.last_mut())
                {
                    frame.strings.insert(n.id.to_string(), v);
                }
            }
        }
    }

    fn mounted(&mut self, expr: &Expr) -> Option<Mounted> {
        match expr {
            Expr::Name(n) => {
                for frame in self.frames.iter().rev() {
                    if let Some(&i) = frame.apps.get(n.id.as_str()) {
                        // A sub-app built in the same function.
                        self.facts.apps[i].mounted_locally = true;
                        return None;
                    }
                    if let Some(callee) = frame.call_results.get(n.id.as_str()) {
                        return Some(Mounted::CallResult(callee.clone()));
                    }
                }
                self.qualify(expr).map(Mounted::Name)
            }
            Expr::Attribute(_) => self.qualify(expr).map(Mounted::Name),
            Expr::Call(c) => self.qualify(&c.func).map(Mounted::CallResult),
            _ => None,
        }
    }

    fn call(&mut self, call: &ruff_python_ast::ExprCall) {
        let args = &call.arguments;
        // `app.include_router(...)`, `@app.get(...)` on an app built in this function.
        if let Expr::Attribute(attr) = call.func.as_ref() {
            if let Expr::Name(owner) = attr.value.as_ref() {
                let local = self
                    .frames
                    .iter()
                    .rev()
                    .find_map(|f| f.apps.get(owner.id.as_str()).copied());
                if let Some(i) = local {
                    self.facts.apps[i].wiring += 1;
                }
            }
        }
        // Keywords any call may carry: apps, routers, Starlette, `FastAPI(**kwargs)` dicts.
        for kw in args.keywords.iter() {
            let Some(name) = kw.arg.as_ref().map(|a| a.id.as_str()) else {
                continue;
            };
            self.keyword(name, &kw.value, span_of(kw));
        }
        let callee = self.qualify(&call.func);
        if let Expr::Attribute(attr) = call.func.as_ref() {
            let method = attr.attr.id.as_str();
            match method {
                "add_exception_handler" | "exception_handler" => {
                    self.facts.exception_handlers.push(span_of(call));
                }
                "on_event" | "add_event_handler"
                    if args.args.first().is_some_and(|a| mentions(a, "shutdown")) =>
                {
                    self.facts.shutdown_hooks.push(span_of(call));
                }
                "add_signal_handler" => self.facts.shutdown_hooks.push(span_of(call)),
                "dispose" | "close" | "aclose" | "disconnect" => {
                    self.facts.closes.push(CloseCall {
                        method: method.to_string(),
                        receiver: self.qualify(&attr.value),
                    });
                }
                "mount" => {
                    if let Some(p) = args.find_argument_value("path", 0) {
                        if let Some(path) = self.path_value(p) {
                            self.facts.route_paths.push(path);
                        }
                    }
                    if let Some(m) = args
                        .find_argument_value("app", 1)
                        .and_then(|e| self.mounted(e))
                    {
                        self.facts.mounts.push(m);
                    }
                }
                "add_route"
                | "add_api_route"
                | "add_websocket_route"
                | "add_api_websocket_route" => {
                    if let Some(endpoint) = args
                        .find_argument_value("endpoint", 1)
                        .and_then(|e| self.qualify(e))
                    {
                        self.facts.endpoints.push(endpoint);
                    }
                    if let Some(path) = args
                        .find_argument_value("path", 0)
                        .and_then(|p| self.path_value(p))
                    {
                        self.facts.route_paths.push(path);
                    }
                }
                _ => {}
            }
        }
        let Some(callee) = callee else {
            return;
        };
        match callee.as_str() {
            "signal.signal"
                if args
                    .args
                    .first()
                    .is_some_and(|a| mentions(a, "SIGTERM") || mentions(a, "SIGINT")) =>
            {
                self.facts.shutdown_hooks.push(span_of(call));
            }
            "atexit.register" => self.facts.shutdown_hooks.push(span_of(call)),
            _ => {}
        }
        let last = callee.rsplit('.').next().unwrap_or(&callee);
        if matches!(last, "Route" | "APIRoute" | "WebSocketRoute" | "Mount")
            && (callee.starts_with("starlette.") || callee.starts_with("fastapi."))
        {
            if let Some(path) = args
                .find_argument_value("path", 0)
                .and_then(|p| self.path_value(p))
            {
                self.facts.route_paths.push(path);
            }
            if last == "Mount" {
                if let Some(m) = args
                    .find_keyword("app")
                    .and_then(|k| self.mounted(&k.value))
                {
                    self.facts.mounts.push(m);
                }
            }
        }
    }

    fn keyword(&mut self, name: &str, value: &Expr, span: Span) {
        match name {
            "exception_handlers" if !is_empty_value(value) => {
                self.facts.exception_handlers.push(span);
            }
            "on_shutdown" if !is_empty_value(value) => self.facts.shutdown_hooks.push(span),
            "lifespan" if !matches!(value, Expr::NoneLiteral(_)) => {
                let lifespan = match value {
                    Expr::Name(n) => {
                        let local = self
                            .frames
                            .iter()
                            .rev()
                            .find_map(|f| f.local_teardown.get(n.id.as_str()).copied());
                        match local {
                            Some(t) => Lifespan::Local(t),
                            None => self.qualify(value).map_or(Lifespan::Opaque, Lifespan::Name),
                        }
                    }
                    _ => Lifespan::Opaque,
                };
                self.facts.lifespans.push(lifespan);
            }
            _ => {}
        }
    }

    /// The types of a handler's parameters that carry request data (not dependencies).
    fn request_params(&self, f: &StmtFunctionDef) -> Vec<String> {
        let mut out = Vec::new();
        for p in f.parameters.iter_non_variadic_params() {
            let Some(ann) = p.annotation() else {
                continue;
            };
            // `user: User = Depends(get_current_user)` is a dependency's result, not request
            // data; `params: Filter = Depends()` (the class itself) is.
            if p.default().is_some_and(|d| self.is_dependency(d)) || self.annotated_dependency(ann)
            {
                continue;
            }
            out.extend(annotation_names(self.summary, ann));
        }
        self.with_star_imports(out)
    }

    fn function(&mut self, f: &StmtFunctionDef) {
        let mut is_route = false;
        // Decorators run in the enclosing scope: route paths held in its names.
        for decorator in &f.decorator_list {
            let Expr::Call(call) = &decorator.expression else {
                continue;
            };
            let Expr::Attribute(attr) = call.func.as_ref() else {
                continue;
            };
            if !is_route_decorator(attr.attr.id.as_str()) {
                continue;
            }
            is_route = true;
            let Some(p) = call.arguments.find_argument_value("path", 0) else {
                continue;
            };
            if string_value(p).is_none() {
                if let Some(path) = self.path_value(p) {
                    self.facts.route_paths.push(path);
                }
            }
        }
        if is_route || self.frames.is_empty() {
            let params = self.request_params(f);
            if self.frames.is_empty() {
                self.facts
                    .function_params
                    .insert(f.name.id.to_string(), params.clone());
            }
            if is_route {
                self.facts.request_types.extend(params);
            }
        }
        if let Some(frame) = self.frames.last_mut() {
            if let Some(t) = teardown_after_yield(&f.body) {
                frame.local_teardown.insert(f.name.id.to_string(), t);
            }
        }
        let mut frame = Frame {
            qualname: self
                .frames
                .is_empty()
                .then(|| self.module_qualname(&f.name.id)),
            ..Frame::default()
        };
        for p in f.parameters.iter_non_variadic_params() {
            if let Some(v) = p.default().and_then(string_value) {
                frame.string_params.insert(p.name().id.to_string(), v);
            }
        }
        for decorator in &f.decorator_list {
            self.visit_decorator(decorator);
        }
        // Parameter defaults and annotations (`Depends(RateLimiter(...))`) are evaluated here.
        self.visit_parameters(&f.parameters);
        if let Some(returns) = &f.returns {
            self.visit_annotation(returns);
        }
        self.frames.push(frame);
        for stmt in &f.body {
            self.visit_stmt(stmt);
        }
        self.frames.pop();
    }
}

impl<'a> Visitor<'a> for Walker<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                self.function(f);
                return;
            }
            Stmt::ClassDef(_) => {
                // Methods are not module-level functions: a frame without a qualname.
                self.frames.push(Frame::default());
                walk_stmt(self, stmt);
                self.frames.pop();
                return;
            }
            Stmt::Assign(a) => {
                for target in &a.targets {
                    self.assignment(target, &a.value);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.assignment(&a.target, value);
                }
            }
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    self.returned(value);
                }
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => self.call(call),
            Expr::Dict(d) => {
                // `FastAPI(**{"exception_handlers": {...}})`-style keyword dicts.
                for item in &d.items {
                    if let Some(key) = item.key.as_ref().and_then(string_value) {
                        self.keyword(&key, &item.value, span_of(&item.value));
                    }
                }
            }
            Expr::Name(n) => {
                if self.summary.imports.contains_key(n.id.as_str()) {
                    if let Some(q) = self.qualify(expr) {
                        self.facts.refs.insert(q);
                    }
                }
                return;
            }
            Expr::Attribute(_) => {
                if let Some(d) = dotted(expr) {
                    let head = d.split('.').next().unwrap_or("");
                    if self.summary.imports.contains_key(head) {
                        self.facts.refs.insert(self.summary.qualify(&d));
                    }
                    return;
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

impl Walker<'_> {
    fn returned(&mut self, value: &Expr) {
        let Some(qualname) = self.frames.last().and_then(|f| f.qualname.clone()) else {
            return;
        };
        match value {
            Expr::Name(n) => {
                let index = self
                    .frames
                    .last()
                    .and_then(|f| f.apps.get(n.id.as_str()).copied());
                if let Some(i) = index {
                    self.facts.apps[i].binding = Binding::Returned(qualname);
                }
            }
            Expr::Call(call) => {
                let Some(callee) = self.qualify(&call.func) else {
                    return;
                };
                if Self::is_fastapi(&callee) {
                    self.facts.apps.push(AppCtor {
                        callee,
                        span: span_of(call),
                        binding: Binding::Returned(qualname),
                        mounted_locally: false,
                        wiring: 0,
                    });
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str) -> AppFacts {
        let parsed = ruff_python_parser::parse_module(src).expect("valid python");
        let summary = ModuleSummary::extract(0, "app.main", false, parsed.syntax());
        AppFacts::extract(&summary, parsed.syntax())
    }

    #[test]
    fn teardown() {
        let t = |src: &str| {
            let parsed = ruff_python_parser::parse_module(src).expect("valid python");
            match &parsed.syntax().body[0] {
                Stmt::FunctionDef(f) => teardown_after_yield(&f.body),
                _ => panic!("a function"),
            }
        };
        assert_eq!(t("async def f(app):\n    x = 1\n    yield\n"), Some(false));
        assert_eq!(
            t("async def f(app):\n    yield\n    await engine.dispose()\n"),
            Some(true)
        );
        assert_eq!(
            t("async def f(app):\n    try:\n        yield\n    finally:\n        close()\n"),
            Some(true)
        );
        assert_eq!(
            t("async def f(app):\n    async with x() as y:\n        yield {'y': y}\n"),
            Some(true)
        );
        assert_eq!(t("def f():\n    return 1\n"), None);
        // Prefect's lifespan: an early `yield; return`, then the real one in a `with` block.
        assert_eq!(
            t("async def f(app):\n    if ran:\n        yield\n        return\n    async with stack():\n        yield\n"),
            Some(true)
        );
        assert_eq!(
            t("async def f(app):\n    if ran:\n        yield\n        return\n    await setup()\n    yield\n"),
            Some(false)
        );
    }

    #[test]
    fn apps_and_bindings() {
        let f = facts(
            "from fastapi import FastAPI\nfrom .api import create_api\napp = FastAPI()\ndef create_app(path='/healthz'):\n    a = FastAPI(lifespan=None)\n    sub = create_api()\n    a.mount('/api', sub)\n    @a.get(path)\n    def h():\n        pass\n    return a\nx = {'app': FastAPI()}\n",
        );
        assert_eq!(f.apps.len(), 2);
        assert_eq!(f.apps[0].binding, Binding::Global("app.main.app".into()));
        assert_eq!(
            f.apps[1].binding,
            Binding::Returned("app.main.create_app".into())
        );
        assert_eq!(
            f.mounts,
            vec![Mounted::CallResult("app.api.create_api".into())]
        );
        assert!(f.route_paths.contains(&"/healthz".to_string()));
        assert!(f.lifespans.is_empty());
    }
}
