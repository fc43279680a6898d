//! DEP003: a deploy script that keeps going after a failed command.

use super::commands::is_deploy_step;
use super::{describe, is_harness, line_of, script_start, step_of};
use crate::model::scripts::{Script, ScriptOrigin};
use crate::model::ScriptsFile;
use crate::parse::yaml::Yaml;
use crate::registry::Ctx;

pub const META: &str = include_str!("deploy_without_strict_mode.toml");

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    for script in file.scripts {
        let commands = &script.shell.commands;
        let Some(step) = commands.iter().find(|c| is_deploy_step(&c.argv())) else {
            continue;
        };
        if stops_on_error(script) || exempt(file, script) {
            continue;
        }
        let step_line = line_of(file.text, script.file_span(&step.span).start);
        ctx.report(
            script_start(file, script),
            format!(
                "deploy script without `set -e`: when a command fails (such as `{}`, line \
                 {step_line}) the next ones still run and the script can still end in success",
                describe(step)
            ),
        )
        .help(match script.origin {
            ScriptOrigin::SshScript { .. } => {
                "start the script with `set -euo pipefail` (or set the action's `script_stop: true`)"
            }
            _ => "start the script with `set -euo pipefail`",
        });
    }
}

/// `set -e` in any spelling, or an `ERR` trap (which the script uses to stop or clean up).
fn stops_on_error(script: &Script) -> bool {
    script.shell.sets_errexit()
        || script
            .shell
            .commands
            .iter()
            .any(|c| c.program() == "trap" && c.arg_texts().skip(1).any(|a| a == "ERR"))
}

fn exempt(file: &ScriptsFile<'_>, script: &Script) -> bool {
    match script.origin {
        ScriptOrigin::File => {
            shebang_sets_errexit(file.text) || is_harness(file, script) || is_library(script)
        }
        // Checked by `run:`'s shell, below; a test job's setup is not a deploy either.
        ScriptOrigin::RunStep { .. } => {
            run_shell_sets_errexit(file, script) || is_harness(file, script)
        }
        ScriptOrigin::SshScript { .. } => step_of(file, script).is_some_and(|(_, step)| {
            // appleboy/ssh-action README, "Stop script after first failure": `script_stop: true`.
            step.with_input("script_stop")
                .and_then(|(_, v)| v.as_str())
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        }),
    }
}

/// `#!/bin/bash -e`, `#!/bin/sh -eu`, `#!/usr/bin/env -S bash -ex`.
fn shebang_sets_errexit(text: &str) -> bool {
    let Some(line) = text.lines().next().and_then(|l| l.strip_prefix("#!")) else {
        return false;
    };
    line.split_whitespace()
        .skip(1)
        .any(|w| w.starts_with('-') && !w.starts_with("--") && w[1..].contains('e'))
}

/// A file made only of function definitions is sourced by another script, whose `set -e` it
/// inherits.
fn is_library(script: &Script) -> bool {
    script.shell.commands.iter().all(|c| c.function.is_some())
}

/// `defaults: run: shell:` of a job or workflow.
fn default_shell(node: Option<&Yaml>) -> Option<&str> {
    node.and_then(|n| n.path(&["defaults", "run", "shell"]))
        .and_then(Yaml::as_str)
}

/// GitHub runs `run:` with `bash -e {0}` when no shell is given, `bash --noprofile --norc -eo
/// pipefail {0}` for `shell: bash` and `sh -e {0}` for `shell: sh` (GitHub docs, "Workflow
/// syntax for GitHub Actions", `jobs.<job_id>.steps[*].shell`). Only a custom template such as
/// `shell: bash {0}` drops `-e`. The step's `shell:` wins over the job's and the workflow's
/// `defaults.run.shell`.
fn run_shell_sets_errexit(file: &ScriptsFile<'_>, script: &Script) -> bool {
    let Some((job, step)) = step_of(file, script) else {
        return true;
    };
    let shell = step
        .shell
        .or_else(|| default_shell(Some(job.node)))
        .or_else(|| default_shell(file.workflow.map(|w| w.doc)));
    let Some(shell) = shell.map(str::trim) else {
        return true;
    };
    if matches!(shell, "bash" | "sh") || shell.contains("${{") {
        return true;
    }
    let words: Vec<&str> = shell.split_whitespace().collect();
    words.iter().enumerate().any(|(i, w)| {
        (w.starts_with('-') && !w.starts_with("--") && w[1..].contains('e'))
            || (*w == "-o" && words.get(i + 1) == Some(&"errexit"))
    })
}
