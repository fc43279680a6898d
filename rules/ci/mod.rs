//! CI project rules over the facts of every workflow and config file (GHA003, GHA004, GHA011):
//! what the whole CI does, which no single workflow shows.

pub mod no_coverage_gate;
pub mod no_lint_in_ci;
pub mod tests_not_on_pull_request;

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        tests_not_on_pull_request::META,
        Check::Project(tests_not_on_pull_request::check),
    ),
    (
        no_coverage_gate::META,
        Check::Project(no_coverage_gate::check),
    ),
    (no_lint_in_ci::META, Check::Project(no_lint_in_ci::check)),
];
