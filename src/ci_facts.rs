//! Facts for the CI and configuration project rules (GHA003, GHA004, GHA011, PCM001, PCM005,
//! PCM006): which workflows run tests, linters and coverage, the coverage thresholds, the line
//! lengths each linter is configured with, and the Python versions declared in five places.

mod ini;
pub mod precommit;
mod pyproject;
pub mod specifier;
pub mod tools;
mod workflow;

use crate::facts::{parse_py_version, FileFacts, PyVersion, Setting};
use crate::kind::FileKind;
use crate::model::scripts::Script;
use crate::model::{PrecommitFile, WorkflowFile};
use crate::parse::dockerfile::Dockerfile;
use crate::parse::ini::IniFile;
use crate::source::FileId;
use std::path::Path;

/// `FROM python:3.12-slim` in the final image's chain: the Python version the image runs.
pub fn from_dockerfile(file: &Dockerfile<'_, '_>, id: FileId) -> Vec<Setting<String>> {
    let Some(last) = file.final_stage() else {
        return Vec::new();
    };
    let image = file.root_image(last.index);
    let (name, tag) = match image
        .split_once('@')
        .map_or(image, |(i, _)| i)
        .rsplit_once(':')
    {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => return Vec::new(),
    };
    let base = name.rsplit('/').next().unwrap_or(name);
    if base != "python" {
        return Vec::new();
    }
    let Some(version) = major_minor(tag) else {
        return Vec::new();
    };
    // Anchor at the FROM of the stage whose image names the version.
    let span = file
        .stages
        .iter()
        .find(|s| s.base_image() == image)
        .map_or(last.from_span(), |s| s.from.image.span.clone());
    vec![Setting {
        file: id,
        span,
        source: format!("`FROM {image}` in {}", shown(file.path)),
        value: version,
    }]
}

/// `3.12`, `3.12.1`, `3.12-slim`, `python3.12`, `py312`, `>=3.10` -> `3.12` / `3.10`.
pub fn major_minor(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_start_matches(|c: char| !c.is_ascii_digit());
    if let Some(compact) = text.trim().strip_prefix("py") {
        // ruff/black `target-version = "py312"`.
        if compact.len() >= 3 && compact.chars().all(|c| c.is_ascii_digit()) {
            return Some(format!("{}.{}", &compact[..1], &compact[1..]));
        }
    }
    let mut parts = t.split(|c: char| !c.is_ascii_digit());
    let major = parts.next().filter(|p| !p.is_empty())?;
    let minor = parts.next().filter(|p| !p.is_empty())?;
    (major == "3" || major == "2").then(|| format!("{major}.{minor}"))
}

pub fn from_workflow(
    file: &WorkflowFile<'_>,
    scripts: &[Script],
    id: FileId,
    facts: &mut FileFacts,
) {
    workflow::gather(file, scripts, id, facts);
}

pub fn from_precommit(file: &PrecommitFile<'_>, id: FileId, facts: &mut FileFacts) {
    precommit::gather(file, id, facts);
}

pub fn from_pyproject(
    doc: &toml_edit::Document<String>,
    path: &Path,
    id: FileId,
    facts: &mut FileFacts,
) {
    pyproject::gather(doc, path, id, facts);
}

pub fn from_ini(kind: FileKind, path: &Path, ini: &IniFile, id: FileId, facts: &mut FileFacts) {
    ini::gather(kind, path, ini, id, facts);
}

/// `path` with `/` separators, for messages.
pub fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A Python version as a runtime declares it: `3.12`, `3.12.1`, `3.13t`, `python3.11`; not
/// `3.x`, `pypy3.10` (another interpreter), ranges or expressions.
pub fn runtime_version(text: &str) -> Option<PyVersion> {
    let t = text.trim();
    let t = t.strip_prefix("python").unwrap_or(t);
    if !t.starts_with(|c: char| c.is_ascii_digit()) || t.contains(' ') {
        return None;
    }
    major_minor(t).and_then(|v| parse_py_version(&v))
}

#[cfg(test)]
mod tests {
    use super::major_minor;

    #[test]
    fn versions() {
        assert_eq!(major_minor("3.12-slim").as_deref(), Some("3.12"));
        assert_eq!(major_minor("3.11.7").as_deref(), Some("3.11"));
        assert_eq!(major_minor("python3.11").as_deref(), Some("3.11"));
        assert_eq!(major_minor("py312").as_deref(), Some("3.12"));
        assert_eq!(major_minor(">=3.10").as_deref(), Some("3.10"));
        assert_eq!(major_minor("slim"), None);
        assert_eq!(major_minor("3"), None);
    }
}
