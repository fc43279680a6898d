//! The pipeline, one direction: discover -> read + parse once (parallel) -> file rules and facts
//! -> project rules -> suppressions and config filters -> sorted report.

use crate::ci_facts;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{discover, DiscoveredFile};
use crate::facts::{compose_builds, FileFacts, ProjectFacts};
use crate::kind::FileKind;
use crate::model::compose_runs::compose_runs;
use crate::model::precommit::PrecommitConfig;
use crate::model::roles::{Role, RoleDecision};
use crate::model::scripts::Script;
use crate::model::workflow::{scripts as workflow_scripts, Workflow};
use crate::model::{DotenvFile, PrecommitFile, ScriptsFile, WorkflowFile};
use crate::parse::ini::IniFile;
use crate::parse::{dockerfile, dotenv, python::PythonFile, yaml};
use crate::python::{ModuleSummary, PythonIndex, PythonModule};
use crate::registry::{Check, Ctx, Registry, TextFile};
use crate::settings::Settings;
use crate::source::{FileId, SourceText, Span};
use crate::suppress::{Scope, Suppressions};
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What to lint.
#[derive(Debug, Default, Clone)]
pub struct LintRequest {
    /// Files or folders; must exist (except the stdin file).
    pub paths: Vec<PathBuf>,
    /// `--stdin-filename PATH -`: lint this text as if it were PATH.
    /// The bytes as read: decoded, size-checked and reported like a file's.
    pub stdin: Option<(PathBuf, Vec<u8>)>,
    /// Worker threads; `None` lets rayon decide.
    pub jobs: Option<usize>,
    /// Project root to use instead of searching upwards for `.git`/`prodlint.toml` (tests).
    pub root: Option<PathBuf>,
    /// When set (no `--config` given), paths in different projects each use their own
    /// project's config, with these command-line overrides; the given settings serve when all
    /// paths are in one project.
    pub per_project_config: Option<crate::settings::Overrides>,
}

/// A file that findings point into.
#[derive(Debug, Clone)]
pub struct ReportFile {
    /// Relative to the current directory, `/`-separated.
    pub display: String,
    pub source: Option<SourceText>,
    pub kind: FileKind,
    /// The file's role and why (see `model::roles`).
    pub role: RoleDecision,
    /// The project unit the file belongs to: its folder relative to the project root (`.`
    /// for the root unit).
    pub unit: String,
    /// Whether the file was asked for (findings are reported only for these).
    pub requested: bool,
    /// The absolute path the file was read from (`prodlint suppress` and `--fix` write it
    /// back; the language server maps findings to its buffers).
    pub path: PathBuf,
    /// The project root the file belongs to (SARIF URIs, baselines).
    pub root: PathBuf,
}

#[derive(Debug, Default)]
pub struct Report {
    pub files: Vec<ReportFile>,
    /// Sorted by path, line, column, code.
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: usize,
    /// Findings hidden by `--baseline` (set by the caller that applies it).
    pub baselined: usize,
    pub files_linted: usize,
    pub notes: Vec<String>,
    /// Line/column of every span boundary of `diagnostics`, by (file, byte offset), filled once
    /// by [`Report::index_positions`]. Counting a column walks its line from the start: per
    /// finding that is quadratic on a long line (200k findings on one 1.4 MB line took 17 s).
    positions: std::collections::HashMap<(FileId, usize), crate::source::LineCol>,
}

impl Report {
    pub fn file(&self, id: FileId) -> &ReportFile {
        &self.files[id]
    }

    /// Line and column of a diagnostic's start.
    pub fn position(&self, d: &Diagnostic) -> (crate::source::LineCol, crate::source::LineCol) {
        let cached = |offset| self.positions.get(&(d.file, offset)).copied();
        if let (Some(start), Some(end)) = (cached(d.span.start), cached(d.span.end)) {
            return (start, end);
        }
        match &self.files[d.file].source {
            Some(src) => (src.line_col(d.span.start), src.line_col(d.span.end)),
            None => {
                let one = crate::source::LineCol { line: 1, column: 1 };
                (one, one)
            }
        }
    }

    /// Fills the position cache in one sweep per file: offsets in order, columns counted on from
    /// the previous offset when it is on the same line.
    fn index_positions(&mut self) {
        let mut by_file: std::collections::BTreeMap<FileId, Vec<usize>> = Default::default();
        for d in &self.diagnostics {
            by_file
                .entry(d.file)
                .or_default()
                .extend([d.span.start, d.span.end]);
        }
        for (file, mut offsets) in by_file {
            let Some(src) = &self.files[file].source else {
                continue;
            };
            offsets.sort_unstable();
            offsets.dedup();
            let text: &str = &src.text;
            let mut previous: Option<(usize, crate::source::LineCol)> = None;
            for offset in offsets {
                let clamped = crate::source::clamp_to_char_boundary(text, offset);
                let line = src.lines.line_of(clamped);
                let pos = match previous {
                    Some((from, at)) if at.line == line + 1 && from <= clamped => {
                        crate::source::LineCol {
                            line: at.line,
                            column: at.column + text[from..clamped].chars().count(),
                        }
                    }
                    _ => src.line_col(clamped),
                };
                previous = Some((clamped, pos));
                self.positions.insert((file, offset), pos);
            }
        }
    }

    pub fn exceeds(&self, fail_on: Severity) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= fail_on)
    }
}

#[derive(Debug)]
pub struct LintError(pub String);

impl std::fmt::Display for LintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Everything one file yields; its parsed tree is gone by the time this exists.
#[derive(Default)]
struct FileResult {
    diagnostics: Vec<Diagnostic>,
    facts: FileFacts,
    /// A Python module's summary, for the project index.
    python_summary: Option<ModuleSummary>,
    /// A requested Python file's tree, kept until its rules run with the project index; also
    /// the tree of a module that creates a SQLAlchemy engine, whose pool facts need the index.
    python_tree: Option<PythonFile>,
    /// Whether the file was requested (its Python file rules run).
    requested: bool,
    suppressions: Suppressions,
    /// A role the file's content gives it (a generated-file header, a Python shebang).
    content_role: Option<RoleDecision>,
    source: Option<SourceText>,
    note: Option<String>,
    linted: bool,
}

