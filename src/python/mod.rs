//! The Python semantic model shared by every Python rule: per-module summaries extracted while
//! each file is parsed, and one project index over them that resolves names across modules
//! (`from time import sleep as nap` -> `time.sleep`; `from app.api import router` -> the
//! `APIRouter()` built in `app/api/routes.py`) and knows the FastAPI apps, routers and routes.

pub mod app_facts;
pub mod apps;
pub mod cli;
pub mod constants;
pub mod deps;
pub mod functions;
pub mod index;
pub mod pydantic;
pub mod schema;
pub mod session;
pub mod sqlalchemy;
pub mod summary;

pub use index::PythonIndex;
pub use summary::ModuleSummary;

use crate::source::Span;
use ruff_python_ast::{Expr, ModModule};
use std::path::Path;

/// A Python module as Python file rules see it: its tree, its own summary and the project
/// index (for names defined in other modules).
pub struct PythonModule<'a> {
    pub text: &'a str,
    /// Path relative to the project root.
    pub path: &'a Path,
    pub ast: &'a ModModule,
    pub summary: &'a ModuleSummary,
    pub index: &'a PythonIndex,
    /// The SQLAlchemy engines the module creates, found on first use: the engine facts and
    /// two DB rules ask for them, and each walk resolves every call of the module.
    pub engines: std::sync::OnceLock<Vec<sqlalchemy::Engine>>,
}
use ruff_text_size::Ranged;

/// Byte span of an AST node.
pub fn span_of(node: &impl Ranged) -> Span {
    node.range().start().to_usize()..node.range().end().to_usize()
}

/// The dotted name an expression spells (`a.b.c` for `a.b.c`), before import resolution.
pub fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attr) => Some(format!("{}.{}", dotted(&attr.value)?, attr.attr.id)),
        _ => None,
    }
}

/// A string literal's value (implicit concatenation joined).
pub fn string_value(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

/// The module name of a file from its path relative to the project root: `app/api/deps.py` ->
/// `app.api.deps`, `app/__init__.py` -> `app`. A leading `src/` (the src layout) is dropped, as
/// are leading folders that are not packages when the file sits in a package below them
/// (`backend/app/main.py` -> `app.main` when `backend/` has no `__init__.py`).
pub fn module_name(
    rel: &std::path::Path,
    is_package_dir: impl Fn(&std::path::Path) -> bool,
) -> (String, bool) {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let Some(last) = parts.pop() else {
        return (String::new(), false);
    };
    let stem = last
        .trim_end_matches(".pyi")
        .trim_end_matches(".py")
        .to_string();
    let is_init = stem == "__init__";
    // Keep the trailing run of folders that are packages (hold an __init__.py); the folders
    // above the top package are source roots (`src/`, `backend/`).
    let mut keep_from = parts.len();
    while keep_from > 0 {
        let dir: std::path::PathBuf = parts[..keep_from].iter().collect();
        if !is_package_dir(&dir) {
            break;
        }
        keep_from -= 1;
    }
    // Namespace packages (no __init__.py anywhere): fall back to the path below `src/`.
    if keep_from == parts.len() {
        keep_from = parts.iter().position(|p| p == "src").map_or(0, |i| i + 1);
        if !is_init && parts.len() - keep_from > 4 {
            keep_from = parts.len();
        }
    }
    let mut name: Vec<String> = parts[keep_from..].to_vec();
    if !is_init {
        name.push(stem);
    }
    (name.join("."), is_init)
}

#[cfg(test)]
mod tests {
    use super::module_name;
    use std::path::Path;

    #[test]
    fn module_names() {
        let pkgs = ["backend/app", "backend/app/api", "src/pkg"];
        let is_pkg = |p: &Path| pkgs.iter().any(|k| Path::new(k) == p);
        assert_eq!(
            module_name(Path::new("backend/app/api/deps.py"), is_pkg).0,
            "app.api.deps"
        );
        assert_eq!(
            module_name(Path::new("backend/app/__init__.py"), is_pkg),
            ("app".to_string(), true)
        );
        assert_eq!(module_name(Path::new("src/pkg/x.py"), is_pkg).0, "pkg.x");
        assert_eq!(module_name(Path::new("main.py"), is_pkg).0, "main");
        assert_eq!(module_name(Path::new("src/tool.py"), is_pkg).0, "tool");
    }
}
