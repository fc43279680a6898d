//! What is built: which stage of each Dockerfile becomes an image. The final-image rules
//! (DKR001, DKR002, DKR006, DKR007, DKR011) judge the stages something builds: the `target:` of
//! a compose service's `build:`, `docker build --target X` in a workflow `run:` or a shell
//! script, `docker/build-push-action`'s `target:` input, and the last stage otherwise.
//!
//! Those facts come from other files than the Dockerfile, and each file is parsed once, so the
//! work is split in two: while a Dockerfile is parsed, the final-image checks run for every
//! stage that may be built and their findings are kept per stage ([`StageImage`]); files that
//! build images contribute [`BuildRef`]s; in the project phase [`report`] looks up each
//! Dockerfile's builds (a map keyed by its path) and keeps the findings of the stages built.
//! Linting one Dockerfile alone gives the same findings as the whole repository: compose files,
//! workflows and scripts always contribute their facts.

use crate::diagnostic::Diagnostic;
use crate::facts::{normalize_join, DockerfileFact, FileFacts, ProjectFacts};
use crate::model::scripts::{Script, ScriptOrigin};
use crate::model::WorkflowFile;
use crate::parse::dockerfile::Dockerfile;
use crate::parse::shell::ShellCommand;
use crate::parse::yaml::Yaml;
use crate::registry::{Check, Ctx, Registry};
use crate::settings::Settings;
use crate::source::{FileId, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Named stages judged as possible targets, besides the last stage. A real Dockerfile has a
/// handful; the bound keeps a hostile file with thousands of stages linear (each judgment
/// walks the stage's `FROM` chain).
const MAX_TARGET_STAGES: usize = 64;

/// One stage judged as the image `--target <stage>` (or a plain build, for the last) makes.
#[derive(Debug, Clone)]
pub struct StageImage {
    pub index: usize,
    /// `AS name`, as written.
    pub name: Option<String>,
    pub is_last: bool,
    /// Named as a development or test build (`dev`, `test`): not what production runs.
    pub dev_or_test: bool,
    /// The final-image rules' findings if this stage is built.
    pub findings: Vec<Diagnostic>,
    /// Build-context files (as written in COPY) the container starts as its entrypoint: when
    /// one of them drops privileges, the root finding (DKR002) does not hold.
    pub entry_scripts: Vec<String>,
    /// The first `COPY .` whose files end up in this stage's filesystem (DKR009).
    pub context_copy: Option<Span>,
}

/// The Dockerfile facts project rules read, with the per-stage judgments.
pub fn dockerfile_fact(
    model: &Dockerfile<'_, '_>,
    id: FileId,
    path: &Path,
    settings: &Settings,
) -> DockerfileFact {
    DockerfileFact {
        file: id,
        path: path.to_path_buf(),
        whole_context_copy: crate::rules::dkr::whole_context_copy(model),
        base_image: model
            .stages
            .len()
            .checked_sub(1)
            .map(|last| model.root_image(last).to_string())
            .unwrap_or_default(),
        healthcheck: crate::model::topology::dockerfile_healthcheck(model),
        start: crate::model::topology::dockerfile_start(model),
        stages: stage_images(model, id, settings),
    }
}

/// Runs the enabled final-image checks for the last stage and the named stages.
fn stage_images(model: &Dockerfile<'_, '_>, id: FileId, settings: &Settings) -> Vec<StageImage> {
    let Some(last) = model.stages.len().checked_sub(1) else {
        return Vec::new();
    };
    let copies = crate::rules::dkr::context_copies_by_stage(model);
    let mut candidates: Vec<usize> = model
        .stages
        .iter()
        .filter(|s| s.name.is_some() && s.index != last)
        .map(|s| s.index)
        .take(MAX_TARGET_STAGES)
        .collect();
    candidates.push(last);
    let registry = Registry::get();
    candidates
        .into_iter()
        .map(|index| {
            let mut findings = Vec::new();
            for (rule, meta) in registry.rules.iter().enumerate() {
                if !settings.enabled[rule] {
                    continue;
                }
                for part in meta.check.parts() {
                    if let Check::FinalImage(check) = part {
                        let mut ctx = Ctx::new(rule, id, &settings.options[rule], &mut findings);
                        check(model, index, &mut ctx);
                    }
                }
            }
            let name = model.stages[index].name.map(str::to_string);
            StageImage {
                index,
                dev_or_test: name
                    .as_deref()
                    .is_some_and(crate::rules::dkr::is_dev_or_test_stage),
                name,
                is_last: index == last,
                findings,
                entry_scripts: crate::rules::dkr::entry_scripts(model, index),
                context_copy: copies.get(index).cloned().flatten(),
            }
        })
        .collect()
}

/// Which stage a build names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// No target: the last stage.
    Last,
    Named(String),
    /// A variable without a default: not known before the build runs.
    Unknown,
}

