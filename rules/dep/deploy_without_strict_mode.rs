//! DEP003: a deploy script that keeps going after a failed command.

use super::{
    argvs, deploys_to_live, describe, is_harness, line_of, placements, script_start, step_of,
    Placement,
};
use crate::model::commands::is_deploy_step;
use crate::model::scripts::{Script, ScriptOrigin};
use crate::model::ScriptsFile;
use crate::parse::shell::ShellCommand;
use crate::parse::yaml::Yaml;
use crate::registry::Ctx;

pub const META: &str = include_str!("deploy_without_strict_mode.toml");

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    for script in file.scripts {
        let commands = &script.shell.commands;
        let placements = placements(commands);
        let argvs = argvs(commands);
        let Some(step) = (0..commands.len())
            .find(|&i| {
                is_deploy_step(&argvs[i]) && followed_by_more(file.text, script, &placements, i)
            })
            .map(|i| &commands[i])
        else {
            continue;
        };
        if stops_on_error(script) || exempt(file, script) {
            continue;
        }
        let step_line = line_of(file, script.file_span(&step.span).start);
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

/// Whether a failure of command `index` goes unnoticed without errexit: it is not checked
/// (`if`, `||`, `&&`, or `$?` tested by the next command) and another command runs after it. The last command's status is the
/// script's, so a deploy step there needs no `set -e`.
fn followed_by_more(
    text: &str,
    script: &Script,
    placements: &[Option<Placement>],
    index: usize,
) -> bool {
    let commands = &script.shell.commands;
    let (Some(step), Some(Some(at))) = (commands.get(index), placements.get(index)) else {
        return false;
    };
    // `cmd; if [ $? -ne 0 ]; then …`: the status is tested by hand. `[ … ]` is a test
    // expression, not a command, so look at the text between this command and the next.
    let tested_next = commands.get(index + 1).is_some_and(|next| {
        let from = script.file_span(&step.span).end;
        let to = script.file_span(&next.span).start;
        text.get(from..to).is_some_and(|gap| gap.contains("$?"))
    });
    !step.checked
        && !tested_next
        && placements.iter().enumerate().any(|(k, p)| {
            k != index
                && p.as_ref()
                    .is_some_and(|p| p.order > at.order && !p.exclusive_with(at))
                && !runs_inside(commands, k, index)
        })
}

/// Whether command `k` runs as part of command `outer`: in its `$(…)` or its inline script.
fn runs_inside(commands: &[ShellCommand], k: usize, outer: usize) -> bool {
    let mut current = k;
    for _ in 0..commands.len() {
        let Some(cmd) = commands.get(current) else {
            return false;
        };
        match cmd.parent.or(cmd.inline_in) {
            Some(up) if up == outer => return true,
            Some(up) => current = up,
            None => return false,
        }
    }
    false
}

/// `set -e` in any spelling, an `ERR` trap (which the script uses to stop or clean up), or a
/// sourced shell library (`. ./lib/common.sh`), which may set `-e` for it: that file is not
/// visible from here, and a false alarm is worse than a miss.
fn stops_on_error(script: &Script) -> bool {
    let commands = &script.shell.commands;
    script.shell.sets_errexit()
        || commands
            .iter()
            .any(|c| c.program() == "trap" && c.arg_texts().skip(1).any(|a| a == "ERR"))
        || commands.iter().any(|c| {
            matches!(c.name.text.as_str(), "source" | ".")
                && c.arg_texts()
                    .next()
                    .is_some_and(|f| f.ends_with(".sh") || f.ends_with(".bash"))
        })
}

fn exempt(file: &ScriptsFile<'_>, script: &Script) -> bool {
    match script.origin {
        ScriptOrigin::File => {
            shebang_sets_errexit(file.text)
                || is_harness(file, script)
                || is_library(script)
                || !deploys_to_live(file, script)
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
