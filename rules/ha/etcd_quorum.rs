//! HA008 (project rule): an etcd cluster of one member or an even number of members.

use crate::facts::ProjectFacts;
use crate::model::topology::{compose_projects, runs, Runs};
use crate::registry::Ctx;
use crate::source::{FileId, Span};

pub const META: &str = include_str!("etcd_quorum.toml");

fn members(value: &str) -> usize {
    value.split(',').filter(|m| !m.trim().is_empty()).count()
}

fn report(ctx: &mut Ctx<'_>, file: FileId, span: Span, n: usize, source: &str) {
    let message = if n == 1 {
        format!("{source} has a single etcd member: when it is down Patroni cannot elect a leader, so there is no failover")
    } else {
        format!(
            "{source} has {n} etcd members: a quorum needs {}, so it tolerates no more failures \
             than {} members would, and a split into halves leaves neither side a majority",
            n / 2 + 1,
            n - 1
        )
    };
    ctx.report_in(file, span, message)
        .help("run an odd number of members: 3 tolerate one failure, 5 tolerate two (etcd FAQ)");
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for project in compose_projects(facts) {
        if project.is_development() {
            continue;
        }
        let etcd: Vec<_> = project
            .services
            .iter()
            .filter(|s| runs(s, facts) == Runs::Etcd)
            .collect();
        let Some(first) = etcd.first() else {
            continue;
        };
        // The cluster as etcd is told it: `ETCD_INITIAL_CLUSTER` or `--initial-cluster`.
        let declared = etcd.iter().find_map(|s| {
            if let Some(e) = s.env("ETCD_INITIAL_CLUSTER") {
                let v = e.value.as_deref()?;
                return Some((members(v), e.file, e.span.clone()));
            }
            let cmd = s.command.as_ref()?;
            cmd.value.iter().enumerate().find_map(|(i, w)| {
                let value = match w.text.strip_prefix("--initial-cluster") {
                    Some(rest) if rest.starts_with('=') => &rest[1..],
                    Some("") => cmd.value.get(i + 1)?.text.as_str(),
                    _ => return None,
                };
                Some((members(value), cmd.file, w.span.clone()))
            })
        });
        let (n, file, span) = declared.unwrap_or_else(|| {
            let n: u32 = etcd.iter().map(|s| s.replica_count()).sum();
            (n as usize, first.file, first.key.clone())
        });
        if n == 1 || n % 2 == 0 {
            report(ctx, file, span, n, "the compose etcd cluster");
        }
    }
    for p in &facts.patroni {
        let Some((span, hosts)) = &p.etcd_hosts else {
            continue;
        };
        let n = hosts.len();
        if n == 1 || (n > 0 && n % 2 == 0) {
            report(ctx, p.file, span.clone(), n, "Patroni's etcd `hosts`");
        }
    }
}
