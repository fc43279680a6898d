//! The command line: `check`, `rule`, `rules`. Exit codes: 0 clean, 1 findings, 2 errors.

use crate::diagnostic::Severity;
use crate::engine::{lint, LintRequest};
use crate::registry::Registry;
use crate::render::{self, OutputFormat, RenderOptions};
use crate::settings::{Overrides, Settings};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "prodlint",
    version,
    about = "Production-readiness linter for Python web-service repositories"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and folders (default: the current folder).
    Check(CheckArgs),
    /// Print a rule's full documentation (`--all`: every rule's).
    Rule {
        /// A rule code (DKR002) or name (runs-as-root).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        code: Option<String>,
        /// Print the documentation of every rule.
        #[arg(long)]
        all: bool,
    },
    /// Run the language server over stdio (for editors; see the README's "Editors").
    Server,
    /// List every rule, or those whose code starts with PREFIX (`prodlint rules DKR`).
    Rules {
        /// A code prefix (DKR, DKR00), a code or a name.
        prefix: Option<String>,
        #[arg(long, value_enum, default_value = "human")]
        output_format: ListFormat,
    },
    /// Write `# prodlint: ignore[CODE]` on the line of every current finding, so that only
    /// new code is held to the rules.
    Suppress(SuppressArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
}

#[derive(Parser, Debug, Default)]
pub struct SuppressArgs {
    /// Files or folders (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Rule codes, prefixes or names to suppress, comma-separated (default: all findings).
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Rule codes, prefixes or names to leave alone.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Option<Vec<String>>,
    /// Config file to use instead of searching for one.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set; FORCE_COLOR or CLICOLOR_FORCE force it.
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Parser, Debug, Default)]
pub struct CheckArgs {
    /// Files or folders; `-` reads stdin (with --stdin-filename).
    pub paths: Vec<PathBuf>,
    /// human on a terminal, concise otherwise. With --output-file, the file's format.
    #[arg(long, value_enum)]
    pub output_format: Option<OutputFormat>,
    /// Write the --output-format rendering to FILE (atomically); the terminal then gets the
    /// human (terminal) or concise rendering, or `github` annotations inside GitHub Actions.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Exit 0 even when there are findings (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Record every current finding in FILE (a baseline) and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "statistics", "show_files"])]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings that FILE (written by --write-baseline) does not hold; also the
    /// config key `baseline`.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Rule codes, prefixes (DKR) or names to run, comma-separated; replaces the config's `select`.
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Rule codes, prefixes or names to skip; replaces the config's `ignore`.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Option<Vec<String>>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Config file to use instead of searching for one.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Lint stdin as if it were this file (pass `-` as the path).
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
    /// Colour of human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Same as --color never.
    #[arg(long)]
    pub no_color: bool,
    /// Print findings only: no summary, no notes.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// List every linted file with its kind, role, project unit and the reason for its role,
    /// instead of the findings (`--output-format json` for JSON); exits 0.
    #[arg(long, conflicts_with = "statistics")]
    pub show_files: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Apply the safe fixes (rules whose `prodlint rule` page says "Autofix"), then report
    /// what remains.
    #[arg(long)]
    pub fix: bool,
    /// Print the fixes as a unified diff instead of applying them; exit 1 if there are any.
    #[arg(long)]
    pub diff: bool,
    /// With --fix or --diff: also the fixes that may change behaviour.
    #[arg(long)]
    pub unsafe_fixes: bool,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text).ok_or_else(|| format!("expected error, warning or info, not `{text}`"))
}

/// Runs the CLI and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return code;
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rule { code, all } => match code {
            Some(code) if !all => print_rule(&code),
            _ => print_all_rules(),
        },
        Command::Rules {
            prefix,
            output_format,
        } => list_rules(prefix.as_deref(), output_format),
        Command::Server => crate::server::run(),
        Command::Suppress(args) => crate::suppress_write::run(args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "prodlint", &mut std::io::stdout());
            0
        }
    }
}

