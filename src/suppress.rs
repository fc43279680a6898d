//! `# prodlint: ignore[...]`, `# prodlint: ignore-file[...]` and, in Python, `# noqa: CODE`.
//!
//! Every supported file kind uses `#` comments, so one scanner serves all of them. A directive
//! that is alone on its line applies to the next line; one after code applies to its own line.

use crate::registry::Registry;
use crate::source::{LineIndex, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// 0-based line the directive covers.
    Line(usize),
    File,
}

#[derive(Debug, Clone)]
pub struct Directive {
    pub scope: Scope,
    /// Each named rule: its registry index (None when unknown) and the span of the name.
    pub codes: Vec<(Option<usize>, String, Span)>,
    pub used: Vec<bool>,
    /// A bare `# noqa` (Python): every rule on its line, as flake8 and ruff read it. It is
    /// never reported as unused, since it also speaks to other tools.
    pub blanket: bool,
}

/// All directives of one file.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    pub directives: Vec<Directive>,
    /// Indexes into `directives` by the line they cover, and the file-wide ones: a file with
    /// tens of thousands of findings and directives was matched in quadratic time.
    by_line: std::collections::HashMap<usize, Vec<usize>>,
    file_wide: Vec<usize>,
}

impl Suppressions {
    /// Scans `text` for directives. `comments`, when given, are the exact comment ranges from a
    /// tokenizer (Python), so a `#` inside a string is never taken for a comment.
    pub fn scan(
        text: &str,
        lines: &LineIndex,
        comments: Option<&[Span]>,
        python: bool,
    ) -> Suppressions {
        let mut directives = Vec::new();
        let mut handle = |start: usize, end: usize| {
            let comment = &text[start..end];
            let own_line = text[lines.line_start(lines.line_of(start))..start]
                .trim()
                .is_empty();
            let line = lines.line_of(start);
            parse_comment(comment, start, line, own_line, python, &mut directives);
        };
        match comments {
            Some(ranges) => {
                for r in ranges {
                    if r.end <= text.len()
                        && text.is_char_boundary(r.start)
                        && text.is_char_boundary(r.end)
                    {
                        handle(r.start, r.end);
                    }
                }
            }
            None => {
                // A `#` starts a comment at the start of a line or after whitespace.
                for line in 0..lines.line_count() {
                    let span = lines.line_span(text, line);
                    let body = &text[span.clone()];
                    let Some(pos) = comment_start(body) else {
                        continue;
                    };
                    handle(span.start + pos, span.end);
                }
            }
        }
        let mut by_line: std::collections::HashMap<usize, Vec<usize>> = Default::default();
        let mut file_wide = Vec::new();
        for (i, directive) in directives.iter().enumerate() {
            match directive.scope {
                Scope::Line(line) => by_line.entry(line).or_default().push(i),
                Scope::File => file_wide.push(i),
            }
        }
        Suppressions {
            directives,
            by_line,
            file_wide,
        }
    }

    /// Marks and returns whether a finding of `rule` on 0-based `line` is suppressed.
    pub fn suppresses(&mut self, rule: usize, line: usize) -> bool {
        // In file order, line and file-wide directives alike: the first that names the rule is
        // the one marked used.
        let on_line = self.by_line.get(&line).map(Vec::as_slice).unwrap_or(&[]);
        let mut candidates: Vec<usize> = on_line.iter().chain(&self.file_wide).copied().collect();
        candidates.sort_unstable();
        for index in candidates {
            let directive = &mut self.directives[index];
            if directive.blanket {
                return true;
            }
            if let Some(i) = directive
                .codes
                .iter()
                .position(|(r, _, _)| *r == Some(rule))
            {
                directive.used[i] = true;
                return true;
            }
        }
        false
    }
}

