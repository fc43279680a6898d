//! Facts from a GitHub Actions workflow: its triggers, the commands of its `run:` steps that run
//! the tests, measure coverage or lint (read as parsed commands, so an `echo pytest` is not a
//! test run), coverage thresholds and linter line lengths on those commands, lint actions, and
//! the Python versions `setup-python` installs (literal or from the job's matrix).

use super::tools::{self, ArgLength};
use super::{runtime_version, shown};
use crate::facts::{
    normalize_join, ConfigFile, FileFacts, Flake8Ignore, LengthOrigin, LineLength, PythonDecl,
    PythonRole, Setting, WorkflowFact,
};
use crate::model::scripts::{Script, ScriptOrigin};
use crate::model::workflow::{Job, Step};
use crate::model::{expressions, WorkflowFile};
use crate::parse::shell_words::Word;
use crate::parse::yaml::{Yaml, YamlValue};
use crate::source::FileId;
use std::path::Path;

/// Actions that run linters (by `owner/repo`, lower-case). `pre-commit/action` runs the
/// project's own hooks.
const LINT_ACTIONS: &[&str] = &[
    "pre-commit/action",
    "pre-commit-ci/lite-action",
    "astral-sh/ruff-action",
    "chartboost/ruff-action",
    "psf/black",
    "py-actions/flake8",
    "isort/isort-action",
    "jamescurtin/isort-action",
    "jakebailey/pyright-action",
    "tsuyoshicho/action-mypy",
    "ricardochaves/python-lint",
    "wearerequired/lint-action",
    "suo/flake8-github-action",
    "trueBrain/actions-flake8",
    "rickstaa/action-black",
    "github/super-linter",
    "super-linter/super-linter",
    "oxsecurity/megalinter",
    "trunk-io/trunk-action",
];

/// Actions that can fail a job on low coverage (a threshold input): a gate whose level is not
/// read here.
const COVERAGE_GATE_ACTIONS: &[&str] = &[
    "orgoro/coverage",
    "5monkeys/cobertura-action",
    "irongut/codecoveragesummary",
    "insightsengineering/coverage-action",
    "py-cov-action/python-coverage-comment-action",
];

fn action_name(uses: &str) -> String {
    let name = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    // `owner/repo/path` -> `owner/repo`
    name.splitn(3, '/').take(2).collect::<Vec<_>>().join("/")
}

fn is_lint_action(uses: &str) -> bool {
    let name = action_name(uses);
    LINT_ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(&name))
        || name.starts_with("reviewdog/action-")
}

pub fn gather(file: &WorkflowFile<'_>, scripts: &[Script], id: FileId, facts: &mut FileFacts) {
    let wf = &file.workflow;
    let path = shown(file.path);
    facts.config_file = Some(ConfigFile {
        file: id,
        name: file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path: Some(file.path.to_path_buf()),
    });
    let mut fact = WorkflowFact {
        file: id,
        path: file.path.to_path_buf(),
        on_pull_request: wf.has_event("pull_request") || wf.has_event("pull_request_target"),
        anchor: wf.on_key.map_or(0..0, |k| k.span.clone()),
        push_all_branches: push_all_branches(wf.doc),
        reusable: wf.has_event("workflow_call"),
        ..WorkflowFact::default()
    };
    for job in &wf.jobs {
        if let Some(uses) = job.uses.and_then(Yaml::as_str) {
            match uses.strip_prefix("./") {
                Some(local) => fact.calls.extend(normalize_join(Path::new(""), local)),
                None => fact.opaque = true,
            }
        }
        for step in &job.steps {
            let Some(uses) = step.uses_str() else {
                continue;
            };
            if uses.starts_with("./") {
                fact.opaque = true;
            }
            if is_lint_action(uses) {
                fact.lint_runs.extend(step.uses.map(|u| u.span.clone()));
            }
            let name = action_name(uses);
            if COVERAGE_GATE_ACTIONS.contains(&name.as_str()) {
                facts.coverage_gates_unknown.push(Setting {
                    file: id,
                    span: step.uses.map_or(0..0, |u| u.span.clone()),
                    source: format!("`{uses}` in {path}"),
                    value: String::new(),
                });
            }
            if name == "actions/setup-python" || name == "astral-sh/setup-uv" {
                setup_python(job, step, &path, id, facts);
            }
        }
    }
    for job in &wf.jobs {
        matrix_lint(job, &mut fact);
    }
    for script in scripts {
        // An ssh action's `script:` runs on the deploy host, not in CI.
        if !matches!(script.origin, ScriptOrigin::RunStep { .. }) {
            continue;
        }
        for cmd in &script.shell.commands {
            let mut words = vec![Word {
                text: cmd.name.text.clone(),
                span: script.file_span(&cmd.name.span),
            }];
            words.extend(cmd.args.iter().map(|a| Word {
                text: a.text.clone(),
                span: script.file_span(&a.span),
            }));
            let span = script.file_span(&cmd.span);
            command(&words, span, &mut fact, &path, id, facts);
        }
    }
    facts.workflow = Some(fact);
}

