//! DKR006: packages in `/root/.local` used by a non-root user that cannot read `/root`.

use super::{effective_user, env_pairs, is_root_user, python_install, Install};
use crate::parse::dockerfile::{run_commands, Dockerfile, Inst};
use crate::registry::Ctx;
use crate::source::Span;

pub const META: &str = include_str!("root_local_unreadable.toml");

fn under_root_local(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p == "/root/.local" || p.starts_with("/root/.local/") || p == "~/.local" || p.starts_with("~/.local/")
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    for stage in &file.stages {
        // Only a stage that ends as a non-root user is affected.
        let Some(final_user) = effective_user(file, stage.index) else { continue };
        if is_root_user(&final_user.arguments.value) {
            continue;
        }
        let mut user_is_root = true;
        let mut first: Option<(Span, String)> = None;
        let mut root_opened = false;
        for inst in stage.instructions {
            let found: Option<(Span, String)> = match inst {
                Inst::User(u) => {
                    user_is_root = is_root_user(&u.arguments.value);
                    None
                }
                Inst::Run(run) => {
                    let commands = run_commands(run, file.escape);
                    // `chmod 755 /root` (or similar) makes the packages readable again.
                    if commands.iter().any(|c| c.program() == Some("chmod") && c.words.iter().any(|w| w.text == "/root" || w.text == "/root/")) {
                        root_opened = true;
                    }
                    commands.iter().find_map(|cmd| {
                        let (kind, args) = python_install(cmd)?;
                        let user_flag = kind == Install::Pip && args.iter().any(|w| w.text == "--user");
                        (user_flag && user_is_root).then(|| {
                            (cmd.span().unwrap_or(run.run.span.clone()), "`pip install --user` as root installs into /root/.local".to_string())
                        })
                    })
                }
                Inst::Copy(copy) => {
                    let dest = &copy.dest.value;
                    let src_root = copy.src.iter().any(|s| matches!(s, parse_dockerfile::Source::Path(p) if under_root_local(&p.value)));
                    (src_root && under_root_local(dest)).then(|| {
                        (copy.copy.span.start..copy.dest.span.end, format!("packages are copied into `{dest}`"))
                    })
                }
                Inst::Env(env) => env_pairs(&env.arguments.value, env.arguments.span.start)
                    .into_iter()
                    .find(|(name, value, _)| name == "PATH" && value.split(':').any(under_root_local))
                    .map(|(_, _, span)| (span, "PATH points into /root/.local".to_string())),
                _ => None,
            };
            if first.is_none() {
                first = found;
            }
        }
        if root_opened {
            continue;
        }
        let Some((span, what)) = first else { continue };
        ctx.report(span, format!(
            "{what}, but stage {} runs as `{}`: /root is mode 700 in Debian-based images, so the app cannot import its packages",
            stage.label(),
            final_user.arguments.value
        ))
        .help("install into a virtualenv (`python -m venv /opt/venv`) and copy that, or `pip install --prefix=/install` and copy it to /usr/local");
    }
}
