//! dotenv files: `KEY=value`, optional `export `, single/double quotes, `#` comments.

use crate::source::Span;

#[derive(Debug, Clone)]
pub struct DotenvEntry {
    pub key: String,
    pub value: String,
    pub key_span: Span,
    pub value_span: Span,
}

pub struct DotenvError {
    pub message: String,
    pub offset: usize,
}

pub fn parse(text: &str) -> Result<Vec<DotenvEntry>, DotenvError> {
    let mut entries = Vec::new();
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n');
    while let Some(raw) = lines.next() {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let lead = line.len() - body.len();
        let (body, lead) = match body.strip_prefix("export ") {
            Some(rest) => (
                rest.trim_start(),
                lead + (body.len() - rest.trim_start().len()),
            ),
            None => (body, lead),
        };
        let Some(eq) = body.find('=') else {
            return Err(DotenvError {
                message: format!("expected `KEY=value`, found `{}`", body.trim()),
                offset: start + lead,
            });
        };
        let key = body[..eq].trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            return Err(DotenvError {
                message: format!("invalid variable name `{key}`"),
                offset: start + lead,
            });
        }
        let after = &body[eq + 1..];
        let value_start = start + lead + eq + 1 + (after.len() - after.trim_start().len());
        let raw_value = after.trim_start();
        let (value, value_len) = match raw_value.chars().next() {
            Some(q @ ('"' | '\'')) => {
                // Quoted values may span lines (double quotes in python-dotenv and docker compose).
                let mut collected = raw_value[1..].to_string();
                let mut consumed = raw_value.len();
                // Only the text added since the last look is searched: an unterminated quote
                // followed by many lines was searched from its start after every line.
                let mut searched = 0;
                loop {
                    if let Some(end) = collected[searched..].find(q).map(|at| searched + at) {
                        let value = collected[..end].to_string();
                        break (value, consumed - (collected.len() - end) + 1);
                    }
                    let Some(next) = lines.next() else {
                        return Err(DotenvError {
                            message: format!("unterminated {q} quote"),
                            offset: value_start,
                        });
                    };
                    offset += next.len();
                    searched = collected.len();
                    collected.push('\n');
                    collected.push_str(next.trim_end_matches(['\n', '\r']));
                    consumed += 1 + next.trim_end_matches(['\n', '\r']).len();
                }
            }
            _ => {
                // Unquoted: an inline comment starts at ` #`.
                let v = raw_value.split(" #").next().unwrap_or("").trim_end();
                (v.to_string(), v.len())
            }
        };
        entries.push(DotenvEntry {
            key: key.to_string(),
            value,
            key_span: start + lead..start + lead + key.len(),
            value_span: value_start..value_start + value_len,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_forms() {
        let text = "# c\nA=1\nexport B = \"two words\" \nC='x' # note\nD=plain # comment\nE=\n";
        let Ok(entries) = parse(text) else {
            panic!("parses")
        };
        let pairs: Vec<_> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("A", "1"),
                ("B", "two words"),
                ("C", "x"),
                ("D", "plain"),
                ("E", "")
            ]
        );
        assert_eq!(&text[entries[1].key_span.clone()], "B");
    }

    #[test]
    fn multiline_and_errors() {
        let Ok(entries) = parse("K=\"a\nb\"\nL=2\n") else {
            panic!("parses")
        };
        assert_eq!(entries[0].value, "a\nb");
        assert_eq!(entries[1].key, "L");
        assert!(parse("K=\"open\n").is_err());
        assert!(parse("not a pair\n").is_err());
    }
}
