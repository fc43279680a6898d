//! pre-commit and linter configuration rules (§4.2): the pre-commit config itself (PCM002,
//! PCM003, PCM004) and what the project's config files, hooks and CI commands declare together
//! (PCM001, PCM004, PCM005, PCM006, over the facts of `ci_facts`).

pub mod broken_additional_dependency;
pub mod flake8_ignore_replaces_defaults;
pub mod line_length_mismatch;
pub mod missing_pre_commit_config;
pub mod mutable_rev;
pub mod python_version_mismatch;

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        missing_pre_commit_config::META,
        Check::Project(missing_pre_commit_config::check),
    ),
    (mutable_rev::META, Check::Precommit(mutable_rev::check)),
    (
        broken_additional_dependency::META,
        Check::Precommit(broken_additional_dependency::check),
    ),
    (
        flake8_ignore_replaces_defaults::META,
        Check::Many(&[
            Check::Precommit(flake8_ignore_replaces_defaults::check_hooks),
            Check::Project(flake8_ignore_replaces_defaults::check_configs),
        ]),
    ),
    (
        line_length_mismatch::META,
        Check::Project(line_length_mismatch::check),
    ),
    (
        python_version_mismatch::META,
        Check::Project(python_version_mismatch::check),
    ),
];
