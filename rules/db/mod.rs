//! Database rules (DB): SQLAlchemy engines and queries, schema and migrations (foreign-key
//! indexes, concurrent index builds, lazy loading under asyncio), and the PostgreSQL server the
//! stack runs (connections, autovacuum, slow-query log). Rules of this family and their registration list (see rules/mod.rs).

pub mod autovacuum_disabled;
pub mod engine_missing_pool_settings;
pub mod foreign_key_without_index;
pub mod index_without_concurrently;
pub mod invalid_pool_arguments;
pub mod lazy_relationship_with_async;
pub mod pg_stat_statements_removed_column;
pub mod pool_exceeds_max_connections;
pub mod query_in_loop;
pub mod slow_query_log_missing;

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        engine_missing_pool_settings::META,
        Check::Python(engine_missing_pool_settings::check),
    ),
    (
        invalid_pool_arguments::META,
        Check::Python(invalid_pool_arguments::check),
    ),
    (query_in_loop::META, Check::Python(query_in_loop::check)),
    (
        pg_stat_statements_removed_column::META,
        Check::Many(&[
            Check::Text(pg_stat_statements_removed_column::check_text),
            Check::Python(pg_stat_statements_removed_column::check_python),
        ]),
    ),
    (
        foreign_key_without_index::META,
        Check::Project(foreign_key_without_index::check),
    ),
    (
        lazy_relationship_with_async::META,
        Check::Project(lazy_relationship_with_async::check),
    ),
    (
        index_without_concurrently::META,
        Check::Project(index_without_concurrently::check),
    ),
    (
        pool_exceeds_max_connections::META,
        Check::Project(pool_exceeds_max_connections::check),
    ),
    (
        autovacuum_disabled::META,
        Check::Project(autovacuum_disabled::check),
    ),
    (
        slow_query_log_missing::META,
        Check::Project(slow_query_log_missing::check),
    ),
];
