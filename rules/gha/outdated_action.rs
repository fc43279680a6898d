//! GHA002: a known action at a major whose runtime GitHub removed or deprecated, or that GitHub
//! blocks outright; and inputs the pinned major no longer accepts. Every fact comes from
//! `actions.toml` (dated and sourced); this file only reads it.

use super::{comment_version, parse_version, ref_kind, RefKind, Version};
use crate::diagnostic::Severity;
use crate::model::workflow::{parse_uses, trailing_comment, Step};
use crate::model::WorkflowFile;
use crate::registry::Ctx;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

pub const META: &str = include_str!("outdated_action.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Status {
    Blocked,
    RemovedRuntime,
    DeprecatedRuntime,
    Ok,
    Unknown,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    major: u64,
    runtime: String,
    status: Status,
    #[serde(default)]
    removed_inputs: Vec<String>,
    #[serde(default)]
    input_replacements: BTreeMap<String, String>,
    #[serde(default)]
    blocked_since: Option<String>,
    #[serde(default)]
    blocked_below: Option<String>,
    #[serde(default)]
    blocked_below_since: Option<String>,
    #[allow(dead_code)]
    #[serde(default)]
    inputs_source: Option<String>,
    #[allow(dead_code)]
    sources: Vec<String>,
    #[allow(dead_code)]
    #[serde(rename = "ref")]
    git_ref: String,
    #[allow(dead_code)]
    tag_date: String,
    #[allow(dead_code)]
    checked: String,
    #[allow(dead_code)]
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Runtime {
    name: String,
    #[allow(dead_code)]
    status: Status,
    summary: String,
    #[allow(dead_code)]
    sources: Vec<String>,
    #[allow(dead_code)]
    checked: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    action: Vec<Entry>,
    runtime: Vec<Runtime>,
}

static DATA: LazyLock<Data> = LazyLock::new(|| {
    toml::from_str(include_str!("actions.toml"))
        .unwrap_or_else(|e| panic!("internal error: rules/gha/actions.toml does not parse: {e}"))
});

impl Data {
    fn entry(&self, action: &str, major: u64) -> Option<&Entry> {
        self.action
            .iter()
            .find(|e| e.name == action && e.major == major)
    }

    /// The newest major the data knows to be fine, for the help text.
    fn newest_ok(&self, action: &str) -> Option<u64> {
        self.action
            .iter()
            .filter(|e| e.name == action && e.status == Status::Ok)
            .map(|e| e.major)
            .max()
    }

    fn runtime_summary(&self, runtime: &str) -> Option<&str> {
        self.runtime
            .iter()
            .find(|r| r.name == runtime)
            .map(|r| r.summary.as_str())
    }
}

pub fn check(file: &WorkflowFile<'_>, ctx: &mut Ctx<'_>) {
    let mut seen = HashSet::new();
    for step in file.workflow.jobs.iter().flat_map(|j| j.steps.iter()) {
        let Some(node) = step.uses else {
            continue;
        };
        // A step reused through a YAML alias shares its node: report it once.
        if seen.insert(node.span.start) {
            check_step(file, step, ctx);
        }
    }
}

/// The version a `uses:` runs: its tag, or for a SHA pin the version in the comment after it.
fn pinned_version(file: &WorkflowFile<'_>, step: &Step<'_>, git_ref: &str) -> Option<Version> {
    match ref_kind(git_ref) {
        RefKind::Version => parse_version(git_ref),
        RefKind::Sha => step
            .uses
            .and_then(|node| trailing_comment(file.text, node))
            .and_then(comment_version),
        RefKind::BranchLike => None,
    }
}

fn check_step(file: &WorkflowFile<'_>, step: &Step<'_>, ctx: &mut Ctx<'_>) {
    let (Some(node), Some(value)) = (step.uses, step.uses_str()) else {
        return;
    };
    let Some(uses) = parse_uses(value) else {
        return;
    };
    let (Some(action), Some(git_ref)) = (uses.repo_key(), uses_ref(&uses)) else {
        return;
    };
    let Some(version) = pinned_version(file, step, git_ref) else {
        return;
    };
    // `v3-node20` and other suffixed tags are separate builds the data does not describe.
    if !version.suffix.is_empty() {
        return;
    }
    let data = &*DATA;
    let Some(entry) = data.entry(&action, version.major()) else {
        return;
    };
    let major = version.major();
    let upgrade = data.newest_ok(&action).filter(|n| *n > major).map_or_else(
        || "upgrade to a current major".to_string(),
        |n| format!("upgrade to `{action}@v{n}` and check its release notes"),
    );
    let span = node.span.clone();
    match entry.status {
        Status::Blocked => {
            let since = entry
                .blocked_since
                .as_deref()
                .map_or(String::new(), |d| format!(" (from {d})"));
            ctx.report(
                span,
                format!("GitHub has shut down `{action}` v{major}{since}: jobs that use it fail"),
            )
            .help(upgrade)
            .severity(Severity::Error);
        }
        // The exact release being blocked is the bigger news; its runtime goes unsaid.
        _ if blocked_release(entry, &version, &action, span.clone(), ctx) => {}
        Status::RemovedRuntime | Status::DeprecatedRuntime => {
            let runtime = data
                .runtime_summary(&entry.runtime)
                .map_or_else(|| entry.runtime.clone(), str::to_string);
            ctx.report(span, format!("`{action}` v{major} runs on {runtime}"))
                .help(upgrade);
        }
        Status::Ok | Status::Unknown => {}
    }
    removed_inputs(step, entry, &action, major, ctx);
}

fn uses_ref<'a>(uses: &crate::model::workflow::Uses<'a>) -> Option<&'a str> {
    match uses {
        crate::model::workflow::Uses::Repo { git_ref, path, .. } if path.is_none() => *git_ref,
        _ => None,
    }
}

