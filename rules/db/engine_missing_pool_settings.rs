//! DB001: an engine for a server database without the pool settings the checklist names.

use crate::python::sqlalchemy::{engines, is_alembic, Engine};
use crate::python::PythonModule;
use crate::registry::Ctx;
use serde::Deserialize;

pub const META: &str = include_str!("engine_missing_pool_settings.toml");

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Options {
    required: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            required: ["pool_pre_ping", "pool_recycle", "pool_size", "max_overflow"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// Why each option matters, for the message.
fn consequence(option: &str) -> &'static str {
    match option {
        "pool_pre_ping" => "a connection the server or a firewall closed is handed out dead and the request fails",
        "pool_recycle" => "connections live forever and outlast idle timeouts of PgBouncer, load balancers and the server",
        "pool_size" => "the pool keeps the default 5 connections, whatever the workload",
        "max_overflow" => "bursts get the default 10 extra connections, counted against max_connections unseen",
        "pool_timeout" => "a request waits the default 30 s for a free connection",
        _ => "the default applies",
    }
}

/// Pool classes that take the QueuePool settings (`pool_size`, `max_overflow`, ...). Any other
/// class given in `poolclass=` refuses them or does not pool (see DB002).
fn takes_queue_settings(engine: &Engine) -> bool {
    match engine.keyword("poolclass") {
        None => true,
        Some(_) => matches!(
            engine.pool_class(),
            Some("QueuePool" | "AsyncAdaptedQueuePool" | "FallbackAsyncAdaptedQueuePool")
        ),
    }
}

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    // Alembic's env.py builds a throwaway engine for one migration run; tests build engines
    // for a test database.
    if is_alembic(module.summary) {
        return;
    }
    let options: Options = ctx.options();
    for engine in engines(module) {
        if engine.open || engine.is_sqlite() || !takes_queue_settings(engine) {
            continue;
        }
        let function = if engine.is_async {
            "create_async_engine"
        } else {
            "create_engine"
        };
        let missing: Vec<&str> = options
            .required
            .iter()
            .map(String::as_str)
            .filter(|o| engine.keyword(o).is_none())
            .collect();
        let Some(first) = missing.first() else {
            continue;
        };
        // One finding per engine, naming every option it lacks: four findings on one call
        // say the same thing four times.
        let message = if missing.len() == 1 {
            format!(
                "`{function}(...)` does not set `{first}`: {}",
                consequence(first)
            )
        } else {
            let names: Vec<String> = missing.iter().map(|o| format!("`{o}`")).collect();
            let why: Vec<String> = missing
                .iter()
                .map(|o| format!("without `{o}`, {}", consequence(o)))
                .collect();
            format!(
                "`{function}(...)` does not set {}: {}",
                names.join(", "),
                why.join("; ")
            )
        };
        let args: Vec<String> = missing.iter().map(|o| format!("{o}=…")).collect();
        ctx.report(engine.callee.clone(), message).help(format!(
            "pass `{}` (§2.3: pool_size, max_overflow, pool_timeout, pool_recycle, pool_pre_ping)",
            args.join(", ")
        ));
    }
}
