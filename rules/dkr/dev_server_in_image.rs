//! DKR011: the image starts a development server (auto-reload, debug mode).

use super::commands_of;
use crate::parse::dockerfile::{command_words, Dockerfile};
use crate::parse::shell_words::{split_commands, SimpleCommand};
use crate::registry::Ctx;
use crate::source::Span;
use parse_dockerfile::Command;

pub const META: &str = include_str!("dev_server_in_image.toml");

/// Why a command is a development server, if it is one.
fn dev_server(cmd: &SimpleCommand) -> Option<&'static str> {
    let argv = cmd.argv();
    let mut words: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
    // `python -m uvicorn …` is `uvicorn …`.
    if words.first().is_some_and(|w| {
        w.rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with("python"))
    }) {
        if let Some(m) = words.iter().position(|w| *w == "-m") {
            words = words[m + 1..].to_vec();
        }
    }
    let program = words.first()?.rsplit('/').next()?;
    let has = |flag: &str| {
        words
            .iter()
            .any(|w| *w == flag || w.starts_with(&format!("{flag}=")))
    };
    match program {
        "uvicorn" | "hypercorn" | "gunicorn" if has("--reload") => {
            Some("`--reload` watches files and restarts the server; it is for development")
        }
        "fastapi" if words.get(1) == Some(&"dev") => {
            Some("`fastapi dev` runs uvicorn with auto-reload; use `fastapi run`")
        }
        "flask" if words.contains(&"run") && (has("--debug") || has("--reload")) => {
            Some("`flask run --debug` starts the Werkzeug development server with the debugger")
        }
        _ => None,
    }
}

/// `sh -c "…"` / `bash -c "…"` in exec form: the script's own commands.
fn shell_script(cmd: &SimpleCommand) -> Option<Vec<SimpleCommand>> {
    let argv = cmd.argv();
    let program = argv.first()?.text.rsplit('/').next()?;
    if !matches!(program, "sh" | "bash" | "dash" | "ash") {
        return None;
    }
    let c = argv.iter().position(|w| {
        w.text == "-c"
            || (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.ends_with('c'))
    })?;
    let script = argv.get(c + 1)?;
    // The script's words are re-split without positions; they all point at the script string.
    let mut commands = split_commands(&script.text, 0, '\\');
    for word in commands.iter_mut().flat_map(|c| c.words.iter_mut()) {
        word.span = script.span.clone();
    }
    Some(commands)
}

/// The argv the container starts with. Docker appends an exec-form CMD to an exec-form
/// ENTRYPOINT (`ENTRYPOINT ["uvicorn"]` + `CMD ["app:app", "--reload"]`); the findings of that
/// joined command point at the CMD, which holds the arguments.
fn started_commands(file: &Dockerfile<'_, '_>, stage: usize) -> Vec<(SimpleCommand, Option<Span>)> {
    let (cmd, entrypoint) = commands_of(file, stage);
    let words = |c: &Command<'_>| command_words(c, file.escape);
    let mut out: Vec<(SimpleCommand, Option<Span>)> = Vec::new();
    match (entrypoint, cmd) {
        (Some(ep), Some(cmd))
            if matches!(
                (&ep.arguments, &cmd.arguments),
                (Command::Exec(_), Command::Exec(_))
            ) =>
        {
            let mut joined = words(&ep.arguments).into_iter().next().unwrap_or_default();
            // Point at the CMD when it is what adds the flag, else at the ENTRYPOINT.
            let anchor = match dev_server(&joined) {
                Some(_) => joined.span(),
                None => Some(cmd.cmd.span.start..command_end(&cmd.arguments)),
            };
            joined
                .words
                .extend(words(&cmd.arguments).into_iter().flat_map(|c| c.words));
            out.push((joined, anchor));
        }
        // A shell-form ENTRYPOINT ignores CMD; a shell-form CMD after an exec ENTRYPOINT is
        // passed to it as `/bin/sh -c …` arguments, so each is read on its own.
        (entrypoint, cmd) => {
            out.extend(
                entrypoint
                    .into_iter()
                    .flat_map(|e| words(&e.arguments))
                    .map(|c| (c, None)),
            );
            out.extend(
                cmd.into_iter()
                    .flat_map(|c| words(&c.arguments))
                    .map(|c| (c, None)),
            );
        }
    }
    // Look inside `sh -c "…"` wrappers, anchoring at the wrapper.
    let mut expanded = Vec::new();
    for (command, anchor) in out {
        if let Some(script) = shell_script(&command) {
            let wrapper = anchor.clone().or_else(|| command.span());
            expanded.extend(script.into_iter().map(|c| (c, wrapper.clone())));
        }
        expanded.push((command, anchor));
    }
    expanded
}

fn command_end(command: &Command<'_>) -> usize {
    match command {
        Command::Shell(s) => s.span.end,
        Command::Exec(e) => e.span.end,
        _ => 0,
    }
}

pub fn check(file: &Dockerfile<'_, '_>, stage: usize, ctx: &mut Ctx<'_>) {
    let label = file
        .stages
        .get(stage)
        .map(|s| s.label())
        .unwrap_or_default();
    for (command, anchor) in started_commands(file, stage) {
        let Some(why) = dev_server(&command) else {
            continue;
        };
        let Some(span) = anchor.or_else(|| command.span()) else {
            continue;
        };
        ctx.report(span, format!("the image of stage {label} runs a development server: {why}"))
            .help("run the production server (`uvicorn app.main:app` without --reload, `fastapi run`, gunicorn with uvicorn workers)");
    }
}
