//! Project units: the independent projects one repository holds (a monorepo of services, a
//! collection of samples). Project rules are evaluated per unit, so the facts of one service
//! never satisfy or trigger a rule about another.
//!
//! A unit is a folder with its own Python project marker (`pyproject.toml`, `setup.py`,
//! `setup.cfg`, `Pipfile`, `requirements*.txt`), plus the repository root. A folder that a
//! compose stack of an enclosing unit builds is part of that unit's build, so it joins it: a
//! root `docker-compose.yml` that builds `./backend` makes the root and `backend/` one unit
//! (their pools, replicas and images are judged together). Every other file belongs to the
//! nearest unit above it.

use crate::discover::DiscoveredFile;
use crate::facts::ComposeBuild;
use crate::kind::FileKind;
use crate::source::FileId;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct Units {
    /// Each unit's folder relative to the project root (empty for the root unit, always 0).
    pub roots: Vec<PathBuf>,
    /// The unit of each file of the project, by its position in the project's file list.
    pub of_file: Vec<usize>,
}

impl Units {
    /// The files of each unit, by position in the project's file list.
    pub fn members(&self) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.roots.len()];
        for (file, &unit) in self.of_file.iter().enumerate() {
            members[unit].push(file);
        }
        members
    }

    /// How `--show-files` names a unit: its folder, `.` for the root.
    pub fn label(&self, unit: usize) -> String {
        match self.roots.get(unit) {
            Some(root) if !root.as_os_str().is_empty() => root.to_string_lossy().into_owned(),
            _ => ".".to_string(),
        }
    }
}

/// Files whose facts every unit sees: CI and hooks are configured once per repository.
pub fn is_shared(kind: FileKind) -> bool {
    matches!(kind, FileKind::Workflow | FileKind::Precommit)
}

/// Splits a project's files into units. `builds` are the compose `build:` contexts (relative
/// to the project root) of the project's compose files; `base` is the first file's id.
pub fn assign(files: &[DiscoveredFile], builds: &[ComposeBuild], base: FileId) -> Units {
    let mut candidates: HashSet<PathBuf> =
        files.iter().filter_map(|f| marker_folder(&f.rel)).collect();
    candidates.insert(PathBuf::new());

    // A marker folder that a compose file of an enclosing unit builds belongs to that unit.
    let mut joined: HashSet<PathBuf> = HashSet::new();
    for build in builds {
        let Some(compose) = build.file.checked_sub(base).and_then(|i| files.get(i)) else {
            continue;
        };
        let compose_dir = compose.rel.parent().unwrap_or(Path::new(""));
        let builder = nearest(&candidates, compose_dir);
        let built = nearest(&candidates, &build.context);
        if built != builder && built.starts_with(&builder) {
            joined.insert(built);
        }
    }
    candidates.retain(|c| !joined.contains(c));

    let mut roots: Vec<PathBuf> = candidates.into_iter().collect();
    roots.sort();
    let position: HashMap<&Path, usize> = roots
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_path(), i))
        .collect();
    let of_file = files
        .iter()
        .map(|f| {
            let dir = f.rel.parent().unwrap_or(Path::new(""));
            dir.ancestors()
                .find_map(|a| position.get(a).copied())
                .unwrap_or(0)
        })
        .collect();
    Units { roots, of_file }
}

/// The folder a Python project marker makes a unit (`requirements/base.txt` marks the folder
/// above `requirements/`).
fn marker_folder(rel: &Path) -> Option<PathBuf> {
    let name = rel.file_name()?.to_str()?;
    let dir = rel.parent().unwrap_or(Path::new(""));
    let pinned = name.ends_with(".txt") || name.ends_with(".in");
    if pinned && dir.file_name().is_some_and(|n| n == "requirements") {
        return Some(dir.parent().unwrap_or(Path::new("")).to_path_buf());
    }
    let marker = matches!(
        name,
        "pyproject.toml" | "setup.py" | "setup.cfg" | "Pipfile"
    ) || (name.starts_with("requirements") && pinned);
    marker.then(|| dir.to_path_buf())
}

/// The deepest candidate folder at or above `dir` (the root when none is).
fn nearest(candidates: &HashSet<PathBuf>, dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|a| candidates.contains(*a))
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, kind: FileKind) -> DiscoveredFile {
        DiscoveredFile {
            path: PathBuf::from("/repo").join(rel),
            rel: PathBuf::from(rel),
            kind,
            requested: true,
        }
    }

    fn labels(units: &Units) -> Vec<String> {
        units.of_file.iter().map(|&u| units.label(u)).collect()
    }

    #[test]
    fn sibling_services_are_separate_units() {
        let files = [
            file("svc-api/requirements.txt", FileKind::Requirements),
            file("svc-api/app/main.py", FileKind::Python),
            file("svc-flask/requirements/base.txt", FileKind::Requirements),
            file("svc-flask/app.py", FileKind::Python),
            file(".github/workflows/ci.yml", FileKind::Workflow),
        ];
        let units = assign(&files, &[], 0);
        assert_eq!(
            labels(&units),
            ["svc-api", "svc-api", "svc-flask", "svc-flask", "."]
        );
    }

    #[test]
    fn a_folder_the_root_stack_builds_joins_the_root() {
        let files = [
            file("docker-compose.yml", FileKind::Compose),
            file("backend/pyproject.toml", FileKind::Pyproject),
            file("backend/app/main.py", FileKind::Python),
            file("tools/requirements.txt", FileKind::Requirements),
        ];
        let builds = [ComposeBuild {
            file: 0,
            service: "backend".to_string(),
            context: PathBuf::from("backend"),
            dockerfile: PathBuf::from("backend/Dockerfile"),
            target: None,
            compose: PathBuf::from("docker-compose.yml"),
        }];
        let units = assign(&files, &builds, 0);
        assert_eq!(labels(&units), [".", ".", ".", "tools"]);
    }
}
