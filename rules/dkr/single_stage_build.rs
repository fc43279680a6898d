//! DKR001: one stage both installs build-time dependencies and is the runtime image.

use super::{installs_dependencies, names_earlier_stage, python_install, stage_chain};
use crate::parse::dockerfile::{Dockerfile, Inst, Stage};
use crate::parse::shell_words::SimpleCommand;
use crate::registry::Ctx;

pub const META: &str = include_str!("single_stage_build.toml");

/// Build toolchain packages: compilers and headers that only building wheels needs.
fn is_build_package(name: &str) -> bool {
    let name = name.split(['=', ':']).next().unwrap_or(name);
    matches!(
        name,
        "gcc"
            | "g++"
            | "clang"
            | "make"
            | "build-essential"
            | "build-base"
            | "cmake"
            | "cargo"
            | "rustc"
    ) || name.ends_with("-dev")
        || name.ends_with("-devel")
}

/// `apt-get install …`, `apt install …`, `apk add …`, `dnf/yum/microdnf install …` of build tools.
fn installs_build_tools(cmd: &SimpleCommand) -> Option<String> {
    let argv = cmd.argv();
    let program = argv.first()?.text.rsplit('/').next()?;
    let sub = match program {
        "apt-get" | "apt" | "dnf" | "yum" | "microdnf" => "install",
        "apk" => "add",
        _ => return None,
    };
    let pos = argv.iter().position(|w| w.text == sub)?;
    argv[pos + 1..]
        .iter()
        .find(|w| !w.text.starts_with('-') && is_build_package(&w.text))
        .map(|w| w.text.clone())
}

/// Whether a stage takes files from another build stage (`COPY --from=builder`, or
/// `RUN --mount=…,from=builder`): then the image is assembled from a separate build. A
/// `--from` that names an image (`ghcr.io/astral-sh/uv`) only fetches a binary.
fn copies_from_a_stage(file: &Dockerfile<'_, '_>, stage: &Stage<'_, '_>) -> bool {
    stage.instructions.iter().any(|inst| match inst {
        Inst::Copy(copy) => copy.options.iter().any(|f| {
            f.name.value == "from"
                && f.value
                    .as_ref()
                    .is_some_and(|v| names_earlier_stage(file, &v.value, stage.index))
        }),
        Inst::Run(run) => run
            .options
            .iter()
            .filter(|f| f.name.value == "mount")
            .any(|f| {
                f.value.as_ref().is_some_and(|v| {
                    v.value.split(',').any(|part| {
                        part.trim()
                            .strip_prefix("from=")
                            .is_some_and(|from| names_earlier_stage(file, from, stage.index))
                    })
                })
            }),
        _ => false,
    })
}

/// Why the stages of the final image install build-time dependencies, if they do.
fn build_time_install(file: &Dockerfile<'_, '_>, chain: &[&Stage<'_, '_>]) -> Option<String> {
    let mut python = None;
    for stage in chain {
        for (_, commands) in stage.runs(file.escape) {
            for cmd in &commands {
                // A compiler is the stronger reason; keep looking for one.
                if let Some(pkg) = installs_build_tools(cmd) {
                    return Some(format!("installs the build tool `{pkg}`"));
                }
                if python.is_none()
                    && python_install(cmd)
                        .is_some_and(|(kind, args)| installs_dependencies(kind, args))
                {
                    python = Some("installs Python dependencies".to_string());
                }
            }
        }
    }
    python
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    // A development image (devcontainer, Dockerfile.dev) is not what ships to production.
    if file.is_development() {
        return;
    }
    let Some(last) = file.final_stage() else {
        return;
    };
    // The image is the last stage plus the stages it is built `FROM`: `FROM base AS final` with
    // the installs in `base` is still one build, however many FROM lines there are.
    let chain = stage_chain(file, last.index);
    if chain.iter().any(|stage| copies_from_a_stage(file, stage)) {
        return;
    }
    let Some(reason) = build_time_install(file, &chain) else {
        return;
    };
    let what = if chain.len() == 1 {
        "the only stage".to_string()
    } else {
        format!("the final image (stage {} and its bases)", last.label())
    };
    ctx.report(last.from_span(), format!("single-stage build: {what} {reason} and is also the runtime image"))
        .help("build in a `FROM … AS builder` stage and copy only the installed packages (a venv) into a slim final stage");
}
