//! What a compose stack and its images run, shared by the HA, DB, SEC and OBS project rules and
//! the built-image model: which program a service runs (by image or command), which Dockerfile
//! builds it, whether it has a healthcheck, server flags, and the Patroni/Prometheus facts.

use crate::facts::{DockerfileFact, PatroniFact, ProjectFacts, PrometheusFact};
use crate::model::compose::{projects, ComposeProject, Service};
use crate::parse::dockerfile::{command_words, Dockerfile, Inst};
use crate::parse::shell_words::Word;
use crate::parse::yaml::Yaml;
use crate::source::{FileId, Span};
use parse_dockerfile::HealthcheckArguments;
use std::path::Path;

/// What a compose service runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    Postgres,
    /// PostgreSQL under a failover manager (Patroni, Spilo, repmgr, pg_auto_failover, Stolon).
    PostgresHa,
    Redis,
    Sentinel,
    Etcd,
    Prometheus,
    /// The web application: a Python ASGI/WSGI server.
    App,
    Other,
}

impl Runs {
    pub fn label(self) -> &'static str {
        match self {
            Runs::Postgres => "PostgreSQL",
            Runs::PostgresHa => "PostgreSQL with a failover manager",
            Runs::Redis => "Redis",
            Runs::Sentinel => "Redis Sentinel",
            Runs::Etcd => "etcd",
            Runs::Prometheus => "Prometheus",
            Runs::App => "the application server",
            Runs::Other => "a service",
        }
    }

    pub fn is_postgres(self) -> bool {
        matches!(self, Runs::Postgres | Runs::PostgresHa)
    }
}

/// `registry.example.com:5000/bitnami/postgresql:16@sha256:…` -> `bitnami/postgresql`.
pub fn image_repository(image: &str) -> String {
    let image = image.split('@').next().unwrap_or(image);
    let mut parts: Vec<&str> = image.split('/').collect();
    if let Some(last) = parts.last_mut() {
        *last = last.split(':').next().unwrap_or(last);
    }
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            parts.remove(0);
        }
    }
    parts.join("/").to_ascii_lowercase()
}

/// What an image runs, from its repository name. Sidecars named after a server (exporters,
/// admin UIs, backup tools, poolers) are not the server.
pub fn runs_image(image: &str) -> Option<Runs> {
    let repo = image_repository(image);
    let last = repo.rsplit('/').next().unwrap_or(&repo);
    const SIDECARS: &[&str] = &[
        "exporter",
        "admin",
        "commander",
        "insight",
        "backup",
        "bouncer",
        "pgpool",
        "operator",
        "client",
        "cli",
        "ui",
        "proxy",
    ];
    if SIDECARS.iter().any(|s| last.contains(s)) {
        return None;
    }
    if repo.contains("patroni")
        || last.starts_with("spilo")
        || last.contains("repmgr")
        || last.contains("pg_auto_failover")
        || last.contains("stolon")
    {
        return Some(Runs::PostgresHa);
    }
    if last.contains("sentinel") && (last.contains("redis") || last.contains("valkey")) {
        return Some(Runs::Sentinel);
    }
    if last.starts_with("postgres")
        || matches!(
            last,
            "postgis" | "pgvector" | "timescaledb" | "timescaledb-ha"
        )
        || repo == "supabase/postgres"
    {
        return Some(Runs::Postgres);
    }
    if last.starts_with("redis") || matches!(last, "valkey" | "keydb") {
        return Some(Runs::Redis);
    }
    if last == "etcd" {
        return Some(Runs::Etcd);
    }
    if last == "prometheus" {
        return Some(Runs::Prometheus);
    }
    None
}

/// Programs that serve a Python web application.
const APP_SERVERS: &[&str] = &[
    "uvicorn",
    "gunicorn",
    "hypercorn",
    "granian",
    "daphne",
    "fastapi",
];

fn runs_app_server<'w>(mut words: impl Iterator<Item = &'w str>) -> bool {
    words.any(|w| APP_SERVERS.contains(&w.rsplit('/').next().unwrap_or(w)))
}

