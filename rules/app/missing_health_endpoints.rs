//! HA001 (project rule): a `FastAPI()` app without routes for health, readiness and liveness.

use super::{last_segment, primary_apps, route_paths};
use crate::facts::ProjectFacts;
use crate::registry::Ctx;
use serde::Deserialize;
use std::collections::HashSet;

pub const META: &str = include_str!("missing_health_endpoints.toml");

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Options {
    health_paths: Vec<String>,
    readiness_paths: Vec<String>,
    liveness_paths: Vec<String>,
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let options: Options = ctx.options();
    let index = &facts.python;
    let apps = primary_apps(index);
    if apps.is_empty() {
        return;
    }
    // Judged by the last segment, so prefixes from routers and include_router do not matter
    // except for routes whose own path is "/" (`APIRouter(prefix="/health")` + `@get("/")`).
    let segments: HashSet<String> = route_paths(index)
        .iter()
        .filter_map(|p| last_segment(p))
        .collect();
    let has = |names: &[String]| {
        names
            .iter()
            .any(|n| segments.contains(&n.to_ascii_lowercase()))
    };
    let kinds = [
        ("health", &options.health_paths),
        ("readiness", &options.readiness_paths),
        ("liveness", &options.liveness_paths),
    ];
    let missing: Vec<String> = kinds
        .iter()
        .filter(|(_, names)| !has(names))
        .map(|(kind, names)| match names.first() {
            Some(example) => format!("{kind} (`/{example}`)"),
            None => kind.to_string(),
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let list = match missing.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => return,
    };
    for (module, app) in apps {
        ctx.report_in(
            module.file,
            app.span.clone(),
            format!("this FastAPI app has no {list} route: orchestrators and load balancers cannot tell a stuck or not-yet-ready instance from a healthy one"),
        )
        .help("add cheap GET routes: liveness answers if the process runs, readiness checks the database and Redis, health reports both");
    }
}
