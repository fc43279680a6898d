//! Security rules (§ Security). Rules of this family and their registration list (see rules/mod.rs).

pub mod committed_env_file;

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[(
    committed_env_file::META,
    Check::Dotenv(committed_env_file::check),
)];
