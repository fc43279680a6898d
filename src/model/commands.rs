//! What a deploy script's commands do, read from their words: which ones start a new version
//! (rollouts), run schema migrations, run tests or otherwise change an environment. Wrappers
//! (`sudo`, `docker compose exec SERVICE`, `poetry run`, `python -m`) are looked through, so
//! `docker-compose exec backend alembic upgrade head` is a migration.

/// Values of options that take one (`-f FILE`), for the programs read here. Options written
/// `--opt=value` are one word and need no entry.
const DOCKER_GLOBAL_VALUES: &[&str] = &[
    "-H",
    "--host",
    "-c",
    "--context",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
];
const COMPOSE_GLOBAL_VALUES: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--env-file",
    "--profile",
    "--project-directory",
    "--ansi",
    "--progress",
    "--parallel",
    "-H",
    "--host",
    "-c",
    "--context",
    "--log-level",
];
const COMPOSE_UP_VALUES: &[&str] = &[
    "--scale",
    "-t",
    "--timeout",
    "--exit-code-from",
    "--attach",
    "--no-attach",
    "--pull",
    "--wait-timeout",
];
const COMPOSE_EXEC_VALUES: &[&str] = &["-e", "--env", "-u", "--user", "-w", "--workdir", "--index"];
const COMPOSE_RUN_VALUES: &[&str] = &[
    "-e",
    "--env",
    "--env-from-file",
    "-l",
    "--label",
    "--name",
    "-p",
    "--publish",
    "-u",
    "--user",
    "-v",
    "--volume",
    "-w",
    "--workdir",
    "--entrypoint",
    "--pull",
    "--cap-add",
    "--cap-drop",
];
const DOCKER_EXEC_VALUES: &[&str] = &[
    "-e",
    "--env",
    "--env-file",
    "-u",
    "--user",
    "-w",
    "--workdir",
    "--detach-keys",
];
const DOCKER_RUN_VALUES: &[&str] = &[
    "-e",
    "--env",
    "--env-file",
    "-v",
    "--volume",
    "-p",
    "--publish",
    "--name",
    "--network",
    "--net",
    "-u",
    "--user",
    "-w",
    "--workdir",
    "--entrypoint",
    "-l",
    "--label",
    "--mount",
    "--add-host",
    "--cpus",
    "-m",
    "--memory",
    "--restart",
    "--platform",
    "--pull",
    "-h",
    "--hostname",
    "--log-driver",
    "--log-opt",
    "--link",
    "--dns",
    "--cap-add",
    "--cap-drop",
    "--device",
    "--ulimit",
    "--shm-size",
    "--tmpfs",
    "--security-opt",
    "--gpus",
    "--volumes-from",
];
const KUBECTL_GLOBAL_VALUES: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "--as",
    "--request-timeout",
];
const HELM_GLOBAL_VALUES: &[&str] = &["-n", "--namespace", "--kube-context", "--kubeconfig"];
const ALEMBIC_GLOBAL_VALUES: &[&str] = &["-c", "--config", "-n", "--name", "-x"];
const SUDO_VALUES: &[&str] = &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"];
const ENV_VALUES: &[&str] = &["-u", "--unset", "-C", "--chdir", "-S", "--split-string"];
const TIMEOUT_VALUES: &[&str] = &["-s", "--signal", "-k", "--kill-after"];

/// Service-name parts that mark a data store: `docker compose up -d db` starts the database a
/// migration needs, not the application.
const DATASTORE_WORDS: &[&str] = &[
    "db",
    "database",
    "postgres",
    "postgresql",
    "pg",
    "pgbouncer",
    "mysql",
    "mariadb",
    "redis",
    "valkey",
    "sentinel",
    "mongo",
    "mongodb",
    "rabbitmq",
    "kafka",
    "zookeeper",
    "elasticsearch",
    "opensearch",
    "etcd",
    "memcached",
    "minio",
    "patroni",
    "cache",
    "broker",
];

fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Index of the first positional word at or after `from`, skipping options and the values of
/// the options listed in `values`.
fn first_positional(words: &[&str], from: usize, values: &[&str]) -> Option<usize> {
    let mut i = from;
    while let Some(word) = words.get(i) {
        if *word == "--" {
            return (i + 1 < words.len()).then_some(i + 1);
        }
        if !word.starts_with('-') || *word == "-" {
            return Some(i);
        }
        i += if values.contains(word) { 2 } else { 1 };
    }
    None
}

