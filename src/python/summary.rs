//! What one Python module contributes to the project index, extracted while its tree is alive:
//! its imports and top-level names, and the FastAPI declarations it makes.

use super::{dotted, span_of, string_value};
use crate::source::{FileId, Span};
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ModModule, Stmt};
// FxHash: names are looked up on every call the rules resolve; SipHash showed in profiles.
use rustc_hash::FxHashMap as HashMap;

/// What a top-level name of a module is.
#[derive(Debug, Clone)]
pub enum Def {
    /// `import x as y` / `from m import x as y`: the qualified name it stands for.
    Import(String),
    Function(FunctionDef),
    /// `class X(Base, …)`: bases as qualified names.
    Class {
        bases: Vec<String>,
        span: Span,
    },
    /// `x = callee(…)`: the qualified callee and the keywords passed, with their value when it
    /// is a string literal (`prefix="/api"`).
    Call {
        callee: String,
        span: Span,
        keywords: Vec<(String, Option<String>)>,
    },
    Other,
}

#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub is_async: bool,
    /// Contains `yield` (a generator: a FastAPI dependency with teardown).
    pub yields: bool,
    /// Qualified callees of the calls it makes (not of nested functions).
    pub calls: Vec<String>,
    /// Qualified names its parameters' annotations spell (`Session`, `AsyncSession`).
    pub annotations: Vec<String>,
    /// Qualified return annotation (`Generator[Session, …]` gives its dotted head and args).
    pub returns: Vec<String>,
    pub span: Span,
}

/// `@<owner>.<method>(path, …)` on a function, or `<owner>.add_api_route(path, fn)`.
#[derive(Debug, Clone)]
pub struct RouteDecl {
    /// Qualified name of the object the decorator is called on.
    pub owner: String,
    pub method: String,
    pub path: Option<String>,
    /// The handler's local name in this module.
    pub function: String,
    pub is_async: bool,
    /// The `def` line (the handler's name).
    pub span: Span,
}

/// `<parent>.include_router(<child>, prefix=…)`.
#[derive(Debug, Clone)]
pub struct IncludeDecl {
    pub parent: String,
    pub child: String,
    pub prefix: Option<String>,
}

/// A call on an app or router object that configures it: `add_exception_handler`,
/// `exception_handler` (decorator), `add_middleware`, `middleware` (decorator), `mount`,
/// `on_event`, `include_router` is kept apart in [`IncludeDecl`].
#[derive(Debug, Clone)]
pub struct AppCall {
    pub owner: String,
    pub method: String,
    /// Qualified name of the first argument when it is a name (`CORSMiddleware`).
    pub first_arg: Option<String>,
    pub keywords: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct ModuleSummary {
    pub file: FileId,
    pub module: String,
    /// The package relative imports start from.
    pub package: String,
    pub names: HashMap<String, Def>,
    /// Every import anywhere in the module (function-level ones too): local name -> target.
    pub imports: HashMap<String, String>,
    pub routes: Vec<RouteDecl>,
    pub includes: Vec<IncludeDecl>,
    pub app_calls: Vec<AppCall>,
    /// What the module contributes to the app-wide rules (apps wherever built, mounts,
    /// shutdown paths, engines and Redis clients, external names used).
    pub app: super::app_facts::AppFacts,
    /// Top-level type aliases (`SessionDep = Annotated[Session, Depends(get_db)]`,
    /// `type SessionDep = …`), so a parameter annotated with the alias is understood.
    pub type_aliases: HashMap<String, TypeAlias>,
    /// Top-level `x = f(…)`: the arguments that are names, qualified, keyed by keyword or by
    /// position (`"0"`, `"1"`): `sessionmaker(engine, class_=AsyncSession)` gives
    /// `class_` -> `sqlalchemy.ext.asyncio.AsyncSession`.
    pub call_name_args: HashMap<String, Vec<(String, String)>>,
    /// Top-level functions' decorators, qualified (`@celery_app.task(bind=True)` ->
    /// `app.worker.celery_app.task`).
    pub decorators: HashMap<String, Vec<String>>,
    /// Top-level functions: the qualified callees whose results they return or yield
    /// (`db = SessionLocal(); yield db`, `with Session(engine) as s: yield s`,
    /// `return SessionLocal()`, `yield from get_session()`), i.e. what they hand out.
    pub hands_out: HashMap<String, Vec<String>>,
    /// Calls assigned to names inside functions (`def create_app(): app = FastAPI()`), keyed
    /// by their path in the module (`create_app.app`); `<module>.create_app.app` is how
    /// declarations in that function name them.
    pub local_names: HashMap<String, Def>,
    /// While extracting: the enclosing functions' paths and the names they assign.
    scopes: Vec<(String, Vec<String>)>,
    /// Top-level names and class attributes bound to literals (see [`super::constants`]).
    pub constants: std::collections::HashMap<String, super::constants::Constant>,
    /// The module has a top-level `if __name__ == "__main__":` block: it is run as a program.
    pub main_guard: bool,
}

/// What a type alias spells: the qualified names of its annotation and the callables its
/// `Depends(...)` / `Security(...)` metadata names.
#[derive(Debug, Clone, Default)]
pub struct TypeAlias {
    pub names: Vec<String>,
    pub depends: Vec<String>,
}

/// Route decorators and methods of FastAPI apps and routers.
pub(crate) const ROUTE_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "trace",
    "api_route",
    "websocket",
];
const APP_CALLS: &[&str] = &[
    "add_exception_handler",
    "exception_handler",
    "add_middleware",
    "middleware",
    "mount",
    "on_event",
];

