//! DB008 (project rule): the app's connection pools, summed over its workers and replicas,
//! exceed the `max_connections` of the PostgreSQL it runs with.
//!
//! Each factor is read from the repository: the SQLAlchemy engines of the code the app service
//! builds (`pool_size` + `max_overflow`, SQLAlchemy's 5 + 10 when unset), the workers its start
//! command asks for, `deploy.replicas`, and the PostgreSQL service's `max_connections`. When a
//! factor cannot be read (an engine whose options are hidden or come from overridable
//! settings, `--workers $N`, a pooler in front, a PostgreSQL image that tunes itself), nothing
//! is reported.

use crate::facts::{EnginePool, ProjectFacts};
use crate::kind::FileKind;
use crate::model::compose::{ComposeProject, Service};
use crate::model::topology::{
    compose_projects, dockerfile_of, image_repository, runs, server_flag, Runs,
};
use crate::registry::Ctx;
use crate::source::{FileId, Span};

pub const META: &str = include_str!("pool_exceeds_max_connections.toml");

/// PostgreSQL's compiled-in default (PostgreSQL documentation, "Connections and
/// Authentication": "typically 100"), which the official image, Bitnami's and Patroni keep.
const PG_DEFAULT_MAX_CONNECTIONS: u64 = 100;

/// Images that start PostgreSQL with its own default `max_connections` unless told otherwise.
const DEFAULT_IMAGES: &[&str] = &[
    "postgres",
    "library/postgres",
    "postgis/postgis",
    "bitnami/postgresql",
    "bitnami/postgresql-repmgr",
    "pgvector/pgvector",
    "ankane/pgvector",
];

/// Connection poolers: with one in front, the server sees the pooler's connections, not the
/// app's pools.
const POOLERS: &[&str] = &["pgbouncer", "pgpool", "odyssey", "pgcat", "supavisor"];

/// The connections one process of the app can open: the smallest pool among the engines its
/// code creates (each process creates them all at import; the smallest is a lower bound).
struct Pool {
    pool_size: u64,
    max_overflow: u64,
    text: String,
}

impl Pool {
    fn connections(&self) -> u64 {
        self.pool_size + self.max_overflow
    }
}

fn app_pool(service: &Service, facts: &ProjectFacts) -> Option<Pool> {
    let context = service.build.as_ref()?.value.context.as_ref()?;
    let engines: Vec<_> = facts
        .engines
        .iter()
        .filter(|e| e.path.starts_with(context) && e.pool != EnginePool::NotPostgres)
        .collect();
    let mut best: Option<Pool> = None;
    for e in &engines {
        let EnginePool::Queue {
            pool_size,
            max_overflow,
            size_default,
            overflow_default,
        } = &e.pool
        else {
            // One engine whose pool cannot be read may be the one the app uses.
            return None;
        };
        let part = |name: &str, n: u64, default: bool| {
            if default {
                format!("{name} {n} (SQLAlchemy's default)")
            } else {
                format!("{name} {n}")
            }
        };
        let pool = Pool {
            pool_size: *pool_size,
            max_overflow: *max_overflow,
            text: format!(
                "{} + {} in {}",
                part("pool_size", *pool_size, *size_default),
                part("max_overflow", *max_overflow, *overflow_default),
                e.path.display()
            ),
        };
        if best
            .as_ref()
            .is_none_or(|b| pool.connections() < b.connections())
        {
            best = Some(pool);
        }
    }
    best
}