fn command(
    words: &[Word],
    span: crate::source::Span,
    fact: &mut WorkflowFact,
    path: &str,
    id: FileId,
    facts: &mut FileFacts,
) {
    let Some((tool, args)) = tools::resolve(words) else {
        return;
    };
    let role = tools::role(&tool, args);
    if role.test {
        fact.test_runs.push(span.clone());
        let text: Vec<&str> = words.iter().take(6).map(|w| w.text.as_str()).collect();
        fact.test_commands.push(text.join(" "));
    }
    if role.coverage {
        fact.coverage_runs.push(span.clone());
    }
    if role.lint {
        fact.lint_runs.push(span.clone());
    }
    if let Some((value, word)) = tools::command_threshold(&tool, args) {
        let source = format!("`{}` in {path}", word.text);
        match value {
            Ok(v) => facts.coverage_thresholds.push(Setting {
                file: id,
                span: word.span.clone(),
                source,
                value: v,
            }),
            Err(text) => facts.coverage_gates_unknown.push(Setting {
                file: id,
                span: word.span.clone(),
                source,
                value: text,
            }),
        }
    }
    if tool == "flake8" {
        if let Some((codes, word)) = tools::flake8_ignore_arg(args) {
            facts.flake8_ignores.push(Setting {
                file: id,
                span: word.span.clone(),
                source: format!("`{}` on a flake8 command in {path}", word.text),
                value: Flake8Ignore { codes },
            });
        }
    }
    line_length(&tool, args, span, path, id, facts);
}

fn line_length(
    tool: &str,
    args: &[Word],
    span: crate::source::Span,
    path: &str,
    id: FileId,
    facts: &mut FileFacts,
) {
    let Some(default) = tools::default_length(tool) else {
        return;
    };
    let (length, origin, span, source) = match tools::arg_length(tool, args) {
        ArgLength::Set(n, word, shown) => (
            n,
            LengthOrigin::Argument,
            word.span.clone(),
            format!("`{shown}` in {path}"),
        ),
        ArgLength::Unknown => return,
        ArgLength::Unset => {
            let formats = args.first().is_some_and(|w| w.text == "format");
            // See the pre-commit facts: ruff's length matters by default only when formatting.
            if tool == "ruff" && !formats {
                return;
            }
            if args
                .iter()
                .any(|w| w.text == "--version" || w.text == "--help")
            {
                return;
            }
            (
                default,
                LengthOrigin::DefaultOfInvocation,
                span,
                format!("default: run without a length in {path}"),
            )
        }
    };
    facts.line_lengths.push(Setting {
        file: id,
        span,
        source,
        value: LineLength {
            tool: tool.to_string(),
            length,
            origin,
        },
    });
}

/// `on: push` (any form) without a filter that limits it to some branches: a push to the branch
/// of a pull request runs the workflow too. Only `branches: ['**']`-style patterns, a
/// `branches-ignore`, or no branch/tag filter at all count (GitHub docs, "Events that trigger
/// workflows: push"; defining only `tags` runs it for tags only).
fn push_all_branches(doc: &Yaml) -> bool {
    let Some(on) = doc.get("on").or_else(|| doc.get("true")) else {
        return false;
    };
    match &on.value {
        YamlValue::Scalar(s) => s == "push",
        YamlValue::Seq(items) => items.iter().any(|i| i.as_str() == Some("push")),
        YamlValue::Map(_) => {
            let Some((_, push)) = on.entry("push") else {
                return false;
            };
            if !push.is_map() {
                return true;
            }
            if push.get("branches-ignore").is_some() {
                return true;
            }
            if let Some(branches) = push.get("branches") {
                let patterns: Vec<&str> = match branches.as_str() {
                    Some(s) => vec![s],
                    None => branches.as_seq().iter().filter_map(Yaml::as_str).collect(),
                };
                return patterns.iter().any(|p| matches!(*p, "**" | "*"));
            }
            push.get("tags").is_none() && push.get("tags-ignore").is_none()
        }
        YamlValue::Null => false,
    }
}

