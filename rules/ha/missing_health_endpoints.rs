//! HA001 (project rule): a `FastAPI()` app without a route an orchestrator can probe for
//! readiness.
//!
//! Routes are judged by what they do as well as by their names: a probe route (`/health`,
//! `/healthz`, `/ping`, `/heartbeat`, …) whose handler touches the database, Redis or another
//! dependency is a readiness check; one that only answers is a liveness check.

use crate::facts::ProjectFacts;
use crate::python::apps::{last_segment, primary_apps, service_modules};
use crate::python::index::Target;
use crate::python::summary::{Def, FunctionDef};
use crate::python::{ModuleSummary, PythonIndex};
use crate::registry::Ctx;
use serde::Deserialize;
use std::collections::HashMap;

pub const META: &str = include_str!("missing_health_endpoints.toml");

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Options {
    health_paths: Vec<String>,
    readiness_paths: Vec<String>,
    liveness_paths: Vec<String>,
    require_liveness: bool,
}

/// What a probe route checks.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Depth {
    /// Answers without touching anything: a liveness check.
    Shallow,
    /// Its handler cannot be read (a path in a constant, a Starlette `Route`, a mount).
    Unknown,
    /// Touches the database, Redis or another dependency: a readiness check.
    Deep,
}

/// Last segments that name a probe route, besides the configured health paths. `ping` and
/// `status` only count on a path without parameters (`/jobs/{id}/status` reports a job).
const PROBE_SEGMENTS: &[&str] = &["ping", "status", "heartbeat"];

/// Segments that may lead to a service-level `ping`/`status`/`heartbeat` route: API prefixes
/// and versions (`/api/v1/status`, `/-/ping`), not a resource (`/jobs/{id}/status`,
/// `/internal/auth/status`).
const NEUTRAL_SEGMENTS: &[&str] = &[
    "api",
    "-",
    "_",
    "internal",
    "system",
    "sys",
    "ops",
    "meta",
    "monitoring",
];

fn service_level(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some((_, before)) = segments.split_last() else {
        return false;
    };
    before.iter().all(|s| {
        let lower = s.to_ascii_lowercase();
        NEUTRAL_SEGMENTS.contains(&lower.as_str())
            || (lower.len() > 1
                && lower.starts_with('v')
                && lower[1..].chars().all(|c| c.is_ascii_digit()))
    })
}

/// Parameter types and callees that reach a dependency: sessions, connections, engines, Redis
/// clients, HTTP clients (by the last segment of the name, lower case).
const DEPENDENCY_TYPE_WORDS: &[&str] = &[
    "session",
    "connection",
    "engine",
    "redis",
    "database",
    "pool",
    "client",
];
const DEPENDENCY_CALLS: &[&str] = &[
    "execute",
    "scalar",
    "scalars",
    "exec",
    "fetch",
    "fetchval",
    "fetchrow",
    "ping",
    "connect",
    "begin",
    "get_db",
    "get_session",
];
const DEPENDENCY_MODULES: &[&str] = &[
    "sqlalchemy.",
    "sqlmodel.",
    "redis.",
    "asyncpg.",
    "psycopg",
    "motor.",
    "pymongo.",
    "httpx.",
    "aiohttp.",
    "tortoise.",
    "databases.",
];

fn function_touches(fd: &FunctionDef, index: &PythonIndex) -> bool {
    let typed = fd.annotations.iter().any(|a| {
        let last = a.rsplit('.').next().unwrap_or(a).to_ascii_lowercase();
        DEPENDENCY_TYPE_WORDS.iter().any(|w| last.contains(w))
    });
    typed
        || fd.calls.iter().any(|c| {
            let canonical = index.canonical(c);
            let last = c.rsplit('.').next().unwrap_or(c);
            DEPENDENCY_CALLS.contains(&last)
                || DEPENDENCY_MODULES.iter().any(|m| canonical.starts_with(m))
        })
}

/// How deep the handler `function` of module `m` checks, following project functions it calls
/// one level down (`return await check_database()`).
fn depth(index: &PythonIndex, m: &ModuleSummary, function: &str) -> Depth {
    let Some(Def::Function(fd)) = m
        .names
        .get(function)
        .or_else(|| m.local_names.get(function))
    else {
        return Depth::Unknown;
    };
    if function_touches(fd, index) {
        return Depth::Deep;
    }
    let callee_touches = fd.calls.iter().any(|c| match index.resolve(c) {
        Target::Name(_, _, Def::Function(callee)) => function_touches(callee, index),
        _ => false,
    });
    if callee_touches {
        Depth::Deep
    } else {
        Depth::Shallow
    }
}