/// Client programs of the servers above: a service whose command runs one of them and no
/// server (`bash -c "echo yes | redis-cli --cluster create …"` on a `redis` image) is a one-shot
/// job, not the server its image is named after.
const CLIENT_PROGRAMS: &[&str] = &[
    "redis-cli",
    "valkey-cli",
    "psql",
    "pg_isready",
    "pg_dump",
    "pg_dumpall",
    "pg_restore",
    "etcdctl",
    "patronictl",
    "promtool",
];
const SERVER_PROGRAMS: &[&str] = &[
    "redis-server",
    "valkey-server",
    "redis-sentinel",
    "postgres",
    "postmaster",
    "docker-entrypoint.sh",
    "patroni",
    "etcd",
    "prometheus",
];

/// Proxies, poolers and helpers that database images also ship (Patroni's image runs HAProxy
/// or confd by its command).
const PROXY_PROGRAMS: &[&str] = &[
    "haproxy",
    "pgbouncer",
    "odyssey",
    "pgcat",
    "pgpool",
    "envoy",
    "nginx",
    "traefik",
    "confd",
    "vip-manager",
    "callback",
];

/// Whether the service's own command runs only a client program (see [`CLIENT_PROGRAMS`]).
pub fn runs_client_only(service: &Service) -> bool {
    let program = |w: &Word| {
        let t = w.text.as_str();
        t.rsplit('/').next().unwrap_or(t).to_string()
    };
    let words: Vec<String> = service.start_words().map(program).collect();
    words.iter().any(|w| CLIENT_PROGRAMS.contains(&w.as_str()))
        && !words
            .iter()
            .any(|w| SERVER_PROGRAMS.contains(&w.as_str()) || APP_SERVERS.contains(&w.as_str()))
}

/// What a service runs: its command first (a `redis` image started as `redis-sentinel`), then
/// its image, then for a `build:` service the image its Dockerfile builds from and the command
/// it starts.
pub fn runs(service: &Service, facts: &ProjectFacts) -> Runs {
    let words: Vec<&str> = service.start_words().map(|w| w.text.as_str()).collect();
    let program = |name: &str| words.iter().any(|w| w.rsplit('/').next() == Some(name));
    if program("redis-sentinel") || words.contains(&"--sentinel") {
        return Runs::Sentinel;
    }
    if program("patroni") {
        return Runs::PostgresHa;
    }
    if program("etcd") {
        return Runs::Etcd;
    }
    // A proxy or pooler started on a database image (`image: patroni`, `command: haproxy`)
    // is the proxy, not the database.
    if PROXY_PROGRAMS.iter().any(|p| program(p)) && !SERVER_PROGRAMS.iter().any(|p| program(p)) {
        return Runs::Other;
    }
    if runs_client_only(service) {
        return Runs::Other;
    }
    if let Some(kind) = service.image.as_ref().and_then(|i| runs_image(&i.value)) {
        return kind;
    }
    let dockerfile = dockerfile_of(service, facts);
    if let Some(kind) = dockerfile.and_then(|d| runs_image(&d.base_image)) {
        return kind;
    }
    if service.command.is_some() {
        if runs_app_server(words.iter().copied()) {
            return Runs::App;
        }
        return Runs::Other;
    }
    if dockerfile.is_some_and(|d| runs_app_server(d.start.split_whitespace())) {
        return Runs::App;
    }
    Runs::Other
}

/// The Dockerfile a `build:` service builds, when it is in the repository.
pub fn dockerfile_of<'f>(service: &Service, facts: &'f ProjectFacts) -> Option<&'f DockerfileFact> {
    let path = service.build.as_ref()?.value.dockerfile.as_ref()?;
    facts.dockerfile_at(path)
}

/// Whether the service has a healthcheck that runs: its own (not disabled), or else the
/// `HEALTHCHECK` of the Dockerfile it builds.
pub fn has_healthcheck(service: &Service, facts: &ProjectFacts) -> bool {
    match &service.healthcheck {
        Some(h) => !h.disabled,
        None => dockerfile_of(service, facts).is_some_and(|d| d.healthcheck == Some(true)),
    }
}

/// Services that others wait on to finish (`condition: service_completed_successfully`):
/// one-shot jobs such as migrations. One set per project, looked up per service (a scan per
/// service made 20k services take seconds).
pub fn one_shots(project: &ComposeProject) -> std::collections::HashSet<&str> {
    project
        .services
        .iter()
        .flat_map(|s| &s.depends_on)
        .filter(|d| d.condition.as_deref() == Some("service_completed_successfully"))
        .map(|d| d.service.as_str())
        .collect()
}

