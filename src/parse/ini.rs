//! INI-style configuration (`setup.cfg`, `tox.ini`, `.flake8`, `.coveragerc`) as Python's
//! configparser reads it: `[section]`, `key = value` or `key: value`, indented continuation
//! lines, `#`/`;` comment lines. Keys are lower-cased like configparser's default.

use crate::source::Span;

#[derive(Debug, Clone)]
pub struct IniEntry {
    pub section: String,
    pub key: String,
    /// Value with continuation lines joined by `\n`.
    pub value: String,
    pub key_span: Span,
    pub value_span: Span,
}

#[derive(Debug, Default)]
pub struct IniFile {
    pub entries: Vec<IniEntry>,
}

pub struct IniError {
    pub message: String,
    pub offset: usize,
}

impl IniFile {
    pub fn parse(text: &str) -> Result<IniFile, IniError> {
        let mut entries: Vec<IniEntry> = Vec::new();
        let mut section: Option<String> = None;
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            let indented = line.starts_with([' ', '\t']);
            if indented {
                if let Some(last) = entries.last_mut() {
                    if !last.value.is_empty() {
                        last.value.push('\n');
                    }
                    last.value.push_str(trimmed);
                    last.value_span.end = start + line.len();
                    continue;
                }
            }
            if let Some(name) = trimmed.strip_prefix('[') {
                let Some(name) = name.strip_suffix(']') else {
                    return Err(IniError {
                        message: "section header without `]`".into(),
                        offset: start,
                    });
                };
                section = Some(name.trim().to_string());
                continue;
            }
            let Some(sep) = line.find(['=', ':']) else {
                return Err(IniError {
                    message: format!("expected `key = value`, found `{trimmed}`"),
                    offset: start,
                });
            };
            let Some(section) = &section else {
                return Err(IniError {
                    message: "key before any [section]".into(),
                    offset: start,
                });
            };
            let key = line[..sep].trim();
            let value = line[sep + 1..].trim();
            let key_start = start + (line.len() - line.trim_start().len());
            let value_start =
                start + sep + 1 + (line[sep + 1..].len() - line[sep + 1..].trim_start().len());
            entries.push(IniEntry {
                section: section.clone(),
                key: key.to_ascii_lowercase(),
                value: value.to_string(),
                key_span: key_start..key_start + key.len(),
                value_span: value_start..value_start + value.len(),
            });
        }
        Ok(IniFile { entries })
    }

    pub fn get(&self, section: &str, key: &str) -> Option<&IniEntry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.section == section && e.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sections_and_continuations() {
        let text = "[flake8]\nmax-line-length = 100\nextend-ignore =\n    E203,\n    W503\n[coverage:report]\nfail_under: 80\n";
        let Ok(ini) = IniFile::parse(text) else {
            panic!("parses")
        };
        assert_eq!(
            ini.get("flake8", "max-line-length")
                .map(|e| e.value.as_str()),
            Some("100")
        );
        assert_eq!(
            ini.get("flake8", "extend-ignore").map(|e| e.value.as_str()),
            Some("E203,\nW503")
        );
        let fu = ini.get("coverage:report", "fail_under").expect("entry");
        assert_eq!(&text[fu.value_span.clone()], "80");
    }

    #[test]
    fn rejects_garbage() {
        assert!(IniFile::parse("[a]\njust words\n").is_err());
        assert!(IniFile::parse("[a\n").is_err());
    }
}
