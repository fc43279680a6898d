//! Dockerfile rules (§4.3 of the audit checklist) and the small vocabulary they share.

pub mod copy_before_dependency_install;
pub mod dev_server_in_image;
pub mod from_as_casing;
pub mod missing_dockerignore;
pub mod pip_cache_in_image;
pub mod root_local_unreadable;
pub mod runs_as_root;
pub mod secret_in_image;
pub mod shell_form_entrypoint;
pub mod single_stage_build;
pub mod unpinned_base_image;

use crate::parse::dockerfile::{Dockerfile, Inst, Stage};
use crate::parse::shell_words::SimpleCommand;
use crate::source::Span;

/// The stages whose filesystem ends up in stage `index`: itself and, through `FROM <stage>`,
/// its ancestors. Root first.
pub fn stage_chain<'d, 'b, 't>(file: &'d Dockerfile<'b, 't>, index: usize) -> Vec<&'d Stage<'b, 't>> {
    let mut chain = vec![&file.stages[index]];
    let mut current = index;
    while let Some(parent) = file.stages[..current]
        .iter()
        .rposition(|s| s.name.is_some_and(|n| n.eq_ignore_ascii_case(file.stages[current].base_image())))
    {
        chain.push(&file.stages[parent]);
        current = parent;
    }
    chain.reverse();
    chain
}

/// Indexes of the stages that make up the final image (the last stage and its FROM ancestors).
pub fn final_image_stages(file: &Dockerfile<'_, '_>) -> Vec<usize> {
    let Some(last) = file.stages.len().checked_sub(1) else { return Vec::new() };
    stage_chain(file, last).iter().map(|s| s.index).collect()
}

/// The `USER` in effect at the end of stage `index`, following `FROM <stage>` inheritance.
pub fn effective_user<'b, 't>(file: &Dockerfile<'b, 't>, index: usize) -> Option<&'b parse_dockerfile::UserInstruction<'t>> {
    stage_chain(file, index).iter().rev().find_map(|s| s.last_user())
}

/// `root`, `0`, `root:root`, `0:0`: the user part names root.
pub fn is_root_user(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or("").trim();
    user == "root" || user == "0"
}

/// `COPY . …` / `ADD . …` (not `--from`): the whole build context goes into the image.
pub fn whole_context_copy(file: &Dockerfile<'_, '_>) -> Option<Span> {
    file.stages.iter().flat_map(|s| s.instructions.iter()).find_map(|inst| {
        let (keyword, options, sources, dest) = match inst {
            Inst::Copy(c) => (&c.copy, &c.options, &c.src, &c.dest),
            Inst::Add(a) => (&a.add, &a.options, &a.src, &a.dest),
            _ => return None,
        };
        if options.iter().any(|f| f.name.value == "from") {
            return None;
        }
        let whole = sources.iter().any(|s| match s {
            parse_dockerfile::Source::Path(p) => is_context_root(&p.value),
            _ => false,
        });
        whole.then(|| keyword.span.start..dest.span.end)
    })
}

pub fn is_context_root(src: &str) -> bool {
    matches!(src, "." | "./" | "./." | "*" | "./*")
}

/// What a `RUN` command installs, as far as the Python rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Install {
    /// `pip install …` (any spelling of pip).
    Pip,
    /// `uv pip install …` or `uv sync`.
    Uv,
    /// `poetry install`, `pipenv install`, `pdm install`/`sync`.
    OtherPython,
}

/// Whether a word runs pip: `pip`, `pip3`, `pip3.12`, `/usr/local/bin/pip`.
fn is_pip(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    name == "pip" || name.strip_prefix("pip").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_python(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    name.strip_prefix("python").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Classifies a simple command as a Python dependency install, returning the words after
/// the `install` subcommand.
pub fn python_install<'c>(cmd: &'c SimpleCommand) -> Option<(Install, &'c [crate::parse::shell_words::Word])> {
    let argv = cmd.argv();
    let first = argv.first()?.text.as_str();
    let rest = &argv[1..];
    let after = |words: &'c [crate::parse::shell_words::Word], sub: &[&str]| -> Option<&'c [crate::parse::shell_words::Word]> {
        // Skip global options (`pip --disable-pip-version-check install`).
        let pos = words.iter().position(|w| !w.text.starts_with('-'))?;
        sub.contains(&words[pos].text.as_str()).then(|| &words[pos + 1..])
    };
    if is_pip(first) {
        return after(rest, &["install"]).map(|w| (Install::Pip, w));
    }
    if is_python(first) {
        // python -m pip install …
        let m = rest.iter().position(|w| w.text == "-m")?;
        let module = rest.get(m + 1)?;
        if module.text == "pip" {
            return after(&rest[m + 2..], &["install"]).map(|w| (Install::Pip, w));
        }
        return None;
    }
    let name = first.rsplit('/').next().unwrap_or(first);
    match name {
        "uv" => {
            let pos = rest.iter().position(|w| !w.text.starts_with('-'))?;
            match rest[pos].text.as_str() {
                "sync" => Some((Install::Uv, &rest[pos + 1..])),
                "pip" => after(&rest[pos + 1..], &["install", "sync"]).map(|w| (Install::Uv, w)),
                _ => None,
            }
        }
        "poetry" | "pipenv" => after(rest, &["install", "sync"]).map(|w| (Install::OtherPython, w)),
        "pdm" => after(rest, &["install", "sync"]).map(|w| (Install::OtherPython, w)),
        _ => None,
    }
}

/// Whether an install's arguments name the project's dependencies (not just pip itself or
/// build tools): `-r requirements.txt`, packages, `.`; `pip install --upgrade pip` is not.
pub fn installs_dependencies(kind: Install, args: &[crate::parse::shell_words::Word]) -> bool {
    if kind != Install::Pip {
        return true;
    }
    let mut skip_next = false;
    for w in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        let t = w.text.as_str();
        if matches!(t, "-r" | "--requirement" | "-c" | "--constraint" | "-e" | "--editable") {
            return true;
        }
        if t.starts_with("-r") || t.starts_with("--requirement=") {
            return true;
        }
        if matches!(t, "-i" | "--index-url" | "--extra-index-url" | "-f" | "--find-links" | "--target" | "-t" | "--prefix" | "--root") {
            skip_next = true;
            continue;
        }
        if t.starts_with('-') {
            continue;
        }
        let name = t.split(['=', '<', '>', '~', '[', '!']).next().unwrap_or(t).to_ascii_lowercase();
        if !matches!(name.as_str(), "pip" | "setuptools" | "wheel" | "uv" | "poetry" | "pipenv" | "pdm") {
            return true;
        }
    }
    false
}

