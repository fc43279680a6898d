//! DB010 (project rule): a PostgreSQL configured without `log_min_duration_statement`.

use crate::facts::ProjectFacts;
use crate::kind::FileKind;
use crate::model::compose::Service;
use crate::model::stacks::{in_dev_file, judged, production_message, soften, Seen};
use crate::model::topology::{compose_projects, runs, server_flag, Runs};
use crate::registry::Ctx;
use crate::source::{FileId, Span};
use std::path::PathBuf;

pub const META: &str = include_str!("slow_query_log_missing.toml");

const SETTING: &str = "log_min_duration_statement";
const HELP: &str = "set `log_min_duration_statement = 500` (ms, or what your latency budget \
                    allows) so slow statements are logged with their duration (§2.1)";

/// Where a value of the setting is written: its value, file and span.
type Found = (String, FileId, Span);

fn in_service(service: &Service) -> Option<Found> {
    if let Some(cmd) = &service.command {
        if let Some((value, word)) = server_flag(&cmd.value, SETTING) {
            return Some((value.to_string(), cmd.file, word.span.clone()));
        }
    }
    // `POSTGRESQL_EXTRA_FLAGS=-c log_min_duration_statement=…` (Bitnami) and similar.
    service.environment.iter().find_map(|e| {
        let v = e.value.as_deref()?;
        let at = v.find(SETTING)?;
        let value = v[at + SETTING.len()..]
            .trim_start_matches([' ', '='])
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        Some((value, e.file, e.span.clone()))
    })
}

fn disabled(value: &str) -> bool {
    value.trim_matches(['\'', '"']).trim() == "-1"
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let mut mounted: Vec<PathBuf> = Vec::new();
    let conf_setting = |path: &PathBuf| -> Option<Found> {
        let conf = facts.confs.iter().find(|c| &c.path == path)?;
        let d = conf.directives.iter().rev().find(|d| d.name == SETTING)?;
        let (v, span) = d.args.first()?;
        Some((v.clone(), conf.file, span.clone()))
    };
    let mut seen = Seen::default();
    // Every stack's mounts count (a development stack's postgresql.conf is not checked on its
    // own below); only judged stacks report.
    for project in compose_projects(facts) {
        let judged_here = judged(std::slice::from_ref(project)).len() == 1;
        for service in &project.services {
            let kind = runs(service, facts);
            if !kind.is_postgres() {
                continue;
            }
            let confs: Vec<PathBuf> = service
                .volumes
                .iter()
                .filter_map(|v| v.host_path.as_ref())
                .flat_map(|host| {
                    facts
                        .confs
                        .iter()
                        .filter(move |c| {
                            c.kind == FileKind::PostgresConf && c.path.starts_with(host)
                        })
                        .map(|c| c.path.clone())
                })
                .collect();
            mounted.extend(confs.iter().cloned());
            if !judged_here || in_dev_file(facts, service.file) {
                continue;
            }
            // Patroni's own configuration files are checked on their own below.
            if kind == Runs::PostgresHa && !facts.patroni.is_empty() {
                continue;
            }
            let found = in_service(service).or_else(|| confs.iter().find_map(conf_setting));
            match found {
                Some((value, file, span)) if disabled(&value) => {
                    if !seen.first(file, &span) {
                        continue;
                    }
                    let message = format!(
                        "`{SETTING} = -1` turns the slow-query log off for service `{}`",
                        service.name
                    );
                    let report = ctx.report_in(file, span, production_message(project, message));
                    soften(report, project).help(HELP);
                }
                Some(_) => {}
                None => {
                    if !seen.first(service.file, &service.key) {
                        continue;
                    }
                    let message = format!(
                        "service `{}` runs {} without `{SETTING}`: slow queries are never \
                         logged, so there is nothing to find them with",
                        service.name,
                        kind.label()
                    );
                    let report = ctx.report_in(
                        service.file,
                        service.key.clone(),
                        production_message(project, message),
                    );
                    soften(report, project).help(HELP);
                }
            }
        }
    }
    // A postgresql.conf no service mounts is checked on its own.
    for conf in facts
        .confs
        .iter()
        .filter(|c| c.kind == FileKind::PostgresConf && !mounted.contains(&c.path))
    {
        match conf_setting(&conf.path) {
            Some((value, file, span)) if disabled(&value) => {
                ctx.report_in(
                    file,
                    span,
                    format!("`{SETTING} = -1` turns the slow-query log off"),
                )
                .help(HELP);
            }
            Some(_) => {}
            None => {
                ctx.report_in(
                    conf.file,
                    0..0,
                    format!("this postgresql.conf does not set `{SETTING}`: slow queries are never logged"),
                )
                .help(HELP);
            }
        }
    }
    for p in &facts.patroni {
        match p.parameters.iter().find(|(n, _, _)| n == SETTING) {
            Some((_, value, span)) if disabled(value) => {
                ctx.report_in(
                    p.file,
                    span.clone(),
                    format!("`{SETTING}: -1` turns the slow-query log off"),
                )
                .help(HELP);
            }
            Some(_) => {}
            None => {
                ctx.report_in(
                    p.file,
                    p.anchor.clone(),
                    format!(
                        "this Patroni configuration's `postgresql.parameters` do not set \
                         `{SETTING}`: slow queries are never logged"
                    ),
                )
                .help(HELP);
            }
        }
    }
}