/// A file that builds a Dockerfile: where the Dockerfile and its context may be, and the stage.
#[derive(Debug, Clone)]
pub struct BuildRef {
    /// The compose file, workflow or script that builds.
    pub by: PathBuf,
    /// (Dockerfile, context) relative to the project root, most likely first: a script's
    /// relative paths may be written from the root or from its own folder. The first whose
    /// Dockerfile exists is the one built.
    pub candidates: Vec<(PathBuf, PathBuf)>,
    pub target: Target,
}

/// A target as written: `${TARGET:-production}` is its default, other variables are unknown.
pub fn target_of(text: &str) -> Target {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
        if let Some((_, default)) = inner.split_once(":-").or_else(|| inner.split_once('-')) {
            if !default.contains('$') && !default.is_empty() {
                return Target::Named(default.to_string());
            }
        }
        return Target::Unknown;
    }
    if text.contains('$') || text.is_empty() {
        return Target::Unknown;
    }
    Target::Named(text.to_string())
}

/// `docker build` / `docker buildx build` / `docker image build` / `podman build`: the `-f`,
/// context and `--target` arguments as written.
fn docker_build(cmd: &ShellCommand) -> Option<(Option<String>, String, Target)> {
    if !matches!(cmd.program(), "docker" | "podman") {
        return None;
    }
    let args: Vec<&str> = cmd.arg_texts().collect();
    let build = args
        .iter()
        .take(3)
        .position(|a| *a == "build" || *a == "bud")?;
    if !args[..build]
        .iter()
        .all(|a| matches!(*a, "buildx" | "image" | "builder"))
    {
        return None;
    }
    // Flags without a value; every other option takes one (`--tag x`, `-t x`).
    const SWITCHES: &[&str] = &[
        "--push",
        "--load",
        "--pull",
        "--no-cache",
        "-q",
        "--quiet",
        "--rm",
        "--force-rm",
        "--squash",
        "--compress",
        "--disable-content-trust",
        "--check",
        "--debug",
    ];
    let mut file = None;
    let mut target = Target::Last;
    let mut context = None;
    let mut i = build + 1;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if !a.starts_with('-') || a == "-" {
            context = Some(a.to_string());
            continue;
        }
        if SWITCHES.contains(&a) || a.starts_with("--no-cache-filter=") {
            continue;
        }
        let (name, value) = match a.split_once('=') {
            Some((n, v)) => (n, v.to_string()),
            None => {
                let v = args.get(i).map(|v| v.to_string()).unwrap_or_default();
                i += 1;
                (a, v)
            }
        };
        match name {
            "-f" | "--file" => file = Some(value),
            "--target" => target = target_of(&value),
            _ => {}
        }
    }
    Some((file, context?, target))
}

/// The (Dockerfile, context) pairs a build's arguments may mean, from each base folder.
fn candidates(bases: &[PathBuf], file: Option<&str>, context: &str) -> Vec<(PathBuf, PathBuf)> {
    let unknown = |t: &str| t.contains('$') || t.contains("://") || t.starts_with('/');
    if unknown(context) || context == "-" || file.is_some_and(unknown) {
        return Vec::new();
    }
    bases
        .iter()
        .filter_map(|base| {
            let ctx = normalize_join(base, context)?;
            // `-f` is read from the folder the command runs in, not from the context.
            let df = match file {
                Some(f) => normalize_join(base, f)?,
                None => ctx.join("Dockerfile"),
            };
            Some((df, ctx))
        })
        .collect()
}

