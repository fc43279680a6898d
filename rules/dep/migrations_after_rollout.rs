//! DEP001: the schema migration runs after the new version was started.

use super::commands::{is_docker, is_migration, is_rollout};
use super::{argvs, deploys_to_live, describe, is_harness, line_of, placements, step_of};
use crate::model::scripts::{Script, ScriptOrigin};
use crate::model::ScriptsFile;
use crate::parse::shell::ShellCommand;
use crate::parse::yaml::Yaml;
use crate::registry::Ctx;

pub const META: &str = include_str!("migrations_after_rollout.toml");

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    for script in file.scripts {
        if is_harness(file, script) || !deploys_to_live(file, script) {
            continue;
        }
        let commands = &script.shell.commands;
        let local_docker = docker_is_runner_local(file, script);
        let placements = placements(commands);
        let argvs = argvs(commands);
        let rollouts: Vec<usize> = commands
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                let argv = &argvs[*i];
                is_rollout(argv)
                    && !(local_docker && is_docker(argv) && !runs_remotely(commands, *i))
            })
            .map(|(i, _)| i)
            .collect();
        for (m, migration) in commands.iter().enumerate() {
            if !is_migration(&argvs[m]) {
                continue;
            }
            let Some(at) = &placements[m] else { continue };
            let earlier = rollouts.iter().copied().find(|&r| {
                placements[r]
                    .as_ref()
                    .is_some_and(|p| p.order < at.order && !p.exclusive_with(at))
            });
            let Some(r) = earlier else { continue };
            report(file, script, &commands[r], migration, ctx);
        }
    }
}

fn report(
    file: &ScriptsFile<'_>,
    script: &Script,
    rollout: &ShellCommand,
    migration: &ShellCommand,
    ctx: &mut Ctx<'_>,
) {
    let rollout_line = line_of(file.text, script.file_span(&rollout.span).start);
    ctx.report(
        script.file_span(&migration.span),
        format!(
            "the migration runs after `{}` (line {rollout_line}) started the new version: until it \
             finishes, the new code serves requests against the old schema",
            describe(rollout)
        ),
    )
    .help(
        "migrate before the rollout, from the new image (`docker compose run --rm backend \
         alembic upgrade head`, then `docker compose up -d`), and keep migrations \
         backward-compatible with the running version",
    );
}

/// A `run:` block on a GitHub-hosted runner talks to the runner's own Docker daemon: a
/// `docker compose up` there starts a throwaway stack (typically for tests), not production.
/// It counts when the job is self-hosted or Docker is pointed elsewhere (`DOCKER_HOST`,
/// `DOCKER_CONTEXT`, `docker context use`, `-H`/`--context`).
fn docker_is_runner_local(file: &ScriptsFile<'_>, script: &Script) -> bool {
    if !matches!(script.origin, ScriptOrigin::RunStep { .. }) {
        return false;
    }
    let Some((job, step)) = step_of(file, script) else {
        return false;
    };
    let sets_docker_env = |env: Option<&Yaml>| {
        env.is_some_and(|e| {
            e.entries()
                .iter()
                .any(|(k, _)| matches!(k.as_str(), Some("DOCKER_HOST" | "DOCKER_CONTEXT")))
        })
    };
    let doc = file.workflow.map(|w| w.doc);
    if sets_docker_env(step.env)
        || sets_docker_env(job.node.get("env"))
        || sets_docker_env(doc.and_then(|d| d.get("env")))
    {
        return false;
    }
    if is_self_hosted(job.node.get("runs-on")) {
        return false;
    }
    !script.shell.commands.iter().any(points_docker_elsewhere)
}

/// Whether the command is part of a script sent to another host (`ssh host '…'`, `ssh host
/// <<EOF`), where `docker` is that host's daemon.
fn runs_remotely(commands: &[ShellCommand], index: usize) -> bool {
    let mut current = commands.get(index).and_then(|c| c.inline_in);
    for _ in 0..commands.len() {
        let Some(runner) = current.and_then(|i| commands.get(i)) else {
            return false;
        };
        if runner
            .argv()
            .iter()
            .any(|w| w.rsplit('/').next() == Some("ssh"))
        {
            return true;
        }
        current = runner.inline_in;
    }
    false
}

fn is_self_hosted(runs_on: Option<&Yaml>) -> bool {
    let Some(node) = runs_on else { return false };
    if node.get("group").is_some() {
        return true;
    }
    let labels = node.get("labels").unwrap_or(node);
    let is_label = |l: &str| l.eq_ignore_ascii_case("self-hosted");
    match labels.as_str() {
        Some(label) => is_label(label),
        None => labels
            .as_seq()
            .iter()
            .filter_map(Yaml::as_str)
            .any(is_label),
    }
}

fn points_docker_elsewhere(cmd: &ShellCommand) -> bool {
    let names_docker_env =
        |t: &str| t.starts_with("DOCKER_HOST") || t.starts_with("DOCKER_CONTEXT");
    if cmd.assignments.iter().any(|(n, _)| names_docker_env(n)) {
        return true;
    }
    if cmd.name.text == "export" && cmd.arg_texts().any(names_docker_env) {
        return true;
    }
    if cmd.program() != "docker" {
        return false;
    }
    let argv = cmd.argv();
    argv.windows(2).any(|w| w == ["context", "use"])
        || argv.iter().take_while(|w| **w != "compose").any(|w| {
            matches!(*w, "-H" | "--host" | "-c" | "--context")
                || w.starts_with("--host=")
                || w.starts_with("--context=")
        })
}
