//! OBS003 (project rule): a `prometheus.yml` with no alerting rules.

use crate::facts::ProjectFacts;
use crate::registry::Ctx;

pub const META: &str = include_str!("prometheus_without_alerts.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for p in facts.prometheus.iter().filter(|p| !p.has_rule_files) {
        ctx.report_in(
            p.file,
            p.anchor.clone(),
            "this Prometheus configuration loads no `rule_files`: it collects metrics but no \
             alert can ever fire",
        )
        .help("add `rule_files: [\"alerts/*.yml\"]` with alerting rules (and `alerting:` to reach Alertmanager)");
    }
}
