//! Facts from `pyproject.toml`: linter line lengths (`[tool.black]`, `[tool.ruff]`,
//! `[tool.isort]`, `[tool.pylint.*]`, `[tool.flake8]` of Flake8-pyproject), flake8 `ignore`,
//! coverage (`[tool.coverage.report] fail_under`, pytest `addopts`), and Python versions
//! (`requires-python`, Poetry's `python`, tool targets).

use super::specifier;
use super::tools;
use crate::facts::{
    show_py_version, ConfigFile, FileFacts, Flake8Ignore, LengthOrigin, PyVersion, PythonDecl,
    PythonRole, Setting,
};
use crate::source::{FileId, Span};
use toml_edit::{Document, Item, TableLike};

const FILE: &str = "pyproject.toml";

struct Ctx<'d> {
    doc: &'d Document<String>,
    id: FileId,
}

/// The table at a dotted path (`["tool", "black"]`), and the span of its last key (where a
/// finding about the table as a whole points).
fn table<'d>(ctx: &Ctx<'d>, path: &[&str]) -> Option<(&'d dyn TableLike, Span)> {
    let mut current: &dyn TableLike = ctx.doc.as_table();
    let mut span = 0..0;
    for key in path {
        let (k, item) = current.get_key_value(key)?;
        span = k.span().unwrap_or(span);
        current = item.as_table_like()?;
    }
    Some((current, span))
}

/// A key of a table: (key span, value item, value span).
fn entry<'d>(t: &'d dyn TableLike, key: &str) -> Option<(Span, &'d Item, Span)> {
    let (k, item) = t.get_key_value(key)?;
    let key_span = k.span().unwrap_or(0..0);
    let value_span = item.span().unwrap_or(key_span.clone());
    Some((key_span, item, value_span))
}

fn int_of(item: &Item) -> Option<i64> {
    item.as_integer()
        .or_else(|| item.as_str().and_then(|s| s.trim().parse().ok()))
}

pub fn gather(doc: &Document<String>, path: &std::path::Path, id: FileId, facts: &mut FileFacts) {
    facts.config_file = Some(ConfigFile {
        file: id,
        name: FILE.to_string(),
        path: Some(path.to_path_buf()),
    });
    let ctx = Ctx { doc, id };
    line_lengths(&ctx, facts);
    flake8_ignore(&ctx, facts);
    coverage(&ctx, facts);
    python(&ctx, facts);
}

fn push_length(
    ctx: &Ctx<'_>,
    facts: &mut FileFacts,
    tool: &str,
    length: i64,
    origin: LengthOrigin,
    span: Span,
    source: String,
) {
    facts.push_line_length(ctx.id, tool, length, origin, span, source);
}

/// A length key of a tool's table, or the tool's default for a table without one.
fn simple_tool(ctx: &Ctx<'_>, facts: &mut FileFacts, tool: &str, keys: &[&str]) {
    let Some((t, header)) = table(ctx, &["tool", tool]) else {
        return;
    };
    for key in keys {
        if let Some((_, item, span)) = entry(t, key) {
            if let Some(n) = int_of(item) {
                let source = format!("`{key} = {n}` in [tool.{tool}], {FILE}");
                push_length(ctx, facts, tool, n, LengthOrigin::Config, span, source);
            }
            return;
        }
    }
    if let Some(n) = tools::default_length(tool) {
        let source = format!("default: [tool.{tool}] in {FILE} sets no length");
        push_length(
            ctx,
            facts,
            tool,
            n,
            LengthOrigin::DefaultOfSection,
            header,
            source,
        );
    }
}

fn line_lengths(ctx: &Ctx<'_>, facts: &mut FileFacts) {
    simple_tool(ctx, facts, "black", &["line-length", "line_length"]);
    simple_tool(
        ctx,
        facts,
        "flake8",
        &["max-line-length", "max_line_length"],
    );
    // ruff: `line-length` applies to the formatter and E501; without it the default matters
    // only when ruff formats ([tool.ruff.format] is present).
    if let Some((ruff, _)) = table(ctx, &["tool", "ruff"]) {
        if let Some((_, item, span)) = entry(ruff, "line-length") {
            if let Some(n) = int_of(item) {
                let source = format!("`line-length = {n}` in [tool.ruff], {FILE}");
                push_length(ctx, facts, "ruff", n, LengthOrigin::Config, span, source);
            }
        } else if let Some((_, header)) = table(ctx, &["tool", "ruff", "format"]) {
            let source = format!("default: [tool.ruff.format] in {FILE} with no `line-length`");
            push_length(
                ctx,
                facts,
                "ruff",
                88,
                LengthOrigin::DefaultOfSection,
                header,
                source,
            );
        }
    }
    isort(ctx, facts);
    pylint(ctx, facts);
}

