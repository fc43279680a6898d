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
    match file.stages.len().checked_sub(1) {
        Some(last) => commands_of(file, last),
        None => (None, None),
    }
}

/// The `CMD` and `ENTRYPOINT` in effect at the end of stage `index` (the image `--target` that
/// stage runs), following `FROM <stage>` inheritance.
pub fn commands_of<'b, 't>(
    file: &Dockerfile<'b, 't>,
    index: usize,
) -> (
    Option<&'b parse_dockerfile::CmdInstruction<'t>>,
    Option<&'b parse_dockerfile::EntrypointInstruction<'t>>,
) {
    let mut cmd = None;
    let mut entrypoint = None;
    for stage in stage_chain(file, index) {
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

/// The words the container of stage `index` starts with: ENTRYPOINT then CMD, each shell-form
/// command split into words. Words of `sh -c "…"` scripts stay one word each.
pub fn started_words(file: &Dockerfile<'_, '_>, index: usize) -> Vec<String> {
    let (cmd, entrypoint) = commands_of(file, index);
    entrypoint
        .map(|e| &e.arguments)
        .into_iter()
        .chain(cmd.map(|c| &c.arguments))
        .flat_map(|args| crate::parse::dockerfile::command_words(args, file.escape))
        .flat_map(|c| c.words.into_iter().map(|w| w.text))
        .collect()
}

/// Programs that start a process as another user: an entrypoint running one of them as root
/// hands the server to that user (gosu, su-exec, util-linux `setpriv`/`runuser`, s6's
/// `s6-setuidgid`, runit's `chpst -u`).
pub const PRIVILEGE_DROPPERS: &[&str] = &[
    "gosu",
    "su-exec",
    "setpriv",
    "runuser",
    "s6-setuidgid",
    "chpst",
];

/// Whether any token of these words (a `sh -c` script is split on blanks) runs a privilege
/// dropper.
pub fn words_drop_privileges(words: &[String]) -> bool {
    words
        .iter()
        .flat_map(|w| w.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|'))
        .any(|token| {
            let name = token.rsplit('/').next().unwrap_or(token);
            PRIVILEGE_DROPPERS.contains(&name)
        })
}

/// The build-context files (COPY/ADD sources, as written) that stage `index` starts as its
/// entrypoint: a started word whose file name is the name of a file the chain copies in
/// (`COPY docker/entrypoint.sh /entrypoint.sh` + `ENTRYPOINT ["/entrypoint.sh"]`).
pub fn entry_scripts(file: &Dockerfile<'_, '_>, index: usize) -> Vec<String> {
    let started: std::collections::HashSet<String> = started_words(file, index)
        .iter()
        .flat_map(|w| w.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter_map(|t| t.rsplit('/').next().map(str::to_string))
        .filter(|n| !n.is_empty())
        .collect();
    let mut out = Vec::new();
    for stage in stage_chain(file, index) {
        for inst in stage.instructions {
            let (options, sources, dest) = match inst {
                Inst::Copy(c) => (&c.options, &c.src, &c.dest),
                Inst::Add(a) => (&a.options, &a.src, &a.dest),
                _ => continue,
            };
            if options.iter().any(|f| f.name.value == "from") {
                continue;
            }
            let dest_name = dest
                .value
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            for src in sources {
                let parse_dockerfile::Source::Path(p) = src else {
                    continue;
                };
                let src_name = p
                    .value
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("");
                if started.contains(src_name)
                    || (!dest.value.ends_with('/') && started.contains(dest_name))
                {
                    out.push(p.value.to_string());
                }
            }
        }
    }
    out
}

/// Whether a stage name marks a development or test build (`--target dev`, `target: test`):
/// such a stage is not what production runs. The words are the file roles' own.
pub fn is_dev_or_test_stage(name: &str) -> bool {
    crate::model::roles::by_stage_name(name).is_some()
}

/// Whether the image stage `index` builds is a base image for other Dockerfiles rather than an
/// application (the official-images layout): nothing of the application is copied in (only
/// scripts, configuration and archives; no `COPY --from` of a build stage) and the container
/// starts no server (no command, a shell or an interpreter prompt, possibly behind an entrypoint
/// script).
pub fn is_base_image(file: &Dockerfile<'_, '_>, index: usize) -> bool {
    // A base image prepares something (a RUN) and installs no project's dependencies; a file
    // that only names an image and a command is an application image, however small.
    let mut prepares = false;
    for stage in stage_chain(file, index) {
        for (_, commands) in stage.runs(file.escape) {
            prepares = true;
            let installs_project = commands.iter().any(|c| {
                python_install(c).is_some_and(|(kind, args)| installs_dependencies(kind, args))
            });
            if installs_project {
                return false;
            }
        }
        for inst in stage.instructions {
            let (options, sources) = match inst {
                Inst::Copy(c) => (&c.options, &c.src),
                Inst::Add(a) => (&a.options, &a.src),
                _ => continue,
            };
            let from = options
                .iter()
                .find(|f| f.name.value == "from")
                .and_then(|f| f.value.as_ref());
            if let Some(from) = from {
                if names_earlier_stage(file, &from.value, stage.index) {
                    return false;
                }
                continue;
            }
            let app_code = sources.iter().any(|s| match s {
                parse_dockerfile::Source::Path(p) => !is_support_file(&p.value),
                _ => false,
            });
            if app_code {
                return false;
            }
        }
    }
    prepares && starts_no_server(&started_words(file, index))
}

/// Scripts, configuration and root-filesystem archives an official image copies in: not
/// application code. Folders, Python files and dependency manifests are.
fn is_support_file(src: &str) -> bool {
    let name = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("requirements") || is_context_root(src) {
        return false;
    }
    let Some((_, ext)) = lower.rsplit_once('.') else {
        return false;
    };
    matches!(
        ext,
        "sh" | "bash"
            | "conf"
            | "cnf"
            | "cfg"
            | "ini"
            | "json"
            | "yml"
            | "yaml"
            | "xml"
            | "crt"
            | "pem"
            | "asc"
            | "gpg"
            | "list"
            | "repo"
            | "patch"
            | "diff"
            | "tar"
            | "gz"
            | "tgz"
            | "xz"
            | "bz2"
            | "zst"
    )
}

/// No command, or only a shell or an interpreter prompt (`python3`, `bash`), possibly behind an
/// entrypoint script: what a base image runs when started on its own.
fn starts_no_server(words: &[String]) -> bool {
    let is_prompt = |w: &str| {
        let name = w.rsplit('/').next().unwrap_or(w);
        matches!(
            name,
            "sh" | "bash" | "ash" | "dash" | "zsh" | "ipython" | "node" | "irb"
        ) || is_python(name)
    };
    let is_entry_script = |w: &str| {
        let name = w.rsplit('/').next().unwrap_or(w);
        name.contains("entrypoint") && !name.contains(' ')
    };
    let mut rest = words;
    if rest.first().is_some_and(|w| is_entry_script(w)) {
        rest = &rest[1..];
    }
    match rest {
        [] => true,
        [program, args @ ..] => is_prompt(program) && args.iter().all(|a| a.starts_with('-')),
    }
}

/// For each stage, the first `COPY .`/`ADD .` whose files are in that stage's filesystem: its
/// own, one inherited through `FROM <stage>`, or one a `COPY --from=<stage>` brings over
/// wholesale (the folder the context went to, or one above it; `COPY --from=builder
/// /app/.venv /app/.venv` brings only what the build made). Linear: each stage reads its
/// parents' results.
pub fn context_copies_by_stage(file: &Dockerfile<'_, '_>) -> Vec<Option<Span>> {
    // Per stage: the first span and the absolute folders the context was copied to.
    let mut carry: Vec<Option<(Span, Vec<String>)>> = Vec::with_capacity(file.stages.len());
    let mut workdirs: Vec<String> = Vec::with_capacity(file.stages.len());
    for stage in &file.stages {
        let parent = file.parents.get(stage.index).copied().flatten();
        let mut state = parent.and_then(|p| carry.get(p).cloned().flatten());
        let mut workdir = parent
            .and_then(|p| workdirs.get(p).cloned())
            .unwrap_or_else(|| "/".to_string());
        for inst in stage.instructions {
            match inst {
                Inst::Workdir(w) => workdir = join_abs(&workdir, &w.arguments.value),
                Inst::Copy(_) | Inst::Add(_) => {
                    let (options, sources, dest) = match inst {
                        Inst::Copy(c) => (&c.options, &c.src, &c.dest),
                        Inst::Add(a) => (&a.options, &a.src, &a.dest),
                        _ => continue,
                    };
                    let dest = join_abs(&workdir, &dest.value);
                    if let Some(span) = context_copy(inst) {
                        let entry = state.get_or_insert_with(|| (span, Vec::new()));
                        entry.1.push(dest);
                        continue;
                    }
                    let Some(from) = options
                        .iter()
                        .find(|f| f.name.value == "from")
                        .and_then(|f| f.value.as_ref())
                    else {
                        continue;
                    };
                    let source_stage = match from.value.parse::<usize>() {
                        Ok(i) if i < stage.index => Some(i),
                        Ok(_) => None,
                        Err(_) => file.stage_index(&from.value).filter(|&i| i < stage.index),
                    };
                    let Some((span, dirs)) = source_stage.and_then(|i| carry[i].clone()) else {
                        continue;
                    };
                    let wholesale = sources.iter().any(|s| match s {
                        parse_dockerfile::Source::Path(p) => {
                            let src = join_abs("/", &p.value);
                            dirs.iter().any(|d| is_within(d, &src))
                        }
                        _ => false,
                    });
                    if wholesale {
                        let entry = state.get_or_insert_with(|| (span, Vec::new()));
                        entry.1.push(dest);
                    }
                }
                _ => {}
            }
        }
        carry.push(state);
        workdirs.push(workdir);
    }
    carry.into_iter().map(|c| c.map(|(span, _)| span)).collect()
}

/// `dir` joined with `path` unless `path` is absolute, without `.` parts or a trailing `/`.
fn join_abs(dir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", dir.trim_end_matches('/'))
    };
    let parts: Vec<&str> = joined
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// Whether `inner` is `outer` or below it (both from [`join_abs`]); a glob source counts as its
/// folder.
fn is_within(inner: &str, outer: &str) -> bool {
    let outer = outer.split(['*', '?', '[']).next().unwrap_or(outer);
    let outer = outer.trim_end_matches('/');
    outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}/"))
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
