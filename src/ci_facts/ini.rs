//! Facts from `setup.cfg`, `.flake8`, `tox.ini` and `.coveragerc`: linter line lengths
//! (`[flake8]`, `[isort]`, `[pycodestyle]`, pylint sections), flake8 `ignore =`, coverage
//! thresholds (`fail_under`), pytest `addopts`, tox `commands`, mypy's `python_version`.
//!
//! Which file reads which section (each tool's docs, "Configuration"): flake8 reads `[flake8]`
//! from all three of setup.cfg, tox.ini and .flake8; isort `[isort]`/`[tool:isort]` from
//! setup.cfg and tox.ini; coverage `[coverage:*]` from setup.cfg and tox.ini and `[*]` from
//! .coveragerc; pytest `[tool:pytest]` from setup.cfg and `[pytest]` from tox.ini.

use super::tools;
use crate::facts::{
    ConfigFile, FileFacts, Flake8Ignore, LengthOrigin, PythonDecl, PythonRole, Setting,
};
use crate::kind::FileKind;
use crate::parse::ini::{IniEntry, IniFile};
use crate::parse::shell_words::Word;
use crate::source::{FileId, Span};
use std::path::Path;

struct Ctx<'a> {
    ini: &'a IniFile,
    id: FileId,
    name: String,
}

impl Ctx<'_> {
    fn section(&self, name: &str) -> Vec<&IniEntry> {
        self.ini
            .entries
            .iter()
            .filter(|e| e.section.eq_ignore_ascii_case(name))
            .collect()
    }

    fn get(&self, section: &str, keys: &[&str]) -> Option<&IniEntry> {
        // configparser: the last assignment wins; flake8 accepts `_` for `-` in option names.
        self.ini
            .entries
            .iter()
            .rev()
            .find(|e| e.section.eq_ignore_ascii_case(section) && keys.contains(&e.key.as_str()))
    }
}

pub fn gather(kind: FileKind, path: &Path, ini: &IniFile, id: FileId, facts: &mut FileFacts) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    facts.config_file = Some(ConfigFile {
        file: id,
        name: name.clone(),
        path: Some(path.to_path_buf()),
    });
    let ctx = Ctx { ini, id, name };
    if matches!(
        kind,
        FileKind::SetupCfg | FileKind::ToxIni | FileKind::Flake8
    ) {
        flake8(&ctx, facts);
    }
    if matches!(kind, FileKind::SetupCfg | FileKind::ToxIni) {
        for section in ["isort", "tool:isort"] {
            isort(&ctx, section, facts);
        }
        for section in ["pycodestyle", "pep8"] {
            length_section(&ctx, section, "pycodestyle", facts);
        }
        pylint(&ctx, facts);
        if let Some(e) = ctx.get("mypy", &["python_version"]) {
            if let Some(v) =
                super::major_minor(&e.value).and_then(|m| crate::facts::parse_py_version(&m))
            {
                let source = format!(
                    "mypy `python_version = {}` in [mypy], {}",
                    e.value, ctx.name
                );
                facts.python_versions.push(Setting {
                    file: id,
                    span: e.value_span.clone(),
                    source: source.clone(),
                    value: crate::facts::show_py_version(v),
                });
                facts.python_decls.push(Setting {
                    file: id,
                    span: e.value_span.clone(),
                    source,
                    value: PythonDecl {
                        role: PythonRole::Target,
                        low: v,
                        high: None,
                    },
                });
            }
        }
    }
    let coverage_sections: &[&str] = match kind {
        FileKind::Coveragerc => &["report", "coverage:report"],
        FileKind::SetupCfg | FileKind::ToxIni => &["coverage:report"],
        _ => &[],
    };
    for section in coverage_sections {
        if let Some(e) = ctx.get(section, &["fail_under"]) {
            let source = format!("`fail_under = {}` in [{section}], {}", e.value, ctx.name);
            match tools::parse_number(&e.value) {
                Ok(v) => facts.coverage_thresholds.push(Setting {
                    file: id,
                    span: e.value_span.clone(),
                    source,
                    value: v,
                }),
                Err(text) => facts.coverage_gates_unknown.push(Setting {
                    file: id,
                    span: e.value_span.clone(),
                    source,
                    value: text,
                }),
            }
        }
    }
    let pytest_section = match kind {
        FileKind::SetupCfg => Some("tool:pytest"),
        FileKind::ToxIni => Some("pytest"),
        _ => None,
    };
    if let Some(section) = pytest_section {
        if let Some(e) = ctx.get(section, &["addopts"]) {
            let words: Vec<Word> = value_words(e).into_iter().flatten().collect();
            super::pyproject::addopts(&words, section, id, facts);
        }
    }
    if kind == FileKind::ToxIni {
        tox_commands(&ctx, facts);
    }
}

/// The words of a value, with spans in the file. Continuation lines lose their indentation when
/// joined, so only a one-line value maps exactly; words of a longer value point at its key.
fn value_words(e: &IniEntry) -> Vec<Vec<Word>> {
    let exact = !e.value.contains('\n');
    let mut cmds = tools::words(&e.value, e.value_span.start);
    if !exact {
        for cmd in &mut cmds {
            for w in cmd.iter_mut() {
                w.span = e.key_span.clone();
            }
        }
    }
    cmds
}

