//! `prodlint suppress [PATHS]`: writes `# prodlint: ignore[CODE]` for every current finding, so
//! a team can hold new code to the rules from today (ruff's `--add-noqa`).
//!
//! The comment goes at the end of the flagged line; in a Dockerfile, where a `#` after an
//! instruction is not a comment, alone on the line above. A file keeps its line endings, its
//! byte-order mark and its permissions, and is replaced atomically. Before a file is written
//! its new text is scanned as the linter will scan it: a comment that would land inside a
//! string, or a Python file that would stop parsing, leaves the file untouched with a note.

use crate::cli::SuppressArgs;
use crate::engine::{lint, LintRequest, Report};
use crate::kind::FileKind;
use crate::registry::{Check, Registry};
use crate::settings::{Overrides, Settings};
use crate::source::LineIndex;
use crate::suppress::Suppressions;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const BOM: &str = "\u{feff}";

pub fn run(args: SuppressArgs) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let overrides = Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: None,
    };
    let settings = match Settings::load(args.config.as_deref(), &paths[0], &overrides) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("prodlint: config error: {err}");
            return 2;
        }
    };
    let request = LintRequest {
        paths,
        per_project_config: args.config.is_none().then_some(overrides),
        ..LintRequest::default()
    };
    let report = match lint(&request, &settings) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("prodlint: {err}");
            return 2;
        }
    };
    let (plan, mut skipped) = plan(&report);
    let mut written = 0;
    let mut findings = 0;
    for (file, wanted) in &plan {
        match rewrite(&report, *file, wanted) {
            Ok((done, left)) => {
                written += usize::from(done > 0);
                findings += done;
                skipped += left;
            }
            Err(why) => {
                eprintln!(
                    "prodlint: {}: not changed: {why}",
                    report.file(*file).display
                );
                skipped += wanted.findings;
            }
        }
    }
    eprintln!(
        "prodlint: suppressed {findings} finding{} in {written} file{}{}",
        if findings == 1 { "" } else { "s" },
        if written == 1 { "" } else { "s" },
        if skipped > 0 {
            format!("; {skipped} left as they are (see above)")
        } else {
            String::new()
        }
    );
    0
}

/// The comments one file needs.
#[derive(Debug, Default)]
struct FilePlan {
    /// 0-based line -> codes to suppress on it.
    lines: BTreeMap<usize, BTreeSet<String>>,
    /// Codes of findings about the whole file (anchored at its start with no width, such as a
    /// missing `.dockerignore`): `ignore-file`, since a line comment above them would move
    /// the line they anchor at, not the finding.
    file_wide: BTreeSet<String>,
    /// Findings the comments cover (two of one rule on a line take one comment).
    findings: usize,
    /// Findings per line, for the count of those left alone.
    per_line: BTreeMap<usize, usize>,
}

type Plan = BTreeMap<usize, FilePlan>;

fn plan(report: &Report) -> (Plan, usize) {
    let registry = Registry::get();
    let mut plan: Plan = BTreeMap::new();
    let mut skipped = 0;
    for d in &report.diagnostics {
        let meta = &registry.rules[d.rule].meta;
        let file = report.file(d.file);
        // Parse errors and unused suppressions are the engine's: a comment is not their fix.
        if matches!(registry.rules[d.rule].check, Check::Engine) {
            eprintln!(
                "prodlint: {}: {} is not suppressed by a comment: {}",
                file.display, meta.code, d.message
            );
            skipped += 1;
            continue;
        }
        let Some(src) = &file.source else {
            eprintln!(
                "prodlint: {}: {} has no line to carry a comment (a project-level finding): skipped",
                file.display, meta.code
            );
            skipped += 1;
            continue;
        };
        let entry = plan.entry(d.file).or_default();
        entry.findings += 1;
        if d.span.start == 0 && d.span.end == 0 {
            entry.file_wide.insert(meta.code.clone());
            continue;
        }
        let offset = crate::source::clamp_to_char_boundary(&src.text, d.span.start);
        let line = src.lines.line_of(offset);
        entry
            .lines
            .entry(line)
            .or_default()
            .insert(meta.code.clone());
        *entry.per_line.entry(line).or_default() += 1;
    }
    (plan, skipped)
}

