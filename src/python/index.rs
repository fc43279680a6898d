//! The project-wide Python index: modules by name, names resolved across modules, and the
//! FastAPI apps, routers and routes with their full paths.

use super::summary::{Def, FunctionDef, ModuleSummary, RouteDecl};
use crate::source::{FileId, Span};
// FxHash: names are looked up on every call the rules resolve; SipHash showed in profiles.
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

#[derive(Debug, Default)]
pub struct PythonIndex {
    pub modules: Vec<ModuleSummary>,
    by_name: HashMap<String, usize>,
    by_file: HashMap<FileId, usize>,
    /// Python dependencies the project declares (requirements files, pyproject.toml).
    pub dependencies: Vec<super::deps::Dependency>,
    /// The Pydantic major version the project runs, from its dependencies or the code.
    pub pydantic: super::pydantic::PydanticVersion,
    /// Classes that reach the API as request data (computed on first use).
    pub(crate) request_models: std::sync::OnceLock<std::collections::HashSet<String>>,
    /// The routes that take each request model directly (computed on first use).
    pub(crate) model_routes:
        OnceLock<std::collections::HashMap<String, Vec<super::pydantic::ModelRoute>>>,
    /// Computed on first use and shared by every Python file rule (each would otherwise walk
    /// the whole project once per module).
    handlers: OnceLock<Vec<RouteHandler>>,
    /// Route handlers by the file defining them (each Python file rule asks for its own).
    handlers_by_file: OnceLock<HashMap<FileId, Vec<usize>>>,
    /// The apps and routers, sorted by qualified name, with a map from that name to their
    /// position (computed on first use; several rules join routes to them).
    app_objects: OnceLock<(Vec<AppObject>, HashMap<String, usize>)>,
    /// Every route with its full path (computed on first use).
    routes: OnceLock<Vec<Route>>,
    /// Per qualified app name: routes reaching it and includes/app calls configuring it
    /// (computed on first use; see `apps::primary_apps`).
    app_weights: OnceLock<HashMap<String, usize>>,
    /// Proper dotted suffixes of module names (`x.y` of `backend.x.y`) -> the one module that
    /// ends with it, `None` when several do. Name resolution asks for modules that do not
    /// exist (`time`, `requests`) on every call it resolves; a scan per miss was a quarter of
    /// the run time on a 1,700-module project.
    by_suffix: HashMap<String, Option<usize>>,
    /// Files whose role is not `service` (tests, tutorials, scripts, migrations…), set by the
    /// engine once roles are decided: their apps, routes and resources are not the service's.
    non_service: std::collections::HashSet<FileId>,
    /// Whether any module uses SQLAlchemy's asyncio sessions (computed on first use).
    async_sessions: OnceLock<bool>,
}

/// The function that serves a route, wherever it is registered: under a decorator, or by
/// `add_api_route(path, endpoint)` in another module.
#[derive(Debug, Clone)]
pub struct RouteHandler {
    /// The file defining the handler.
    pub file: FileId,
    /// The handler's `def` name.
    pub span: Span,
    pub function: String,
    pub is_async: bool,
    pub method: String,
    pub path: Option<String>,
}

