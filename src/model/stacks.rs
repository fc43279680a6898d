//! Which compose stacks run in production, for the topology rules (issue 9, "what is
//! deployed"). The compose model groups files into stacks and reads what names and deploys say
//! (`crate::model::compose::projects`); here a stack nothing has judged yet is judged by what it
//! runs: only backing services with published ports is a local development stack, production
//! settings (`restart:`, `deploy:`, limits, images pulled from a private registry) mark it as
//! production, and otherwise it stays unknown.

use super::topology::{image_repository, one_shots, runs, runs_client_only, Runs};
use crate::diagnostic::Severity;
use crate::facts::ProjectFacts;
use crate::model::compose::{has_interpolation, is_dev_file, ComposeProject, Service, Stage};
use crate::registry::Report;
use crate::source::{FileId, Span};
use std::collections::{HashMap, HashSet};

/// Appended to a production-only finding on a stack nothing marks as production.
pub const UNKNOWN_NOTE: &str = " (reported as info: nothing marks this stack as production — \
     no production name, no deploy script or job runs it, no `restart:`/`deploy:` settings)";

/// Images of backing services a developer runs beside the code: databases, caches, queues,
/// object stores, mail catchers and their admin UIs (the last part of the repository name).
const BACKING_IMAGES: &[&str] = &[
    "mongo",
    "mysql",
    "mariadb",
    "minio",
    "rabbitmq",
    "kafka",
    "zookeeper",
    "elasticsearch",
    "opensearch",
    "memcached",
    "localstack",
    "mailhog",
    "mailpit",
    "maildev",
    "adminer",
    "pgadmin4",
    "redis-commander",
    "redisinsight",
    "clickhouse-server",
    "nats",
    "azurite",
    "dynamodb-local",
    "fake-gcs-server",
    "cassandra",
    "neo4j",
    "qdrant",
    "chroma",
    "meilisearch",
    "typesense",
    "grafana",
    "jaeger",
    "all-in-one",
    "otel-collector",
    "opentelemetry-collector",
    "loki",
];

/// Registries that serve a team's own images (not Docker Hub's public ones).
const PRIVATE_REGISTRIES: &[&str] = &[
    "ghcr.io",
    "registry.gitlab.com",
    "gcr.io",
    "pkg.dev",
    "amazonaws.com",
    "azurecr.io",
    "registry.digitalocean.com",
];

fn is_backing(service: &Service, kind: Runs) -> bool {
    if matches!(
        kind,
        Runs::Postgres
            | Runs::PostgresHa
            | Runs::Redis
            | Runs::Sentinel
            | Runs::Etcd
            | Runs::Prometheus
    ) {
        return service.build.is_none();
    }
    let Some(image) = &service.image else {
        return false;
    };
    let repo = image_repository(&image.value);
    let last = repo.rsplit('/').next().unwrap_or(&repo);
    // `localstack`, `tinybird-local`, `dynamodb-local`: emulators of cloud services.
    let emulator = last.split(['-', '_']).any(|w| w == "local") || last.starts_with("local");
    service.build.is_none()
        && (emulator
            || BACKING_IMAGES
                .iter()
                .any(|b| last == *b || last.starts_with(&format!("{b}-"))))
}

/// `ghcr.io/acme/api:1.4`, `${REGISTRY}/api:${TAG}`: an application image pulled from the
/// team's registry, not built. Backing services' images and test images
/// (`${PATRONI_TEST_IMAGE:-patroni}`) say nothing.
fn pulled_app_image(service: &Service, kind: Runs) -> Option<&str> {
    if service.build.is_some()
        || is_backing(service, kind)
        || kind != Runs::App && kind != Runs::Other
    {
        return None;
    }
    let image = service.image.as_ref()?.value.as_str();
    let host = image.split('/').next().unwrap_or("");
    let private = image.contains('/') && PRIVATE_REGISTRIES.iter().any(|r| host.ends_with(r));
    let upper = image.to_ascii_uppercase();
    let tag = image.rsplit_once('/').map_or(image, |(_, last)| last);
    let variable = (upper.contains("${REGISTRY")
        || tag
            .split_once(':')
            .is_some_and(|(_, t)| has_interpolation(t)))
        && !["TEST", "DEV", "LOCAL", "CI"]
            .iter()
            .any(|w| upper.contains(w));
    (private || variable).then_some(image)
}

/// Settings written for a deployment: `deploy:`, resource limits, secrets read from files
/// (`secrets:`, `*_FILE: /run/secrets/…`).
fn strong_production_setting(project: &ComposeProject) -> Option<String> {
    for s in &project.services {
        if s.deploy.is_some() {
            return Some(format!("a `deploy:` section on `{}`", s.name));
        }
        if s.limits.is_some() {
            return Some(format!("resource limits on `{}`", s.name));
        }
        let secret_file = s.environment.iter().any(|e| {
            e.name.ends_with("_FILE")
                && e.value
                    .as_deref()
                    .is_some_and(|v| v.starts_with("/run/secrets/"))
        });
        if !s.secrets.is_empty() || secret_file {
            return Some(format!("secrets read from files on `{}`", s.name));
        }
    }
    None
}

