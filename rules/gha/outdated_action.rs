//! GHA002: a known action at a major whose runtime GitHub removed or deprecated, or that GitHub
//! blocks outright; and inputs the pinned major no longer accepts. Every fact comes from
//! `actions.toml` (dated and sourced); this file only reads it.

use super::today::today;
use super::{comment_version, parse_version, ref_kind, RefKind, Version};
use crate::diagnostic::{Edit, Severity};
use crate::model::workflow::{parse_uses, trailing_comment, Step, Uses};
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
    /// A major its maintainers replaced with a different kind of action (checkout v1, a runner
    /// plugin, replaced by the JavaScript action v2): outdated, whether or not it still loads.
    Superseded,
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
    /// Releases inside the major declare different runtimes: only the floating tag is judged.
    #[serde(default)]
    mixed: bool,
    #[allow(dead_code)]
    #[serde(default)]
    inputs_source: Option<String>,
    /// Every input this major declares, when its action.yml was read (the fix's evidence).
    #[serde(default)]
    inputs: Option<Vec<String>>,
    /// The inputs this major requires (`required: true`, no default).
    #[serde(default)]
    required_inputs: Vec<String>,
    #[allow(dead_code)]
    #[serde(default)]
    inputs_read: Option<String>,
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
    /// The day the runtime leaves (or left) the runner.
    removed: String,
    /// The runtime the runner runs these actions on instead, and from when.
    #[serde(default)]
    forced_to: Option<String>,
    #[serde(default)]
    forced_since: Option<String>,
    #[allow(dead_code)]
    sources: Vec<String>,
    #[allow(dead_code)]
    checked: String,
    #[allow(dead_code)]
    #[serde(default)]
    note: Option<String>,
}

impl Runtime {
    /// What GitHub did (or will do) to the runtime, worded against `today` (`YYYY-MM-DD`): a
    /// date that has passed is told as passed, never as scheduled.
    fn summary(&self, today: &str) -> String {
        let name = &self.name;
        let removed = &self.removed;
        let passed = removed.as_str() <= today;
        let removal = if passed {
            format!("removed {name} from the runner on {removed}")
        } else {
            format!("will remove {name} from the runner on {removed}")
        };
        match (&self.forced_to, &self.forced_since) {
            (Some(to), Some(since)) => {
                let forced = if since.as_str() <= today {
                    format!("the runner has forced these actions onto {to} since {since}")
                } else {
                    format!("the runner will force these actions onto {to} from {since}")
                };
                format!("{name}, which GitHub deprecated: {forced}, and GitHub {removal}")
            }
            _ if passed => format!(
                "{name}, which GitHub removed from the runner on {removed}; the action is forced onto a newer Node than it was written for"
            ),
            _ => format!("{name}, which GitHub deprecated and will remove from the runner on {removed}"),
        }
    }
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

    /// The lowest major above `major` that is fine and whose declared inputs the data lists.
    fn upgrade_target(&self, action: &str, major: u64) -> Option<&Entry> {
        self.action
            .iter()
            .filter(|e| {
                e.name == action && e.major > major && e.status == Status::Ok && e.inputs.is_some()
            })
            .min_by_key(|e| e.major)
    }

    fn runtime(&self, runtime: &str) -> Option<&Runtime> {
        self.runtime.iter().find(|r| r.name == runtime)
    }
}

