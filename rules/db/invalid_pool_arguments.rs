//! DB002: pool arguments SQLAlchemy refuses when the engine is created.

use crate::python::sqlalchemy::engines;
use crate::python::PythonModule;
use crate::registry::Ctx;

pub const META: &str = include_str!("invalid_pool_arguments.toml");

/// SQLAlchemy 2.0 `create_engine` checks `pool._is_asyncio is not dialect.is_async` and raises
/// `ArgumentError("Pool class … cannot be used with [non-]asyncio engine", code="pcls")`
/// (lib/sqlalchemy/engine/create.py; changelog ticket 8771). `_is_asyncio` is set on these
/// classes only (lib/sqlalchemy/pool/impl.py); NullPool, StaticPool and AssertionPool work
/// with both kinds of engine.
const SYNC_ONLY: &[&str] = &["QueuePool", "SingletonThreadPool"];
const ASYNC_ONLY: &[&str] = &["AsyncAdaptedQueuePool", "FallbackAsyncAdaptedQueuePool"];

/// Keywords a pool class does not take. `create_engine` hands a pool only the arguments its
/// `__init__` names and raises `TypeError("Invalid argument(s) 'pool_size' sent to
/// create_engine(), …")` for any left over (checked against SQLAlchemy 2.0.36).
fn refused(pool: &str) -> &'static [&'static str] {
    match pool {
        "NullPool" | "StaticPool" | "AssertionPool" => {
            &["pool_size", "max_overflow", "pool_timeout"]
        }
        "SingletonThreadPool" => &["max_overflow", "pool_timeout"],
        _ => &[],
    }
}

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    for engine in engines(module) {
        let Some(pool) = engine.pool_class() else {
            continue;
        };
        let Some(poolclass) = engine.keyword("poolclass") else {
            continue;
        };
        if engine.is_async && SYNC_ONLY.contains(&pool) {
            ctx.report(
                poolclass.span.clone(),
                format!(
                    "`create_async_engine(..., poolclass={pool})` raises ArgumentError \"Pool class {pool} cannot be used with asyncio engine\" when the engine is created"
                ),
            )
            .help("use `poolclass=AsyncAdaptedQueuePool` or leave `poolclass` out: async engines pool with it by default");
        } else if !engine.is_async && ASYNC_ONLY.contains(&pool) {
            ctx.report(
                poolclass.span.clone(),
                format!(
                    "`create_engine(..., poolclass={pool})` raises ArgumentError \"Pool class {pool} cannot be used with non-asyncio engine\" when the engine is created"
                ),
            )
            .help("use `poolclass=QueuePool` or leave `poolclass` out, or create the engine with `create_async_engine`");
        }
        for keyword in &engine.keywords {
            // Keys added to a kwargs dict later are often set in another branch than the pool
            // class (`if pooled: kw.update(pool_size=…) else: kw["poolclass"] = NullPool`).
            if !refused(pool).contains(&keyword.name.as_str()) || keyword.later || poolclass.later {
                continue;
            }
            ctx.report(
                keyword.span.clone(),
                format!(
                    "`{}` with `poolclass={pool}` raises TypeError \"Invalid argument(s) '{}' sent to create_engine()\": {pool} does not take it",
                    keyword.name, keyword.name
                ),
            )
            .help(if pool == "NullPool" {
                "drop the pool sizing arguments: NullPool opens a connection per checkout and keeps none"
            } else {
                "drop the argument, or use a QueuePool if the engine should keep a sized pool"
            });
        }
    }
}
