//! Schema rules over SQLAlchemy models, Alembic revisions and SQL migrations (§2.2). Rules of this family and their registration list (see rules/mod.rs).

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[];