/// Positional words from `from` on (options and their listed values dropped).
fn positionals<'w>(words: &[&'w str], from: usize, values: &[&str]) -> Vec<&'w str> {
    let mut out = Vec::new();
    let mut i = from;
    while let Some(word) = words.get(i) {
        if word.starts_with('-') && *word != "-" && *word != "--" {
            i += if values.contains(word) { 2 } else { 1 };
            continue;
        }
        if *word != "--" {
            out.push(*word);
        }
        i += 1;
    }
    out
}

/// Values of an option, in both `-f x` and `--file=x` spellings.
fn option_values<'w>(words: &[&'w str], names: &[&str]) -> Vec<&'w str> {
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if names.contains(word) {
            out.extend(words.get(i + 1).copied());
        } else if let Some((name, value)) = word.split_once('=') {
            if names.contains(&name) {
                out.push(value);
            }
        }
    }
    out
}

/// `docker compose …` / `docker-compose …`: the words from the compose subcommand on.
pub fn compose<'a, 'w>(argv: &'a [&'w str]) -> Option<&'a [&'w str]> {
    let program = base_name(argv.first()?);
    let from = match program {
        "docker-compose" => 1,
        "docker" => {
            let sub = first_positional(argv, 1, DOCKER_GLOBAL_VALUES)?;
            if argv[sub] != "compose" {
                return None;
            }
            sub + 1
        }
        _ => return None,
    };
    let sub = first_positional(argv, from, COMPOSE_GLOBAL_VALUES)?;
    Some(&argv[sub..])
}

/// `docker …` other than compose: the words from the subcommand on.
fn docker<'a, 'w>(argv: &'a [&'w str]) -> Option<&'a [&'w str]> {
    if base_name(argv.first()?) != "docker" {
        return None;
    }
    let sub = first_positional(argv, 1, DOCKER_GLOBAL_VALUES)?;
    (argv[sub] != "compose").then(|| &argv[sub..])
}

fn subcommand<'a, 'w>(
    argv: &'a [&'w str],
    program: &str,
    values: &[&str],
) -> Option<&'a [&'w str]> {
    if base_name(argv.first()?) != program {
        return None;
    }
    let sub = first_positional(argv, 1, values)?;
    Some(&argv[sub..])
}

/// Indexes of the words that say what a command is: the program, `compose` and the subcommand
/// of docker, docker-compose, kubectl, helm and alembic. Options between them are noise in a
/// message.
pub fn structure(argv: &[&str]) -> Vec<usize> {
    let Some(first) = argv.first() else {
        return Vec::new();
    };
    let sub = |values: &[&str]| first_positional(argv, 1, values);
    let found = match base_name(first) {
        "docker" => sub(DOCKER_GLOBAL_VALUES).and_then(|i| {
            if argv[i] == "compose" {
                first_positional(argv, i + 1, COMPOSE_GLOBAL_VALUES).map(|j| vec![i, j])
            } else {
                Some(vec![i])
            }
        }),
        "docker-compose" => sub(COMPOSE_GLOBAL_VALUES).map(|i| vec![i]),
        "kubectl" => sub(KUBECTL_GLOBAL_VALUES).map(|i| vec![i]),
        "helm" => sub(HELM_GLOBAL_VALUES).map(|i| vec![i]),
        "alembic" => sub(ALEMBIC_GLOBAL_VALUES).map(|i| vec![i]),
        _ => None,
    };
    let mut out = vec![0];
    out.extend(found.unwrap_or_default());
    out
}