/// isort: `line_length`, else its `profile`'s length, else 79.
fn isort(ctx: &Ctx<'_>, facts: &mut FileFacts) {
    let Some((t, header)) = table(ctx, &["tool", "isort"]) else {
        return;
    };
    for key in ["line_length", "line-length"] {
        if let Some((_, item, span)) = entry(t, key) {
            if let Some(n) = int_of(item) {
                let source = format!("`{key} = {n}` in [tool.isort], {FILE}");
                push_length(ctx, facts, "isort", n, LengthOrigin::Config, span, source);
            }
            return;
        }
    }
    if let Some((_, item, span)) = entry(t, "profile") {
        let profile = item.as_str().unwrap_or("");
        if let Some(n) = tools::isort_profile_length(profile) {
            let source = format!("`profile = \"{profile}\"` in [tool.isort], {FILE}");
            push_length(ctx, facts, "isort", n, LengthOrigin::Config, span, source);
        }
        return;
    }
    let source = format!("default: [tool.isort] in {FILE} sets no length or profile");
    push_length(
        ctx,
        facts,
        "isort",
        79,
        LengthOrigin::DefaultOfSection,
        header,
        source,
    );
}

/// pylint groups its options in sub-tables of any name (`[tool.pylint.format]`,
/// `[tool.pylint."messages control"]`); `max-line-length` may be in any of them.
fn pylint(ctx: &Ctx<'_>, facts: &mut FileFacts) {
    let Some((t, header)) = table(ctx, &["tool", "pylint"]) else {
        return;
    };
    let mut tables: Vec<(String, &dyn TableLike)> = vec![("tool.pylint".to_string(), t)];
    for (name, item) in t.iter() {
        if let Some(sub) = item.as_table_like() {
            tables.push((format!("tool.pylint.{name}"), sub));
        }
    }
    for (name, table) in tables {
        if let Some((_, item, span)) = entry(table, "max-line-length") {
            if let Some(n) = int_of(item) {
                let source = format!("`max-line-length = {n}` in [{name}], {FILE}");
                push_length(ctx, facts, "pylint", n, LengthOrigin::Config, span, source);
            }
            return;
        }
    }
    let source = format!("default: [tool.pylint] in {FILE} sets no `max-line-length`");
    push_length(
        ctx,
        facts,
        "pylint",
        100,
        LengthOrigin::DefaultOfSection,
        header,
        source,
    );
}

/// `[tool.flake8] ignore` (Flake8-pyproject reads flake8's options from here).
fn flake8_ignore(ctx: &Ctx<'_>, facts: &mut FileFacts) {
    let Some((t, _)) = table(ctx, &["tool", "flake8"]) else {
        return;
    };
    let Some((key, item, span)) = entry(t, "ignore") else {
        return;
    };
    let text = match item.as_array() {
        Some(a) => a
            .iter()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(","),
        None => item.as_str().unwrap_or("").to_string(),
    };
    facts.flake8_ignores.push(Setting {
        file: ctx.id,
        span: key.start..span.end,
        source: format!("`ignore` in [tool.flake8], {FILE}"),
        value: Flake8Ignore {
            codes: tools::code_list(&text),
        },
    });
}

fn coverage(ctx: &Ctx<'_>, facts: &mut FileFacts) {
    if let Some((t, _)) = table(ctx, &["tool", "coverage", "report"]) {
        if let Some((_, item, span)) = entry(t, "fail_under") {
            let source = format!("`fail_under` in [tool.coverage.report], {FILE}");
            let value = item
                .as_float()
                .or_else(|| item.as_integer().map(|i| i as f64))
                .ok_or(())
                .or_else(|_| tools::parse_number(item.as_str().unwrap_or("")).map_err(|_| ()));
            match value {
                Ok(v) => facts.coverage_thresholds.push(Setting {
                    file: ctx.id,
                    span,
                    source,
                    value: v,
                }),
                Err(()) => facts.coverage_gates_unknown.push(Setting {
                    file: ctx.id,
                    span,
                    source,
                    value: String::new(),
                }),
            }
        }
    }
    // pytest reads `[tool.pytest.ini_options]`; pytest 9 also a native `[tool.pytest]` table.
    for path in [
        &["tool", "pytest", "ini_options"][..],
        &["tool", "pytest"][..],
    ] {
        let Some((t, _)) = table(ctx, path) else {
            continue;
        };
        let Some((_, item, span)) = entry(t, "addopts") else {
            continue;
        };
        let mut words = Vec::new();
        let strings: Vec<(String, Span)> = match item.as_array() {
            Some(a) => a
                .iter()
                .filter_map(|v| Some((v.as_str()?.to_string(), v.span()?)))
                .collect(),
            None => item
                .as_str()
                .map(|s| vec![(s.to_string(), span.clone())])
                .unwrap_or_default(),
        };
        for (text, span) in strings {
            // Offsets inside the string start after its opening quote(s).
            let raw = ctx.doc.raw().get(span.clone()).unwrap_or("");
            let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
                3
            } else {
                1
            };
            for cmd in tools::words(&text, span.start + quote) {
                words.extend(cmd);
            }
        }
        let section = path.join(".");
        addopts(&words, &section, ctx.id, facts);
    }
}

