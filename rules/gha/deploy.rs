//! Which jobs deploy (GHA005, GHA010), decided from what the job does, never from what its
//! jobs or steps are called ("Push deploy tag", "Enable deploy-lock ruleset" do not deploy). A
//! job deploys when it runs an ssh deploy action or a deploy action, changes a cluster
//! (`kubectl apply/rollout/set/replace`, `helm upgrade/install`), deploys a swarm stack or a
//! platform CLI release (`fly deploy`, `gcloud run deploy`, …), runs a task or script named
//! deploy (`make deploy`, `./scripts/deploy.sh`), starts compose on another host (`DOCKER_HOST`,
//! `--context`, ssh), or targets a production environment (`environment: production`). What runs
//! against a throwaway cluster, a test environment or GitHub's ephemeral runner is test setup,
//! not a deploy, and is left alone.

use super::{argv, env_sets, program, words_of, workflow_env};
use crate::model::scripts::{Script, ScriptOrigin};
use crate::model::workflow::{is_ssh_script_action, parse_uses, Job, Workflow};
use crate::model::ScriptsFile;

/// Why a job counts as a deploy, for the message: "runs `kubectl apply`".
pub fn deploy_reason(
    file: &ScriptsFile<'_>,
    workflow: &Workflow<'_>,
    job_index: usize,
) -> Option<String> {
    let job = workflow.jobs.get(job_index)?;
    // A reusable-workflow call cannot carry `environment:`; the called workflow's jobs are
    // judged where they are defined.
    if job.uses.is_some() {
        return None;
    }
    // Documentation sites and pull-request previews are not the service's production; the
    // workflow's name (`Preview Docs`) or the job's says so.
    let workflow_name = workflow.doc.get("name").and_then(|n| n.as_str());
    let job_words: Vec<String> = [Some(job.id), job.name, workflow_name]
        .into_iter()
        .flatten()
        .flat_map(words_of)
        .collect();
    if job_words
        .iter()
        .any(|w| NOT_PRODUCTION.contains(&w.as_str()))
        || is_test_environment(&job_words)
    {
        return None;
    }
    let scripts: Vec<&Script> = file
        .scripts
        .iter()
        .filter(|s| matches!(s.origin, ScriptOrigin::RunStep { job, .. } if job == job_index))
        .collect();
    let local_cluster = has_local_cluster(job, &scripts);
    // A job that brings up its own kind/minikube cluster deploys to a throwaway cluster, whatever
    // it is called ("Kubernetes Deployment" tests in DefectDojo), unless it also ships over ssh.
    let ships_over_ssh = job
        .steps
        .iter()
        .filter_map(|s| s.uses_str())
        .any(is_ssh_script_action);
    if local_cluster && !ships_over_ssh {
        return None;
    }
    for step in &job.steps {
        let Some(uses) = step.uses_str() else {
            continue;
        };
        if is_ssh_script_action(uses) {
            return Some(format!(
                "runs commands over ssh with `{}`",
                action_name(uses)
            ));
        }
        if let Some(repo) = parse_uses(uses).and_then(|u| u.repo_key()) {
            let name = repo.rsplit('/').next().unwrap_or(&repo);
            if is_deploy_words(&words_of(name)) || DEPLOY_ACTIONS.contains(&repo.as_str()) {
                return Some(format!("uses `{repo}`"));
            }
        }
    }
    let runs_tests = scripts
        .iter()
        .any(|s| s.shell.commands.iter().any(|c| is_test_command(&argv(c))));
    // Whether a script of the job exports DOCKER_HOST: looked up once, not per `compose up`.
    let mut exported: Option<bool> = None;
    for script in &scripts {
        let ScriptOrigin::RunStep { step, .. } = script.origin else {
            continue;
        };
        for cmd in &script.shell.commands {
            let words = argv(cmd);
            if let Some(r) = cluster_change(&words).filter(|_| !local_cluster) {
                return Some(r);
            }
            if let Some(r) = platform_deploy(&words) {
                return Some(r);
            }
            if let Some(r) = remote_shell_deploy(&words) {
                return Some(r);
            }
            if let Some(r) = deploy_script(&words) {
                return Some(r);
            }
            if let Some(r) = compose_up(&words) {
                let assigned = cmd
                    .assignments
                    .iter()
                    .any(|(n, _)| n == "DOCKER_HOST" || n == "DOCKER_CONTEXT");
                let remote = assigned
                    || targets_other_host(&words)
                    || sets_docker_host(workflow, job, step, || {
                        *exported.get_or_insert_with(|| exports_docker_host(&scripts))
                    });
                // On GitHub's runner, compose up starts services for the job itself; on the
                // project's own machine it is the release, unless the job is a test run.
                let own_machine = !job.is_github_hosted() && !runs_tests && !is_test_run(&words);
                if remote || own_machine {
                    return Some(r);
                }
            }
        }
    }
    production_environment(job).or_else(|| named_with_cloud_login(job))
}

