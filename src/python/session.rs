//! Synchronous and asynchronous SQLAlchemy sessions: which names inside a function hold one.
//!
//! A session is synchronous when it is annotated `Session` (`sqlalchemy.orm`, `sqlmodel`), is
//! built from a `sessionmaker(...)` / `scoped_session(...)` factory or `Session(engine)`, or
//! comes from a dependency (`Depends(get_db)`, also inside `Annotated[...]` and type aliases)
//! whose function returns or yields one; `AsyncSession`, `async_sessionmaker(...)` and
//! `sessionmaker(class_=AsyncSession)` make it asynchronous. Calls on a synchronous session
//! do blocking database I/O; on an asynchronous one they are awaited coroutines.

use super::index::{PythonIndex, Target};
use super::summary::{annotation_names, depends_target, Def, ModuleSummary};
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ParameterWithDefault, Stmt, StmtFunctionDef};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Sync,
    Async,
}

/// Session classes: an instance is a session of that kind.
const SYNC_CLASSES: &[&str] = &[
    "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.Session",
    "sqlmodel.Session",
    "sqlmodel.orm.session.Session",
    // A `scoped_session` registry proxies every Session method to the thread's session.
    "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.scoping.scoped_session",
];
const ASYNC_CLASSES: &[&str] = &[
    "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.session.AsyncSession",
    "sqlmodel.ext.asyncio.session.AsyncSession",
    "sqlalchemy.ext.asyncio.async_scoped_session",
    "sqlalchemy.ext.asyncio.scoping.async_scoped_session",
];
/// Factories: calling the object they build returns a session.
const SYNC_FACTORIES: &[&str] = &[
    "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.session.sessionmaker",
    "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.scoping.scoped_session",
];
const ASYNC_FACTORIES: &[&str] = &[
    "sqlalchemy.ext.asyncio.async_sessionmaker",
    "sqlalchemy.ext.asyncio.session.async_sessionmaker",
    "sqlalchemy.ext.asyncio.async_scoped_session",
    "sqlalchemy.ext.asyncio.scoping.async_scoped_session",
];

/// The kind of session an instance of a class is (project subclasses of `Session` too).
pub fn class_kind(index: &PythonIndex, qualname: &str) -> Option<SessionKind> {
    let mut current = vec![index.canonical(qualname)];
    for _ in 0..8 {
        let mut next = Vec::new();
        for name in &current {
            if SYNC_CLASSES.contains(&name.as_str()) {
                return Some(SessionKind::Sync);
            }
            if ASYNC_CLASSES.contains(&name.as_str()) {
                return Some(SessionKind::Async);
            }
            if let Target::Name(_, _, Def::Class { bases, .. }) = index.resolve(name) {
                next.extend(bases.iter().map(|b| index.canonical(b)));
            }
        }
        if next.is_empty() {
            return None;
        }
        current = next;
    }
    None
}

/// The kind of session that a module-level factory object (`SessionLocal = sessionmaker(...)`)
/// builds. `sessionmaker(engine, class_=AsyncSession)` (the SQLAlchemy 1.4 spelling) builds
/// async sessions.
fn factory_kind(
    index: &PythonIndex,
    module: &ModuleSummary,
    name: &str,
    callee: &str,
) -> Option<SessionKind> {
    let callee = index.canonical(callee);
    if ASYNC_FACTORIES.contains(&callee.as_str()) {
        return Some(SessionKind::Async);
    }
    if !SYNC_FACTORIES.contains(&callee.as_str()) {
        return None;
    }
    // `sessionmaker(bind=None, class_=Session, …)`: class_ is the second positional argument.
    let class = module.call_name_args.get(name).and_then(|args| {
        args.iter()
            .find(|(k, _)| k == "class_" || (k == "1" && callee.ends_with("sessionmaker")))
            .map(|(_, v)| v.clone())
    });
    match class {
        Some(class) => class_kind(index, &class).or(Some(SessionKind::Sync)),
        None => Some(SessionKind::Sync),
    }
}