/// Worker processes per container, with where the number comes from; `None` when unknowable.
fn workers(service: &Service, facts: &ProjectFacts) -> Option<(u64, String)> {
    let compose_words: Vec<String> = service.start_words().map(|w| w.text.clone()).collect();
    let (words, origin): (Vec<String>, &str) =
        if service.command.is_some() || service.entrypoint.is_some() {
            (compose_words, "compose `command`")
        } else {
            let df = dockerfile_of(service, facts)?;
            (
                df.start.split_whitespace().map(str::to_string).collect(),
                "Dockerfile CMD",
            )
        };
    let program = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    let at = words
        .iter()
        .position(|w| matches!(program(w).as_str(), "uvicorn" | "gunicorn" | "fastapi"))?;
    let server = program(&words[at]);
    if server == "fastapi" && words.get(at + 1).map(String::as_str) != Some("run") {
        // `fastapi dev` reloads in one process.
        return (words.get(at + 1).map(String::as_str) == Some("dev"))
            .then(|| (1, format!("`fastapi dev` ({origin})")));
    }
    let args = &words[at + 1..];
    let flag_value = |long: &str, short: Option<&str>| -> Option<Option<String>> {
        for (i, w) in args.iter().enumerate() {
            if let Some(v) = w.strip_prefix(&format!("{long}=")) {
                return Some(Some(v.to_string()));
            }
            if w == long || short == Some(w.as_str()) {
                return Some(args.get(i + 1).cloned());
            }
            if let Some(s) = short {
                if let Some(v) = w
                    .strip_prefix(s)
                    .filter(|v| !v.is_empty() && !w.starts_with("--"))
                {
                    return Some(Some(v.to_string()));
                }
            }
        }
        None
    };
    let short = (server == "gunicorn").then_some("-w");
    if server == "uvicorn" && args.iter().any(|a| a == "--reload") {
        return Some((1, format!("`uvicorn --reload` ({origin})")));
    }
    match flag_value("--workers", short) {
        Some(value) => {
            let n: u64 = value?.trim_matches(['"', '\'']).parse().ok()?;
            Some((n.max(1), format!("`--workers {n}` ({origin})")))
        }
        // Both servers default to `$WEB_CONCURRENCY`, else 1 (uvicorn and gunicorn settings).
        None => match service.env("WEB_CONCURRENCY") {
            Some(e) if e.is_reference() => None,
            Some(e) => {
                let n: u64 = e.value.as_deref()?.trim().parse().ok()?;
                Some((
                    n.max(1),
                    format!("`WEB_CONCURRENCY={n}` (compose `environment`)"),
                ))
            }
            None => Some((1, format!("{server}'s default ({origin})"))),
        },
    }
}

/// A PostgreSQL service's `max_connections`, with where it comes from; `None` when unknowable.
fn max_connections(service: &Service, kind: Runs, facts: &ProjectFacts) -> Option<(u64, String)> {
    let parse = |v: &str| v.trim_matches(['"', '\'']).trim().parse::<u64>().ok();
    if let Some(cmd) = &service.command {
        if let Some((value, _)) = server_flag(&cmd.value, "max_connections") {
            return parse(value).map(|n| (n, "`-c max_connections` on its command".to_string()));
        }
    }
    if let Some(e) = service.env("POSTGRESQL_MAX_CONNECTIONS") {
        return parse(e.value.as_deref()?).map(|n| (n, "POSTGRESQL_MAX_CONNECTIONS".to_string()));
    }
    for e in &service.environment {
        let Some(v) = e.value.as_deref() else {
            continue;
        };
        if let Some(at) = v.find("max_connections") {
            let rest = v[at + "max_connections".len()..].trim_start_matches([' ', '=', ':']);
            let n = parse(rest.split_whitespace().next().unwrap_or(""))?;
            return Some((n, format!("`{}`", e.name)));
        }
    }
    let mounted = |path: &std::path::Path| {
        service
            .volumes
            .iter()
            .filter_map(|v| v.host_path.as_ref())
            .any(|h| path.starts_with(h))
    };
    for conf in facts
        .confs
        .iter()
        .filter(|c| c.kind == FileKind::PostgresConf && mounted(&c.path))
    {
        if let Some(d) = conf
            .directives
            .iter()
            .rev()
            .find(|d| d.name == "max_connections")
        {
            let (v, _) = d.args.first()?;
            return parse(v).map(|n| (n, format!("{}", conf.path.display())));
        }
    }
    let image = service
        .image
        .as_ref()
        .map(|i| image_repository(&i.value))
        .or_else(|| dockerfile_of(service, facts).map(|d| image_repository(&d.base_image)));
    if kind == Runs::PostgresHa {
        let patroni: Vec<_> = facts.patroni.iter().filter(|p| mounted(&p.path)).collect();
        let patroni = if patroni.is_empty() && facts.patroni.len() == 1 {
            facts.patroni.iter().collect()
        } else {
            patroni
        };
        if let [p] = patroni.as_slice() {
            return match p.parameters.iter().find(|(n, _, _)| n == "max_connections") {
                Some((_, v, _)) => parse(v).map(|n| (n, format!("{}", p.path.display()))),
                None => Some((PG_DEFAULT_MAX_CONNECTIONS, "Patroni's default".to_string())),
            };
        }
    }
    let default_image = image.is_some_and(|i| DEFAULT_IMAGES.contains(&i.as_str()));
    default_image.then(|| {
        (
            PG_DEFAULT_MAX_CONNECTIONS,
            "PostgreSQL's default".to_string(),
        )
    })
}

