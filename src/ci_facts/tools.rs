//! The tool vocabulary the CI and configuration facts share: which commands run the tests,
//! measure coverage or lint; how each linter is given a line length and what it uses without
//! one; flake8's default ignore list. Commands are word lists (`shell_words::Word`: text and
//! file span), whatever they came from: a workflow `run:` line, a pre-commit hook's `entry` and
//! `args`, a tox `commands =` line or pytest `addopts`.

use crate::parse::shell_words::Word;

/// Documented line-length defaults, each with its source:
/// - black 88: "Black defaults to 88 characters per line" (black docs, The Black code style,
///   "Line length": https://black.readthedocs.io/en/stable/the_black_code_style/current_style.html#line-length)
/// - ruff 88: `line-length`, default 88 (https://docs.astral.sh/ruff/settings/#line-length)
/// - flake8 79: `--max-line-length`, default 79
///   (https://flake8.pycqa.org/en/latest/user/options.html#cmdoption-flake8-max-line-length)
/// - pycodestyle 79: `--max-line-length`, default 79 (pycodestyle docs, "Configuration")
/// - pylint 100: `max-line-length`, default 100
///   (https://pylint.readthedocs.io/en/stable/user_guide/configuration/all-options.html#max-line-length)
/// - isort 79, or what its profile sets: `line_length` default 79
///   (https://pycqa.github.io/isort/docs/configuration/options.html#line-length); profile
///   `black` sets 88 (https://pycqa.github.io/isort/docs/configuration/profiles.html)
pub fn default_length(tool: &str) -> Option<i64> {
    match tool {
        "black" | "ruff" => Some(88),
        "flake8" | "pycodestyle" | "isort" => Some(79),
        "pylint" => Some(100),
        _ => None,
    }
}

/// isort profiles that set a line length (isort docs, "Built-in Profile for isort"). Profiles
/// that set none leave 79; those and unknown ones are not guessed at.
pub fn isort_profile_length(profile: &str) -> Option<i64> {
    match profile.trim().trim_matches(['"', '\'']) {
        "black" => Some(88),
        "django" => Some(79),
        "hug" => Some(100),
        "wemake" => Some(80),
        _ => None,
    }
}

/// The formatters: their length is what the code actually looks like.
pub fn is_formatter(tool: &str) -> bool {
    matches!(tool, "black" | "ruff")
}

/// flake8's default `--ignore` list (flake8 docs, options: `--ignore`, default
/// "E121,E123,E126,E226,E24,E704,W503,W504"). `--ignore` replaces it; `--extend-ignore` adds to it.
pub const FLAKE8_DEFAULT_IGNORE: &[&str] = &[
    "E121", "E123", "E126", "E226", "E24", "E704", "W503", "W504",
];

/// The defaults a replacing ignore list turns back on: flake8 matches codes by prefix, so
/// `E2` or `E` in the list keeps `E226` off.
pub fn reenabled_defaults(codes: &[String]) -> Vec<&'static str> {
    FLAKE8_DEFAULT_IGNORE
        .iter()
        .copied()
        .filter(|d| {
            !codes
                .iter()
                .any(|c| !c.is_empty() && d.starts_with(c.as_str()))
        })
        .collect()
}

