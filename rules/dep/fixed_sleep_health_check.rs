//! DEP004: `sleep N` then one health check, instead of polling until ready.

use super::{describe, line_of};
use crate::model::commands::health_check;
use crate::model::ScriptsFile;
use crate::registry::Ctx;

pub const META: &str = include_str!("fixed_sleep_health_check.toml");

/// Commands that only print between the sleep and the check (`echo "checking health"`).
const QUIET: &[&str] = &["echo", "printf", ":", "true", "logger"];

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    for script in file.scripts {
        let commands = &script.shell.commands;
        for (i, sleep) in commands.iter().enumerate() {
            let duration = sleep.positionals();
            if sleep.program() != "sleep"
                || sleep.in_loop
                || duration.len() != 1
                || duration[0] == "infinity"
            {
                continue;
            }
            let next = commands[i + 1..]
                .iter()
                .find(|c| !QUIET.contains(&c.program()) || c.parent.is_some());
            let Some(check) = next else { continue };
            // A check in a loop is the retry loop this rule asks for; `--retry` is one too.
            if check.in_loop
                || sleep.exclusive_with(check)
                || health_check(&check.argv()) != Some(false)
            {
                continue;
            }
            let check_line = line_of(file, script.file_span(&check.span).start);
            ctx.report(
                script.file_span(&sleep.span),
                format!(
                    "a fixed `sleep {}` then a single health check (`{}`, line {check_line}): a \
                     slow start fails the deploy, a fast one waits for nothing",
                    duration[0],
                    describe(check)
                ),
            )
            .help(
                "poll with a bound: `for i in $(seq 30); do curl -fsS URL && break; sleep 2; done`, \
                 `curl --retry 30 --retry-connrefused --retry-delay 2 -f URL`, or `docker compose \
                 up -d --wait`",
            );
        }
    }
}
