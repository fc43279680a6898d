//! PCM004: flake8 given `--ignore` / `ignore =`, which replaces its default ignore list, rather
//! than `--extend-ignore`. Two checks: pre-commit hooks (a file check, anchored at the hook's
//! `- repo:` entry) and the config files and workflow commands (a project check over facts,
//! since ini files have no check of their own).

use crate::ci_facts::precommit::hook_tool;
use crate::ci_facts::tools::{flake8_ignore_arg, reenabled_defaults};
use crate::facts::ProjectFacts;
use crate::model::PrecommitFile;
use crate::registry::Ctx;

pub const META: &str = include_str!("flake8_ignore_replaces_defaults.toml");

/// The finding's message, or `None` when the list keeps every default off (or is empty: an
/// explicit `ignore =` with nothing is a deliberate choice to see every check). `black` says
/// whether the project formats with black, whose output some re-enabled checks reject.
fn message(what: &str, codes: &[String], black: bool) -> Option<String> {
    if codes.is_empty() {
        return None;
    }
    let back = reenabled_defaults(codes);
    if back.is_empty() {
        return None;
    }
    let fights_black: Vec<&str> = back
        .iter()
        .copied()
        .filter(|c| matches!(*c, "E226" | "E704" | "W503"))
        .collect();
    let black = if fights_black.is_empty() || !black {
        String::new()
    } else {
        format!(
            "; {} flag code black writes (`i**2`, `def f(): ...`, breaks before operators)",
            fights_black.join(", ")
        )
    };
    Some(format!(
        "{what} replaces flake8's default ignore list and turns {} back on{black}",
        back.join(", ")
    ))
}

const HELP: &str =
    "use `extend-ignore` (`--extend-ignore=…`), which adds to flake8's defaults instead of replacing them";

pub fn check_hooks(file: &PrecommitFile<'_>, ctx: &mut Ctx<'_>) {
    let black = file.config.repos.iter().any(|r| {
        r.hooks
            .iter()
            .any(|h| matches!(h.id, Some("black" | "black-jupyter")))
    });
    for repo in &file.config.repos {
        for hook in &repo.hooks {
            let Some((tool, args)) = hook_tool(repo, hook) else {
                continue;
            };
            if tool != "flake8" {
                continue;
            }
            let Some((codes, word)) = flake8_ignore_arg(&args) else {
                continue;
            };
            let what = format!("`{}` in the flake8 hook's args", word.text);
            if let Some(msg) = message(&what, &codes, black) {
                ctx.report(repo.anchor(), msg).help(HELP);
            }
        }
    }
}

pub fn check_configs(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    // black is configured or run somewhere (its line-length facts exist wherever it is).
    let black = facts.line_lengths.iter().any(|s| s.value.tool == "black");
    for setting in facts.scoped(&facts.flake8_ignores) {
        if let Some(msg) = message(&setting.source, &setting.value.codes, black) {
            ctx.report_in(setting.file, setting.span.clone(), msg)
                .help(HELP);
        }
    }
}