fn check(args: CheckArgs) -> i32 {
    let stdin_mode = args.paths.iter().any(|p| p.as_os_str() == "-");
    let mut paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let mut stdin_name = None;
    if stdin_mode {
        let Some(name) = &args.stdin_filename else {
            eprintln!("prodlint: `-` needs --stdin-filename PATH so the text's file kind is known");
            return 2;
        };
        paths.push(name.clone());
        stdin_name = Some(name.clone());
        if args.fix || args.diff {
            eprintln!("prodlint: --fix and --diff work on files, not on stdin");
            return 2;
        }
    } else if args.stdin_filename.is_some() {
        eprintln!("prodlint: --stdin-filename needs `-` as the path");
        return 2;
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let overrides = Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on,
    };
    let settings = match Settings::load(args.config.as_deref(), &paths[0], &overrides) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("prodlint: config error: {err}");
            return 2;
        }
    };
    // Read after the config, whose `max-file-size` bounds it (one byte more tells "too big").
    let mut stdin = None;
    if let Some(name) = stdin_name {
        let mut bytes = Vec::new();
        let limit = settings.max_file_size.saturating_add(1);
        if let Err(e) = std::io::stdin().take(limit).read_to_end(&mut bytes) {
            eprintln!("prodlint: cannot read stdin: {e}");
            return 2;
        }
        stdin = Some((name, bytes));
    }
    let request = LintRequest {
        paths,
        stdin,
        jobs: args.jobs,
        root: None,
        per_project_config: args.config.is_none().then(|| overrides.clone()),
    };
    if args.diff {
        return crate::fix::print_diff(&request, &settings, args.unsafe_fixes);
    }
    let linted = if args.fix {
        crate::fix::fix(&request, &settings, args.unsafe_fixes).map(|mut outcome| {
            if !args.quiet {
                crate::fix::print_outcome(&outcome);
            }
            outcome.report.take().unwrap_or_default()
        })
    } else {
        lint(&request, &settings)
    };
    let mut report = match linted {
        Ok(report) => report,
        Err(err) => {
            eprintln!("prodlint: {err}");
            return 2;
        }
    };
    if !args.quiet {
        for note in &report.notes {
            eprintln!("prodlint: {}", render::escape_control(note));
        }
    }
    if args.show_files {
        let json = args.output_format == Some(OutputFormat::Json);
        return write_stdout(&render::files::render(&report, json), 0);
    }
    let mut prints = crate::baseline::fingerprints(&report);
    if let Some(file) = &args.write_baseline {
        return match crate::baseline::write(&report, &prints, file) {
            Ok(n) => {
                eprintln!(
                    "prodlint: wrote {n} findings to the baseline {}",
                    file.display()
                );
                0
            }
            Err(e) => {
                eprintln!("prodlint: cannot write the baseline: {e}");
                2
            }
        };
    }
    let baseline = args.baseline.clone().or(settings.baseline.clone());
    if let Some(file) = &baseline {
        if let Err(e) = apply_baseline(&mut report, &mut prints, file, args.quiet) {
            eprintln!("prodlint: {e}");
            return 2;
        }
    }
    let code = i32::from(report.exceeds(settings.fail_on) && !args.exit_zero);
    let stdout_tty = std::io::stdout().is_terminal();
    let color = use_color(args.color, args.no_color, stdout_tty);
    let options = RenderOptions {
        color,
        fingerprints: &prints,
    };
    let terminal_format = if stdout_tty {
        OutputFormat::Human
    } else {
        OutputFormat::Concise
    };
    let Some(file) = &args.output_file else {
        let format = args.output_format.unwrap_or(terminal_format);
        let text = rendering(&report, format, &args, &options, !args.quiet);
        return write_stdout(&text, code);
    };
    let format = args.output_format.unwrap_or(OutputFormat::Json);
    let text = rendering(&report, format, &args, &options, false);
    if let Err(e) = crate::atomic::write(file, text.as_bytes()) {
        eprintln!("prodlint: cannot write {}: {e}", file.display());
        return 2;
    }
    // The terminal beside the file: annotations inside GitHub Actions, else what a person reads.
    let in_actions = std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");
    let terminal_format = if in_actions && !stdout_tty {
        OutputFormat::Github
    } else {
        terminal_format
    };
    let text = rendering(&report, terminal_format, &args, &options, !args.quiet);
    write_stdout(&text, code)
}

/// Hides the findings the baseline holds and says on stderr what no longer matches.
fn apply_baseline(
    report: &mut crate::engine::Report,
    prints: &mut Vec<crate::baseline::Fingerprint>,
    file: &std::path::Path,
    quiet: bool,
) -> Result<(), String> {
    let baseline = crate::baseline::read(file)?;
    let (keep, applied) = crate::baseline::apply(report, prints, &baseline, file);
    let mut flags = keep.iter();
    report
        .diagnostics
        .retain(|_| flags.next().copied().unwrap_or(true));
    let mut flags = keep.iter();
    prints.retain(|_| flags.next().copied().unwrap_or(true));
    report.baselined = applied.matched;
    if !quiet && applied.stale > 0 {
        eprintln!(
            "prodlint: {} of {} baseline entries in {} match no finding any more (fixed or changed); `--write-baseline` rewrites it smaller",
            applied.stale,
            baseline.entries.len(),
            file.display()
        );
    }
    Ok(())
}

