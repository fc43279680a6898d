//! DKR005: `COPY . .` before the dependency install of the same stage.

use super::{installs_dependencies, is_context_root, python_install};
use crate::parse::dockerfile::{run_commands, Dockerfile, Inst};
use crate::registry::Ctx;
use crate::source::Span;

pub const META: &str = include_str!("copy_before_dependency_install.toml");

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    for stage in &file.stages {
        let mut context_copy: Option<Span> = None;
        for inst in stage.instructions {
            match inst {
                Inst::Copy(copy) if context_copy.is_none() => {
                    let from_stage = copy.options.iter().any(|f| f.name.value == "from");
                    let whole = copy.src.iter().any(|s| matches!(s, parse_dockerfile::Source::Path(p) if is_context_root(&p.value)));
                    if whole && !from_stage {
                        context_copy = Some(copy.copy.span.start..copy.dest.span.end);
                    }
                }
                Inst::Run(run) => {
                    let installs = run_commands(run, file.escape)
                        .iter()
                        .any(|cmd| python_install(cmd).is_some_and(|(kind, args)| installs_dependencies(kind, args)));
                    if !installs {
                        continue;
                    }
                    // The first dependency install decides: after it, installing the project
                    // itself from the copied source is fine.
                    if let Some(span) = context_copy.take() {
                        let line = file.text[..run.run.span.start].matches('\n').count() + 1;
                        ctx.report(span, format!(
                            "the whole build context is copied before the dependency install on line {line}; every code change reinstalls all dependencies"
                        ))
                        .help("copy only the dependency files first (`COPY requirements.txt .` or `pyproject.toml`/lock file), install, then `COPY . .`");
                    }
                    break;
                }
                _ => {}
            }
        }
    }
}
