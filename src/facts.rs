//! Facts that files contribute for project rules. Each file yields a `FileFacts` while it is
//! parsed; the engine merges them into one `ProjectFacts` that project rules read.

use crate::parse::yaml::Yaml;
use crate::source::{FileId, Span};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// A Dockerfile as project rules need it.
#[derive(Debug, Clone)]
pub struct DockerfileFact {
    pub file: FileId,
    /// Path relative to the project root.
    pub path: PathBuf,
    /// The first `COPY . …` / `ADD . …` that sends the whole build context into the image.
    pub whole_context_copy: Option<Span>,
    /// The final stage's base image, followed through earlier stages (`python:3.12-slim`).
    pub base_image: String,
    /// The final image's `HEALTHCHECK`: `Some(true)` for a check, `Some(false)` for
    /// `HEALTHCHECK NONE`, `None` when the Dockerfile has none (the base image's applies).
    pub healthcheck: Option<bool>,
    /// The final image's ENTRYPOINT and CMD words, space-joined (what the container runs).
    pub start: String,
    /// The stages that may be built (the last and the named ones), each judged as the image it
    /// makes; the project phase keeps the judgments of the stages built (`model::built`).
    pub stages: Vec<crate::model::built::StageImage>,
}

/// A `redis.conf`/`sentinel.conf`/`postgresql.conf` file and its directives.
#[derive(Debug, Clone)]
pub struct ConfFact {
    pub file: FileId,
    pub path: PathBuf,
    pub kind: crate::kind::FileKind,
    pub directives: Vec<crate::parse::conf::Directive>,
}

/// A Patroni configuration file.
#[derive(Debug, Clone)]
pub struct PatroniFact {
    pub file: FileId,
    pub path: PathBuf,
    /// `etcd:`/`etcd3:` `hosts` (list or comma-separated) or `host`: the key and the members.
    pub etcd_hosts: Option<(Span, Vec<String>)>,
    /// `postgresql.parameters` (and `bootstrap.dcs.postgresql.parameters`): name, value, span.
    pub parameters: Vec<(String, String, Span)>,
    /// Where a finding about a missing parameter points: `parameters:`, else `postgresql:`.
    pub anchor: Span,
}

/// A `prometheus.yml`.
#[derive(Debug, Clone)]
pub struct PrometheusFact {
    pub file: FileId,
    pub path: PathBuf,
    /// `rule_files` with at least one entry.
    pub has_rule_files: bool,
    /// Where a finding about the file anchors: the `global:` or first key.
    pub anchor: Span,
}

/// A SQLAlchemy engine a production module creates, with the size of its pool when the source
/// shows it (DB008).
#[derive(Debug, Clone)]
pub struct EngineFact {
    pub file: FileId,
    /// Relative to the project root.
    pub path: PathBuf,
    /// The function name as written.
    pub callee: Span,
    pub pool: EnginePool,
}

/// How many connections one engine can hold open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnginePool {
    /// A `QueuePool`: `pool_size` + `max_overflow`, each with whether it is SQLAlchemy's
    /// default (5 and 10) because the call does not set it.
    Queue {
        pool_size: u64,
        max_overflow: u64,
        size_default: bool,
        overflow_default: bool,
    },
    /// `NullPool` and other pools without a bound of their own, `max_overflow=-1`, options the
    /// source hides (`**kwargs` that cannot be read, values from settings the environment can
    /// override): no number can be claimed.
    Unknown,
    /// Not a PostgreSQL engine (SQLite, or a URL naming another database).
    NotPostgres,
}

/// A compose service's `build:`, resolved relative to the project root.
#[derive(Debug, Clone)]
pub struct ComposeBuild {
    pub file: FileId,
    pub service: String,
    pub context: PathBuf,
    /// The Dockerfile the service builds (`build.dockerfile`, default `Dockerfile` in context).
    pub dockerfile: PathBuf,
    /// `build.target`, as written: the stage built.
    pub target: Option<String>,
    /// The compose file, relative to the project root.
    pub compose: PathBuf,
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
    /// `black`, `ruff`, `flake8`, `isort`, `pylint`, `pycodestyle`.
    pub tool: String,
    pub length: i64,
    pub origin: LengthOrigin,
}