/// `setup-python`'s `python-version`: a literal (one version a line), or `${{ matrix.X }}` read
/// from the job's `strategy.matrix` (its list and its `include` entries). Other expressions,
/// `python-version-file` and non-CPython versions are not declarations we can read.
fn setup_python(job: &Job<'_>, step: &Step<'_>, path: &str, id: FileId, facts: &mut FileFacts) {
    let Some((_, value)) = step.with_input("python-version") else {
        return;
    };
    let Some(text) = value.as_str() else {
        return;
    };
    let exprs = expressions(text);
    let nodes: Vec<&Yaml> = match exprs.as_slice() {
        [] => vec![value],
        [e] if e.inner.starts_with("matrix.") => matrix_values(job, &e.inner["matrix.".len()..]),
        _ => Vec::new(),
    };
    for node in nodes {
        let Some(text) = node.as_str() else {
            continue;
        };
        // setup-python accepts several versions, one a line.
        for line in text.lines() {
            let Some(version) = runtime_version(line) else {
                continue;
            };
            let span = node.span.clone();
            let source = format!("`python-version: {}` in {path}", line.trim());
            facts.python_versions.push(Setting {
                file: id,
                span: span.clone(),
                source: source.clone(),
                value: crate::facts::show_py_version(version),
            });
            facts.python_decls.push(Setting {
                file: id,
                span,
                source,
                value: PythonDecl::exact(PythonRole::Ci, version),
            });
        }
    }
}

fn matrix_values<'y>(job: &Job<'y>, key: &str) -> Vec<&'y Yaml> {
    let Some(matrix) = job.node.path(&["strategy", "matrix"]) else {
        return Vec::new();
    };
    let mut out: Vec<&Yaml> = Vec::new();
    if let Some(values) = matrix.get(key) {
        match &values.value {
            YamlValue::Seq(items) => out.extend(items.iter()),
            YamlValue::Scalar(s) if expressions(s).is_empty() => out.push(values),
            _ => {}
        }
    }
    if let Some(include) = matrix.get("include") {
        out.extend(include.as_seq().iter().filter_map(|entry| entry.get(key)));
    }
    out
}

/// `run: ${{ matrix.check }}` (or `uv run ${{ matrix.tool }} .`) with the linters in the matrix
/// values: each value is put in place of the expression and the lines read as commands. Only
/// the lint role is taken from them; what a matrix tests is read elsewhere.
fn matrix_lint(job: &Job<'_>, fact: &mut WorkflowFact) {
    let Some(matrix) = job.node.path(&["strategy", "matrix"]) else {
        return;
    };
    for step in &job.steps {
        let Some(run) = step.run else {
            continue;
        };
        let Some(text) = run.as_str() else {
            continue;
        };
        for e in expressions(text) {
            let Some(name) = e.inner.trim().strip_prefix("matrix.") else {
                continue;
            };
            let whole = &text[e.span.clone()];
            let listed = matrix.get(name).map(Yaml::as_seq).unwrap_or_default();
            let included = matrix
                .get("include")
                .map(Yaml::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|entry| entry.get(name));
            for value in listed.iter().chain(included).filter_map(Yaml::as_str) {
                if lints(&text.replace(whole, value), &run.span) {
                    fact.lint_runs.push(run.span.clone());
                    return;
                }
            }
        }
    }
}

/// Whether one of the lines (or `&&`/`;`-separated parts) of a command text runs a linter.
fn lints(text: &str, span: &crate::source::Span) -> bool {
    text.split(['\n', ';'])
        .flat_map(|line| line.split("&&"))
        .any(|part| {
            let words: Vec<Word> = part
                .split_whitespace()
                .map(|w| Word {
                    text: w.trim_matches(|c| c == '"' || c == '\'').to_string(),
                    span: span.clone(),
                })
                .collect();
            tools::resolve(&words).is_some_and(|(tool, args)| tools::role(&tool, args).lint)
        })
}
