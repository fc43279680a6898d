//! Discovery: which files exist in each project (for facts) and which of them were asked for.
//!
//! A project's root is the nearest folder, from the linted path upwards, holding `.git` or a
//! `prodlint.toml`. The whole root is listed so project rules see every file even when one file
//! is linted (pre-commit, editor); findings are reported only for the requested files.

use crate::kind::{classify, is_shell_shebang, FileKind};
use crate::settings::Settings;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Folders that hold third-party or generated files, never the project's own (as ruff skips them).
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
    "__pypackages__",
];

#[derive(Debug, Clone)]
pub struct DiscoveredFile {
    /// Absolute (lexical) path used to read the file.
    pub path: PathBuf,
    /// Path relative to the project root.
    pub rel: PathBuf,
    pub kind: FileKind,
    /// Whether findings in this file are reported (it is under a linted path).
    pub requested: bool,
}

#[derive(Debug, Default)]
pub struct Project {
    pub root: PathBuf,
    pub files: Vec<DiscoveredFile>,
    /// Every file under the root, relative to it: the folder listing for project rules.
    pub paths: HashSet<PathBuf>,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub projects: Vec<Project>,
    /// Things skipped, for stderr.
    pub notes: Vec<String>,
}

/// Nearest ancestor (inclusive) of `path` holding `.git` or `prodlint.toml`; without one, the
/// nearest holding a `pyproject.toml` with `[tool.prodlint]`; without that either, the named
/// folder itself, or the folder of a named file. Never the current directory or `/`: `cd / &&
/// prodlint check /tmp/x/a.py` must read `/tmp/x`, not the filesystem, and a file linted alone
/// (an editor, pre-commit outside a repository) must not depend on where it is run from.
pub fn project_root(path: &Path) -> PathBuf {
    let start = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(path)
    };
    if let Some(marked) = start.ancestors().find(|d| is_marked_root(d)) {
        return marked.to_path_buf();
    }
    if let Some(configured) = start
        .ancestors()
        .find(|d| crate::settings::has_pyproject_section(d))
    {
        return configured.to_path_buf();
    }
    start.to_path_buf()
}

/// A folder that is a project root by itself: it holds `.git` or `prodlint.toml`.
fn is_marked_root(dir: &Path) -> bool {
    dir.join(".git").exists() || dir.join("prodlint.toml").is_file()
}

/// Discovers the projects of `inputs` (absolute paths that exist); `root` overrides the search.
pub fn discover(inputs: &[PathBuf], root: Option<&Path>, settings: &Settings) -> Discovery {
    let mut by_root: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut discovery = Discovery::default();
    for input in inputs {
        let root = root.map_or_else(|| project_root(input), Path::to_path_buf);
        if let Some(note) = outside_root(input, &root) {
            discovery.notes.push(note);
            continue;
        }
        by_root.entry(root).or_default().push(input.clone());
    }
    for (root, requested) in by_root {
        let project = discover_project(&root, &requested, settings, &mut discovery.notes);
        discovery.projects.push(project);
    }
    discovery
}

