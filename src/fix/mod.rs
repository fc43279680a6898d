//! `check --fix`, `--diff` and `--unsafe-fixes`: the edits rules attach to their findings
//! (`Diagnostic::fix`), chosen per file without overlaps, checked to still parse, written
//! atomically and verified by linting again.
//!
//! A round: lint, plan (the fixes each file takes), write, lint again. A fix that makes a
//! finding the file did not have before is undone. Rounds repeat (at most [`MAX_ROUNDS`]) so a
//! fix skipped because it overlapped another is applied in the next one, and a second `--fix`
//! finds nothing left to do.

mod diff;
mod write;

use crate::diagnostic::{Applicability, Edit};
use crate::engine::{lint, LintError, LintRequest, Report};
use crate::kind::FileKind;
use crate::registry::Registry;
use crate::settings::Settings;
use crate::source::FileId;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

pub use diff::unified_diff;

/// Lint-fix rounds before giving up on fixes that keep making room for more.
pub const MAX_ROUNDS: usize = 4;

/// The fixes one file takes in one round.
#[derive(Debug, Clone)]
pub struct FilePlan {
    pub file: FileId,
    pub path: PathBuf,
    pub display: String,
    pub kind: FileKind,
    /// The text as linted (without a BOM).
    pub old: Arc<str>,
    /// The text with the edits applied.
    pub new: String,
    /// Sorted, non-overlapping.
    pub edits: Vec<Edit>,
    /// The rule of each fix taken (one entry per finding fixed).
    pub rules: Vec<usize>,
}

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The report after the last round: what remains.
    pub report: Option<Report>,
    /// Findings fixed, per rule code.
    pub fixed: BTreeMap<String, usize>,
    /// Files written (display paths).
    pub files: BTreeSet<String>,
    /// Fixes not applied and why (a file that changed meanwhile, a fix undone).
    pub notes: Vec<String>,
}

impl Outcome {
    pub fn fixed_total(&self) -> usize {
        self.fixed.values().sum()
    }
}

/// The fixes of `report` that `--fix` (with `unsafe_fixes`: also `--unsafe-fixes`) applies,
/// one plan per file. A file whose text does not parse, before or after its edits, gets none.
pub fn plan(report: &Report, unsafe_fixes: bool) -> Vec<FilePlan> {
    let minimum = if unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let mut by_file: BTreeMap<FileId, Vec<(usize, &[Edit])>> = BTreeMap::new();
    for d in &report.diagnostics {
        if let Some(fix) = d.fix.as_ref().filter(|f| f.applicability >= minimum) {
            if !fix.edits.is_empty() {
                by_file
                    .entry(d.file)
                    .or_default()
                    .push((d.rule, &fix.edits));
            }
        }
    }
    by_file
        .into_iter()
        .filter_map(|(file, fixes)| plan_file(report, file, fixes))
        .collect()
}

fn plan_file(report: &Report, file: FileId, mut fixes: Vec<(usize, &[Edit])>) -> Option<FilePlan> {
    let entry = report.file(file);
    let source = entry.source.as_ref()?;
    let text: &str = &source.text;
    if !entry.requested || !parses(entry.kind, text) {
        return None;
    }
    // Earliest first; a fix touching an edit already taken waits for the next round.
    fixes.sort_by_key(|(rule, edits)| (edits.iter().map(|e| e.span.start).min(), *rule));
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    let mut seen: BTreeSet<Vec<(usize, usize, &str)>> = BTreeSet::new();
    for (rule, edits) in fixes {
        let key: Vec<_> = edits
            .iter()
            .map(|e| (e.span.start, e.span.end, e.text.as_str()))
            .collect();
        // Two findings with the same fix (one rename resolving both) are fixed once.
        if seen.contains(&key) {
            rules.push(rule);
            continue;
        }
        let valid = edits.iter().all(|e| {
            e.span.start <= e.span.end
                && text.is_char_boundary(e.span.start)
                && text.is_char_boundary(e.span.end)
        });
        if !valid || edits.iter().any(|e| touches(&taken, e)) || overlaps_itself(edits) {
            continue;
        }
        for e in edits {
            taken.insert(e.span.start, e.span.end);
        }
        seen.insert(key);
        rules.push(rule);
    }
    if taken.is_empty() {
        return None;
    }
    let mut edits: Vec<Edit> = seen
        .into_iter()
        .flatten()
        .map(|(start, end, text)| Edit {
            span: start..end,
            text: text.to_string(),
        })
        .collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let new = apply_edits(text, &edits);
    if new == text || !parses(entry.kind, &new) {
        return None;
    }
    Some(FilePlan {
        file,
        path: entry.path.clone(),
        display: entry.display.clone(),
        kind: entry.kind,
        old: source.text.clone(),
        new,
        edits,
        rules,
    })
}

/// Whether `edit` overlaps or touches an edit already taken (two insertions at one offset
/// would have no defined order).
fn touches(taken: &BTreeMap<usize, usize>, edit: &Edit) -> bool {
    taken
        .range(..=edit.span.end)
        .next_back()
        .is_some_and(|(_, &end)| end >= edit.span.start)
}

fn overlaps_itself(edits: &[Edit]) -> bool {
    let mut spans: Vec<_> = edits.iter().map(|e| e.span.clone()).collect();
    spans.sort_by_key(|s| (s.start, s.end));
    spans.windows(2).any(|w| w[0].end > w[1].start)
}