/// Every path a probe-like route may serve, keyed by path, with how deep it checks: a route's
/// own path, its router's `prefix=` and the prefixes it is included with; paths the summary
/// sees without a handler (constants, Starlette routes, mounts) are of unknown depth.
fn probe_routes(index: &PythonIndex, probe: &dyn Fn(&str) -> bool) -> HashMap<String, Depth> {
    let objects: HashMap<String, String> = index
        .app_objects()
        .iter()
        .map(|o| (o.qualname.clone(), o.prefix().to_string()))
        .collect();
    let include_prefixes = crate::python::apps::include_prefixes(index);
    let mut out: HashMap<String, Depth> = HashMap::new();
    let mut add = |path: String, d: Depth| {
        // `/heartbeat` and `/heartbeat/` are one route to a reader.
        let path = match path.trim_end_matches('/') {
            "" => "/".to_string(),
            p => p.to_string(),
        };
        if probe(&path) {
            let e = out.entry(path).or_insert(d);
            *e = (*e).max(d);
        }
    };
    for m in service_modules(index) {
        for path in &m.app.route_paths {
            add(path.clone(), Depth::Unknown);
        }
        for decl in &m.routes {
            let Some(path) = &decl.path else {
                continue;
            };
            let owner = index.canonical(&decl.owner);
            let own = objects.get(&owner).cloned().unwrap_or_default();
            let d = depth(index, m, &decl.function);
            let mut candidates = vec![format!("{own}{path}")];
            for p in include_prefixes.get(&owner).into_iter().flatten() {
                candidates.push(format!("{p}{own}{path}"));
            }
            // The longest spelling names the route best; any spelling may carry the segment.
            if let Some(c) = candidates.iter().find(|c| probe(c)) {
                let longest = candidates
                    .iter()
                    .filter(|x| last_segment(x) == last_segment(c))
                    .max_by_key(|x| x.len())
                    .unwrap_or(c)
                    .clone();
                add(longest, d);
            }
        }
    }
    out
}

fn listed(names: &[String], segment: &str) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(segment))
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let options: Options = ctx.options();
    let index = &facts.python;
    let apps = primary_apps(index);
    if apps.is_empty() {
        return;
    }
    let kind_of = |path: &str| -> Option<&'static str> {
        let seg = last_segment(path)?;
        if listed(&options.readiness_paths, &seg) {
            Some("readiness")
        } else if listed(&options.liveness_paths, &seg) {
            Some("liveness")
        } else if listed(&options.health_paths, &seg)
            || (PROBE_SEGMENTS.contains(&seg.as_str()) && service_level(path))
        {
            Some("health")
        } else {
            None
        }
    };
    let probes = probe_routes(index, &|p| kind_of(p).is_some());
    let mut found: Vec<(&String, Depth)> = probes.iter().map(|(p, d)| (p, *d)).collect();
    found.sort();
    // A readiness check: a route named for readiness, or a probe that touches a dependency (or
    // whose handler we cannot read: no finding on a guess).
    let readiness = found
        .iter()
        .any(|(p, d)| kind_of(p) == Some("readiness") || *d != Depth::Shallow);
    let liveness = found.iter().any(|(p, d)| {
        kind_of(p) == Some("liveness") || (kind_of(p) == Some("health") && *d != Depth::Deep)
    });
    let message = if found.is_empty() {
        let mut looked: Vec<String> = options
            .health_paths
            .iter()
            .chain(&options.readiness_paths)
            .chain(&options.liveness_paths)
            .map(|s| format!("`/{s}`"))
            .collect();
        looked.extend(PROBE_SEGMENTS.iter().map(|s| format!("`/{s}`")));
        format!(
            "this FastAPI app has no health, readiness or liveness route (looked for {}): orchestrators and load balancers cannot tell a stuck or not-yet-ready instance from a healthy one",
            looked.join(", ")
        )
    } else if !readiness {
        let shown: Vec<String> = found.iter().map(|(p, _)| format!("`{p}`")).collect();
        format!(
            "this FastAPI app has {} but no readiness check: {} without touching the database or any other dependency, so a load balancer keeps sending requests to an instance that cannot serve them",
            shown.join(", "),
            if shown.len() == 1 { "it answers" } else { "they answer" }
        )
    } else if options.require_liveness && !liveness {
        let shown: Vec<String> = found.iter().map(|(p, _)| format!("`{p}`")).collect();
        format!(
            "this FastAPI app has {} (a readiness check) but no liveness route that answers without its dependencies: a liveness probe pointed at it restarts every instance when the database is down",
            shown.join(", ")
        )
    } else {
        return;
    };
    for (module, app) in apps {
        ctx.report_in(module.file, app.span.clone(), message.clone())
            .help("add cheap GET routes: a readiness check that runs `SELECT 1` (and pings Redis), and a liveness route that only answers");
    }
}
