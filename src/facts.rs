//! Facts that files contribute for project rules. Each file yields a `FileFacts` while it is
//! parsed; the engine merges them into one `ProjectFacts` that project rules read.

use crate::parse::yaml::Yaml;
use crate::source::{FileId, Span};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// A Dockerfile as project rules need it.
#[derive(Debug, Clone)]
pub struct DockerfileFact {
    pub file: FileId,
    /// Path relative to the project root.
    pub path: PathBuf,
    /// The first `COPY . …` / `ADD . …` that sends the whole build context into the image.
    pub whole_context_copy: Option<Span>,
}

/// A compose service's `build:`, resolved relative to the project root.
#[derive(Debug, Clone)]
pub struct ComposeBuild {
    pub file: FileId,
    pub service: String,
    pub context: PathBuf,
    /// The Dockerfile the service builds (`build.dockerfile`, default `Dockerfile` in context).
    pub dockerfile: PathBuf,
}

/// A value some configuration sets, with where it is set: the anchor of a mismatch finding.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub file: FileId,
    pub span: Span,
    /// Where it comes from, for messages: "black `line-length` in pyproject.toml".
    pub source: String,
    pub value: T,
}

/// A line length a tool is configured with (or its documented default where the tool is
/// configured without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineLength {
    /// `black`, `ruff`, `flake8`, `isort`, `pylint`.
    pub tool: String,
    pub length: i64,
}

/// A workflow as the CI project rules need it.
#[derive(Debug, Clone, Default)]
pub struct WorkflowFact {
    pub file: FileId,
    pub path: PathBuf,
    /// Whether `pull_request` (or `pull_request_target`) triggers it.
    pub on_pull_request: bool,
    /// Commands that run the tests (`pytest`, `tox`, `nox`, `make test`): their spans.
    pub test_runs: Vec<Span>,
    /// Test runs that measure coverage (`--cov`, `coverage run`).
    pub coverage_runs: Vec<Span>,
    /// Commands that run linters or `pre-commit run`.
    pub lint_runs: Vec<Span>,
    /// Where a workflow-level finding anchors (the `on:` key, or line 1).
    pub anchor: Span,
}

/// What one file contributes.
#[derive(Debug, Default)]
pub struct FileFacts {
    pub dockerfile: Option<DockerfileFact>,
    pub compose_builds: Vec<ComposeBuild>,
    pub workflow: Option<WorkflowFact>,
    /// This file is a `.pre-commit-config.yaml`.
    pub precommit_config: Option<FileId>,
    pub line_lengths: Vec<Setting<LineLength>>,
    /// Minimum coverage percentages enforced (`--cov-fail-under`, `fail_under`, `--fail-under`).
    pub coverage_thresholds: Vec<Setting<f64>>,
    /// Places that measure coverage without a threshold of their own (pytest `addopts = --cov`).
    pub coverage_runs: Vec<Setting<()>>,
    /// Python versions declared: `X.Y` strings.
    pub python_versions: Vec<Setting<String>>,
    /// Python dependencies declared (requirements files, pyproject.toml).
    pub dependencies: Vec<crate::python::deps::Dependency>,
}

/// Everything project rules see.
#[derive(Debug, Default)]
pub struct ProjectFacts {
    /// Every file of the project (relative to its root), linted or not: the folder listing.
    pub paths: HashSet<PathBuf>,
    pub dockerfiles: Vec<DockerfileFact>,
    pub compose_builds: Vec<ComposeBuild>,
    pub workflows: Vec<WorkflowFact>,
    pub precommit_configs: Vec<FileId>,
    pub line_lengths: Vec<Setting<LineLength>>,
    pub coverage_thresholds: Vec<Setting<f64>>,
    pub coverage_runs: Vec<Setting<()>>,
    pub python_versions: Vec<Setting<String>>,
    /// The project's Python index: modules, names across modules, FastAPI apps and routes.
    pub python: std::sync::Arc<crate::python::PythonIndex>,
    /// Python dependencies declared anywhere in the project.
    pub dependencies: Vec<crate::python::deps::Dependency>,
    /// A file to anchor project-wide findings at when no better one exists (pyproject.toml,
    /// setup.py or requirements.txt at the root), with whether the project is Python at all.
    pub python_project_anchor: Option<FileId>,
}

