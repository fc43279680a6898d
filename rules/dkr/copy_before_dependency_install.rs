//! DKR005: `COPY . .` before the dependency install of the same stage.

use super::{context_copy, installs_dependencies, python_install};
use crate::parse::dockerfile::{Dockerfile, Inst};
use crate::registry::Ctx;
use crate::source::Span;

pub const META: &str = include_str!("copy_before_dependency_install.toml");

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    for stage in &file.stages {
        let mut first_copy: Option<Span> = None;
        for inst in stage.instructions {
            match inst {
                // `ADD . /app` sends the context just as `COPY . /app` does.
                Inst::Copy(_) | Inst::Add(_) if first_copy.is_none() => {
                    first_copy = context_copy(inst)
                }
                Inst::Run(run) => {
                    let installs = file.run_commands(run).iter().any(|cmd| {
                        python_install(cmd)
                            .is_some_and(|(kind, args)| installs_dependencies(kind, args))
                    });
                    if !installs {
                        continue;
                    }
                    // The first dependency install decides: after it, installing the project
                    // itself from the copied source is fine.
                    if let Some(span) = first_copy.take() {
                        let line = file
                            .text
                            .get(..run.run.span.start)
                            .unwrap_or("")
                            .matches('\n')
                            .count()
                            + 1;
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
