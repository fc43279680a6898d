//! The few lines of a file that a human report shows, clipped so that a finding deep inside a
//! very long line neither overflows the renderer's column arithmetic (miette panics past 65,535
//! columns) nor prints the whole line once per finding.

use crate::source::{clamp_to_char_boundary, SourceText};
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Bytes of the finding's line kept before the finding starts.
const BEFORE: usize = 60;
/// Bytes of the finding's line kept from the finding's start on.
const AFTER: usize = 100;
/// Bytes kept of a context line (the lines above and below).
const CONTEXT: usize = 120;
/// Marks text cut from a line.
const CUT: &str = "…";

/// A clipped excerpt of a file: at most three lines, each at most a few hundred bytes, with the
/// finding's span mapped into it and the file's real line numbers.
#[derive(Debug)]
pub struct Snippet {
    name: String,
    text: String,
    /// 0-based line of the file where the excerpt starts.
    first_line: usize,
    /// 0-based line of the excerpt that holds the finding.
    finding_line: usize,
    /// 0-based column of the finding in the real line, in characters (as concise output counts).
    column: usize,
    /// The finding's span inside `text`: (offset, length).
    pub span: (usize, usize),
}

impl Snippet {
    /// `column` is the finding's 1-based column in the real line.
    pub fn new(
        name: String,
        source: Option<&SourceText>,
        (start, end): (usize, usize),
        column: usize,
    ) -> Self {
        let Some(src) = source else {
            return Snippet::empty(name);
        };
        let text: &str = &src.text;
        let start = clamp_to_char_boundary(text, start);
        let line = src.lines.line_of(start);
        let here = src.lines.line_span(text, line);
        let mut out = String::new();
        let mut finding_line = 0;
        if line > 0 {
            push_clipped(&mut out, text, src.lines.line_span(text, line - 1), CONTEXT);
            out.push('\n');
            finding_line = 1;
        }
        // The window of the finding's line: a little before the finding, more after it.
        let from = clamp_to_char_boundary(text, start.saturating_sub(BEFORE).max(here.start));
        let to = clamp_to_char_boundary(text, start.saturating_add(AFTER).min(here.end));
        if from > here.start {
            out.push_str(CUT);
        }
        let span_start = out.len() + (start - from);
        out.push_str(&displayable(&text[from..to]));
        let span_end = out
            .len()
            .min(span_start + end.saturating_sub(start).min(to - start));
        if to < here.end {
            out.push_str(CUT);
        }
        if line + 1 < src.lines.line_count() {
            out.push('\n');
            push_clipped(&mut out, text, src.lines.line_span(text, line + 1), CONTEXT);
        }
        Snippet {
            name,
            text: out,
            first_line: line.saturating_sub(finding_line),
            finding_line,
            column: column.saturating_sub(1),
            span: (span_start, span_end.saturating_sub(span_start)),
        }
    }

    fn empty(name: String) -> Self {
        Snippet {
            name,
            text: String::new(),
            first_line: 0,
            finding_line: 0,
            column: 0,
            span: (0, 0),
        }
    }
}

/// Appends at most `limit` bytes of a line, with a cut marker when it is longer.
fn push_clipped(out: &mut String, text: &str, line: std::ops::Range<usize>, limit: usize) {
    let end = clamp_to_char_boundary(text, line.start.saturating_add(limit).min(line.end));
    out.push_str(&displayable(&text[line.start..end]));
    if end < line.end {
        out.push_str(CUT);
    }
}

/// Replaces control characters with same-width placeholders, so the file's bytes never reach
/// the terminal raw and byte offsets stay valid.
fn displayable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        // The header's position: the real column, not the one inside the clipped line.
        let column = if inner.line() == self.finding_line && span.offset() == self.span.0 {
            self.column
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_far_column_is_clipped_and_mapped() {
        let text = format!(
            "FROM x\nRUN {}pip install flask\nUSER app\n",
            "\t".repeat(20_000)
        );
        let src = SourceText::new(&text);
        let start = text.find("pip").expect("pip");
        let column = src.line_col(start).column;
        let snippet = Snippet::new("Dockerfile".into(), Some(&src), (start, start + 3), column);
        assert!(snippet.text.len() < 400, "{}", snippet.text.len());
        let (offset, len) = snippet.span;
        assert_eq!(&snippet.text[offset..offset + len], "pip");
        assert_eq!(snippet.first_line, 0);
        let read = snippet
            .read_span(&(offset, len).into(), 0, 0)
            .expect("read");
        assert_eq!(read.line(), 1);
        // Column of `pip`, 0-based, counted in characters of the real line.
        assert_eq!(read.column(), 4 + 20_000);
    }
}
