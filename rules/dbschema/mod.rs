//! Schema rules over SQLAlchemy models, Alembic revisions and SQL migrations (§2.2). Rules of this family and their registration list (see rules/mod.rs).

pub mod foreign_key_without_index;
pub mod index_without_concurrently;
pub mod lazy_relationship_with_async;

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
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
];
