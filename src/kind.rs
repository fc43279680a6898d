//! Classification: one match on a file's name (and folder) decides its `FileKind`.

use std::path::Path;

/// What a file is, as far as prodlint is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    Python,
    Dockerfile,
    Workflow,
    /// A composite or local action's `action.yml` (`.github/actions/*/`, or the repository root).
    Action,
    Compose,
    Precommit,
    Pyproject,
    SetupCfg,
    Flake8,
    ToxIni,
    Coveragerc,
    Requirements,
    Sql,
    Shell,
    Dotenv,
    RedisConf,
    PostgresConf,
    PatroniYaml,
    PrometheusYaml,
    /// A file prodlint does not lint but whose presence is a fact (`.dockerignore`).
    DockerIgnore,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Python => "python",
            FileKind::Dockerfile => "dockerfile",
            FileKind::Workflow => "workflow",
            FileKind::Action => "action",
            FileKind::Compose => "compose",
            FileKind::Precommit => "precommit",
            FileKind::Pyproject => "pyproject",
            FileKind::SetupCfg => "setup.cfg",
            FileKind::Flake8 => ".flake8",
            FileKind::ToxIni => "tox.ini",
            FileKind::Coveragerc => ".coveragerc",
            FileKind::Requirements => "requirements",
            FileKind::Sql => "sql",
            FileKind::Shell => "shell",
            FileKind::Dotenv => "dotenv",
            FileKind::RedisConf => "redis-conf",
            FileKind::PostgresConf => "postgres-conf",
            FileKind::PatroniYaml => "patroni",
            FileKind::PrometheusYaml => "prometheus",
            FileKind::DockerIgnore => "dockerignore",
        }
    }

    /// Kinds whose files are read and parsed (everything but pure presence facts).
    pub fn is_linted(self) -> bool {
        !matches!(self, FileKind::DockerIgnore)
    }
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

/// Classifies a path by its file name and parent folders. Returns `None` for files prodlint
/// does not know by name; the caller may still recognise a shell script by its shebang
/// (see [`is_shell_shebang`]).
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    let grandparent = path
        .parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());

    if lower.ends_with(".py") || lower.ends_with(".pyi") {
        return Some(FileKind::Python);
    }
    // Before the Dockerfile names: `Dockerfile.dockerignore` is BuildKit's per-Dockerfile ignore file.
    if name == ".dockerignore" || lower.ends_with(".dockerignore") {
        return Some(FileKind::DockerIgnore);
    }
    if name == "Dockerfile"
        || name.starts_with("Dockerfile.")
        || lower.ends_with(".dockerfile")
        || name == "Containerfile"
        || name == "dockerfile"
    {
        return Some(FileKind::Dockerfile);
    }
    if is_yaml(&lower) {
        if parent == Some("workflows") && grandparent == Some(".github") {
            return Some(FileKind::Workflow);
        }
        if lower == "action.yml" || lower == "action.yaml" {
            let in_github_actions = path
                .components()
                .collect::<Vec<_>>()
                .windows(2)
                .any(|w| w[0].as_os_str() == ".github" && w[1].as_os_str() == "actions");
            let at_root = path.parent().is_none_or(|p| p.as_os_str().is_empty());
            return (in_github_actions || at_root).then_some(FileKind::Action);
        }
        if lower.starts_with("compose.") || lower.starts_with("docker-compose") {
            return Some(FileKind::Compose);
        }
        if name == ".pre-commit-config.yaml" || name == ".pre-commit-config.yml" {
            return Some(FileKind::Precommit);
        }
        if lower.starts_with("patroni") {
            return Some(FileKind::PatroniYaml);
        }
        if lower == "prometheus.yml" || lower == "prometheus.yaml" {
            return Some(FileKind::PrometheusYaml);
        }
        return None;
    }
    match name {
        "pyproject.toml" => return Some(FileKind::Pyproject),
        "setup.cfg" => return Some(FileKind::SetupCfg),
        ".flake8" => return Some(FileKind::Flake8),
        "tox.ini" => return Some(FileKind::ToxIni),
        ".coveragerc" => return Some(FileKind::Coveragerc),
        _ => {}
    }
    if lower.ends_with(".txt")
        && (lower.starts_with("requirements") || parent == Some("requirements"))
    {
        return Some(FileKind::Requirements);
    }
    if lower.ends_with(".sql") {
        return Some(FileKind::Sql);
    }
    if lower.ends_with(".sh") || lower.ends_with(".bash") {
        return Some(FileKind::Shell);
    }
    if lower.ends_with(".conf") {
        if lower.starts_with("sentinel") || lower.starts_with("redis") {
            return Some(FileKind::RedisConf);
        }
        if lower.starts_with("postgresql") {
            return Some(FileKind::PostgresConf);
        }
    }
    if is_dotenv_name(&lower) {
        return Some(FileKind::Dotenv);
    }
    None
}