fn entry_span(e: &IniEntry) -> Span {
    e.key_span.start..e.value_span.end.max(e.key_span.end)
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

/// `max-line-length` of a section, or the tool's default when the section sets none (anchored
/// at the section's first key: sections carry no span of their own).
fn length_section(ctx: &Ctx<'_>, section: &str, tool: &str, facts: &mut FileFacts) {
    let entries = ctx.section(section);
    let Some(first) = entries.first() else {
        return;
    };
    if let Some(e) = ctx.get(section, &["max-line-length", "max_line_length"]) {
        if let Ok(n) = e.value.trim().parse() {
            let source = format!("`{} = {n}` in [{section}], {}", e.key, ctx.name);
            push_length(
                ctx,
                facts,
                tool,
                n,
                LengthOrigin::Config,
                e.value_span.clone(),
                source,
            );
        }
        return;
    }
    let Some(n) = tools::default_length(tool) else {
        return;
    };
    let source = format!("default: [{section}] in {} sets no length", ctx.name);
    push_length(
        ctx,
        facts,
        tool,
        n,
        LengthOrigin::DefaultOfSection,
        first.key_span.clone(),
        source,
    );
}

fn flake8(ctx: &Ctx<'_>, facts: &mut FileFacts) {
    length_section(ctx, "flake8", "flake8", facts);
    if let Some(e) = ctx.get("flake8", &["ignore"]) {
        facts.flake8_ignores.push(Setting {
            file: ctx.id,
            span: entry_span(e),
            source: format!("`ignore =` in [flake8], {}", ctx.name),
            value: Flake8Ignore {
                codes: tools::code_list(&e.value),
            },
        });
    }
}

fn isort(ctx: &Ctx<'_>, section: &str, facts: &mut FileFacts) {
    let entries = ctx.section(section);
    let Some(first) = entries.first() else {
        return;
    };
    if let Some(e) = ctx.get(section, &["line_length", "line-length"]) {
        if let Ok(n) = e.value.trim().parse() {
            let source = format!("`{} = {n}` in [{section}], {}", e.key, ctx.name);
            push_length(
                ctx,
                facts,
                "isort",
                n,
                LengthOrigin::Config,
                e.value_span.clone(),
                source,
            );
        }
        return;
    }
    if let Some(e) = ctx.get(section, &["profile"]) {
        if let Some(n) = tools::isort_profile_length(&e.value) {
            let source = format!("`profile = {}` in [{section}], {}", e.value, ctx.name);
            push_length(
                ctx,
                facts,
                "isort",
                n,
                LengthOrigin::Config,
                e.value_span.clone(),
                source,
            );
        }
        return;
    }
    let source = format!(
        "default: [{section}] in {} sets no length or profile",
        ctx.name
    );
    push_length(
        ctx,
        facts,
        "isort",
        79,
        LengthOrigin::DefaultOfSection,
        first.key_span.clone(),
        source,
    );
}

/// pylint reads sections named `pylint.*` from setup.cfg and tox.ini (pylint docs, "Running
/// Pylint": configuration files).
fn pylint(ctx: &Ctx<'_>, facts: &mut FileFacts) {
    let sections: Vec<&IniEntry> = ctx
        .ini
        .entries
        .iter()
        .filter(|e| {
            let s = e.section.to_ascii_lowercase();
            s == "pylint" || s.starts_with("pylint.")
        })
        .collect();
    let Some(first) = sections.first() else {
        return;
    };
    if let Some(e) = sections
        .iter()
        .rev()
        .find(|e| e.key == "max-line-length" || e.key == "max_line_length")
    {
        if let Ok(n) = e.value.trim().parse() {
            let source = format!("`max-line-length = {n}` in [{}], {}", e.section, ctx.name);
            push_length(
                ctx,
                facts,
                "pylint",
                n,
                LengthOrigin::Config,
                e.value_span.clone(),
                source,
            );
        }
        return;
    }
    let source = format!(
        "default: [{}] in {} sets no length",
        first.section, ctx.name
    );
    push_length(
        ctx,
        facts,
        "pylint",
        100,
        LengthOrigin::DefaultOfSection,
        first.key_span.clone(),
        source,
    );
}

/// tox `[testenv*] commands`: coverage runs and thresholds, as on a workflow `run:` line.
fn tox_commands(ctx: &Ctx<'_>, facts: &mut FileFacts) {
    for e in ctx.ini.entries.iter().filter(|e| {
        (e.section == "testenv" || e.section.starts_with("testenv:")) && e.key == "commands"
    }) {
        for cmd in value_words(e) {
            let Some((tool, args)) = tools::resolve(&cmd) else {
                continue;
            };
            let role = tools::role(&tool, args);
            if role.coverage {
                facts.coverage_runs.push(Setting {
                    file: ctx.id,
                    span: cmd.first().map_or(e.key_span.clone(), |w| w.span.clone()),
                    source: format!("`{tool}` with coverage in [{}], {}", e.section, ctx.name),
                    value: (),
                });
            }
            if let Some((value, w)) = tools::command_threshold(&tool, args) {
                let source = format!("`{}` in [{}], {}", w.text, e.section, ctx.name);
                match value {
                    Ok(v) => facts.coverage_thresholds.push(Setting {
                        file: ctx.id,
                        span: w.span.clone(),
                        source,
                        value: v,
                    }),
                    Err(text) => facts.coverage_gates_unknown.push(Setting {
                        file: ctx.id,
                        span: w.span.clone(),
                        source,
                        value: text,
                    }),
                }
            }
        }
    }
}
