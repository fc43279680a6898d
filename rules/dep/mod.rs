//! Deploy-script rules (§4.4, §4.1 deploy job). Rules of this family and their registration list (see rules/mod.rs).

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[];