/// Whether a YAML file's name leaves its kind to its content: a name prodlint does not know,
/// or one that names a configuration it checks (`patroni*.yml`, `prometheus.yml`), which is
/// confirmed by content (a Kubernetes manifest or a Grafana datasource may carry the name).
pub fn yaml_needs_sniffing(path: &Path, by_name: Option<FileKind>) -> bool {
    let yaml = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| is_yaml(&n.to_ascii_lowercase()));
    yaml && matches!(
        by_name,
        None | Some(FileKind::PatroniYaml | FileKind::PrometheusYaml)
    )
}

/// A YAML configuration's kind by its top-level keys: Patroni (`postgresql:` with `scope:`,
/// `bootstrap:` or `restapi:`), Prometheus (`scrape_configs:`, `rule_files:`, or `global:`
/// with `alerting:`). Kubernetes manifests and Grafana provisioning files are neither. A file
/// whose name already says Patroni or Prometheus (`by_name`) needs only one of that
/// configuration's sections.
pub fn sniff_yaml(text: &str, by_name: Option<FileKind>) -> Option<FileKind> {
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
        .collect();
    let has = |k: &str| keys.contains(&k);
    if (has("apiVersion") && has("kind")) || has("datasources") || has("services") {
        return None;
    }
    let any = |ks: &[&str]| ks.iter().any(|k| has(k));
    match by_name {
        Some(FileKind::PatroniYaml) => {
            return any(PATRONI_SECTIONS).then_some(FileKind::PatroniYaml);
        }
        Some(FileKind::PrometheusYaml) => {
            return any(PROMETHEUS_SECTIONS).then_some(FileKind::PrometheusYaml);
        }
        _ => {}
    }
    if has("postgresql") && (has("scope") || has("bootstrap") || has("restapi")) {
        return Some(FileKind::PatroniYaml);
    }
    if has("scrape_configs") || has("rule_files") || (has("global") && has("alerting")) {
        return Some(FileKind::PrometheusYaml);
    }
    None
}

/// Top-level sections of a Patroni configuration (Patroni documentation, "YAML Configuration
/// Settings").
pub const PATRONI_SECTIONS: &[&str] = &[
    "scope",
    "restapi",
    "bootstrap",
    "postgresql",
    "etcd",
    "etcd3",
    "consul",
    "zookeeper",
    "exhibitor",
    "raft",
];
/// Top-level sections of a Prometheus server configuration.
const PROMETHEUS_SECTIONS: &[&str] = &[
    "global",
    "scrape_configs",
    "rule_files",
    "alerting",
    "remote_write",
    "remote_read",
    "scrape_config_files",
];

/// `.env`, `.env.production`, `production.env`: real dotenv files. The documentation variants
/// (`.env.example`, `.env.sample`, `.env.template`) are dotenv too but are flagged as such by
/// [`is_documentation_dotenv`], so rules about committed secrets can skip them.
fn is_dotenv_name(lower: &str) -> bool {
    lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env")
}

pub fn is_documentation_dotenv(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    ["example", "sample", "template", "dist", "tpl"]
        .iter()
        .any(|doc| lower.contains(&format!(".{doc}")) || lower.starts_with(&format!("{doc}.")))
}

