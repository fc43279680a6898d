//! PCM005 (project rule): black, ruff, flake8, isort, pylint and pycodestyle configured with
//! different line lengths across pyproject.toml, setup.cfg, .flake8, tox.ini, pre-commit `args`
//! and workflow commands.

use crate::ci_facts::tools::is_formatter;
use crate::facts::{LengthOrigin, LineLength, ProjectFacts, Setting};
use crate::registry::Ctx;
use std::collections::BTreeMap;

pub const META: &str = include_str!("line_length_mismatch.toml");

/// Config files a tool reads that prodlint does not parse: when one exists, the tool's length
/// is unknown unless stated where we can see it, so its default is not assumed.
fn unseen_config(tool: &str) -> &'static [&'static str] {
    match tool {
        // isort also reads `max_line_length` from .editorconfig.
        "isort" => &[".isort.cfg", ".editorconfig"],
        "ruff" => &["ruff.toml", ".ruff.toml"],
        "pylint" => &[".pylintrc", "pylintrc"],
        _ => &[],
    }
}

/// The lengths in effect: explicit values (config files, arguments) always; a tool's default
/// only where nothing explicit overrides it. An invocation without a length reads the config
/// files, so its default holds only when no config file sets one; a config section without a
/// length yields the default only when the tool is given no length anywhere.
fn effective(facts: &ProjectFacts) -> Vec<&Setting<LineLength>> {
    let scoped = facts.scoped(&facts.line_lengths);
    let has = |tool: &str, origin: LengthOrigin| {
        scoped
            .iter()
            .any(|s| s.value.tool == tool && s.value.origin == origin)
    };
    scoped
        .iter()
        .copied()
        .filter(|s| {
            let tool = s.value.tool.as_str();
            match s.value.origin {
                LengthOrigin::Config | LengthOrigin::Argument => true,
                _ if unseen_config(tool).iter().any(|f| facts.has_file_named(f)) => false,
                LengthOrigin::DefaultOfInvocation => !has(tool, LengthOrigin::Config),
                LengthOrigin::DefaultOfSection => {
                    !has(tool, LengthOrigin::Config) && !has(tool, LengthOrigin::Argument)
                }
            }
        })
        .collect()
}

/// The length the others are measured against: the formatter's (it decides what the code
/// looks like; stated before defaulted), then the most stated explicitly, then the most
/// common; ties go to the smaller length.
fn reference(settings: &[&Setting<LineLength>]) -> Option<i64> {
    let mut score: BTreeMap<i64, (usize, usize, usize, usize)> = BTreeMap::new();
    for s in settings {
        let v = &s.value;
        let explicit = !v.origin.is_default();
        let formatter = is_formatter(&v.tool);
        let e = score.entry(v.length).or_default();
        e.0 += usize::from(formatter && explicit);
        e.1 += usize::from(formatter);
        e.2 += usize::from(explicit);
        e.3 += 1;
    }
    // BTreeMap iterates in ascending length; `max_by_key` keeps the last maximum, so reverse.
    score
        .iter()
        .rev()
        .max_by_key(|(_, s)| **s)
        .map(|(length, _)| *length)
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let settings = effective(facts);
    let Some(reference) = reference(&settings) else {
        return;
    };
    for s in &settings {
        let v = &s.value;
        // A default wider than the reference never fires on formatted code (pylint's 100
        // beside black's 88); a narrower one fails on every long formatted line.
        let odd = if v.origin.is_default() {
            v.length < reference
        } else {
            v.length != reference
        };
        if !odd {
            continue;
        }
        let others: Vec<String> = settings
            .iter()
            .filter(|o| o.value.length != v.length)
            .map(|o| format!("{} {} ({})", o.value.tool, o.value.length, o.source))
            .collect();
        ctx.report_in(
            s.file,
            s.span.clone(),
            format!(
                "{} line length {} ({}) disagrees with {}",
                v.tool,
                v.length,
                s.source,
                dedup(others).join("; ")
            ),
        )
        .help(format!(
            "use one line length everywhere ({reference} here, the formatter's): set it in pyproject.toml / setup.cfg and in every hook's args"
        ));
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
    v
}
