//! Context references inside one `${{ … }}` expression (GitHub docs, "Evaluate expressions in
//! workflows and actions"), with enough of the surrounding syntax to tell a value that is
//! pasted into the script (`${{ github.head_ref }}`) from one that only feeds a boolean
//! (`${{ contains(github.head_ref, 'x') }}`, `${{ github.head_ref == 'main' }}`).

use crate::source::Span;

/// One context reference: `github.event.commits[0].message` as `github.event.commits.*.message`
/// (lowercased: contexts are case-insensitive; indexes and `*` both become `*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRef {
    pub path: String,
    /// Byte span in the expression's inner text.
    pub span: Span,
    /// Only compared or tested (`==`, `!`, `contains(…)`), so its text never reaches the output.
    pub boolean_only: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Path(String, Span),
    Op(String),
    Open,
    Close,
    Comma,
    Literal,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '\'' => {
                // `'it''s'`: a doubled quote is an escaped quote.
                i += 1;
                while i < chars.len() {
                    if chars[i].1 == '\'' {
                        if chars.get(i + 1).is_some_and(|n| n.1 == '\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                out.push(Token::Literal);
            }
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            '=' | '!' | '<' | '>' | '&' | '|' => {
                let two: String = chars[i..chars.len().min(i + 2)]
                    .iter()
                    .map(|(_, c)| c)
                    .collect();
                let op = if matches!(two.as_str(), "==" | "!=" | "<=" | ">=" | "&&" | "||") {
                    two
                } else {
                    c.to_string()
                };
                i += op.chars().count();
                out.push(Token::Op(op));
            }
            _ if is_ident_start(c) => {
                let (path, next) = read_path(&chars, i);
                let end = chars.get(next).map_or(text.len(), |(p, _)| *p);
                out.push(Token::Path(path, at..end));
                i = next;
            }
            _ => {
                // Numbers and anything unexpected: not a context.
                while i < chars.len()
                    && !chars[i].1.is_whitespace()
                    && !"(),=!<>&|".contains(chars[i].1)
                {
                    i += 1;
                }
                out.push(Token::Literal);
            }
        }
    }
    out
}

/// Reads `a.b[*].c['d'][0]` from `start`; returns the normalized path and the index after it.
fn read_path(chars: &[(usize, char)], start: usize) -> (String, usize) {
    let mut path = String::new();
    let mut i = start;
    let segment = |path: &mut String, s: &str| {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&s.to_ascii_lowercase());
    };
    // The first segment.
    let mut word = String::new();
    while i < chars.len() && is_ident(chars[i].1) {
        word.push(chars[i].1);
        i += 1;
    }
    segment(&mut path, &word);
    loop {
        match chars.get(i).map(|c| c.1) {
            Some('.') => {
                i += 1;
                let mut word = String::new();
                while i < chars.len() && (is_ident(chars[i].1) || chars[i].1 == '*') {
                    word.push(chars[i].1);
                    i += 1;
                }
                if word.is_empty() {
                    return (path, i);
                }
                segment(&mut path, &word);
            }
            Some('[') => {
                let Some(close) = chars[i..].iter().position(|c| c.1 == ']') else {
                    return (path, i);
                };
                let inner: String = chars[i + 1..i + close].iter().map(|c| c.1).collect();
                let inner = inner.trim();
                let name = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .filter(|s| !s.is_empty() && s.chars().all(is_ident));
                match name {
                    Some(name) => segment(&mut path, name),
                    // `[0]`, `[*]`, `[format(…)]`: any element.
                    None => segment(&mut path, "*"),
                }
                i += close + 1;
            }
            _ => return (path, i),
        }
    }
}

/// Functions whose result is a boolean: an argument's text never reaches the output.
const BOOLEAN_FUNCTIONS: &[&str] = &[
    "contains",
    "startswith",
    "endswith",
    "always",
    "success",
    "failure",
    "cancelled",
];

fn is_comparison(op: &str) -> bool {
    matches!(op, "==" | "!=" | "<" | "<=" | ">" | ">=")
}

