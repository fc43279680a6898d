//! The one list of rules. Each entry pairs a rule's TOML (code, name, docs, examples, options)
//! with the check it runs; the `Check` variant binds the file kind.

pub mod api;
pub mod db;
pub mod dep;
pub mod dkr;
pub mod gha;
pub mod ha;
pub mod obs;
pub mod pcm;
pub mod sec;

use crate::registry::Check;

/// Every rule: each family's list, then the engine's own rules. The registry sorts them into
/// catalog order.
pub fn all() -> impl Iterator<Item = &'static (&'static str, Check)> {
    DKR.iter()
        .chain(api::RULES)
        .chain(db::RULES)
        .chain(dep::RULES)
        .chain(gha::RULES)
        .chain(ha::RULES)
        .chain(obs::RULES)
        .chain(pcm::RULES)
        .chain(sec::RULES)
        .chain(SUP)
}

/// The engine reports these itself.
static SUP: &[(&str, Check)] = &[
    (include_str!("sup/unused_suppression.toml"), Check::Engine),
    (include_str!("sup/parse_error.toml"), Check::Engine),
];

static DKR: &[(&str, Check)] = &[
    (
        dkr::single_stage_build::META,
        Check::FinalImage(dkr::single_stage_build::check),
    ),
    (
        dkr::runs_as_root::META,
        Check::FinalImage(dkr::runs_as_root::check),
    ),
    (
        dkr::unpinned_base_image::META,
        Check::Dockerfile(dkr::unpinned_base_image::check),
    ),
    (
        dkr::pip_cache_in_image::META,
        Check::Dockerfile(dkr::pip_cache_in_image::check),
    ),
    (
        dkr::copy_before_dependency_install::META,
        Check::Dockerfile(dkr::copy_before_dependency_install::check),
    ),
    (
        dkr::root_local_unreadable::META,
        Check::FinalImage(dkr::root_local_unreadable::check),
    ),
    (
        dkr::shell_form_entrypoint::META,
        Check::FinalImage(dkr::shell_form_entrypoint::check),
    ),
    (
        dkr::secret_in_image::META,
        Check::Dockerfile(dkr::secret_in_image::check),
    ),
    (
        dkr::missing_dockerignore::META,
        Check::Project(dkr::missing_dockerignore::check),
    ),
    (
        dkr::from_as_casing::META,
        Check::Dockerfile(dkr::from_as_casing::check),
    ),
    (
        dkr::dev_server_in_image::META,
        Check::FinalImage(dkr::dev_server_in_image::check),
    ),
];
