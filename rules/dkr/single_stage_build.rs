//! DKR001: one stage both installs build-time dependencies and is the runtime image.

use super::{names_earlier_stage, stage_chain};
use crate::parse::dockerfile::{Dockerfile, Inst, Stage};
use crate::parse::shell_words::SimpleCommand;
use crate::registry::Ctx;

pub const META: &str = include_str!("single_stage_build.toml");

/// Python project managers installed with pip to install the project's dependencies: once
/// the dependencies are in, they are build tooling the runtime image carries (a builder stage
/// exports or installs, and the final stage gets the packages only).
const PACKAGING_TOOLS: &[&str] = &["poetry", "pipenv", "pdm", "hatch", "pip-tools"];

/// Build toolchain packages: compilers and headers that only building wheels needs, and the
/// Python project managers of [`PACKAGING_TOOLS`].
fn is_build_package(name: &str) -> bool {
    let name = name
        .split(['=', ':', '<', '>', '~', '!', '[', ';'])
        .next()
        .unwrap_or(name);
    if PACKAGING_TOOLS.contains(&name.to_ascii_lowercase().as_str()) {
        return true;
    }
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

/// The package manager a command runs and what it does with packages.
enum PackageOp {
    /// Installs packages; for `apk add --virtual NAME`, the group name they join.
    Install { virtual_name: Option<String> },
    /// Removes the packages named (apk: or virtual groups).
    Remove,
    /// `apt-get autoremove`, `apt-get purge --auto-remove`: removes what is marked automatic.
    AutoRemove,
    /// `apt-mark auto …`: marks packages automatic, so a later auto-remove takes them.
    MarkAuto,
}

/// Reads a package-manager command: the operation and the package words after its subcommand.
fn package_op(cmd: &SimpleCommand) -> Option<(PackageOp, Vec<String>)> {
    let argv = cmd.argv();
    let mut program = argv.first()?.text.rsplit('/').next()?;
    let mut words: Vec<&str> = argv[1..].iter().map(|w| w.text.as_str()).collect();
    // `python -m pip install …` is pip.
    if program.starts_with("python") && words.len() > 1 && words[0] == "-m" && words[1] == "pip" {
        program = "pip";
        words.drain(..2);
    }
    let sub_pos = words.iter().position(|w| !w.starts_with('-'))?;
    let sub = words[sub_pos];
    let rest = &words[sub_pos + 1..];
    let names = |skip_value_of: &[&str]| {
        let mut out = Vec::new();
        let mut skip = false;
        for w in rest {
            if skip {
                skip = false;
                continue;
            }
            if skip_value_of.contains(w) {
                skip = true;
                continue;
            }
            if !w.starts_with('-') {
                out.push(w.to_string());
            }
        }
        out
    };
    let auto = words
        .iter()
        .any(|w| matches!(*w, "--auto-remove" | "--autoremove"));
    let op = match (program, sub) {
        ("apt-get" | "apt" | "dnf" | "yum" | "microdnf", "install") => {
            PackageOp::Install { virtual_name: None }
        }
        ("apk", "add") => {
            let virtual_name = words.iter().enumerate().find_map(|(i, w)| {
                match w.strip_prefix("--virtual=").or(w.strip_prefix("-t=")) {
                    Some(v) => Some(v.to_string()),
                    None => matches!(*w, "--virtual" | "-t")
                        .then(|| words.get(i + 1).map(|v| v.to_string()))
                        .flatten(),
                }
            });
            return Some((
                PackageOp::Install { virtual_name },
                names(&["--virtual", "-t", "--repository", "-X"]),
            ));
        }
        ("apt-get" | "apt", "purge" | "remove") if auto => PackageOp::AutoRemove,
        ("apt-get" | "apt", "autoremove") => PackageOp::AutoRemove,
        ("apt-get" | "apt", "purge" | "remove") => PackageOp::Remove,
        ("dnf" | "yum" | "microdnf", "remove" | "erase" | "autoremove") => PackageOp::Remove,
        ("apk", "del") => PackageOp::Remove,
        ("apt-mark", "auto") => PackageOp::MarkAuto,
        ("pip" | "pip3", "install") => {
            return Some((
                PackageOp::Install { virtual_name: None },
                names(&[
                    "-r",
                    "--requirement",
                    "-c",
                    "--constraint",
                    "-i",
                    "--index-url",
                    "--extra-index-url",
                    "-t",
                    "--target",
                    "--prefix",
                    "-f",
                    "--find-links",
                ]),
            ));
        }
        ("pip" | "pip3", "uninstall") => PackageOp::Remove,
        _ => return None,
    };
    let names = names(&["-o", "--option"]);
    // `apt-get purge --auto-remove gcc` also removes gcc itself.
    Some((op, names))
}

/// The build tools a `RUN` installs and does not remove before it ends: only what stays in the
/// layer is in the image (`apt-get install gcc … && pip install … && apt-get purge
/// --auto-remove gcc`, `apk add --virtual .build-deps … && apk del .build-deps`, the
/// `apt-mark auto` + `apt-get purge --auto-remove` of the official images).
fn build_tools_kept(commands: &[SimpleCommand]) -> (Vec<String>, bool) {
    // (package, virtual group) in install order.
    let mut installed: Vec<(String, Option<String>)> = Vec::new();
    let mut removed_any = false;
    let mut marked_auto = false;
    for cmd in commands {
        let Some((op, names)) = package_op(cmd) else {
            continue;
        };
        match op {
            PackageOp::Install { virtual_name } => installed.extend(
                names
                    .into_iter()
                    .filter(|n| is_build_package(n))
                    .map(|n| (n, virtual_name.clone())),
            ),
            PackageOp::MarkAuto => marked_auto = true,
            PackageOp::AutoRemove | PackageOp::Remove => {
                let all = matches!(op, PackageOp::AutoRemove) && marked_auto;
                let before = installed.len();
                installed.retain(|(pkg, group)| {
                    let base = pkg.split(['=', ':']).next().unwrap_or(pkg);
                    !(all
                        || names.iter().any(|n| n == pkg || n == base)
                        || group.as_ref().is_some_and(|g| names.contains(g)))
                });
                removed_any |= installed.len() < before;
            }
        }
    }
    (installed.into_iter().map(|(p, _)| p).collect(), removed_any)
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

/// The first build tool the stages of the image install and keep: a compiler or header
/// package not removed in the `RUN` that installs it. Python dependencies alone are not
/// build-time content: the packages are what the application runs, and a builder stage would
/// copy the same files over.
fn build_time_install(file: &Dockerfile<'_, '_>, chain: &[&Stage<'_, '_>]) -> Option<String> {
    chain.iter().find_map(|stage| {
        stage.runs(file.escape).find_map(|(_, commands)| {
            let (kept, _) = build_tools_kept(&commands);
            kept.first()
                .map(|pkg| format!("installs the build tool `{pkg}`, which stays in the image,"))
        })
    })
}

pub fn check(file: &Dockerfile<'_, '_>, stage: usize, ctx: &mut Ctx<'_>) {
    // A development image (devcontainer, Dockerfile.dev) is not what ships to production, and
    // a base image for other Dockerfiles has no application to build separately.
    if super::is_base_image(file, stage) {
        return;
    }
    let Some(built) = file.stages.get(stage) else {
        return;
    };
    // The image is the stage plus the stages it is built `FROM`: `FROM base AS final` with
    // the installs in `base` is still one build, however many FROM lines there are.
    let chain = stage_chain(file, stage);
    if chain.iter().any(|s| copies_from_a_stage(file, s)) {
        return;
    }
    let Some(reason) = build_time_install(file, &chain) else {
        return;
    };
    let bases: Vec<String> = chain[..chain.len() - 1].iter().map(|s| s.label()).collect();
    let what = match bases.as_slice() {
        [] if file.stages.len() == 1 => "the only stage".to_string(),
        [] => format!("stage {}", built.label()),
        _ => format!("stage {} (built on {})", built.label(), bases.join(", ")),
    };
    ctx.report(built.from_span(), format!("single-stage build: {what} {reason} and is the image that runs; nothing is built in a separate stage"))
        .help("build in a `FROM … AS builder` stage and copy only the installed packages (a venv) into a slim final stage, or remove the build tools in the RUN that installs them");
}
