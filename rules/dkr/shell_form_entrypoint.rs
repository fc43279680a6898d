//! DKR007: `CMD`/`ENTRYPOINT` in shell form: PID 1 is `/bin/sh -c`.

use super::commands_of;
use crate::parse::dockerfile::Dockerfile;
use crate::parse::shell_words::{split_commands, SimpleCommand};
use crate::registry::Ctx;
use parse_dockerfile::Command;

pub const META: &str = include_str!("shell_form_entrypoint.toml");

/// The shell form's simple commands, unless one of them starts with `exec`: `exec` replaces the
/// shell with the server, which then is PID 1 and receives SIGTERM itself. That holds for
/// `exec uvicorn …` and for `alembic upgrade head && exec uvicorn …` alike.
fn shell_without_exec(command: &Command<'_>, escape: char) -> Option<Vec<SimpleCommand>> {
    let Command::Shell(shell) = command else {
        return None;
    };
    let commands = split_commands(shell.value, shell.span.start, escape);
    // `PORT=8000 exec uvicorn …` execs too: skip leading assignments.
    let execs = commands.iter().any(|c| {
        c.words
            .get(c.assignments().count())
            .is_some_and(|w| w.text == "exec")
    });
    (!execs).then_some(commands)
}

pub fn check(file: &Dockerfile<'_, '_>, stage: usize, ctx: &mut Ctx<'_>) {
    // A base image's shell-form CMD is replaced by the images built on it.
    if super::is_base_image(file, stage) {
        return;
    }
    let (cmd, entrypoint) = commands_of(file, stage);
    let label = file
        .stages
        .get(stage)
        .map(|s| s.label())
        .unwrap_or_default();
    if let Some(ep) = entrypoint {
        if shell_without_exec(&ep.arguments, file.escape).is_some() {
            ctx.report(ep.entrypoint.span.start..command_end(&ep.arguments), format!("ENTRYPOINT in shell form (image of stage {label}) runs under `/bin/sh -c`; SIGTERM never reaches the server, so it cannot shut down gracefully"))
                .help("use the exec form: ENTRYPOINT [\"executable\", \"arg\"]");
            // A shell-form ENTRYPOINT ignores CMD altogether; one finding is enough.
            return;
        }
    }
    let Some(cmd) = cmd else { return };
    let Some(commands) = shell_without_exec(&cmd.arguments, file.escape) else {
        return;
    };
    // One command converts word for word; a list of commands needs its shell, so suggest `exec`.
    let help = match commands.as_slice() {
        [single] => {
            let words: Vec<String> = single.words.iter().map(|w| format!("\"{}\"", w.text.replace('"', "\\\""))).collect();
            format!("use the exec form: CMD [{}]", words.join(", "))
        }
        _ => "put `exec` before the last command so the server replaces the shell, or move the steps into an entrypoint script that ends with `exec \"$@\"`".to_string(),
    };
    ctx.report(cmd.cmd.span.start..command_end(&cmd.arguments), format!("CMD in shell form (image of stage {label}) runs under `/bin/sh -c`; SIGTERM never reaches the server, so it cannot shut down gracefully"))
        .help(help);
}

fn command_end(command: &Command<'_>) -> usize {
    match command {
        Command::Shell(s) => s.span.end,
        Command::Exec(e) => e.span.end,
        _ => 0,
    }
}