/// The first `#` after whitespace (or at the line start) that has a directive word after it.
/// The last directive word is found once, so a line of 800 KB of ` #` is read once, not
/// once per `#`.
fn comment_start(line: &str) -> Option<usize> {
    let last_word = line.rfind("prodlint:").max(line.rfind("noqa"))?;
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(pos) = line[from..=last_word].find('#') {
        let at = from + pos;
        if at == 0 || bytes[at - 1] == b' ' || bytes[at - 1] == b'\t' {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn parse_comment(
    comment: &str,
    base: usize,
    line: usize,
    own_line: bool,
    python: bool,
    out: &mut Vec<Directive>,
) {
    // A comment may hold several `#`-separated parts: `# type: ignore # prodlint: ignore[X]`.
    let mut offset = 0;
    for part in comment.split('#') {
        let part_start = offset;
        offset += part.len() + 1;
        let trimmed = part.trim_start();
        let lead = part.len() - trimmed.len();
        let at = base + part_start + lead;
        if let Some(rest) = trimmed.strip_prefix("prodlint:") {
            let rest_trim = rest.trim_start();
            let rest_at = at + "prodlint:".len() + (rest.len() - rest_trim.len());
            let (scope, list) = if let Some(list) = rest_trim.strip_prefix("ignore-file") {
                (Scope::File, (list, rest_at + "ignore-file".len()))
            } else if let Some(list) = rest_trim.strip_prefix("ignore") {
                let target = if own_line { line + 1 } else { line };
                (Scope::Line(target), (list, rest_at + "ignore".len()))
            } else {
                continue;
            };
            let (list, list_at) = list;
            // `ignore [X]` is what a hand types as often as `ignore[X]`; both are meant.
            let list_trim = list.trim_start();
            let list_at = list_at + (list.len() - list_trim.len());
            let Some(inner) = list_trim.strip_prefix('[') else {
                continue;
            };
            let Some(close) = inner.find(']') else {
                continue;
            };
            push(out, scope, &inner[..close], list_at + 1);
        } else if python {
            let bare = trimmed
                .get(.."noqa".len())
                .is_some_and(|head| head.eq_ignore_ascii_case("noqa"))
                && trimmed["noqa".len()..].trim_start().is_empty();
            if bare {
                out.push(Directive {
                    scope: Scope::Line(line),
                    codes: Vec::new(),
                    used: Vec::new(),
                    blanket: true,
                });
                continue;
            }
            // Case-insensitive, as ruff and flake8 read it (`# NoQA: X` is common).
            let Some(rest) = trimmed
                .get(.."noqa:".len())
                .filter(|head| head.eq_ignore_ascii_case("noqa:"))
                .map(|head| &trimmed[head.len()..])
            else {
                continue;
            };
            let rest_at = at + "noqa:".len();
            // noqa lists end at the first thing that is not a code.
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == ',' || c == ' '))
                .unwrap_or(rest.len());
            let registry = Registry::get();
            let codes: Vec<_> = split_codes(&rest[..end], rest_at)
                .into_iter()
                // Codes of other tools (E501, S105) belong to them, not to us.
                .filter_map(|(code, span)| registry.find(&code).map(|r| (Some(r), code, span)))
                .collect();
            if !codes.is_empty() {
                let used = vec![false; codes.len()];
                out.push(Directive {
                    scope: Scope::Line(line),
                    codes,
                    used,
                    blanket: false,
                });
            }
        }
    }
}

fn split_codes(list: &str, base: usize) -> Vec<(String, Span)> {
    let mut codes = Vec::new();
    let mut offset = 0;
    for piece in list.split(',') {
        let start = offset + (piece.len() - piece.trim_start().len());
        offset += piece.len() + 1;
        let code = piece.trim();
        if !code.is_empty() {
            for (i, word) in code.split_whitespace().enumerate() {
                // `# noqa: A B` is not a list prodlint reads past the first word.
                if i == 0 {
                    codes.push((word.to_string(), base + start..base + start + word.len()));
                }
            }
        }
    }
    codes
}

fn push(out: &mut Vec<Directive>, scope: Scope, list: &str, base: usize) {
    let registry = Registry::get();
    let codes: Vec<_> = split_codes(list, base)
        .into_iter()
        .map(|(code, span)| (registry.find(&code), code, span))
        .collect();
    if codes.is_empty() {
        return;
    }
    let used = vec![false; codes.len()];
    out.push(Directive {
        scope,
        codes,
        used,
        blanket: false,
    });
}

#[cfg(test)]
mod tests {
    use super::comment_start;

    #[test]
    fn comment_start_finds_the_directive_comment() {
        assert_eq!(comment_start("# prodlint: ignore[X]"), Some(0));
        assert_eq!(comment_start("RUN a # prodlint: ignore[X]"), Some(6));
        // A `#` inside a word is not a comment; the next one after a space is.
        assert_eq!(comment_start("a#b # noqa"), Some(4));
        // A comment without a directive word after it.
        assert_eq!(comment_start("prodlint: x # other"), None);
        assert_eq!(comment_start(&" #".repeat(1000)), None);
    }
}
