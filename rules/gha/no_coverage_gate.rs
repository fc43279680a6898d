//! GHA004 (project rule): tests run with coverage but no threshold is enforced anywhere, or the
//! threshold is below the `min-coverage` option.

use crate::facts::ProjectFacts;
use crate::registry::Ctx;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const META: &str = include_str!("no_coverage_gate.toml");

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Options {
    min_coverage: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options { min_coverage: 80 }
    }
}

/// Files that may hold a gate prodlint does not read: pytest.ini (`addopts =
/// --cov-fail-under`) and Codecov's config (its status checks fail a pull request on a target).
const UNREAD_GATES: &[&str] = &[
    "pytest.ini",
    "codecov.yml",
    ".codecov.yml",
    "codecov.yaml",
    ".codecov.yaml",
];

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let options: Options = ctx.options();
    let min = options.min_coverage as f64;
    for t in facts.scoped(&facts.coverage_thresholds) {
        if t.value < min {
            ctx.report_in(
                t.file,
                t.span.clone(),
                format!(
                    "coverage threshold {}% ({}) is below the required {}%",
                    t.value, t.source, options.min_coverage
                ),
            )
            .help(format!(
                "raise it to at least {}% (option `min-coverage` of GHA004)",
                options.min_coverage
            ));
        }
    }
    // Any gate anywhere, even one whose level is unknown, answers "is there a threshold".
    let gated = !facts.coverage_thresholds.is_empty()
        || !facts.coverage_gates_unknown.is_empty()
        || UNREAD_GATES.iter().any(|f| facts.has_file_named(f));
    if gated {
        return;
    }
    // One finding per file: its first place that measures coverage.
    let mut first: BTreeMap<usize, (std::ops::Range<usize>, String)> = BTreeMap::new();
    for w in facts.workflows.iter().filter(|w| facts.in_scope(w.file)) {
        if let Some(span) = w.coverage_runs.first() {
            first
                .entry(w.file)
                .or_insert((span.clone(), "tests run with coverage".to_string()));
        }
    }
    for run in facts.scoped(&facts.coverage_runs) {
        first.entry(run.file).or_insert((
            run.span.clone(),
            format!("coverage is measured ({})", run.source),
        ));
    }
    for (file, (span, what)) in first {
        ctx.report_in(
            file,
            span,
            format!(
                "{what} but no threshold is enforced anywhere (`--cov-fail-under`, `fail_under`, `coverage report --fail-under`): coverage can fall to zero and CI stays green"
            ),
        )
        .help(format!(
            "add `--cov-fail-under={}` to the test command, or `fail_under = {}` to [tool.coverage.report]",
            options.min_coverage, options.min_coverage
        ));
    }
}
