//! GHA012: `pip install` of linters and formatters without versions in a workflow `run:` step,
//! so CI lints with whatever version is newest that day, not the one pre-commit pins.

use super::{argv, program};
use crate::kind::FileKind;
use crate::model::scripts::ScriptOrigin;
use crate::model::ScriptsFile;
use crate::registry::Ctx;
use serde::Deserialize;

pub const META: &str = include_str!("unpinned_tool_install.toml");

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Options {
    tools: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tools: DEFAULT_TOOLS.iter().map(|t| t.to_string()).collect(),
        }
    }
}

/// Kept in step with the `tools` default in unpinned_tool_install.toml.
const DEFAULT_TOOLS: &[&str] = &[
    "black",
    "ruff",
    "flake8",
    "mypy",
    "isort",
    "pylint",
    "pyright",
    "bandit",
    "autopep8",
    "yapf",
    "pycodestyle",
    "pydocstyle",
    "pyflakes",
    "pyupgrade",
    "autoflake",
    "codespell",
    "flake8-*",
];

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    if file.kind != FileKind::Workflow {
        return;
    }
    let options: Options = ctx.options();
    for script in file.scripts {
        // An ssh script installs on the deploy host, not in CI.
        if !matches!(script.origin, ScriptOrigin::RunStep { .. }) {
            continue;
        }
        for cmd in &script.shell.commands {
            let words = argv(cmd);
            let Some(packages) = install_args(&words) else {
                continue;
            };
            let Some(unpinned) = unpinned_tools(packages, &options.tools) else {
                continue;
            };
            let list = unpinned
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let example = unpinned.first().map_or("black", |s| s.as_str());
            ctx.report(
                script.file_span(&cmd.span),
                format!("{list} installed without a version: CI lints with whatever release is newest that day, not the version pre-commit pins"),
            )
            .help(format!("pin the versions (`{example}==X.Y.Z`), install from a pinned requirements file, or run the linters through `pre-commit run --all-files`"));
        }
    }
}

/// The words after `install` of a pip-like install: `pip install`, `pip3 install`,
/// `python -m pip install`, `uv pip install`, `pipx install`, `uv tool install`.
fn install_args<'a>(words: &'a [&'a str]) -> Option<&'a [&'a str]> {
    let prog = program(words);
    let rest = &words[1.min(words.len())..];
    let after_install = |ws: &'a [&'a str]| -> Option<&'a [&'a str]> {
        let sub = ws.iter().position(|w| !w.starts_with('-'))?;
        (ws[sub] == "install").then(|| &ws[sub + 1..])
    };
    let is_pip = |p: &str| {
        p == "pip"
            || p.strip_prefix("pip")
                .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    let is_python = |p: &str| {
        p.strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    if is_pip(prog) || prog == "pipx" {
        return after_install(rest);
    }
    if is_python(prog) {
        let m = rest.iter().position(|w| *w == "-m")?;
        return (rest.get(m + 1) == Some(&"pip"))
            .then(|| after_install(&rest[m + 2..]))
            .flatten();
    }
    if prog == "uv" {
        let sub = rest.iter().position(|w| !w.starts_with('-'))?;
        if matches!(rest[sub], "pip" | "tool") {
            return after_install(&rest[sub + 1..]);
        }
    }
    None
}

/// The listed tools an install names without any version specifier. `None` when the install
/// reads a requirements or constraints file (versions come from there) or names none.
fn unpinned_tools(args: &[&str], tools: &[String]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut skip_next = false;
    for arg in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if matches!(*arg, "-r" | "--requirement" | "-c" | "--constraint")
            || arg.starts_with("--requirement=")
            || arg.starts_with("--constraint=")
            || (arg.starts_with("-r") && arg.len() > 2)
            || (arg.starts_with("-c") && arg.len() > 2)
        {
            return None;
        }
        // Options that take a value.
        if matches!(
            *arg,
            "-i" | "--index-url"
                | "--extra-index-url"
                | "-f"
                | "--find-links"
                | "-t"
                | "--target"
                | "--prefix"
                | "--python"
                | "-p"
        ) {
            skip_next = true;
            continue;
        }
        if arg.starts_with('-') {
            continue;
        }
        // `black[jupyter]` is still black; anything after the name and extras (`==24.1`,
        // `>=24`, `@ https://…`) counts as a version.
        let name_end = arg
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(arg.len());
        let (name, mut rest) = arg.split_at(name_end);
        if rest.starts_with('[') {
            rest = rest.find(']').map_or("", |i| &rest[i + 1..]);
        }
        if !rest.trim().is_empty() {
            continue;
        }
        let lower = name.to_ascii_lowercase().replace('_', "-");
        if tools.iter().any(|t| tool_matches(t, &lower)) {
            out.push(lower);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `flake8-*` matches every flake8 plugin; other entries match a name exactly.
fn tool_matches(pattern: &str, name: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(line: &str) -> Option<Vec<String>> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let defaults = Options::default().tools;
        install_args(&words).and_then(|a| unpinned_tools(a, &defaults))
    }

    #[test]
    fn installs() {
        assert_eq!(
            tools("pip install black flake8 mypy"),
            Some(vec!["black".into(), "flake8".into(), "mypy".into()])
        );
        assert_eq!(
            tools("python -m pip install -U ruff"),
            Some(vec!["ruff".into()])
        );
        assert_eq!(tools("pip install black==24.1.0 ruff~=0.4"), None);
        assert_eq!(
            tools("pip install black[jupyter]"),
            Some(vec!["black".into()])
        );
        assert_eq!(tools("pip install black[jupyter]==24.1"), None);
        assert_eq!(tools("pip install -r requirements-dev.txt black"), None);
        assert_eq!(tools("pip install -c constraints.txt black"), None);
        assert_eq!(tools("pip install pytest requests"), None);
        assert_eq!(
            tools("pip install flake8-bugbear"),
            Some(vec!["flake8-bugbear".into()])
        );
        assert_eq!(tools("uv tool install ruff"), Some(vec!["ruff".into()]));
        assert_eq!(tools("pip download black"), None);
    }
}
