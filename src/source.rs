//! A file's text and the byte-offset -> line/column mapping used at render time.

use std::ops::Range;
use std::sync::Arc;

/// Byte range into a file's text.
pub type Span = Range<usize>;

/// Index of a file in the run's file table.
pub type FileId = usize;

/// Line starts of a text, so byte offsets become 1-based line/column only when rendered.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

/// A 1-based line and column; the column counts Unicode scalar values (SPEC.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { line_starts }
    }

    /// 0-based line number of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(0)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of a 0-based line, without its line terminator.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.line_start(line).min(text.len());
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |next| next - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }

    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = clamp_to_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        let column = text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }
}

/// Moves an offset back to the nearest char boundary inside the text.
pub fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A file's text kept for rendering and suppression matching after its tree is dropped.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub text: Arc<str>,
    pub lines: Arc<LineIndex>,
}

impl SourceText {
    pub fn new(text: &str) -> Self {
        SourceText {
            text: Arc::from(text),
            lines: Arc::new(LineIndex::new(text)),
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }
}

/// Converts a character index (as counted by YAML scanners) into a byte offset.
pub struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    /// Byte offset of every character when the text is not ASCII.
    offsets: Vec<usize>,
}

impl<'a> CharToByte<'a> {
    pub fn new(text: &'a str) -> Self {
        let ascii = text.is_ascii();
        let offsets = if ascii {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).collect()
        };
        CharToByte {
            text,
            ascii,
            offsets,
        }
    }

    pub fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        self.offsets
            .get(char_index)
            .copied()
            .unwrap_or(self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let text = "ab\nñx\r\nz";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(index.line_col(text, 3), LineCol { line: 2, column: 1 });
        // 'x' comes after the two-byte 'ñ': column 2, not 3.
        assert_eq!(index.line_col(text, 5), LineCol { line: 2, column: 2 });
        assert_eq!(index.line_col(text, 8), LineCol { line: 3, column: 1 });
        assert_eq!(index.line_span(text, 1), 3..6);
        // An offset inside a multi-byte char does not panic.
        assert_eq!(index.line_col(text, 4).line, 2);
    }

    #[test]
    fn char_to_byte() {
        let text = "ñab";
        let map = CharToByte::new(text);
        assert_eq!(map.byte(1), 2);
        assert_eq!(map.byte(9), 4);
    }
}