pub fn lint(request: &LintRequest, settings: &Settings) -> Result<Report, LintError> {
    lint_with_overlay(request, settings, &Overlay::new())
}

/// Unsaved editor buffers: the text to lint instead of what is on disk, by absolute path.
pub type Overlay = std::collections::HashMap<PathBuf, Vec<u8>>;

/// [`lint`] with `overlay` texts taking precedence over the files on disk (the language
/// server's open buffers). An overlay path need not exist on disk, as the stdin file need not;
/// it is linted only when it is under one of `request.paths` (usually it is one of them).
pub fn lint_with_overlay(
    request: &LintRequest,
    settings: &Settings,
    overlay: &Overlay,
) -> Result<Report, LintError> {
    let cwd = std::env::current_dir()
        .map_err(|e| LintError(format!("cannot read the current directory: {e}")))?;
    let mut inputs = Vec::new();
    for path in &request.paths {
        let abs = normalize(
            &std::path::absolute(path)
                .map_err(|e| LintError(format!("{}: {e}", path.display())))?,
        );
        let is_stdin_target =
            request.stdin.as_ref().is_some_and(|(p, _)| p == path) || overlay.contains_key(&abs);
        check_input(path, &abs, is_stdin_target)?;
        inputs.push(abs);
    }
    let stdin_path = request
        .stdin
        .as_ref()
        .map(|(path, _)| normalize(&std::path::absolute(path).unwrap_or_else(|_| path.clone())));
    let stdin: Option<(&Path, &[u8])> = match (&stdin_path, &request.stdin) {
        (Some(path), Some((_, bytes))) => Some((path.as_path(), bytes.as_slice())),
        _ => None,
    };

    let root = match &request.root {
        Some(r) => {
            Some(std::path::absolute(r).map_err(|e| LintError(format!("{}: {e}", r.display())))?)
        }
        None => None,
    };
    let discovery = discover(&inputs, root.as_deref(), settings);
    // Paths from several projects (pre-commit in a monorepo): each project is linted with the
    // config found from its own first path, so output does not depend on argument order.
    let mut project_settings: Vec<Option<Settings>> = Vec::new();
    if let (Some(overrides), true) = (&request.per_project_config, discovery.projects.len() > 1) {
        for project in &discovery.projects {
            let first = inputs
                .iter()
                .find(|i| i.starts_with(&project.root))
                .unwrap_or(&project.root);
            let own = Settings::load(None, first, overrides)
                .map_err(|e| LintError(format!("config error: {e}")))?;
            project_settings.push(Some(own));
        }
    }
    // The real path of each entry of `report.files`, for de-duplication.
    let mut file_paths: Vec<PathBuf> = Vec::new();
    let mut report = Report {
        notes: discovery.notes,
        ..Report::default()
    };
    let registry = Registry::get();

    let pool = rayon::ThreadPoolBuilder::new()
        // More threads than processors gains nothing; `--jobs 20000` drove the load to 869.
        .num_threads(
            request
                .jobs
                .unwrap_or(0)
                .min(std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)),
        )
        // rayon's 2 MiB default is less than a parse and a rule walk of a legitimately deep tree
        // need in a debug build; the memory is reserved, not committed, until it is touched.
        .stack_size(WORKER_STACK)
        .build()
        .map_err(|e| LintError(format!("cannot start worker threads: {e}")))?;

    for (index, mut project) in discovery.projects.into_iter().enumerate() {
        let settings = project_settings
            .get(index)
            .and_then(Option::as_ref)
            .unwrap_or(settings);
        let base = report.files.len();
        // Python modules feed the project index (routes, apps, models) and SQL files the schema,
        // so linting one of them parses the rest of the project's Python too. Findings from
        // those facts anchor in Python, SQL and the service configuration only: a pre-commit
        // run on a Dockerfile or a workflow skips the project's Python.
        let python_facts = project.files.iter().any(|f| {
            f.requested
                && matches!(
                    f.kind,
                    FileKind::Python
                        | FileKind::Sql
                        | FileKind::Compose
                        | FileKind::PostgresConf
                        | FileKind::PatroniYaml
                )
        });
        // Python module names depend on which folders are packages (hold an __init__.py).
        let is_package = |dir: &Path| project.paths.contains(&dir.join("__init__.py"));
        let mut roles: Vec<RoleDecision> = project
            .files
            .iter()
            .map(|f| crate::model::roles::decide(f, settings, &is_package))
            .collect();
        let modules: Vec<Option<(String, bool)>> = project
            .files
            .iter()
            .map(|f| {
                (f.kind == FileKind::Python).then(|| crate::python::module_name(&f.rel, is_package))
            })
            .collect();
        let mut results: Vec<FileResult> = pool.install(|| {
            project
                .files
                .par_iter()
                .zip(modules.par_iter())
                .enumerate()
                .map(|(i, (file, module))| {
                    let text = stdin
                        .filter(|(p, _)| *p == file.path)
                        .map(|(_, t)| t)
                        .or_else(|| overlay.get(&file.path).map(Vec::as_slice));
                    let job = FileJob {
                        id: base + i,
                        file,
                        stdin: text,
                        shown: display_path(&file.path, &cwd),
                        module: module.as_ref(),
                        role: &roles[i],
                    };
                    process_file(&job, settings, python_facts)
                })
                .collect()
        });

        // The Python index needs every module's summary; then the Python file rules run on
        // the trees kept from the first pass (each file is still parsed once).
        for (role, result) in roles.iter_mut().zip(&results) {
            *role = crate::model::roles::with_content(role, result.content_role.as_ref());
        }
        let builds: Vec<_> = results
            .iter()
            .flat_map(|r| r.facts.compose_builds.iter().cloned())
            .collect();
        let units = crate::model::units::assign(&project.files, &builds, base);
        let members = units.members();
        let started = started_commands(&results);
        let indexes: Vec<Arc<PythonIndex>> = members
            .iter()
            .map(|files| unit_python_index(files, &mut results, &mut roles, base, &started))
            .collect();
        pool.install(|| {
            results.par_iter_mut().enumerate().for_each(|(i, result)| {
                let index = &indexes[units.of_file[i]];
                python_pass(
                    base + i,
                    &project.files[i],
                    &roles[i],
                    index,
                    result,
                    settings,
                );
            });
        });

        let file_roles: Arc<Vec<Role>> = Arc::new(roles.iter().map(|r| r.role).collect());
        let paths = Arc::new(std::mem::take(&mut project.paths));
        // Workflows and hooks serve every unit: each other unit reads a copy of their facts.
        let shared: Vec<(usize, crate::facts::FileFacts)> = (0..project.files.len())
            .filter(|&i| {
                units.roots.len() > 1 && crate::model::units::is_shared(project.files[i].kind)
            })
            .map(|i| (i, results[i].facts.clone()))
            .collect();
        let mut diagnostics = Vec::new();
        for (unit, files) in members.iter().enumerate() {
            let mut facts = ProjectFacts {
                roles: crate::facts::FileRoles {
                    base,
                    roles: file_roles.clone(),
                },
                python: indexes[unit].clone(),
                unit_root: units.roots[unit].clone(),
                python_project_anchor: python_project_anchor(
                    &project.files,
                    files,
                    &units.roots[unit],
                    base,
                ),
                paths: paths.clone(),
                ..ProjectFacts::default()
            };
            for &i in files {
                facts.add(std::mem::take(&mut results[i].facts));
            }
            for (_, shared_facts) in shared.iter().filter(|(i, _)| units.of_file[*i] != unit) {
                facts.add(shared_facts.clone());
            }
            let mut found = Vec::new();
            // Final-image findings of the Dockerfile stages that are built.
            crate::model::built::report(&facts, &mut found);
            run_project_rules(&facts, settings, &mut found);
            // A unit's findings stay in its own files: a shared workflow is judged by its own
            // unit, not once more for every other unit that reads it.
            found.retain(|d: &Diagnostic| {
                d.file
                    .checked_sub(base)
                    .is_some_and(|i| units.of_file.get(i) == Some(&unit))
            });
            diagnostics.extend(found);
        }

        let mut suppressions = Vec::with_capacity(results.len());
        for (i, ((file, result), role)) in project.files.iter().zip(results).zip(&roles).enumerate()
        {
            file_paths.push(file.path.clone());
            report.files.push(ReportFile {
                display: display_path(&file.path, &cwd),
                source: result.source,
                kind: file.kind,
                role: role.clone(),
                unit: units.label(units.of_file[i]),
                requested: file.requested,
                path: file.path.clone(),
                root: project.root.clone(),
            });
            report.notes.extend(result.note);
            report.files_linted += usize::from(result.linted && file.requested);
            diagnostics.extend(result.diagnostics);
            suppressions.push(result.suppressions);
        }

        filter_and_suppress(
            &project.files,
            &roles,
            base,
            diagnostics,
            &mut suppressions,
            settings,
            &mut report,
        );
    }

    report.index_positions();
    let mut keyed: Vec<_> = std::mem::take(&mut report.diagnostics)
        .into_iter()
        .map(|d| {
            let (start, _) = report.position(&d);
            let code = registry.rules[d.rule].meta.code.as_str();
            (
                (
                    report.files[d.file].display.clone(),
                    start.line,
                    start.column,
                    code,
                    d.message.clone(),
                    // Two names that display alike (`x\xff/` and `x\xfe/` both show `x\u{fffd}/`)
                    // are still two files: the lossless path tells them apart.
                    file_paths.get(d.file).cloned().unwrap_or_default(),
                ),
                d,
            )
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    report.diagnostics = keyed.into_iter().map(|(_, d)| d).collect();
    Ok(report)
}

/// Builds one unit's Python index from its modules' summaries, then decides the roles only
/// the index can tell (command-line modules, Alembic scripts) and records them in it.
fn unit_python_index(
    files: &[usize],
    results: &mut [FileResult],
    roles: &mut [RoleDecision],
    base: FileId,
    started: &[String],
) -> Arc<PythonIndex> {
    let summaries: Vec<ModuleSummary> = files
        .iter()
        .filter_map(|&i| results[i].python_summary.take())
        .collect();
    let dependencies = files
        .iter()
        .flat_map(|&i| results[i].facts.dependencies.iter().cloned())
        .collect();
    let mut index = PythonIndex::new(summaries).with_dependencies(dependencies);
    crate::python::cli::mark_command_line_modules(&index, base, roles, started);
    index.set_non_service(
        files
            .iter()
            .filter(|&&i| roles[i].role != Role::Service)
            .map(|&i| base + i),
    );
    Arc::new(index)
}

/// The second pass over a Python file, once its unit's index exists: engine facts (DB008)
/// and, for requested files, the Python rules on the tree kept from the first pass.
fn python_pass(
    id: FileId,
    file: &DiscoveredFile,
    role: &RoleDecision,
    index: &PythonIndex,
    result: &mut FileResult,
    settings: &Settings,
) {
    let Some(tree) = result.python_tree.take() else {
        return;
    };
    let (Some(source), Some(summary)) = (&result.source, index.module_of_file(id)) else {
        return;
    };
    let module = PythonModule {
        text: &source.text,
        path: &file.rel,
        ast: tree.parsed.syntax(),
        summary,
        index,
        engines: std::sync::OnceLock::new(),
    };
    // Engines of tests and scripts do not hold the service's connections (DB008).
    if role.role == Role::Service {
        result.facts.engines = crate::python::sqlalchemy::engine_facts(&module);
    }
    if !result.requested {
        return;
    }
    run_checks(
        id,
        role.role,
        settings,
        &mut result.diagnostics,
        |check, ctx| {
            if let Check::Python(check) = check {
                check(&module, ctx);
            }
        },
    );
}

/// Runs the enabled project rules over one unit's facts.
fn run_project_rules(facts: &ProjectFacts, settings: &Settings, out: &mut Vec<Diagnostic>) {
    for (index, rule) in Registry::get().rules.iter().enumerate() {
        if !settings.enabled[index] {
            continue;
        }
        for part in rule.check.parts() {
            if let Check::Project(check) = part {
                let mut ctx = Ctx::new(index, 0, &settings.options[index], out);
                check(facts, &mut ctx);
            }
        }
    }
}

/// Jinja statement or expression delimiters at the start of a line (`{% for m in models %}`,
/// `{{ imports }}`): a template that only becomes Python once rendered.
fn is_jinja_template(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("{%") || line.starts_with("{{") || line.starts_with("{#")
    })
}

