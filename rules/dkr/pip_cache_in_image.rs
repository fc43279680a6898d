//! DKR004: pip (or uv) keeps its download cache in an image layer.

use super::{
    arg_decls, final_image_stages, has_cache_mount, python_install, written_pairs, Install,
};
use crate::diagnostic::Edit;
use crate::parse::dockerfile::Dockerfile;
use crate::parse::dockerfile::Inst;
use crate::parse::shell_words::Word;
use crate::registry::Ctx;

pub const META: &str = include_str!("pip_cache_in_image.toml");

/// pip turns the cache off for any value of `PIP_NO_CACHE_DIR`, `false` and `0` included: its
/// option callback only checks that the value parses as a boolean, then sets `cache_dir = False`
/// ("for backwards compatibility", pip/_internal/cli/cmdoptions.py, `_handle_no_cache_dir`);
/// another value makes pip exit with an error. An empty value is ignored.
fn pip_disables(value: &str) -> bool {
    !value.is_empty()
}

/// uv reads `UV_NO_CACHE` as a boolean: `0`/`false`/`no`/`off` leave the cache on.
fn uv_disables(value: &str) -> bool {
    !matches!(
        value.to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off" | "n"
    )
}

/// The two variables as seen by a `RUN`. `ENV` is inherited by stages built `FROM` this one; a
/// stage `ARG` is in the environment of later `RUN`s of its own stage only, and `ENV` wins over
/// it (Dockerfile reference, "Using ARG variables").
#[derive(Default, Clone)]
struct CacheVars {
    pip: Option<String>,
    uv: Option<String>,
}

impl CacheVars {
    fn set(&mut self, name: &str, value: String) {
        match name {
            "PIP_NO_CACHE_DIR" => self.pip = Some(value),
            "UV_NO_CACHE" => self.uv = Some(value),
            _ => {}
        }
    }
}

/// Whether a command removes the install cache of `kind`: `rm -rf /root/.cache`, `rm -rf
/// ~/.cache/pip`, `pip cache purge`, `uv cache clean`.
fn clears_cache(cmd: &crate::parse::shell_words::SimpleCommand, kind: Install) -> bool {
    let argv = cmd.argv();
    let words: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
    let tool = if kind == Install::Pip { "pip" } else { "uv" };
    match words.as_slice() {
        [program, rest @ ..] if program.rsplit('/').next() == Some("rm") => {
            rest.iter().filter(|w| !w.starts_with('-')).any(|path| {
                let path = path.trim_end_matches(['/', '*']);
                let mut parts = path.rsplit('/');
                match (parts.next(), parts.next()) {
                    (Some(".cache"), _) => true,
                    (Some(last), Some(".cache")) => last == tool,
                    _ => false,
                }
            })
        }
        [program, "cache", "purge", ..] if kind == Install::Pip => super::is_pip(program),
        [program, "-m", "pip", "cache", "purge", ..] if kind == Install::Pip => {
            super::is_python(program)
        }
        [program, "cache", "clean", ..] if kind == Install::Uv => {
            program.rsplit('/').next() == Some("uv")
        }
        _ => false,
    }
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    // Only stages that become the final image matter: a builder's cache is thrown away.
    let in_image = final_image_stages(file);
    let mut env = CacheVars::default();
    for stage in file.stages.iter().filter(|s| in_image.contains(&s.index)) {
        let mut args = CacheVars::default();
        // In order: an ENV or ARG only covers the RUNs after it.
        for inst in stage.instructions {
            let run = match inst {
                Inst::Env(e) => {
                    written_pairs(file, &e.arguments)
                        .into_iter()
                        .for_each(|(name, value, _)| env.set(&name, value));
                    continue;
                }
                Inst::Arg(a) => {
                    // `ARG NAME` without a default can only be set by --build-arg: not known.
                    for (name, value, _) in arg_decls(file, a) {
                        if let Some(value) = value {
                            args.set(&name, value);
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
            let pip_off = env
                .pip
                .as_ref()
                .or(args.pip.as_ref())
                .is_some_and(|v| pip_disables(v));
            let uv_off = env
                .uv
                .as_ref()
                .or(args.uv.as_ref())
                .is_some_and(|v| uv_disables(v));
            let commands = file.run_commands(run);
            for (position, cmd) in commands.iter().enumerate() {
                let Some((kind, after)) = python_install(cmd) else {
                    continue;
                };
                // The cache removed later in the same RUN never reaches the layer.
                if commands[position + 1..]
                    .iter()
                    .any(|later| clears_cache(later, kind))
                {
                    continue;
                }
                let inline = |var: &str, disables: fn(&str) -> bool| {
                    cmd.assignments().any(|(n, v)| n == var && disables(v))
                };
                // Global options may come before the subcommand (`pip --no-cache-dir install`,
                // `uv --no-cache sync`), so the whole command line is searched.
                let has =
                    |flags: &[&str]| cmd.argv().iter().any(|w| flags.contains(&w.text.as_str()));
                let (flagged, flag) = match kind {
                    Install::Pip => (
                        !pip_off
                            && !inline("PIP_NO_CACHE_DIR", pip_disables)
                            // pip accepts unambiguous prefixes of long options: `--no-cache`.
                            && !has(&["--no-cache-dir", "--no-cache"])
                            // Nothing is downloaded with --no-index (local wheels only).
                            && !has(&["--no-index"]),
                        "--no-cache-dir",
                    ),
                    Install::Uv => (
                        !uv_off
                            && !inline("UV_NO_CACHE", uv_disables)
                            // uv also spells it `--no-cache-dir` (an alias).
                            && !has(&["--no-cache", "-n", "--no-cache-dir"]),
                        "--no-cache",
                    ),
                    Install::OtherPython => (false, ""),
                };
                if !flagged {
                    continue;
                }
                let Some(span) = cmd.span() else { continue };
                let tool = if kind == Install::Pip { "pip" } else { "uv" };
                ctx.report(span, format!("`{tool}` install without `{flag}` keeps its download cache in the image layer"))
                    .help(format!("add `{flag}`, or use `RUN --mount=type=cache,target=/root/.cache/{tool}` to keep the cache out of the image"))
                    .fix(flag_fix(file.text, cmd.argv(), after, flag));
            }
        }
    }
}

/// The flag inserted right after the subcommand (`pip install --no-cache-dir …`): the word
/// before `after`, the arguments `python_install` returned. An empty fix (none applied) when
/// that word is not plainly written in the file (quoted, or split by a line continuation).
fn flag_fix(text: &str, argv: &[Word], after: &[Word], flag: &str) -> Vec<Edit> {
    let Some(sub) = argv
        .len()
        .checked_sub(after.len() + 1)
        .and_then(|i| argv.get(i))
    else {
        return Vec::new();
    };
    if text.get(sub.span.clone()) != Some(sub.text.as_str()) {
        return Vec::new();
    }
    vec![Edit {
        span: sub.span.end..sub.span.end,
        text: format!(" {flag}"),
    }]
}
