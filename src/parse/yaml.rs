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
    check_shape(text, &map)?;
    let docs = MarkedYaml::load_from_str(text).map_err(|err| YamlError {
        message: err.info().to_string(),
        offset: map.byte(err.marker().index()),
    })?;
    Ok(docs.iter().map(|doc| convert(doc, text, &map, 0)).collect())
}

/// Deeper nesting than any real configuration; guards the recursion against hostile input.
const MAX_DEPTH: usize = 256;

/// Budget of expanded tree units (a node, or 32 bytes of scalar text) on top of four times what
/// the text itself holds. Real files use an anchor a few times; a "billion laughs" file nests
/// aliases so that a few hundred bytes expand to gigabytes, and saphyr's own alias budget does
/// not count aliases inside mapping keys.
const EXPANSION_BUDGET: u64 = 1_000_000;

/// One cheap pass over saphyr's events before the loader runs, which builds the tree
/// recursively and copies every alias.
///
/// - Depth: the loader's flow-level guard does not cover block collections, and 10k levels of
///   `- - - …` or indented maps overflow a worker's stack and abort the process (no panic to
///   catch). The event parser is iterative.
/// - Size: what the tree would hold once every alias is expanded, anchors measured as they
///   close, so the loader never starts on a file that would exhaust memory.
fn check_shape(text: &str, map: &CharToByte<'_>) -> Result<(), YamlError> {
    use saphyr_parser::Event;
    let mut depth = 0usize;
    // Per open collection: its anchor and its expanded size so far.
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut anchored: std::collections::HashMap<usize, u64> = Default::default();
    let (mut own, mut expanded) = (0u64, 0u64);
    for event in saphyr_parser::Parser::new_from_str(text) {
        let (event, span) = event.map_err(|err| YamlError {
            message: err.info().to_string(),
            offset: map.byte(err.marker().index()),
        })?;
        let mut closed: Option<(usize, u64)> = None;
        match event {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        offset: map.byte(span.start.index()),
                    });
                }
                own += 1;
                expanded = expanded.saturating_add(1);
                open.push((anchor, 1));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                depth = depth.saturating_sub(1);
                closed = open.pop();
            }
            Event::Scalar(value, _, anchor, _) => {
                let units = 1 + value.len() as u64 / 32;
                own += units;
                expanded = expanded.saturating_add(units);
                closed = Some((anchor, units));
            }
            Event::Alias(id) => {
                let units = anchored.get(&id).copied().unwrap_or(1);
                expanded = expanded.saturating_add(units);
                closed = Some((0, units));
            }
            _ => {}
        }
        if let Some((anchor, units)) = closed {
            if anchor != 0 {
                anchored.insert(anchor, units);
            }
            if let Some(parent) = open.last_mut() {
                parent.1 = parent.1.saturating_add(units);
            }
        }
        if expanded > EXPANSION_BUDGET.saturating_add(own.saturating_mul(4)) {
            return Err(YamlError {
                message: "aliases expand to a tree far larger than the file (an alias bomb?)"
                    .to_string(),
                offset: map.byte(span.start.index()),
            });
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
            // One set of names seen, so a merge of m keys into n is linear, not m × n.
            if !merged.is_empty() {
                let mut seen: std::collections::HashSet<String> = out
                    .iter()
                    .filter_map(|(k, _)| k.as_str().map(str::to_string))
                    .collect();
                let mut other_key = out.iter().any(|(k, _)| k.as_str().is_none());
                for (k, v) in merged {
                    let fresh = match k.as_str() {
                        Some(name) => seen.insert(name.to_string()),
                        None => !std::mem::replace(&mut other_key, true),
                    };
                    if fresh {
                        out.push((k, v));
                    }
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