/// What the project's images and compose services start (their ENTRYPOINT/CMD and `command:`
/// words), so a program they run is known as the service, not an operator's tool.
fn started_commands(results: &[FileResult]) -> Vec<String> {
    let mut started = Vec::new();
    for facts in results.iter().map(|r| &r.facts) {
        started.extend(facts.dockerfile.as_ref().map(|d| d.start.clone()));
        for service in facts.compose_files.iter().flat_map(|c| &c.services) {
            for words in [&service.command, &service.entrypoint]
                .into_iter()
                .flatten()
            {
                let text: Vec<&str> = words.value.iter().map(|w| w.text.as_str()).collect();
                started.push(text.join(" "));
            }
        }
    }
    started
}

/// Keeps findings in requested files that config and suppressions allow; reports unused
/// suppressions (SUP001).
fn filter_and_suppress(
    files: &[DiscoveredFile],
    roles: &[RoleDecision],
    base: usize,
    diagnostics: Vec<Diagnostic>,
    suppressions: &mut [Suppressions],
    settings: &Settings,
    report: &mut Report,
) {
    let registry = Registry::get();
    let sup001 = registry.index_of_code("SUP001");
    // Relative to the config's folder, as `exclude` is (discover.rs): the config may sit below
    // the project root (a nested pyproject.toml), and its globs are written from where it is.
    let ignored: Vec<Vec<usize>> = files
        .iter()
        .map(|f| settings.ignored_for(&crate::discover::rel_to_base(&f.path, settings)))
        .collect();
    let allowed =
        |rule: usize, local: usize| settings.enabled[rule] && !ignored[local].contains(&rule);
    // Each rule judges files of the roles it declares; the rest are not its business.
    let judges = |rule: usize, local: usize| {
        let role = roles[local].role;
        rule == sup001 || registry.rules[rule].meta.roles.contains(&role)
    };

    for mut d in diagnostics {
        let Some(local) = d.file.checked_sub(base).filter(|&l| l < files.len()) else {
            continue;
        };
        if !files[local].requested || !allowed(d.rule, local) || !judges(d.rule, local) {
            continue;
        }
        let line = report.files[d.file]
            .source
            .as_ref()
            .map_or(0, |s| s.lines.line_of(d.span.start));
        if suppressions[local].suppresses(d.rule, line) {
            report.suppressed += 1;
            continue;
        }
        let role = roles[local].role;
        if let Some(lower) = registry.rules[d.rule].meta.role_severity.get(&role) {
            d.severity = d.severity.min(*lower);
        }
        if let Some(severity) = settings.severity[d.rule] {
            d.severity = severity;
        }
        report.diagnostics.push(d);
    }

    for (local, sups) in suppressions.iter().enumerate() {
        if !files[local].requested || !allowed(sup001, local) {
            continue;
        }
        let mut unused = Vec::new();
        for directive in &sups.directives {
            for ((rule, name, span), used) in directive.codes.iter().zip(&directive.used) {
                let message = match rule {
                    None => format!("suppression names unknown rule `{name}`"),
                    // A directive for a rule that is switched off, or that does not judge files
                    // of this role, cannot be judged unused.
                    Some(r) if !settings.enabled[*r] || !judges(*r, local) => continue,
                    Some(_) if *used => continue,
                    Some(r) => {
                        let scope = match directive.scope {
                            Scope::File => "in this file",
                            Scope::Line(_) => "on its line",
                        };
                        format!(
                            "unused suppression: {} ({}) reported nothing {scope}",
                            registry.rules[*r].meta.code, registry.rules[*r].meta.name
                        )
                    }
                };
                unused.push((span.clone(), message));
            }
        }
        for (span, message) in unused {
            report.diagnostics.push(Diagnostic {
                rule: sup001,
                file: base + local,
                span,
                severity: settings.severity[sup001].unwrap_or(registry.rules[sup001].meta.severity),
                message,
                help: Some("remove it, or fix the rule name".to_string()),
                fix: None,
            });
        }
    }
}