/// The command a wrapper runs: `sudo -u app alembic …` -> `alembic …`,
/// `docker compose exec -T backend alembic …` -> `alembic …`, `python -m alembic` -> `alembic`.
fn unwrap_once<'a, 'w>(argv: &'a [&'w str]) -> Option<&'a [&'w str]> {
    let program = base_name(argv.first()?);
    let rest_at = |i: usize| argv.get(i..).filter(|r| !r.is_empty());
    match program {
        "sudo" => {
            // Assignments after the options (`sudo -E VAR=x cmd`) are not the command.
            let mut i = first_positional(argv, 1, SUDO_VALUES)?;
            while argv.get(i).is_some_and(|w| w.contains('=')) {
                i += 1;
            }
            rest_at(i)
        }
        "env" => {
            let mut i = first_positional(argv, 1, ENV_VALUES)?;
            while argv.get(i).is_some_and(|w| w.contains('=')) {
                i += 1;
            }
            rest_at(i)
        }
        "nohup" | "time" | "command" | "exec" => rest_at(first_positional(argv, 1, &[])?),
        "timeout" => rest_at(first_positional(argv, 1, TIMEOUT_VALUES)? + 1),
        "poetry" | "pipenv" | "pdm" | "hatch" | "rye" | "uv" => {
            let sub = first_positional(argv, 1, &[])?;
            (argv[sub] == "run").then_some(())?;
            rest_at(first_positional(
                argv,
                sub + 1,
                &["--with", "--env-file", "--python", "-p"],
            )?)
        }
        _ if program.starts_with("python") => {
            let m = argv.iter().position(|w| *w == "-m")?;
            rest_at(m + 1)
        }
        "kubectl" => {
            let sub = first_positional(argv, 1, KUBECTL_GLOBAL_VALUES)?;
            if !matches!(argv[sub], "exec" | "run") {
                return None;
            }
            let dashes = argv.iter().position(|w| *w == "--")?;
            rest_at(dashes + 1)
        }
        _ => {
            if let Some(words) = compose(argv) {
                let values = match words.first() {
                    Some(&"exec") => COMPOSE_EXEC_VALUES,
                    Some(&"run") => COMPOSE_RUN_VALUES,
                    _ => return None,
                };
                let service = first_positional(words, 1, values)?;
                return words.get(service + 1..).filter(|r| !r.is_empty());
            }
            let words = docker(argv)?;
            let values = match words.first() {
                Some(&"exec") => DOCKER_EXEC_VALUES,
                Some(&"run") => DOCKER_RUN_VALUES,
                _ => return None,
            };
            let target = first_positional(words, 1, values)?;
            words.get(target + 1..).filter(|r| !r.is_empty())
        }
    }
}

/// The innermost command: wrappers are looked through, a few levels deep.
pub fn unwrap<'a, 'w>(mut argv: &'a [&'w str]) -> &'a [&'w str] {
    for _ in 0..6 {
        match unwrap_once(argv) {
            Some(inner) => argv = inner,
            None => break,
        }
    }
    argv
}

/// Every command a command line runs: itself and each wrapped command down to the innermost.
fn layers<'a, 'w>(argv: &'a [&'w str]) -> Vec<&'a [&'w str]> {
    let mut out = vec![argv];
    let mut current = argv;
    for _ in 0..6 {
        match unwrap_once(current) {
            Some(inner) => {
                out.push(inner);
                current = inner;
            }
            None => break,
        }
    }
    out
}

fn name_parts(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| p.to_ascii_lowercase())
}

fn is_datastore_service(name: &str) -> bool {
    name_parts(name).any(|p| DATASTORE_WORDS.contains(&p.as_str()))
}

fn is_migration_name(name: &str) -> bool {
    name.to_ascii_lowercase().contains("migrat")
}

/// The services `docker compose up` names (empty: all of them).
fn compose_up_services<'w>(words: &[&'w str]) -> Vec<&'w str> {
    positionals(words, 1, COMPOSE_UP_VALUES)
}

/// `kubectl apply|create|replace -f FILE…` whose files all have names containing `migrat`
/// (a migration Job), as opposed to applying the application's manifests.
fn kubectl_applies_only(words: &[&str], pred: fn(&str) -> bool) -> bool {
    let files = option_values(words, &["-f", "--filename"]);
    !files.is_empty() && files.iter().all(|f| pred(base_name(f)))
}

/// Manifest names that configure rather than roll out (secrets, config maps, namespaces).
fn is_config_manifest(name: &str) -> bool {
    name_parts(name).any(|p| {
        matches!(
            p.as_str(),
            "secret"
                | "secrets"
                | "configmap"
                | "configmaps"
                | "config"
                | "namespace"
                | "ns"
                | "pvc"
                | "volume"
                | "volumes"
                | "rbac"
                | "serviceaccount"
        )
    }) || is_migration_name(name)
}