/// The kind of session a call to `callee(...)` returns: `Session(engine)`,
/// `AsyncSession(engine)`, `SessionLocal()` on a factory, `SessionLocal.begin()`.
pub fn created_kind(index: &PythonIndex, callee: &str) -> Option<SessionKind> {
    if let Some(kind) = class_kind(index, callee) {
        // Calling a scoped_session registry returns the session, as calling the class does.
        return Some(kind);
    }
    let factory = callee.strip_suffix(".begin").unwrap_or(callee);
    match index.resolve(factory) {
        Target::Name(m, name, Def::Call { callee, .. }) => factory_kind(index, m, name, callee),
        _ => None,
    }
}

/// The kind of session a module-level object is: `db = SessionLocal()` or a `scoped_session`.
pub fn object_kind(index: &PythonIndex, qualname: &str) -> Option<SessionKind> {
    match index.resolve(qualname) {
        Target::Name(m, name, Def::Call { callee, .. }) => {
            let canonical = index.canonical(callee);
            if canonical.ends_with("scoped_session") {
                return factory_kind(index, m, name, callee);
            }
            created_kind(index, callee)
        }
        _ => None,
    }
}

/// The kind of session a dependency function gives (`Depends(get_db)`): from its return
/// annotation (`Generator[Session, None, None]`), else from what it returns or yields: a
/// session it builds (`db = SessionLocal(); yield db`) or another provider's
/// (`yield from get_session()`). `None` when it gives no session or the evidence disagrees.
pub fn dependency_kind(index: &PythonIndex, qualname: &str) -> Option<SessionKind> {
    dependency_kind_at(index, qualname, 0)
}

fn dependency_kind_at(index: &PythonIndex, qualname: &str, depth: usize) -> Option<SessionKind> {
    if depth > 4 {
        return None;
    }
    let (m, f) = index.function(qualname)?;
    if let Some(kind) = f.returns.iter().find_map(|r| class_kind(index, r)) {
        return Some(kind);
    }
    // Only what the function hands out: a dependency that opens a session to load the user
    // and returns the user gives a user, not a session.
    let canonical = index.canonical(qualname);
    let name = canonical.rsplit('.').next().unwrap_or(&canonical);
    let mut found: Option<SessionKind> = None;
    for callee in m.hands_out.get(name).into_iter().flatten() {
        let kind = created_kind(index, callee).or_else(|| {
            (index.canonical(callee) != canonical)
                .then(|| dependency_kind_at(index, callee, depth + 1))?
        });
        match (found, kind) {
            (_, None) => {}
            (None, Some(k)) => found = Some(k),
            (Some(a), Some(b)) if a != b => return None,
            _ => {}
        }
    }
    found
}

/// `Depends(get_db)` / `Security(...)` calls anywhere inside an annotation's subscripts
/// (`Annotated[Session, Depends(get_db)]`).
fn annotation_depends(summary: &ModuleSummary, ann: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![ann];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Subscript(s) => stack.push(&s.slice),
            Expr::Tuple(t) => stack.extend(t.elts.iter()),
            Expr::Call(call) => out.extend(depends_target(summary, call)),
            _ => {}
        }
    }
    out
}

/// The kind of session a parameter receives: through its dependency when it has one (what
/// FastAPI passes at run time), else through its annotation (type aliases such as
/// `SessionDep = Annotated[Session, Depends(get_db)]` included).
pub fn parameter_kind(
    index: &PythonIndex,
    summary: &ModuleSummary,
    param: &ParameterWithDefault,
) -> Option<SessionKind> {
    let mut depends = Vec::new();
    if let Some(Expr::Call(call)) = param.default.as_deref() {
        depends.extend(depends_target(summary, call));
    }
    let Some(ann) = param.parameter.annotation.as_deref() else {
        return kind_of(index, &depends, &[]);
    };
    depends.extend(annotation_depends(summary, ann));
    let (alias_depends, classes) = through_aliases(index, annotation_names(summary, ann));
    depends.extend(alias_depends);
    kind_of(index, &depends, &classes)
}