/// Actions that log a job in to a cloud account.
const CLOUD_LOGINS: &[&str] = &[
    "aws-actions/configure-aws-credentials",
    "google-github-actions/auth",
    "azure/login",
];

/// A job named deploy (its id or name, not a step's) that logs in to a cloud account: the release
/// itself happens in a local action or a script this file does not show. A name alone is not
/// enough ("Push deploy tag"), nor a cloud login alone (uploading to a bucket).
fn named_with_cloud_login(job: &Job<'_>) -> Option<String> {
    let named = [Some(job.id), job.name]
        .into_iter()
        .flatten()
        .find(|n| is_deploy_words(&words_of(n)))?;
    let login = job
        .steps
        .iter()
        .filter_map(|s| s.uses_str())
        .map(|u| action_name(u).to_ascii_lowercase())
        .find(|a| CLOUD_LOGINS.contains(&a.as_str()))?;
    Some(format!(
        "is named `{named}` and logs in to a cloud with `{login}`"
    ))
}

/// Deploy actions whose names do not say deploy (`azure/functions-action`).
const DEPLOY_ACTIONS: &[&str] = &[
    "azure/functions-action",
    "cloudflare/wrangler-action",
    "amondnet/vercel-action",
    "superfly/flyctl-actions",
];

/// `environment: production` (or `prod`, `live`): the job releases to production even when its
/// commands (a private script, a reusable action) do not say how.
fn production_environment(job: &Job<'_>) -> Option<String> {
    let env = job.environment?;
    let name = env
        .as_str()
        .or_else(|| env.get("name").and_then(|n| n.as_str()))?;
    let words = words_of(name);
    words
        .iter()
        .any(|w| matches!(w.as_str(), "production" | "prod" | "prd" | "live"))
        .then(|| format!("targets the `{name}` environment"))
}

/// `./scripts/deploy.sh`, `bash deploy_prod.sh`: a script whose file name says deploy.
fn deploy_script(words: &[&str]) -> Option<String> {
    let prog = program(words);
    let path = if matches!(prog, "bash" | "sh" | "zsh" | "python" | "python3") {
        words.iter().skip(1).find(|w| !w.starts_with('-'))?
    } else {
        words.first()?
    };
    let file = path.rsplit('/').next().unwrap_or(path);
    let is_script = path.contains('/') || file.ends_with(".sh") || file.ends_with(".py");
    (is_script && is_deploy_words(&words_of(file))).then(|| format!("runs `{path}`"))
}

fn action_name(uses: &str) -> &str {
    uses.split('@').next().unwrap_or(uses)
}

/// Words that mark a deploy of something other than the service: docs, previews, Pages sites.
const NOT_PRODUCTION: &[&str] = &[
    "doc",
    "docs",
    "documentation",
    "preview",
    "previews",
    "pages",
    "storybook",
];

/// "Deploy E2E test environment", "ephemeral review app": a deploy made to be tested or thrown
/// away. A bare "test" is not enough ("test-and-deploy" ships after its tests).
fn is_test_environment(words: &[String]) -> bool {
    let has = |w: &str| words.iter().any(|x| x == w);
    has("e2e")
        || has("ephemeral")
        || has("sandbox")
        || (has("test") && (has("environment") || has("env") || has("cluster") || has("namespace")))
}

