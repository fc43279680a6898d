//! What part a file plays in the repository: production service code, tests, tutorials,
//! one-off scripts, development-only configuration, migrations, or code the project did not
//! write. Decided once per file by the engine (path conventions, then content, then the user's
//! `[roles]` config); every rule declares the roles it judges and the engine drops the rest.

use crate::kind::FileKind;
use serde::Deserialize;
use std::path::{Component, Path};

/// A file's role. `Service` is the default: what runs in production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Service,
    Test,
    Docs,
    Script,
    Dev,
    Migration,
    Vendored,
    Generated,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Service,
        Role::Test,
        Role::Docs,
        Role::Script,
        Role::Dev,
        Role::Migration,
        Role::Vendored,
        Role::Generated,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Service => "service",
            Role::Test => "test",
            Role::Docs => "docs",
            Role::Script => "script",
            Role::Dev => "dev",
            Role::Migration => "migration",
            Role::Vendored => "vendored",
            Role::Generated => "generated",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// A role and why the file has it (shown by `--show-files`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDecision {
    pub role: Role,
    pub reason: String,
}

impl RoleDecision {
    pub fn service() -> RoleDecision {
        RoleDecision {
            role: Role::Service,
            reason: "default".to_string(),
        }
    }

    pub fn new(role: Role, reason: impl Into<String>) -> RoleDecision {
        RoleDecision {
            role,
            reason: reason.into(),
        }
    }
}

/// The role of a discovered file before its content is read: the user's `[roles]` first, then
/// path conventions.
pub fn decide(
    file: &crate::discover::DiscoveredFile,
    settings: &crate::settings::Settings,
    is_package: &dyn Fn(&Path) -> bool,
) -> RoleDecision {
    let rel = crate::discover::rel_to_base(&file.path, settings);
    if let Some((role, pattern)) = settings.configured_role(&rel) {
        return RoleDecision::new(
            role,
            format!("config [roles] {} = \"{pattern}\"", role.name()),
        );
    }
    by_path(&file.rel, file.kind, is_package)
}

/// The role once the content is known: a generated-file header wins over any path role, a
/// content role over the default `service`; the user's config wins over both.
pub fn with_content(decided: &RoleDecision, content: Option<&RoleDecision>) -> RoleDecision {
    match content {
        Some(c)
            if !is_configured(decided)
                && (decided.role == Role::Service || c.role == Role::Generated) =>
        {
            c.clone()
        }
        _ => decided.clone(),
    }
}

/// Whether the user's config decided this role (content must not override it).
pub fn is_configured(decision: &RoleDecision) -> bool {
    decision.reason.starts_with("config ")
}

/// Folder names whose files are not the project's own code.
const VENDORED_DIRS: &[&str] = &["vendor", "vendored", "_vendor", "third_party", "thirdparty"];
const GENERATED_DIRS: &[&str] = &["generated", "_generated", "__generated__"];
const TEST_DIRS: &[&str] = &[
    "tests",
    "test",
    "testing",
    "__tests__",
    "e2e",
    "e2e_tests",
    "integration_tests",
    "functional_tests",
    "load_tests",
    "loadtests",
    "locust",
    "chaos",
    "testdata",
    "regtest",
    "benchmarks",
    "benchmark",
    "test_data",
    "fixtures",
];
const DOCS_DIRS: &[&str] = &[
    "docs", "doc", "docs_src", "examples", "example", "samples", "sample", "cookbook", "demo",
    "demos",
];
const MIGRATION_DIRS: &[&str] = &["migrations", "alembic", "migration"];
const DEV_DIRS: &[&str] = &[".devcontainer", "dev", "devtools", "local-dev", "local"];
/// Folders of operator code; `tools` and `bin` only when they are not a Python package (an
/// agent's `tools/` package is service code).
const SCRIPT_DIRS: &[&str] = &["scripts", "script", ".github", "cli"];
/// Python files that are programs wherever they are, and task runners at the project root
/// (`tasks.py` elsewhere is often the service's Celery tasks).
const SCRIPT_MODULES: &[&str] = &["__main__.py", "cli.py", "manage.py"];
const ROOT_SCRIPT_MODULES: &[&str] = &[
    "setup.py",
    "noxfile.py",
    "fabfile.py",
    "tasks.py",
    "dodo.py",
    "build.py",
];
const SCRIPT_DIRS_UNLESS_PACKAGE: &[&str] = &["tools", "bin", "utils_scripts"];