/// The compose projects of the repository, merged once and shared by every topology rule.
/// Each stack's stage is judged here: by name and deploys in the model, then by what it runs.
pub fn compose_projects(facts: &ProjectFacts) -> &[ComposeProject] {
    facts.compose_projects.get_or_init(|| {
        let mut out = projects(&facts.compose_files, &facts.compose_runs);
        let lookup = super::stacks::ComposeLookup::new(facts);
        for p in &mut out {
            super::stacks::judge(p, facts, &lookup);
        }
        out
    })
}

/// A `-c name=value` / `--name=value` server flag among a command's words (PostgreSQL).
pub fn server_flag<'w>(words: &'w [Word], name: &str) -> Option<(&'w str, &'w Word)> {
    words.iter().enumerate().find_map(|(i, w)| {
        let text = w.text.as_str();
        let setting = if let Some(rest) = text.strip_prefix("--") {
            rest
        } else if let Some(rest) = text.strip_prefix("-c").filter(|r| !r.is_empty()) {
            rest
        } else if i > 0 && words[i - 1].text == "-c" {
            text
        } else {
            return None;
        };
        let (key, value) = setting.split_once('=')?;
        (key.trim().replace('-', "_") == name).then_some((value.trim(), w))
    })
}

/// PostgreSQL's boolean spellings of false (a unique prefix of `off` is accepted too).
pub fn pg_false(value: &str) -> bool {
    let v = value.trim_matches(['\'', '"']).to_ascii_lowercase();
    matches!(
        v.as_str(),
        "off" | "of" | "false" | "fals" | "fal" | "fa" | "f" | "no" | "n" | "0"
    )
}

/// `HEALTHCHECK` of the final image: the last one in the final stage's chain.
pub fn dockerfile_healthcheck(file: &Dockerfile<'_, '_>) -> Option<bool> {
    let last = file.stages.len().checked_sub(1)?;
    crate::rules::dkr::stage_chain(file, last)
        .iter()
        .rev()
        .flat_map(|s| s.instructions.iter().rev())
        .find_map(|inst| match inst {
            Inst::Healthcheck(h) => Some(matches!(h.arguments, HealthcheckArguments::Cmd { .. })),
            _ => None,
        })
}

/// The final image's ENTRYPOINT and CMD words, space-joined.
pub fn dockerfile_start(file: &Dockerfile<'_, '_>) -> String {
    let (cmd, entrypoint) = crate::rules::dkr::final_commands(file);
    let mut words: Vec<String> = Vec::new();
    for args in entrypoint
        .map(|e| &e.arguments)
        .into_iter()
        .chain(cmd.map(|c| &c.arguments))
    {
        for c in command_words(args, file.escape) {
            words.extend(c.words.into_iter().map(|w| w.text));
        }
    }
    words.join(" ")
}

/// Whether a YAML document is a Patroni configuration, by content: a `postgresql:` section
/// with `data_dir`, or `bootstrap.dcs`, or `scope:` beside `postgresql:`/`restapi:`. A
/// Kubernetes manifest (`apiVersion` and `kind`) named `patroni.yaml` is not one.
pub fn is_patroni_config(doc: &Yaml) -> bool {
    if doc.get("apiVersion").is_some() && doc.get("kind").is_some() {
        return false;
    }
    // Discovery has read the file's keys (`crate::kind::sniff_yaml`); here a document of a
    // multi-document file, or one named on the command line, is checked the same way.
    crate::kind::PATRONI_SECTIONS
        .iter()
        .any(|k| doc.get(k).is_some())
        && doc.get("services").is_none()
}

/// Whether a YAML document is a Prometheus server configuration, by content: `scrape_configs`,
/// `rule_files`, `alerting`, or `global` with scrape settings. A Grafana datasource file
/// (`apiVersion` + `datasources`) named `prometheus.yml` is not one.
pub fn is_prometheus_config(doc: &Yaml) -> bool {
    if doc.get("datasources").is_some() || doc.get("apiVersion").is_some() {
        return false;
    }
    ["scrape_configs", "rule_files", "alerting", "remote_write"]
        .iter()
        .any(|k| doc.get(k).is_some())
        || doc.get("global").is_some_and(|g| {
            g.get("scrape_interval").is_some() || g.get("evaluation_interval").is_some()
        })
}

