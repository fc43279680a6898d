//! GitHub Actions workflow and script rules (§4.1). Rules of this family, their registration list
//! (see rules/mod.rs), and the small vocabulary they share: git refs, shell argv, deploy jobs.

pub mod deploy;
pub mod deploy_without_concurrency;
pub mod deploy_without_environment;
pub mod docker_compose_v1;
pub mod expr;
pub mod missing_permissions;
pub mod no_coverage_gate;
pub mod no_lint_in_ci;
pub mod outdated_action;
pub mod secret_in_run;
pub mod tests_not_on_pull_request;
pub mod today;
pub mod unpinned_action;
pub mod unpinned_tool_install;
pub mod untrusted_input_in_run;

use crate::model::workflow::{Job, Step, Workflow};
use crate::model::{expressions, ScalarMap, WorkflowFile};
use crate::parse::shell::ShellCommand;
use crate::parse::yaml::Yaml;
use crate::registry::Check;
use crate::source::Span;
use std::collections::HashSet;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        tests_not_on_pull_request::META,
        Check::Project(tests_not_on_pull_request::check),
    ),
    (
        no_coverage_gate::META,
        Check::Project(no_coverage_gate::check),
    ),
    (no_lint_in_ci::META, Check::Project(no_lint_in_ci::check)),
    (
        unpinned_action::META,
        Check::Workflow(unpinned_action::check),
    ),
    (
        outdated_action::META,
        Check::Workflow(outdated_action::check),
    ),
    (
        deploy_without_environment::META,
        Check::Scripts(deploy_without_environment::check),
    ),
    (
        missing_permissions::META,
        Check::Workflow(missing_permissions::check),
    ),
    (secret_in_run::META, Check::Workflow(secret_in_run::check)),
    (
        untrusted_input_in_run::META,
        Check::Workflow(untrusted_input_in_run::check),
    ),
    (
        docker_compose_v1::META,
        Check::Scripts(docker_compose_v1::check),
    ),
    (
        deploy_without_concurrency::META,
        Check::Scripts(deploy_without_concurrency::check),
    ),
    (
        unpinned_tool_install::META,
        Check::Scripts(unpinned_tool_install::check),
    ),
];

/// A `${{ … }}` inside a step's `run:`, GitHub expands it into the script text before any shell
/// reads it.
pub struct RunExpression<'y> {
    pub job: &'y Job<'y>,
    pub step: &'y Step<'y>,
    /// The expression's inner text (`secrets.TOKEN`).
    pub inner: String,
    /// The whole `${{ … }}` in the file.
    pub span: Span,
}

/// Every expression in every `run:` of the workflow, whatever the shell: GitHub substitutes
/// them even inside shell comments. A step reused through a YAML alias is visited once.
pub fn run_expressions<'y>(file: &'y WorkflowFile<'y>) -> Vec<RunExpression<'y>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for job in &file.workflow.jobs {
        for step in &job.steps {
            let Some(run) = step.run else {
                continue;
            };
            let Some(text) = run.as_str() else {
                continue;
            };
            if !seen.insert(run.span.start) || !text.contains("${{") {
                continue;
            }
            let map = ScalarMap::new(file.text, run);
            for e in expressions(text) {
                out.push(RunExpression {
                    job,
                    step,
                    inner: e.inner.to_string(),
                    span: map.span(&e.span),
                });
            }
        }
    }
    out
}

/// What a git ref in `uses: owner/repo@REF` looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A full 40-hex commit SHA: immutable.
    Sha,
    /// `v4`, `v4.1`, `4.1.2`, `v2.0.0-beta.1`: a release tag (movable, but by convention).
    Version,
    /// Anything else (`main`, `master`, `HEAD`, `dev`, `releases/v1`, `latest`): a branch or a
    /// name that moves with every push.
    BranchLike,
}

pub fn ref_kind(git_ref: &str) -> RefKind {
    if git_ref.len() == 40 && git_ref.chars().all(|c| c.is_ascii_hexdigit()) {
        return RefKind::Sha;
    }
    if parse_version(git_ref).is_some() {
        return RefKind::Version;
    }
    RefKind::BranchLike
}

/// A version as tags and pinning comments spell it: `v4`, `v4.1.2`, `4.1`, `v3-node20`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Numeric components: `[4, 1, 2]`.
    pub parts: Vec<u64>,
    /// Whatever follows the numbers (`-node20`, `-beta.1`), empty when nothing does.
    pub suffix: String,
}

impl Version {
    pub fn major(&self) -> u64 {
        self.parts.first().copied().unwrap_or(0)
    }

    /// Whether this version sorts before `other` (`3.3.1` < `3.4.0`), missing parts counting as
    /// 0. Callers compare exact versions only: a floating `v3` tag is not `3.0.0`.
    pub fn is_below(&self, other: &Version) -> bool {
        let len = self.parts.len().max(other.parts.len());
        let at = |v: &Version, i: usize| v.parts.get(i).copied().unwrap_or(0);
        for i in 0..len {
            match at(self, i).cmp(&at(other, i)) {
                std::cmp::Ordering::Less => return true,
                std::cmp::Ordering::Greater => return false,
                std::cmp::Ordering::Equal => {}
            }
        }
        false
    }
}