fn is_deploy_words(words: &[String]) -> bool {
    let deploy = words
        .iter()
        .any(|w| matches!(w.as_str(), "deploy" | "deploys" | "deploying"));
    let other = words
        .iter()
        .any(|w| matches!(w.as_str(), "dry" | "dryrun") || NOT_PRODUCTION.contains(&w.as_str()));
    deploy && !other
}

/// `kubectl apply/rollout/set/replace`, `helm upgrade/install`, not as a dry run. Global
/// options that take a value (`kubectl --context prod apply`) are skipped to find the verb.
fn cluster_change(words: &[&str]) -> Option<String> {
    const VALUE_OPTIONS: &[&str] = &[
        "--context",
        "--kube-context",
        "-n",
        "--namespace",
        "--kubeconfig",
        "--cluster",
        "--user",
        "-s",
        "--server",
        "--token",
    ];
    let prog = program(words);
    if !matches!(prog, "kubectl" | "oc" | "helm") {
        return None;
    }
    let mut rest = words.iter().skip(1);
    let sub = loop {
        let w = rest.next()?;
        if VALUE_OPTIONS.contains(w) {
            rest.next();
        } else if !w.starts_with('-') {
            break *w;
        }
    };
    let changes = match prog {
        "helm" => matches!(sub, "upgrade" | "install"),
        _ => matches!(sub, "apply" | "rollout" | "set" | "replace"),
    };
    let dry_run = words.iter().any(|w| w.starts_with("--dry-run"));
    (changes && !dry_run).then(|| format!("runs `{prog} {sub}`"))
}

/// Platform CLIs whose `deploy` subcommand releases: `fly deploy`, `gcloud run deploy`,
/// `serverless deploy`, `docker stack deploy`, ….
fn platform_deploy(words: &[&str]) -> Option<String> {
    const CLIS: &[&str] = &[
        "fly",
        "flyctl",
        "gcloud",
        "serverless",
        "sls",
        "cdk",
        "sam",
        "firebase",
        "wrangler",
        "eb",
        "railway",
        "dokku",
        "kamal",
        "cap",
        "az",
    ];
    let prog = program(words);
    let positionals: Vec<&str> = words
        .iter()
        .skip(1)
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    if prog == "docker" && positionals.windows(2).any(|w| w == ["stack", "deploy"]) {
        return Some("runs `docker stack deploy`".to_string());
    }
    if let Some(r) = cloud_release(prog, words, &positionals) {
        return Some(r);
    }
    // `gcloud run deploy`: the verb may follow a command group; keep it within three words.
    let deploys = positionals.iter().take(3).any(|w| *w == "deploy");
    if CLIS.contains(&prog) && deploys {
        return Some(format!("runs `{prog} … deploy`"));
    }
    // `make deploy`, `npm run deploy:prod`, `just deploy-api`: a task named deploy.
    let runner = matches!(
        prog,
        "make" | "just" | "task" | "npm" | "yarn" | "pnpm" | "invoke" | "fab"
    );
    let target = positionals
        .iter()
        .take(2)
        .find(|w| is_deploy_words(&words_of(w)))?;
    runner.then(|| format!("runs `{prog} {target}`"))
}

/// Cloud CLIs whose release verb is not `deploy`: `cf push` (Cloud Foundry), `aws ecs
/// update-service`, `aws lambda update-function-code`, `heroku container:release`, and the
/// production form of preview-first CLIs (`vercel --prod`, `netlify deploy --prod`).
fn cloud_release(prog: &str, words: &[&str], positionals: &[&str]) -> Option<String> {
    const AWS: &[[&str; 2]] = &[
        ["ecs", "update-service"],
        ["deploy", "create-deployment"],
        ["lambda", "update-function-code"],
        ["apprunner", "start-deployment"],
    ];
    let first = positionals.first().copied();
    let shown = match prog {
        "cf" | "cf7" | "cf8" if first == Some("push") => format!("{prog} push"),
        "aws" => {
            let pair = positionals.get(..2)?;
            let hit = AWS.iter().find(|p| p[..] == *pair)?;
            format!("aws {} {}", hit[0], hit[1])
        }
        "heroku" if first == Some("container:release") => "heroku container:release".to_string(),
        "vercel" | "netlify" if words.contains(&"--prod") => format!("{prog} --prod"),
        _ => return None,
    };
    Some(format!("runs `{shown}`"))
}

