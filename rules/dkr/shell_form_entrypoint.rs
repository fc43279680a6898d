//! DKR007: `CMD`/`ENTRYPOINT` in shell form: PID 1 is `/bin/sh -c`.

use super::commands_of;
use crate::diagnostic::Edit;
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
            let report = ctx.report(ep.entrypoint.span.start..command_end(&ep.arguments), format!("ENTRYPOINT in shell form (image of stage {label}) runs under `/bin/sh -c`; SIGTERM never reaches the server, so it cannot shut down gracefully"))
                .help("use the exec form: ENTRYPOINT [\"executable\", \"arg\"]");
            let edits = exec_form(file.text, &ep.arguments);
            // A shell-form ENTRYPOINT ignores CMD; in exec form the CMD's words become its
            // arguments: a change of what runs.
            if cmd.is_some() {
                report.unsafe_fix(edits);
            } else {
                report.fix(edits);
            }
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
    let report = ctx.report(cmd.cmd.span.start..command_end(&cmd.arguments), format!("CMD in shell form (image of stage {label}) runs under `/bin/sh -c`; SIGTERM never reaches the server, so it cannot shut down gracefully"))
        .help(help);
    let edits = exec_form(file.text, &cmd.arguments);
    // With an ENTRYPOINT, CMD is its arguments: `sh -c "…"` before, the words after.
    if entrypoint.is_some() {
        report.unsafe_fix(edits);
    } else {
        report.fix(edits);
    }
}

/// The exec form of a shell-form command that is a plain list of words: letters, digits and
/// `_ . / : = @ , + % -` separated by blanks, the first not an assignment. Nothing the shell
/// would interpret (quotes, `$`, globs, `~`, operators, redirections, comments, escapes, line
/// continuations), so `/bin/sh -c` would have run exactly these words. Else no edit.
fn exec_form(text: &str, command: &Command<'_>) -> Vec<Edit> {
    let Command::Shell(shell) = command else {
        return Vec::new();
    };
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:=@,+%-".contains(c);
    let words: Vec<&str> = shell
        .value
        .split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect();
    let ok = !words.is_empty()
        && shell
            .value
            .chars()
            .all(|c| plain(c) || c == ' ' || c == '\t')
        && !words[0].contains('=')
        && text.get(shell.span.clone()) == Some(shell.value);
    if !ok {
        return Vec::new();
    }
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    vec![Edit {
        span: shell.span.clone(),
        text: format!("[{}]", quoted.join(", ")),
    }]
}

fn command_end(command: &Command<'_>) -> usize {
    match command {
        Command::Shell(s) => s.span.end,
        Command::Exec(e) => e.span.end,
        _ => 0,
    }
}
