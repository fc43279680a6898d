//! HA007: Sentinel's `down-after-milliseconds` left at its default or set high.

use super::sentinel::monitors;
use crate::facts::ProjectFacts;
use crate::registry::Ctx;
use serde::Deserialize;

pub const META: &str = include_str!("redis_sentinel_slow_failover.toml");

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Options {
    max_down_after_ms: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_down_after_ms: 10_000,
        }
    }
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let options: Options = ctx.options();
    let limit = u64::try_from(options.max_down_after_ms).unwrap_or(0);
    for m in monitors(facts) {
        match m.down_after {
            Some((ms, file, span)) if ms > limit => {
                ctx.report_in(
                    file,
                    span,
                    format!(
                        "`down-after-milliseconds` for `{}` is {ms} ms: the master is down that \
                         long before a failover starts (threshold {limit} ms)",
                        m.master
                    ),
                )
                .help(format!("lower it to {limit} ms or less (e.g. 5000)"));
            }
            Some(_) => {}
            None if m.default_down_after > limit => {
                ctx.report_in(
                    m.file,
                    m.anchor.clone(),
                    format!(
                        "`{}` has no `down-after-milliseconds`: Sentinel waits the {} ms default \
                         before it considers the master down and fails over",
                        m.master, m.default_down_after
                    ),
                )
                .help(format!(
                    "add `sentinel down-after-milliseconds {} 5000` (at most {limit} ms)",
                    m.master
                ));
            }
            None => {}
        }
    }
}
