//! FastAPI route-handler rules (§3.1, §3.2, §3.5). Rules of this family and their registration list (see rules/mod.rs).

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[];
