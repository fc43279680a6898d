//! The workspace's configuration, loaded as the CLI loads it, and its errors as a diagnostic
//! on the config file instead of an exit.

use super::position::{path_to_uri, Encoding};
use crate::settings::{ConfigError, Overrides, Settings};
use serde_json::{json, Value};
use std::path::Path;

/// An invalid config, as the diagnostic to show on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub uri: String,
    pub diagnostic: Value,
}

/// Whether a change to `path` can change the configuration.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "prodlint.toml" || n == "pyproject.toml")
}

/// The settings for `root`, or the problem that keeps them from loading.
pub fn load(root: &Path, encoding: Encoding) -> Result<Settings, Problem> {
    Settings::load(None, root, &Overrides::default()).map_err(|e| problem(&e, encoding))
}

fn problem(error: &ConfigError, encoding: Encoding) -> Problem {
    let (line, character) = lsp_position(error, encoding);
    Problem {
        uri: path_to_uri(&error.path),
        diagnostic: json!({
            "range": {
                "start": {"line": line, "character": character},
                "end": {"line": line, "character": character},
            },
            "severity": 1,
            "source": "prodlint",
            "message": format!("invalid prodlint configuration: {}", error.message),
        }),
    }
}

/// The error's 1-based line and character column as an LSP position (no position: the start).
fn lsp_position(error: &ConfigError, encoding: Encoding) -> (u32, u32) {
    if error.line == 0 {
        return (0, 0);
    }
    let line = u32::try_from(error.line - 1).unwrap_or(u32::MAX);
    // The column counts characters; the client counts UTF-16 units or bytes of that line.
    let text = std::fs::read_to_string(&error.path).unwrap_or_default();
    let body = text.lines().nth(error.line - 1).unwrap_or("");
    let before = body.chars().take(error.column.saturating_sub(1));
    let character: usize = match encoding {
        Encoding::Utf8 => before.map(char::len_utf8).sum(),
        Encoding::Utf16 => before.map(char::len_utf16).sum(),
    };
    (line, u32::try_from(character).unwrap_or(u32::MAX))
}