/// How a line length was obtained. Defaults are weaker evidence than explicit values: a tool
/// run without a length reads its config files first, so its default only holds when no config
/// file sets one (PCM005 resolves that over the whole project).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthOrigin {
    /// A config file: `[tool.black] line-length`, `[flake8] max-line-length`, isort `profile`.
    Config,
    /// A command-line argument: a pre-commit hook's `args` or a workflow `run:` line. It
    /// overrides the config files for that invocation only.
    Argument,
    /// The tool is run (a hook, a `run:` line) without a length: the default applies unless a
    /// config file sets one.
    DefaultOfInvocation,
    /// The tool has a config section without a length: the default applies unless the tool is
    /// given a length anywhere.
    DefaultOfSection,
}

impl LengthOrigin {
    pub fn is_default(self) -> bool {
        matches!(
            self,
            LengthOrigin::DefaultOfInvocation | LengthOrigin::DefaultOfSection
        )
    }
}

/// `X.Y` as numbers, ordered.
pub type PyVersion = (u32, u32);

/// What a Python version declaration means. Runtimes name the interpreter that runs (a set of
/// exact versions); `Requires` is the range the project supports; `Target` is the oldest
/// version a tool writes or checks code for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PythonRole {
    /// Dockerfile `FROM python:X`: what production runs.
    Image,
    /// `requires-python` (or Poetry's `python` dependency).
    Requires,
    /// Workflow `setup-python` `python-version` (each matrix entry is one declaration).
    Ci,
    /// pre-commit `language_version` / `default_language_version`.
    Hooks,
    /// ruff/black `target-version`, mypy `python_version`.
    Target,
}

/// One declaration: the inclusive range of `X.Y` versions it admits (`low == high` for a
/// runtime; `high` is `None` when unbounded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonDecl {
    pub role: PythonRole,
    pub low: PyVersion,
    pub high: Option<PyVersion>,
}

impl PythonDecl {
    pub fn exact(role: PythonRole, v: PyVersion) -> PythonDecl {
        PythonDecl {
            role,
            low: v,
            high: Some(v),
        }
    }

    pub fn admits(&self, v: PyVersion) -> bool {
        self.low <= v && self.high.is_none_or(|h| v <= h)
    }
}

/// flake8 told to `--ignore` / `ignore =` a list of codes (which replaces its defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flake8Ignore {
    pub codes: Vec<String>,
}

/// A config file as the project rules see it: which file it is and where, so that facts from
/// vendored or test-fixture copies can be told apart from the project's own.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub file: FileId,
    /// `pyproject.toml`, `setup.cfg`, `.pre-commit-config.yaml`, a workflow's file name.
    pub name: String,
    /// Relative to the project root; `None` when the engine does not say (pyproject.toml).
    pub path: Option<PathBuf>,
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
    /// The commands of `test_runs`, as written (for messages).
    pub test_commands: Vec<String>,
    /// `push` without a branch filter (or with `branches-ignore`, `'**'`): pushes to a pull
    /// request's branch run it too.
    pub push_all_branches: bool,
    /// `on: workflow_call`: a reusable workflow, run by the workflows that call it.
    pub reusable: bool,
    /// Local reusable workflows its jobs call (`uses: ./.github/workflows/x.yml`), as paths.
    pub calls: Vec<PathBuf>,
    /// Steps or jobs whose commands cannot be seen: a remote reusable workflow or a local
    /// action (`uses: ./.github/actions/x`). They may run tests or linters.
    pub opaque: bool,
}