impl ModuleSummary {
    /// Qualifies a dotted name as written in this module through its imports; a local
    /// top-level name becomes `module.name`; builtins and unknown names stay as written.
    pub fn qualify(&self, written: &str) -> String {
        let (head, rest) = match written.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (written, None),
        };
        let base = if let Some(target) = self.imports.get(head) {
            target.clone()
        } else if self.names.contains_key(head) {
            if self.module.is_empty() {
                head.to_string()
            } else {
                format!("{}.{head}", self.module)
            }
        } else {
            head.to_string()
        };
        match rest {
            Some(r) => format!("{base}.{r}"),
            None => base,
        }
    }

    pub fn qualify_expr(&self, expr: &Expr) -> Option<String> {
        dotted(expr).map(|d| self.qualify(&d))
    }

    /// Extracts the summary of a parsed module.
    pub fn extract(file: FileId, module: &str, is_package: bool, ast: &ModModule) -> ModuleSummary {
        let package = if is_package {
            module.to_string()
        } else {
            module
                .rsplit_once('.')
                .map_or(String::new(), |(p, _)| p.to_string())
        };
        let mut summary = ModuleSummary {
            file,
            module: module.to_string(),
            package,
            ..ModuleSummary::default()
        };
        // Imports first, anywhere in the module, so every later name resolves through them.
        let mut imports = ImportCollector {
            summary: &mut summary,
        };
        for stmt in &ast.body {
            imports.visit_stmt(stmt);
        }
        for stmt in &ast.body {
            summary.top_level(stmt);
        }
        for stmt in &ast.body {
            summary.declarations(stmt);
        }
        summary.app = super::app_facts::AppFacts::extract(&summary, ast);
        summary.constants = super::constants::collect(ast);
        summary.main_guard = ast
            .body
            .iter()
            .any(|stmt| matches!(stmt, Stmt::If(i) if is_main_guard(&i.test)));
        summary
    }

    fn resolve_relative(&self, level: u32, module: Option<&str>) -> String {
        if level == 0 {
            return module.unwrap_or("").to_string();
        }
        let mut base: Vec<&str> = if self.package.is_empty() {
            Vec::new()
        } else {
            self.package.split('.').collect()
        };
        for _ in 1..level {
            base.pop();
        }
        let mut out = base.join(".");
        if let Some(m) = module {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(m);
        }
        out
    }

    /// Top-level names (also inside top-level `if`/`try` blocks, where optional imports and
    /// fallbacks live).
    fn top_level(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                let def = self.function_def(f);
                let decorators = f
                    .decorator_list
                    .iter()
                    .filter_map(|d| match &d.expression {
                        Expr::Call(call) => self.qualify_expr(&call.func),
                        other => self.qualify_expr(other),
                    })
                    .collect();
                self.decorators.insert(f.name.id.to_string(), decorators);
                let mut handed = HandedOut {
                    summary: self,
                    locals: HashMap::default(),
                    out: Vec::new(),
                };
                for st in &f.body {
                    handed.visit_stmt(st);
                }
                let out = handed.out;
                self.hands_out.insert(f.name.id.to_string(), out);
                self.names.insert(f.name.id.to_string(), Def::Function(def));
            }
            Stmt::TypeAlias(t) => {
                if let Expr::Name(n) = t.name.as_ref() {
                    let alias = self.type_alias(&t.value);
                    self.type_aliases.insert(n.id.to_string(), alias);
                }
            }
            Stmt::ClassDef(c) => {
                let bases = c
                    .arguments
                    .as_ref()
                    .map(|a| a.args.iter().filter_map(|b| self.qualify_expr(b)).collect())
                    .unwrap_or_default();
                self.names.insert(
                    c.name.id.to_string(),
                    Def::Class {
                        bases,
                        span: span_of(&c.name),
                    },
                );
            }
            Stmt::Assign(a) => {
                for target in &a.targets {
                    if let Expr::Name(n) = target {
                        let def = self.value_def(&a.value);
                        self.names.insert(n.id.to_string(), def);
                        self.value_extras(n.id.as_str(), &a.value);
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(value)) = (a.target.as_ref(), a.value.as_ref()) {
                    let def = self.value_def(value);
                    self.names.insert(n.id.to_string(), def);
                    self.value_extras(n.id.as_str(), value);
                }
            }
            Stmt::If(i) => {
                for s in &i.body {
                    self.top_level(s);
                }
                for clause in &i.elif_else_clauses {
                    for s in &clause.body {
                        self.top_level(s);
                    }
                }
            }
            Stmt::Try(t) => {
                for s in t
                    .body
                    .iter()
                    .chain(t.orelse.iter())
                    .chain(t.finalbody.iter())
                {
                    self.top_level(s);
                }
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                for (local, target) in local_imports(stmt, self) {
                    self.names.insert(local, Def::Import(target));
                }
            }
            _ => {}
        }
    }

    /// Type aliases and name arguments of a top-level assignment (see the fields).
    fn value_extras(&mut self, name: &str, value: &Expr) {
        match value {
            Expr::Subscript(_) => {
                let alias = self.type_alias(value);
                self.type_aliases.insert(name.to_string(), alias);
            }
            Expr::Call(call) => {
                let args = &call.arguments;
                let positional = args
                    .args
                    .iter()
                    .enumerate()
                    .filter_map(|(i, a)| Some((i.to_string(), self.qualify_expr(a)?)));
                let keywords = args.keywords.iter().filter_map(|k| {
                    let arg = k.arg.as_ref()?;
                    Some((arg.id.to_string(), self.qualify_expr(&k.value)?))
                });
                let found: Vec<(String, String)> = positional.chain(keywords).collect();
                if !found.is_empty() {
                    self.call_name_args.insert(name.to_string(), found);
                }
            }
            _ => {}
        }
    }

    fn type_alias(&self, value: &Expr) -> TypeAlias {
        let mut alias = TypeAlias {
            names: annotation_names(self, value),
            depends: Vec::new(),
        };
        let mut stack = vec![value];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Subscript(s) => stack.push(&s.slice),
                Expr::Tuple(t) => stack.extend(t.elts.iter()),
                Expr::Call(call) => alias.depends.extend(depends_target(self, call)),
                _ => {}
            }
        }
        alias
    }

    fn value_def(&self, value: &Expr) -> Def {
        match value {
            Expr::Call(call) => match self.qualify_expr(&call.func) {
                Some(callee) => Def::Call {
                    callee,
                    span: span_of(call),
                    keywords: call
                        .arguments
                        .keywords
                        .iter()
                        .filter_map(|k| {
                            k.arg
                                .as_ref()
                                .map(|a| (a.id.to_string(), string_value(&k.value)))
                        })
                        .collect(),
                },
                None => Def::Other,
            },
            _ => Def::Other,
        }
    }

    fn function_def(&self, f: &ruff_python_ast::StmtFunctionDef) -> FunctionDef {
        let mut body = BodyCollector {
            summary: self,
            calls: Vec::new(),
            yields: false,
        };
        for s in &f.body {
            body.visit_stmt(s);
        }
        let mut annotations = Vec::new();
        for p in f.parameters.iter() {
            if let Some(ann) = p.annotation() {
                annotations.extend(annotation_names(self, ann));
            }
        }
        FunctionDef {
            is_async: f.is_async,
            yields: body.yields,
            calls: body.calls,
            annotations,
            returns: f
                .returns
                .as_deref()
                .map(|r| annotation_names(self, r))
                .unwrap_or_default(),
            span: span_of(&f.name),
        }
    }

    /// Records a function's route decorators (`@router.get("/x")`) and, when `app_calls`, its
    /// app configuration decorators (`@app.middleware("http")`).
    fn route_decorators(&mut self, f: &ruff_python_ast::StmtFunctionDef, app_calls: bool) {
        for decorator in &f.decorator_list {
            let (func, args) = match &decorator.expression {
                Expr::Call(call) => (call.func.as_ref(), Some(&call.arguments)),
                other => (other, None),
            };
            let Expr::Attribute(attr) = func else {
                continue;
            };
            let method = attr.attr.id.as_str();
            let Some(owner) = self.qualify_local(&attr.value) else {
                continue;
            };
            if ROUTE_METHODS.contains(&method) {
                let path = args
                    .and_then(|a| a.find_argument_value("path", 0))
                    .and_then(string_value);
                self.routes.push(RouteDecl {
                    owner,
                    method: method.to_string(),
                    path,
                    function: f.name.id.to_string(),
                    is_async: f.is_async,
                    span: span_of(&f.name),
                });
            } else if app_calls && APP_CALLS.contains(&method) {
                self.app_calls.push(AppCall {
                    owner,
                    method: method.to_string(),
                    first_arg: args
                        .and_then(|a| a.args.first())
                        .and_then(|e| self.qualify_expr(e)),
                    keywords: Vec::new(),
                    span: span_of(&decorator.expression),
                });
            }
        }
    }

    /// Route decorators, include_router calls and app configuration calls, at the top level
    /// and inside top-level `if`/`try` blocks and functions that build apps (`create_app()`).
    fn declarations(&mut self, stmt: &Stmt) {
        match stmt {
            // Class-based views (fastapi-utils' `@cbv(router)` and the like): methods decorated
            // `@router.get(...)` in a class body are registered on the router like functions.
            Stmt::ClassDef(c) if self.scopes.is_empty() => {
                for s in &c.body {
                    if let Stmt::FunctionDef(method) = s {
                        self.route_decorators(method, false);
                    }
                }
            }
            Stmt::FunctionDef(f) => {
                self.route_decorators(f, true);
                // Factories (`def create_app(): app = FastAPI(); app.include_router(…)`).
                let path = match self.scopes.last() {
                    Some((outer, _)) => format!("{outer}.{}", f.name.id),
                    None => f.name.id.to_string(),
                };
                let mut assigned = Vec::new();
                self.local_assignments(&f.body, &path, &mut assigned);
                self.scopes.push((path, assigned));
                for s in &f.body {
                    self.declarations(s);
                }
                self.scopes.pop();
            }
            Stmt::Expr(e) => {
                if let Expr::Call(call) = e.value.as_ref() {
                    self.call_declaration(call);
                }
            }
            Stmt::If(i) => {
                for s in i
                    .body
                    .iter()
                    .chain(i.elif_else_clauses.iter().flat_map(|c| c.body.iter()))
                {
                    self.declarations(s);
                }
            }
            Stmt::Try(t) => {
                for s in t
                    .body
                    .iter()
                    .chain(t.orelse.iter())
                    .chain(t.finalbody.iter())
                {
                    self.declarations(s);
                }
            }
            Stmt::With(w) => {
                for s in &w.body {
                    self.declarations(s);
                }
            }
            _ => {}
        }
    }

    /// Records `x = call(…)` statements of a function body (not of nested functions) as
    /// local names of the function at `path`.
    fn local_assignments(&mut self, body: &[Stmt], path: &str, assigned: &mut Vec<String>) {
        for stmt in body {
            let (targets, value): (Vec<&Expr>, &Expr) = match stmt {
                Stmt::Assign(a) => (a.targets.iter().collect(), &a.value),
                Stmt::AnnAssign(a) => match &a.value {
                    Some(v) => (vec![a.target.as_ref()], v),
                    None => continue,
                },
                Stmt::If(i) => {
                    self.local_assignments(&i.body, path, assigned);
                    for c in &i.elif_else_clauses {
                        self.local_assignments(&c.body, path, assigned);
                    }
                    continue;
                }
                Stmt::Try(t) => {
                    self.local_assignments(&t.body, path, assigned);
                    self.local_assignments(&t.orelse, path, assigned);
                    continue;
                }
                Stmt::With(w) => {
                    self.local_assignments(&w.body, path, assigned);
                    continue;
                }
                _ => continue,
            };
            if !matches!(value, Expr::Call(_)) {
                continue;
            }
            for t in targets {
                if let Expr::Name(n) = t {
                    let def = self.value_def(value);
                    self.local_names.insert(format!("{path}.{}", n.id), def);
                    assigned.push(n.id.to_string());
                }
            }
        }
    }

    /// Like [`ModuleSummary::qualify_expr`], but a name assigned in an enclosing function
    /// being extracted becomes `<module>.<function path>.<name>`.
    fn qualify_local(&self, expr: &Expr) -> Option<String> {
        let written = dotted(expr)?;
        let (head, rest) = match written.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (written.as_str(), None),
        };
        for (path, names) in self.scopes.iter().rev() {
            if names.iter().any(|n| n == head) {
                let mut q = if self.module.is_empty() {
                    format!("{path}.{head}")
                } else {
                    format!("{}.{path}.{head}", self.module)
                };
                if let Some(r) = rest {
                    q.push('.');
                    q.push_str(r);
                }
                return Some(q);
            }
        }
        Some(self.qualify(&written))
    }

    fn call_declaration(&mut self, call: &ruff_python_ast::ExprCall) {
        let Expr::Attribute(attr) = call.func.as_ref() else {
            return;
        };
        let method = attr.attr.id.as_str();
        let Some(owner) = self.qualify_local(&attr.value) else {
            return;
        };
        let args = &call.arguments;
        match method {
            "include_router" => {
                let Some(child) = args
                    .find_argument_value("router", 0)
                    .and_then(|e| self.qualify_local(e))
                else {
                    return;
                };
                let prefix = args
                    .find_keyword("prefix")
                    .and_then(|k| string_value(&k.value));
                self.includes.push(IncludeDecl {
                    parent: owner,
                    child,
                    prefix,
                });
            }
            "add_api_route" | "add_api_websocket_route" => {
                let path = args.find_argument_value("path", 0).and_then(string_value);
                let Some(endpoint) = args.find_argument_value("endpoint", 1).and_then(dotted)
                else {
                    return;
                };
                let is_async =
                    matches!(self.names.get(&endpoint), Some(Def::Function(f)) if f.is_async);
                let method = args
                    .find_keyword("methods")
                    .and_then(|k| match &k.value {
                        Expr::List(l) => l.elts.first().and_then(string_value),
                        _ => None,
                    })
                    .map_or("api_route".to_string(), |m| m.to_ascii_lowercase());
                self.routes.push(RouteDecl {
                    owner,
                    method,
                    path,
                    function: endpoint,
                    is_async,
                    span: span_of(call),
                });
            }
            m if APP_CALLS.contains(&m) => {
                self.app_calls.push(AppCall {
                    owner,
                    method: m.to_string(),
                    first_arg: args.args.first().and_then(|e| self.qualify_expr(e)),
                    keywords: args
                        .keywords
                        .iter()
                        .filter_map(|k| k.arg.as_ref().map(|a| a.id.to_string()))
                        .collect(),
                    span: span_of(call),
                });
            }
            _ => {}
        }
    }
}

