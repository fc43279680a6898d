//! DKR006: packages in `/root/.local` used by a non-root user that cannot read `/root`.

use super::{effective_user, is_root_user, python_install, stage_chain, written_pairs, Install};
use crate::parse::dockerfile::{Dockerfile, Inst};
use crate::registry::Ctx;
use crate::source::Span;

pub const META: &str = include_str!("root_local_unreadable.toml");

fn under_root_local(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p == "/root/.local"
        || p.starts_with("/root/.local/")
        || p == "~/.local"
        || p.starts_with("~/.local/")
}

/// A `PYTHONUSERBASE` that is not root's home (`/root`, `~`, `$HOME` are, for root).
fn outside_root_home(value: &str) -> bool {
    !value.is_empty()
        && !["/root", "~", "$HOME", "${HOME}"]
            .iter()
            .any(|home| value.starts_with(home))
}

/// What the walk through a stage chain has seen so far.
struct Walk {
    /// USER is inherited through `FROM <stage>`; every chain starts as root.
    user_is_root: bool,
    /// `PYTHONUSERBASE` set outside /root: `pip install --user` goes there, not to /root/.local
    /// (Python docs, site.USER_BASE).
    userbase_elsewhere: bool,
    /// `chmod … /root` makes /root traversable again.
    root_opened: bool,
}

/// The first use of /root/.local in one instruction, with what to say about it.
fn root_local_use(
    file: &Dockerfile<'_, '_>,
    inst: &Inst<'_>,
    walk: &mut Walk,
) -> Option<(Span, String)> {
    match inst {
        Inst::User(u) => {
            walk.user_is_root = is_root_user(&u.arguments.value);
            None
        }
        Inst::Env(env) => {
            let pairs = written_pairs(file, &env.arguments);
            if let Some((_, value, _)) = pairs.iter().find(|(name, _, _)| name == "PYTHONUSERBASE")
            {
                walk.userbase_elsewhere = outside_root_home(value);
            }
            pairs
                .into_iter()
                .find(|(name, value, _)| name == "PATH" && value.split(':').any(under_root_local))
                .map(|(_, _, span)| (span, "PATH points into /root/.local".to_string()))
        }
        Inst::Run(run) => {
            let commands = file.run_commands(run);
            if commands.iter().any(|c| {
                c.program() == Some("chmod")
                    && c.words
                        .iter()
                        .any(|w| w.text == "/root" || w.text == "/root/")
            }) {
                walk.root_opened = true;
            }
            if !walk.user_is_root || walk.userbase_elsewhere {
                return None;
            }
            commands.iter().find_map(|cmd| {
                let (kind, args) = python_install(cmd)?;
                let user_flag = kind == Install::Pip && args.iter().any(|w| w.text == "--user");
                let inline_base = cmd
                    .assignments()
                    .any(|(n, v)| n == "PYTHONUSERBASE" && outside_root_home(v));
                (user_flag && !inline_base).then(|| {
                    (
                        cmd.span().unwrap_or(run.run.span.clone()),
                        "`pip install --user` as root installs into /root/.local".to_string(),
                    )
                })
            })
        }
        Inst::Copy(copy) => {
            let dest = &copy.dest.value;
            let src_root = copy.src.iter().any(
                |s| matches!(s, parse_dockerfile::Source::Path(p) if under_root_local(&p.value)),
            );
            (src_root && under_root_local(dest)).then(|| {
                (
                    copy.copy.span.start..copy.dest.span.end,
                    format!("packages are copied into `{dest}`"),
                )
            })
        }
        _ => None,
    }
}

pub fn check(file: &Dockerfile<'_, '_>, stage: usize, ctx: &mut Ctx<'_>) {
    let Some(built) = file.stages.get(stage) else {
        return;
    };
    // Only a stage that ends as a non-root user is affected.
    let Some(final_user) = effective_user(file, stage) else {
        return;
    };
    if is_root_user(&final_user.arguments.value) {
        return;
    }
    // The stage's filesystem, user and environment come from the stages it is built FROM,
    // so walk them all in order.
    let mut walk = Walk {
        user_is_root: true,
        userbase_elsewhere: false,
        root_opened: false,
    };
    let mut first: Option<(Span, String)> = None;
    for inst in stage_chain(file, stage)
        .iter()
        .flat_map(|s| s.instructions.iter())
    {
        let found = root_local_use(file, inst, &mut walk);
        if first.is_none() {
            first = found;
        }
    }
    if walk.root_opened {
        return;
    }
    let Some((span, what)) = first else { return };
    ctx.report(span, format!(
        "{what}, but stage {} runs as `{}`: /root is mode 700 in Debian-based images, so the app cannot import its packages",
        built.label(),
        final_user.arguments.value
    ))
    .help("install into a virtualenv (`python -m venv /opt/venv`) and copy that, or `pip install --prefix=/install` and copy it to /usr/local");
}