fn refs_from_scripts<'s>(
    scripts: impl Iterator<Item = (&'s Script, Vec<PathBuf>)>,
    by: &Path,
) -> Vec<BuildRef> {
    let mut out = Vec::new();
    for (script, bases) in scripts {
        for cmd in &script.shell.commands {
            let Some((file, context, target)) = docker_build(cmd) else {
                continue;
            };
            let candidates = candidates(&bases, file.as_deref(), &context);
            if !candidates.is_empty() {
                out.push(BuildRef {
                    by: by.to_path_buf(),
                    candidates,
                    target,
                });
            }
        }
    }
    out
}

/// Whether a shell script runs a privilege dropper (`exec gosu app "$@"`): an entrypoint that
/// starts the server as another user.
fn drops_privileges(script: &Script) -> bool {
    script.shell.commands.iter().any(|cmd| {
        let mut argv = cmd.argv().into_iter();
        let mut program = argv.next().unwrap_or("");
        if program == "exec" {
            program = argv.next().unwrap_or("");
        }
        let name = program.rsplit('/').next().unwrap_or(program);
        crate::rules::dkr::PRIVILEGE_DROPPERS.contains(&name)
    })
}

/// What a shell script file contributes: its image builds and whether it drops privileges.
pub fn from_shell(scripts: &[Script], path: &Path, facts: &mut FileFacts) {
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    // Relative paths of a script are usually written from the repository root (`./scripts/
    // build.sh` run from there), else from its own folder.
    let mut bases = vec![PathBuf::new()];
    if !folder.as_os_str().is_empty() {
        bases.push(folder);
    }
    facts.builds.extend(refs_from_scripts(
        scripts.iter().map(|s| (s, bases.clone())),
        path,
    ));
    if scripts.iter().any(drops_privileges) {
        facts.privilege_drop_script = Some(path.to_path_buf());
    }
}

/// A workflow's image builds: `docker build` in `run:` steps (from the step's
/// `working-directory`) and `docker/build-push-action` steps.
pub fn from_workflow(wf: &WorkflowFile<'_>, scripts: &[Script], facts: &mut FileFacts) {
    let workdir = |job: usize, step: usize| -> PathBuf {
        let job = wf.workflow.jobs.get(job);
        let from_step = job
            .and_then(|j| j.steps.get(step))
            .and_then(|s| s.node.get("working-directory"));
        let from_job =
            job.and_then(|j| j.node.get("defaults")?.get("run")?.get("working-directory"));
        let from_workflow = wf
            .workflow
            .doc
            .get("defaults")
            .and_then(|d| d.get("run")?.get("working-directory"));
        from_step
            .or(from_job)
            .or(from_workflow)
            .and_then(Yaml::as_str)
            .and_then(|d| normalize_join(Path::new(""), d))
            .unwrap_or_default()
    };
    let runs = scripts.iter().filter_map(|s| match s.origin {
        ScriptOrigin::RunStep { job, step } => Some((s, vec![workdir(job, step)])),
        _ => None,
    });
    facts.builds.extend(refs_from_scripts(runs, wf.path));
    for job in &wf.workflow.jobs {
        for step in &job.steps {
            let Some(uses) = step.uses_str() else {
                continue;
            };
            // docker/build-push-action and its drop-in forks (useblacksmith/build-push-action)
            // take the same inputs.
            let name = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
            if name.rsplit('/').next() != Some("build-push-action") {
                continue;
            }
            let input = |name: &str| step.with_input(name).and_then(|(_, v)| v.as_str());
            // The default context is the repository at the workflow's commit.
            let context = input("context").unwrap_or(".");
            let candidates = candidates(&[PathBuf::new()], input("file"), context);
            if candidates.is_empty() {
                continue;
            }
            facts.builds.push(BuildRef {
                by: wf.path.to_path_buf(),
                candidates,
                target: input("target").map_or(Target::Last, target_of),
            });
        }
    }
}

/// One build of a Dockerfile, resolved.
#[derive(Debug, Clone)]
pub struct Built {
    pub context: PathBuf,
    pub target: Target,
}

