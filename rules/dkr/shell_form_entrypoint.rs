//! DKR007: `CMD`/`ENTRYPOINT` in shell form: PID 1 is `/bin/sh -c`.

use super::final_commands;
use crate::parse::dockerfile::Dockerfile;
use crate::registry::Ctx;
use parse_dockerfile::Command;

pub const META: &str = include_str!("shell_form_entrypoint.toml");

/// The shell-form text when it does not already `exec` its program (which replaces the shell).
fn shell_without_exec<'c>(command: &'c Command<'_>) -> Option<&'c str> {
    let Command::Shell(shell) = command else { return None };
    let text = shell.value.trim_start();
    (!(text.starts_with("exec ") || text.starts_with("exec\t"))).then_some(shell.value)
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    let (cmd, entrypoint) = final_commands(file);
    if let Some(ep) = entrypoint {
        if shell_without_exec(&ep.arguments).is_some() {
            ctx.report(ep.entrypoint.span.start..command_end(&ep.arguments), "ENTRYPOINT in shell form runs under `/bin/sh -c`; SIGTERM never reaches the server, so it cannot shut down gracefully")
                .help("use the exec form: ENTRYPOINT [\"executable\", \"arg\"]");
            // A shell-form ENTRYPOINT ignores CMD altogether; one finding is enough.
            return;
        }
    }
    if let Some(cmd) = cmd {
        if let Some(text) = shell_without_exec(&cmd.arguments) {
            let words: Vec<&str> = text.split_whitespace().collect();
            let suggestion = format!("[{}]", words.iter().map(|w| format!("\"{}\"", w.replace('"', "\\\""))).collect::<Vec<_>>().join(", "));
            ctx.report(cmd.cmd.span.start..command_end(&cmd.arguments), "CMD in shell form runs under `/bin/sh -c`; SIGTERM never reaches the server, so it cannot shut down gracefully")
                .help(format!("use the exec form: CMD {suggestion}"));
        }
    }
}

fn command_end(command: &Command<'_>) -> usize {
    match command {
        Command::Shell(s) => s.span.end,
        Command::Exec(e) => e.span.end,
        _ => 0,
    }
}
