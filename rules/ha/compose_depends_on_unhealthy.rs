//! HA004 (project rule): `depends_on` a service that has a healthcheck, without waiting for it.

use crate::diagnostic::Severity;
use crate::facts::ProjectFacts;
use crate::model::stacks::{in_dev_file, judged, Seen};
use crate::model::topology::{compose_projects, has_healthcheck};
use crate::registry::Ctx;

pub const META: &str = include_str!("compose_depends_on_unhealthy.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let mut seen = Seen::default();
    for project in judged(compose_projects(facts)) {
        // Services by name, once per project: a lookup per dependency, not a scan.
        let mut by_name = std::collections::HashMap::new();
        for s in &project.services {
            by_name.entry(s.name.as_str()).or_insert(s);
        }
        for service in &project.services {
            for dep in &service.depends_on {
                // `service_completed_successfully` waits for a one-shot job on purpose.
                if matches!(
                    dep.condition.as_deref(),
                    Some("service_healthy" | "service_completed_successfully")
                ) {
                    continue;
                }
                let Some(&target) = by_name.get(dep.service.as_str()) else {
                    continue;
                };
                if !has_healthcheck(target, facts)
                    || in_dev_file(facts, dep.file)
                    || !seen.first(dep.file, &dep.span)
                {
                    continue;
                }
                let form = match &dep.condition {
                    None => "in list form".to_string(),
                    Some(c) => format!("with `condition: {c}`"),
                };
                // An explicit `service_started` is the author's choice (the dependant may
                // retry by itself): worth a note, not a warning.
                let chosen = dep.condition.is_some();
                let note = if chosen {
                    " (reported as info: the condition is written out, so it may be deliberate)"
                } else {
                    ""
                };
                let report = ctx.report_in(
                    dep.file,
                    dep.span.clone(),
                    format!(
                        "`{}` depends on `{}` {form}: it starts once `{}`'s container has \
                         started, not once its healthcheck passes{note}",
                        service.name, dep.service, dep.service
                    ),
                );
                let report = if chosen {
                    report.severity(Severity::Info)
                } else {
                    report
                };
                report.help(format!(
                    "use the map form: `depends_on: {{{}: {{condition: service_healthy}}}}`",
                    dep.service
                ));
            }
        }
    }
}
