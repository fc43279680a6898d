//! The lint worker: one thread that runs the engine over the open buffers, off the main loop,
//! so requests and notifications keep being answered while a lint runs.

use super::position::{position, Encoding};
use crate::diagnostic::Severity;
use crate::engine::{lint_with_overlay, LintRequest, Overlay, Report};
use crate::registry::Registry;
use crate::settings::{Overrides, Settings};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// An open buffer as the lint saw it.
#[derive(Clone)]
pub struct Snapshot {
    pub uri: String,
    pub path: PathBuf,
    pub version: i32,
    pub text: Arc<str>,
}

pub struct Job {
    pub docs: Vec<Snapshot>,
    pub settings: Arc<Settings>,
    pub encoding: Encoding,
}

/// One finding, as the client receives it and as code actions and hover read it back.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The LSP `Diagnostic`.
    pub lsp: Value,
    pub rule: usize,
    /// Start and end as (line, character) in the negotiated encoding.
    pub start: (u32, u32),
    pub end: (u32, u32),
}

pub struct Outcome {
    /// Findings of every linted buffer, with the version they were computed from.
    pub docs: Vec<(String, i32, Vec<Finding>)>,
    pub error: Option<String>,
    pub notes: Vec<String>,
    pub elapsed: Duration,
}

/// Starts the worker; it ends when the job channel closes.
pub fn spawn(
    jobs: crossbeam_channel::Receiver<Job>,
    done: crossbeam_channel::Sender<Outcome>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("prodlint-lint".into())
        .spawn(move || {
            for job in jobs {
                let started = Instant::now();
                // A rule that panics on some input must cost one lint, not the server.
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&job)));
                let mut outcome = match result {
                    Ok(outcome) => outcome,
                    Err(_) => Outcome {
                        docs: Vec::new(),
                        error: Some(
                            "internal error while linting (a panic); please report it".into(),
                        ),
                        notes: Vec::new(),
                        elapsed: Duration::ZERO,
                    },
                };
                outcome.elapsed = started.elapsed();
                if done.send(outcome).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// Lints the open buffers with their text in place of the files'.
pub fn run(job: &Job) -> Outcome {
    let overlay: Overlay = job
        .docs
        .iter()
        .map(|d| (d.path.clone(), d.text.as_bytes().to_vec()))
        .collect();
    let request = LintRequest {
        paths: job.docs.iter().map(|d| d.path.clone()).collect(),
        stdin: None,
        jobs: None,
        root: None,
        per_project_config: Some(Overrides::default()),
    };
    match lint_with_overlay(&request, &job.settings, &overlay) {
        Ok(report) => Outcome {
            docs: convert(&report, &job.docs, job.encoding),
            error: None,
            notes: report.notes.clone(),
            elapsed: Duration::ZERO,
        },
        Err(e) => Outcome {
            docs: Vec::new(),
            error: Some(e.to_string()),
            notes: Vec::new(),
            elapsed: Duration::ZERO,
        },
    }
}

/// The report's findings per open buffer; every buffer gets an entry, so a fixed file's
/// findings are cleared.
fn convert(
    report: &Report,
    docs: &[Snapshot],
    encoding: Encoding,
) -> Vec<(String, i32, Vec<Finding>)> {
    let by_path: HashMap<&std::path::Path, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.as_path(), i))
        .collect();
    let mut found: Vec<Vec<Finding>> = vec![Vec::new(); docs.len()];
    let registry = Registry::get();
    for d in &report.diagnostics {
        let file = report.file(d.file);
        let Some(&doc) = by_path.get(file.path.as_path()) else {
            continue;
        };
        // Positions come from the text the engine linted (a BOM already stripped).
        let (start, end) = match &file.source {
            Some(src) => (
                position(&src.text, &src.lines, d.span.start, encoding),
                position(&src.text, &src.lines, d.span.end, encoding),
            ),
            None => ((0, 0), (0, 0)),
        };
        let meta = &registry.rules[d.rule].meta;
        let message = match &d.help {
            Some(help) => format!("{} ({})\nhelp: {help}", d.message, meta.name),
            None => format!("{} ({})", d.message, meta.name),
        };
        let lsp = json!({
            "range": {
                "start": {"line": start.0, "character": start.1},
                "end": {"line": end.0, "character": end.1},
            },
            "severity": lsp_severity(d.severity),
            "code": meta.code,
            "source": "prodlint",
            "message": message,
            "data": {"rule": meta.name},
        });
        found[doc].push(Finding {
            lsp,
            rule: d.rule,
            start,
            end,
        });
    }
    docs.iter()
        .zip(found)
        .map(|(d, f)| (d.uri.clone(), d.version, f))
        .collect()
}

pub fn lsp_severity(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 1,
        Severity::Warning => 2,
        Severity::Info => 3,
    }
}