/// Splits a comma/whitespace separated code list (`E203,W503`, one per line in an ini file).
pub fn code_list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n', '\t'])
        .map(|c| c.split('#').next().unwrap_or("").trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// The base name of a word: `/usr/bin/python3` -> `python3`.
pub fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

pub fn is_python(word: &str) -> bool {
    base(word)
        .strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Programs that run another program given after a `run`/`exec` subcommand.
const RUNNERS: &[&str] = &[
    "uv",
    "uvx",
    "poetry",
    "pipenv",
    "pdm",
    "rye",
    "hatch",
    "pixi",
    "pipx",
    "docker",
    "docker-compose",
    "podman",
    "podman-compose",
];

/// Programs worth looking for inside a runner's arguments.
const KNOWN: &[&str] = &[
    "pytest",
    "py.test",
    "tox",
    "nox",
    "coverage",
    "ruff",
    "flake8",
    "black",
    "mypy",
    "pylint",
    "isort",
    "pyright",
    "basedpyright",
    "pre-commit",
    "prek",
    "bandit",
    "pyflakes",
    "pycodestyle",
    "pydocstyle",
    "pylama",
    "prospector",
    "make",
    "just",
    "bash",
    "sh",
];

/// The program a command finally runs, with its arguments, through `NAME=value` prefixes,
/// `sudo`/`env`/`timeout`, `python -m X`, and runners (`uv run`, `poetry run`, `docker compose
/// run svc`, `uvx`). A runner whose program is not a known tool resolves to itself, so that
/// `hatch run test` can still be read by name.
pub fn resolve(words: &[Word]) -> Option<(String, &[Word])> {
    resolve_depth(words, 0)
}

fn resolve_depth(words: &[Word], depth: usize) -> Option<(String, &[Word])> {
    if depth > 4 {
        return None;
    }
    let mut rest = words;
    loop {
        let first = rest.first()?;
        let t = first.text.as_str();
        let assignment = t.split_once('=').is_some_and(|(n, _)| {
            !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if assignment || matches!(t, "sudo" | "exec" | "command" | "time" | "nohup" | "nice") {
            rest = &rest[1..];
        } else if matches!(base(t), "env" | "xvfb-run") {
            rest = &rest[1..];
            while rest.first().is_some_and(|w| w.text.starts_with('-')) {
                rest = &rest[1..];
            }
        } else if base(t) == "timeout" {
            // `timeout [options] DURATION command`
            let skip = rest[1..].iter().position(|w| !w.text.starts_with('-'))?;
            rest = &rest[skip + 2..];
        } else {
            break;
        }
    }
    let first = rest.first()?;
    let program = base(&first.text);
    if is_python(program) {
        let m = rest.iter().position(|w| w.text == "-m");
        if let Some(m) = m {
            let module = rest.get(m + 1)?;
            return Some((module.text.clone(), &rest[m + 2..]));
        }
        // `python manage.py test`, `python -X dev script.py`
        let script = rest[1..].iter().position(|w| !w.text.starts_with('-'))?;
        let script = &rest[1 + script..];
        return Some((base(&script[0].text).to_string(), &script[1..]));
    }
    if RUNNERS.contains(&program) {
        let start = if matches!(program, "uvx") {
            1
        } else {
            // The words up to `run`/`exec`/`x` must be options or sub-commands such as `compose`
            // (`uv pip install pytest` installs pytest, it does not run it).
            let Some(run) = rest
                .iter()
                .position(|w| matches!(w.text.as_str(), "run" | "exec" | "x"))
            else {
                return Some((program.to_string(), &rest[1..]));
            };
            let prefix_ok = rest[1..run].iter().all(|w| {
                w.text.starts_with('-') || matches!(w.text.as_str(), "compose" | "tool" | "pip")
            });
            if !prefix_ok || rest[1..run].iter().any(|w| w.text == "pip") {
                return Some((program.to_string(), &rest[1..]));
            }
            run + 1
        };
        let inner = rest[start..]
            .iter()
            .position(|w| KNOWN.contains(&base(&w.text)) || is_python(&w.text));
        if let Some(i) = inner {
            return resolve_depth(&rest[start + i..], depth + 1);
        }
        return Some((program.to_string(), &rest[1..]));
    }
    Some((program.to_string(), &rest[1..]))
}

/// What a command does, as far as the CI rules care.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    pub test: bool,
    /// The run measures coverage (`pytest --cov`, `coverage run`, `hatch test --cover`).
    pub coverage: bool,
    pub lint: bool,
}

/// Names of tox environments, nox sessions, make/just targets, hatch/pdm scripts, shell scripts.
/// Only explicit flags count as coverage: `make coverage` may gate inside the Makefile.
fn role_of_name(name: &str) -> Role {
    let n = name.to_ascii_lowercase();
    let n = n.rsplit('/').next().unwrap_or(&n);
    let lint = n.contains("lint")
        || [
            "style",
            "format",
            "fmt",
            "typing",
            "types",
            "typecheck",
            "type-check",
            "mypy",
            "pre-commit",
            "precommit",
            "ruff",
            "flake8",
            "pylint",
            "black",
            "isort",
            "check",
            "pyright",
            "static",
        ]
        .iter()
        .any(|k| n.contains(k));
    let test = n.contains("test")
        || n.contains("cov")
        || n.starts_with("py3")
        || n.starts_with("py2")
        || n == "py"
        || n == "unit"
        || n == "integration";
    Role {
        test: test && !n.contains("typecheck"),
        coverage: false,
        lint,
    }
}

fn merge(a: Role, b: Role) -> Role {
    Role {
        test: a.test || b.test,
        coverage: a.coverage || b.coverage,
        lint: a.lint || b.lint,
    }
}

/// Values of an option that may be repeated, comma-separated, or given as `-e=x`/`-ex`.
fn option_values<'w>(args: &'w [Word], names: &[&str]) -> Vec<&'w str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        if names.contains(&t) {
            if let Some(v) = args.get(i + 1) {
                out.extend(v.text.split(','));
            }
            i += 2;
            continue;
        }
        for n in names {
            if let Some(v) = t.strip_prefix(&format!("{n}=")) {
                out.extend(v.split(','));
            }
        }
        i += 1;
    }
    out
}