/// Reads a Patroni configuration: the etcd members and the PostgreSQL parameters. `None` when
/// the document is not one (see [`is_patroni_config`]).
pub fn patroni_fact(doc: &Yaml, path: &Path, file: FileId) -> Option<PatroniFact> {
    if !is_patroni_config(doc) {
        return None;
    }
    let etcd_hosts = ["etcd3", "etcd"].iter().find_map(|k| {
        let (key, hosts) = doc.get(k)?.entry("hosts")?;
        let members: Vec<String> = match hosts.as_str() {
            Some(s) => s
                .split(',')
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .collect(),
            None => hosts
                .as_seq()
                .iter()
                .filter_map(|h| h.as_str().map(str::to_string))
                .collect(),
        };
        Some((key.span.clone(), members))
    });
    let mut parameters = Vec::new();
    let mut anchor = None;
    for path in [
        &["postgresql", "parameters"][..],
        &["bootstrap", "dcs", "postgresql", "parameters"][..],
    ] {
        let parent = doc.path(&path[..path.len() - 1]);
        if let Some((k, params)) = parent.and_then(|p| p.entry("parameters")) {
            anchor.get_or_insert(k.span.clone());
            for (name, value) in params.entries() {
                if let (Some(n), Some(v)) = (name.as_str(), value.as_str()) {
                    parameters.push((n.to_string(), v.to_string(), value.span.clone()));
                }
            }
        }
    }
    let anchor = anchor
        .or_else(|| doc.entry("postgresql").map(|(k, _)| k.span.clone()))
        .unwrap_or(0..0);
    Some(PatroniFact {
        file,
        path: path.to_path_buf(),
        etcd_hosts,
        parameters,
        anchor,
    })
}

/// Reads a Prometheus configuration; `None` when the document is not one.
pub fn prometheus_fact(doc: &Yaml, path: &Path, file: FileId) -> Option<PrometheusFact> {
    if !is_prometheus_config(doc) {
        return None;
    }
    let has_rule_files = doc
        .get("rule_files")
        .is_some_and(|r| !r.as_seq().is_empty() || r.as_str().is_some_and(|s| !s.is_empty()));
    let anchor = doc
        .entry("global")
        .or_else(|| doc.entries().first().map(|(k, v)| (k, v)))
        .map_or(0..0, |(k, _)| k.span.clone());
    Some(PrometheusFact {
        file,
        path: path.to_path_buf(),
        has_rule_files,
        anchor,
    })
}

/// Where a finding about a service as a whole points: its key.
pub fn service_anchor(service: &Service) -> (FileId, Span) {
    (service.file, service.key.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_images() {
        assert_eq!(runs_image("postgres:16-alpine"), Some(Runs::Postgres));
        assert_eq!(
            runs_image("docker.io/bitnami/postgresql:16"),
            Some(Runs::Postgres)
        );
        assert_eq!(
            runs_image("bitnami/postgresql-repmgr:16"),
            Some(Runs::PostgresHa)
        );
        assert_eq!(
            runs_image("registry.opensource.zalan.do/acid/spilo-16:3.2"),
            Some(Runs::PostgresHa)
        );
        assert_eq!(runs_image("bitnami/redis:7.2"), Some(Runs::Redis));
        assert_eq!(
            runs_image("bitnami/redis-sentinel:7.2"),
            Some(Runs::Sentinel)
        );
        assert_eq!(runs_image("quay.io/coreos/etcd:v3.5.9"), Some(Runs::Etcd));
        assert_eq!(runs_image("prometheuscommunity/postgres-exporter"), None);
        assert_eq!(runs_image("oliver006/redis_exporter"), None);
        assert_eq!(runs_image("localhost:5000/postgres"), Some(Runs::Postgres));
    }

    #[test]
    fn server_flags() {
        let words: Vec<Word> = crate::parse::shell_words::split_commands(
            "postgres -c autovacuum=off -clog_min_duration_statement=200 --max_connections=50",
            0,
            '\\',
        )
        .remove(0)
        .words;
        assert_eq!(server_flag(&words, "autovacuum").map(|f| f.0), Some("off"));
        assert_eq!(
            server_flag(&words, "log_min_duration_statement").map(|f| f.0),
            Some("200")
        );
        assert_eq!(
            server_flag(&words, "max_connections").map(|f| f.0),
            Some("50")
        );
    }
}