/// The qualified callable a `Depends(get_db)` / `Security(get_user, scopes=…)` call names
/// (positional or `dependency=`), when the call is one.
pub fn depends_target(summary: &ModuleSummary, call: &ruff_python_ast::ExprCall) -> Option<String> {
    let callee = summary.qualify_expr(&call.func)?;
    let last = callee.rsplit('.').next().unwrap_or(&callee);
    if !matches!(last, "Depends" | "Security") {
        return None;
    }
    let target = call.arguments.find_argument_value("dependency", 0)?;
    summary.qualify_expr(target)
}

/// Qualified names an annotation mentions: `Session`, `Annotated[Session, Depends(get_db)]`,
/// `Generator[Session, None, None]`, `Optional[AsyncSession]`.
pub fn annotation_names(summary: &ModuleSummary, ann: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![ann];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Name(_) | Expr::Attribute(_) => out.extend(summary.qualify_expr(e)),
            Expr::Subscript(s) => {
                out.extend(summary.qualify_expr(&s.value));
                stack.push(&s.slice);
            }
            Expr::Tuple(t) => stack.extend(t.elts.iter()),
            Expr::BinOp(b) => {
                stack.push(&b.left);
                stack.push(&b.right);
            }
            Expr::StringLiteral(s) => {
                // A forward reference: "Session".
                let text = s.value.to_str();
                if text
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
                {
                    out.push(summary.qualify(text));
                }
            }
            _ => {}
        }
    }
    out
}