/// A file without a known name whose first line is a `sh`/`bash` shebang is a shell script.
pub fn is_shell_shebang(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"#!") else {
        return false;
    };
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let Ok(line) = std::str::from_utf8(&rest[..line_end]) else {
        return false;
    };
    let mut words = line.split_whitespace();
    let Some(interpreter) = words.next() else {
        return false;
    };
    let program = if interpreter.ends_with("/env") {
        words.find(|w| !w.starts_with('-')).unwrap_or("")
    } else {
        interpreter.rsplit('/').next().unwrap_or("")
    };
    matches!(program, "sh" | "bash" | "dash" | "ash" | "ksh" | "zsh")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_name() {
        let cases = [
            ("app/main.py", Some(FileKind::Python)),
            ("backend/Dockerfile", Some(FileKind::Dockerfile)),
            ("Dockerfile.prod", Some(FileKind::Dockerfile)),
            ("api.Dockerfile", Some(FileKind::Dockerfile)),
            ("Containerfile", Some(FileKind::Dockerfile)),
            ("Dockerfile.dockerignore", Some(FileKind::DockerIgnore)),
            ("Dockerfile.prod.dockerignore", Some(FileKind::DockerIgnore)),
            (".github/workflows/ci.yml", Some(FileKind::Workflow)),
            (".github/actions/setup/action.yml", Some(FileKind::Action)),
            (
                ".github/actions/deploy/prod/action.yaml",
                Some(FileKind::Action),
            ),
            ("action.yml", Some(FileKind::Action)),
            ("docs/examples/action.yml", None),
            ("workflows/ci.yml", None),
            ("compose.yaml", Some(FileKind::Compose)),
            ("docker-compose.production.yml", Some(FileKind::Compose)),
            ("compose.override.yml", Some(FileKind::Compose)),
            (".pre-commit-config.yaml", Some(FileKind::Precommit)),
            ("requirements-dev.txt", Some(FileKind::Requirements)),
            ("requirements/base.txt", Some(FileKind::Requirements)),
            ("db/001.sql", Some(FileKind::Sql)),
            ("scripts/deploy.sh", Some(FileKind::Shell)),
            (".env", Some(FileKind::Dotenv)),
            (".env.example", Some(FileKind::Dotenv)),
            ("config/production.env", Some(FileKind::Dotenv)),
            ("sentinel.conf", Some(FileKind::RedisConf)),
            ("postgresql.conf", Some(FileKind::PostgresConf)),
            ("patroni.yml", Some(FileKind::PatroniYaml)),
            ("README.md", None),
            ("notes.txt", None),
        ];
        for (path, want) in cases {
            assert_eq!(classify(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn sniffs_yaml_content() {
        let patroni = "scope: batman\nnamespace: /db/\nrestapi:\n  listen: 0.0.0.0:8008\npostgresql:\n  data_dir: data/pg0\n";
        assert_eq!(sniff_yaml(patroni, None), Some(FileKind::PatroniYaml));
        let named = Some(FileKind::PatroniYaml);
        assert_eq!(sniff_yaml("etcd3:\n  hosts: a:2379\n", named), named);
        let manifest = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: patroni\n";
        assert_eq!(sniff_yaml(manifest, named), None);
        let grafana = "apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n";
        assert_eq!(sniff_yaml(grafana, Some(FileKind::PrometheusYaml)), None);
        let prom = "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: api\n";
        assert_eq!(sniff_yaml(prom, None), Some(FileKind::PrometheusYaml));
        assert_eq!(sniff_yaml("name: CI\non: push\n", None), None);
        assert!(yaml_needs_sniffing(Path::new("postgres0.yml"), None));
        assert!(!yaml_needs_sniffing(
            Path::new("compose.yaml"),
            Some(FileKind::Compose)
        ));
    }

    #[test]
    fn documentation_dotenv() {
        assert!(is_documentation_dotenv(Path::new(".env.example")));
        assert!(is_documentation_dotenv(Path::new(
            "config/production.env.sample"
        )));
        assert!(!is_documentation_dotenv(Path::new("config/production.env")));
    }

    #[test]
    fn shebangs() {
        assert!(is_shell_shebang(b"#!/bin/bash\necho"));
        assert!(is_shell_shebang(b"#!/usr/bin/env -S bash -e\n"));
        assert!(is_shell_shebang(b"#!/bin/sh"));
        assert!(!is_shell_shebang(b"#!/usr/bin/env python3\n"));
        assert!(!is_shell_shebang(b"echo hi"));
    }
}
