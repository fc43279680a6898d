//! API010 (project rule): a `FastAPI()` app and no rate limiter anywhere in the project.

use crate::facts::ProjectFacts;
use crate::python::apps::{primary_apps, service_modules, uses_any};
use crate::python::summary::Def;
use crate::python::PythonIndex;
use crate::registry::Ctx;

pub const META: &str = include_str!("missing_rate_limiting.toml");

/// Rate-limiting libraries for ASGI apps (module names as imported).
const LIBRARIES: &[&str] = &["slowapi", "fastapi_limiter", "limits", "fastapi_throttle"];

/// The same, as distributions in requirements.
const DISTRIBUTIONS: &[&str] = &["slowapi", "fastapi-limiter", "limits", "fastapi-throttle"];

/// `RateLimitMiddleware`, `RateLimiter`, `rate_limiter`, `Throttle…`; not the errors an
/// upstream API raises (`openai.RateLimitError`), which say nothing about this service's limits.
fn names_rate_limit(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    let compact = last.replace('_', "");
    if ["error", "exception", "exceeded"]
        .iter()
        .any(|s| compact.ends_with(s))
    {
        return false;
    }
    compact.contains("ratelimit") || compact.contains("throttl")
}

/// What shows a rate limiter: a library used, a middleware or class whose name says so.
fn evidence(index: &PythonIndex, dependencies: &[crate::python::deps::Dependency]) -> bool {
    if uses_any(index, LIBRARIES).is_some() {
        return true;
    }
    if dependencies
        .iter()
        .any(|d| DISTRIBUTIONS.contains(&d.name.as_str()))
    {
        return true;
    }
    service_modules(index).any(|m| {
        m.app_calls
            .iter()
            .filter(|c| c.method == "add_middleware")
            .filter_map(|c| c.first_arg.as_deref())
            .any(names_rate_limit)
            || m.imports.values().any(|t| names_rate_limit(t))
            || m.names
                .iter()
                .any(|(n, d)| matches!(d, Def::Class { .. }) && names_rate_limit(n))
    })
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let index = &facts.python;
    let apps = primary_apps(index);
    if apps.is_empty() || evidence(index, &facts.dependencies) {
        return;
    }
    for (module, app) in apps {
        ctx.report_in(
            module.file,
            app.span.clone(),
            "this FastAPI app has no rate limiter anywhere in the project (no slowapi `Limiter`, fastapi-limiter `RateLimiter`, `limits`, or rate-limit middleware): one client can exhaust workers, the database pool or a paid upstream API",
        )
        .help("add slowapi (`Limiter(key_func=get_remote_address)`, `app.state.limiter`, `@limiter.limit(\"10/minute\")`) or fastapi-limiter's `Depends(RateLimiter(times=10, seconds=60))` on costly routes");
    }
}