/// Parses `v4`, `v4.1.2`, `4.1`, `v3-node20`, `V1.0`. A bare number without `v` (`4`) is a
/// version too: actions tag majors that way (`docker://…:3` is not handled here).
pub fn parse_version(text: &str) -> Option<Version> {
    let body = text
        .strip_prefix('v')
        .or_else(|| text.strip_prefix('V'))
        .unwrap_or(text);
    let numeric_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (numbers, suffix) = body.split_at(numeric_end);
    if numbers.is_empty() || numbers.starts_with('.') || numbers.ends_with('.') {
        return None;
    }
    let parts: Option<Vec<u64>> = numbers.split('.').map(|p| p.parse().ok()).collect();
    let parts = parts?;
    // `-beta.1`, `+build`, `-node20`: a suffix starts with a separator.
    let suffix_ok = suffix.is_empty()
        || (suffix.starts_with(['-', '+'])
            && suffix[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    if !suffix_ok {
        return None;
    }
    Some(Version {
        parts,
        suffix: suffix.to_string(),
    })
}

/// The version a pinning comment names: `v4.1.1`, `tag=v4.1.1`, `pin @v4`, `ratchet:a/b@v4`.
/// Requires a `v` or a dot so that stray numbers (`# 2 of 3`) are not read as versions.
pub fn comment_version(comment: &str) -> Option<Version> {
    comment
        .split_whitespace()
        .take_while(|w| *w != "#")
        .map(|w| {
            let w = w.rsplit(['=', '@']).next().unwrap_or(w);
            w.trim_matches(|c: char| c == ',' || c == ';' || c == ')' || c == '(')
        })
        .filter(|w| w.starts_with(['v', 'V']) || w.contains('.'))
        .find_map(parse_version)
}

/// The words a command runs, with `sudo`, `env VAR=…`, `time`, `timeout N`, `nohup`, `exec`,
/// `command` peeled off: `sudo -E docker-compose up` runs `docker-compose up`.
pub fn argv(cmd: &ShellCommand) -> Vec<&str> {
    let mut words: Vec<&str> = std::iter::once(cmd.name.text.as_str())
        .chain(cmd.arg_texts())
        .collect();
    loop {
        let Some(first) = words.first() else {
            return words;
        };
        let name = first.rsplit('/').next().unwrap_or(first);
        let skip = match name {
            "sudo" | "env" | "time" | "nohup" | "exec" | "command" | "doas" => {
                // Options and `NAME=value` after the wrapper belong to it.
                1 + words[1..]
                    .iter()
                    .take_while(|w| w.starts_with('-') || (name == "env" && w.contains('=')))
                    .count()
            }
            "timeout" => {
                // `timeout [options] DURATION command …`
                let options = words[1..].iter().take_while(|w| w.starts_with('-')).count();
                2 + options
            }
            _ => return words,
        };
        if name == "command" && words.get(1).is_some_and(|w| *w == "-v" || *w == "-V") {
            // `command -v x` asks whether x exists; it does not run it.
            return words;
        }
        words.drain(..skip.min(words.len()));
    }
}

/// The program an argv runs, as a base name.
pub fn program<'a>(argv: &[&'a str]) -> &'a str {
    argv.first()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .unwrap_or("")
}

/// `env:` of a step, job or workflow: whether it sets `name` (any case).
pub fn env_sets(env: Option<&Yaml>, name: &str) -> bool {
    env.is_some_and(|e| {
        e.entries()
            .iter()
            .any(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
    })
}

/// The workflow's own `env:`.
pub fn workflow_env<'y>(workflow: &Workflow<'y>) -> Option<&'y Yaml> {
    workflow.doc.get("env")
}

/// Splits a name (`Deploy to production`, `deploy-prod`, `deployProd`) into lowercase words.
pub fn words_of(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs() {
        assert_eq!(
            ref_kind("8e5e7e5ab8b370d6c329ec480221332ada57f0ab"),
            RefKind::Sha
        );
        assert_eq!(ref_kind("v4"), RefKind::Version);
        assert_eq!(ref_kind("v4.1.2"), RefKind::Version);
        assert_eq!(ref_kind("2.0.0-beta.1"), RefKind::Version);
        assert_eq!(ref_kind("v3-node20"), RefKind::Version);
        assert_eq!(ref_kind("master"), RefKind::BranchLike);
        assert_eq!(ref_kind("releases/v1"), RefKind::BranchLike);
        assert_eq!(ref_kind("8e5e7e5"), RefKind::BranchLike);
        assert_eq!(ref_kind("v"), RefKind::BranchLike);
        assert_eq!(ref_kind("v1.x"), RefKind::BranchLike);
    }

    #[test]
    fn versions() {
        let v = |s: &str| parse_version(s).expect(s);
        assert_eq!(v("v3.3.1").major(), 3);
        assert!(v("v3.3.1").is_below(&v("3.4.0")));
        assert!(!v("v3.4.0").is_below(&v("3.4.0")));
        assert_eq!(v("v3-node20").suffix, "-node20");
    }

    #[test]
    fn pinning_comments() {
        let c = |s: &str| comment_version(s).map(|v| v.parts);
        assert_eq!(c("v4.1.1"), Some(vec![4, 1, 1]));
        assert_eq!(c("tag=v3.6.0"), Some(vec![3, 6, 0]));
        assert_eq!(c("pin @v2"), Some(vec![2]));
        assert_eq!(c("ratchet:actions/checkout@v3"), Some(vec![3]));
        assert_eq!(c("4.1.1"), Some(vec![4, 1, 1]));
        assert_eq!(c("2 of 3"), None);
        assert_eq!(c("expect: GHA002"), None);
        assert_eq!(c("v3.6.0  # expect: GHA002"), Some(vec![3, 6, 0]));
        assert_eq!(c("# expect: GHA002 v3"), None);
    }

    #[test]
    fn name_words() {
        assert_eq!(
            words_of("Deploy to production"),
            ["deploy", "to", "production"]
        );
        assert_eq!(words_of("deploy-prod"), ["deploy", "prod"]);
        assert_eq!(words_of("deployProd"), ["deploy", "prod"]);
        assert_eq!(words_of("redeploy"), ["redeploy"]);
    }
}
