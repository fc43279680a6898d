//! DEP001: the schema migration runs after the new version was started.

use super::{
    argvs, deploys_to_live, describe, is_harness, line_of, placements, step_of, Placement,
};
use crate::model::commands::{is_docker, is_migration, is_rollout};
use crate::model::scripts::{Script, ScriptOrigin};
use crate::model::ScriptsFile;
use crate::parse::shell::ShellCommand;
use crate::parse::yaml::Yaml;
use crate::registry::Ctx;
use std::collections::{BTreeMap, HashSet};

pub const META: &str = include_str!("migrations_after_rollout.toml");

/// The commands of one script that count: rollouts (not against a runner's throwaway Docker
/// daemon) and migrations, with where they run. `None` for a test or development harness and
/// for a script file that touches no live environment.
struct Steps {
    rollouts: Vec<usize>,
    migrations: Vec<usize>,
    placements: Vec<Option<Placement>>,
}

fn steps(file: &ScriptsFile<'_>, script: &Script) -> Option<Steps> {
    if is_harness(file, script) || !deploys_to_live(file, script) {
        return None;
    }
    let commands = &script.shell.commands;
    let local_docker = docker_is_runner_local(file, script);
    let argvs = argvs(commands);
    let rollouts = (0..commands.len())
        .filter(|&i| {
            is_rollout(&argvs[i])
                && !(local_docker && is_docker(&argvs[i]) && !runs_remotely(commands, i))
        })
        .collect();
    let migrations = (0..commands.len())
        .filter(|&i| is_migration(&argvs[i]))
        .collect();
    Some(Steps {
        rollouts,
        migrations,
        placements: placements(commands),
    })
}

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    let analyzed: Vec<Option<Steps>> = file.scripts.iter().map(|s| steps(file, s)).collect();
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    for (s, script) in file.scripts.iter().enumerate() {
        let Some(steps) = &analyzed[s] else { continue };
        for &m in &steps.migrations {
            let Some(at) = &steps.placements[m] else {
                continue;
            };
            let earlier = steps.rollouts.iter().copied().find(|&r| {
                steps.placements[r]
                    .as_ref()
                    .is_some_and(|p| p.order < at.order && !p.exclusive_with(at))
            });
            let Some(r) = earlier else { continue };
            report(file, (script, r), (script, m), ctx);
            reported.insert((s, m));
        }
    }
    across_steps(file, &analyzed, &reported, ctx);
}

/// The steps of one workflow job run in order: a step that migrates after an earlier step
/// rolled out (`kubectl apply`, then `kubectl exec … alembic upgrade head` in the next step)
/// is the same mistake. Jobs that run tests are test runs, not deploys.
fn across_steps(
    file: &ScriptsFile<'_>,
    analyzed: &[Option<Steps>],
    reported: &HashSet<(usize, usize)>,
    ctx: &mut Ctx<'_>,
) {
    let mut jobs: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (s, script) in file.scripts.iter().enumerate() {
        if let ScriptOrigin::RunStep { job, .. } | ScriptOrigin::SshScript { job, .. } =
            script.origin
        {
            jobs.entry(job).or_default().push(s);
        }
    }
    for scripts in jobs.values() {
        if scripts.iter().any(|&s| is_harness(file, &file.scripts[s])) {
            continue;
        }
        let mut rollout: Option<(usize, usize)> = None;
        for &s in scripts {
            let Some(steps) = &analyzed[s] else { continue };
            if let Some((rs, r)) = rollout {
                for &m in &steps.migrations {
                    if !reported.contains(&(s, m)) && steps.placements[m].is_some() {
                        report(file, (&file.scripts[rs], r), (&file.scripts[s], m), ctx);
                    }
                }
            }
            if rollout.is_none() {
                let first = steps
                    .rollouts
                    .iter()
                    .copied()
                    .filter(|&r| steps.placements[r].is_some())
                    .min_by_key(|&r| steps.placements[r].as_ref().map(|p| p.order.clone()));
                rollout = first.map(|r| (s, r));
            }
        }
    }
}

fn report(
    file: &ScriptsFile<'_>,
    (rollout_script, rollout): (&Script, usize),
    (script, migration): (&Script, usize),
    ctx: &mut Ctx<'_>,
) {
    let (Some(rollout), Some(migration)) = (
        rollout_script.shell.commands.get(rollout),
        script.shell.commands.get(migration),
    ) else {
        return;
    };
    let rollout_line = line_of(file, rollout_script.file_span(&rollout.span).start);
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