/// `text` with sorted, non-overlapping edits applied.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.text);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether `text` parses as `kind` (kinds prodlint does not fix count as parsing).
pub fn parses(kind: FileKind, text: &str) -> bool {
    match kind {
        FileKind::Python => crate::parse::python::PythonFile::parse(text, false)
            .first_error()
            .is_none(),
        FileKind::Dockerfile => {
            let mut scratch = None;
            let parsed = crate::parse::dockerfile::parse_tolerant(text, &mut scratch).is_ok();
            parsed
        }
        FileKind::Compose
        | FileKind::Workflow
        | FileKind::Action
        | FileKind::Precommit
        | FileKind::PatroniYaml
        | FileKind::PrometheusYaml => crate::parse::yaml::parse(text).is_ok(),
        FileKind::Shell => crate::model::scripts::Script::file(text)
            .unparsed()
            .is_none(),
        _ => true,
    }
}

/// `--diff`: the unified diff of the fixes one round would apply, and how many findings they
/// fix. Nothing is written.
pub fn diff(report: &Report, unsafe_fixes: bool) -> (String, usize) {
    let mut out = String::new();
    let mut count = 0;
    for p in plan(report, unsafe_fixes) {
        out.push_str(&unified_diff(&p.display, &p.old, &p.edits));
        count += p.rules.len();
    }
    (out, count)
}

/// Counts of findings per (file path, rule) in a report: what "nothing new appears" compares.
fn counts(report: &Report) -> BTreeMap<(PathBuf, usize), usize> {
    let mut out = BTreeMap::new();
    for d in &report.diagnostics {
        *out.entry((report.file(d.file).path.clone(), d.rule))
            .or_insert(0) += 1;
    }
    out
}

/// `--fix`: lint, apply, lint again, up to [`MAX_ROUNDS`] times. Returns the last report.
pub fn fix(
    request: &LintRequest,
    settings: &Settings,
    unsafe_fixes: bool,
) -> Result<Outcome, LintError> {
    let registry = Registry::get();
    let mut outcome = Outcome::default();
    // Files not to touch again: they changed meanwhile, or a fix of theirs was undone.
    let mut skipped: BTreeSet<PathBuf> = BTreeSet::new();
    let mut report = lint(request, settings)?;
    for _ in 0..MAX_ROUNDS {
        let plans: Vec<FilePlan> = plan(&report, unsafe_fixes)
            .into_iter()
            .filter(|p| !skipped.contains(&p.path))
            .collect();
        if plans.is_empty() {
            break;
        }
        let mut written = Vec::new();
        for p in plans {
            match write::replace(&p.path, &p.old, &p.new) {
                Ok(()) => written.push(p),
                Err(why) => {
                    outcome
                        .notes
                        .push(format!("{} not fixed: {why}", p.display));
                    skipped.insert(p.path.clone());
                }
            }
        }
        if written.is_empty() {
            break;
        }
        let before = counts(&report);
        let mut after_report = lint(request, settings)?;
        let after = counts(&after_report);
        // A fix that brings a finding its file did not have is undone.
        let mut undone = false;
        for p in &written {
            let grew = after.iter().find(|((path, rule), n)| {
                *path == p.path && **n > before.get(&(path.clone(), *rule)).copied().unwrap_or(0)
            });
            if let Some(((_, rule), _)) = grew {
                let code = &registry.rules[*rule].meta.code;
                let undo = write::replace(&p.path, &p.new, &p.old);
                outcome.notes.push(match undo {
                    Ok(()) => format!(
                        "{}: fixes undone: they would add a {code} finding",
                        p.display
                    ),
                    Err(why) => format!(
                        "{}: fixes would add a {code} finding and could not be undone: {why}",
                        p.display
                    ),
                });
                skipped.insert(p.path.clone());
                undone = true;
                continue;
            }
            outcome.files.insert(p.display.clone());
            for &rule in &p.rules {
                *outcome
                    .fixed
                    .entry(registry.rules[rule].meta.code.clone())
                    .or_insert(0) += 1;
            }
        }
        if undone {
            after_report = lint(request, settings)?;
        }
        report = after_report;
    }
    outcome.report = Some(report);
    Ok(outcome)
}

/// `check --diff`: prints the diff on stdout and a count on stderr; exit 1 when something
/// would change (like ruff), 2 on an error.
pub fn print_diff(request: &LintRequest, settings: &Settings, unsafe_fixes: bool) -> i32 {
    let report = match lint(request, settings) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("prodlint: {err}");
            return 2;
        }
    };
    let (text, count) = diff(&report, unsafe_fixes);
    let mut stdout = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut stdout, text.as_bytes());
    let _ = std::io::Write::flush(&mut stdout);
    if count == 0 {
        eprintln!("prodlint: no fixes to apply");
        0
    } else {
        eprintln!(
            "prodlint: would fix {count} finding{}",
            if count == 1 { "" } else { "s" }
        );
        1
    }
}

/// The stderr summary of `--fix`: what was fixed per rule, and why some fixes were not applied.
pub fn print_outcome(outcome: &Outcome) {
    for note in &outcome.notes {
        eprintln!("prodlint: {}", crate::render::escape_control(note));
    }
    let total = outcome.fixed_total();
    if total == 0 {
        eprintln!("prodlint: nothing fixed");
        return;
    }
    let per_rule: Vec<String> = outcome
        .fixed
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    eprintln!(
        "prodlint: fixed {total} finding{} in {} file{} ({})",
        if total == 1 { "" } else { "s" },
        outcome.files.len(),
        if outcome.files.len() == 1 { "" } else { "s" },
        per_rule.join(", ")
    );
}