/// (local name, qualified target) of an import statement.
fn local_imports(stmt: &Stmt, summary: &ModuleSummary) -> Vec<(String, String)> {
    match stmt {
        Stmt::Import(i) => i
            .names
            .iter()
            .map(|alias| {
                let full = alias.name.id.to_string();
                match &alias.asname {
                    Some(asname) => (asname.id.to_string(), full),
                    // `import a.b` binds `a`, which stands for the package `a`.
                    None => {
                        let head = full.split('.').next().unwrap_or(&full).to_string();
                        (head.clone(), head)
                    }
                }
            })
            .collect(),
        Stmt::ImportFrom(i) => {
            let base = summary.resolve_relative(i.level, i.module.as_ref().map(|m| m.id.as_str()));
            i.names
                .iter()
                .filter(|a| a.name.id.as_str() != "*")
                .map(|alias| {
                    let name = alias.name.id.to_string();
                    let local = alias
                        .asname
                        .as_ref()
                        .map_or(name.clone(), |a| a.id.to_string());
                    let target = if base.is_empty() {
                        name
                    } else {
                        format!("{base}.{name}")
                    };
                    (local, target)
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

struct ImportCollector<'s> {
    summary: &'s mut ModuleSummary,
}

impl<'a> Visitor<'a> for ImportCollector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
            for (local, target) in local_imports(stmt, self.summary) {
                self.summary.imports.entry(local).or_insert(target);
            }
            return;
        }
        walk_stmt(self, stmt);
    }
}

/// What a function body returns or yields, as the qualified callees that produced it, not
/// descending into nested functions. Names are followed to the call they were bound to
/// (flow-insensitively: every call bound to the name counts).
struct HandedOut<'s> {
    summary: &'s ModuleSummary,
    locals: HashMap<String, Vec<String>>,
    out: Vec<String>,
}

