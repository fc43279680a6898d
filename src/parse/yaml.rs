//! The one span-carrying YAML tree for workflows, compose, pre-commit, patroni and prometheus.
//!
//! saphyr's marked nodes count characters; this layer converts every position to a byte offset
//! once, keeps non-string scalars as written (`python-version: 3.10` stays `3.10`, not `3.1`),
//! and applies `<<` merge keys, which saphyr leaves to the application.

use crate::source::{CharToByte, Span};
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

#[derive(Debug, Clone)]
pub struct Yaml {
    pub span: Span,
    pub value: YamlValue,
}

#[derive(Debug, Clone)]
pub enum YamlValue {
    Null,
    /// A scalar as a string: strings unquoted, other scalars exactly as written.
    Scalar(String),
    Seq(Vec<Yaml>),
    /// Entries in document order, merge keys applied.
    Map(Vec<(Yaml, Yaml)>),
}

pub struct YamlError {
    pub message: String,
    pub offset: usize,
}

/// Parses every document of a YAML stream.
pub fn parse(text: &str) -> Result<Vec<Yaml>, YamlError> {
    let map = CharToByte::new(text);
    check_depth(text, &map)?;
    let docs = MarkedYaml::load_from_str(text).map_err(|err| YamlError {
        message: err.info().to_string(),
        offset: map.byte(err.marker().index()),
    })?;
    Ok(docs.iter().map(|doc| convert(doc, text, &map, 0)).collect())
}

/// Deeper nesting than any real configuration; guards the recursion against hostile input.
const MAX_DEPTH: usize = 256;

/// saphyr's loader builds the tree recursively and its flow-level guard does not cover block
/// collections: 10k levels of `- - - …` or indented maps overflow a worker's stack and abort the
/// process (no panic to catch). Its event parser is iterative, so one cheap pass over the events
/// measures the depth before the loader runs.
fn check_depth(text: &str, map: &CharToByte<'_>) -> Result<(), YamlError> {
    let mut depth = 0usize;
    for event in saphyr_parser::Parser::new_from_str(text) {
        let (event, span) = event.map_err(|err| YamlError {
            message: err.info().to_string(),
            offset: map.byte(err.marker().index()),
        })?;
        match event {
            saphyr_parser::Event::SequenceStart(..) | saphyr_parser::Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        offset: map.byte(span.start.index()),
                    });
                }
            }
            saphyr_parser::Event::SequenceEnd | saphyr_parser::Event::MappingEnd => {
                depth = depth.saturating_sub(1)
            }
            _ => {}
        }
    }
    Ok(())
}

fn convert(node: &MarkedYaml<'_>, text: &str, map: &CharToByte<'_>, depth: usize) -> Yaml {
    let start = map.byte(node.span.start.index());
    let end = map.byte(node.span.end.index()).max(start);
    let span = start..end;
    if depth > MAX_DEPTH {
        return Yaml {
            span,
            value: YamlValue::Null,
        };
    }
    let value = match &node.data {
        YamlData::Value(Scalar::Null) => YamlValue::Null,
        YamlData::Value(Scalar::String(s)) => YamlValue::Scalar(s.to_string()),
        YamlData::Value(_) | YamlData::Representation(..) => {
            let raw = text.get(span.clone()).unwrap_or("").trim();
            YamlValue::Scalar(raw.to_string())
        }
        YamlData::Sequence(items) => YamlValue::Seq(
            items
                .iter()
                .map(|i| convert(i, text, map, depth + 1))
                .collect(),
        ),
        YamlData::Mapping(entries) => {
            let mut out: Vec<(Yaml, Yaml)> = Vec::with_capacity(entries.len());
            let mut merged: Vec<(Yaml, Yaml)> = Vec::new();
            for (k, v) in entries {
                let key = convert(k, text, map, depth + 1);
                let value = convert(v, text, map, depth + 1);
                if key.as_str() == Some("<<") {
                    match value.value {
                        YamlValue::Map(entries) => merged.extend(entries),
                        YamlValue::Seq(items) => {
                            for item in items {
                                if let YamlValue::Map(entries) = item.value {
                                    merged.extend(entries);
                                }
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                out.push((key, value));
            }
            // Explicit keys win over merged ones; the first merged source wins among merges.
            for (k, v) in merged {
                let name = k.as_str().map(str::to_string);
                if !out
                    .iter()
                    .any(|(ek, _)| ek.as_str().map(str::to_string) == name)
                {
                    out.push((k, v));
                }
            }
            YamlValue::Map(out)
        }
        YamlData::Tagged(_, inner) => return convert(inner, text, map, depth + 1),
        YamlData::Alias(_) | YamlData::BadValue => YamlValue::Null,
    };
    Yaml { span, value }
}

impl Yaml {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YamlValue::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> &[Yaml] {
        match &self.value {
            YamlValue::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn entries(&self) -> &[(Yaml, Yaml)] {
        match &self.value {
            YamlValue::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, YamlValue::Map(_))
    }

    /// The key node and value node of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Yaml, &Yaml)> {
        self.entries()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    pub fn get(&self, key: &str) -> Option<&Yaml> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Follows a path of keys: `doc.path(&["services", "api", "build"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&Yaml> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_scalars_as_written_and_byte_spans() {
        let text = "a: ñ\nversion: 3.10\nb:\n  - x\n";
        let docs = parse(text).ok().expect("valid yaml");
        let doc = &docs[0];
        assert_eq!(doc.get("version").and_then(Yaml::as_str), Some("3.10"));
        let (key, _) = doc.entry("version").expect("key");
        assert_eq!(&text[key.span.clone()], "version");
        assert_eq!(doc.path(&["b"]).map(|b| b.as_seq().len()), Some(1));
    }

    #[test]
    fn merge_keys_and_anchors() {
        let text = "base: &b\n  image: x\n  restart: always\nsvc:\n  <<: *b\n  image: y\n";
        let docs = parse(text).ok().expect("valid yaml");
        let svc = docs[0].get("svc").expect("svc");
        assert_eq!(svc.get("image").and_then(Yaml::as_str), Some("y"));
        assert_eq!(svc.get("restart").and_then(Yaml::as_str), Some("always"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let blocks = "- ".repeat(10_000) + "x\n";
        let Err(err) = parse(&blocks) else {
            panic!("must fail")
        };
        assert!(err.message.contains("nesting"), "{}", err.message);
        let maps: String = (0..3_000)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect();
        assert!(parse(&maps).is_err());
        let ok: String = (0..20).map(|i| format!("{}a:\n", "  ".repeat(i))).collect();
        assert!(parse(&ok).is_ok());
        // Just under the limit still loads on a test thread's 2 MiB stack.
        assert!(parse(&("- ".repeat(MAX_DEPTH - 1) + "x\n")).is_ok());
    }

    #[test]
    fn error_position_in_bytes() {
        let text = "ñ: [\n";
        let Err(err) = parse(text) else {
            panic!("must fail")
        };
        assert!(err.offset <= text.len());
    }
}
