//! DEP002: `export $(cat FILE | xargs)`: a dotenv file loaded by word splitting.

use crate::model::ScriptsFile;
use crate::parse::shell::ShellCommand;
use crate::registry::Ctx;

pub const META: &str = include_str!("unsafe_env_export.toml");

/// Programs that only filter text: a substitution made of them can only be emitting a file.
const FILTERS: &[&str] = &[
    "cat", "tac", "grep", "egrep", "fgrep", "sed", "awk", "gawk", "mawk", "xargs", "tr", "cut",
    "sort", "uniq", "head", "tail", "envsubst", "paste",
];

pub fn check(file: &ScriptsFile<'_>, ctx: &mut Ctx<'_>) {
    for script in file.scripts {
        let commands = &script.shell.commands;
        for (i, export) in commands.iter().enumerate() {
            if export.name.text != "export" || !loads_file_by_splitting(commands, i) {
                continue;
            }
            ctx.report(
                script.file_span(&export.span),
                "`export $(… FILE …)` loads the file by word splitting: a value with a space is \
                 cut at it, quotes stay part of the value, and an inline `# comment` is exported \
                 as variables",
            )
            .help("let the shell parse the file: `set -a; . ./FILE; set +a` (or pass it with `docker compose --env-file FILE`)");
        }
    }
}

/// An `export` argument that is an unquoted or quoted `$(…)` made only of text filters that read
/// a file (`cat .env | xargs`, `grep -v '^#' .env | xargs`, `xargs < .env`), or `$(< .env)`.
fn loads_file_by_splitting(commands: &[ShellCommand], export: usize) -> bool {
    let substitutions: Vec<&str> = commands[export]
        .arg_texts()
        .map(|t| t.trim_start_matches('"'))
        .filter(|t| t.starts_with("$(") || t.starts_with('`'))
        .collect();
    if substitutions.is_empty() {
        return false;
    }
    if substitutions
        .iter()
        .any(|t| t[1..].trim_start_matches('(').trim_start().starts_with('<'))
    {
        return true;
    }
    // Everything the substitution runs, nested `$(…)` included: `export $(echo $(cat .env |
    // xargs) | envsubst)` only re-prints the file.
    // They follow the `export` in the list, before anything else.
    let inner: Vec<&ShellCommand> = (export + 1..commands.len())
        .take_while(|&k| substituted_in(commands, k, export))
        .map(|k| &commands[k])
        .collect();
    !inner.is_empty()
        && inner
            .iter()
            .all(|c| FILTERS.contains(&c.program()) || matches!(c.program(), "echo" | "printf"))
        && inner.iter().any(|c| reads_file(c))
}

/// Whether command `k` runs inside a `$(…)` of command `outer`, at any depth.
fn substituted_in(commands: &[ShellCommand], k: usize, outer: usize) -> bool {
    let mut current = commands.get(k).and_then(|c| c.parent);
    for _ in 0..commands.len() {
        match current {
            Some(p) if p == outer => return true,
            Some(p) => current = commands.get(p).and_then(|c| c.parent),
            None => return false,
        }
    }
    false
}

fn reads_file(cmd: &ShellCommand) -> bool {
    if cmd.redirects.iter().any(|r| r.op.ends_with('<')) {
        return true;
    }
    let operands = cmd.positionals().len();
    match cmd.program() {
        "cat" | "tac" | "head" | "tail" | "sort" | "uniq" | "paste" => operands >= 1,
        "grep" | "egrep" | "fgrep" | "sed" | "awk" | "gawk" | "mawk" => operands >= 2,
        "xargs" => cmd
            .arg_texts()
            .any(|a| a == "-a" || a.starts_with("--arg-file")),
        _ => false,
    }
}
