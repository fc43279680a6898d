//! Facts from `.pre-commit-config.yaml`: each linter hook's line length (its `args`, or its
//! default when it has none), flake8 `--ignore`, the Python the hooks run on
//! (`language_version`, `default_language_version`), and whether pre-commit.ci runs them.

use super::tools::{self, ArgLength};
use super::{runtime_version, shown};
use crate::facts::{
    ConfigFile, FileFacts, LengthOrigin, LineLength, PythonDecl, PythonRole, Setting,
};
use crate::model::precommit::{Hook, Repo};
use crate::model::PrecommitFile;
use crate::parse::shell_words::Word;
use crate::parse::yaml::Yaml;
use crate::source::FileId;

/// The linter a hook runs, by its id (the ids the tools' own `.pre-commit-hooks.yaml` publish),
/// or for a local hook by its `entry` command.
pub fn hook_tool(repo: &Repo<'_>, hook: &Hook<'_>) -> Option<(String, Vec<Word>)> {
    let args: Vec<Word> = hook
        .args
        .iter()
        .filter_map(|a| {
            Some(Word {
                text: a.as_str()?.to_string(),
                span: a.span.clone(),
            })
        })
        .collect();
    let by_id = match hook.id? {
        "black" | "black-jupyter" => Some("black"),
        "ruff" | "ruff-check" | "ruff-format" => Some("ruff"),
        "flake8" => Some("flake8"),
        "isort" => Some("isort"),
        "pylint" => Some("pylint"),
        "pycodestyle" => Some("pycodestyle"),
        _ => None,
    };
    if !repo.is_local() {
        return by_id.map(|t| (t.to_string(), args));
    }
    // A local hook runs its `entry` with `args` appended.
    let entry = hook.entry?;
    let text = entry.as_str()?;
    let words = tools::words(text, entry.span.start).into_iter().next()?;
    let (tool, rest) = tools::resolve(&words)?;
    let mut all: Vec<Word> = rest.to_vec();
    all.extend(args);
    Some((tool, all))
}

pub fn gather(file: &PrecommitFile<'_>, id: FileId, facts: &mut FileFacts) {
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
    facts.precommit_ci = file.config.ci_key.map(|k| k.span.clone());
    for repo in &file.config.repos {
        for hook in &repo.hooks {
            if let Some(lv) = hook.language_version {
                let what = format!("`language_version` of the {} hook", hook.id.unwrap_or("?"));
                python_version(lv, &what, &path, id, facts);
            }
            let Some((tool, args)) = hook_tool(repo, hook) else {
                continue;
            };
            // flake8 `--ignore` in a hook is PCM004's file check, not a fact.
            line_length(repo, hook, &tool, &args, &path, id, facts);
        }
    }
    if let Some(python) = file
        .config
        .default_language_version
        .and_then(|d| d.get("python"))
    {
        python_version(python, "`default_language_version`", &path, id, facts);
    }
}

fn line_length(
    repo: &Repo<'_>,
    hook: &Hook<'_>,
    tool: &str,
    args: &[Word],
    path: &str,
    id: FileId,
    facts: &mut FileFacts,
) {
    let hook_id = hook.id.unwrap_or(tool);
    match tools::arg_length(tool, args) {
        ArgLength::Set(length, word, shown) => facts.line_lengths.push(Setting {
            file: id,
            span: word.span.clone(),
            source: format!("`{shown}` in the {hook_id} hook, {path}"),
            value: LineLength {
                tool: tool.to_string(),
                length,
                origin: LengthOrigin::Argument,
            },
        }),
        ArgLength::Unknown => {}
        ArgLength::Unset => {
            // ruff's length only shapes code when it formats; `ruff check` enforces E501 only
            // if selected, which its config (not seen here) decides.
            if tool == "ruff" && hook_id != "ruff-format" {
                return;
            }
            let Some(length) = tools::default_length(tool) else {
                return;
            };
            facts.line_lengths.push(Setting {
                file: id,
                span: repo.anchor(),
                source: format!("default: the {hook_id} hook in {path} sets no length"),
                value: LineLength {
                    tool: tool.to_string(),
                    length,
                    origin: LengthOrigin::DefaultOfInvocation,
                },
            });
        }
    }
}

/// `language_version: python3.11`: the interpreter pre-commit builds the hook's environment
/// with. `python3`, `default` and `system` name no version.
fn python_version(node: &Yaml, what: &str, path: &str, id: FileId, facts: &mut FileFacts) {
    let Some(text) = node.as_str() else {
        return;
    };
    if !text.starts_with("python") {
        return;
    }
    let Some(version) = runtime_version(text) else {
        return;
    };
    let source = format!("{what}: `{text}`, {path}");
    facts.python_versions.push(Setting {
        file: id,
        span: node.span.clone(),
        source: source.clone(),
        value: crate::facts::show_py_version(version),
    });
    facts.python_decls.push(Setting {
        file: id,
        span: node.span.clone(),
        source,
        value: PythonDecl::exact(PythonRole::Hooks, version),
    });
}