/// What a resolved qualified name refers to.
pub enum Target<'i> {
    /// A module of the project.
    Module(&'i ModuleSummary),
    /// A top-level name of a project module.
    Name(&'i ModuleSummary, &'i str, &'i Def),
    /// Something outside the project (`fastapi.FastAPI`, `time.sleep`), as a qualified name.
    External(String),
}

/// A `FastAPI()` or `APIRouter()` object of the project.
#[derive(Debug, Clone)]
pub struct AppObject {
    pub qualname: String,
    pub is_app: bool,
    pub file: FileId,
    /// The `FastAPI(...)` / `APIRouter(...)` call: where app-wide findings anchor.
    pub span: Span,
    /// Keywords passed to the constructor, with string-literal values.
    pub keywords: Vec<(String, Option<String>)>,
}

impl AppObject {
    pub fn has_keyword(&self, name: &str) -> bool {
        self.keywords.iter().any(|(k, _)| k == name)
    }

    /// A router's own `prefix=`.
    pub fn prefix(&self) -> &str {
        self.keywords
            .iter()
            .find(|(k, _)| k == "prefix")
            .and_then(|(_, v)| v.as_deref())
            .unwrap_or("")
    }
}

/// A route with the full path it serves once routers are included.
#[derive(Debug, Clone)]
pub struct Route {
    pub decl: RouteDecl,
    pub file: FileId,
    /// The `FastAPI()` app serving it, when the include chain reaches one.
    pub app: Option<String>,
    pub full_path: Option<String>,
}

const FASTAPI: &[&str] = &["fastapi.FastAPI", "fastapi.applications.FastAPI"];
const ROUTER: &[&str] = &["fastapi.APIRouter", "fastapi.routing.APIRouter"];

impl PythonIndex {
    pub fn new(modules: Vec<ModuleSummary>) -> PythonIndex {
        let mut by_suffix: HashMap<String, Option<usize>> = HashMap::default();
        for (i, m) in modules.iter().enumerate() {
            for (pos, _) in m.module.match_indices('.') {
                by_suffix
                    .entry(m.module[pos + 1..].to_string())
                    .and_modify(|e| *e = None)
                    .or_insert(Some(i));
            }
        }
        let by_name = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.module.clone(), i))
            .collect();
        let by_file = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.file, i))
            .collect();
        PythonIndex {
            modules,
            by_name,
            by_file,
            handlers: OnceLock::new(),
            by_suffix,
            ..PythonIndex::default()
        }
    }

    /// The index with the project's declared dependencies, which tell the library versions.
    pub fn with_dependencies(mut self, dependencies: Vec<super::deps::Dependency>) -> Self {
        self.dependencies = dependencies;
        self.pydantic = super::pydantic::PydanticVersion::detect(&self);
        self
    }

    /// Whether a qualified class is `FastAPI` (`Some(true)`) or `APIRouter` (`Some(false)`),
    /// directly or through project subclasses (`class PrefectRouter(APIRouter)`).
    pub fn app_class(&self, qualname: &str) -> Option<bool> {
        let mut current = vec![self.canonical(qualname)];
        for _ in 0..8 {
            let mut next = Vec::new();
            for name in &current {
                if FASTAPI.contains(&name.as_str()) {
                    return Some(true);
                }
                if ROUTER.contains(&name.as_str()) {
                    return Some(false);
                }
                if let Target::Name(_, _, Def::Class { bases, .. }) = self.resolve(name) {
                    next.extend(bases.iter().map(|b| self.canonical(b)));
                }
            }
            if next.is_empty() {
                return None;
            }
            current = next;
        }
        None
    }

    /// Every route handler of the project, once: routes on a real app or router (see
    /// [`PythonIndex::routes`]) whose function is known. A decorated handler is the `def` under
    /// the decorator; an `add_api_route(path, endpoint)` handler is resolved through imports
    /// to the project function it names, and left out when it cannot be (a method, a
    /// `partial(...)`).
    pub fn route_handlers(&self) -> &[RouteHandler] {
        self.handlers.get_or_init(|| {
            let mut out: Vec<RouteHandler> = Vec::new();
            let mut seen: std::collections::HashSet<(FileId, Span)> =
                std::collections::HashSet::new();
            for route in self.routes() {
                let decl = &route.decl;
                let Some(module) = self.module_of_file(route.file) else {
                    continue;
                };
                // A decorator route's span is the handler's name; an `add_api_route` call's
                // span is the whole call, always longer than the endpoint it names.
                let decorated = decl.span.len() == decl.function.len();
                let (file, span, is_async) = if decorated {
                    (route.file, decl.span.clone(), decl.is_async)
                } else {
                    let Some((m, f)) = self.function(&module.qualify(&decl.function)) else {
                        continue;
                    };
                    (m.file, f.span.clone(), f.is_async)
                };
                if !seen.insert((file, span.clone())) {
                    continue;
                }
                out.push(RouteHandler {
                    file,
                    span,
                    function: decl
                        .function
                        .rsplit('.')
                        .next()
                        .unwrap_or(&decl.function)
                        .to_string(),
                    is_async,
                    method: decl.method.clone(),
                    // A router not included anywhere: its own prefix at least.
                    path: route.full_path.clone().or_else(|| {
                        let owner = self.canonical(&module.qualify(&decl.owner));
                        let prefix = self.app_object(&owner).map_or("", |o| o.prefix());
                        decl.path.as_ref().map(|p| format!("{prefix}{p}"))
                    }),
                });
            }
            out
        })
    }

    /// The route handlers defined in one file.
    pub fn handlers_in(&self, file: FileId) -> impl Iterator<Item = &RouteHandler> {
        let handlers = self.route_handlers();
        let by_file = self.handlers_by_file.get_or_init(|| {
            let mut map: HashMap<FileId, Vec<usize>> = HashMap::default();
            for (i, h) in handlers.iter().enumerate() {
                map.entry(h.file).or_default().push(i);
            }
            map
        });
        by_file
            .get(&file)
            .into_iter()
            .flatten()
            .map(move |&i| &handlers[i])
    }

    pub fn module(&self, name: &str) -> Option<&ModuleSummary> {
        if let Some(&i) = self.by_name.get(name) {
            return Some(&self.modules[i]);
        }
        // A project whose source root is not a package root (`backend/app/main.py` importing
        // `app.x` while `backend/app` has no __init__.py): match by dotted suffix, if unique.
        let i = (*self.by_suffix.get(name)?)?;
        Some(&self.modules[i])
    }

    /// Whether the project uses SQLAlchemy's (or SQLModel's) asyncio extension anywhere.
    pub fn uses_async_sessions(&self) -> bool {
        *self.async_sessions.get_or_init(|| {
            self.modules.iter().any(|m| {
                m.imports.values().any(|t| {
                    t.starts_with("sqlalchemy.ext.asyncio") || t.starts_with("sqlmodel.ext.asyncio")
                })
            })
        })
    }

    /// Records the files whose role is not `service` (see `model::roles`).
    pub fn set_non_service(&mut self, files: impl IntoIterator<Item = FileId>) {
        self.non_service = files.into_iter().collect();
    }

    /// Whether a module's file is production service code.
    pub fn is_service(&self, file: FileId) -> bool {
        !self.non_service.contains(&file)
    }

    /// The position in `modules` of a module, found as [`Self::module`] finds it.
    pub fn module_index(&self, name: &str) -> Option<usize> {
        match self.by_name.get(name) {
            Some(&i) => Some(i),
            None => *self.by_suffix.get(name)?,
        }
    }

    pub fn module_of_file(&self, file: FileId) -> Option<&ModuleSummary> {
        self.by_file.get(&file).map(|&i| &self.modules[i])
    }

    /// Resolves a qualified name through project modules and their imports (bounded, so
    /// import cycles end).
    pub fn resolve(&self, qualname: &str) -> Target<'_> {
        let mut current = qualname.to_string();
        for _ in 0..16 {
            if let Some(m) = self.module(&current) {
                return Target::Module(m);
            }
            // Longest module prefix, then the first name after it.
            let mut split = current.rsplitn(2, '.');
            let (Some(_), Some(_)) = (split.next(), split.next()) else {
                return Target::External(current);
            };
            let mut resolved = None;
            let parts: Vec<&str> = current.split('.').collect();
            for cut in (1..parts.len()).rev() {
                let module_name = parts[..cut].join(".");
                let Some(m) = self.module(&module_name) else {
                    continue;
                };
                let name = parts[cut];
                let rest = &parts[cut + 1..];
                match m.names.get_key_value(name) {
                    Some((_, Def::Import(target))) => {
                        let mut next = target.clone();
                        for r in rest {
                            next.push('.');
                            next.push_str(r);
                        }
                        resolved = Some(Ok(next));
                    }
                    Some((n, def)) if rest.is_empty() => {
                        resolved = Some(Err(Target::Name(m, n.as_str(), def)))
                    }
                    // A submodule imported as an attribute of its package.
                    _ => {
                        let sub = format!("{module_name}.{name}");
                        if self.module(&sub).is_some() {
                            let mut next = sub;
                            for r in rest {
                                next.push('.');
                                next.push_str(r);
                            }
                            if next != current {
                                resolved = Some(Ok(next));
                            }
                        }
                    }
                }
                break;
            }
            match resolved {
                Some(Ok(next)) => current = next,
                Some(Err(target)) => return target,
                None => return Target::External(current),
            }
        }
        Target::External(current)
    }

    /// The canonical qualified name: project names resolved to where they are defined,
    /// external names as imported (`nap` in a module -> `time.sleep`).
    pub fn canonical(&self, qualname: &str) -> String {
        match self.resolve(qualname) {
            Target::External(name) => name,
            Target::Module(m) => m.module.clone(),
            Target::Name(m, name, _) => format!("{}.{name}", m.module),
        }
    }

    /// The project function a qualified name resolves to.
    pub fn function(&self, qualname: &str) -> Option<(&ModuleSummary, &FunctionDef)> {
        match self.resolve(qualname) {
            Target::Name(m, _, Def::Function(f)) => Some((m, f)),
            _ => None,
        }
    }

    /// Every `FastAPI()` and `APIRouter()` object assigned at a module's top level or inside a
    /// factory function (`def create_app(): app = FastAPI()`, named `<module>.create_app.app`).
    pub fn app_objects(&self) -> &[AppObject] {
        &self.app_objects_by_name().0
    }

    /// The app or router of this qualified name.
    pub fn app_object(&self, qualname: &str) -> Option<&AppObject> {
        let (objects, by_name) = self.app_objects_by_name();
        by_name.get(qualname).map(|&i| &objects[i])
    }

    fn app_objects_by_name(&self) -> &(Vec<AppObject>, HashMap<String, usize>) {
        self.app_objects.get_or_init(|| {
            let objects = self.find_app_objects();
            let mut by_name = HashMap::with_capacity_and_hasher(objects.len(), Default::default());
            for (i, o) in objects.iter().enumerate() {
                by_name.entry(o.qualname.clone()).or_insert(i);
            }
            (objects, by_name)
        })
    }

    /// Routes reaching an app plus includes and app calls (`add_middleware`…) configuring
    /// it, by the app's qualified name, counted in one pass over the project.
    pub fn app_weights(&self) -> &HashMap<String, usize> {
        self.app_weights.get_or_init(|| {
            let mut weights: HashMap<String, usize> = HashMap::default();
            for route in self.routes() {
                if let Some(app) = &route.app {
                    *weights.entry(app.clone()).or_default() += 1;
                }
            }
            for m in &self.modules {
                let parents = m.includes.iter().map(|i| &i.parent);
                for owner in parents.chain(m.app_calls.iter().map(|c| &c.owner)) {
                    *weights.entry(self.canonical(owner)).or_default() += 1;
                }
            }
            weights
        })
    }

    fn find_app_objects(&self) -> Vec<AppObject> {
        let mut out = Vec::new();
        for m in &self.modules {
            // Top-level objects and those built inside factory functions (`create_app.app`).
            for (name, def) in m.names.iter().chain(&m.local_names) {
                let Def::Call {
                    callee,
                    span,
                    keywords,
                } = def
                else {
                    continue;
                };
                if let Some(is_app) = self.app_class(callee) {
                    out.push(AppObject {
                        qualname: format!("{}.{name}", m.module),
                        is_app,
                        file: m.file,
                        span: span.clone(),
                        keywords: keywords.clone(),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.qualname.cmp(&b.qualname));
        out
    }

    /// Every route on a FastAPI app or router, with its full path when the `include_router`
    /// chain from an app is known (include prefixes and routers' own `prefix=` joined).
    pub fn routes(&self) -> &[Route] {
        self.routes.get_or_init(|| self.find_routes())
    }

    fn find_routes(&self) -> Vec<Route> {
        let objects = self.app_objects();
        // child router -> [(parent, include prefix)]
        let mut parents: HashMap<String, Vec<(String, String)>> = HashMap::default();
        for m in &self.modules {
            for inc in &m.includes {
                parents
                    .entry(self.canonical(&inc.child))
                    .or_default()
                    .push((
                        self.canonical(&inc.parent),
                        inc.prefix.clone().unwrap_or_default(),
                    ));
            }
        }
        // By name: a project with thousands of routers must not scan them per route.
        let objects: HashMap<&str, &AppObject> =
            objects.iter().map(|o| (o.qualname.as_str(), o)).collect();
        let mut out = Vec::new();
        for m in &self.modules {
            for decl in &m.routes {
                let owner = self.canonical(&decl.owner);
                let Some(obj) = objects.get(owner.as_str()) else {
                    continue;
                };
                let reached = if obj.is_app {
                    Some((owner.clone(), String::new()))
                } else {
                    prefix_from_app(&owner, &parents, &objects, 0)
                        .map(|(app, p)| (app, format!("{p}{}", obj.prefix())))
                };
                let (app, full_path) = match reached {
                    Some((app, prefix)) => (
                        Some(app),
                        decl.path.as_ref().map(|p| format!("{prefix}{p}")),
                    ),
                    None => (None, None),
                };
                out.push(Route {
                    decl: decl.clone(),
                    file: m.file,
                    app,
                    full_path,
                });
            }
        }
        out
    }
}

/// The app a router is included into (through other routers), and the prefix accumulated on
/// the way down to the router (not including the router's own prefix).
fn prefix_from_app(
    router: &str,
    parents: &HashMap<String, Vec<(String, String)>>,
    objects: &HashMap<&str, &AppObject>,
    depth: usize,
) -> Option<(String, String)> {
    if depth > 16 {
        return None;
    }
    for (parent, include_prefix) in parents.get(router)? {
        let Some(obj) = objects.get(parent.as_str()) else {
            continue;
        };
        if obj.is_app {
            return Some((parent.clone(), include_prefix.clone()));
        }
        if let Some((app, upper)) = prefix_from_app(parent, parents, objects, depth + 1) {
            return Some((app, format!("{upper}{}{include_prefix}", obj.prefix())));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(file: FileId, module: &str, is_pkg: bool, src: &str) -> ModuleSummary {
        let parsed = ruff_python_parser::parse_module(src).expect("valid python");
        ModuleSummary::extract(file, module, is_pkg, parsed.syntax())
    }

    #[test]
    fn resolves_aliases_across_modules() {
        let routes = summary(0, "app.api.routes", false, "from fastapi import APIRouter\nrouter = APIRouter(prefix='/utils')\n@router.get('/health')\nasync def health():\n    return {}\n");
        let api = summary(
            1,
            "app.api",
            true,
            "from .routes import router as api_router\n",
        );
        let main = summary(
            2,
            "app.main",
            false,
            "from time import sleep as nap\nimport requests as r\nfrom fastapi import FastAPI\nfrom app.api import api_router\napp = FastAPI()\napp.include_router(api_router, prefix='/api/v1')\n",
        );
        assert_eq!(main.qualify("nap"), "time.sleep");
        assert_eq!(main.qualify("r.get"), "requests.get");
        let index = PythonIndex::new(vec![routes, api, main]);
        assert_eq!(
            index.canonical("app.api.api_router"),
            "app.api.routes.router"
        );
        let apps = index.app_objects();
        assert_eq!(apps.iter().filter(|a| a.is_app).count(), 1);
        let routes = index.routes();
        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].full_path.as_deref(), Some("/api/v1/utils/health"));
        assert_eq!(routes[0].app.as_deref(), Some("app.main.app"));
    }

    #[test]
    fn relative_imports() {
        let m = summary(
            0,
            "pkg.sub.mod",
            false,
            "from ..x import y\nfrom . import z\n",
        );
        assert_eq!(m.qualify("y"), "pkg.x.y");
        assert_eq!(m.qualify("z"), "pkg.sub.z");
    }
}
