//! SQLAlchemy engine, query and SQL-text rules (§2.1, §2.3). Rules of this family and their registration list (see rules/mod.rs).

pub mod engine_missing_pool_settings;
pub mod invalid_pool_arguments;
pub mod pg_stat_statements_removed_column;
pub mod query_in_loop;

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
];
