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
pub fn stage_chain<'d, 'b, 't>(
    file: &'d Dockerfile<'b, 't>,
    index: usize,
) -> Vec<&'d Stage<'b, 't>> {
    let mut chain = vec![&file.stages[index]];
    let mut current = index;
    while let Some(parent) = file.parents.get(current).copied().flatten() {
        chain.push(&file.stages[parent]);
        current = parent;
    }
    chain.reverse();
    chain
}

/// Indexes of the stages that make up the final image (the last stage and its FROM ancestors).
pub fn final_image_stages(file: &Dockerfile<'_, '_>) -> Vec<usize> {
    let Some(last) = file.stages.len().checked_sub(1) else {
        return Vec::new();
    };
    stage_chain(file, last).iter().map(|s| s.index).collect()
}

/// The `USER` in effect at the end of stage `index`, following `FROM <stage>` inheritance.
pub fn effective_user<'b, 't>(
    file: &Dockerfile<'b, 't>,
    index: usize,
) -> Option<&'b parse_dockerfile::UserInstruction<'t>> {
    stage_chain(file, index)
        .iter()
        .rev()
        .find_map(|s| s.last_user())
}

/// `root`, `0`, `root:root`, `0:0`: the user part names root.
pub fn is_root_user(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or("").trim();
    user == "root" || user == "0"
}

/// `COPY . …` / `ADD . …` (not `--from`): the whole build context goes into the image.
pub fn whole_context_copy(file: &Dockerfile<'_, '_>) -> Option<Span> {
    file.stages
        .iter()
        .flat_map(|s| s.instructions.iter())
        .find_map(context_copy)
}

/// The span of one instruction when it is a `COPY`/`ADD` of the whole build context.
pub fn context_copy(inst: &Inst<'_>) -> Option<Span> {
    let (keyword, options, sources, dest) = match inst {
        Inst::Copy(c) => (&c.copy, &c.options, &c.src, &c.dest),
        Inst::Add(a) => (&a.add, &a.options, &a.src, &a.dest),
        _ => return None,
    };
    // `--from` reads another stage or image, not the build context.
    if options.iter().any(|f| f.name.value == "from") {
        return None;
    }
    let whole = sources.iter().any(|s| match s {
        parse_dockerfile::Source::Path(p) => is_context_root(&p.value),
        _ => false,
    });
    whole.then_some(keyword.span.start..dest.span.end)
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
    name == "pip"
        || name
            .strip_prefix("pip")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_python(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    name.strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Classifies a simple command as a Python dependency install, returning the words after
/// the `install` subcommand.
pub fn python_install<'c>(
    cmd: &'c SimpleCommand,
) -> Option<(Install, &'c [crate::parse::shell_words::Word])> {
    let argv = cmd.argv();
    let first = argv.first()?.text.as_str();
    let rest = &argv[1..];
    let after = |words: &'c [crate::parse::shell_words::Word],
                 sub: &[&str]|
     -> Option<&'c [crate::parse::shell_words::Word]> {
        // Skip global options (`pip --disable-pip-version-check install`).
        let pos = words.iter().position(|w| !w.text.starts_with('-'))?;
        sub.contains(&words[pos].text.as_str())
            .then(|| &words[pos + 1..])
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
        if matches!(
            t,
            "-r" | "--requirement" | "-c" | "--constraint" | "-e" | "--editable"
        ) {
            return true;
        }
        if t.starts_with("-r") || t.starts_with("--requirement=") {
            return true;
        }
        if matches!(
            t,
            "-i" | "--index-url"
                | "--extra-index-url"
                | "-f"
                | "--find-links"
                | "--target"
                | "-t"
                | "--prefix"
                | "--root"
        ) {
            skip_next = true;
            continue;
        }
        if t.starts_with('-') {
            continue;
        }
        let name = t
            .split(['=', '<', '>', '~', '[', '!'])
            .next()
            .unwrap_or(t)
            .to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "pip" | "setuptools" | "wheel" | "uv" | "poetry" | "pipenv" | "pdm"
        ) {
            return true;
        }
    }
    false
}

