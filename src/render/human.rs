//! miette's graphical report with the source snippet; colour only when asked for.

use super::escape_control;
use crate::diagnostic::Severity;
use crate::engine::Report;
use crate::registry::Registry;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;
use std::sync::Arc;

#[derive(Debug)]
struct Finding {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: NamedSource<Arc<str>>,
    span: (usize, usize),
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl miette::Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some("here".to_string()),
            self.span.0,
            self.span.1,
        ))))
    }
}

/// Replaces control characters in the snippet with same-width placeholders, so byte offsets
/// stay valid and the file's bytes never reach the terminal raw.
fn displayable_source(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn render(report: &Report, options: &super::RenderOptions) -> String {
    let registry = Registry::get();
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut out = String::new();
    let mut sources: std::collections::HashMap<usize, Arc<str>> = std::collections::HashMap::new();
    for d in &report.diagnostics {
        let file = report.file(d.file);
        let text = sources
            .entry(d.file)
            .or_insert_with(|| {
                Arc::from(
                    file.source
                        .as_ref()
                        .map(|s| displayable_source(&s.text))
                        .unwrap_or_default(),
                )
            })
            .clone();
        let start = d.span.start.min(text.len());
        let len = d.span.end.min(text.len()).saturating_sub(start);
        let name = escape_control(&file.display);
        let finding = Finding {
            message: escape_control(&d.message),
            code: format!(
                "{} {}",
                registry.rules[d.rule].meta.code, registry.rules[d.rule].meta.name
            ),
            severity: d.severity,
            help: d.help.as_deref().map(escape_control),
            source: NamedSource::new(name, text),
            span: (start, len),
        };
        if handler.render_report(&mut out, &finding).is_err() {
            out.push_str(&format!("{}: {}\n", finding.code, finding.message));
        }
        out.push('\n');
    }
    out
}