/// Stack of each worker thread (see the thread pool in [`lint`]).
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// An upper bound of a Python syntax tree's depth beyond which a file is not parsed. CPython
/// refuses such code too: 200 nested brackets, and "maximum recursion depth exceeded during
/// compilation" near 3000 levels of `1+1+…` (3.11).
const MAX_PYTHON_NESTING: usize = 3000;

/// ruff's parser grows its own stack on the heap, but dropping (and walking) its tree recurses
/// once per level on the worker's stack: `x = -----…1` or `1+1+…` a few hundred thousand long
/// aborts the whole process with a stack overflow, which no panic handler catches. The parser's
/// tokens give a cheap upper bound of the tree's depth before anything walks or drops the tree
/// (the tokens the parser kept, not a second lexing of the file): every operator or keyword
/// adds a level, a comma starts a sibling, each open bracket and each indented block nests.
fn python_nesting_exceeds(
    mut tokens: impl Iterator<Item = ruff_python_ast::token::TokenKind>,
    limit: usize,
) -> bool {
    use ruff_python_ast::token::TokenKind as T;
    // Levels counted in each open bracket (the first entry is the statement itself).
    let mut open: Vec<usize> = vec![0];
    let mut sum = 0usize;
    let mut indent = 0usize;
    loop {
        let Some(kind) = tokens.next() else {
            return false;
        };
        match kind {
            T::EndOfFile => return false,
            T::Lpar | T::Lsqb | T::Lbrace | T::FStringStart | T::TStringStart => {
                if let Some(last) = open.last_mut() {
                    *last += 1;
                }
                sum += 1;
                open.push(0);
            }
            T::Rpar | T::Rsqb | T::Rbrace | T::FStringEnd | T::TStringEnd => {
                if open.len() > 1 {
                    sum -= open.pop().unwrap_or(0);
                }
            }
            T::Comma | T::Semi => {
                if let Some(last) = open.last_mut() {
                    sum -= *last;
                    *last = 0;
                }
            }
            T::Newline => {
                open.clear();
                open.push(0);
                sum = 0;
            }
            T::Indent => indent += 1,
            T::Dedent => indent = indent.saturating_sub(1),
            T::Name
            | T::Int
            | T::Float
            | T::Complex
            | T::String
            | T::FStringMiddle
            | T::TStringMiddle
            | T::Comment
            | T::NonLogicalNewline
            | T::Colon
            | T::Match
            | T::Case
            | T::Type => {}
            _ => {
                if let Some(last) = open.last_mut() {
                    *last += 1;
                }
                sum += 1;
            }
        }
        if sum + open.len() + 2 * indent > limit {
            return true;
        }
    }
}