/// `RUN --mount=type=cache,…` keeps the package cache out of the image layer.
pub fn has_cache_mount(run: &parse_dockerfile::RunInstruction<'_>) -> bool {
    run.options
        .iter()
        .any(|f| f.name.value == "mount" && f.value.as_ref().is_some_and(|v| v.value.split(',').any(|p| p.trim() == "type=cache")))
}

/// `ENV` names set in a stage: `ENV A=1 B=2` and the legacy `ENV A 1`.
pub fn env_names(stage: &Stage<'_, '_>) -> Vec<(String, String, Span)> {
    let mut out = Vec::new();
    for inst in stage.instructions {
        if let Inst::Env(env) = inst {
            out.extend(env_pairs(&env.arguments.value, env.arguments.span.start));
        }
    }
    out
}

/// Splits `ENV`/`ARG` arguments into (name, value, span of the pair).
pub fn env_pairs(text: &str, base: usize) -> Vec<(String, String, Span)> {
    let commands = crate::parse::shell_words::split_commands(text, base, '\\');
    let words: Vec<_> = commands.into_iter().flat_map(|c| c.words).collect();
    if words.is_empty() {
        return Vec::new();
    }
    if !words[0].text.contains('=') {
        // Legacy `ENV NAME value with spaces`.
        let name = words[0].text.clone();
        let value = words[1..].iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        let end = words.last().map_or(words[0].span.end, |w| w.span.end);
        return vec![(name, value, words[0].span.start..end)];
    }
    words
        .into_iter()
        .map(|w| match w.text.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string(), w.span),
            None => (w.text.clone(), String::new(), w.span),
        })
        .collect()
}

/// The last `CMD` and `ENTRYPOINT` in effect for the final image.
pub fn final_commands<'b, 't>(
    file: &Dockerfile<'b, 't>,
) -> (Option<&'b parse_dockerfile::CmdInstruction<'t>>, Option<&'b parse_dockerfile::EntrypointInstruction<'t>>) {
    let Some(last) = file.stages.len().checked_sub(1) else { return (None, None) };
    let chain = stage_chain(file, last);
    let mut cmd = None;
    let mut entrypoint = None;
    for stage in chain {
        for inst in stage.instructions {
            match inst {
                Inst::Cmd(c) => cmd = Some(c),
                // Docker resets an inherited CMD when ENTRYPOINT is set.
                Inst::Entrypoint(e) => {
                    entrypoint = Some(e);
                    cmd = None;
                }
                _ => {}
            }
        }
    }
    (cmd, entrypoint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::shell_words::split_commands;

    fn install(text: &str) -> Option<Install> {
        let cmds = split_commands(text, 0, '\\');
        python_install(&cmds[0]).map(|(k, _)| k)
    }

    #[test]
    fn recognises_installs() {
        assert_eq!(install("pip install -r r.txt"), Some(Install::Pip));
        assert_eq!(install("pip3.12 install x"), Some(Install::Pip));
        assert_eq!(install("python3 -m pip install x"), Some(Install::Pip));
        assert_eq!(install("uv sync --frozen"), Some(Install::Uv));
        assert_eq!(install("uv pip install x"), Some(Install::Uv));
        assert_eq!(install("poetry install --no-root"), Some(Install::OtherPython));
        assert_eq!(install("pip download x"), None);
        assert_eq!(install("pipx run x"), None);
        assert_eq!(install("echo pip install"), None);
    }

    #[test]
    fn dependency_installs() {
        let deps = |t: &str| {
            let cmds = split_commands(t, 0, '\\');
            let (k, args) = python_install(&cmds[0]).expect("install");
            installs_dependencies(k, args)
        };
        assert!(deps("pip install -r requirements.txt"));
        assert!(deps("pip install fastapi==0.110"));
        assert!(!deps("pip install --upgrade pip setuptools wheel"));
        assert!(!deps("pip install -i https://x pip"));
    }

    #[test]
    fn env_forms() {
        let pairs = env_pairs("A=1 B=\"two words\"", 0);
        assert_eq!(pairs.iter().map(|p| (p.0.as_str(), p.1.as_str())).collect::<Vec<_>>(), vec![("A", "1"), ("B", "two words")]);
        let legacy = env_pairs("PATH /x /y", 0);
        assert_eq!(legacy[0].1, "/x /y");
    }
}