/// Words in a file name (split on `.`, `-`, `_`) that mark it for tests or for development.
const TEST_NAME_WORDS: &[&str] = &["test", "tests", "testing", "e2e", "ci", "playwright"];
const DEV_NAME_WORDS: &[&str] = &["dev", "development", "local", "override", "debug"];
/// Words that mark a file for a real deployment whatever else it says (`deploy-dev.sh`).
const DEPLOY_NAME_WORDS: &[&str] = &["prod", "production", "deploy", "release", "staging"];

/// The role a file's path gives it, if any. `is_package` says whether a folder (relative to
/// the project root) holds an `__init__.py`.
pub fn by_path(rel: &Path, kind: FileKind, is_package: &dyn Fn(&Path) -> bool) -> RoleDecision {
    let folders: Vec<&str> = rel
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let lower = |s: &str| s.to_ascii_lowercase();
    let in_folder = |names: &[&str]| {
        folders
            .iter()
            .find(|f| names.contains(&lower(f).as_str()))
            .map(|f| format!("under {f}/"))
    };

    if let Some(why) = in_folder(VENDORED_DIRS).or_else(|| in_folder(&["site-packages"])) {
        return RoleDecision::new(Role::Vendored, why);
    }
    if let Some(why) = in_folder(GENERATED_DIRS) {
        return RoleDecision::new(Role::Generated, why);
    }
    if kind == FileKind::Python && (name.ends_with("_pb2.py") || name.ends_with("_pb2_grpc.py")) {
        return RoleDecision::new(Role::Generated, "protobuf generated module");
    }
    if let Some(why) = test_by_path(&folders, name, kind) {
        return RoleDecision::new(Role::Test, why);
    }
    if let Some(why) = in_folder(DOCS_DIRS).or_else(|| {
        folders
            .iter()
            .find(|f| lower(f).starts_with("tutorial"))
            .map(|f| format!("under {f}/"))
    }) {
        return RoleDecision::new(Role::Docs, why);
    }
    if let Some(why) = in_folder(MIGRATION_DIRS) {
        return RoleDecision::new(Role::Migration, why);
    }
    // A project's own migration runner keeps its steps in one module (`core/migrations.py`).
    if kind == FileKind::Python && matches!(name, "migrations.py" | "migration.py") {
        return RoleDecision::new(Role::Migration, format!("module name {name}"));
    }
    if let Some(why) = in_folder(DEV_DIRS) {
        return RoleDecision::new(Role::Dev, why);
    }
    if let Some(why) = dev_by_name(name, kind) {
        return RoleDecision::new(Role::Dev, why);
    }
    if !matches!(kind, FileKind::Workflow | FileKind::Action) {
        if let Some(why) = in_folder(SCRIPT_DIRS) {
            return RoleDecision::new(Role::Script, why);
        }
        let mut prefix = std::path::PathBuf::new();
        for folder in &folders {
            prefix.push(folder);
            if SCRIPT_DIRS_UNLESS_PACKAGE.contains(&lower(folder).as_str()) && !is_package(&prefix)
            {
                return RoleDecision::new(Role::Script, format!("under {folder}/"));
            }
        }
    }
    if kind == FileKind::Python
        && (SCRIPT_MODULES.contains(&name)
            || name.ends_with("_cli.py")
            || (folders.is_empty() && ROOT_SCRIPT_MODULES.contains(&name)))
    {
        return RoleDecision::new(Role::Script, format!("program {name}"));
    }
    RoleDecision::service()
}