impl HandedOut<'_> {
    fn callee(&self, value: &Expr) -> Option<String> {
        match value {
            Expr::Call(c) => self.summary.qualify_expr(&c.func),
            Expr::Await(a) => self.callee(&a.value),
            _ => None,
        }
    }

    fn bind(&mut self, target: &Expr, value: &Expr) {
        if let (Expr::Name(n), Some(callee)) = (target, self.callee(value)) {
            self.locals
                .entry(n.id.to_string())
                .or_default()
                .push(callee);
        }
    }

    fn hand_out(&mut self, value: &Expr) {
        match value {
            Expr::Name(n) => {
                if let Some(callees) = self.locals.get(n.id.as_str()) {
                    self.out.extend(callees.iter().cloned());
                }
            }
            other => self.out.extend(self.callee(other)),
        }
    }
}

impl<'a> Visitor<'a> for HandedOut<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(a) => {
                for t in &a.targets {
                    self.bind(t, &a.value);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.bind(&a.target, v);
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(vars) = &item.optional_vars {
                        self.bind(vars, &item.context_expr);
                    }
                }
            }
            Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    self.hand_out(v);
                }
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Yield(y) => {
                if let Some(v) = &y.value {
                    self.hand_out(v);
                }
            }
            Expr::YieldFrom(y) => self.hand_out(&y.value),
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// Calls and `yield`s in a function body, not descending into nested functions or classes.
struct BodyCollector<'s> {
    summary: &'s ModuleSummary,
    calls: Vec<String>,
    yields: bool,
}

impl<'a> Visitor<'a> for BodyCollector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Yield(_) | Expr::YieldFrom(_) => self.yields = true,
            Expr::Call(call) => {
                if let Some(q) = self.summary.qualify_expr(&call.func) {
                    self.calls.push(q);
                }
            }
            Expr::Lambda(_) => return,
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// `if __name__ == "__main__":` (either order).
pub fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(c) = test else {
        return false;
    };
    if c.ops.as_ref() != [ruff_python_ast::CmpOp::Eq] {
        return false;
    }
    let Some(right) = c.comparators.first() else {
        return false;
    };
    let sides = [&*c.left, right];
    let name = sides
        .iter()
        .any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__"));
    let main = sides
        .iter()
        .any(|e| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__"));
    name && main
}
