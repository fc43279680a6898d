//! GHA009: the `docker-compose` (Compose v1) command. E in a workflow `run:` step on a
//! GitHub-hosted runner, where the binary no longer exists; W elsewhere (shell scripts, the
//! remote script of an ssh action, self-hosted runners), where v1 may still be installed but is
//! end-of-life.

use super::{argv, program};
use crate::diagnostic::{Edit, Severity};
use crate::kind::FileKind;
use crate::model::scripts::{Script, ScriptOrigin};
use crate::model::workflow::Workflow;
use crate::model::ScriptsFile;
use crate::parse::shell::ShellCommand;
use crate::registry::Ctx;
use std::collections::HashMap;

pub const META: &str = include_str!("docker_compose_v1.toml");

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    // The scripts of each job, and what each job provides, computed once: a job of 10,000
    // steps was walked whole for each of its scripts.
    let mut by_job: HashMap<usize, Vec<&Script>> = HashMap::new();
    for script in file.scripts {
        if let ScriptOrigin::RunStep { job, .. } = script.origin {
            by_job.entry(job).or_default().push(script);
        }
    }
    let mut providers: HashMap<usize, Provider> = HashMap::new();
    for script in file.scripts {
        let uses_v1 = script
            .shell
            .commands
            .iter()
            .any(|cmd| program(&argv(cmd)) == "docker-compose");
        // A script that asks whether `docker-compose` exists (`command -v docker-compose`)
        // chooses between v1 and v2 itself.
        if !uses_v1 || probes_for_v1(script) {
            continue;
        }
        let provider = match (file.workflow, script.origin) {
            (Some(workflow), ScriptOrigin::RunStep { job, .. }) => {
                *providers.entry(job).or_insert_with(|| {
                    let scripts = by_job.get(&job).map(Vec::as_slice).unwrap_or_default();
                    job_provides_compose(workflow, job, scripts)
                })
            }
            _ => Provider::None,
        };
        if provider == Provider::Standalone {
            continue;
        }
        // On GitHub's runners the binary is missing unless the job installs one.
        let missing = on_github_runner(file, script) && provider == Provider::None;
        for cmd in &script.shell.commands {
            if program(&argv(cmd)) != "docker-compose" {
                continue;
            }
            let span = script.file_span(&name_span(cmd));
            // Only the plain word as written in the file (not a path, not quoted).
            let edits = if file.text.get(span.clone()) == Some("docker-compose") {
                vec![Edit {
                    span: span.clone(),
                    text: "docker compose".to_string(),
                }]
            } else {
                Vec::new()
            };
            if missing {
                // The step fails as it is; v2 is what the runner has.
                ctx.report(span, "`docker-compose` (Compose v1) is not installed on GitHub-hosted runners: this step fails with \"command not found\"")
                    .help("use the Compose v2 plugin: `docker compose` (a space, not a dash)")
                    .fix(edits);
            } else {
                // Elsewhere the machine may have only v1, and v2 names containers differently
                // (`app-web-1`, not `app_web_1`): a behaviour change, so unsafe.
                ctx.report(span, "`docker-compose` is Compose v1, end-of-life since July 2023 and absent from current Docker installs")
                    .help("use the Compose v2 plugin: `docker compose` (a space, not a dash)")
                    .severity(Severity::Warning)
                    .unsafe_fix(edits);
            }
        }
    }
}

/// The span of the word `docker-compose` itself (after `sudo` and the like).
fn name_span(cmd: &ShellCommand) -> crate::source::Span {
    std::iter::once(&cmd.name)
        .chain(cmd.args.iter())
        .find(|w| w.text.rsplit('/').next() == Some("docker-compose"))
        .map_or_else(|| cmd.span.clone(), |w| w.span.clone())
}

fn on_github_runner(file: &ScriptsFile<'_>, script: &Script) -> bool {
    if file.kind != FileKind::Workflow {
        return false;
    }
    let (Some(workflow), ScriptOrigin::RunStep { job, .. }) = (file.workflow, script.origin) else {
        return false;
    };
    workflow.jobs.get(job).is_some_and(|j| j.is_github_hosted())
}

/// `command -v docker-compose`, `which docker-compose`, `type docker-compose`, `hash …`.
fn probes_for_v1(script: &Script) -> bool {
    script.shell.commands.iter().any(|c| {
        let words: Vec<&str> = std::iter::once(c.name.text.as_str())
            .chain(c.arg_texts())
            .collect();
        matches!(program(&words), "command" | "which" | "type" | "hash")
            && words.iter().skip(1).any(|w| *w == "docker-compose")
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Provider {
    None,
    /// A setup action, a download or a link: possibly the standalone v2 binary, which is also
    /// called `docker-compose`; which version runs cannot be told.
    Standalone,
    /// `pip install docker-compose`, a distribution package, or a download of a 1.x release:
    /// Compose v1.
    PackageV1,
}

/// Whether the job installs a `docker-compose` itself; `job_scripts` are its `run:` scripts.
fn job_provides_compose(workflow: &Workflow<'_>, job: usize, job_scripts: &[&Script]) -> Provider {
    let by_action = workflow_job_actions(workflow, job).any(|a| {
        let words = super::words_of(a.split('@').next().unwrap_or(a));
        words.iter().any(|w| w == "compose") && words.iter().any(|w| w == "setup" || w == "install")
    });
    if by_action {
        return Provider::Standalone;
    }
    let (mut v1, mut standalone) = (false, false);
    for cmd in job_scripts.iter().flat_map(|s| s.shell.commands.iter()) {
        let words = argv(cmd);
        let prog = program(&words);
        if prog == "docker-compose" || matches!(prog, "echo" | "printf") {
            continue;
        }
        if !words.iter().skip(1).any(|w| w.contains("docker-compose")) {
            continue;
        }
        let package_manager = prog.starts_with("pip")
            || matches!(
                prog,
                "python" | "python3" | "pipx" | "apt" | "apt-get" | "yum" | "dnf" | "apk"
            );
        // docker/compose tags v1 releases `1.29.2` and v2 releases `v2.29.1`.
        let v1_download = words
            .iter()
            .any(|w| w.contains("compose/releases/download/1."));
        if v1_download || (package_manager && words.iter().any(|w| *w == "install" || *w == "add"))
        {
            v1 = true;
        } else {
            // `chmod +x`, `ln -s`, a download of another release: some binary by that name.
            standalone = true;
        }
    }
    match (v1, standalone) {
        (true, _) => Provider::PackageV1,
        (false, true) => Provider::Standalone,
        (false, false) => Provider::None,
    }
}

fn workflow_job_actions<'a>(
    workflow: &'a Workflow<'a>,
    job: usize,
) -> impl Iterator<Item = &'a str> + 'a {
    workflow
        .jobs
        .get(job)
        .into_iter()
        .flat_map(|j| j.steps.iter().filter_map(|s| s.uses_str()))
}