/// What one file contributes.
#[derive(Debug, Default, Clone)]
pub struct FileFacts {
    pub dockerfile: Option<DockerfileFact>,
    pub compose_builds: Vec<ComposeBuild>,
    /// A compose file's services (one per YAML document).
    pub compose_files: Vec<crate::model::compose::ComposeFile>,
    /// Compose stacks a deploy script or job starts (`docker compose -f … up` over ssh).
    pub compose_runs: Vec<crate::model::compose::ComposeRun>,
    pub conf: Option<ConfFact>,
    pub patroni: Option<PatroniFact>,
    pub prometheus: Option<PrometheusFact>,
    pub workflow: Option<WorkflowFact>,
    /// This file is a `.pre-commit-config.yaml`.
    pub precommit_config: Option<FileId>,
    pub line_lengths: Vec<Setting<LineLength>>,
    /// Minimum coverage percentages enforced (`--cov-fail-under`, `fail_under`, `--fail-under`).
    pub coverage_thresholds: Vec<Setting<f64>>,
    /// Places that measure coverage without a threshold of their own (pytest `addopts = --cov`).
    pub coverage_runs: Vec<Setting<()>>,
    /// Python versions declared: `X.Y` strings (for a range, its lower bound).
    pub python_versions: Vec<Setting<String>>,
    /// The same declarations with what they mean (runtime, supported range, tool target).
    /// A Dockerfile's `python_versions` become `Image` declarations in [`ProjectFacts::add`].
    pub python_decls: Vec<Setting<PythonDecl>>,
    /// Coverage thresholds whose value is not a literal (`--fail-under "$MIN"`): a gate exists
    /// but its level is unknown.
    pub coverage_gates_unknown: Vec<Setting<String>>,
    /// flake8 `--ignore` / `ignore =` (PCM004).
    pub flake8_ignores: Vec<Setting<Flake8Ignore>>,
    /// The pre-commit config has a `ci:` section: pre-commit.ci runs its hooks on every push.
    pub precommit_ci: Option<Span>,
    /// The config file this file is, when it contributes configuration facts.
    pub config_file: Option<ConfigFile>,
    /// Python dependencies declared (requirements files, pyproject.toml).
    pub dependencies: Vec<crate::python::deps::Dependency>,
    /// Models, Alembic revisions and SQL statements this file declares (DB003, DB005, DB007).
    pub schema: Option<crate::python::schema::FileSchema>,
    /// SQLAlchemy engines the module creates (not in tests or Alembic modules).
    pub engines: Vec<EngineFact>,
    /// Images this file builds (`docker build` in a script or workflow, build-push-action).
    pub builds: Vec<crate::model::built::BuildRef>,
    /// This shell script starts a program as another user (`exec gosu app "$@"`).
    pub privilege_drop_script: Option<PathBuf>,
}

impl FileFacts {
    /// Records a line length a tool is configured with (ini files and pyproject.toml alike).
    pub fn push_line_length(
        &mut self,
        file: FileId,
        tool: &str,
        length: i64,
        origin: LengthOrigin,
        span: Span,
        source: String,
    ) {
        self.line_lengths.push(Setting {
            file,
            span,
            source,
            value: LineLength {
                tool: tool.to_string(),
                length,
                origin,
            },
        });
    }
}

/// The role of every file of the project, by file id (ids of one project are consecutive).
#[derive(Debug, Default)]
pub struct FileRoles {
    pub base: FileId,
    /// Shared by every unit of the project.
    pub roles: std::sync::Arc<Vec<crate::model::roles::Role>>,
}

/// Everything project rules see.
#[derive(Debug, Default)]
pub struct ProjectFacts {
    /// Each file's role: facts from tests, tutorials or scripts do not make the service's case.
    pub roles: FileRoles,
    /// The folder of the project unit these facts are about, relative to the project root
    /// (empty for the root unit; see `model::units`).
    pub unit_root: PathBuf,
    /// Every file of the project (relative to its root), linted or not: the folder listing.
    /// Shared by every unit of the project (one listing, not a copy per unit).
    pub paths: std::sync::Arc<HashSet<PathBuf>>,
    pub dockerfiles: Vec<DockerfileFact>,
    /// Position in `dockerfiles` of the first Dockerfile at each path (built on first use:
    /// every compose service looks up the Dockerfile it builds).
    pub dockerfile_by_path: std::sync::OnceLock<HashMap<PathBuf, usize>>,
    pub compose_builds: Vec<ComposeBuild>,
    pub compose_files: Vec<crate::model::compose::ComposeFile>,
    pub compose_runs: Vec<crate::model::compose::ComposeRun>,
    pub confs: Vec<ConfFact>,
    pub patroni: Vec<PatroniFact>,
    pub prometheus: Vec<PrometheusFact>,
    pub workflows: Vec<WorkflowFact>,
    pub precommit_configs: Vec<FileId>,
    pub line_lengths: Vec<Setting<LineLength>>,
    pub coverage_thresholds: Vec<Setting<f64>>,
    pub coverage_runs: Vec<Setting<()>>,
    pub python_versions: Vec<Setting<String>>,
    pub python_decls: Vec<Setting<PythonDecl>>,
    pub coverage_gates_unknown: Vec<Setting<String>>,
    pub flake8_ignores: Vec<Setting<Flake8Ignore>>,
    pub precommit_ci: Vec<(FileId, Span)>,
    pub config_files: Vec<ConfigFile>,
    /// The project's Python index: modules, names across modules, FastAPI apps and routes.
    pub python: std::sync::Arc<crate::python::PythonIndex>,
    /// The compose files merged into projects (override files, extends, include), computed on
    /// first use and shared by the topology rules.
    pub compose_projects: std::sync::OnceLock<Vec<crate::model::compose::ComposeProject>>,
    /// Python dependencies declared anywhere in the project.
    pub dependencies: Vec<crate::python::deps::Dependency>,
    /// A file to anchor project-wide findings at when no better one exists (pyproject.toml,
    /// setup.py or requirements.txt at the root), with whether the project is Python at all.
    pub python_project_anchor: Option<FileId>,
    /// Schema declarations of every file: models, Alembic revisions, `.sql` files.
    pub schema: Vec<crate::python::schema::FileSchema>,
    /// SQLAlchemy engines of production modules, with their pool sizes (DB008).
    pub engines: Vec<EngineFact>,
    /// Images that scripts and workflows build (compose builds are in `compose_builds`).
    pub builds: Vec<crate::model::built::BuildRef>,
    /// Shell scripts that drop privileges, relative to the root (entrypoints, DKR002).
    pub privilege_drop_scripts: HashSet<PathBuf>,
}