/// Every build in the project, by the Dockerfile it builds (relative to the root). Builds
/// from development or test files (their role: `docker-compose.dev.yml`, `.devcontainer/`) do
/// not count.
pub fn builds_by_dockerfile(facts: &ProjectFacts) -> HashMap<PathBuf, Vec<Built>> {
    let mut map: HashMap<PathBuf, Vec<Built>> = HashMap::new();
    let compose = facts
        .compose_builds
        .iter()
        .filter(|b| facts.is_service(b.file))
        .map(|b| {
            (
                b.compose.as_path(),
                vec![(b.dockerfile.clone(), b.context.clone())],
                b.target.as_deref().map_or(Target::Last, target_of),
            )
        });
    let others = facts
        .builds
        .iter()
        .map(|b| (b.by.as_path(), b.candidates.clone(), b.target.clone()));
    for (_, candidates, target) in compose.chain(others) {
        let Some((dockerfile, context)) = candidates.into_iter().find(|(df, _)| facts.has_file(df))
        else {
            continue;
        };
        map.entry(dockerfile)
            .or_default()
            .push(Built { context, target });
    }
    map
}

/// The stages of a Dockerfile that are built: the targets its builds name, the last stage for
/// a build without one or when nothing builds it; development and test stages left out.
pub fn built_stages<'d>(df: &'d DockerfileFact, builds: &[Built]) -> Vec<&'d StageImage> {
    let last = df.stages.iter().position(|s| s.is_last);
    let mut chosen: Vec<usize> = Vec::new();
    for build in builds {
        let found = match &build.target {
            Target::Last => last,
            Target::Named(name) => df.stages.iter().position(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            }),
            Target::Unknown => None,
        };
        chosen.extend(found);
    }
    if chosen.is_empty() {
        chosen.extend(last);
    }
    chosen.sort_unstable();
    chosen.dedup();
    chosen
        .into_iter()
        .map(|i| &df.stages[i])
        .filter(|s| !s.dev_or_test)
        .collect()
}

/// The folders a Dockerfile's COPY sources may be read from: its builds' contexts, else its
/// own folder and the folders above it.
pub fn contexts(df: &DockerfileFact, builds: &[Built]) -> Vec<PathBuf> {
    if !builds.is_empty() {
        return builds.iter().map(|b| b.context.clone()).collect();
    }
    df.path
        .parent()
        .map(|p| p.ancestors().map(Path::to_path_buf).collect())
        .unwrap_or_default()
}

/// The project phase: the final-image findings of every built stage.
pub fn report(facts: &ProjectFacts, out: &mut Vec<Diagnostic>) {
    let builds = builds_by_dockerfile(facts);
    let dkr002 = Registry::get().find("DKR002");
    for df in &facts.dockerfiles {
        let refs = builds.get(&df.path).map(Vec::as_slice).unwrap_or(&[]);
        let stages = built_stages(df, refs);
        if stages.iter().all(|s| s.findings.is_empty()) {
            continue;
        }
        let contexts = contexts(df, refs);
        for stage in stages {
            let entry_drops = || {
                stage.entry_scripts.iter().any(|src| {
                    contexts.iter().any(|ctx| {
                        normalize_join(ctx, src)
                            .is_some_and(|p| facts.privilege_drop_scripts.contains(&p))
                    })
                })
            };
            for finding in &stage.findings {
                if Some(finding.rule) == dkr002 && entry_drops() {
                    continue;
                }
                out.push(finding.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_of(line: &str) -> Option<(Option<String>, String, Target)> {
        let script = Script::file(line);
        script.shell.commands.first().and_then(docker_build)
    }

    #[test]
    fn reads_docker_build_arguments() {
        assert_eq!(
            build_of("docker build -t app:1 --target production -f docker/Dockerfile ."),
            Some((
                Some("docker/Dockerfile".to_string()),
                ".".to_string(),
                Target::Named("production".to_string())
            ))
        );
        assert_eq!(
            build_of("docker buildx build --push --platform linux/amd64 --file=api.Dockerfile --target=$T backend"),
            Some((
                Some("api.Dockerfile".to_string()),
                "backend".to_string(),
                Target::Unknown
            ))
        );
        assert_eq!(
            build_of("docker build backend"),
            Some((None, "backend".to_string(), Target::Last))
        );
        assert_eq!(build_of("docker run --rm app"), None);
        assert_eq!(build_of("docker compose build api"), None);
    }

    #[test]
    fn targets_with_defaults() {
        assert_eq!(
            target_of("${BUILD_TARGET:-prod}"),
            Target::Named("prod".to_string())
        );
        assert_eq!(target_of("${BUILD_TARGET}"), Target::Unknown);
        assert_eq!(target_of("runtime"), Target::Named("runtime".to_string()));
    }
}