/// `path` from `cwd` through their common ancestor, if they have one below the root.
fn relative_with_parents(path: &Path, cwd: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let path: Vec<Component> = path.components().collect();
    let cwd: Vec<Component> = cwd.components().collect();
    let common = path.iter().zip(&cwd).take_while(|(a, b)| a == b).count();
    let shares_a_folder = path[..common]
        .iter()
        .any(|c| matches!(c, Component::Normal(_)));
    if !shares_a_folder
        || cwd[common..]
            .iter()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut out: PathBuf = cwd[common..].iter().map(|_| Component::ParentDir).collect();
    out.extend(&path[common..]);
    Some(out)
}

/// Resolves `.` and `..` without touching the filesystem (as ruff's `normalize_path` does), so
/// `../app/Dockerfile` and `app/Dockerfile` are one file, under the same project root.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(component);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Bytes scanned for NUL to call a file binary (what git does).
const BINARY_PROBE: usize = 8000;

/// `shown` is the file's path as findings show it (relative to the current directory), so that
/// notes name files the way findings do.
/// One file to read, parse and check in the first pass.
struct FileJob<'a> {
    id: FileId,
    file: &'a DiscoveredFile,
    /// The text to lint instead of the file's (`--stdin-filename`).
    stdin: Option<&'a [u8]>,
    /// The path as findings show it.
    shown: String,
    /// The Python module name and whether it is a package's `__init__`.
    module: Option<&'a (String, bool)>,
    /// The role from the path and the config (the content may still change it).
    role: &'a RoleDecision,
}