impl ProjectFacts {
    pub fn add(&mut self, mut facts: FileFacts) {
        self.dependencies.append(&mut facts.dependencies);
        self.schema.extend(facts.schema.take());
        if let Some(df) = &facts.dockerfile {
            // A Dockerfile's versions come from `ci_facts::from_dockerfile`: its image's Python.
            for v in &facts.python_versions {
                let Some(version) = parse_py_version(&v.value) else {
                    continue;
                };
                self.python_decls.push(Setting {
                    file: df.file,
                    span: v.span.clone(),
                    source: v.source.clone(),
                    value: PythonDecl::exact(PythonRole::Image, version),
                });
            }
            self.config_files.push(ConfigFile {
                file: df.file,
                name: file_name(&df.path),
                path: Some(df.path.clone()),
            });
        }
        if let (Some(span), Some(cf)) = (&facts.precommit_ci, &facts.config_file) {
            self.precommit_ci.push((cf.file, span.clone()));
        }
        self.engines.append(&mut facts.engines);
        self.builds.append(&mut facts.builds);
        self.privilege_drop_scripts
            .extend(facts.privilege_drop_script.take());
        self.dockerfiles.extend(facts.dockerfile);
        self.compose_builds.extend(facts.compose_builds);
        self.compose_files.extend(facts.compose_files);
        self.compose_runs.extend(facts.compose_runs);
        self.confs.extend(facts.conf);
        self.patroni.extend(facts.patroni);
        self.prometheus.extend(facts.prometheus);
        self.workflows.extend(facts.workflow);
        self.precommit_configs.extend(facts.precommit_config);
        self.line_lengths.extend(facts.line_lengths);
        self.coverage_thresholds.extend(facts.coverage_thresholds);
        self.coverage_runs.extend(facts.coverage_runs);
        self.python_versions.extend(facts.python_versions);
        self.python_decls.extend(facts.python_decls);
        self.coverage_gates_unknown
            .extend(facts.coverage_gates_unknown);
        self.flake8_ignores.extend(facts.flake8_ignores);
        self.config_files.extend(facts.config_file);
    }

    /// The Dockerfile at a path relative to the project root, if the project has one there.
    pub fn dockerfile_at(&self, path: &Path) -> Option<&DockerfileFact> {
        let by_path = self.dockerfile_by_path.get_or_init(|| {
            let mut map = HashMap::with_capacity(self.dockerfiles.len());
            for (i, d) in self.dockerfiles.iter().enumerate() {
                map.entry(d.path.clone()).or_insert(i);
            }
            map
        });
        by_path.get(path).map(|&i| &self.dockerfiles[i])
    }

    /// A file's role (`Service` for ids outside the project).
    pub fn role(&self, file: FileId) -> crate::model::roles::Role {
        file.checked_sub(self.roles.base)
            .and_then(|i| self.roles.roles.get(i))
            .copied()
            .unwrap_or(crate::model::roles::Role::Service)
    }