/// Writes the comments into one file; returns how many findings they cover.
/// Writes the comments into one file; returns how many findings they cover and how many were
/// left alone (lines that take no comment, each said on stderr).
fn rewrite(report: &Report, file: usize, wanted: &FilePlan) -> Result<(usize, usize), String> {
    let f = report.file(file);
    let Some(src) = &f.source else {
        return Err("not read".to_string());
    };
    let on_disk = std::fs::read(&f.path).map_err(|e| e.to_string())?;
    let on_disk = String::from_utf8(on_disk).map_err(|_| "not UTF-8".to_string())?;
    let (bom, body) = match on_disk.strip_prefix(BOM) {
        Some(rest) => (BOM, rest),
        None => ("", on_disk.as_str()),
    };
    if body != &*src.text {
        return Err("it changed while prodlint read it".to_string());
    }
    // A line that takes no comment is left alone; the file's other lines still get theirs.
    let mut lines = BTreeMap::new();
    let mut left = 0;
    for (&line, codes) in &wanted.lines {
        match place(body, &src.lines, line, f.kind) {
            Ok(_) => {
                lines.insert(line, codes.clone());
            }
            Err(why) => {
                eprintln!("prodlint: {}: left as it is: {why}", f.display);
                left += wanted.per_line.get(&line).copied().unwrap_or(0);
            }
        }
    }
    if lines.is_empty() && wanted.file_wide.is_empty() {
        return Ok((0, left));
    }
    let (mut text, mut targets) = with_comments(body, &src.lines, &lines, f.kind)?;
    if !wanted.file_wide.is_empty() {
        // At the end, where no shebang, parser directive or encoding line can be disturbed.
        let ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
        if !text.is_empty() && !text.ends_with('\n') {
            text.push_str(ending);
        }
        let list: Vec<&str> = wanted.file_wide.iter().map(String::as_str).collect();
        text.push_str(&format!(
            "# prodlint: ignore-file[{}]{ending}",
            list.join(", ")
        ));
        let registry = Registry::get();
        targets.extend(
            wanted
                .file_wide
                .iter()
                .map(|c| (0, registry.index_of_code(c))),
        );
    }
    check_comments(&text, f.kind, &targets)?;
    crate::atomic::write(&f.path, format!("{bom}{text}").as_bytes()).map_err(|e| e.to_string())?;
    Ok((wanted.findings - left, left))
}

/// Where a line's comment goes.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// `  # prodlint: ignore[…]` after the line's text.
    End,
    /// Alone on a new line above: in Dockerfiles, where `#` after an instruction is not a
    /// comment, and above comment lines.
    Above,
    /// `# prodlint: ignore-file[…]` on a new line below a shebang: `#!/bin/sh  # …` would pass
    /// the comment to the interpreter, and the findings anchored there are about the script.
    BelowShebang,
}

/// Kinds where `#` after text is not a comment, or whose readers do not strip one:
/// Dockerfile instructions, redis.conf, INI files read by configparser (flake8, tox,
/// coverage), and env files that shell scripts `export $(cat …)`.
fn comment_lines_only(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Dockerfile
            | FileKind::RedisConf
            | FileKind::Dotenv
            | FileKind::SetupCfg
            | FileKind::Flake8
            | FileKind::ToxIni
            | FileKind::Coveragerc
    )
}

fn is_yaml(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Workflow
            | FileKind::Action
            | FileKind::Compose
            | FileKind::Precommit
            | FileKind::PatroniYaml
            | FileKind::PrometheusYaml
    )
}

fn place(text: &str, index: &LineIndex, line: usize, kind: FileKind) -> Result<Place, String> {
    let content = &text[index.line_span(text, line)];
    let dockerfile = kind == FileKind::Dockerfile;
    let trimmed = content.trim_start();
    if line == 0 && content.starts_with("#!") {
        return Ok(Place::BelowShebang);
    }
    if dockerfile && trimmed.starts_with('#') && is_parser_directive(trimmed) {
        return Err(format!(
            "line {} is a parser directive, which takes no comment",
            line + 1
        ));
    }
    // A comment line's `#` makes a directive after it an own-line one, for the line below.
    if comment_lines_only(kind) || trimmed.starts_with('#') {
        return Ok(Place::Above);
    }
    if is_yaml(kind) {
        yaml_line_takes_a_comment(text, index, line)?;
    }
    if content.trim_end().ends_with('\\') {
        return Err(format!(
            "line {} continues on the next (`\\`): a comment would end it",
            line + 1
        ));
    }
    Ok(Place::End)
}

