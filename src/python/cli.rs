//! Python modules that only a command line reaches: operator tools (`typer`/`click`/`argparse`
//! commands, `if __name__ == "__main__":` programs) and what they import that the service does
//! not. They get the `script` role, so service rules (pool sizes, `print`, `reload=True`) leave
//! them alone wherever they sit in the tree.

use super::{ModuleSummary, PythonIndex};
use crate::model::roles::{Role, RoleDecision};
use crate::source::FileId;
use std::collections::VecDeque;

/// Libraries whose import makes a module a command-line program.
const CLI_LIBRARIES: &[&str] = &["typer", "click", "argparse", "fire", "cyclopts"];

/// Marks the modules reached only from command-line programs as `script`. Only files whose role
/// is still the default `service` (and not set by the user's config) change.
///
/// `started` holds what the project's images and stacks start (`python -m app.worker`,
/// `python worker.py`): such a program is a service, not an operator's tool.
pub fn mark_command_line_modules(
    index: &PythonIndex,
    base: FileId,
    roles: &mut [RoleDecision],
    started: &[String],
) {
    let modules = &index.modules;
    let role_of = |m: &ModuleSummary| {
        m.file
            .checked_sub(base)
            .and_then(|i| roles.get(i))
            .map(|r| r.role)
    };
    let service: Vec<bool> = modules
        .iter()
        .map(|m| role_of(m) == Some(Role::Service))
        .collect();
    // Operators' programs whose path already says so (`cli.py`, `scripts/seed.py`).
    let script: Vec<bool> = modules
        .iter()
        .map(|m| role_of(m) == Some(Role::Script))
        .collect();
    let is_started = |m: &ModuleSummary| {
        let file_name = m.module.rsplit('.').next().unwrap_or(&m.module);
        started.iter().any(|command| {
            command.contains(&m.module) || command.contains(&format!("{file_name}.py"))
        })
    };

    // Alembic's migration scripts and env.py, wherever the project keeps them.
    for m in modules {
        let alembic = m
            .imports
            .values()
            .any(|t| t == "alembic.op" || t == "alembic.context");
        if alembic {
            set_role(
                roles,
                base,
                m,
                Role::Migration,
                "imports alembic.op / alembic.context",
            );
        }
    }
    let service_roots: Vec<usize> = (0..modules.len())
        .filter(|&i| {
            let m = &modules[i];
            !m.app.apps.is_empty() || !m.routes.is_empty() || is_started(m)
        })
        .collect();
    // Without an app, a `__main__` program may be the service itself (a worker started with
    // `python -m`): only modules built on a command-line library are operators' tools there.
    let has_app = !service_roots.is_empty();
    let cli_roots: Vec<usize> = (0..modules.len())
        .filter(|&i| {
            let m = &modules[i];
            let program = if has_app {
                m.main_guard || imports_cli_library(m)
            } else {
                imports_cli_library(m) && !is_started(m)
            };
            script[i] || (service[i] && program)
        })
        .collect();
    let from_service = reachable(index, &service_roots);
    let from_cli = reachable(index, &cli_roots);

    for (i, m) in modules.iter().enumerate() {
        if from_cli[i] && !from_service[i] && service[i] {
            let why = "command-line module, not imported by the app";
            set_role(roles, base, m, Role::Script, why);
        }
    }
}

/// Gives a module's file a role decided from its content, unless the user's config or a
/// path convention already decided one.
fn set_role(roles: &mut [RoleDecision], base: FileId, m: &ModuleSummary, role: Role, why: &str) {
    let Some(decision) = m.file.checked_sub(base).and_then(|i| roles.get_mut(i)) else {
        return;
    };
    if decision.role == Role::Service && !crate::model::roles::is_configured(decision) {
        *decision = RoleDecision::new(role, why);
    }
}

fn imports_cli_library(m: &ModuleSummary) -> bool {
    m.imports.values().any(|target| {
        let root = target.split('.').next().unwrap_or(target);
        CLI_LIBRARIES.contains(&root)
    })
}

/// The modules reachable from `roots` through imports (breadth-first, each module once).
fn reachable(index: &PythonIndex, roots: &[usize]) -> Vec<bool> {
    let mut seen = vec![false; index.modules.len()];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &r in roots {
        if !seen[r] {
            seen[r] = true;
            queue.push_back(r);
        }
    }
    while let Some(i) = queue.pop_front() {
        for target in index.modules[i].imports.values() {
            let Some(j) = imported_module(index, target) else {
                continue;
            };
            if !seen[j] {
                seen[j] = true;
                queue.push_back(j);
            }
        }
    }
    seen
}

/// The project module an import target names: the module itself (`app.db`) or the module
/// that defines the name (`app.db.engine` -> `app.db`). A package's `__init__` counts as the
/// package.
fn imported_module(index: &PythonIndex, target: &str) -> Option<usize> {
    let mut name = target;
    loop {
        if let Some(i) = index.module_index(name) {
            return Some(i);
        }
        name = name.rsplit_once('.')?.0;
    }
}