/// pytest `addopts`: `--cov` measures coverage on every pytest run, `--cov-fail-under` gates it.
pub fn addopts(
    words: &[crate::parse::shell_words::Word],
    section: &str,
    id: FileId,
    facts: &mut FileFacts,
) {
    if let Some(w) = words
        .iter()
        .find(|w| w.text == "--cov" || w.text.starts_with("--cov="))
    {
        facts.coverage_runs.push(Setting {
            file: id,
            span: w.span.clone(),
            source: format!("`{}` in pytest `addopts` [{section}]", w.text),
            value: (),
        });
    }
    if let Some((value, w)) = tools::command_threshold("pytest", words) {
        let source = format!("`{}` in pytest `addopts` [{section}]", w.text);
        match value {
            Ok(v) => facts.coverage_thresholds.push(Setting {
                file: id,
                span: w.span.clone(),
                source,
                value: v,
            }),
            Err(text) => facts.coverage_gates_unknown.push(Setting {
                file: id,
                span: w.span.clone(),
                source,
                value: text,
            }),
        }
    }
}

fn push_decl(
    ctx: &Ctx<'_>,
    facts: &mut FileFacts,
    role: PythonRole,
    low: PyVersion,
    high: Option<PyVersion>,
    span: Span,
    source: String,
) {
    facts.python_versions.push(Setting {
        file: ctx.id,
        span: span.clone(),
        source: source.clone(),
        value: show_py_version(low),
    });
    facts.python_decls.push(Setting {
        file: ctx.id,
        span,
        source,
        value: PythonDecl { role, low, high },
    });
}

fn python(ctx: &Ctx<'_>, facts: &mut FileFacts) {
    let requires = [
        (&["project"][..], "requires-python"),
        (&["tool", "poetry", "dependencies"][..], "python"),
    ];
    for (path, key) in requires {
        let Some((t, _)) = table(ctx, path) else {
            continue;
        };
        let Some((_, item, span)) = entry(t, key) else {
            continue;
        };
        let Some(spec) = item.as_str() else {
            continue;
        };
        let Some((low, high)) = specifier::range(spec) else {
            continue;
        };
        if low == (0, 0) {
            // Only an upper bound: nothing to say about the oldest version.
            continue;
        }
        let source = format!("`{key} = \"{spec}\"` in {FILE}");
        push_decl(ctx, facts, PythonRole::Requires, low, high, span, source);
    }
    // Targets: the oldest version the tool writes or checks code for.
    let targets = [
        ("ruff", "target-version"),
        ("black", "target-version"),
        ("mypy", "python_version"),
        ("pyright", "pythonVersion"),
    ];
    for (tool, key) in targets {
        let Some((t, _)) = table(ctx, &["tool", tool]) else {
            continue;
        };
        let Some((_, item, span)) = entry(t, key) else {
            continue;
        };
        let values: Vec<String> = match item.as_array() {
            Some(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            None => item
                .as_str()
                .map(str::to_string)
                .or_else(|| item.as_float().map(|f| f.to_string()))
                .into_iter()
                .collect(),
        };
        let Some(low) = values
            .iter()
            .filter_map(|v| super::major_minor(v).and_then(|m| crate::facts::parse_py_version(&m)))
            .min()
        else {
            continue;
        };
        let shown = values.join(", ");
        let source = format!("{tool} `{key}` {shown} in {FILE}");
        push_decl(ctx, facts, PythonRole::Target, low, None, span, source);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> FileFacts {
        let doc: Document<String> = text.parse().expect("toml");
        let mut facts = FileFacts::default();
        gather(&doc, std::path::Path::new("pyproject.toml"), 0, &mut facts);
        facts
    }

    #[test]
    fn spans_point_at_values_and_headers() {
        let text = "[tool.black]\ntarget-version = [\"py311\"]\n\n[tool.isort]\nprofile = \"black\"\n\n[tool.pylint.format]\nmax-line-length = 120\n";
        let f = facts(text);
        let lengths: Vec<(&str, i64, &str)> = f
            .line_lengths
            .iter()
            .map(|s| (s.value.tool.as_str(), s.value.length, &text[s.span.clone()]))
            .collect();
        assert_eq!(
            lengths,
            vec![
                ("black", 88, "black"),
                ("isort", 88, "\"black\""),
                ("pylint", 120, "120")
            ]
        );
        assert_eq!(f.python_decls.len(), 1);
        assert_eq!(f.python_decls[0].value.low, (3, 11));
    }

    #[test]
    fn addopts_and_requires() {
        let text = "[project]\nrequires-python = \">=3.10\"\n[tool.pytest.ini_options]\naddopts = \"-q --cov=app --cov-fail-under=85\"\n";
        let f = facts(text);
        assert_eq!(&text[f.coverage_runs[0].span.clone()], "--cov=app");
        assert_eq!(f.coverage_thresholds[0].value, 85.0);
        assert_eq!(
            &text[f.coverage_thresholds[0].span.clone()],
            "--cov-fail-under=85"
        );
        assert_eq!(f.python_decls[0].value.low, (3, 10));
        assert_eq!(f.python_decls[0].value.high, None);
    }
}
