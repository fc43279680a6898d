//! A rule's documentation, as plain text (`prodlint rule`) and as Markdown (SARIF
//! `help.markdown`), generated from its TOML. How to suppress and configure a rule is written
//! once here from the metadata, not by hand in every rule.

use crate::registry::{Registry, RuleKind, RuleMeta};

/// Where the audit checklist that every rule's `checklist` entry refers to lives.
pub const CHECKLIST_DOC: &str = "docs/checklist.md";

/// The full documentation of a rule as plain text.
pub fn text(index: usize) -> String {
    let m = &Registry::get().rules[index].meta;
    let mut out = format!(
        "{} {} ({} rule, {})\n\n{}\n\n",
        m.code,
        m.name,
        m.kind.as_str(),
        m.severity,
        m.summary
    );
    out.push_str(&format!(
        "Files: {}\nJudges files of role: {}\nChecklist: {} (see {CHECKLIST_DOC})\n",
        m.files.join(", "),
        roles(m),
        m.checklist
    ));
    if let Some(peers) = &m.peers {
        out.push_str(&format!("Peers: {peers}\n"));
    }
    out.push_str(&format!(
        "Source: {}\n",
        Registry::get().rules[index].source_path()
    ));
    out.push_str(&format!(
        "\n{}\n\nFix: {}\n",
        m.rationale.trim_end(),
        m.fix.trim_end()
    ));
    out.push_str(&format!(
        "Autofix: {}\n",
        m.autofix.map_or("none", |a| match a {
            crate::diagnostic::Applicability::Safe => "safe (`check --fix`)",
            crate::diagnostic::Applicability::Unsafe => "unsafe (`check --fix --unsafe-fixes`)",
        })
    ));
    for ex in &m.examples {
        out.push_str(&format!(
            "\nExample ({}), flagged:\n\n{}\n\nFixed:\n\n{}\n",
            ex.path,
            indent(&ex.bad),
            indent(&ex.good)
        ));
        for other in &ex.with {
            out.push_str(&format!(
                "\nWith {}:\n\n{}\n",
                other.path,
                indent(&other.text)
            ));
        }
    }
    out.push_str("\nSuppress:\n");
    for line in suppress_lines(m) {
        out.push_str(&format!("  {line}\n"));
    }
    out.push_str("\nConfigure (prodlint.toml; in pyproject.toml the same keys go under [tool.prodlint],\n[tool.prodlint.severity], ...):\n\n");
    out.push_str(&indent(&config_example(m)));
    out.push('\n');
    if !m.options.is_empty() {
        out.push_str(&format!("\nOptions ([rules.{}]):\n", m.code));
        for o in &m.options {
            out.push_str(&format!(
                "  {} (default {}): {}\n",
                o.name,
                toml_value(&o.default),
                o.doc
            ));
        }
    }
    out
}

/// The documentation as Markdown, for code scanning's rule help.
pub fn markdown(index: usize) -> String {
    let m = &Registry::get().rules[index].meta;
    let mut out = format!(
        "## {} {}\n\n{}\n\n{}\n\n**Fix:** {}\n\n",
        m.code,
        m.name,
        m.summary,
        m.rationale.trim_end(),
        m.fix.trim_end()
    );
    out.push_str(&format!(
        "- {} rule, default severity {}\n- files: {}\n- judges files of role: {}\n- checklist: {} ({CHECKLIST_DOC})\n",
        m.kind.as_str(),
        m.severity,
        m.files.join(", "),
        roles(m),
        m.checklist
    ));
    for ex in &m.examples {
        out.push_str(&format!(
            "\n### Example (`{}`)\n\nFlagged:\n\n```\n{}\n```\n\nFixed:\n\n```\n{}\n```\n",
            ex.path,
            ex.bad.trim_end(),
            ex.good.trim_end()
        ));
    }
    out.push_str("\n### Suppress\n\n");
    for line in suppress_lines(m) {
        out.push_str(&format!("- {line}\n"));
    }
    out.push_str(&format!(
        "\n### Configure\n\n```toml\n{}\n```\n",
        config_example(m)
    ));
    for o in &m.options {
        out.push_str(&format!(
            "- `{}` (default `{}`): {}\n",
            o.name,
            toml_value(&o.default),
            o.doc
        ));
    }
    out
}

fn roles(m: &RuleMeta) -> String {
    m.roles
        .iter()
        .map(|r| match m.role_severity.get(r) {
            Some(severity) => format!("{} ({severity})", r.name()),
            None => r.name().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How to silence one finding or a file's findings; every file kind takes `#` comments.
fn suppress_lines(m: &RuleMeta) -> Vec<String> {
    let mut lines = vec![
        format!(
            "one finding: `# prodlint: ignore[{}]` (or `ignore[{}]`) at the end of the flagged line, or alone on the line above it",
            m.code, m.name
        ),
        format!(
            "a whole file: `# prodlint: ignore-file[{}]` anywhere in it",
            m.code
        ),
    ];
    if m.files.iter().any(|f| f == "python") {
        lines.push(format!("in Python, `# noqa: {}` works too", m.code));
    }
    if m.kind == RuleKind::Project {
        lines.push(
            "a project rule's finding is anchored at a line of a file (see the finding): the comment goes there"
                .to_string(),
        );
    }
    lines.push(
        "every current finding at once: `prodlint suppress [PATHS]`, or accept them all in a baseline: `prodlint check --write-baseline prodlint-baseline.json`"
            .to_string(),
    );
    lines
}

/// A config snippet that turns the rule off, changes its severity, ignores it for tests and
/// sets its options to their defaults.
fn config_example(m: &RuleMeta) -> String {
    let mut out = format!(
        "ignore = [\"{code}\"]            # turn it off everywhere\n\n[severity]\n{code} = \"{other}\"          # change its severity\n\n[per-file-ignores]\n\"tests/**\" = [\"{code}\"]   # turn it off for some files",
        code = m.code,
        other = if m.severity == crate::diagnostic::Severity::Error { "warning" } else { "error" },
    );
    if !m.options.is_empty() {
        out.push_str(&format!("\n\n[rules.{}]", m.code));
        for o in &m.options {
            out.push_str(&format!("\n{} = {}", o.name, toml_value(&o.default)));
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn toml_value(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        other => format!("{other:?}"),
    }
}

/// The rule codes and names nearest to a mistyped one (edit distance, case-insensitive),
/// at most three, for `prodlint rule` to suggest.
pub fn suggestions(typed: &str) -> Vec<String> {
    let typed = typed.to_ascii_lowercase();
    let mut scored: Vec<(usize, String)> = Vec::new();
    for r in &Registry::get().rules {
        let m = &r.meta;
        let code = distance(&typed, &m.code.to_ascii_lowercase());
        let name = distance(&typed, &m.name);
        // Only near misses: a third of the word may be wrong.
        let best = code.min(name);
        if best <= (typed.chars().count() / 3).max(1) {
            scored.push((best, format!("{} {}", m.code, m.name)));
        }
    }
    scored.sort();
    scored.into_iter().take(3).map(|(_, s)| s).collect()
}

/// Levenshtein distance, two rows; the inputs are short (codes and names), and a long typed
/// word is cut so that a pasted paragraph cannot make this slow.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}
