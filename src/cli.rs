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
    /// Print a rule's full documentation.
    Rule {
        /// A rule code (DKR002) or name (runs-as-root).
        code: String,
    },
    /// Run the language server over stdio (for editors; see the README's "Editors").
    Server,
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value = "human")]
        output_format: ListFormat,
    },
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
    /// human on a terminal, concise otherwise.
    #[arg(long, value_enum)]
    pub output_format: Option<OutputFormat>,
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
        Command::Rule { code } => print_rule(&code),
        Command::Rules { output_format } => list_rules(output_format),
        Command::Server => crate::server::run(),
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
    let report = match lint(&request, &settings) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("prodlint: {err}");
            return 2;
        }
    };
    let stdout_tty = std::io::stdout().is_terminal();
    let format = args.output_format.unwrap_or(if stdout_tty {
        OutputFormat::Human
    } else {
        OutputFormat::Concise
    });
    let color =
        stdout_tty && !args.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if !args.quiet {
        for note in &report.notes {
            eprintln!("prodlint: {}", render::escape_control(note));
        }
    }
    let mut out = String::new();
    if args.show_files {
        let json = format == OutputFormat::Json;
        let listing = render::files::render(&report, json);
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(listing.as_bytes())
            .and_then(|_| stdout.flush());
        return 0;
    }
    if args.statistics {
        let rows = render::statistics(&report);
        if format == OutputFormat::Json {
            let rows: Vec<_> = rows
                .iter()
                .map(|(code, name, count)| serde_json::json!({"code": code, "name": name, "count": count}))
                .collect();
            out = serde_json::to_string_pretty(&rows).unwrap_or_default();
            out.push('\n');
        } else {
            for (code, name, count) in rows {
                out.push_str(&format!("{count:>5}  {code:<7} {name}\n"));
            }
        }
    } else {
        out = render::render(&report, format, &RenderOptions { color });
    }
    if !args.quiet && matches!(format, OutputFormat::Human | OutputFormat::Concise) {
        out.push_str(&render::summary(&report));
        out.push('\n');
    }
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        // A closed pipe (`| head`) is not an error worth a message.
        return if report.exceeds(settings.fail_on) {
            1
        } else {
            0
        };
    }
    i32::from(report.exceeds(settings.fail_on))
}

fn print_rule(code: &str) -> i32 {
    let registry = Registry::get();
    let Some(index) = registry.find(code) else {
        eprintln!("prodlint: no rule `{code}` (see `prodlint rules`)");
        return 2;
    };
    print!("{}", rule_doc(index));
    0
}

/// The full documentation of a rule, from its TOML.
pub fn rule_doc(index: usize) -> String {
    let m = &Registry::get().rules[index].meta;
    let mut out = format!(
        "{} {} ({} rule, {})\n\n{}\n\n",
        m.code,
        m.name,
        m.kind.as_str(),
        m.severity,
        m.summary
    );
    let roles: Vec<String> = m
        .roles
        .iter()
        .map(|r| match m.role_severity.get(r) {
            Some(severity) => format!("{} ({severity})", r.name()),
            None => r.name().to_string(),
        })
        .collect();
    out.push_str(&format!(
        "Files: {}\nJudges files of role: {}\nChecklist: {}\n",
        m.files.join(", "),
        roles.join(", "),
        m.checklist
    ));
    if let Some(peers) = &m.peers {
        out.push_str(&format!("Peers: {peers}\n"));
    }
    out.push_str(&format!(
        "Source: {}\n",
        Registry::get().rules[index].source_path()
    ));
    out.push_str(&format!(
        "\n{}\n\nFix: {}\n",
        m.rationale.trim_end(),
        m.fix.trim_end()
    ));
    for ex in &m.examples {
        out.push_str(&format!(
            "\nExample ({}), flagged:\n\n{}\n\nFixed:\n\n{}\n",
            ex.path,
            indent(&ex.bad),
            indent(&ex.good)
        ));
        for other in &ex.with {
            out.push_str(&format!(
                "\nWith {}:\n\n{}\n",
                other.path,
                indent(&other.text)
            ));
        }
    }
    if !m.options.is_empty() {
        out.push_str(&format!("\nOptions ([tool.prodlint.rules.{}]):\n", m.code));
        for o in &m.options {
            out.push_str(&format!(
                "  {} (default {}): {}\n",
                o.name,
                toml_value(&o.default),
                o.doc
            ));
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn list_rules(format: ListFormat) -> i32 {
    let registry = Registry::get();
    match format {
        ListFormat::Json => {
            let rows: Vec<_> = registry
                .rules
                .iter()
                .map(|r| {
                    let m = &r.meta;
                    serde_json::json!({
                        "code": m.code, "name": m.name, "kind": m.kind.as_str(),
                        "severity": m.severity, "summary": m.summary, "files": m.files,
                        "checklist": m.checklist,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            );
        }
        ListFormat::Human => {
            for r in &registry.rules {
                let m = &r.meta;
                // `as_str`: Severity's Display ignores the width, which broke the columns.
                println!(
                    "{:<7} {:<34} {:<7} {:<7} {}",
                    m.code,
                    m.name,
                    m.kind.as_str(),
                    m.severity.as_str(),
                    m.summary
                );
            }
        }
    }
    0
}

fn toml_value(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        other => format!("{other:?}"),
    }
}

/// The README's rule table, generated from the rules' metadata (a test keeps them in sync).
pub fn rule_table_markdown() -> String {
    let mut out = String::from(
        "| code | name | kind | severity | summary |\n| --- | --- | --- | --- | --- |\n",
    );
    for r in &Registry::get().rules {
        let m = &r.meta;
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            m.code,
            m.name,
            m.kind.as_str(),
            m.severity,
            m.summary.replace('|', "\\|")
        ));
    }
    out
}
