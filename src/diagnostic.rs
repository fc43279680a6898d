//! The one record every rule produces; every output format renders these.

use crate::source::{FileId, Span};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding. Spans are byte ranges; line and column are computed when rendered.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Index of the rule in the registry.
    pub rule: usize,
    pub file: FileId,
    pub span: Span,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// A mechanical fix, when the rule has one for this finding (`crate::fix` applies it).
    pub fix: Option<Fix>,
}

/// Whether a fix keeps the program's meaning (ruff's terms): `--fix` applies safe fixes,
/// `--unsafe-fixes` also the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Unsafe,
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes of `span` (in the file's text, after any BOM) with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// The edits that resolve one finding, applied together or not at all.
#[derive(Debug, Clone)]
pub struct Fix {
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}
