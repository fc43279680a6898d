//! Which compose files a deploy runs: `docker compose -f a -f b up` in a deploy script, over
//! ssh or in a deploy job, and `docker stack deploy -c a`. A `docker compose up` in a test job
//! or a local helper script says nothing about production and is not recorded.

use super::compose::ComposeRun;
use super::scripts::{Script, ScriptOrigin};
use super::ScriptsFile;
use crate::model::commands::{compose, unwrap};
use crate::parse::shell::ShellCommand;
use crate::source::FileId;
use std::path::Path;

/// Values of `-f x`, `--file x`, `--file=x` (and `-c`/`--compose-file` for swarm) among words.
fn file_options(words: &[&str], names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if names.contains(word) {
            out.extend(words.get(i + 1).map(|w| w.to_string()));
        } else if let Some((name, value)) = word.split_once('=') {
            if names.contains(&name) {
                out.push(value.to_string());
            }
        }
    }
    out
}

/// The files a command deploys, when it starts a stack: `docker compose … up` or `docker stack
/// deploy`. `None` for anything else.
fn started_files(cmd: &ShellCommand) -> Option<(Vec<String>, bool)> {
    let argv = cmd.argv();
    let inner = unwrap(&argv);
    if let Some(words) = compose(inner) {
        if words.first() != Some(&"up") {
            return None;
        }
        let globals = &inner[..inner.len() - words.len()];
        let mut files = file_options(globals, &["-f", "--file"]);
        if files.is_empty() {
            if let Some((_, v)) = cmd.assignments.iter().find(|(n, _)| n == "COMPOSE_FILE") {
                files = v.split([':', ',']).map(str::to_string).collect();
            }
        }
        return Some((files, false));
    }
    let stack = inner.iter().position(|w| *w == "stack")?;
    let is_docker = inner
        .first()
        .is_some_and(|p| p.rsplit('/').next() == Some("docker"));
    if !is_docker || !matches!(inner.get(stack + 1), Some(&("deploy" | "up"))) {
        return None;
    }
    Some((
        file_options(&inner[stack..], &["-c", "--compose-file"]),
        true,
    ))
}

/// Whether a command runs against another host: inside an `ssh host '…'` script, with
/// `DOCKER_HOST` set or `docker -H`/`--context`.
fn remote(script: &Script, index: usize) -> bool {
    let commands = &script.shell.commands;
    let mut at = commands.get(index).and_then(|c| c.inline_in);
    for _ in 0..8 {
        let Some(i) = at else { break };
        let Some(runner) = commands.get(i) else { break };
        if runner.program() == "ssh" {
            return true;
        }
        at = runner.inline_in;
    }
    let Some(cmd) = commands.get(index) else {
        return false;
    };
    cmd.assignments.iter().any(|(n, _)| n == "DOCKER_HOST")
        || cmd
            .arg_texts()
            .take_while(|a| *a != "compose" && *a != "stack")
            .any(|a| matches!(a, "-H" | "--host" | "--context") || a.starts_with("--host="))
}

/// A script file whose name says it deploys (`deploy.sh`, `release-prod.sh`) and not tests
/// (`deploy-e2e-env.sh`).
fn deploy_script_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |set: &[&str]| words.iter().any(|w| set.contains(&w.as_str()));
    has(&[
        "deploy",
        "release",
        "rollout",
        "prod",
        "production",
        "provision",
    ]) && !has(&["test", "tests", "testing", "e2e", "ci"])
}

/// The compose stacks the scripts of one file (a shell script or a workflow) deploy.
pub fn compose_runs(file: &ScriptsFile<'_>, id: FileId) -> Vec<ComposeRun> {
    let dir = file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // A workflow's `-f` paths are relative to the checkout (the root).
    let dir = if file.workflow.is_some() {
        Default::default()
    } else {
        dir
    };
    let mut out = Vec::new();
    let mut job_reasons: Vec<(usize, Option<String>)> = Vec::new();
    for script in file.scripts {
        for (index, cmd) in script.shell.commands.iter().enumerate() {
            let Some((files, swarm)) = started_files(cmd) else {
                continue;
            };
            let why = if swarm {
                Some("deployed with `docker stack deploy`".to_string())
            } else if matches!(script.origin, ScriptOrigin::SshScript { .. })
                || remote(script, index)
            {
                Some(format!("started over ssh by `{}`", file.path.display()))
            } else {
                match (script.origin, file.workflow) {
                    (ScriptOrigin::RunStep { job, .. }, Some(wf)) => {
                        let reason = match job_reasons.iter().find(|(j, _)| *j == job) {
                            Some((_, r)) => r.clone(),
                            None => {
                                let r = crate::rules::gha::deploy::deploy_reason(file, wf, job);
                                job_reasons.push((job, r.clone()));
                                r
                            }
                        };
                        reason.map(|r| {
                            format!("started by a deploy job of `{}` ({r})", file.path.display())
                        })
                    }
                    (ScriptOrigin::File, _) if deploy_script_name(file.path) => {
                        Some(format!("started by `{}`", file.path.display()))
                    }
                    _ => None,
                }
            };
            if let Some(why) = why {
                out.push(ComposeRun {
                    file: id,
                    dir: dir.clone(),
                    files,
                    why,
                });
            }
        }
    }
    out
}