pub const LINTERS: &[&str] = &[
    "ruff",
    "flake8",
    "black",
    "mypy",
    "pylint",
    "isort",
    "pyright",
    "basedpyright",
    "pyflakes",
    "pycodestyle",
    "pydocstyle",
    "bandit",
    "pylama",
    "prospector",
    "ty",
    "blue",
];

/// Classifies a command (after [`resolve`]).
pub fn role(tool: &str, args: &[Word]) -> Role {
    let has = |s: &str| args.iter().any(|w| w.text == s);
    let first_positional = args.iter().find(|w| !w.text.starts_with('-'));
    match tool {
        "pytest" | "py.test" => Role {
            test: true,
            coverage: args
                .iter()
                .any(|w| w.text == "--cov" || w.text.starts_with("--cov=")),
            lint: false,
        },
        "unittest" | "nose2" | "ward" => Role {
            test: true,
            ..Role::default()
        },
        "manage.py" => Role {
            test: first_positional.is_some_and(|w| w.text == "test"),
            ..Role::default()
        },
        "coverage" => {
            let run = first_positional.is_some_and(|w| w.text == "run");
            Role {
                test: run,
                coverage: run,
                lint: false,
            }
        }
        "tox" | "nox" => {
            let names = if tool == "tox" {
                option_values(args, &["-e", "--env", "-f"])
            } else {
                option_values(args, &["-s", "--session", "--sessions", "-e", "-k"])
            };
            if names.is_empty() {
                // The default envlist / all sessions: usually the tests, often the linters too.
                return Role {
                    test: true,
                    coverage: false,
                    lint: true,
                };
            }
            names
                .iter()
                .map(|n| role_of_name(n))
                .fold(Role::default(), merge)
        }
        "make" | "just" | "task" | "invoke" | "poe" => args
            .iter()
            .filter(|w| !w.text.starts_with('-') && !w.text.contains('='))
            .map(|w| role_of_name(&w.text))
            .fold(Role::default(), merge),
        "hatch" => match first_positional.map(|w| w.text.as_str()) {
            Some("test") => Role {
                test: true,
                coverage: has("--cover") || has("-c"),
                lint: false,
            },
            Some("fmt") => Role {
                lint: true,
                ..Role::default()
            },
            Some("run") => args
                .iter()
                .skip_while(|w| w.text != "run")
                .nth(1)
                .map(|w| role_of_name(&w.text))
                .unwrap_or_default(),
            _ => Role::default(),
        },
        "poetry" | "pdm" | "pipenv" | "rye" | "pixi" | "uv" => args
            .iter()
            .skip_while(|w| w.text != "run")
            .skip(1)
            .find(|w| !w.text.starts_with('-') && !matches!(w.text.as_str(), "task" | "poe"))
            .map(|w| role_of_name(&w.text))
            .unwrap_or_default(),
        "pre-commit" | "prek" => Role {
            lint: first_positional.is_some_and(|w| w.text == "run"),
            ..Role::default()
        },
        "bash" | "sh" | "zsh" => first_positional
            .filter(|w| w.text.ends_with(".sh"))
            .map(|w| role_of_name(&w.text))
            .unwrap_or_default(),
        t if t.ends_with(".sh") => role_of_name(t),
        t if LINTERS.contains(&t) => Role {
            lint: !(has("--version") || has("--help")),
            ..Role::default()
        },
        _ => Role::default(),
    }
}

