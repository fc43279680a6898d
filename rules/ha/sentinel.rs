//! Redis Sentinel monitors wherever they are configured: `sentinel.conf` files, `sentinel …`
//! directives on a compose `command:` line, and the Bitnami image's environment; each with the
//! number of sentinels the compose project deploys.

use crate::facts::ProjectFacts;
use crate::kind::FileKind;
use crate::model::compose::Service;
use crate::model::topology::{compose_projects, runs, Runs};
use crate::parse::shell_words::Word;
use crate::source::{FileId, Span};
use std::path::Path;

/// Bitnami's `bitnami/redis-sentinel` defaults (its README, "Configuration").
const BITNAMI_QUORUM: u32 = 2;
const BITNAMI_DOWN_AFTER: u64 = 60_000;

#[derive(Debug, Clone)]
pub struct Monitor {
    pub file: FileId,
    pub master: String,
    pub quorum: u32,
    /// The quorum as written (or the service key for an image default).
    pub quorum_span: Span,
    /// The whole `sentinel monitor …` (or the service key for an image default).
    pub anchor: Span,
    /// `down-after-milliseconds` for this master, with where it is set.
    pub down_after: Option<(u64, FileId, Span)>,
    /// The default that applies when `down_after` is not set (30000, Bitnami's 60000).
    pub default_down_after: u64,
    /// Sentinels the compose project deploys (services × replicas), when known.
    pub deployed: Option<u32>,
}

/// `monitor NAME HOST PORT QUORUM` and `down-after-milliseconds NAME MS` among words (a
/// `sentinel.conf` line's arguments or a command line).
fn from_words(file: FileId, words: &[(&str, Span)], deployed: Option<u32>) -> Vec<Monitor> {
    let mut out = Vec::new();
    for (i, (w, span)) in words.iter().enumerate() {
        if *w != "monitor" || i == 0 || !matches!(words[i - 1].0, "sentinel" | "--sentinel") {
            continue;
        }
        let (Some((master, _)), Some((quorum, qspan))) = (words.get(i + 1), words.get(i + 4))
        else {
            continue;
        };
        let Ok(quorum) = quorum.parse::<u32>() else {
            continue;
        };
        out.push(Monitor {
            file,
            master: master.to_string(),
            quorum,
            quorum_span: qspan.clone(),
            anchor: words[i - 1].1.start.min(span.start)..qspan.end.max(span.end),
            down_after: None,
            default_down_after: 30_000,
            deployed,
        });
    }
    for (i, (w, _)) in words.iter().enumerate() {
        if *w != "down-after-milliseconds" {
            continue;
        }
        let (Some((master, _)), Some((ms, span))) = (words.get(i + 1), words.get(i + 2)) else {
            continue;
        };
        let Ok(ms) = ms.parse::<u64>() else {
            continue;
        };
        for m in out.iter_mut().filter(|m| m.master == *master) {
            m.down_after = Some((ms, file, span.clone()));
        }
    }
    out
}

fn conf_monitors(facts: &ProjectFacts, path: &Path, deployed: Option<u32>) -> Vec<Monitor> {
    let Some(conf) = facts
        .confs
        .iter()
        .find(|c| c.kind == FileKind::RedisConf && c.path == path)
    else {
        return Vec::new();
    };
    // One directive per line: `sentinel monitor …`, `sentinel down-after-milliseconds …`.
    let words: Vec<(&str, Span)> = conf
        .directives
        .iter()
        .flat_map(|d| {
            std::iter::once((d.name.as_str(), d.span.start..d.span.start + d.name.len()))
                .chain(d.args.iter().map(|(a, s)| (a.as_str(), s.clone())))
        })
        .collect();
    from_words(conf.file, &words, deployed)
}

fn command_monitors(service: &Service, deployed: Option<u32>) -> Vec<Monitor> {
    let Some(cmd) = &service.command else {
        return Vec::new();
    };
    let words: Vec<(&str, Span)> = cmd
        .value
        .iter()
        .map(|w: &Word| (w.text.as_str(), w.span.clone()))
        .collect();
    from_words(cmd.file, &words, deployed)
}

