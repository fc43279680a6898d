//! Renderings of one report. Every format renders the same records (SPEC.md).

mod concise;
pub mod files;
mod github;
mod human;
mod json;
mod sarif;
mod snippet;

use crate::engine::Report;
use crate::registry::Registry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
}

pub struct RenderOptions {
    pub color: bool,
}

pub fn render(report: &Report, format: OutputFormat, options: &RenderOptions) -> String {
    match format {
        OutputFormat::Human => human::render(report, options),
        OutputFormat::Concise => concise::render(report),
        OutputFormat::Json => json::render(report),
        OutputFormat::Sarif => sarif::render(report),
        OutputFormat::Github => github::render(report),
    }
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
    if report.suppressed > 0 {
        line.push_str(&format!(" ({} suppressed)", report.suppressed));
    }
    line.push('.');
    line
}