pub fn check(file: &WorkflowFile<'_>, ctx: &mut Ctx<'_>) {
    let today = today();
    let mut seen = HashSet::new();
    for step in file.workflow.jobs.iter().flat_map(|j| j.steps.iter()) {
        let Some(node) = step.uses else {
            continue;
        };
        // A step reused through a YAML alias shares its node: report it once.
        if seen.insert(node.span.start) {
            check_step(file, step, &today, ctx);
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

fn check_step(file: &WorkflowFile<'_>, step: &Step<'_>, today: &str, ctx: &mut Ctx<'_>) {
    let (Some(node), Some(value)) = (step.uses, step.uses_str()) else {
        return;
    };
    let Some(uses) = parse_uses(value) else {
        return;
    };
    let Some((action, git_ref)) = action_key(&uses) else {
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
            let message = match entry.blocked_since.as_deref() {
                Some(d) if d > today => format!(
                    "GitHub will shut down `{action}` v{major} on {d}: jobs that use it will fail"
                ),
                Some(d) => format!(
                    "GitHub has shut down `{action}` v{major} (since {d}): jobs that use it fail"
                ),
                None => format!("GitHub has shut down `{action}` v{major}: jobs that use it fail"),
            };
            ctx.report(span, message)
                .help(upgrade)
                .severity(Severity::Error)
                .fix(raise_major(file, step, &action, major, git_ref));
        }
        // The exact release being blocked is the bigger news; its runtime goes unsaid.
        _ if blocked_release(entry, &version, &action, span.clone(), today, ctx) => {}
        // Releases of a mixed major run on different runtimes: only the floating tag says which.
        Status::RemovedRuntime | Status::DeprecatedRuntime
            if entry.mixed && version.parts.len() > 1 => {}
        Status::RemovedRuntime | Status::DeprecatedRuntime => {
            let runtime = data
                .runtime(&entry.runtime)
                .map_or_else(|| entry.runtime.clone(), |r| r.summary(today));
            ctx.report(span, format!("`{action}` v{major} runs on {runtime}"))
                .help(upgrade)
                .fix(raise_major(file, step, &action, major, git_ref));
        }
        Status::Superseded => {
            ctx.report(
                span,
                format!(
                    "`{action}` v{major} is the {} runner-plugin version, which its maintainers replaced with a regular action in v{}; it gets no fixes",
                    entry.tag_date.get(..4).unwrap_or("old"),
                    major + 1
                ),
            )
            .help(upgrade)
            .fix(raise_major(file, step, &action, major, git_ref));
        }
        Status::Ok | Status::Unknown => {}
    }
    removed_inputs(step, entry, &action, major, ctx);
}

/// The edit raising a version tag (`@v3`, `@v3.5.2`) to the lowest fine major the data has
/// read the inputs of, when every `with:` key of the step is one of them. A SHA pin, an unread
/// target or an input the target does not declare: no edit. Always an unsafe fix (the rule's
/// TOML): a new major may change behaviour even for the same inputs.
fn raise_major(
    file: &WorkflowFile<'_>,
    step: &Step<'_>,
    action: &str,
    major: u64,
    git_ref: &str,
) -> Vec<Edit> {
    let (Some(node), RefKind::Version) = (step.uses, ref_kind(git_ref)) else {
        return Vec::new();
    };
    let Some(target) = DATA.upgrade_target(action, major) else {
        return Vec::new();
    };
    let declared = target.inputs.as_deref().unwrap_or_default();
    let given: Vec<&str> = step
        .with
        .map(|with| {
            with.entries()
                .iter()
                .filter_map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default();
    let keys = step.with.map_or(0, |with| with.entries().len());
    // Every key a plain name the target declares, and every input it requires given (a step
    // that lacks one fails on the new major, whatever the old one did).
    let accepted = given.len() == keys
        && given.iter().all(|k| declared.iter().any(|d| d == k))
        && target
            .required_inputs
            .iter()
            .all(|r| given.contains(&r.as_str()));
    // `uses:` written with a `${{ }}` or an anchor is not a plain `owner/repo@ref`.
    let Some(written) = file.text.get(node.span.clone()) else {
        return Vec::new();
    };
    let needle = format!("@{git_ref}");
    let Some(at) = written.rfind(&needle) else {
        return Vec::new();
    };
    let after = &written[at + needle.len()..];
    if !accepted || !(after.is_empty() || after == "\"" || after == "'") {
        return Vec::new();
    }
    let start = node.span.start + at + 1;
    vec![Edit {
        span: start..start + git_ref.len(),
        text: format!("v{}", target.major),
    }]
}

/// The data key (`owner/repo`, or `owner/repo/path` for an action in a sub-folder such as
/// `github/codeql-action/init`) and the ref of a remote action; `None` for a reusable workflow.
fn action_key<'a>(uses: &Uses<'a>) -> Option<(String, &'a str)> {
    let Uses::Repo {
        owner,
        repo,
        path,
        git_ref: Some(git_ref),
    } = uses
    else {
        return None;
    };
    let key = match path {
        None => format!("{owner}/{repo}"),
        Some(p) if p.ends_with(".yml") || p.ends_with(".yaml") => return None,
        Some(p) => format!("{owner}/{repo}/{}", p.trim_end_matches('/')),
    };
    Some((key.to_ascii_lowercase(), git_ref))
}

/// Reports an exact release below the major's cut-off (`actions/cache@v4.0.2`); whether it did.
fn blocked_release(
    entry: &Entry,
    version: &Version,
    action: &str,
    span: crate::source::Span,
    today: &str,
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
    let since = match entry.blocked_below_since.as_deref() {
        Some(d) if d > today => format!(" from {d}"),
        Some(d) => format!(" since {d}"),
        None => String::new(),
    };
    let shown: Vec<String> = version.parts.iter().map(u64::to_string).collect();
    ctx.report(
        span,
        format!(
            "`{action}` v{} is below v{}, which GitHub {}{since}",
            shown.join("."),
            entry.blocked_below.as_deref().unwrap_or(""),
            if since.starts_with(" from") {
                "will fail"
            } else {
                "fails"
            }
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
                Status::Blocked
                    | Status::RemovedRuntime
                    | Status::DeprecatedRuntime
                    | Status::Superseded
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
                    data.runtime(&e.runtime).is_some(),
                    "{} v{}: runtime {} undescribed",
                    e.name,
                    e.major,
                    e.runtime
                );
            }
            assert_eq!(e.name, e.name.to_ascii_lowercase());
            assert!(
                super::super::today::is_iso_date(&e.tag_date),
                "{} v{}",
                e.name,
                e.major
            );
            assert!(
                super::super::today::is_iso_date(&e.checked),
                "{} v{}",
                e.name,
                e.major
            );
            assert!(!e.git_ref.is_empty());
            assert_eq!(
                e.inputs.is_some(),
                e.inputs_read.is_some(),
                "{} v{}: inputs need where they were read",
                e.name,
                e.major
            );
            assert!(
                e.required_inputs
                    .iter()
                    .all(|r| e.inputs.as_ref().is_some_and(|i| i.contains(r))),
                "{} v{}: a required input not among the inputs",
                e.name,
                e.major
            );
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

    /// The node20 wording on both sides of its dates: before the forced switch, between the
    /// switch and the removal, and after the removal (2026-09-23, moved from 2026-09-16).
    #[test]
    fn node20_wording_follows_the_clock() {
        let node20 = DATA.runtime("node20").expect("node20 described");
        assert_eq!(node20.removed, "2026-09-23");
        let before = node20.summary("2026-06-01");
        assert!(before.contains("will force these actions onto node24 from 2026-06-16"));
        assert!(before.contains("will remove node20 from the runner on 2026-09-23"));
        let between = node20.summary("2026-09-22");
        assert!(between.contains("has forced these actions onto node24 since 2026-06-16"));
        assert!(between.contains("will remove node20 from the runner on 2026-09-23"));
        let after = node20.summary("2026-09-23");
        assert!(after.contains("removed node20 from the runner on 2026-09-23"));
        assert!(!after.contains("will"), "{after}");
        assert!(!after.contains("schedul"), "{after}");
    }

    #[test]
    fn removed_runtime_wording_follows_the_clock() {
        let node16 = DATA.runtime("node16").expect("node16 described");
        assert!(node16
            .summary("2024-10-14")
            .contains("will remove from the runner on 2024-10-15"));
        let after = node16.summary("2026-12-02");
        assert!(after.contains("which GitHub removed from the runner on 2024-10-15"));
        assert!(!after.contains("will"));
    }

    #[test]
    fn subfolder_actions_are_keyed_with_their_path() {
        let uses = parse_uses("github/codeql-action/init@v2").expect("parses");
        assert_eq!(
            action_key(&uses),
            Some(("github/codeql-action/init".to_string(), "v2"))
        );
        let reusable = parse_uses("org/repo/.github/workflows/ci.yml@main").expect("parses");
        assert_eq!(action_key(&reusable), None);
    }
}