/// The Bitnami sentinel image configures its monitor from the environment.
fn bitnami_monitor(service: &Service, deployed: Option<u32>) -> Option<Monitor> {
    let image = service.image.as_ref()?;
    if !crate::model::topology::image_repository(&image.value).ends_with("redis-sentinel") {
        return None;
    }
    let quorum = service.env("REDIS_SENTINEL_QUORUM");
    let (q, qspan, qfile) = match quorum.and_then(|e| Some((e.value.as_deref()?.parse().ok()?, e)))
    {
        Some((q, e)) => (q, e.span.clone(), e.file),
        None => (BITNAMI_QUORUM, service.key.clone(), service.file),
    };
    let down_after = service
        .env("REDIS_SENTINEL_DOWN_AFTER_MILLISECONDS")
        .and_then(|e| Some((e.value.as_deref()?.parse().ok()?, e.file, e.span.clone())));
    Some(Monitor {
        file: qfile,
        master: service
            .env("REDIS_MASTER_SET")
            .and_then(|e| e.value.clone())
            .unwrap_or_else(|| "mymaster".to_string()),
        quorum: q,
        quorum_span: qspan,
        anchor: service.key.clone(),
        down_after,
        default_down_after: BITNAMI_DOWN_AFTER,
        deployed,
    })
}

/// The master a Bitnami sentinel watches: host, port and master set, as written.
fn bitnami_target(service: &Service) -> Option<(String, String, String)> {
    let image = service.image.as_ref()?;
    if !crate::model::topology::image_repository(&image.value).ends_with("redis-sentinel") {
        return None;
    }
    let env = |name: &str, default: &str| {
        service
            .env(name)
            .and_then(|e| e.value.clone())
            .unwrap_or_else(|| default.to_string())
    };
    Some((
        env("REDIS_MASTER_HOST", "redis"),
        env("REDIS_MASTER_PORT_NUMBER", "6379"),
        env("REDIS_MASTER_SET", "mymaster"),
    ))
}

/// Every monitor of the repository, once each.
pub fn monitors(facts: &ProjectFacts) -> Vec<Monitor> {
    let mut out: Vec<Monitor> = Vec::new();
    let mut tied: Vec<&Path> = Vec::new();
    let projects = compose_projects(facts);
    let mut counts = Vec::new();
    for project in projects {
        let sentinels: Vec<&Service> = project
            .services
            .iter()
            .filter(|s| runs(s, facts) == Runs::Sentinel)
            .collect();
        if sentinels.is_empty() {
            continue;
        }
        // A development stack (one sentinel beside a Redis for local work) is not judged, nor
        // are the files it mounts judged alone.
        if project.is_development() {
            for s in &sentinels {
                for host in s.volumes.iter().filter_map(|v| v.host_path.as_ref()) {
                    tied.extend(
                        facts
                            .confs
                            .iter()
                            .filter(|c| c.kind == FileKind::RedisConf && c.path.starts_with(host))
                            .map(|c| c.path.as_path()),
                    );
                }
            }
            continue;
        }
        let deployed: u32 = sentinels.iter().map(|s| s.replica_count()).sum();
        counts.push(deployed);
        // Bitnami sentinels name the master they watch in their environment: sentinels
        // watching another master (a second Redis) do not vote on this one.
        let all_bitnami = sentinels.iter().all(|s| bitnami_target(s).is_some());
        for s in sentinels.iter().copied() {
            let deployed = if all_bitnami {
                sentinels
                    .iter()
                    .filter(|o| bitnami_target(o) == bitnami_target(s))
                    .map(|o| o.replica_count())
                    .sum()
            } else {
                deployed
            };
            out.extend(command_monitors(s, Some(deployed)));
            out.extend(bitnami_monitor(s, Some(deployed)));
            for v in &s.volumes {
                let Some(host) = &v.host_path else { continue };
                for conf in facts.confs.iter().filter(|c| {
                    c.kind == FileKind::RedisConf && (&c.path == host || c.path.starts_with(host))
                }) {
                    tied.push(&conf.path);
                    out.extend(conf_monitors(facts, &conf.path, Some(deployed)));
                }
            }
        }
    }
    // A file no service mounts: the sentinels deployed are known when one compose project
    // deploys sentinels.
    let only = match counts.as_slice() {
        [n] => Some(*n),
        _ => None,
    };
    for conf in facts.confs.iter().filter(|c| c.kind == FileKind::RedisConf) {
        if !tied.contains(&conf.path.as_path()) {
            out.extend(conf_monitors(facts, &conf.path, only));
        }
    }
    // The same file mounted by several sentinels, or a command shared through a YAML anchor,
    // is one configuration.
    let mut seen = Vec::new();
    out.retain(|m| {
        let key = (m.file, m.quorum_span.clone(), m.master.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    out
}