/// `docker compose … up` / `docker-compose … up`, the words that start a stack.
fn compose_up(words: &[&str]) -> Option<String> {
    let prog = program(words);
    let positionals: Vec<&str> = words
        .iter()
        .skip(1)
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    let after_compose = match prog {
        "docker-compose" => &positionals[..],
        "docker" => {
            let at = positionals.iter().position(|w| *w == "compose")?;
            &positionals[at + 1..]
        }
        _ => return None,
    };
    after_compose.contains(&"up").then(|| {
        format!(
            "runs `{}` on a deploy host",
            if prog == "docker" {
                "docker compose up"
            } else {
                "docker-compose up"
            }
        )
    })
}

/// `--abort-on-container-exit` / `--exit-code-from`: compose runs a test suite and stops.
fn is_test_run(words: &[&str]) -> bool {
    words
        .iter()
        .any(|w| w.starts_with("--abort-on-container-exit") || w.starts_with("--exit-code-from"))
}

/// `docker -H ssh://…`, `docker --host …`, `docker --context prod …`.
fn targets_other_host(words: &[&str]) -> bool {
    program(words) == "docker"
        && words.iter().any(|w| {
            matches!(*w, "-H" | "--host" | "--context" | "-c")
                || w.starts_with("--host=")
                || w.starts_with("--context=")
                || w.starts_with("-H=")
        })
}

fn sets_docker_host(
    workflow: &Workflow<'_>,
    job: &Job<'_>,
    step: usize,
    exported: impl FnOnce() -> bool,
) -> bool {
    let in_env = |env| env_sets(env, "DOCKER_HOST") || env_sets(env, "DOCKER_CONTEXT");
    let step_env = job.steps.get(step).and_then(|s| s.env);
    in_env(step_env) || in_env(job.node.get("env")) || in_env(workflow_env(workflow)) || exported()
}

/// A script of the job that exports DOCKER_HOST or switches the docker context.
fn exports_docker_host(scripts: &[&Script]) -> bool {
    scripts.iter().any(|s| {
        s.shell.commands.iter().any(|c| {
            let words = argv(c);
            (program(&words) == "export"
                && words
                    .iter()
                    .any(|w| w.starts_with("DOCKER_HOST=") || w.starts_with("DOCKER_CONTEXT=")))
                || (program(&words) == "docker" && words.get(1..3) == Some(&["context", "use"][..]))
        })
    })
}

/// `ssh host 'cd /srv && docker compose up -d'`: a remote command that releases.
fn remote_shell_deploy(words: &[&str]) -> Option<String> {
    if program(words) != "ssh" {
        return None;
    }
    let remote = words[1..].join(" ");
    const VERBS: &[&str] = &[
        "docker compose up",
        "docker-compose up",
        "docker stack deploy",
        "kubectl apply",
        "helm upgrade",
        "systemctl restart",
        "git pull",
    ];
    VERBS
        .iter()
        .find(|v| remote.contains(*v))
        .map(|v| format!("runs `{v}` over ssh"))
}

/// kind, minikube, k3d, k3s or microk8s in the job: the cluster lives and dies with the runner.
fn has_local_cluster(job: &Job<'_>, scripts: &[&Script]) -> bool {
    const LOCAL: &[&str] = &["kind", "minikube", "k3d", "k3s", "microk8s"];
    let by_action = job.steps.iter().filter_map(|s| s.uses_str()).any(|u| {
        let name = action_name(u);
        words_of(name).iter().any(|w| LOCAL.contains(&w.as_str()))
    });
    let by_command = scripts.iter().any(|s| {
        s.shell.commands.iter().any(|c| {
            let words = argv(c);
            LOCAL.contains(&program(&words))
        })
    });
    by_action || by_command
}

/// pytest, tox, nox, `make test`, `npm test`, `go test`: the job runs a test suite.
fn is_test_command(words: &[&str]) -> bool {
    let prog = program(words);
    matches!(prog, "pytest" | "tox" | "nox" | "behave")
        || words.iter().skip(1).any(|w| *w == "pytest")
        || (matches!(prog, "make" | "npm" | "yarn" | "pnpm" | "go" | "cargo")
            && words.iter().skip(1).any(|w| *w == "test"))
}
