//! Python through ruff's own parser (pinned): it recovers from syntax errors, so a file with one
//! error still yields a tree, and its tokens give exact comment ranges for suppressions.

use crate::source::Span;
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{ModModule, PySourceType};
use ruff_python_parser::Parsed;
use ruff_text_size::Ranged;

pub struct PythonFile {
    pub parsed: Parsed<ModModule>,
}

pub struct PythonSyntaxError {
    pub message: String,
    pub span: Span,
}

impl PythonFile {
    pub fn parse(text: &str, stub: bool) -> PythonFile {
        let source_type = if stub {
            PySourceType::Stub
        } else {
            PySourceType::Python
        };
        PythonFile {
            parsed: ruff_python_parser::parse_unchecked_source(text, source_type),
        }
    }

    /// The first syntax error, if any (the parser recovers; one finding per file is enough).
    pub fn first_error(&self) -> Option<PythonSyntaxError> {
        let err = self.parsed.errors().first()?;
        Some(PythonSyntaxError {
            message: err.error.to_string(),
            span: err.location.start().to_usize()..err.location.end().to_usize(),
        })
    }

    pub fn comment_ranges(&self) -> Vec<Span> {
        self.parsed
            .tokens()
            .iter()
            .filter(|t| t.kind() == TokenKind::Comment)
            .map(|t| t.range().start().to_usize()..t.range().end().to_usize())
            .collect()
    }
}
