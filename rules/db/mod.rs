//! SQLAlchemy engine, query and SQL-text rules (§2.1, §2.3). Rules of this family and their registration list (see rules/mod.rs).

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[];
