//! PCM003: a known-broken package in a pre-commit hook's `additional_dependencies`. The list
//! is data (`broken_dependencies.toml`), each entry with its source and date.

use crate::diagnostic::Edit;
use crate::model::PrecommitFile;
use crate::registry::Ctx;
use crate::source::Span;
use serde::Deserialize;
use std::sync::LazyLock;

pub const META: &str = include_str!("broken_additional_dependency.toml");

#[derive(Deserialize)]
struct Data {
    dependency: Vec<Broken>,
}

#[derive(Deserialize)]
#[allow(dead_code)] // `source`, `evidence` and `date` are for readers of the data file.
struct Broken {
    name: String,
    reason: String,
    fix: String,
    #[serde(default)]
    yanked: bool,
    #[serde(default)]
    requires: Option<String>,
    /// The package to list instead, when the source names exactly one.
    #[serde(default)]
    replacement: Option<String>,
    source: String,
    #[serde(default)]
    evidence: Vec<String>,
    date: String,
}

static BROKEN: LazyLock<Vec<Broken>> = LazyLock::new(|| {
    toml::from_str::<Data>(include_str!("broken_dependencies.toml"))
        .map(|d| d.dependency)
        .unwrap_or_else(|e| panic!("internal error: broken_dependencies.toml does not parse: {e}"))
});

/// PEP 503 normalisation: lower case, runs of `-`, `_`, `.` become `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// A requirement string: (normalised name, whether it pins one version exactly with `==`).
fn requirement(text: &str) -> (String, bool) {
    let text = text.split(';').next().unwrap_or(text).trim();
    let end = text
        .find(|c: char| "=<>!~[ @(".contains(c))
        .unwrap_or(text.len());
    let spec = text[end..].trim_start();
    let spec = spec
        .strip_prefix('[')
        .and_then(|s| s.split_once(']'))
        .map_or(spec, |(_, rest)| rest.trim_start());
    let exact = spec.starts_with("==") && !spec.contains(',') && !spec.ends_with('*');
    (normalize(&text[..end]), exact)
}

pub fn check(file: &PrecommitFile<'_>, ctx: &mut Ctx<'_>) {
    for repo in &file.config.repos {
        for hook in &repo.hooks {
            let deps: Vec<(String, bool, &str, Span)> = hook
                .additional_dependencies
                .iter()
                .filter_map(|d| d.as_str().map(|s| (s, d.span.clone())))
                .map(|(d, span)| {
                    let (name, exact) = requirement(d);
                    (name, exact, d, span)
                })
                .collect();
            let pinned = |name: &str| deps.iter().any(|(n, exact, _, _)| n == name && *exact);
            let listed = |name: &str| deps.iter().any(|(n, ..)| n == name);
            for (name, exact, written, span) in &deps {
                let Some(broken) = BROKEN.iter().find(|b| &b.name == name) else {
                    continue;
                };
                if broken.yanked && *exact {
                    continue;
                }
                if broken.requires.as_deref().is_some_and(&pinned) {
                    continue;
                }
                let id = hook.id.unwrap_or("this");
                ctx.report(
                    repo.anchor(),
                    format!(
                        "`{written}` in the {id} hook's additional_dependencies cannot be installed: {}",
                        broken.reason
                    ),
                )
                .help(broken.fix.clone())
                .fix(
                    broken
                        .replacement
                        .as_deref()
                        .filter(|r| !listed(&normalize(r)))
                        .map(|r| replace_item(file.text, span, written, r))
                        .unwrap_or_default(),
                );
            }
        }
    }
}

/// The edit writing `replacement` for the list item `written` at `span`: the whole plain
/// scalar, or the inside of a quoted one; none for other forms (escapes, block scalars).
fn replace_item(text: &str, span: &Span, written: &str, replacement: &str) -> Vec<Edit> {
    let Some(raw) = text.get(span.clone()) else {
        return Vec::new();
    };
    let inner = if raw == written {
        span.clone()
    } else if raw.len() == written.len() + 2
        && (raw.starts_with('"') || raw.starts_with('\''))
        && raw.ends_with(&raw[..1])
        && &raw[1..raw.len() - 1] == written
    {
        span.start + 1..span.end - 1
    } else {
        return Vec::new();
    };
    vec![Edit {
        span: inner,
        text: replacement.to_string(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_complete() {
        assert!(!BROKEN.is_empty());
        for b in BROKEN.iter() {
            assert!(
                !b.source.is_empty() && !b.date.is_empty(),
                "{}: source and date",
                b.name
            );
            assert_eq!(b.name, normalize(&b.name));
            assert!(
                b.yanked || b.requires.is_some(),
                "{}: why a pin does not help",
                b.name
            );
        }
    }

    #[test]
    fn requirements() {
        assert_eq!(requirement("types-all"), ("types-all".into(), false));
        assert_eq!(requirement("Types_All>=1.0"), ("types-all".into(), false));
        assert_eq!(
            requirement("types-pkg_resources==0.1.3"),
            ("types-pkg-resources".into(), true)
        );
        assert_eq!(requirement("types-x[extra]==1"), ("types-x".into(), true));
        assert_eq!(requirement("types-x==1.*"), ("types-x".into(), false));
    }
}