/// Reports an exact release below the major's cut-off (`actions/cache@v4.0.2`); whether it did.
fn blocked_release(
    entry: &Entry,
    version: &Version,
    action: &str,
    span: crate::source::Span,
    ctx: &mut Ctx<'_>,
) -> bool {
    // A floating `v4` follows the newest release; only an exact pin can be stuck below.
    if version.parts.len() < 2 {
        return false;
    }
    let Some(floor) = entry.blocked_below.as_deref().and_then(parse_version) else {
        return false;
    };
    if !version.is_below(&floor) {
        return false;
    }
    let since = entry
        .blocked_below_since
        .as_deref()
        .map_or(String::new(), |d| format!(" since {d}"));
    let shown: Vec<String> = version.parts.iter().map(u64::to_string).collect();
    ctx.report(
        span,
        format!(
            "`{action}` v{} is below v{}, which GitHub fails{since}",
            shown.join("."),
            entry.blocked_below.as_deref().unwrap_or("")
        ),
    )
    .help(format!(
        "pin v{} or newer",
        entry.blocked_below.as_deref().unwrap_or("")
    ))
    .severity(Severity::Error);
    true
}

fn removed_inputs(step: &Step<'_>, entry: &Entry, action: &str, major: u64, ctx: &mut Ctx<'_>) {
    let Some(with) = step.with else {
        return;
    };
    for (key, _) in with.entries() {
        let Some(name) = key.as_str() else {
            continue;
        };
        if !entry.removed_inputs.iter().any(|r| r == name) {
            continue;
        }
        let help = match entry.input_replacements.get(name) {
            Some(new) => format!("use `{new}` instead"),
            None => format!("remove `{name}`; see the v{major} release notes for what replaced it"),
        };
        ctx.report(
            key.span.clone(),
            format!("`{action}` v{major} no longer accepts the input `{name}`; it is ignored"),
        )
        .help(help);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_loads_and_is_sourced() {
        let data = &*DATA;
        assert!(data.action.len() > 50);
        for e in &data.action {
            let claims = matches!(
                e.status,
                Status::Blocked | Status::RemovedRuntime | Status::DeprecatedRuntime
            );
            assert!(
                !claims || !e.sources.is_empty(),
                "{} v{}: a claim needs sources",
                e.name,
                e.major
            );
            assert!(
                e.removed_inputs.is_empty() || e.inputs_source.is_some(),
                "{} v{}: removed inputs need a source",
                e.name,
                e.major
            );
            assert!(
                e.status != Status::Blocked || e.blocked_since.is_some(),
                "{} v{}",
                e.name,
                e.major
            );
            if matches!(e.status, Status::RemovedRuntime | Status::DeprecatedRuntime) {
                assert!(
                    data.runtime_summary(&e.runtime).is_some(),
                    "{} v{}: runtime {} undescribed",
                    e.name,
                    e.major,
                    e.runtime
                );
            }
            assert_eq!(e.name, e.name.to_ascii_lowercase());
            for k in e.input_replacements.keys() {
                assert!(
                    e.removed_inputs.contains(k),
                    "{} v{}: replacement for an input not removed",
                    e.name,
                    e.major
                );
            }
        }
    }
}
