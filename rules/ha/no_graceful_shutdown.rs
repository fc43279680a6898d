//! HA002 (project rule): the service creates a SQLAlchemy engine or a Redis client and has no
//! shutdown path that releases it.

use crate::facts::ProjectFacts;
use crate::python::app_facts::{Lifespan, Resource, ResourceKind};
use crate::python::apps::{primary_apps, service_modules};
use crate::python::index::Target;
use crate::python::summary::Def;
use crate::python::{ModuleSummary, PythonIndex};
use crate::registry::Ctx;

pub const META: &str = include_str!("no_graceful_shutdown.toml");

/// Whether a `lifespan=` runs code after its `yield`. A lifespan that cannot be read (a call, a
/// class, a library's, a function that returns a context manager) is given the benefit of the
/// doubt.
fn lifespan_shuts_down(index: &PythonIndex, lifespan: &Lifespan) -> bool {
    match lifespan {
        Lifespan::Opaque => true,
        Lifespan::Local(teardown) => *teardown,
        Lifespan::Name(q) => match index.resolve(q) {
            Target::Name(m, name, Def::Function(_)) => {
                m.app.teardown.get(name).copied().unwrap_or(true)
            }
            _ => true,
        },
    }
}

/// Whether the project disposes or closes this resource anywhere: `engine.dispose()` (any
/// receiver: `dispose` is SQLAlchemy's), or `close()`/`aclose()`/`disconnect()` on the name the
/// client is bound to or on something named like a Redis client.
fn released(index: &PythonIndex, resource: &Resource) -> bool {
    let binding = resource.binding.as_ref().map(|b| index.canonical(b));
    service_modules(index).any(|m| {
        m.app.closes.iter().any(|c| {
            let receiver = c.receiver.as_deref().unwrap_or("");
            let same = binding
                .as_ref()
                .is_some_and(|b| !receiver.is_empty() && index.canonical(receiver) == *b);
            match resource.kind {
                ResourceKind::Engine => c.method == "dispose" || same,
                ResourceKind::Redis => {
                    c.method != "dispose"
                        && (same || receiver.to_ascii_lowercase().contains("redis"))
                }
            }
        })
    })
}

/// Libraries that make a module a command-line program.
const CLI_LIBRARIES: &[&str] = &["typer", "click", "argparse", "fire", "cyclopts"];

fn is_command_line(m: &ModuleSummary) -> bool {
    m.imports.values().any(|v| {
        let head = v.split('.').next().unwrap_or(v);
        CLI_LIBRARIES.contains(&head)
    })
}

fn describe(m: &ModuleSummary, r: &Resource) -> String {
    let what = match r.kind {
        ResourceKind::Engine => "a SQLAlchemy engine",
        ResourceKind::Redis => "a Redis client",
    };
    let callee = r.callee.rsplit('.').next().unwrap_or(&r.callee);
    match &r.binding {
        Some(b) => format!("{what} (`{b} = {callee}(...)`)"),
        None => format!("{what} (`{callee}(...)` in `{}`)", m.module),
    }
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let index = &facts.python;
    let apps = primary_apps(index);
    if apps.is_empty() {
        return;
    }
    // A hook registered by a command-line program (`atexit.register` in a click/typer tool) runs
    // when that program exits, not when the service shuts down.
    let shutdown_path = service_modules(index).any(|m| {
        (!m.app.shutdown_hooks.is_empty() && !is_command_line(m))
            || m.app
                .lifespans
                .iter()
                .any(|l| lifespan_shuts_down(index, l))
    });
    if shutdown_path {
        return;
    }
    let unreleased: Vec<String> = service_modules(index)
        .flat_map(|m| m.app.resources.iter().map(move |r| (m, r)))
        .filter(|(_, r)| !r.null_pool && !released(index, r))
        .map(|(m, r)| describe(m, r))
        .collect();
    let Some(first) = unreleased.first() else {
        return;
    };
    let more = match unreleased.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    for (module, app) in apps {
        ctx.report_in(
            module.file,
            app.span.clone(),
            format!("the service creates {first}{more} but this app has no shutdown path: no `lifespan=` that does work after its `yield` (a log line is not), no shutdown handler outside a command-line tool, no `dispose()`/`close()` of it"),
        )
        .help("give the app a lifespan: `@asynccontextmanager async def lifespan(app): yield; await engine.dispose(); await redis.aclose()` and `FastAPI(lifespan=lifespan)`");
    }
}
