//! FastAPI application-wide and Pydantic rules (§3.3, §3.4, §1.3, monitoring, security). Rules of this family and their registration list (see rules/mod.rs).

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[];