fn has_pooler(project: &ComposeProject) -> bool {
    project.services.iter().any(|s| {
        let image = s.image.as_ref().map(|i| image_repository(&i.value));
        let named = |t: &str| POOLERS.iter().any(|p| t.contains(p));
        image.as_deref().is_some_and(named)
            || s.start_words()
                .any(|w| named(w.text.rsplit('/').next().unwrap_or("")))
    })
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    // (anchor file, anchor span) -> (total, message): one finding per place, the largest.
    let mut found: Vec<((FileId, Span), u64, String)> = Vec::new();
    for project in compose_projects(facts) {
        if has_pooler(project) {
            continue;
        }
        let postgres: Vec<(&Service, Runs)> = project
            .services
            .iter()
            .map(|s| (s, runs(s, facts)))
            .filter(|(_, k)| k.is_postgres())
            .collect();
        if postgres.is_empty() {
            continue;
        }
        // Several PostgreSQL services (a Patroni cluster, a second database): the largest
        // `max_connections` is the bound that must be exceeded.
        let mut limit: Option<(u64, String, &str)> = None;
        let mut knowable = true;
        for (s, kind) in &postgres {
            match max_connections(s, *kind, facts) {
                Some((n, source)) => {
                    if limit.as_ref().is_none_or(|(m, _, _)| n > *m) {
                        limit = Some((n, source, s.name.as_str()));
                    }
                }
                None => knowable = false,
            }
        }
        let (Some((max, source, pg_name)), true) = (limit, knowable) else {
            continue;
        };
        for app in project
            .services
            .iter()
            .filter(|s| runs(s, facts) == Runs::App)
        {
            if app.replicas_unknown.is_some() {
                continue;
            }
            let Some(pool) = app_pool(app, facts) else {
                continue;
            };
            let Some((workers, workers_text)) = workers(app, facts) else {
                continue;
            };
            let replicas = u64::from(app.replica_count());
            let total = pool.connections() * workers * replicas;
            if total <= max {
                continue;
            }
            let anchor = match &app.replicas {
                Some(r) if r.value > 1 => (r.file, r.span.clone()),
                _ => (app.file, app.key.clone()),
            };
            let message = format!(
                "service `{}` can open ({} + {}) × {workers} × {replicas} = {total} PostgreSQL \
                 connections, above `max_connections = {max}` of `{pg_name}` ({source}): {} × \
                 {workers} worker{} from {workers_text} × {replicas} replica{}",
                app.name,
                pool.pool_size,
                pool.max_overflow,
                pool.text,
                if workers == 1 { "" } else { "s" },
                if replicas == 1 { "" } else { "s" },
            );
            match found.iter_mut().find(|(a, _, _)| *a == anchor) {
                Some(entry) if entry.1 < total => {
                    entry.1 = total;
                    entry.2 = message;
                }
                Some(_) => {}
                None => found.push((anchor, total, message)),
            }
        }
    }
    for ((file, span), _, message) in found {
        ctx.report_in(file, span, message).help(
            "keep (pool_size + max_overflow) × workers × replicas below max_connections (§2.3): \
             lower the pool or the workers, raise max_connections, or put PgBouncer in front",
        );
    }
}