/// A dependency's session first (what FastAPI passes at run time), else the annotated class's.
fn kind_of(index: &PythonIndex, depends: &[String], classes: &[String]) -> Option<SessionKind> {
    depends
        .iter()
        .find_map(|d| dependency_kind(index, d))
        .or_else(|| classes.iter().find_map(|c| class_kind(index, c)))
}

/// Annotation names with type aliases opened (`SessionDep = Annotated[Session,
/// Depends(get_db)]`): the dependencies the aliases carry, and every name (the aliases' own and
/// the ones written).
fn through_aliases(index: &PythonIndex, names: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut depends = Vec::new();
    let mut classes = Vec::new();
    for name in names {
        let canonical = index.canonical(&name);
        if let Some(alias) = type_alias(index, &canonical) {
            depends.extend(alias.depends.iter().cloned());
            classes.extend(alias.names.iter().cloned());
        }
        classes.push(name);
    }
    (depends, classes)
}

/// The kind of session a function's parameters get from the qualified names their annotations
/// spell (a function summary's `annotations`), type aliases followed. What a `Depends(...)`
/// default gives is not in a summary; this reads annotations only.
pub fn annotations_kind(index: &PythonIndex, names: &[String]) -> Option<SessionKind> {
    let (depends, classes) = through_aliases(index, names.to_vec());
    kind_of(index, &depends, &classes)
}

fn type_alias<'i>(
    index: &'i PythonIndex,
    canonical: &str,
) -> Option<&'i super::summary::TypeAlias> {
    let (module, name) = canonical.rsplit_once('.')?;
    index.module(module)?.type_aliases.get(name)
}