    /// Whether a file is production service code or configuration.
    pub fn is_service(&self, file: FileId) -> bool {
        self.role(file) == crate::model::roles::Role::Service
    }

    pub fn has_file(&self, path: &Path) -> bool {
        self.paths.contains(path)
    }

    /// Whether any file of the project has this file name (in any folder).
    pub fn has_file_named(&self, name: &str) -> bool {
        self.paths
            .iter()
            .any(|p| p.file_name().is_some_and(|n| n == name))
    }

    /// Where a config file is. Every gatherer records it; for a fact without a path the
    /// folder listing is used when it is unambiguous (the only file of that name, or the root
    /// one, which the engine names as the project anchor).
    pub fn config_path(&self, file: FileId) -> Option<PathBuf> {
        let cf = self.config_files.iter().find(|c| c.file == file)?;
        if let Some(path) = &cf.path {
            return Some(path.clone());
        }
        let same_name: Vec<&PathBuf> = self
            .paths
            .iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy() == cf.name)
            })
            .collect();
        match same_name.as_slice() {
            [only] => Some((*only).clone()),
            _ if self.python_project_anchor == Some(file) => Some(PathBuf::from(&cf.name)),
            _ => None,
        }
    }

    /// The settings that come from the project's own configuration (see [`Self::in_scope`]).
    pub fn scoped<'s, T>(&self, settings: &'s [Setting<T>]) -> Vec<&'s Setting<T>> {
        settings.iter().filter(|s| self.in_scope(s.file)).collect()
    }

    /// Whether a file's configuration is the project's own, so that settings from several
    /// files may be compared: at the root, or the only file of its name (a single service in
    /// `backend/`), and never under a test, fixture, example, docs or vendored folder. A
    /// monorepo's per-package configs are out of scope: nothing says they must agree.
    pub fn in_scope(&self, file: FileId) -> bool {
        let Some(cf) = self.config_files.iter().find(|c| c.file == file) else {
            return false;
        };
        let Some(path) = self.config_path(file) else {
            return false;
        };
        if path.components().any(|c| {
            let part = c.as_os_str().to_string_lossy().to_ascii_lowercase();
            OUT_OF_SCOPE_DIRS.contains(&part.as_str())
        }) {
            return false;
        }
        let at_root = path.parent().is_none_or(|p| p.as_os_str().is_empty());
        if at_root {
            return true;
        }
        // GitHub reads workflows only from the root's .github/workflows.
        if path.components().any(|c| c.as_os_str() == ".github") {
            return path.starts_with(".github/workflows");
        }
        // A Dockerfile may sit anywhere (one per service).
        if self.dockerfiles.iter().any(|d| d.file == file) {
            return true;
        }
        let name = cf.name.as_str();
        // pre-commit reads only the config at the repository root.
        if name == ".pre-commit-config.yaml" || name == ".pre-commit-config.yml" {
            return false;
        }
        self.paths
            .iter()
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy() == name))
            .count()
            == 1
    }
}

/// Folders whose config files describe something other than the project (fixtures, examples,
/// vendored code).
pub(crate) const OUT_OF_SCOPE_DIRS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "fixtures",
    "testdata",
    "test_data",
    "examples",
    "example",
    "samples",
    "docs",
    "vendor",
    "third_party",
    "node_modules",
    "site-packages",
    ".venv",
    "venv",
    ".tox",
];

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `3.12` -> (3, 12).
pub fn parse_py_version(text: &str) -> Option<PyVersion> {
    let (major, minor) = text.split_once('.')?;
    let minor: String = minor.chars().take_while(char::is_ascii_digit).collect();
    Some((major.trim().parse().ok()?, minor.parse().ok()?))
}

/// (3, 12) -> `3.12`.
pub fn show_py_version(v: PyVersion) -> String {
    format!("{}.{}", v.0, v.1)
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
        let (context, dockerfile, target) = match build.as_str() {
            Some(context) => (context, None, None),
            None => (
                build.get("context").and_then(Yaml::as_str).unwrap_or("."),
                build.get("dockerfile").and_then(Yaml::as_str),
                build.get("target").and_then(Yaml::as_str),
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
            target: target.map(str::to_string),
            compose: compose_path.to_path_buf(),
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
