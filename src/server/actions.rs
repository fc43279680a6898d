//! Code actions that write the suppression comments of SPEC.md ("Suppressions"):
//! `# prodlint: ignore[CODE]` for one line and `# prodlint: ignore-file[CODE]` for a file.
//!
//! An existing directive for the same line (or the file) gets the code added to its list,
//! so repeated actions do not stack comments. Where a new line comment goes depends on the
//! kind: Python takes it at the end of the flagged line (a comment line above a line could
//! sit inside a backslash continuation); every other kind takes it alone on the line above,
//! because a Dockerfile comment must start its line (`FROM x # y` does not parse).

use crate::kind::FileKind;
use crate::parse::python::PythonFile;
use crate::source::{LineIndex, Span};
use crate::suppress::{Scope, Suppressions};

/// One replacement in byte offsets of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

struct Scanned {
    lines: LineIndex,
    suppressions: Suppressions,
}

fn scan(text: &str, kind: Option<FileKind>) -> Scanned {
    let lines = LineIndex::new(text);
    let python = kind == Some(FileKind::Python);
    // Python comments come from the tokenizer, so a `#` in a string is not taken for one.
    let comments = python.then(|| PythonFile::parse(text, false).comment_ranges());
    let suppressions = Suppressions::scan(text, &lines, comments.as_deref(), python);
    Scanned {
        lines,
        suppressions,
    }
}

/// Adds `code` to a directive of `scope` that already names codes; `Some(None)` when one of
/// them already names it (nothing to do), `None` when there is no such directive.
fn extend_existing(scanned: &Scanned, scope: Scope, code: &str) -> Option<Option<Edit>> {
    let directive = scanned
        .suppressions
        .directives
        .iter()
        .filter(|d| d.scope == scope && !d.blanket)
        .find(|d| !d.codes.is_empty())?;
    if directive
        .codes
        .iter()
        .any(|(_, name, _)| name.eq_ignore_ascii_case(code))
    {
        return Some(None);
    }
    let last = directive.codes.last()?.2.end;
    Some(Some(Edit {
        span: last..last,
        text: format!(", {code}"),
    }))
}

/// The edit that suppresses `code` on 0-based `line`; `None` when nothing needs doing or no
/// comment can be placed safely.
pub fn suppress_line(text: &str, kind: Option<FileKind>, line: usize, code: &str) -> Option<Edit> {
    let scanned = scan(text, kind);
    if line >= scanned.lines.line_count() {
        return None;
    }
    if let Some(existing) = extend_existing(&scanned, Scope::Line(line), code) {
        return existing;
    }
    let span = scanned.lines.line_span(text, line);
    let body = &text[span.clone()];
    if kind == Some(FileKind::Python) {
        // A comment after a backslash continuation is a syntax error.
        if body.trim_end().ends_with('\\') {
            return None;
        }
        return Some(Edit {
            span: span.end..span.end,
            text: format!("  # prodlint: ignore[{code}]"),
        });
    }
    let indent: String = body
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if text[span.end..].starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Some(Edit {
        span: span.start..span.start,
        text: format!("{indent}# prodlint: ignore[{code}]{newline}"),
    })
}

/// The edit that suppresses `code` in the whole file.
pub fn suppress_file(text: &str, kind: Option<FileKind>, code: &str) -> Option<Edit> {
    let scanned = scan(text, kind);
    if let Some(existing) = extend_existing(&scanned, Scope::File, code) {
        return existing;
    }
    // After the lines that must stay first: a shebang, Python's coding cookie, a Dockerfile's
    // parser directives (`# syntax=...`, which BuildKit reads only before any other comment).
    let mut line = 0;
    while line < scanned.lines.line_count() {
        let body = &text[scanned.lines.line_span(text, line)];
        let keep_first = (line == 0 && body.starts_with("#!"))
            || (kind == Some(FileKind::Python) && line < 2 && is_coding_cookie(body))
            || (kind == Some(FileKind::Dockerfile) && is_parser_directive(body));
        if !keep_first {
            break;
        }
        line += 1;
    }
    let at = if line < scanned.lines.line_count() {
        scanned.lines.line_start(line)
    } else {
        text.len()
    };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // A file whose last line has no newline: the directive starts a line of its own.
    let lead = if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        newline
    } else {
        ""
    };
    Some(Edit {
        span: at..at,
        text: format!("{lead}# prodlint: ignore-file[{code}]{newline}"),
    })
}

fn is_coding_cookie(line: &str) -> bool {
    line.trim_start().starts_with('#') && (line.contains("coding:") || line.contains("coding="))
}

/// `# syntax=docker/dockerfile:1`, `# escape=\``, `# check=skip=...`.
fn is_parser_directive(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix('#') else {
        return false;
    };
    let Some((name, _)) = rest.split_once('=') else {
        return false;
    };
    let name = name.trim();
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edit: Option<Edit>) -> String {
        let Some(edit) = edit else {
            return text.to_string();
        };
        let mut out = text.to_string();
        out.replace_range(edit.span, &edit.text);
        out
    }

    #[test]
    fn dockerfile_line_goes_above_with_indent_and_extends_an_existing_one() {
        let text = "FROM python:3.12\n  USER root\n";
        let once = apply(
            text,
            suppress_line(text, Some(FileKind::Dockerfile), 1, "DKR002"),
        );
        assert_eq!(
            once,
            "FROM python:3.12\n  # prodlint: ignore[DKR002]\n  USER root\n"
        );
        let twice = apply(
            &once,
            suppress_line(&once, Some(FileKind::Dockerfile), 2, "DKR004"),
        );
        assert_eq!(
            twice,
            "FROM python:3.12\n  # prodlint: ignore[DKR002, DKR004]\n  USER root\n"
        );
        assert_eq!(
            suppress_line(&twice, Some(FileKind::Dockerfile), 2, "DKR002"),
            None
        );
    }

    #[test]
    fn python_line_goes_at_the_end_except_after_a_backslash() {
        let text = "x = 1\ny = 2 + \\\n    3\n";
        assert_eq!(
            apply(
                text,
                suppress_line(text, Some(FileKind::Python), 0, "API001")
            ),
            "x = 1  # prodlint: ignore[API001]\ny = 2 + \\\n    3\n"
        );
        assert_eq!(
            suppress_line(text, Some(FileKind::Python), 1, "API001"),
            None
        );
    }

    #[test]
    fn file_directive_skips_shebang_cookie_and_parser_directives() {
        let docker = "# syntax=docker/dockerfile:1\nFROM x\n";
        assert_eq!(
            apply(
                docker,
                suppress_file(docker, Some(FileKind::Dockerfile), "DKR001")
            ),
            "# syntax=docker/dockerfile:1\n# prodlint: ignore-file[DKR001]\nFROM x\n"
        );
        let py = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport os";
        let once = apply(py, suppress_file(py, Some(FileKind::Python), "API001"));
        assert_eq!(
            once,
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# prodlint: ignore-file[API001]\nimport os"
        );
        assert_eq!(
            apply(&once, suppress_file(&once, Some(FileKind::Python), "API002")),
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# prodlint: ignore-file[API001, API002]\nimport os"
        );
        let only = "#!/bin/sh";
        assert_eq!(
            apply(only, suppress_file(only, Some(FileKind::Shell), "SH001")),
            "#!/bin/sh\n# prodlint: ignore-file[SH001]\n"
        );
    }
}