fn process_file(job: &FileJob<'_>, settings: &Settings, python_facts: bool) -> FileResult {
    let (id, file, stdin, shown, module) =
        (job.id, job.file, job.stdin, job.shown.as_str(), job.module);
    let mut result = FileResult::default();
    // Kinds whose facts project rules read are parsed even when not requested.
    let contributes_facts = matches!(
        file.kind,
        FileKind::Dockerfile
            | FileKind::Compose
            | FileKind::Workflow
            | FileKind::Precommit
            | FileKind::Pyproject
            | FileKind::SetupCfg
            | FileKind::Flake8
            | FileKind::ToxIni
            | FileKind::Coveragerc
            | FileKind::Requirements
            | FileKind::RedisConf
            | FileKind::PostgresConf
            | FileKind::PatroniYaml
            | FileKind::PrometheusYaml
            // Deploy scripts say which compose stack is production.
            | FileKind::Shell
    ) || (python_facts
        && matches!(file.kind, FileKind::Python | FileKind::Sql));
    if !file.kind.is_linted() || !(file.requested || contributes_facts) {
        return result;
    }
    let read;
    let bytes: &[u8] = match stdin {
        // The same limit as for a file, so stdin and file mode agree.
        Some(bytes) if bytes.len() as u64 > settings.max_file_size => {
            result.note = Some(format!(
                "skipped {shown}: more than the {}-byte limit (max-file-size) on stdin",
                settings.max_file_size
            ));
            return result;
        }
        Some(bytes) => bytes,
        None => match read_limited(&file.path, shown, settings.max_file_size) {
            Ok(bytes) => {
                read = bytes;
                &read
            }
            Err(ReadFailure::Skip(note)) => {
                result.note = file.requested.then_some(note);
                return result;
            }
            // A file of a known kind that cannot be read is a finding, not a note: CI must not
            // pass because a Dockerfile is unreadable (ruff reports E902 the same way).
            Err(ReadFailure::Io(err)) => {
                if file.requested {
                    let sup002 = Registry::get().index_of_code("SUP002");
                    let mut ctx = Ctx::new(
                        sup002,
                        id,
                        &settings.options[sup002],
                        &mut result.diagnostics,
                    );
                    ctx.report(
                        0..0,
                        format!("cannot read the file ({err}); it was not linted"),
                    );
                    result.linted = true;
                }
                return result;
            }
        },
    };
    if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
        result.note = file
            .requested
            .then(|| format!("skipped {shown}: binary file"));
        return result;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let registry = Registry::get();
    let sup002 = registry.index_of_code("SUP002");
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            let offset = err.valid_up_to();
            let source = SourceText::new(&lossy);
            let mut ctx = Ctx::new(
                sup002,
                id,
                &settings.options[sup002],
                &mut result.diagnostics,
            );
            ctx.report(
                offset..offset,
                format!(
                    "not valid UTF-8 (invalid byte at offset {offset}); the file was not linted"
                ),
            );
            result.suppressions = Suppressions::scan(&lossy, &source.lines, None, false);
            result.source = Some(source);
            result.linted = true;
            return result;
        }
    };
    result.linted = true;
    result.content_role = crate::model::roles::by_content(text, file.kind);
    let role = crate::model::roles::with_content(job.role, result.content_role.as_ref()).role;
    let lines = crate::source::LineIndex::new(text);
    let mut parse_error: Option<(Span, String)> = None;
    let mut comments: Option<Vec<Span>> = None;

    // Outlives the match: a Dockerfile tree may borrow this rewritten text.
    let mut blanked: Option<String> = None;
    let mut python_tree: Option<PythonFile> = None;
    match file.kind {
        FileKind::Python => {
            let stub = file.path.extension().is_some_and(|e| e == "pyi");
            let parsed = PythonFile::parse(text, stub);
            let kinds = parsed.parsed.tokens().iter().map(|t| t.kind());
            if python_nesting_exceeds(kinds, MAX_PYTHON_NESTING) {
                // Dropping this tree would recurse once per level and overflow the stack: it
                // is left unfreed (a hostile file costs its own size in memory, once).
                std::mem::forget(parsed);
                parse_error = Some((
                    0..0,
                    format!("Python nesting deeper than {MAX_PYTHON_NESTING} levels (CPython rejects such code too); the file was not parsed"),
                ));
            } else {
                if let Some(err) = parsed.first_error() {
                    if is_jinja_template(text) {
                        // A code generator's template named `.py`: not Python until rendered.
                        result.note = file
                            .requested
                            .then(|| format!("skipped {shown}: a Jinja template, not Python"));
                        return result;
                    }
                    parse_error = Some((err.span, format!("Python syntax error: {}", err.message)));
                }
                comments = Some(parsed.comment_ranges());
                if let Some((name, is_package)) = module {
                    result.python_summary = Some(ModuleSummary::extract(
                        id,
                        name,
                        *is_package,
                        parsed.parsed.syntax(),
                    ));
                    result.facts.schema = result.python_summary.as_ref().and_then(|summary| {
                        crate::python::schema::from_python(
                            id,
                            &file.rel,
                            summary,
                            parsed.parsed.syntax(),
                            text,
                        )
                    });
                }
                // An engine's pool settings may name constants of other modules: its facts are
                // read once the project index exists.
                if file.requested
                    || text.contains("create_engine")
                    || text.contains("create_async_engine")
                {
                    python_tree = Some(parsed);
                }
            }
        }
        FileKind::Dockerfile => match dockerfile::parse_tolerant(text, &mut blanked) {
            Err(err) => {
                parse_error = Some((
                    err.offset..err.offset,
                    format!("Dockerfile does not parse: {}", err.message),
                ))
            }
            Ok(ast) => {
                let model = dockerfile::Dockerfile::new(text, &file.rel, &ast);
                if file.requested {
                    run_checks(id, role, settings, &mut result.diagnostics, |check, ctx| {
                        if let Check::Dockerfile(check) = check {
                            check(&model, ctx);
                        }
                    });
                }
                result.facts.dockerfile = Some(crate::model::built::dockerfile_fact(
                    &model, id, &file.rel, settings,
                ));
                result
                    .facts
                    .python_versions
                    .extend(ci_facts::from_dockerfile(&model, id));
            }
        },
        FileKind::Compose
        | FileKind::Workflow
        | FileKind::Action
        | FileKind::Precommit
        | FileKind::PatroniYaml
        | FileKind::PrometheusYaml => match yaml::parse(text) {
            Err(err) => {
                parse_error = Some((
                    err.offset..err.offset,
                    format!("YAML does not parse: {}", err.message),
                ))
            }
            Ok(docs) => match file.kind {
                FileKind::Compose => {
                    for doc in &docs {
                        result
                            .facts
                            .compose_builds
                            .extend(compose_builds(doc, &file.rel, id));
                        result
                            .facts
                            .compose_files
                            .push(crate::model::compose::read(doc, &file.rel, id));
                    }
                }
                FileKind::PatroniYaml => {
                    result.facts.patroni = docs
                        .first()
                        .and_then(|doc| crate::model::topology::patroni_fact(doc, &file.rel, id));
                }
                FileKind::PrometheusYaml => {
                    result.facts.prometheus = docs.first().and_then(|doc| {
                        crate::model::topology::prometheus_fact(doc, &file.rel, id)
                    });
                }
                FileKind::Workflow => {
                    if let Some(doc) = docs.first() {
                        let wf = WorkflowFile {
                            text,
                            path: &file.rel,
                            workflow: Workflow::new(doc),
                        };
                        let scripts = workflow_scripts(text, &wf.workflow);
                        parse_error = unparsed_script(&scripts);
                        if file.requested {
                            let sf = ScriptsFile {
                                text,
                                lines: &lines,
                                path: &file.rel,
                                kind: file.kind,
                                scripts: &scripts,
                                workflow: Some(&wf.workflow),
                            };
                            run_checks(
                                id,
                                role,
                                settings,
                                &mut result.diagnostics,
                                |check, ctx| match check {
                                    Check::Workflow(check) => check(&wf, ctx),
                                    Check::Scripts(check) => check(&sf, ctx),
                                    _ => {}
                                },
                            );
                        }
                        ci_facts::from_workflow(&wf, &scripts, id, &mut result.facts);
                        let sf = ScriptsFile {
                            text,
                            lines: &lines,
                            path: &file.rel,
                            kind: file.kind,
                            scripts: &scripts,
                            workflow: Some(&wf.workflow),
                        };
                        result.facts.compose_runs = compose_runs(&sf, id);
                        // A workflow is service configuration; only its role could say otherwise.
                        if role == Role::Service {
                            crate::model::built::from_workflow(&wf, &scripts, &mut result.facts);
                        }
                    }
                }
                // A composite action's steps get the workflow-step rules (`Check::Workflow`);
                // rules about jobs (`Check::Scripts`) and CI facts concern the calling workflow.
                FileKind::Action => {
                    if let (Some(doc), true) = (docs.first(), file.requested) {
                        let wf = WorkflowFile {
                            text,
                            path: &file.rel,
                            workflow: Workflow::from_action(doc),
                        };
                        run_checks(id, role, settings, &mut result.diagnostics, |check, ctx| {
                            if let Check::Workflow(check) = check {
                                check(&wf, ctx);
                            }
                        });
                    }
                }
                FileKind::Precommit => {
                    if let Some(doc) = docs.first() {
                        let pc = PrecommitFile {
                            text,
                            path: &file.rel,
                            config: PrecommitConfig::new(doc),
                        };
                        if file.requested {
                            run_checks(
                                id,
                                role,
                                settings,
                                &mut result.diagnostics,
                                |check, ctx| {
                                    if let Check::Precommit(check) = check {
                                        check(&pc, ctx);
                                    }
                                },
                            );
                        }
                        result.facts.precommit_config = Some(id);
                        ci_facts::from_precommit(&pc, id, &mut result.facts);
                    }
                }
                _ => {}
            },
        },
        FileKind::Requirements => {
            result
                .facts
                .dependencies
                .extend(crate::python::deps::from_requirements(text, id));
        }
        FileKind::Shell => {
            let scripts = [Script::file(text)];
            parse_error = unparsed_script(&scripts);
            let sf = ScriptsFile {
                text,
                lines: &lines,
                path: &file.rel,
                kind: file.kind,
                scripts: &scripts,
                workflow: None,
            };
            if file.requested {
                run_checks(id, role, settings, &mut result.diagnostics, |check, ctx| {
                    if let Check::Scripts(check) = check {
                        check(&sf, ctx);
                    }
                });
            }
            result.facts.compose_runs = compose_runs(&sf, id);
            // Image builds (`docker build --target`) and privilege-dropping entrypoints; a test
            // or development script's builds are not what ships.
            crate::model::built::from_shell(&scripts, &file.rel, &mut result.facts);
            if !matches!(role, Role::Service | Role::Script) {
                result.facts.builds.clear();
            }
        }
        FileKind::Dotenv => match dotenv::parse(text) {
            Err(err) => {
                parse_error = Some((
                    err.offset..err.offset,
                    format!("dotenv file does not parse: {}", err.message),
                ))
            }
            Ok(entries) => {
                let df = DotenvFile {
                    text,
                    path: &file.rel,
                    entries: &entries,
                    documentation: crate::kind::is_documentation_dotenv(&file.rel),
                };
                run_checks(id, role, settings, &mut result.diagnostics, |check, ctx| {
                    if let Check::Dotenv(check) = check {
                        check(&df, ctx);
                    }
                });
            }
        },
        FileKind::SetupCfg | FileKind::Flake8 | FileKind::ToxIni | FileKind::Coveragerc => {
            match IniFile::parse(text) {
                Err(err) => {
                    parse_error = Some((
                        err.offset..err.offset,
                        format!("INI file does not parse: {}", err.message),
                    ))
                }
                Ok(ini) => ci_facts::from_ini(file.kind, &file.rel, &ini, id, &mut result.facts),
            }
        }
        FileKind::Pyproject => match text.parse::<toml_edit::Document<String>>() {
            Err(err) => {
                let span = err.span().unwrap_or(0..0);
                parse_error = Some((
                    span,
                    format!("TOML does not parse: {}", err.message().trim()),
                ));
            }
            Ok(doc) => {
                ci_facts::from_pyproject(&doc, &file.rel, id, &mut result.facts);
                result
                    .facts
                    .dependencies
                    .extend(crate::python::deps::from_pyproject(&doc, id));
            }
        },
        FileKind::Sql => {
            result.facts.schema = Some(crate::python::schema::from_sql(id, &file.rel, text));
        }
        FileKind::RedisConf | FileKind::PostgresConf => match crate::parse::conf::parse(text) {
            Err(err) => {
                parse_error = Some((
                    err.offset..err.offset,
                    format!("configuration file does not parse: {}", err.message),
                ))
            }
            Ok(directives) => {
                result.facts.conf = Some(crate::facts::ConfFact {
                    file: id,
                    path: file.rel.clone(),
                    kind: file.kind,
                    directives,
                });
            }
        },
        // Parsed by the rule families that read them (later issues); recognised now.
        _ => {}
    }

    if file.requested {
        let tf = TextFile {
            text,
            path: &file.rel,
            kind: file.kind,
        };
        run_checks(id, role, settings, &mut result.diagnostics, |check, ctx| {
            if let Check::Text(check) = check {
                check(&tf, ctx);
            }
        });
    }

    if let Some((span, message)) = parse_error {
        if file.requested {
            let mut ctx = Ctx::new(
                sup002,
                id,
                &settings.options[sup002],
                &mut result.diagnostics,
            );
            ctx.report(span, message)
                .help("fix the syntax error; prodlint linted the other files");
        }
    }
    if file.requested {
        result.suppressions = Suppressions::scan(
            text,
            &lines,
            comments.as_deref(),
            file.kind == FileKind::Python,
        );
    }
    // Findings may point into any file that contributed facts (project rules anchor there) or
    // whose tree is kept for the Python pass.
    result.python_tree = python_tree;
    result.requested = file.requested;
    let facts = &result.facts;
    // Only requested files can carry findings (the others only contribute facts).
    let keep_source = file.requested
        && (!result.diagnostics.is_empty()
            || facts.dockerfile.is_some()
            || !facts.compose_builds.is_empty()
            || !facts.compose_files.is_empty()
            || facts.conf.is_some()
            || facts.patroni.is_some()
            || facts.prometheus.is_some()
            || facts.workflow.is_some()
            || facts.precommit_config.is_some()
            || !facts.line_lengths.is_empty()
            || !facts.coverage_thresholds.is_empty()
            || !facts.coverage_runs.is_empty()
            || !facts.python_versions.is_empty()
            || !facts.dependencies.is_empty()
            || facts.config_file.is_some()
            || facts.schema.is_some()
            || result.python_summary.is_some()
            || result.python_tree.is_some()
            || !result.suppressions.directives.is_empty());
    if keep_source {
        result.source = Some(SourceText {
            text: std::sync::Arc::from(text),
            lines: std::sync::Arc::new(lines),
        });
    }
    result
}