/// Starts a new version of the application: `docker compose up` (unless it starts only data
/// stores or a migration service), `docker stack deploy`, `docker service update`,
/// `kubectl apply|replace|patch|set image|rollout restart`, `helm upgrade|install`.
pub fn is_rollout(argv: &[&str]) -> bool {
    let argv = unwrap(argv);
    if let Some(words) = compose(argv) {
        if words.first() != Some(&"up") {
            return false;
        }
        let services = compose_up_services(words);
        return services.is_empty()
            || !services
                .iter()
                .all(|s| is_datastore_service(s) || is_migration_name(s));
    }
    if let Some(words) = docker(argv) {
        return matches!(
            (words.first(), words.get(1)),
            (Some(&"stack"), Some(&"deploy" | &"up")) | (Some(&"service"), Some(&"update"))
        );
    }
    if let Some(words) = subcommand(argv, "kubectl", KUBECTL_GLOBAL_VALUES) {
        return match words.first() {
            Some(&("apply" | "replace" | "create")) => {
                !kubectl_applies_only(words, is_config_manifest)
            }
            Some(&"patch") => true,
            Some(&"set") => words.get(1) == Some(&"image"),
            Some(&"rollout") => {
                matches!(words.get(1), Some(&("restart" | "undo" | "resume")))
            }
            _ => false,
        };
    }
    if let Some(words) = subcommand(argv, "helm", HELM_GLOBAL_VALUES) {
        return matches!(words.first(), Some(&("upgrade" | "install")));
    }
    false
}

/// Whether the rollout is of a kind that runs against the local Docker daemon (compose,
/// swarm), as opposed to a cluster (kubectl, helm).
pub fn is_docker(argv: &[&str]) -> bool {
    let argv = unwrap(argv);
    compose(argv).is_some() || docker(argv).is_some()
}

/// Runs the schema migration: `alembic upgrade`, Django's `manage.py migrate`, Flask-Migrate's
/// `flask db upgrade`, a compose service or Kubernetes Job named for migrations.
pub fn is_migration(argv: &[&str]) -> bool {
    layers(argv).iter().any(|layer| migration_layer(layer))
}

fn migration_layer(argv: &[&str]) -> bool {
    let Some(first) = argv.first() else {
        return false;
    };
    let program = base_name(first);
    if program == "alembic" {
        return first_positional(argv, 1, ALEMBIC_GLOBAL_VALUES).map(|i| argv[i])
            == Some("upgrade");
    }
    let manage = argv
        .iter()
        .take(2)
        .position(|w| base_name(w) == "manage.py");
    if let Some(at) = manage {
        return first_positional(argv, at + 1, &[]).map(|i| argv[i]) == Some("migrate");
    }
    if program == "django-admin" {
        return first_positional(argv, 1, &[]).map(|i| argv[i]) == Some("migrate");
    }
    if program == "flask" {
        return positionals(argv, 1, &["--app", "-A"]).starts_with(&["db", "upgrade"]);
    }
    if let Some(words) = compose(argv) {
        return match words.first() {
            Some(&"run") => first_positional(words, 1, COMPOSE_RUN_VALUES)
                .is_some_and(|i| is_migration_name(words[i])),
            Some(&"up") => {
                let services = compose_up_services(words);
                !services.is_empty() && services.iter().all(|s| is_migration_name(s))
            }
            _ => false,
        };
    }
    if let Some(words) = subcommand(argv, "kubectl", KUBECTL_GLOBAL_VALUES) {
        return matches!(words.first(), Some(&("apply" | "create" | "replace")))
            && kubectl_applies_only(words, is_migration_name);
    }
    false
}

/// Runs the test suite: the script sets up a throwaway environment, not a deploy.
pub fn is_test_run(argv: &[&str]) -> bool {
    layers(argv).iter().any(|layer| {
        let Some(first) = layer.first() else {
            return false;
        };
        match base_name(first) {
            "pytest" | "py.test" | "tox" | "nox" => true,
            "coverage" => layer.get(1) == Some(&"run"),
            "make" => positionals(layer, 1, &["-C", "-f"])
                .iter()
                .any(|t| t.starts_with("test")),
            _ => false,
        }
    })
}

/// Changes an environment: a rollout or migration, building, pushing or pulling images,
/// mutating a cluster, copying to or running on another host.
pub fn is_deploy_step(argv: &[&str]) -> bool {
    if is_rollout(argv) || is_migration(argv) {
        return true;
    }
    layers(argv).iter().any(|layer| {
        if let Some(words) = compose(layer) {
            return matches!(
                words.first(),
                Some(&("up" | "pull" | "push" | "build" | "create" | "restart" | "start"))
            );
        }
        if let Some(words) = docker(layer) {
            return matches!(
                words.first(),
                Some(&("push" | "build" | "stack" | "service"))
            );
        }
        if let Some(words) = subcommand(layer, "kubectl", KUBECTL_GLOBAL_VALUES) {
            return matches!(
                words.first(),
                Some(
                    &("apply"
                        | "create"
                        | "replace"
                        | "patch"
                        | "delete"
                        | "set"
                        | "rollout"
                        | "scale")
                )
            );
        }
        if let Some(words) = subcommand(layer, "helm", HELM_GLOBAL_VALUES) {
            return matches!(
                words.first(),
                Some(&("upgrade" | "install" | "uninstall" | "rollback"))
            );
        }
        layer
            .first()
            .is_some_and(|p| matches!(base_name(p), "ssh" | "scp" | "rsync"))
    })
}

