//! GHA001: `uses:` an action or reusable workflow by a branch (E) or, depending on the policy,
//! by a tag (W), instead of a commit SHA.

use super::{ref_kind, RefKind};
use crate::diagnostic::Severity;
use crate::model::workflow::{parse_uses, Uses};
use crate::model::WorkflowFile;
use crate::parse::yaml::Yaml;
use crate::registry::Ctx;
use serde::Deserialize;
use std::collections::HashSet;

pub const META: &str = include_str!("unpinned_action.toml");

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Policy {
    /// Every tag is reported, first-party too.
    ShaAll,
    /// Tags of `actions/*` and `github/*` are accepted, other tags reported.
    #[default]
    ShaThirdParty,
    /// Any version tag is accepted; only branch-like refs are reported.
    Tags,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Options {
    policy: Policy,
}

/// Owners whose tags the default policy trusts: GitHub's own actions.
const FIRST_PARTY: &[&str] = &["actions", "github"];

pub fn check(file: &WorkflowFile<'_>, ctx: &mut Ctx<'_>) {
    let options: Options = ctx.options();
    let wf = &file.workflow;
    let nodes = wf.jobs.iter().flat_map(|j| {
        j.uses
            .into_iter()
            .chain(j.steps.iter().filter_map(|s| s.uses))
    });
    // An anchored step reused through an alias shares its node's span: report it once.
    let mut seen = HashSet::new();
    for node in nodes {
        if seen.insert(node.span.start) {
            check_one(node, options.policy, ctx);
        }
    }
}

fn check_one(node: &Yaml, policy: Policy, ctx: &mut Ctx<'_>) {
    let Some(value) = node.as_str() else {
        return;
    };
    let Some(uses) = parse_uses(value) else {
        return;
    };
    let span = node.span.clone();
    match uses {
        // Versioned with the workflow itself.
        Uses::Local(_) => {}
        Uses::Docker { image, tag, digest } => {
            if digest.is_some() {
                return;
            }
            match tag {
                None | Some("latest") => {
                    ctx.report(span, format!("`{value}` runs a moving image: no tag means `{image}:latest`, which changes under you"))
                        .help(format!("pin the image by digest: `docker://{image}@sha256:…`"))
                        .severity(Severity::Error);
                }
                Some(tag) if policy != Policy::Tags => {
                    ctx.report(span, format!("`{value}` runs an image by tag; whoever can push `{image}:{tag}` can change what runs with your secrets"))
                        .help(format!("pin the image by digest: `docker://{image}:{tag}@sha256:…`"))
                        .severity(Severity::Warning);
                }
                Some(_) => {}
            }
        }
        Uses::Repo {
            owner,
            repo,
            git_ref,
            ..
        } => {
            let what = if value.contains("/.github/workflows/") {
                "reusable workflow"
            } else {
                "action"
            };
            let Some(git_ref) = git_ref.filter(|r| !r.is_empty()) else {
                ctx.report(
                    span,
                    format!("`{value}` names no ref; GitHub needs `@<sha>` for a remote {what}"),
                )
                .help("add `@<full commit SHA>` with the version in a comment: `@<sha> # v1.2.3`")
                .severity(Severity::Error);
                return;
            };
            match ref_kind(git_ref) {
                RefKind::Sha => {}
                RefKind::BranchLike => {
                    let short_sha = (7..40).contains(&git_ref.len())
                        && git_ref.chars().all(|c| c.is_ascii_hexdigit());
                    let message = if short_sha {
                        format!("`{value}` pins a shortened commit SHA, which GitHub refuses to resolve")
                    } else {
                        format!("`{value}` follows `{git_ref}`, a branch-like ref: every push to it changes the code that runs here")
                    };
                    ctx.report(span, message)
                        .help(format!("pin the {what} to a full commit SHA with the version in a comment: `{owner}/{repo}@<sha> # vX.Y.Z`"))
                        .severity(Severity::Error);
                }
                RefKind::Version => {
                    let first_party = FIRST_PARTY.iter().any(|o| o.eq_ignore_ascii_case(owner));
                    let report = match policy {
                        Policy::ShaAll => true,
                        Policy::ShaThirdParty => !first_party,
                        Policy::Tags => false,
                    };
                    if report {
                        let who = if first_party {
                            "its maintainers".to_string()
                        } else {
                            format!("whoever controls `{owner}/{repo}`")
                        };
                        ctx.report(span, format!("`{value}` pins a tag, which {who} can move to other code; only a commit SHA is immutable"))
                            .help(format!("pin a full commit SHA and keep the tag as a comment: `{owner}/{repo}@<sha> # {git_ref}`"))
                            .severity(Severity::Warning);
                    }
                }
            }
        }
    }
}