/// A coverage threshold given on a command line: `pytest --cov-fail-under=90`,
/// `coverage report --fail-under 90` (also `xml`/`html`/`json`/`lcov`, which take it too).
/// The value is `Err(text)` when it is not a literal number (`"$MIN"`).
pub fn command_threshold<'w>(
    tool: &str,
    args: &'w [Word],
) -> Option<(Result<f64, String>, &'w Word)> {
    let name = match tool {
        "pytest" | "py.test" => "--cov-fail-under",
        "coverage" => {
            let sub = args.iter().find(|w| !w.text.starts_with('-'))?;
            if !matches!(
                sub.text.as_str(),
                "report" | "xml" | "html" | "json" | "lcov"
            ) {
                return None;
            }
            "--fail-under"
        }
        _ => return None,
    };
    let (value, word) = option_value(args, name)?;
    Some((parse_number(&value), word))
}

pub fn parse_number(text: &str) -> Result<f64, String> {
    let t = text.trim().trim_matches(['"', '\'']).trim_end_matches('%');
    t.parse::<f64>().map_err(|_| text.to_string())
}

/// `--name=value` or `--name value`: the value and the word that holds the option.
pub fn option_value<'w>(args: &'w [Word], name: &str) -> Option<(String, &'w Word)> {
    for (i, w) in args.iter().enumerate() {
        if w.text == name {
            let value = args.get(i + 1)?;
            return Some((value.text.clone(), w));
        }
        if let Some(v) = w.text.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some((v.to_string(), w));
        }
    }
    None
}

/// The line length a linter invocation is given on its command line.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgLength {
    /// A literal length, the word that sets it, and the option as a message shows it
    /// (`--line-length 120`, `--profile black`).
    Set(i64, Word, String),
    /// The invocation names its own config file or a non-literal length, or does not enforce a
    /// length at all (`--exit-zero`, a `--select` without E501): nothing to compare.
    Unknown,
    /// Nothing on the command line: the config files or the default decide.
    Unset,
}

/// Whether an invocation can fail on a long line at all. GitHub's starter workflow runs
/// `flake8 --select=E9,F63,F7,F82` (syntax errors only) and `flake8 --exit-zero
/// --max-line-length=127` (reports, never fails): neither enforces a length.
fn enforces_length(tool: &str, args: &[Word]) -> bool {
    let has = |s: &str| args.iter().any(|w| w.text == s);
    match tool {
        "flake8" | "pycodestyle" => {
            if has("--exit-zero") {
                return false;
            }
            let selects = |name: &str| {
                option_value(args, name)
                    .map(|(v, _)| code_list(&v).iter().any(|c| "E501".starts_with(c.as_str())))
            };
            match (selects("--select"), selects("--extend-select")) {
                (_, Some(true)) => true,
                (Some(false), _) => false,
                _ => true,
            }
        }
        "pylint" => {
            if has("--exit-zero") || has("-E") || has("--errors-only") {
                return false;
            }
            let disabled = option_value(args, "--disable")
                .or_else(|| option_value(args, "-d"))
                .is_some_and(|(v, _)| {
                    code_list(&v)
                        .iter()
                        .any(|c| matches!(c.as_str(), "C0301" | "line-too-long" | "all" | "C"))
                });
            !disabled
        }
        _ => true,
    }
}

