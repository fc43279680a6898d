//! CI project rules over the facts of every workflow and config file (GHA003, GHA004, GHA011). Rules of this family and their registration list (see rules/mod.rs).

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[];