/// How a name is bound in a function's own body (nested functions and lambdas excluded).
#[derive(Debug, Clone, Copy)]
pub enum Bound<'a> {
    /// A parameter.
    Param(&'a ParameterWithDefault),
    /// `x = <value>` or `x: T = <value>`.
    Value(&'a Expr),
    /// `with <context> as x` / `async with <context> as x`.
    With(&'a Expr),
    /// Any other binding: `for x in`, `except E as x`, tuple targets, augmented assignment.
    Other,
}

/// The names a function binds itself (not its imports), with how each is bound. A name bound
/// here is local: it shadows the module's imports of the same name.
#[derive(Debug, Default)]
pub struct Bindings<'a> {
    pub names: HashMap<&'a str, Vec<Bound<'a>>>,
    /// Attribute targets the function assigns (`request.state.db = SessionLocal()`), by their
    /// dotted text: per-request state a middleware keeps on the request.
    pub attributes: HashMap<String, Vec<Bound<'a>>>,
}

impl<'a> Bindings<'a> {
    pub fn of(f: &'a StmtFunctionDef) -> Bindings<'a> {
        let mut b = Bindings::default();
        for p in f
            .parameters
            .posonlyargs
            .iter()
            .chain(&f.parameters.args)
            .chain(&f.parameters.kwonlyargs)
        {
            b.add(p.parameter.name.id.as_str(), Bound::Param(p));
        }
        for p in [&f.parameters.vararg, &f.parameters.kwarg]
            .into_iter()
            .flatten()
        {
            b.add(p.name.id.as_str(), Bound::Other);
        }
        let mut collector = BindingCollector { out: &mut b };
        for s in &f.body {
            collector.visit_stmt(s);
        }
        b
    }

    fn add(&mut self, name: &'a str, bound: Bound<'a>) {
        self.names.entry(name).or_default().push(bound);
    }

    pub fn is_local(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }

    /// The session kind of a local name (or an attribute path the function assigns,
    /// `request.state.db`), when every binding of it agrees.
    pub fn session_kind(
        &self,
        index: &PythonIndex,
        summary: &ModuleSummary,
        name: &str,
    ) -> Option<SessionKind> {
        let bounds = match self.names.get(name) {
            Some(b) => b,
            None => self.attributes.get(name)?,
        };
        let mut kind = None;
        for bound in bounds {
            let k = match bound {
                Bound::Param(p) => parameter_kind(index, summary, p),
                Bound::Value(v) | Bound::With(v) => value_kind(index, summary, v)
                    .or_else(|| self.local_factory_kind(index, summary, v)),
                Bound::Other => None,
            };
            match (kind, k) {
                (_, None) => return None,
                (None, Some(k)) => kind = Some(k),
                (Some(a), Some(b)) if a != b => return None,
                _ => {}
            }
        }
        kind
    }
}

impl Bindings<'_> {
    /// `factory = sessionmaker(bind=engine)` in the function, then `factory()`: the kind of
    /// session a factory built in the function gives.
    fn local_factory_kind(
        &self,
        index: &PythonIndex,
        summary: &ModuleSummary,
        value: &Expr,
    ) -> Option<SessionKind> {
        let Expr::Call(call) = value else {
            return None;
        };
        let Expr::Name(factory) = call.func.as_ref() else {
            return None;
        };
        let [Bound::Value(Expr::Call(built))] = self.names.get(factory.id.as_str())?.as_slice()
        else {
            return None;
        };
        let callee = index.canonical(&summary.qualify_expr(&built.func)?);
        if ASYNC_FACTORIES.contains(&callee.as_str()) {
            return Some(SessionKind::Async);
        }
        if !SYNC_FACTORIES.contains(&callee.as_str()) {
            return None;
        }
        let class = built
            .arguments
            .find_keyword("class_")
            .map(|k| &k.value)
            .or_else(|| {
                callee
                    .ends_with("sessionmaker")
                    .then(|| built.arguments.args.get(1))
                    .flatten()
            })
            .and_then(|e| summary.qualify_expr(e));
        match class {
            Some(class) => class_kind(index, &class).or(Some(SessionKind::Sync)),
            None => Some(SessionKind::Sync),
        }
    }
}

/// The session kind of an expression that builds one: `SessionLocal()`, `Session(engine)`,
/// `next(get_db())`, `await`-free forms only.
pub fn value_kind(
    index: &PythonIndex,
    summary: &ModuleSummary,
    value: &Expr,
) -> Option<SessionKind> {
    let Expr::Call(call) = value else {
        return None;
    };
    let callee = summary.qualify_expr(&call.func)?;
    if callee == "next" {
        // `db = next(get_db())`: the session the dependency generator yields.
        let Some(Expr::Call(inner)) = call.arguments.args.first() else {
            return None;
        };
        return dependency_kind(index, &summary.qualify_expr(&inner.func)?);
    }
    created_kind(index, &callee).or_else(|| provider_kind(index, &callee))
}

/// The kind of session a project function hands out when called: a generator that yields
/// one (used as `with get_db() as db` once wrapped in `contextmanager`), a function whose
/// return annotation is a session, or `get_db = contextmanager(get_session)`. A function
/// that merely uses a session inside and returns something else is not a provider.
pub fn provider_kind(index: &PythonIndex, qualname: &str) -> Option<SessionKind> {
    match index.resolve(qualname) {
        Target::Name(_, _, Def::Function(f)) => {
            let provides = f.yields || f.returns.iter().any(|r| class_kind(index, r).is_some());
            provides.then(|| dependency_kind(index, qualname))?
        }
        Target::Name(m, name, Def::Call { callee, .. }) => {
            let wrapper = index.canonical(callee);
            if !matches!(
                wrapper.as_str(),
                "contextlib.contextmanager" | "contextlib.asynccontextmanager"
            ) {
                return None;
            }
            let (_, wrapped) = m.call_name_args.get(name)?.iter().find(|(k, _)| k == "0")?;
            let wrapped = wrapped.clone();
            match index.resolve(&wrapped) {
                Target::Name(_, _, Def::Function(f)) if f.yields => {
                    dependency_kind(index, &wrapped)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

struct BindingCollector<'b, 'a> {
    out: &'b mut Bindings<'a>,
}

impl<'a> BindingCollector<'_, 'a> {
    fn targets(&mut self, target: &'a Expr, bound: Bound<'a>) {
        match target {
            Expr::Name(n) => self.out.add(n.id.as_str(), bound),
            Expr::Tuple(t) => {
                for e in &t.elts {
                    self.targets(e, Bound::Other);
                }
            }
            Expr::List(l) => {
                for e in &l.elts {
                    self.targets(e, Bound::Other);
                }
            }
            Expr::Starred(s) => self.targets(&s.value, Bound::Other),
            Expr::Attribute(_) => {
                if let Some(path) = super::dotted(target) {
                    self.out.attributes.entry(path).or_default().push(bound);
                }
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for BindingCollector<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                self.out.add(f.name.id.as_str(), Bound::Other);
                return;
            }
            Stmt::ClassDef(c) => {
                self.out.add(c.name.id.as_str(), Bound::Other);
                return;
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    self.targets(t, Bound::Value(&a.value));
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.targets(&a.target, Bound::Value(v));
                }
            }
            Stmt::AugAssign(a) => self.targets(&a.target, Bound::Other),
            Stmt::For(f) => self.targets(&f.target, Bound::Other),
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(vars) = &item.optional_vars {
                        self.targets(vars, Bound::With(&item.context_expr));
                    }
                }
            }
            Stmt::Try(t) => {
                for h in &t.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(name) = &h.name {
                        self.out.add(name.id.as_str(), Bound::Other);
                    }
                }
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Named(n) => self.targets(&n.target, Bound::Value(&n.value)),
            _ => {}
        }
        walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::summary::ModuleSummary;

    fn summary(file: usize, module: &str, src: &str) -> ModuleSummary {
        let parsed = ruff_python_parser::parse_module(src).expect("valid python");
        ModuleSummary::extract(file, module, false, parsed.syntax())
    }

    #[test]
    fn factories_and_dependencies() {
        let db = summary(
            0,
            "app.db",
            "from sqlalchemy.orm import sessionmaker, Session\nfrom sqlalchemy.ext.asyncio import async_sessionmaker, AsyncSession\nSessionLocal = sessionmaker(bind=engine)\nAsyncLocal = async_sessionmaker(engine)\nLegacyAsync = sessionmaker(engine, class_=AsyncSession)\ndef get_db():\n    db = SessionLocal()\n    try:\n        yield db\n    finally:\n        db.close()\nasync def get_async():\n    async with AsyncLocal() as s:\n        yield s\ndef get_typed() -> Generator[Session, None, None]:\n    yield x\ndef get_wrapped():\n    yield from get_db()\ndef get_user():\n    db = SessionLocal()\n    user = db.get(User, 1)\n    return user\ndef get_plain():\n    return SessionLocal()\n",
        );
        let index = PythonIndex::new(vec![db]);
        assert_eq!(
            created_kind(&index, "app.db.SessionLocal"),
            Some(SessionKind::Sync)
        );
        assert_eq!(
            created_kind(&index, "app.db.AsyncLocal"),
            Some(SessionKind::Async)
        );
        assert_eq!(
            created_kind(&index, "app.db.LegacyAsync"),
            Some(SessionKind::Async)
        );
        assert_eq!(
            dependency_kind(&index, "app.db.get_db"),
            Some(SessionKind::Sync)
        );
        assert_eq!(
            dependency_kind(&index, "app.db.get_async"),
            Some(SessionKind::Async)
        );
        assert_eq!(
            dependency_kind(&index, "app.db.get_typed"),
            Some(SessionKind::Sync)
        );
        assert_eq!(
            dependency_kind(&index, "app.db.get_wrapped"),
            Some(SessionKind::Sync)
        );
        // Opens a session but hands out a user.
        assert_eq!(dependency_kind(&index, "app.db.get_user"), None);
        assert_eq!(
            dependency_kind(&index, "app.db.get_plain"),
            Some(SessionKind::Sync)
        );
    }
}
