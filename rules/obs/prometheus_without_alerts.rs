//! OBS003 (project rule): a Prometheus configuration with no alerting rules.

use crate::facts::ProjectFacts;
use crate::model::compose::Stage;
use crate::model::topology::compose_projects;
use crate::registry::Ctx;
use std::path::Path;

pub const META: &str = include_str!("prometheus_without_alerts.toml");

/// Whether the configuration is mounted by development stacks only (a local monitoring
/// stack beside the code): it does not describe production monitoring.
fn only_in_development(facts: &ProjectFacts, path: &Path) -> bool {
    let mut mounted_dev = false;
    for project in compose_projects(facts) {
        let mounts = project
            .services
            .iter()
            .flat_map(|s| &s.volumes)
            .filter_map(|v| v.host_path.as_deref())
            .any(|host| path.starts_with(host));
        if !mounts {
            continue;
        }
        if !matches!(project.stage, Stage::Development(_)) {
            return false;
        }
        mounted_dev = true;
    }
    mounted_dev
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for p in facts.prometheus.iter().filter(|p| !p.has_rule_files) {
        if only_in_development(facts, &p.path) {
            continue;
        }
        ctx.report_in(
            p.file,
            p.anchor.clone(),
            "this Prometheus configuration loads no `rule_files`: it collects metrics but no \
             alert can ever fire",
        )
        .help("add `rule_files: [\"alerts/*.yml\"]` with alerting rules (and `alerting:` to reach Alertmanager)");
    }
}
