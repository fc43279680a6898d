//! `.pre-commit-config.yaml` (pre-commit.com, "Adding pre-commit plugins to your project").

use crate::parse::yaml::Yaml;
use crate::source::Span;

pub struct PrecommitConfig<'y> {
    pub repos: Vec<Repo<'y>>,
    /// `default_language_version: {python: python3.11}`.
    pub default_language_version: Option<&'y Yaml>,
    /// The `ci:` key: pre-commit.ci settings, so pre-commit.ci runs the hooks.
    pub ci_key: Option<&'y Yaml>,
}

pub struct Repo<'y> {
    pub node: &'y Yaml,
    /// The `repo:` key node: findings about a hook's repository anchor at the `- repo:` entry.
    pub repo_key: Option<&'y Yaml>,
    pub url: Option<&'y str>,
    pub rev: Option<&'y Yaml>,
    pub hooks: Vec<Hook<'y>>,
}

pub struct Hook<'y> {
    pub node: &'y Yaml,
    pub id: Option<&'y str>,
    pub args: Vec<&'y Yaml>,
    pub additional_dependencies: Vec<&'y Yaml>,
    pub language_version: Option<&'y Yaml>,
    /// `entry:` of a local hook (the command it runs).
    pub entry: Option<&'y Yaml>,
}

impl Repo<'_> {
    /// The `repo: URL` entry's span (key through value), or the item's start.
    pub fn anchor(&self) -> Span {
        match (self.repo_key, self.node.get("repo")) {
            (Some(k), Some(v)) => k.span.start..v.span.end.max(k.span.end),
            _ => self.node.span.start..self.node.span.start,
        }
    }

    /// Local and meta hooks have no remote repository or revision.
    pub fn is_local(&self) -> bool {
        matches!(self.url, Some("local") | Some("meta"))
    }
}

impl<'y> PrecommitConfig<'y> {
    pub fn new(doc: &'y Yaml) -> PrecommitConfig<'y> {
        let repos = doc
            .get("repos")
            .map(|r| {
                r.as_seq()
                    .iter()
                    .map(|node| Repo {
                        node,
                        repo_key: node.entry("repo").map(|(k, _)| k),
                        url: node.get("repo").and_then(Yaml::as_str),
                        rev: node.get("rev"),
                        hooks: node
                            .get("hooks")
                            .map(|h| {
                                h.as_seq()
                                    .iter()
                                    .map(|hook| Hook {
                                        node: hook,
                                        id: hook.get("id").and_then(Yaml::as_str),
                                        args: hook
                                            .get("args")
                                            .map(|a| a.as_seq().iter().collect())
                                            .unwrap_or_default(),
                                        additional_dependencies: hook
                                            .get("additional_dependencies")
                                            .map(|a| a.as_seq().iter().collect())
                                            .unwrap_or_default(),
                                        language_version: hook.get("language_version"),
                                        entry: hook.get("entry"),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        PrecommitConfig {
            repos,
            default_language_version: doc.get("default_language_version"),
            ci_key: doc.entry("ci").map(|(k, _)| k),
        }
    }
}