/// The file a "this Python project lacks X" finding anchors at: the root `pyproject.toml`, else
/// `setup.cfg`, else a root `requirements*.txt`; `None` when the project is not Python.
fn python_project_anchor(
    files: &[DiscoveredFile],
    unit_files: &[usize],
    unit_root: &Path,
    base: usize,
) -> Option<FileId> {
    let at_root = |f: &DiscoveredFile| f.rel.parent().unwrap_or(Path::new("")) == unit_root;
    let find = |kind: FileKind| {
        unit_files
            .iter()
            .copied()
            .find(|&i| files[i].kind == kind && at_root(&files[i]))
            .map(|i| base + i)
    };
    find(FileKind::Pyproject)
        .or_else(|| find(FileKind::SetupCfg))
        .or_else(|| find(FileKind::Requirements))
}

/// Runs every enabled rule's check through `run`, which picks the checks for its file kind.
/// Runs the enabled rules that judge files of `role` (the others' findings would be dropped).
fn run_checks(
    id: FileId,
    role: Role,
    settings: &Settings,
    out: &mut Vec<Diagnostic>,
    mut run: impl FnMut(&Check, &mut Ctx<'_>),
) {
    for (index, rule) in Registry::get().rules.iter().enumerate() {
        if !settings.enabled[index] || !rule.meta.roles.contains(&role) {
            continue;
        }
        for part in rule.check.parts() {
            if matches!(part, Check::Project(_) | Check::Engine) {
                continue;
            }
            let mut ctx = Ctx::new(index, id, &settings.options[index], out);
            run(part, &mut ctx);
        }
    }
}

/// Reads a file unless it is bigger than the limit; the error is the note for stderr.
enum ReadFailure {
    /// Skipped on purpose (too big, not a regular file): a note for stderr.
    Skip(String),
    /// The file could not be read.
    Io(std::io::Error),
}

/// A named path must exist (except the stdin file, which must not be a folder), and a named
/// folder must be listable: a folder that cannot be read fails the run as a missing path does,
/// since nothing under it was linted. The error says why (permission denied is not "no such
/// file").
fn check_input(path: &Path, abs: &Path, is_stdin_target: bool) -> Result<(), LintError> {
    let shown = path.display();
    let meta = match std::fs::symlink_metadata(abs) {
        Ok(meta) => meta,
        Err(_) if is_stdin_target => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LintError(format!("{shown}: no such file or directory")))
        }
        Err(e) => return Err(LintError(format!("{shown}: {e}"))),
    };
    let is_dir = meta.is_dir() || (meta.is_symlink() && abs.is_dir());
    if is_stdin_target && is_dir {
        return Err(LintError(format!(
            "--stdin-filename {shown} names a folder; give the path the text would have"
        )));
    }
    if is_dir {
        if let Err(e) = std::fs::read_dir(abs) {
            return Err(LintError(format!("{shown}: cannot read the folder: {e}")));
        }
    }
    Ok(())
}