/// The context references of an expression's inner text, in order. Function names are not
/// references.
pub fn context_refs(inner: &str) -> Vec<ContextRef> {
    let tokens = tokenize(inner);
    let mut out = Vec::new();
    // Enclosing calls and groups: `Some(function name)` or `None` for a plain `(`.
    let mut frames: Vec<Option<String>> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Path(path, span) => {
                if tokens.get(i + 1) == Some(&Token::Open) {
                    frames.push(Some(path.clone()));
                    continue;
                }
                let in_boolean_call = frames
                    .iter()
                    .flatten()
                    .any(|f| BOOLEAN_FUNCTIONS.contains(&f.as_str()));
                let prev = i.checked_sub(1).and_then(|p| tokens.get(p));
                let next = tokens.get(i + 1);
                let compared = [prev, next]
                    .iter()
                    .any(|t| matches!(t, Some(Token::Op(op)) if is_comparison(op)));
                let negated = matches!(prev, Some(Token::Op(op)) if op == "!");
                out.push(ContextRef {
                    path: path.clone(),
                    span: span.clone(),
                    boolean_only: in_boolean_call || compared || negated,
                });
            }
            Token::Open => {
                // A call's `(` was pushed with its name above.
                let after_name = i
                    .checked_sub(1)
                    .and_then(|p| tokens.get(p))
                    .is_some_and(|t| matches!(t, Token::Path(..)));
                if !after_name {
                    frames.push(None);
                }
            }
            Token::Close => {
                frames.pop();
            }
            Token::Op(_) | Token::Comma | Token::Literal => {}
        }
    }
    out
}

/// Whether `path` is `pattern` (segments equal, `*` matching any one segment) or an object
/// that contains it (`github.event.issue` contains `github.event.issue.title`).
pub fn covers(path: &str, pattern: &str) -> bool {
    let p: Vec<&str> = path.split('.').collect();
    let q: Vec<&str> = pattern.split('.').collect();
    p.len() <= q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| a == b || *a == "*" || *b == "*")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(e: &str) -> Vec<(String, bool)> {
        context_refs(e)
            .into_iter()
            .map(|r| (r.path, r.boolean_only))
            .collect()
    }

    #[test]
    fn paths_are_normalized() {
        assert_eq!(
            refs("github.event.commits[0].message"),
            vec![("github.event.commits.*.message".into(), false)]
        );
        assert_eq!(
            refs("github.event['pull_request'].Title"),
            vec![("github.event.pull_request.title".into(), false)]
        );
        assert_eq!(
            refs("join(github.event.commits.*.message, ' ')"),
            vec![("github.event.commits.*.message".into(), false)]
        );
    }

    #[test]
    fn booleans_do_not_paste_text() {
        assert_eq!(
            refs("contains(github.head_ref, 'x')"),
            vec![("github.head_ref".into(), true)]
        );
        assert_eq!(
            refs("github.head_ref == 'main'"),
            vec![("github.head_ref".into(), true)]
        );
        assert_eq!(
            refs("!github.head_ref"),
            vec![("github.head_ref".into(), true)]
        );
        assert_eq!(
            refs("github.event_name == 'pull_request' && github.head_ref || 'none'"),
            vec![
                ("github.event_name".into(), true),
                ("github.head_ref".into(), false)
            ]
        );
        assert_eq!(
            refs("format('{0}', github.event.issue.title)"),
            vec![("github.event.issue.title".into(), false)]
        );
        assert_eq!(refs("'github.head_ref'"), vec![]);
        assert_eq!(
            refs("'it''s' == github.head_ref"),
            vec![("github.head_ref".into(), true)]
        );
    }

    #[test]
    fn covering() {
        assert!(covers(
            "github.event.issue.title",
            "github.event.issue.title"
        ));
        assert!(covers("github.event.issue", "github.event.issue.title"));
        assert!(covers(
            "github.event.commits.*.message",
            "github.event.commits.*.message"
        ));
        assert!(!covers(
            "github.event.issue.number",
            "github.event.issue.title"
        ));
        assert!(!covers(
            "github.event.issue.title.x",
            "github.event.issue.title"
        ));
    }
}
