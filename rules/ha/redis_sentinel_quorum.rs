//! HA006 (project rule): a Sentinel quorum that is not a majority of the sentinels deployed.

use super::sentinel::monitors;
use crate::facts::ProjectFacts;
use crate::registry::Ctx;

pub const META: &str = include_str!("redis_sentinel_quorum.toml");

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for m in monitors(facts) {
        let Some(n) = m.deployed else {
            continue;
        };
        let majority = n / 2 + 1;
        let message = if n < 3 {
            format!(
                "only {n} sentinel{} deployed for `{}`: with one down the rest cannot \
                 authorize a failover; deploy at least 3",
                if n == 1 { " is" } else { "s are" },
                m.master
            )
        } else if m.quorum > n {
            format!(
                "quorum {} for `{}` is more than the {n} sentinels deployed: the master can \
                 never be agreed to be down, so there is no failover",
                m.quorum, m.master
            )
        } else if m.quorum < majority {
            format!(
                "quorum {} for `{}` is not a majority of the {n} sentinels deployed (needs \
                 {majority}): a minority partition can declare the master down",
                m.quorum, m.master
            )
        } else {
            continue;
        };
        ctx.report_in(m.file, m.quorum_span.clone(), message)
            .help(format!(
                "with {} sentinels use quorum {}",
                n.max(3),
                n.max(3) / 2 + 1
            ));
    }
}