/// Changes a live environment beyond the local Docker daemon: updates code or images in place
/// (`git pull`, `docker pull`, `docker compose pull`), publishes images, targets another host
/// (`ssh`, `scp`, `rsync`, `docker -H`/`--context`, `docker context use`) or a cluster
/// (`kubectl`, `helm`, swarm), or names production compose files (`-f docker-compose.prod.yml`).
pub fn is_live_step(argv: &[&str]) -> bool {
    layers(argv).iter().any(|layer| {
        let Some(first) = layer.first() else {
            return false;
        };
        let program = base_name(first);
        if matches!(program, "ssh" | "scp" | "rsync") {
            return true;
        }
        if program == "git" {
            return first_positional(layer, 1, &["-C", "-c"]).map(|i| layer[i]) == Some("pull");
        }
        if let Some(words) = compose(layer) {
            let prod_files = option_values(layer, &["-f", "--file", "--env-file"])
                .iter()
                .any(|f| {
                    name_parts(base_name(f))
                        .any(|p| matches!(p.as_str(), "prod" | "production" | "staging"))
                });
            return prod_files || matches!(words.first(), Some(&("pull" | "push")));
        }
        if program == "docker" {
            let remote = layer.iter().any(|w| {
                matches!(*w, "-H" | "--host" | "--context")
                    || w.starts_with("--host=")
                    || w.starts_with("--context=")
            });
            let words = docker(layer).unwrap_or(&[]);
            return remote
                || matches!(
                    (words.first(), words.get(1)),
                    (Some(&("pull" | "push" | "stack" | "service")), _)
                        | (Some(&"context"), Some(&"use"))
                );
        }
        is_rollout(layer) || (is_deploy_step(layer) && matches!(program, "kubectl" | "helm"))
    })
}

/// A `curl`/`wget` of a health endpoint that fails on an HTTP error, without its own retries.
/// Returns `None` when the command is no such check, `Some(true)` when it retries by itself.
pub fn health_check(argv: &[&str]) -> Option<bool> {
    let argv = unwrap(argv);
    let program = base_name(argv.first()?);
    argv.iter().skip(1).find(|w| is_health_url(w))?;
    match program {
        "curl" => {
            let fails = argv.iter().skip(1).any(|w| {
                matches!(*w, "--fail" | "--fail-with-body")
                    || (w.starts_with('-')
                        && !w.starts_with("--")
                        && w[1..].chars().all(|c| c.is_ascii_alphabetic())
                        && w.contains('f'))
                    || w.contains("http_code")
            });
            if !fails {
                return None;
            }
            Some(argv.iter().any(|w| w.starts_with("--retry")))
        }
        "wget" => Some(argv.iter().any(|w| {
            matches!(*w, "-t" | "--retry-connrefused")
                || w.starts_with("--tries")
                || w.starts_with("--waitretry")
                || (w.starts_with("-t") && w.len() > 2 && !w.starts_with("--"))
        })),
        _ => None,
    }
}

