//! DKR001: one stage both installs build-time dependencies and is the runtime image.

use super::{installs_dependencies, python_install};
use crate::parse::dockerfile::Dockerfile;
use crate::parse::shell_words::SimpleCommand;
use crate::registry::Ctx;

pub const META: &str = include_str!("single_stage_build.toml");

/// Build toolchain packages: compilers and headers that only building wheels needs.
fn is_build_package(name: &str) -> bool {
    let name = name.split(['=', ':']).next().unwrap_or(name);
    matches!(name, "gcc" | "g++" | "clang" | "make" | "build-essential" | "build-base" | "cmake" | "cargo" | "rustc")
        || name.ends_with("-dev")
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
    argv[pos + 1..].iter().find(|w| !w.text.starts_with('-') && is_build_package(&w.text)).map(|w| w.text.clone())
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    let [stage] = file.stages.as_slice() else { return };
    let mut reason = None;
    for (_, commands) in stage.runs(file.escape) {
        for cmd in &commands {
            if let Some(pkg) = installs_build_tools(cmd) {
                reason = Some(format!("installs the build tool `{pkg}`"));
                break;
            }
            if reason.is_none() {
                if let Some((kind, args)) = python_install(cmd) {
                    if installs_dependencies(kind, args) {
                        reason = Some("installs Python dependencies".to_string());
                    }
                }
            }
        }
        if reason.as_deref().is_some_and(|r| r.contains("build tool")) {
            break;
        }
    }
    let Some(reason) = reason else { return };
    ctx.report(stage.from_span(), format!("single-stage build: the only stage {reason} and is also the runtime image"))
        .help("build in a `FROM … AS builder` stage and copy only the installed packages (a venv) into a slim final stage");
}
