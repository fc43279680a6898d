//! DKR011: the image starts a development server (auto-reload, debug mode).

use super::final_commands;
use crate::parse::dockerfile::{command_words, Dockerfile};
use crate::parse::shell_words::SimpleCommand;
use crate::registry::Ctx;

pub const META: &str = include_str!("dev_server_in_image.toml");

/// Why a command is a development server, if it is one.
fn dev_server(cmd: &SimpleCommand) -> Option<&'static str> {
    let argv = cmd.argv();
    let mut words: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
    // `python -m uvicorn …` is `uvicorn …`.
    if words.first().is_some_and(|w| w.rsplit('/').next().is_some_and(|n| n.starts_with("python"))) {
        if let Some(m) = words.iter().position(|w| *w == "-m") {
            words = words[m + 1..].to_vec();
        }
    }
    let program = words.first()?.rsplit('/').next()?;
    let has = |flag: &str| words.iter().any(|w| *w == flag || w.starts_with(&format!("{flag}=")));
    match program {
        "uvicorn" | "hypercorn" | "gunicorn" if has("--reload") => Some("`--reload` watches files and restarts the server; it is for development"),
        "fastapi" if words.get(1) == Some(&"dev") => Some("`fastapi dev` runs uvicorn with auto-reload; use `fastapi run`"),
        "flask" if words.contains(&"run") && (has("--debug") || has("--reload")) => Some("`flask run --debug` starts the Werkzeug development server with the debugger"),
        _ => None,
    }
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    let (cmd, entrypoint) = final_commands(file);
    let commands = entrypoint
        .map(|e| command_words(&e.arguments, file.escape))
        .into_iter()
        .chain(cmd.map(|c| command_words(&c.arguments, file.escape)));
    for command in commands.flatten() {
        let Some(why) = dev_server(&command) else { continue };
        let Some(span) = command.span() else { continue };
        ctx.report(span, format!("the image runs a development server: {why}"))
            .help("run the production server (`uvicorn app.main:app` without --reload, `fastapi run`, gunicorn with uvicorn workers)");
    }
}