/// `RUN --mount=type=cache,…` keeps the package cache out of the image layer.
pub fn has_cache_mount(run: &parse_dockerfile::RunInstruction<'_>) -> bool {
    run.options.iter().any(|f| {
        f.name.value == "mount"
            && f.value
                .as_ref()
                .is_some_and(|v| v.value.split(',').any(|p| p.trim() == "type=cache"))
    })
}

/// The `NAME=value` pairs of an `ENV`/`ARG` as written in the file. parse-dockerfile's `value`
/// has line continuations removed, so offsets into it drift from the file after a continued
/// line; splitting the file's own text keeps every span on the line it is on.
pub fn written_pairs(
    file: &Dockerfile<'_, '_>,
    args: &parse_dockerfile::UnescapedString<'_>,
) -> Vec<(String, String, Span)> {
    env_pairs(file.slice(&args.span), args.span.start, file.escape)
}

/// Splits `ENV`/`ARG` arguments into (name, value, span of the pair).
pub fn env_pairs(text: &str, base: usize, escape: char) -> Vec<(String, String, Span)> {
    let commands = crate::parse::shell_words::split_commands(text, base, escape);
    let words: Vec<_> = commands.into_iter().flat_map(|c| c.words).collect();
    if words.is_empty() {
        return Vec::new();
    }
    if !words[0].text.contains('=') && words.len() > 1 {
        // Legacy `ENV NAME value with spaces`.
        let name = words[0].text.clone();
        let value = words[1..]
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
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

/// `ARG` declarations as written: (name, default, span). `ARG NAME` has no default (`None`),
/// which is not the same as `ARG NAME=` (an empty default). `ARG A B` declares two.
pub fn arg_decls(
    file: &Dockerfile<'_, '_>,
    arg: &parse_dockerfile::ArgInstruction<'_>,
) -> Vec<(String, Option<String>, Span)> {
    let text = file.slice(&arg.arguments.span);
    crate::parse::shell_words::split_commands(text, arg.arguments.span.start, file.escape)
        .into_iter()
        .flat_map(|c| c.words)
        .map(|w| match w.text.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string()), w.span),
            None => (w.text, None, w.span),
        })
        .collect()
}

/// The value a global `ARG` (declared before the first `FROM`) has in `FROM` lines of a default
/// build: `None` if it is not declared, `Some(None)` if declared without a default. A later
/// `ARG NAME=value` replaces an earlier default; a bare `ARG NAME` keeps it.
fn global_arg(file: &Dockerfile<'_, '_>, name: &str) -> Option<Option<String>> {
    let mut found: Option<Option<String>> = None;
    for arg in &file.global_args {
        for (n, v, _) in arg_decls(file, arg) {
            if n == name {
                found = match (found, v) {
                    (_, Some(v)) => Some(Some(v)),
                    (Some(prev), None) => Some(prev),
                    (None, None) => Some(None),
                };
            }
        }
    }
    found
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and
/// `${NAME+word}` in a `FROM` line with the global `ARG` defaults, as BuildKit does for a build
/// without `--build-arg`. `None` when the result cannot be known: a variable declared without a
/// default (it can only come from `--build-arg`), an undeclared one, or other syntax.
pub fn expand_from(text: &str, file: &Dockerfile<'_, '_>) -> Option<String> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}')?;
            let inner = &body[..end];
            let name_len = inner.find(|c: char| !is_name(c)).unwrap_or(inner.len());
            let (name, op) = inner.split_at(name_len);
            if name.is_empty() {
                return None;
            }
            let declared = global_arg(file, name);
            let set = declared.clone().flatten();
            let value = match op {
                "" => set?,
                _ if op.starts_with(":-") => set
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| op[2..].to_string()),
                _ if op.starts_with('-') => set.unwrap_or_else(|| op[1..].to_string()),
                _ if op.starts_with(":+") => set
                    .filter(|v| !v.is_empty())
                    .map(|_| op[2..].to_string())
                    .unwrap_or_default(),
                _ if op.starts_with('+') => set.map(|_| op[1..].to_string()).unwrap_or_default(),
                _ => return None,
            };
            out.push_str(&value);
            rest = &body[end + 1..];
        } else {
            let name_len = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
            if name_len == 0 {
                return None;
            }
            out.push_str(&global_arg(file, &after[..name_len]).flatten()?);
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Splits `registry:5000/name:tag@sha256:…` into (name, tag, digest). A `:` before the last `/`
/// is a registry port, not a tag.
pub fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(colon) => (
            &rest[..last_slash + colon],
            Some(&rest[last_slash + colon + 1..]),
            digest,
        ),
        None => (rest, None, digest),
    }
}