impl ProjectFacts {
    pub fn add(&mut self, mut facts: FileFacts) {
        self.dependencies.append(&mut facts.dependencies);
        self.dockerfiles.extend(facts.dockerfile);
        self.compose_builds.extend(facts.compose_builds);
        self.workflows.extend(facts.workflow);
        self.precommit_configs.extend(facts.precommit_config);
        self.line_lengths.extend(facts.line_lengths);
        self.coverage_thresholds.extend(facts.coverage_thresholds);
        self.coverage_runs.extend(facts.coverage_runs);
        self.python_versions.extend(facts.python_versions);
    }

    pub fn has_file(&self, path: &Path) -> bool {
        self.paths.contains(path)
    }
}

/// Joins `rel` onto `base` and removes `.` and `..` lexically; `None` if it leaves the root.
pub fn normalize_join(base: &Path, rel: &str) -> Option<PathBuf> {
    let joined = base.join(rel);
    let mut out: Vec<&std::ffi::OsStr> = Vec::new();
    for comp in joined.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop()?;
            }
            Component::Normal(part) => out.push(part),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out.iter().collect())
}

/// The `build:` of every service of a compose document (string or map form).
/// Contexts that are URLs or leave the repository are not facts we can use, so they are skipped.
pub fn compose_builds(doc: &Yaml, compose_path: &Path, file: FileId) -> Vec<ComposeBuild> {
    let dir = compose_path.parent().unwrap_or(Path::new(""));
    let Some(services) = doc.get("services") else {
        return Vec::new();
    };
    let mut builds = Vec::new();
    for (name, service) in services.entries() {
        let Some(build) = service.get("build") else {
            continue;
        };
        let (context, dockerfile) = match build.as_str() {
            Some(context) => (context, None),
            None => (
                build.get("context").and_then(Yaml::as_str).unwrap_or("."),
                build.get("dockerfile").and_then(Yaml::as_str),
            ),
        };
        if context.contains("://") || context.starts_with("git@") || context.contains('$') {
            continue;
        }
        let Some(context) = normalize_join(dir, context) else {
            continue;
        };
        let dockerfile = match dockerfile {
            // `dockerfile:` is relative to the context (Compose specification, build.dockerfile).
            Some(df) => normalize_join(&context, df),
            None => Some(context.join("Dockerfile")),
        };
        let Some(dockerfile) = dockerfile else {
            continue;
        };
        builds.push(ComposeBuild {
            file,
            service: name.as_str().unwrap_or_default().to_string(),
            context,
            dockerfile,
        });
    }
    builds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(
            normalize_join(Path::new("a/b"), "../c"),
            Some(PathBuf::from("a/c"))
        );
        assert_eq!(normalize_join(Path::new(""), "."), Some(PathBuf::new()));
        assert_eq!(normalize_join(Path::new(""), "../x"), None);
    }

    #[test]
    fn reads_build_forms() {
        let text = "services:\n  api:\n    build: ./backend\n  web:\n    build:\n      context: .\n      dockerfile: docker/web.Dockerfile\n  db:\n    image: postgres\n";
        let docs = crate::parse::yaml::parse(text).ok().expect("yaml");
        let builds = compose_builds(&docs[0], Path::new("deploy/compose.yaml"), 0);
        assert_eq!(builds.len(), 2);
        assert_eq!(builds[0].context, PathBuf::from("deploy/backend"));
        assert_eq!(
            builds[0].dockerfile,
            PathBuf::from("deploy/backend/Dockerfile")
        );
        assert_eq!(builds[1].context, PathBuf::from("deploy"));
        assert_eq!(
            builds[1].dockerfile,
            PathBuf::from("deploy/docker/web.Dockerfile")
        );
    }
}