/// `--color`, then `--no-color`, then NO_COLOR, then FORCE_COLOR / CLICOLOR_FORCE, then whether
/// stdout is a terminal (no-color.org; an empty variable counts as unset).
fn use_color(choice: ColorChoice, no_color: bool, tty: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let forced = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if no_color || set("NO_COLOR") => false,
        ColorChoice::Auto => forced("FORCE_COLOR") || forced("CLICOLOR_FORCE") || tty,
    }
}

/// The text of one format (`--statistics` included), with the summary when `summary` is set
/// and the format is one for people.
fn rendering(
    report: &crate::engine::Report,
    format: OutputFormat,
    args: &CheckArgs,
    options: &RenderOptions<'_>,
    summary: bool,
) -> String {
    let mut out = if args.statistics {
        statistics(report, format == OutputFormat::Json)
    } else {
        render::render(report, format, options)
    };
    if summary {
        match format {
            OutputFormat::Human if !args.statistics => {
                out.push_str(&render::footer(report, options.color));
                out.push('\n');
            }
            OutputFormat::Human | OutputFormat::Concise => {
                out.push_str(&render::summary(report));
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

fn statistics(report: &crate::engine::Report, json: bool) -> String {
    let rows = render::statistics(report);
    if json {
        let rows: Vec<_> = rows
            .iter()
            .map(|(code, name, count)| serde_json::json!({"code": code, "name": name, "count": count}))
            .collect();
        let mut out = serde_json::to_string_pretty(&rows).unwrap_or_default();
        out.push('\n');
        return out;
    }
    rows.iter()
        .map(|(code, name, count)| format!("{count:>5}  {code:<7} {name}\n"))
        .collect()
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a message.
fn write_stdout(text: &str, code: i32) -> i32 {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
    code
}

fn print_rule(code: &str) -> i32 {
    let registry = Registry::get();
    let Some(index) = registry.find(code) else {
        let near = crate::ruledoc::suggestions(code);
        if near.is_empty() {
            eprintln!("prodlint: no rule `{code}` (see `prodlint rules`)");
        } else {
            let near: Vec<String> = near.iter().map(|s| format!("`{s}`")).collect();
            eprintln!(
                "prodlint: no rule `{code}`; did you mean {}? (see `prodlint rules`)",
                near.join(" or ")
            );
        }
        return 2;
    };
    write_stdout(&rule_doc(index), 0)
}

fn print_all_rules() -> i32 {
    let docs: Vec<String> = (0..Registry::get().rules.len()).map(rule_doc).collect();
    write_stdout(&docs.join(&format!("\n{}\n\n", "-".repeat(80))), 0)
}

/// The full documentation of a rule, from its TOML.
pub fn rule_doc(index: usize) -> String {
    crate::ruledoc::text(index)
}

fn list_rules(prefix: Option<&str>, format: ListFormat) -> i32 {
    let registry = Registry::get();
    let picked: Vec<usize> = match prefix {
        Some(prefix) => registry.select(prefix),
        None => (0..registry.rules.len()).collect(),
    };
    if picked.is_empty() {
        eprintln!(
            "prodlint: no rule code starts with `{}`",
            prefix.unwrap_or_default()
        );
        return 2;
    }
    let rules = picked.iter().map(|&i| &registry.rules[i]);
    match format {
        ListFormat::Json => {
            let rows: Vec<_> = rules
                .map(|r| {
                    let m = &r.meta;
                    serde_json::json!({
                        "code": m.code, "name": m.name, "kind": m.kind.as_str(),
                        "severity": m.severity, "summary": m.summary, "files": m.files,
                        "checklist": m.checklist, "autofix": m.autofix,
                    })
                })
                .collect();
            let mut out = serde_json::to_string_pretty(&rows).unwrap_or_default();
            out.push('\n');
            write_stdout(&out, 0)
        }
        ListFormat::Human => {
            let mut out = String::new();
            for r in rules {
                let m = &r.meta;
                // `as_str`: Severity's Display ignores the width, which broke the columns.
                out.push_str(&format!(
                    "{:<7} {:<34} {:<7} {:<7} {}\n",
                    m.code,
                    m.name,
                    m.kind.as_str(),
                    m.severity.as_str(),
                    m.summary
                ));
            }
            write_stdout(&out, 0)
        }
    }
}

/// The README's rule table, generated from the rules' metadata (a test keeps them in sync).
pub fn rule_table_markdown() -> String {
    let mut out = String::from(
        "| code | name | kind | severity | fix | summary |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for r in &Registry::get().rules {
        let m = &r.meta;
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} |\n",
            m.code,
            m.name,
            m.kind.as_str(),
            m.severity,
            m.autofix.map_or("", |a| a.as_str()),
            m.summary.replace('|', "\\|")
        ));
    }
    out
}