/// A URL whose path has a health-endpoint segment: `/health`, `/healthz`, `/api/health/ready`,
/// `/readyz`, `/livez`, `/ping`.
fn is_health_url(word: &str) -> bool {
    if word.starts_with('-') {
        return false;
    }
    let without_scheme = word.split_once("://").map_or(word, |(_, rest)| rest);
    let Some((_, path)) = without_scheme.split_once('/') else {
        return false;
    };
    path.split(['/', '?', '#']).any(|segment| {
        let s = segment.to_ascii_lowercase();
        s.starts_with("health")
            || s.starts_with("ready")
            || s.starts_with("live")
            || s == "ping"
            || s == "_health"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    #[test]
    fn rollouts() {
        for yes in [
            "docker compose up -d",
            "docker-compose -f docker-compose.yml -f docker-compose.prod.yml up -d",
            "docker compose --profile web up -d --build backend",
            "docker -H ssh://prod compose up -d",
            "sudo docker-compose up -d",
            "docker stack deploy -c stack.yml app",
            "kubectl -n prod apply -f k8s/",
            "kubectl apply -k overlays/prod",
            "kubectl set image deployment/api api=img:2",
            "kubectl rollout restart deployment/api",
            "helm upgrade --install api ./chart",
        ] {
            assert!(is_rollout(&words(yes)), "{yes}");
        }
        for no in [
            "docker compose up -d db",
            "docker compose up -d postgres redis",
            "docker-compose up -d --wait postgres-primary",
            "docker compose up migrate",
            "docker compose pull",
            "docker compose exec backend alembic upgrade head",
            "kubectl rollout status deployment/api",
            "kubectl apply -f k8s/secrets.yaml -f k8s/configmap.yaml",
            "kubectl apply -f k8s/migrate-job.yaml",
            "helm repo update",
            "echo docker compose up -d",
        ] {
            assert!(!is_rollout(&words(no)), "{no}");
        }
    }

    #[test]
    fn migrations() {
        for yes in [
            "alembic upgrade head",
            "alembic -c alembic.ini upgrade head",
            "docker-compose exec backend alembic upgrade head",
            "docker compose exec -T -u app backend alembic upgrade head",
            "docker compose run --rm -e X=1 backend alembic upgrade head",
            "docker compose run --rm migrate",
            "docker exec -it api alembic upgrade head",
            "docker run --rm --env-file .env img:1 alembic upgrade head",
            "kubectl exec deploy/api -- alembic upgrade head",
            "poetry run alembic upgrade head",
            "python -m alembic upgrade head",
            "python manage.py migrate --noinput",
            "./manage.py migrate",
            "flask db upgrade",
            "kubectl apply -f k8s/db-migration-job.yaml",
        ] {
            assert!(is_migration(&words(yes)), "{yes}");
        }
        for no in [
            "alembic current",
            "alembic downgrade -1",
            "alembic revision --autogenerate -m upgrade",
            "python manage.py collectstatic",
            "docker compose exec backend pytest",
            "echo alembic upgrade head",
        ] {
            assert!(!is_migration(&words(no)), "{no}");
        }
    }

    #[test]
    fn health_checks() {
        assert_eq!(
            health_check(&words("curl -f http://localhost:8000/health")),
            Some(false)
        );
        assert_eq!(
            health_check(&words("curl -fsS localhost:8000/api/healthz")),
            Some(false)
        );
        assert_eq!(
            health_check(&words(
                "curl --retry 10 --retry-connrefused -f http://x/health"
            )),
            Some(true)
        );
        assert_eq!(
            health_check(&words("wget -q -O- http://x/health")),
            Some(false)
        );
        assert_eq!(
            health_check(&words("wget --tries=10 http://x/health")),
            Some(true)
        );
        assert_eq!(health_check(&words("curl http://x/health")), None);
        assert_eq!(health_check(&words("curl -f http://x/api/users")), None);
        assert_eq!(
            health_check(&words(
                "docker compose exec api curl -f http://localhost/health"
            )),
            Some(false)
        );
    }

    #[test]
    fn tests_and_deploy_steps() {
        assert!(is_test_run(&words(
            "docker compose exec -T backend pytest -x"
        )));
        assert!(is_test_run(&words("python -m pytest")));
        assert!(is_deploy_step(&words("rsync -az ./ prod:/srv/app")));
        assert!(is_deploy_step(&words("docker compose pull")));
        assert!(!is_deploy_step(&words(
            "docker compose exec postgres psql -c 'select 1'"
        )));
        assert!(!is_deploy_step(&words("docker compose logs -f")));
    }

    #[test]
    fn live_steps() {
        for yes in [
            "git pull origin main",
            "docker compose pull",
            "docker compose -f docker-compose.prod.yml up -d",
            "docker push registry.example.com/api:1",
            "docker -H ssh://prod ps",
            "docker context use prod",
            "kubectl apply -f k8s/",
            "helm upgrade --install api ./chart",
            "rsync -a ./ prod:/srv",
        ] {
            assert!(is_live_step(&words(yes)), "{yes}");
        }
        for no in [
            "docker compose up -d --build",
            "docker compose -f docker-compose.dev.yml up -d",
            "docker compose exec web python manage.py migrate",
            "git status",
            "kubectl get pods",
        ] {
            assert!(!is_live_step(&words(no)), "{no}");
        }
    }
}
