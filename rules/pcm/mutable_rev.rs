//! PCM002: a pre-commit `rev:` that is a branch name rather than a tag or commit SHA.

use crate::model::PrecommitFile;
use crate::parse::yaml::Yaml;
use crate::registry::Ctx;

pub const META: &str = include_str!("mutable_rev.toml");

/// Names that are branches in practice. A rev with a `.` or made of hex digits is what
/// pre-commit itself accepts as immutable (clientlib.py `WarnMutableRev`); among the rest only
/// names known as branches are reported, since a dot-less tag (`v1`) cannot be told from one.
const BRANCHES: &[&str] = &[
    "master",
    "main",
    "develop",
    "development",
    "dev",
    "devel",
    "trunk",
    "head",
    "stable",
    "latest",
    "next",
    "nightly",
    "default",
    "mainline",
    "edge",
    "unstable",
];

pub fn is_branch(rev: &str) -> bool {
    let lower = rev.trim().to_ascii_lowercase();
    if lower.starts_with("refs/heads/") || lower.starts_with("origin/") {
        return true;
    }
    if lower.is_empty() || lower.contains('.') || lower.chars().all(|c| c.is_ascii_hexdigit()) {
        return false;
    }
    BRANCHES.contains(&lower.as_str()) || lower.starts_with("head~") || lower.starts_with("head^")
}

pub fn check(file: &PrecommitFile<'_>, ctx: &mut Ctx<'_>) {
    for repo in &file.config.repos {
        if repo.is_local() {
            continue;
        }
        let Some(rev) = repo.rev.and_then(Yaml::as_str) else {
            continue;
        };
        if !is_branch(rev) {
            continue;
        }
        let url = repo.url.unwrap_or("this repository");
        ctx.report(
            repo.anchor(),
            format!(
                "`rev: {rev}` of {url} is a branch: pre-commit clones it once and never updates it, so each machine runs whatever the branch held when it first installed"
            ),
        )
        .help("pin a release tag or a commit SHA (`pre-commit autoupdate` writes the latest tag)");
    }
}

#[cfg(test)]
mod tests {
    use super::is_branch;

    #[test]
    fn branches_and_pins() {
        assert!(is_branch("master"));
        assert!(is_branch("HEAD"));
        assert!(is_branch("refs/heads/release-1.2"));
        assert!(!is_branch("v4.4.0"));
        assert!(!is_branch("23.3.0"));
        assert!(!is_branch("6d0e2c46412e"));
        assert!(!is_branch("v1"));
        assert!(!is_branch("decade"));
    }
}
