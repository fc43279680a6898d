//! DKR005: `COPY . .` before the dependency install of the same stage.

use super::{context_copy, installs_dependencies, python_install};
use crate::parse::dockerfile::{Dockerfile, Inst};
use crate::registry::Ctx;
use crate::source::Span;

pub const META: &str = include_str!("copy_before_dependency_install.toml");

/// A local path or artifact rather than a package name: `.`, `/app[extra]`, `dist/*.whl`.
fn is_local(arg: &str) -> bool {
    arg.starts_with(['.', '/', '*', '$', '~'])
        || arg.contains('/')
        || [".whl", ".tar.gz", ".zip"]
            .iter()
            .any(|ext| arg.ends_with(ext))
}

/// An install that only puts prebuilt or local artifacts in place: `--no-index` (nothing is
/// downloaded), or only local paths once the stage has copied a venv/wheels from another stage
/// (`COPY --from=builder /opt/venv …`). Re-running it on a code change costs little, so it does not count
/// as the dependency install (Kinto, litellm images do this on purpose).
fn installs_prebuilt(args: &[crate::parse::shell_words::Word], copied_from_stage: bool) -> bool {
    let texts: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    if texts.contains(&"--no-index") {
        return true;
    }
    if texts.iter().any(|t| {
        *t == "-r" || t.starts_with("--requirement") || (t.starts_with("-r") && t.len() > 2)
    }) {
        return false;
    }
    let mut skip_next = false;
    let mut positionals = Vec::new();
    for t in texts {
        if skip_next {
            skip_next = false;
            continue;
        }
        if matches!(
            t,
            "-c" | "--constraint"
                | "-i"
                | "--index-url"
                | "--extra-index-url"
                | "-f"
                | "--find-links"
                | "-t"
                | "--target"
                | "--prefix"
        ) {
            skip_next = true;
            continue;
        }
        if !t.starts_with('-') {
            positionals.push(t);
        }
    }
    copied_from_stage && !positionals.is_empty() && positionals.iter().all(|t| is_local(t))
}

/// `COPY --from=… /opt/venv …`, wheels, site-packages or a `--prefix` install tree: the
/// dependencies were built in another stage.
fn copies_python_packages(copy: &parse_dockerfile::CopyInstruction<'_>) -> bool {
    let paths = copy
        .src
        .iter()
        .filter_map(|s| match s {
            parse_dockerfile::Source::Path(p) => Some(p.value.to_ascii_lowercase()),
            _ => None,
        })
        .chain(std::iter::once(copy.dest.value.to_ascii_lowercase()));
    paths.into_iter().any(|p| {
        [
            "venv",
            "site-packages",
            "wheel",
            ".whl",
            "/install",
            ".local",
            "python",
        ]
        .iter()
        .any(|k| p.contains(k))
    })
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    for stage in &file.stages {
        let mut first_copy: Option<Span> = None;
        let mut copied_from_stage = false;
        for inst in stage.instructions {
            if let Inst::Copy(copy) = inst {
                if copy.options.iter().any(|f| f.name.value == "from")
                    && copies_python_packages(copy)
                {
                    copied_from_stage = true;
                }
            }
            match inst {
                // `ADD . /app` sends the context just as `COPY . /app` does.
                Inst::Copy(_) | Inst::Add(_) if first_copy.is_none() => {
                    first_copy = context_copy(inst)
                }
                Inst::Run(run) => {
                    let installs = file.run_commands(run).iter().any(|cmd| {
                        python_install(cmd).is_some_and(|(kind, args)| {
                            installs_dependencies(kind, args)
                                && !installs_prebuilt(args, copied_from_stage)
                        })
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