/// A test file by its folder or its name: pytest's collection names, behave's steps, and
/// images or stacks named for tests (`Dockerfile.test`, `docker-compose.e2e.yml`).
fn test_by_path(folders: &[&str], name: &str, kind: FileKind) -> Option<String> {
    for (i, folder) in folders.iter().enumerate() {
        let f = folder.to_ascii_lowercase();
        if TEST_DIRS.contains(&f.as_str())
            || f.starts_with("test_")
            || f.starts_with("tests_")
            || f.ends_with("_test")
            || f.ends_with("_tests")
        {
            return Some(format!("under {folder}/"));
        }
        // behave: features/steps/*.py and features/environment.py.
        let behave_steps = folders.get(i + 1) == Some(&"steps");
        let behave_environment = i + 1 == folders.len() && name == "environment.py";
        if f == "features" && (behave_steps || behave_environment) {
            return Some("behave features/".to_string());
        }
    }
    if kind == FileKind::Python {
        let stem = name.strip_suffix(".py").unwrap_or(name);
        if name == "conftest.py"
            || stem == "tests"
            || stem.starts_with("test_")
            || stem.ends_with("_test")
        {
            return Some(format!("test module name {name}"));
        }
        return None;
    }
    if matches!(
        kind,
        FileKind::Dockerfile | FileKind::Compose | FileKind::Dotenv | FileKind::Shell
    ) {
        let words = name_words(name);
        if words.iter().any(|w| TEST_NAME_WORDS.contains(&w.as_str()))
            && !words
                .iter()
                .any(|w| DEPLOY_NAME_WORDS.contains(&w.as_str()))
        {
            return Some(format!("file name {name}"));
        }
    }
    None
}

/// Development-only configuration by its name: `docker-compose.dev.yml`,
/// `docker-compose.override.yml`, `compose.local.yaml`, `Dockerfile.dev`, `.env.development`.
fn dev_by_name(name: &str, kind: FileKind) -> Option<String> {
    if !matches!(
        kind,
        FileKind::Dockerfile | FileKind::Compose | FileKind::Dotenv | FileKind::Shell
    ) {
        return None;
    }
    let words = name_words(name);
    (words.iter().any(|w| DEV_NAME_WORDS.contains(&w.as_str()))
        && !words
            .iter()
            .any(|w| DEPLOY_NAME_WORDS.contains(&w.as_str())))
    .then(|| format!("file name {name}"))
}

