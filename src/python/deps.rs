//! The project's declared Python dependencies (requirements files and pyproject.toml), so rules
//! can tell which major version of a library the project runs (Pydantic 1 or 2, SQLAlchemy).

use crate::source::{FileId, Span};

#[derive(Debug, Clone)]
pub struct Dependency {
    pub file: FileId,
    pub span: Span,
    /// Normalised name: lower case, `_`/`.` as `-` (PEP 503).
    pub name: String,
    /// The version specifier as written (`>=2,<3`, `==1.10.13`, `^2.5`), empty when unpinned.
    pub spec: String,
}

impl Dependency {
    /// The lowest major version the specifier admits, when it says: `>=2` -> 2, `==1.10` -> 1,
    /// `^2.5` -> 2, `~=2.1` -> 2, `<2` -> 1.
    pub fn major_floor(&self) -> Option<u64> {
        let mut floor: Option<u64> = None;
        for clause in self.spec.split(',') {
            let clause = clause.trim();
            let (op, version) = split_op(clause);
            let major: u64 = version.split('.').next()?.trim().parse().ok()?;
            match op {
                ">=" | "==" | "~=" | "^" | "~" | "===" | "" => {
                    floor = Some(floor.map_or(major, |f| f.max(major)))
                }
                ">" => floor = Some(floor.map_or(major, |f| f.max(major))),
                "<" if floor.is_none() => {
                    let minor_zero = version
                        .split('.')
                        .skip(1)
                        .all(|p| p.trim().trim_matches('*') == "0" || p.is_empty());
                    floor = Some(if minor_zero {
                        major.saturating_sub(1)
                    } else {
                        major
                    });
                }
                _ => {}
            }
        }
        floor
    }
}

fn split_op(clause: &str) -> (&str, &str) {
    for op in ["===", "==", ">=", "<=", "~=", "!=", ">", "<", "^", "~"] {
        if let Some(rest) = clause.strip_prefix(op) {
            return (op, rest.trim());
        }
    }
    ("", clause)
}

pub fn normalise(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// Splits `name[extra]>=1,<2 ; marker` into (name, spec).
fn parse_requirement(line: &str) -> Option<(String, String)> {
    let line = line.split(';').next()?.trim();
    if line.is_empty() || line.starts_with('-') || line.contains("://") {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(line.len());
    let name = &line[..end];
    if name.is_empty() {
        return None;
    }
    let mut rest = line[end..].trim();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map_or("", |(_, r)| r).trim();
    }
    Some((
        normalise(name),
        rest.trim_start_matches(['(', ' '])
            .trim_end_matches(')')
            .to_string(),
    ))
}

/// `requirements*.txt`: one requirement a line, `#` comments, `-r` includes ignored.
pub fn from_requirements(text: &str, file: FileId) -> Vec<Dependency> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.split(" #").next().unwrap_or("").trim_end();
        let body = if body.trim_start().starts_with('#') {
            ""
        } else {
            body
        };
        if let Some((name, spec)) = parse_requirement(body) {
            let lead = body.len() - body.trim_start().len();
            out.push(Dependency {
                file,
                span: start + lead..start + body.len(),
                name,
                spec,
            });
        }
    }
    out
}

/// `[project] dependencies` (and optional dependencies), `[tool.poetry.dependencies]`.
pub fn from_pyproject(doc: &toml_edit::Document<String>, file: FileId) -> Vec<Dependency> {
    let mut out = Vec::new();
    let mut push_array = |array: &toml_edit::Array| {
        for value in array.iter() {
            let (Some(text), Some(span)) = (value.as_str(), value.span()) else {
                continue;
            };
            if let Some((name, spec)) = parse_requirement(text) {
                out.push(Dependency {
                    file,
                    span,
                    name,
                    spec,
                });
            }
        }
    };
    if let Some(project) = doc.get("project") {
        if let Some(deps) = project.get("dependencies").and_then(|d| d.as_array()) {
            push_array(deps);
        }
        if let Some(optional) = project
            .get("optional-dependencies")
            .and_then(|o| o.as_table_like())
        {
            for (_, group) in optional.iter() {
                if let Some(a) = group.as_array() {
                    push_array(a);
                }
            }
        }
    }
    if let Some(poetry) = doc
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_table_like())
    {
        for (name, item) in poetry.iter() {
            let spec = item
                .as_str()
                .or_else(|| item.get("version").and_then(|v| v.as_str()))
                .unwrap_or("")
                .to_string();
            let span = poetry.key(name).and_then(|k| k.span()).unwrap_or(0..0);
            out.push(Dependency {
                file,
                span,
                name: normalise(name),
                spec: if spec == "*" { String::new() } else { spec },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_lines() {
        let deps = from_requirements("fastapi==0.115.6\npydantic>=2.9,<3\n# c\nuvicorn[standard]==0.32 # x\n-r base.txt\nPyYAML\n", 0);
        let names: Vec<_> = deps
            .iter()
            .map(|d| (d.name.as_str(), d.spec.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("fastapi", "==0.115.6"),
                ("pydantic", ">=2.9,<3"),
                ("uvicorn", "==0.32"),
                ("pyyaml", "")
            ]
        );
        assert_eq!(deps[1].major_floor(), Some(2));
        assert_eq!(deps[0].major_floor(), Some(0));
    }

    #[test]
    fn major_floors() {
        let d = |spec: &str| {
            Dependency {
                file: 0,
                span: 0..0,
                name: "x".into(),
                spec: spec.into(),
            }
            .major_floor()
        };
        assert_eq!(d("<2"), Some(1));
        assert_eq!(d("^1.10"), Some(1));
        assert_eq!(d("~=2.1"), Some(2));
        assert_eq!(d(""), None);
    }
}