/// Reads the line length from a linter's arguments (each tool's own spelling).
pub fn arg_length(tool: &str, args: &[Word]) -> ArgLength {
    if !enforces_length(tool, args) {
        return ArgLength::Unknown;
    }
    let names: &[&str] = match tool {
        "black" => &["-l", "--line-length"],
        "ruff" => &["--line-length"],
        "flake8" | "pylint" | "pycodestyle" => &["--max-line-length"],
        "isort" => &["-l", "--line-length", "--line-width", "--lw", "-w"],
        _ => return ArgLength::Unset,
    };
    // Options that point the tool at another config file: its length is not ours to know.
    let config_flags: &[&str] = match tool {
        "black" => &["--config"],
        "flake8" => &["--config", "--append-config"],
        "pylint" => &["--rcfile"],
        "isort" => &["--settings-path", "--sp", "--settings-file", "--settings"],
        _ => &[],
    };
    for name in names {
        if let Some((value, word)) = option_value(args, name) {
            return match value.trim().parse::<i64>() {
                Ok(n) => ArgLength::Set(n, word.clone(), shown_arg(&word.text, n)),
                Err(_) => ArgLength::Unknown,
            };
        }
        // Short options glued to their value: `-l100`.
        if name.len() == 2 {
            if let Some(w) = args.iter().find(|w| {
                w.text.len() > 2
                    && w.text.starts_with(name)
                    && w.text[2..].chars().all(|c| c.is_ascii_digit())
            }) {
                if let Ok(n) = w.text[2..].parse() {
                    return ArgLength::Set(n, w.clone(), w.text.clone());
                }
            }
        }
    }
    if tool == "ruff" {
        // `ruff --config "line-length = 100"`; `--config path.toml` names a file.
        for (value, word) in all_option_values(args, "--config") {
            if let Some((k, v)) = value.split_once('=') {
                if k.trim() == "line-length" {
                    return match v.trim().parse::<i64>() {
                        Ok(n) => ArgLength::Set(n, word.clone(), format!("--config {value}")),
                        Err(_) => ArgLength::Unknown,
                    };
                }
            } else {
                return ArgLength::Unknown;
            }
        }
    }
    if tool == "isort" {
        if let Some((profile, word)) = option_value(args, "--profile") {
            return match isort_profile_length(&profile) {
                Some(n) => ArgLength::Set(n, word.clone(), format!("--profile {profile}")),
                None => ArgLength::Unknown,
            };
        }
    }
    if config_flags.iter().any(|f| option_value(args, f).is_some()) {
        return ArgLength::Unknown;
    }
    ArgLength::Unset
}

fn all_option_values<'w>(args: &'w [Word], name: &str) -> Vec<(String, &'w Word)> {
    let mut out = Vec::new();
    for (i, w) in args.iter().enumerate() {
        if w.text == name {
            if let Some(v) = args.get(i + 1) {
                out.push((v.text.clone(), w));
            }
        } else if let Some(v) = w.text.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            out.push((v.to_string(), w));
        }
    }
    out
}

/// An argument as a message shows it: `--line-length` given its value in the next word
/// becomes `--line-length 120`.
fn shown_arg(word: &str, length: i64) -> String {
    if word.contains(&length.to_string()) {
        word.to_string()
    } else {
        format!("{word} {length}")
    }
}

/// The codes of flake8's `--ignore` (not `--extend-ignore`), and the word that sets it.
pub fn flake8_ignore_arg(args: &[Word]) -> Option<(Vec<String>, &Word)> {
    let (value, word) = option_value(args, "--ignore")?;
    Some((code_list(&value), word))
}

