//! Directive-per-line configuration: `redis.conf`/`sentinel.conf` (`name arg arg…`, quotes
//! allowed) and `postgresql.conf` (`name = value` or `name value`, `#` comments).

use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Directive {
    /// Lower-cased directive name.
    pub name: String,
    pub args: Vec<(String, Span)>,
    pub span: Span,
}

pub struct ConfError {
    pub message: String,
    pub offset: usize,
}

/// Parses either dialect: a `=` after the name (postgresql.conf) is dropped.
pub fn parse(text: &str) -> Result<Vec<Directive>, ConfError> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let mut words: Vec<(String, Span)> = Vec::new();
        let mut chars = line.char_indices().peekable();
        while let Some(&(i, c)) = chars.peek() {
            match c {
                ' ' | '\t' | '=' => {
                    chars.next();
                }
                '#' => break,
                '"' | '\'' => {
                    chars.next();
                    let mut word = String::new();
                    let mut closed = false;
                    while let Some((j, d)) = chars.next() {
                        if d == '\\' {
                            if let Some((_, e)) = chars.next() {
                                word.push(e);
                            }
                        } else if d == c {
                            words.push((word.clone(), start + i..start + j + 1));
                            closed = true;
                            break;
                        } else {
                            word.push(d);
                        }
                    }
                    if !closed {
                        return Err(ConfError {
                            message: format!("unterminated {c} quote"),
                            offset: start + i,
                        });
                    }
                }
                _ => {
                    let mut word = String::new();
                    let mut end = i;
                    while let Some(&(j, d)) = chars.peek() {
                        if matches!(d, ' ' | '\t' | '#') || (d == '=' && words.is_empty()) {
                            break;
                        }
                        word.push(d);
                        end = j + d.len_utf8();
                        chars.next();
                    }
                    words.push((word, start + i..start + end));
                }
            }
        }
        let Some(((name, name_span), args)) =
            words.split_first().map(|(n, a)| (n.clone(), a.to_vec()))
        else {
            continue;
        };
        let end = args.last().map_or(name_span.end, |(_, s)| s.end);
        out.push(Directive {
            name: name.to_ascii_lowercase(),
            args,
            span: name_span.start..end,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_and_postgres_dialects() {
        let Ok(d) = parse("sentinel monitor mymaster redis-master 6379 2\n# c\nmax_connections = 200 # more\nlog_line_prefix = '%m [%p] '\n") else {
            panic!("parses")
        };
        assert_eq!(d[0].name, "sentinel");
        assert_eq!(
            d[0].args.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(),
            vec!["monitor", "mymaster", "redis-master", "6379", "2"]
        );
        assert_eq!(d[1].name, "max_connections");
        assert_eq!(d[1].args[0].0, "200");
        assert_eq!(d[2].args[0].0, "%m [%p] ");
        assert!(parse("requirepass \"open\n").is_err());
    }
}