/// Whether `reference` (a `COPY --from=` or `RUN --mount=from=` value) names a build stage
/// defined before stage `before`: by name, or by index (`--from=0`).
pub fn names_earlier_stage(file: &Dockerfile<'_, '_>, reference: &str, before: usize) -> bool {
    match reference.parse::<usize>() {
        Ok(index) => index < before,
        Err(_) => file.is_earlier_stage(reference, before),
    }
}

/// The last `CMD` and `ENTRYPOINT` in effect for the final image.
pub fn final_commands<'b, 't>(
    file: &Dockerfile<'b, 't>,
) -> (
    Option<&'b parse_dockerfile::CmdInstruction<'t>>,
    Option<&'b parse_dockerfile::EntrypointInstruction<'t>>,
) {
    let Some(last) = file.stages.len().checked_sub(1) else {
        return (None, None);
    };
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
        assert_eq!(
            install("poetry install --no-root"),
            Some(Install::OtherPython)
        );
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

    /// The image of each `FROM`, expanded with the global ARGs.
    fn expanded(text: &str) -> Vec<Option<String>> {
        let Ok(ast) = crate::parse::dockerfile::parse_ast(text) else {
            panic!("fixture parses")
        };
        let file = Dockerfile::new(text, std::path::Path::new("Dockerfile"), &ast);
        file.stages
            .iter()
            .map(|s| expand_from(s.base_image(), &file))
            .collect()
    }

    #[test]
    fn from_lines_expand_global_args() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            expanded("ARG PY=3.12\nFROM python:${PY}-slim\n"),
            vec![some("python:3.12-slim")]
        );
        // `$PY` is not a prefix match inside `$PY_TAG`.
        assert_eq!(
            expanded("ARG PY=3\nARG PY_TAG=latest\nFROM python:$PY_TAG\n"),
            vec![some("python:latest")]
        );
        assert_eq!(expanded("ARG TAG\nFROM python:${TAG}\n"), vec![None]);
        assert_eq!(expanded("FROM python:$UNDECLARED\n"), vec![None]);
        assert_eq!(
            expanded("ARG TAG\nFROM python:${TAG:-latest}\n"),
            vec![some("python:latest")]
        );
        assert_eq!(
            expanded("ARG TAG=3.12\nFROM python:${TAG:-latest}\n"),
            vec![some("python:3.12")]
        );
        assert_eq!(
            expanded("ARG S=\nFROM python${S:+:x}\n"),
            vec![some("python")]
        );
        // A bare redeclaration keeps the earlier default.
        assert_eq!(
            expanded("ARG TAG=3.12\nARG TAG\nFROM python:$TAG\n"),
            vec![some("python:3.12")]
        );
        assert_eq!(
            expanded("ARG A=1 B=2\nFROM img:$A.$B\n"),
            vec![some("img:1.2")]
        );
        assert_eq!(expanded("FROM python:${TAG%%x}\n"), vec![None]);
    }

    #[test]
    fn images_split_at_the_last_colon_after_the_last_slash() {
        assert_eq!(
            split_image("localhost:5000/app"),
            ("localhost:5000/app", None, None)
        );
        assert_eq!(
            split_image("gcr.io/distroless/static:nonroot@sha256:ab"),
            (
                "gcr.io/distroless/static",
                Some("nonroot"),
                Some("sha256:ab")
            )
        );
    }

    #[test]
    fn env_forms() {
        let pairs = env_pairs("A=1 B=\"two words\"", 0, '\\');
        assert_eq!(
            pairs
                .iter()
                .map(|p| (p.0.as_str(), p.1.as_str()))
                .collect::<Vec<_>>(),
            vec![("A", "1"), ("B", "two words")]
        );
        let legacy = env_pairs("PATH /x /y", 0, '\\');
        assert_eq!(legacy[0].1, "/x /y");
    }
}