/// A named path whose real location (links resolved) is outside its project root is not read:
/// `prodlint check $(git diff --name-only)` on a stranger's pull request must not print a line
/// of `/etc/passwd` from a committed `Dockerfile -> /etc/passwd`. The walk already skips links.
/// A path that cannot be resolved (missing, a link loop) is left to the reader to report.
fn outside_root(input: &Path, root: &Path) -> Option<String> {
    let real = std::fs::canonicalize(input).ok()?;
    let real_root = std::fs::canonicalize(root).ok()?;
    if real.starts_with(&real_root) {
        return None;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    Some(format!(
        "skipped {}: it leads outside the project root (a symbolic link)",
        crate::engine::display_path(input, &cwd)
    ))
}

/// How deep the walk of a project root goes: all the way under a project marker (`.git`,
/// `prodlint.toml`) or in a folder named on the command line (`check .`); else only the folder
/// itself, beside the named files. `--stdin-filename /usr/Dockerfile -` made `/usr` a root and
/// walked 14k folders (from `/`, the whole filesystem).
fn root_depth(root: &Path, requested: &[PathBuf]) -> Option<usize> {
    let marked = is_marked_root(root) || crate::settings::has_pyproject_section(root);
    if marked || requested.iter().any(|r| r == root) {
        None
    } else {
        Some(1)
    }
}

/// Whether `path` is a requested path or lies under one. Looks the path and its ancestors up in
/// a set, so a pre-commit run naming thousands of files stays linear.
fn is_requested(path: &Path, requested: &HashSet<&Path>) -> bool {
    path.ancestors().any(|a| requested.contains(a))
}

fn discover_project(
    root: &Path,
    requested: &[PathBuf],
    settings: &Settings,
    notes: &mut Vec<String>,
) -> Project {
    let mut project = Project {
        root: root.to_path_buf(),
        ..Project::default()
    };
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut walked_dirs: HashSet<PathBuf> = HashSet::new();
    walk(
        root,
        root_depth(root, requested),
        root,
        requested,
        settings,
        notes,
        &mut project,
        &mut seen,
        &mut walked_dirs,
    );
    // A folder named on the command line is linted even when .gitignore hides it from the walk
    // of the root (`prodlint check build/`, or running inside an ignored folder), as ripgrep and
    // ruff search a folder they are given; .gitignore still applies below it.
    for input in requested {
        if input.is_dir()
            && input != root
            && input.starts_with(root)
            && !walked_dirs.contains(input)
        {
            walk(
                input,
                None,
                root,
                requested,
                settings,
                notes,
                &mut project,
                &mut seen,
                &mut walked_dirs,
            );
        }
    }
    // Explicit file arguments are linted even when .gitignore (or a symlink) hid them from the
    // walk: pre-commit passes the staged files by name.
    for input in requested {
        if input.is_dir() || seen.contains(input) {
            continue;
        }
        if settings.is_excluded(&rel_to_base(input, settings)) {
            continue;
        }
        let rel = input
            .strip_prefix(root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| input.clone());
        let Some(kind) = kind_of(input).or_else(|| root_action(&rel)) else {
            // Named as findings name files: relative to the current directory.
            let cwd = std::env::current_dir().unwrap_or_default();
            notes.push(format!(
                "skipped {}: not a file kind prodlint knows",
                crate::engine::display_path(input, &cwd)
            ));
            continue;
        };
        project.paths.insert(rel.clone());
        project.files.push(DiscoveredFile {
            path: input.clone(),
            rel,
            kind,
            requested: true,
        });
    }
    add_compose_references(root, requested, settings, &mut project);
    project.files.sort_by(|a, b| a.path.cmp(&b.path));
    project
}

/// Files a compose file names in `include:` or `extends.file` are compose files whatever they
/// are called (`common-services.yml`): read them as such, transitively.
fn add_compose_references(
    root: &Path,
    requested: &[PathBuf],
    settings: &Settings,
    project: &mut Project,
) {
    let requested_set: HashSet<&Path> = requested.iter().map(PathBuf::as_path).collect();
    let mut queue: Vec<(PathBuf, PathBuf)> = project
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Compose)
        .map(|f| (f.path.clone(), f.rel.clone()))
        .collect();
    // Every file already listed, by relative path: one lookup per reference, not a scan.
    let mut listed: HashSet<PathBuf> = project.files.iter().map(|f| f.rel.clone()).collect();
    let mut guard = 0;
    while let Some((path, rel)) = queue.pop() {
        guard += 1;
        if guard > 1000 {
            break;
        }
        // Only a regular file: a link to /dev/zero or a FIFO would never end or never return.
        if std::fs::metadata(&path)
            .map_or(true, |m| !m.is_file() || m.len() > settings.max_file_size)
        {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(docs) = crate::parse::yaml::parse(&text) else {
            continue;
        };
        for doc in &docs {
            for target in crate::model::compose::referenced_files(doc, &rel) {
                if !project.paths.contains(&target) || listed.contains(&target) {
                    continue;
                }
                let abs = root.join(&target);
                if settings.is_excluded(&rel_to_base(&abs, settings)) {
                    continue;
                }
                let requested = is_requested(&abs, &requested_set);
                listed.insert(target.clone());
                project.files.push(DiscoveredFile {
                    path: abs.clone(),
                    rel: target.clone(),
                    kind: FileKind::Compose,
                    requested,
                });
                queue.push((abs, target));
            }
        }
    }
}

/// Lists the files under `start` (the root, or an ignored folder named on the command line).
#[allow(clippy::too_many_arguments)]
fn walk(
    start: &Path,
    max_depth: Option<usize>,
    root: &Path,
    requested: &[PathBuf],
    settings: &Settings,
    notes: &mut Vec<String>,
    project: &mut Project,
    seen: &mut HashSet<PathBuf>,
    walked_dirs: &mut HashSet<PathBuf>,
) {
    let requested_set: HashSet<&Path> = requested.iter().map(PathBuf::as_path).collect();
    let walker = ignore::WalkBuilder::new(start)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .max_depth(max_depth)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                notes.push(format!("skipped: {err}"));
                continue;
            }
        };
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            walked_dirs.insert(entry.into_path());
            continue;
        }
        // Symlinks are not followed (a link loop cannot trap the walk); a link to a file is
        // linted only when named on the command line.
        if !file_type.is_file() {
            continue;
        }
        let path = entry.into_path();
        if seen.contains(&path) {
            continue;
        }
        let Ok(rel) = path.strip_prefix(root).map(Path::to_path_buf) else {
            continue;
        };
        project.paths.insert(rel.clone());
        if settings.is_excluded(&rel_to_base(&path, settings)) {
            continue;
        }
        // A repository-root `action.yml` is known by its place relative to the root.
        let Some(kind) = kind_of(&path).or_else(|| root_action(&rel)) else {
            continue;
        };
        let requested = is_requested(&path, &requested_set);
        seen.insert(path.clone());
        project.files.push(DiscoveredFile {
            path,
            rel,
            kind,
            requested,
        });
    }
}