/// Lines above a YAML line that are searched for the node holding it; further up is not
/// searched (a file of long blocks is not scanned once per finding) and the file is left alone.
const YAML_SEARCH: usize = 400;

/// A YAML line takes a trailing comment when it starts a node of its own (a key or a list
/// item), or when it is a line of a literal `run:` block, a shell script where the comment is
/// a shell comment. Inside any other block of text, or a folded (`>`) one, the comment would
/// become part of the text (the JavaScript of github-script's `script:`, a message); on the
/// continuation of a multi-line value it would end the value.
fn yaml_line_takes_a_comment(text: &str, index: &LineIndex, line: usize) -> Result<(), String> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let content = &text[index.line_span(text, line)];
    let own = indent(content);
    let parent = (line.saturating_sub(YAML_SEARCH)..line)
        .rev()
        .map(|n| &text[index.line_span(text, n)])
        .find(|l| !l.trim().is_empty() && indent(l) < own);
    let Some(parent) = parent else {
        if line >= YAML_SEARCH {
            return Err(format!(
                "line {}: its YAML block is too long to read",
                line + 1
            ));
        }
        return Ok(());
    };
    let head = parent.split(" #").next().unwrap_or(parent).trim_end();
    let block = head
        .rsplit_once(':')
        .map(|(key, rest)| (key, rest.trim()))
        .filter(|(_, rest)| rest.starts_with('|') || rest.starts_with('>'));
    if let Some((key, indicator)) = block {
        let key = key.trim().trim_start_matches("- ").trim();
        if indicator.starts_with('|') && key == "run" {
            return Ok(());
        }
        return Err(format!(
            "line {} is inside a YAML block of text (`{key}: {indicator}`), which a comment would change",
            line + 1
        ));
    }
    let body = content.trim_start();
    let starts_node = body.starts_with("- ")
        || body == "-"
        || body.split_once(':').is_some_and(|(key, rest)| {
            !key.contains(' ') && (rest.is_empty() || rest.starts_with(' '))
        });
    if starts_node {
        Ok(())
    } else {
        Err(format!(
            "line {} continues a multi-line YAML value, which a comment would end",
            line + 1
        ))
    }
}

/// `# syntax=…`, `# escape=…`, `# check=…`: Dockerfile parser directives.
fn is_parser_directive(comment: &str) -> bool {
    let body = comment.trim_start_matches('#').trim_start();
    body.split_once('=').is_some_and(|(key, _)| {
        !key.trim().is_empty() && key.trim().chars().all(|c| c.is_ascii_alphabetic())
    })
}

/// The text with the comments, and (0-based line in the new text, rule) of every finding.
fn with_comments(
    text: &str,
    index: &LineIndex,
    lines: &BTreeMap<usize, BTreeSet<String>>,
    kind: FileKind,
) -> Result<(String, Vec<(usize, usize)>), String> {
    let registry = Registry::get();
    let mut out = String::with_capacity(text.len() + lines.len() * 40);
    let mut targets = Vec::new();
    let mut copied = 0;
    let mut added = 0;
    for (&line, codes) in lines {
        let span = index.line_span(text, line);
        let content = &text[span.clone()];
        let list = codes.iter().cloned().collect::<Vec<_>>().join(", ");
        // The line's own ending for a new line: CRLF files stay CRLF.
        let ending = if text[span.end..].starts_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let where_ = place(text, index, line, kind)?;
        match where_ {
            Place::Above => {
                let indent = &content[..content.len() - content.trim_start().len()];
                out.push_str(&text[copied..span.start]);
                out.push_str(&format!("{indent}# prodlint: ignore[{list}]{ending}"));
                copied = span.start;
                added += 1;
            }
            Place::End => {
                out.push_str(&text[copied..span.end]);
                out.push_str(if content.trim().is_empty() { "" } else { "  " });
                // SQL's comment is `--`; the directive's own `#` follows it.
                if kind == FileKind::Sql {
                    out.push_str("-- ");
                }
                out.push_str(&format!("# prodlint: ignore[{list}]"));
                copied = span.end;
            }
            Place::BelowShebang => {
                out.push_str(&text[copied..span.end]);
                out.push_str(&format!("{ending}# prodlint: ignore-file[{list}]"));
                copied = span.end;
            }
        }
        for code in codes {
            targets.push((line + added, registry.index_of_code(code)));
        }
        // The lines below a shebang's new line move down by one.
        added += usize::from(where_ == Place::BelowShebang);
    }
    out.push_str(&text[copied..]);
    Ok((out, targets))
}