/// The first production setting a stack carries, for the message.
fn production_setting(project: &ComposeProject, facts: &ProjectFacts) -> Option<String> {
    for s in &project.services {
        if let Some(r) = &s.restart {
            if !matches!(r.value.trim_matches('"'), "no" | "") {
                return Some(format!("`restart: {}` on `{}`", r.value, s.name));
            }
        }
        if s.deploy.is_some() {
            return Some(format!("a `deploy:` section on `{}`", s.name));
        }
        if s.limits.is_some() {
            return Some(format!("resource limits on `{}`", s.name));
        }
        if let Some(image) = pulled_app_image(s, runs(s, facts)) {
            return Some(format!("`{}` runs `{image}` from a registry", s.name));
        }
    }
    None
}

/// The project's compose files by id, and its development-named ones by folder: built once for
/// all stacks, so judging a stack never scans every compose file.
pub struct ComposeLookup<'f> {
    by_id: HashMap<FileId, &'f crate::model::compose::ComposeFile>,
    dev_by_folder: HashMap<Option<&'f std::path::Path>, Vec<FileId>>,
}

impl<'f> ComposeLookup<'f> {
    pub fn new(facts: &'f ProjectFacts) -> ComposeLookup<'f> {
        let mut lookup = ComposeLookup {
            by_id: HashMap::new(),
            dev_by_folder: HashMap::new(),
        };
        for c in &facts.compose_files {
            lookup.by_id.insert(c.file, c);
            if is_dev_file(&c.path) {
                lookup
                    .dev_by_folder
                    .entry(c.path.parent())
                    .or_default()
                    .push(c.file);
            }
        }
        lookup
    }

    /// Whether a development-named compose file other than `file` sits in its folder.
    fn has_dev_sibling(&self, file: FileId) -> bool {
        self.by_id.get(&file).is_some_and(|this| {
            self.dev_by_folder
                .get(&this.path.parent())
                .is_some_and(|dev| dev.iter().any(|&d| d != file))
        })
    }
}

/// Judges a stack that neither its name nor a deploy has judged.
pub fn judge(project: &mut ComposeProject, facts: &ProjectFacts, lookup: &ComposeLookup<'_>) {
    if project.stage != Stage::Unknown {
        return;
    }
    // Opt-in services (`profiles:`) and one-shot jobs do not change what the stack is.
    let jobs = one_shots(project);
    let long_running: Vec<(&Service, Runs)> = project
        .services
        .iter()
        .filter(|s| {
            s.profiles.is_empty() && !jobs.contains(s.name.as_str()) && !runs_client_only(s)
        })
        .map(|s| (s, runs(s, facts)))
        .collect();
    // What the stack says of itself: its project name (`name: shop-example`), or an
    // environment setting of its services (`ENVIRONMENT: development`).
    if let Some(why) = says_development(project, lookup) {
        project.stage = Stage::Development(why);
        return;
    }
    // Settings only a deployment has beat the shape of the stack: a database stack that reads
    // its passwords from secret files or sets limits is deployed, whatever it holds.
    if let Some(setting) = strong_production_setting(project) {
        project.stage = Stage::Production(format!("it carries {setting}"));
        return;
    }
    let backing_only = !long_running.is_empty()
        && long_running.iter().all(|(s, k)| is_backing(s, *k))
        && long_running
            .iter()
            .any(|(s, _)| s.ports.iter().any(|p| p.published.is_some()));
    if backing_only {
        project.stage = Stage::Development(
            "it only brings up backing services with published ports, for local development"
                .to_string(),
        );
        return;
    }
    if let Some(name) = runs_dev_server(&long_running, facts, lookup) {
        project.stage = Stage::Development(format!(
            "service `{name}` runs a development server (auto-reload or debug mode)"
        ));
        return;
    }
    if let Some(setting) = production_setting(project, facts) {
        project.stage = Stage::Production(format!("it carries {setting}"));
    }
}

/// Environment variables that name the deployment stage, and the values that mean a
/// developer's machine.
const STAGE_VARIABLES: &[&str] = &[
    "ENVIRONMENT",
    "ENV",
    "APP_ENV",
    "APP_ENVIRONMENT",
    "NODE_ENV",
    "FLASK_ENV",
    "RAILS_ENV",
    "STAGE",
    "DEPLOY_ENV",
    "RUN_ENV",
];
const DEVELOPMENT_VALUES: &[&str] = &["development", "dev", "local", "develop"];

/// A stack that says it is for development: a top-level `name:` with a development word
/// (`opal-security-example`, `shop-dev`), or a service whose stage variable is set to a
/// development value (`ENVIRONMENT: DEVELOPMENT`, `NODE_ENV=development`).
fn says_development(project: &ComposeProject, lookup: &ComposeLookup<'_>) -> Option<String> {
    for file in project.members.iter().filter_map(|m| lookup.by_id.get(m)) {
        if let Some(name) = &file.project_name {
            if crate::model::compose::name_words(name)
                .any(|w| crate::model::compose::DEV_WORDS.contains(&w.as_str()))
            {
                return Some(format!("its project is named `{name}`"));
            }
        }
    }
    project.services.iter().find_map(|s| {
        s.environment.iter().find_map(|e| {
            let value = e.value.as_deref()?.trim().to_ascii_lowercase();
            let stage_variable = STAGE_VARIABLES.iter().any(|v| {
                e.name.eq_ignore_ascii_case(v)
                    || e.name.to_ascii_uppercase().ends_with(&format!("_{v}"))
            });
            (stage_variable && DEVELOPMENT_VALUES.contains(&value.as_str()))
                .then(|| format!("service `{}` sets `{}={value}`", s.name, e.name))
        })
    })
}

/// A service started with auto-reload or a debug server (`uvicorn --reload`, `fastapi dev`,
/// `flask run --debug`): the stack is where someone edits code, not what is deployed.
fn runs_dev_server<'s>(
    services: &[(&'s Service, Runs)],
    facts: &ProjectFacts,
    lookup: &ComposeLookup<'_>,
) -> Option<&'s str> {
    services.iter().find_map(|(s, _)| {
        let mut words: Vec<&str> = [&s.command, &s.entrypoint]
            .into_iter()
            .flatten()
            .flat_map(|c| c.value.iter().flat_map(|w| w.text.split_whitespace()))
            .collect();
        // No command of its own: what the image it builds starts (`CMD ["npm", "run", "dev"]`),
        // unless the project keeps a development stack beside this one (`docker-compose-dev.yaml`
        // next to `docker-compose.yaml`): then this is the other one, whatever its image runs.
        if s.command.is_none() && s.build.is_some() && !lookup.has_dev_sibling(s.file) {
            if let Some(df) = crate::model::topology::dockerfile_of(s, facts) {
                words.extend(df.start.split_whitespace());
            }
        }
        let reload = words.iter().any(|w| *w == "--reload" || *w == "--debug");
        let fastapi_dev = words.windows(2).any(|w| w == ["fastapi", "dev"]);
        // Front-end dev servers: `npm run dev`, `pnpm dev`, `yarn dev`, `next dev`.
        let js_dev = words
            .windows(2)
            .any(|w| matches!(w[0], "pnpm" | "yarn" | "next" | "bun") && w[1] == "dev")
            || words.windows(3).any(|w| {
                matches!(w[0], "npm" | "pnpm" | "yarn" | "bun") && w[1] == "run" && w[2] == "dev"
            });
        (reload || fastapi_dev || js_dev).then_some(s.name.as_str())
    })
}

/// The stacks topology rules judge: production ones first, then those nothing marks (whose
/// production-only findings are `info`). Development stacks and the bases of production
/// overlays are left out.
pub fn judged(projects: &[ComposeProject]) -> Vec<&ComposeProject> {
    let mut out: Vec<&ComposeProject> = projects
        .iter()
        .filter(|p| matches!(p.stage, Stage::Production(_)))
        .collect();
    out.extend(projects.iter().filter(|p| p.stage == Stage::Unknown));
    out
}

/// Whether a compose file is for development by its name or folder.
pub fn in_dev_file(facts: &ProjectFacts, file: FileId) -> bool {
    facts
        .compose_files
        .iter()
        .any(|c| c.file == file && is_dev_file(&c.path))
}

/// Whether every stack a compose file belongs to is a development stack (a file of backing
/// services for local development, a `.devcontainer` stack): per-file rules skip it too.
pub fn only_in_dev_stacks(projects: &[ComposeProject], file: FileId) -> bool {
    let mut holding = projects
        .iter()
        .filter(|p| p.files.contains(&file))
        .peekable();
    holding.peek().is_some() && holding.all(|p| matches!(p.stage, Stage::Development(_)))
}

/// Findings already made at a place: a service in several stacks, or a value a YAML merge
/// (`<<: *anchor`) copies into several services, is reported once.
#[derive(Default)]
pub struct Seen(HashSet<(FileId, usize, usize)>);

impl Seen {
    /// True the first time a place is seen.
    pub fn first(&mut self, file: FileId, span: &Span) -> bool {
        self.0.insert((file, span.start, span.end))
    }
}

/// A production-only finding on a stack nothing marks as production is `info`.
pub fn soften<'r>(report: Report<'r>, project: &ComposeProject) -> Report<'r> {
    if project.is_unknown() {
        report.severity(Severity::Info)
    } else {
        report
    }
}

/// The message of a production-only finding, with the reason it is `info` when it is.
pub fn production_message(project: &ComposeProject, message: String) -> String {
    if project.is_unknown() {
        format!("{message}{UNKNOWN_NOTE}")
    } else {
        message
    }
}
