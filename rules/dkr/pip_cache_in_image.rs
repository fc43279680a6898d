//! DKR004: pip (or uv) keeps its download cache in an image layer.

use super::{env_pairs, final_image_stages, has_cache_mount, python_install, Install};
use crate::parse::dockerfile::{run_commands, Inst};
use crate::parse::dockerfile::Dockerfile;
use crate::registry::Ctx;

pub const META: &str = include_str!("pip_cache_in_image.toml");

/// An env var that turns the cache off counts when set to anything but a false value
/// (pip reads `PIP_NO_CACHE_DIR` as a boolean option; uv reads `UV_NO_CACHE`).
fn disables(value: &str) -> bool {
    !matches!(value.to_ascii_lowercase().as_str(), "" | "0" | "false" | "no" | "off")
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    // Only stages that become the final image matter: a builder's cache is thrown away.
    let in_image = final_image_stages(file);
    let mut pip_off = false;
    let mut uv_off = false;
    for stage in file.stages.iter().filter(|s| in_image.contains(&s.index)) {
        // In order: an ENV only covers the RUNs after it.
        for inst in stage.instructions {
            let run = match inst {
                Inst::Env(env) => {
                    for (name, value, _) in env_pairs(&env.arguments.value, env.arguments.span.start) {
                        match name.as_str() {
                            "PIP_NO_CACHE_DIR" => pip_off = disables(&value),
                            "UV_NO_CACHE" => uv_off = disables(&value),
                            _ => {}
                        }
                    }
                    continue;
                }
                Inst::Run(run) => run,
                _ => continue,
            };
            if has_cache_mount(run) {
                continue;
            }
            for cmd in &run_commands(run, file.escape) {
                let Some((kind, args)) = python_install(cmd) else { continue };
                let inline = |var: &str| cmd.assignments().any(|(n, v)| n == var && disables(v));
                let (flagged, flag) = match kind {
                    Install::Pip => (!pip_off && !inline("PIP_NO_CACHE_DIR") && !args.iter().any(|w| w.text == "--no-cache-dir"), "--no-cache-dir"),
                    Install::Uv => (!uv_off && !inline("UV_NO_CACHE") && !args.iter().any(|w| w.text == "--no-cache" || w.text == "-n"), "--no-cache"),
                    Install::OtherPython => (false, ""),
                };
                if !flagged {
                    continue;
                }
                let Some(span) = cmd.span() else { continue };
                let tool = if kind == Install::Pip { "pip" } else { "uv" };
                ctx.report(span, format!("`{tool}` install without `{flag}` keeps its download cache in the image layer"))
                    .help(format!("add `{flag}`, or use `RUN --mount=type=cache,target=/root/.cache/{tool}` to keep the cache out of the image"));
            }
        }
    }
}