fn name_words(name: &str) -> Vec<String> {
    name.split(['.', '-', '_'])
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The role a name gives a build stage or image (`FROM base AS dev`, `--target test`): the same
/// words that mark files for tests or for development, plus stages that only run CI tools
/// (`lint`) or serve an editor (`devcontainer`). `None`: nothing in the name says so.
pub fn by_stage_name(name: &str) -> Option<Role> {
    let words = name_words(name);
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    if has(TEST_NAME_WORDS) || has(&["lint"]) {
        Some(Role::Test)
    } else if has(DEV_NAME_WORDS) || has(&["develop", "devcontainer"]) {
        Some(Role::Dev)
    } else {
        None
    }
}

/// The role a file's text gives it: generated code by its header, a Python program by its
/// shebang line.
pub fn by_content(text: &str, kind: FileKind) -> Option<RoleDecision> {
    if generated_header(text) {
        return Some(RoleDecision::new(Role::Generated, "generated-file header"));
    }
    (kind == FileKind::Python && text.starts_with("#!"))
        .then(|| RoleDecision::new(Role::Script, "Python program with a shebang line"))
}

/// A header that says the file is generated (`# Generated by …`, `@generated`, `DO NOT EDIT`),
/// read from the first lines only.
pub fn generated_header(text: &str) -> bool {
    text.lines().take(5).any(|line| {
        let l = line.to_ascii_lowercase();
        let comment = l.trim_start().starts_with('#')
            || l.trim_start().starts_with("//")
            || l.trim_start().starts_with("\"\"\"");
        comment
            && (l.contains("@generated")
                || l.contains("do not edit")
                || l.contains("generated by")
                || l.contains("auto-generated")
                || l.contains("autogenerated")
                || l.contains("code generated"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(path: &str, kind: FileKind) -> Role {
        by_path(Path::new(path), kind, &|p: &Path| {
            p.ends_with("agent/tools")
        })
        .role
    }

    #[test]
    fn roles_by_path() {
        use FileKind::*;
        let cases = [
            ("app/main.py", Python, Role::Service),
            ("tests/test_api.py", Python, Role::Test),
            ("app/test_x.py", Python, Role::Test),
            ("conftest.py", Python, Role::Test),
            ("backend/app/tests/api/routes.py", Python, Role::Test),
            ("features/steps/login.py", Python, Role::Test),
            ("features/environment.py", Python, Role::Test),
            ("app/features/billing.py", Python, Role::Service),
            ("docs_src/security/tutorial001.py", Python, Role::Docs),
            ("docs/en/app.py", Python, Role::Docs),
            ("examples/app.py", Python, Role::Docs),
            ("tutorial-1/app.py", Python, Role::Docs),
            ("scripts/backfill.py", Python, Role::Script),
            ("tools/release.py", Python, Role::Script),
            ("agent/tools/search.py", Python, Role::Service),
            (".github/scripts/bump.py", Python, Role::Script),
            (".github/workflows/ci.yml", Workflow, Role::Service),
            (".github/actions/setup/action.yml", Action, Role::Service),
            ("alembic/versions/0001_init.py", Python, Role::Migration),
            ("app/migrations/0002.py", Python, Role::Migration),
            ("app/core/migrations.py", Python, Role::Migration),
            ("vendor/lib/x.py", Python, Role::Vendored),
            ("api/v1_pb2.py", Python, Role::Generated),
            ("docker-compose.dev.yml", Compose, Role::Dev),
            ("docker-compose.override.yml", Compose, Role::Dev),
            ("compose.local.yaml", Compose, Role::Dev),
            ("docker-compose.yml", Compose, Role::Service),
            ("compose.prod.yml", Compose, Role::Service),
            ("Dockerfile.dev", Dockerfile, Role::Dev),
            (".devcontainer/Dockerfile", Dockerfile, Role::Dev),
            ("Dockerfile.test", Dockerfile, Role::Test),
            ("Dockerfile.playwright", Dockerfile, Role::Test),
            ("chaos/docker-compose.yml", Compose, Role::Test),
            ("e2e/Dockerfile", Dockerfile, Role::Test),
            ("Dockerfile", Dockerfile, Role::Service),
            ("deploy-dev.sh", Shell, Role::Service),
            ("dev-up.sh", Shell, Role::Dev),
            ("docker/local/django/Dockerfile", Dockerfile, Role::Dev),
            ("dev.Dockerfile", Dockerfile, Role::Dev),
            ("devops/Dockerfile", Dockerfile, Role::Service),
            ("Dockerfile.prod", Dockerfile, Role::Service),
            ("scripts/dev_up.sh", Shell, Role::Dev),
            ("scripts/test.sh", Shell, Role::Test),
            ("scripts/run-e2e.sh", Shell, Role::Test),
            ("scripts/deploy-dev.sh", Shell, Role::Script),
            ("scripts/latest.sh", Shell, Role::Script),
            ("app/cli/commands.py", Python, Role::Script),
            ("app/__main__.py", Python, Role::Script),
            ("setup.py", Python, Role::Script),
            ("app/tasks.py", Python, Role::Service),
            ("app/api_test.py", Python, Role::Test),
            ("app/contest.py", Python, Role::Service),
            ("app/testing_utils.py", Python, Role::Service),
            ("benchmarks/bench_api.py", Python, Role::Test),
        ];
        for (path, kind, expected) in cases {
            assert_eq!(role(path, kind), expected, "{path}");
        }
    }

    #[test]
    fn generated_headers() {
        assert!(generated_header(
            "# Generated by the protocol buffer compiler.  DO NOT EDIT!\n"
        ));
        assert!(generated_header("# @generated\nx = 1\n"));
        assert!(!generated_header(
            "\"\"\"add users\n\nRevision ID: 1\n\"\"\"\n"
        ));
        assert!(!generated_header(
            "import os\n\n\ndef f():\n    pass\n# generated by hand\n"
        ));
    }
}
