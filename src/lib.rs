//! prodlint: a static production-readiness linter for Python web-service repositories.
//!
//! The pipeline lives here so that the CLI, the tests and an editor server call the same code:
//! [`engine::lint`] takes paths and [`settings::Settings`] and returns a [`engine::Report`].

pub mod ci_facts;
pub mod cli;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod facts;
pub mod kind;
pub mod model;
pub mod parse;
pub mod python;
pub mod registry;
pub mod render;
pub mod server;
pub mod settings;
pub mod source;
pub mod suppress;

#[path = "../rules/mod.rs"]
pub mod rules;

pub use engine::{lint, LintRequest, Report};
pub use settings::Settings;
