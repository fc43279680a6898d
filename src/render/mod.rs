//! Renderings of one report. Every format renders the same records (SPEC.md).

mod concise;
pub mod files;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;
mod snippet;

use crate::baseline::Fingerprint;
use crate::engine::Report;
use crate::registry::Registry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    /// JUnit XML: one test case per finding, for CI test-report views.
    Junit,
    /// GitLab Code Quality (Code Climate JSON) for merge-request widgets.
    Gitlab,
}

pub struct RenderOptions<'a> {
    pub color: bool,
    /// The fingerprint of every finding of the report, in its order (see `baseline`).
    pub fingerprints: &'a [Fingerprint],
}

pub fn render(report: &Report, format: OutputFormat, options: &RenderOptions<'_>) -> String {
    match format {
        OutputFormat::Human => human::render(report, options),
        OutputFormat::Concise => concise::render(report),
        OutputFormat::Json => json::render(report),
        OutputFormat::Sarif => sarif::render(report, options.fingerprints),
        OutputFormat::Github => github::render(report),
        OutputFormat::Junit => junit::render(report),
        OutputFormat::Gitlab => gitlab::render(report, options.fingerprints),
    }
}

/// A path relative to the project root of the file, `/`-separated: what CI systems resolve
/// against the checkout, whatever folder prodlint ran in.
pub fn root_relative(report: &Report, file: usize) -> String {
    let f = report.file(file);
    crate::engine::display_path(&f.path, &f.root)
}

/// `--statistics`: findings per rule, most frequent first.
pub fn statistics(report: &Report) -> Vec<(&'static str, &'static str, usize)> {
    let registry = Registry::get();
    let mut counts = vec![0usize; registry.rules.len()];
    for d in &report.diagnostics {
        counts[d.rule] += 1;
    }
    let mut rows: Vec<_> = counts
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(i, &n)| {
            (
                registry.rules[i].meta.code.as_str(),
                registry.rules[i].meta.name.as_str(),
                n,
            )
        })
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    rows
}

/// Escapes terminal control characters so a hostile file name or message cannot drive the
/// terminal (human and concise output).
pub fn escape_control(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A file name for human and concise output: control characters escaped as in
/// `escape_control`, and the backslash doubled, so a folder named `a<newline>b` (shown `a\nb`)
/// and one named `a\nb` (shown `a\\nb`) never print alike.
pub fn escape_name(text: &str) -> String {
    escape_control(&text.replace('\\', "\\\\"))
}

/// A one-line summary for human and concise output.
pub fn summary(report: &Report) -> String {
    let n = report.diagnostics.len();
    let mut line = match n {
        0 => "No findings".to_string(),
        1 => "Found 1 finding".to_string(),
        n => format!("Found {n} findings"),
    };
    line.push_str(&format!(
        " in {} file{}",
        report.files_linted,
        if report.files_linted == 1 { "" } else { "s" }
    ));
    match (report.suppressed, report.baselined) {
        (0, 0) => {}
        (s, 0) => line.push_str(&format!(" ({s} suppressed)")),
        (0, b) => line.push_str(&format!(" ({b} in the baseline)")),
        (s, b) => line.push_str(&format!(" ({s} suppressed, {b} in the baseline)")),
    }
    line.push('.');
    line
}

/// The human footer: the summary line with the findings per severity, and how to read a
/// rule's documentation (naming the most frequent rule of the run).
pub fn footer(report: &Report, color: bool) -> String {
    use crate::diagnostic::Severity;
    let mut line = summary(report);
    if report.diagnostics.is_empty() {
        return line;
    }
    let count = |s: Severity| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count()
    };
    let paint = |text: String, code: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    let mut parts = Vec::new();
    for (severity, name, ansi) in [
        (Severity::Error, "error", "1;31"),
        (Severity::Warning, "warning", "1;33"),
        (Severity::Info, "info", "1;36"),
    ] {
        let n = count(severity);
        if n > 0 {
            let plural = if n == 1 || severity == Severity::Info {
                ""
            } else {
                "s"
            };
            parts.push(paint(format!("{n} {name}{plural}"), ansi));
        }
    }
    line.pop(); // the full stop
    line.push_str(&format!(": {}.", parts.join(", ")));
    if let Some((code, _, _)) = statistics(report).first() {
        line.push_str(&format!(
            "\nA rule's documentation, how to fix, suppress and configure it: `prodlint rule {code}`."
        ));
    }
    line
}
