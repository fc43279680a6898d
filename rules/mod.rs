//! The one list of rules. Each entry pairs a rule's TOML (code, name, docs, examples, options)
//! with the check it runs; the `Check` variant binds the file kind.

pub mod api;
pub mod app;
pub mod ci;
pub mod db;
pub mod dbschema;
pub mod dep;
pub mod dkr;
pub mod gha;
pub mod pcm;
pub mod pysec;
pub mod sec;
pub mod topo;

use crate::registry::Check;

/// Every rule: each family's list, then the engine's own rules. The registry sorts them into
/// catalog order.
pub fn all() -> impl Iterator<Item = &'static (&'static str, Check)> {
    DKR.iter()
        .chain(api::RULES)
        .chain(app::RULES)
        .chain(pysec::RULES)
        .chain(db::RULES)
        .chain(dbschema::RULES)
        .chain(gha::RULES)
        .chain(ci::RULES)
        .chain(pcm::RULES)
        .chain(dep::RULES)
        .chain(sec::RULES)
        .chain(topo::RULES)
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