/// The kind of a YAML file by its first 64 KiB (configurations declare their keys early).
fn sniff_yaml_file(path: &Path, by_name: Option<FileKind>) -> Option<FileKind> {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(64 * 1024)
        .read_to_end(&mut head)
        .ok()?;
    crate::kind::sniff_yaml(&String::from_utf8_lossy(&head), by_name)
}

pub fn rel_to_base(path: &Path, settings: &Settings) -> PathBuf {
    let base =
        std::path::absolute(&settings.base_dir).unwrap_or_else(|_| settings.base_dir.clone());
    path.strip_prefix(&base)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// `action.yml` at the project root: the repository's own action.
fn root_action(rel: &Path) -> Option<FileKind> {
    classify(rel).filter(|k| *k == FileKind::Action)
}

/// The kind by name (a YAML configuration confirmed by content), or by a shell shebang for
/// files without an extension.
fn kind_of(path: &Path) -> Option<FileKind> {
    let by_name = classify(path);
    if crate::kind::yaml_needs_sniffing(path, by_name) {
        return sniff_yaml_file(path, by_name);
    }
    if let Some(kind) = by_name {
        return Some(kind);
    }
    // `classify` reads names as UTF-8; a `Dockerfile` or `app.py` whose folder or name holds
    // other bytes would otherwise vanish from the run without a word.
    let lossy = path.to_string_lossy();
    if let std::borrow::Cow::Owned(lossy) = lossy {
        if let Some(kind) = classify(Path::new(&lossy)) {
            return Some(kind);
        }
    }
    if path.extension().is_some() {
        return None;
    }
    // Only a regular file is opened: opening a FIFO blocks until a writer appears.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut head = [0u8; 128];
    let mut file = std::fs::File::open(path).ok()?;
    let n = file.read(&mut head).ok()?;
    is_shell_shebang(&head[..n]).then_some(FileKind::Shell)
}
