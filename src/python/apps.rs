//! The FastAPI apps a service runs and what they serve, shared by the application-wide rules of
//! the API, HA, OBS and SEC families: the service's own modules, the root and primary apps, route
//! paths with their prefixes, and which classes reach the API as request data.

use crate::python::app_facts::{AppCtor, Binding, Mounted};
use crate::python::{ModuleSummary, PythonIndex};
use std::collections::HashSet;

/// The service's own modules.
pub fn service_modules(index: &PythonIndex) -> impl Iterator<Item = &ModuleSummary> {
    index.modules.iter().filter(|m| index.is_service(m.file))
}

const FASTAPI: &[&str] = &["fastapi.FastAPI", "fastapi.applications.FastAPI"];

/// The `FastAPI()` apps a service runs: built in its own modules and not mounted into another
/// app (a sub-app's health routes, handlers and middleware are its parent's business). These
/// are where app-wide findings anchor.
pub fn root_apps(index: &PythonIndex) -> Vec<(&ModuleSummary, &AppCtor)> {
    let mut mounted_names = HashSet::new();
    let mut mounted_results = HashSet::new();
    for m in service_modules(index) {
        for mount in &m.app.mounts {
            match mount {
                Mounted::Name(n) => mounted_names.insert(index.canonical(n)),
                Mounted::CallResult(f) => mounted_results.insert(index.canonical(f)),
            };
        }
    }
    let mut out = Vec::new();
    for m in service_modules(index) {
        for app in &m.app.apps {
            if !FASTAPI.contains(&index.canonical(&app.callee).as_str()) || app.mounted_locally {
                continue;
            }
            let mounted = match &app.binding {
                Binding::Global(q) => mounted_names.contains(q),
                Binding::Returned(f) => mounted_results.contains(f),
                Binding::Other => false,
            };
            if !mounted {
                out.push((m, app));
            }
        }
    }
    out
}

/// How much of the service an app carries: routes that reach it, routers included into it,
/// middleware, handlers and mounts configured on it (in any module for a module-level app; in
/// its factory for one built in a function).
fn weight(index: &PythonIndex, app: &AppCtor) -> usize {
    let Binding::Global(q) = &app.binding else {
        return app.wiring;
    };
    app.wiring + index.app_weights().get(q).copied().unwrap_or(0)
}

/// The apps project-wide findings anchor at: the root apps that carry the most of the
/// service (all of them when tied). A project's verdict is the same for each of its apps, so
/// reporting it at a CLI's local callback server or a worker's status app as well only repeats
/// it.
pub fn primary_apps(index: &PythonIndex) -> Vec<(&ModuleSummary, &AppCtor)> {
    let roots = root_apps(index);
    if roots.len() < 2 {
        return roots;
    }
    let weights: Vec<usize> = roots.iter().map(|(_, a)| weight(index, a)).collect();
    let max = weights.iter().copied().max().unwrap_or(0);
    roots
        .into_iter()
        .zip(weights)
        .filter(|(_, w)| *w == max)
        .map(|(r, _)| r)
        .collect()
}

/// A sign-in form (`LoginForm`, `SigninRequest`) checks credentials that already exist: a length
/// rule or an address check there only rejects accounts created under older rules.
pub fn is_login_form(class: &str) -> bool {
    let c = class.to_ascii_lowercase();
    ["login", "signin", "sign_in", "logon"]
        .iter()
        .any(|w| c.contains(w))
}

/// Whether a class of this module reaches the API as request data (a route handler's
/// parameter type, a type it nests, or a class it inherits from).
pub fn is_request_model(
    module: &crate::python::PythonModule<'_>,
    name: &ruff_python_ast::Identifier,
) -> bool {
    let qualname = if module.summary.module.is_empty() {
        name.id.to_string()
    } else {
        format!("{}.{}", module.summary.module, name.id)
    };
    module.index.request_models().contains(&qualname)
}

/// Whether any service module imports or uses a name under one of these module prefixes
/// (`slowapi` covers `slowapi.Limiter`).
pub fn uses_any(index: &PythonIndex, prefixes: &[&str]) -> Option<String> {
    for m in service_modules(index) {
        let found = m.imports.values().chain(m.app.refs.iter()).find(|name| {
            prefixes
                .iter()
                .any(|p| name.as_str() == *p || name.starts_with(&format!("{p}.")))
        });
        if let Some(name) = found {
            return Some(name.clone());
        }
    }
    None
}

/// The last non-empty segment of a URL path, lower case: `/api/v1/utils/health-check/` ->
/// `health-check`.
pub fn last_segment(path: &str) -> Option<String> {
    path.split('/')
        .rfind(|s| !s.is_empty())
        .map(|s| s.to_ascii_lowercase())
}

/// Every route path the project serves, with the prefixes that may lead to it: a route's own
/// path, its router's `prefix=`, the prefixes it is included with, the full path when the
/// include chain from an app is known, and paths the summary cannot see (constants, Starlette
/// routes, mounts).
pub fn route_paths(index: &PythonIndex) -> Vec<String> {
    let include_prefixes = include_prefixes(index);
    let mut out = Vec::new();
    for m in service_modules(index) {
        out.extend(m.app.route_paths.iter().cloned());
        for decl in &m.routes {
            let Some(path) = &decl.path else {
                continue;
            };
            out.push(path.clone());
            let owner = index.canonical(&decl.owner);
            let own_prefix = index
                .app_object(&owner)
                .map(|o| o.prefix().to_string())
                .unwrap_or_default();
            out.push(format!("{own_prefix}{path}"));
            for p in include_prefixes.get(&owner).into_iter().flatten() {
                out.push(format!("{p}{own_prefix}{path}"));
            }
        }
    }
    out.extend(
        index
            .routes()
            .iter()
            .filter(|r| {
                index
                    .module_of_file(r.file)
                    .is_some_and(|m| index.is_service(m.file))
            })
            .filter_map(|r| r.full_path.clone()),
    );
    out
}

/// The prefixes each router (by canonical name) is included with, one per `include_router`.
pub fn include_prefixes(index: &PythonIndex) -> std::collections::HashMap<String, Vec<String>> {
    let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
    for m in &index.modules {
        for inc in &m.includes {
            out.entry(index.canonical(&inc.child))
                .or_default()
                .push(inc.prefix.clone().unwrap_or_default());
        }
    }
    out
}
