//! miette's graphical report with the source snippet; colour only when asked for.

use super::snippet::Snippet;
use super::{escape_control, escape_name};
use crate::diagnostic::Severity;
use crate::engine::Report;
use crate::registry::Registry;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use std::fmt;

#[derive(Debug)]
struct Finding {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: Snippet,
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
            self.source.span.0,
            self.source.span.1,
        ))))
    }
}

pub fn render(report: &Report, options: &super::RenderOptions) -> String {
    let registry = Registry::get();
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(width());
    let mut out = String::new();
    for d in &report.diagnostics {
        let file = report.file(d.file);
        let (start, _) = report.position(d);
        let name = escape_name(&file.display);
        let source = Snippet::new(
            name,
            file.source.as_ref(),
            (d.span.start, d.span.end),
            start.column,
        );
        let finding = Finding {
            message: escape_control(&d.message),
            // The header a person and an editor's link detection both read:
            // `path:line:col CODE name`.
            code: format!(
                "{}:{}:{} {} {}",
                escape_name(&file.display),
                start.line,
                start.column,
                registry.rules[d.rule].meta.code,
                registry.rules[d.rule].meta.name
            ),
            severity: d.severity,
            help: d.help.as_deref().map(escape_control),
            source,
        };
        if handler.render_report(&mut out, &finding).is_err() {
            out.push_str(&format!("{}: {}\n", finding.code, finding.message));
        }
        out.push('\n');
    }
    out
}

/// Columns to wrap messages at: the terminal's, else `COLUMNS`, else 100.
fn width() -> usize {
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(std::io::stdout()) {
        return usize::from(w).max(40);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c >= 40)
        .unwrap_or(100)
}