/// Words of a command line whose spans are offsets into `text` plus `base`.
pub fn words(text: &str, base: usize) -> Vec<Vec<Word>> {
    crate::parse::shell_words::split_commands(text, base, '\\')
        .into_iter()
        .map(|c| c.words)
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Vec<Word> {
        words(text, 0).into_iter().next().unwrap_or_default()
    }

    fn role_of(text: &str) -> Role {
        let w = cmd(text);
        match resolve(&w) {
            Some((tool, args)) => role(&tool, args),
            None => Role::default(),
        }
    }

    #[test]
    fn resolves_wrappers() {
        let w = cmd("uv run --frozen python -m pytest --cov=app");
        let (tool, args) = resolve(&w).expect("resolves");
        assert_eq!(tool, "pytest");
        assert_eq!(args.len(), 1);
        assert_eq!(
            resolve(&cmd("poetry run flake8 .")).map(|r| r.0).as_deref(),
            Some("flake8")
        );
        assert_eq!(
            resolve(&cmd("docker compose run --rm api pytest"))
                .map(|r| r.0)
                .as_deref(),
            Some("pytest")
        );
        assert_eq!(
            resolve(&cmd("uv pip install pytest"))
                .map(|r| r.0)
                .as_deref(),
            Some("uv")
        );
        assert_eq!(
            resolve(&cmd("CI=1 timeout 10m pytest"))
                .map(|r| r.0)
                .as_deref(),
            Some("pytest")
        );
    }

    #[test]
    fn classifies() {
        assert!(role_of("pytest --cov=app").coverage);
        assert!(!role_of("pytest --cov-report=xml").coverage);
        assert!(role_of("coverage run -m pytest").coverage);
        assert!(role_of("tox -e py312").test);
        assert!(!role_of("tox -e lint").test);
        assert!(role_of("tox -e lint").lint);
        assert!(role_of("make test").test);
        assert!(role_of("pre-commit run --all-files").lint);
        assert!(!role_of("pre-commit install").lint);
        assert!(role_of("uv run bash scripts/tests-start.sh").test);
        assert!(role_of("black --check .").lint);
        assert!(role_of("python manage.py test").test);
        assert!(role_of("hatch test --cover").coverage);
        assert!(!role_of("pip install pytest").test);
    }

    #[test]
    fn thresholds_and_lengths() {
        let w = cmd("coverage report --fail-under=90");
        let (tool, args) = resolve(&w).expect("resolves");
        assert_eq!(command_threshold(&tool, args).map(|t| t.0), Some(Ok(90.0)));
        let w = cmd("coverage report --fail-under \"$MIN\"");
        let (tool, args) = resolve(&w).expect("resolves");
        assert!(command_threshold(&tool, args).is_some_and(|t| t.0.is_err()));
        let len = |tool: &str, text: &str| match arg_length(tool, &cmd(text)) {
            ArgLength::Set(n, _, _) => Some(n),
            _ => None,
        };
        assert_eq!(
            len("flake8", "--max-line-length=100 --ignore=E203"),
            Some(100)
        );
        assert_eq!(len("black", "-l 120 ."), Some(120));
        assert_eq!(len("black", "-l99"), Some(99));
        assert_eq!(len("isort", "--profile black"), Some(88));
        assert_eq!(len("ruff", "--config 'line-length = 100'"), Some(100));
        assert_eq!(
            arg_length("flake8", &cmd("--config x.cfg")),
            ArgLength::Unknown
        );
        assert_eq!(arg_length("black", &cmd("--check .")), ArgLength::Unset);
        // GitHub's starter workflow: syntax errors only, then report-only.
        let starter = "--count --select=E9,F63,F7,F82 --show-source --statistics";
        assert_eq!(arg_length("flake8", &cmd(starter)), ArgLength::Unknown);
        let report_only = "--exit-zero --max-complexity=10 --max-line-length=127";
        assert_eq!(arg_length("flake8", &cmd(report_only)), ArgLength::Unknown);
        assert_eq!(len("flake8", "--select=E,W --max-line-length=99"), Some(99));
        assert_eq!(
            arg_length("pylint", &cmd("--disable=C0301 src")),
            ArgLength::Unknown
        );
    }

    #[test]
    fn ignore_lists() {
        let codes = code_list("E203,W503");
        assert_eq!(
            reenabled_defaults(&codes),
            vec!["E121", "E123", "E126", "E226", "E24", "E704", "W504"]
        );
        assert!(reenabled_defaults(&code_list("E1,E2,E704,W")).is_empty());
    }
}