/// Scans the new text as the linter will, and fails unless every finding is covered (a `#`
/// inside a Python string is not a comment) and Python still parses as well as before.
fn check_comments(text: &str, kind: FileKind, targets: &[(usize, usize)]) -> Result<(), String> {
    let lines = LineIndex::new(text);
    let python = kind == FileKind::Python;
    let comments = python.then(|| {
        let parsed = crate::parse::python::PythonFile::parse(text, false);
        (parsed.first_error().is_some(), parsed.comment_ranges())
    });
    if let Some((true, _)) = &comments {
        return Err("the Python would not parse with the comments".to_string());
    }
    let ranges = comments.as_ref().map(|(_, r)| r.as_slice());
    let mut scanned = Suppressions::scan(text, &lines, ranges, python);
    for &(line, rule) in targets {
        if !scanned.suppresses(rule, line) {
            return Err(format!(
                "a comment on line {} would not be read as one (inside a string?)",
                line + 1
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_ok(text: &str, line: usize) -> bool {
        yaml_line_takes_a_comment(text, &LineIndex::new(text), line).is_ok()
    }

    #[test]
    fn yaml_lines_that_take_a_trailing_comment() {
        let workflow = "jobs:\n  a:\n    steps:\n      - run: |\n          echo $X\n      - uses: actions/github-script@v7\n        with:\n          script: |\n            core.info(x)\n      - run: >\n          docker build\n          .\n      - name: a\n        run: echo a\n          b\n";
        assert!(yaml_ok(workflow, 1), "a key");
        assert!(yaml_ok(workflow, 3), "a list item");
        assert!(yaml_ok(workflow, 4), "a line of a literal run: script");
        // `script: |` is JavaScript under github-script (a shell script under ssh-action):
        // no `#` goes into it.
        assert!(!yaml_ok(workflow, 8));
        assert!(
            !yaml_ok(workflow, 10),
            "a folded block: the comment would swallow the rest"
        );
        assert!(
            !yaml_ok(workflow, 14),
            "the continuation of a plain multi-line value"
        );
        let compose = "services:\n  app:\n    environment:\n      MESSAGE: >-\n        hello\n";
        assert!(!yaml_ok(compose, 4));
    }

    #[test]
    fn placement_by_kind() {
        let text = "max-line-length = 100\n";
        let index = LineIndex::new(text);
        assert_eq!(place(text, &index, 0, FileKind::Flake8), Ok(Place::Above));
        assert_eq!(
            place(text, &index, 0, FileKind::Requirements),
            Ok(Place::End)
        );
        let shebang = "#!/bin/sh\necho\n";
        assert_eq!(
            place(shebang, &LineIndex::new(shebang), 0, FileKind::Shell),
            Ok(Place::BelowShebang)
        );
        let directive = "# syntax=docker/dockerfile:1\nFROM x\n";
        assert!(place(
            directive,
            &LineIndex::new(directive),
            0,
            FileKind::Dockerfile
        )
        .is_err());
        let continued = "pip install \\\n  x\n";
        assert!(place(continued, &LineIndex::new(continued), 0, FileKind::Shell).is_err());
    }

    #[test]
    fn sql_gets_a_sql_comment() {
        let text = "SELECT mean_time\nFROM t;\n";
        let mut lines = BTreeMap::new();
        lines.insert(0, BTreeSet::from(["DB006".to_string()]));
        let (out, targets) =
            with_comments(text, &LineIndex::new(text), &lines, FileKind::Sql).expect("sql");
        assert_eq!(
            out,
            "SELECT mean_time  -- # prodlint: ignore[DB006]\nFROM t;\n"
        );
        assert!(check_comments(&out, FileKind::Sql, &targets).is_ok());
    }
}