/// A SUP002 for the first script the shell parser gave up on (its time budget ran out).
fn unparsed_script(scripts: &[Script]) -> Option<(Span, String)> {
    let at = scripts.iter().find_map(Script::unparsed)?;
    Some((
        at..at,
        "shell script not parsed: the parser ran out of time here (pathological syntax such as \
         thousands of unbalanced `)`); its commands were not checked"
            .to_string(),
    ))
}

fn read_limited(path: &Path, shown: &str, limit: u64) -> Result<Vec<u8>, ReadFailure> {
    // Checked before `open`: opening a FIFO named `Dockerfile` blocks until a writer appears.
    let meta = std::fs::metadata(path).map_err(ReadFailure::Io)?;
    if !meta.is_file() {
        return Err(ReadFailure::Skip(format!(
            "skipped {shown}: not a regular file"
        )));
    }
    let too_big = |len: u64| {
        ReadFailure::Skip(format!(
            "skipped {shown}: {len} bytes is over the {limit}-byte limit (max-file-size)"
        ))
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(ReadFailure::Io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` guards against a file that grows while it is read.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadFailure::Io)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Relative to the current directory (SPEC.md), `/`-separated: `app/Dockerfile` below it,
/// `../app/Dockerfile` beside it (an editor or `prodlint check ../x` runs from a sibling folder);
/// absolute only when the two share nothing but the filesystem root.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let relative;
    let shown = match path.strip_prefix(cwd) {
        Ok(below) => below,
        Err(_) => match relative_with_parents(path, cwd) {
            Some(rel) => {
                relative = rel;
                relative.as_path()
            }
            None => path,
        },
    };
    let text = shown.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}
