//! Fingerprints of findings and the baseline file built from them.
//!
//! A fingerprint names a finding by what it flags, not where: the rule, the trimmed text of the
//! flagged lines and of the nearest non-blank line above and below, and an occurrence index
//! among identical ones in the same file. Lines inserted above, a function moved within its
//! file or a reindented block keep it; editing the flagged line changes it. The same
//! fingerprint goes into SARIF `partialFingerprints` and the GitLab report.
//!
//! The baseline (`check --write-baseline FILE`) lists today's findings; `check --baseline FILE`
//! reports only the findings not in it. Paths in the file are relative to the file's folder,
//! so it works from any working directory.

use crate::engine::{display_path, Report};
use crate::registry::Registry;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Flagged lines hashed at most: a finding spanning a whole function keeps its fingerprint
/// when the body is edited further down.
const SPAN_LINES: usize = 3;
/// How far above and below a finding the neighbourhood line is looked for, so that a file of
/// blank lines is not scanned once per finding.
const NEIGHBOUR_SEARCH: usize = 5;

/// Two fingerprints of one finding: with its neighbourhood (`context`, matched first) and of
/// the flagged text alone (`text`, matched when a neighbour line changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub context: String,
    pub text: String,
}

/// FNV-1a, 64 bits: stable across platforms and Rust versions, unlike `DefaultHasher`; the
/// baseline file must read the same tomorrow.
pub fn hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Whitespace inside a line collapsed to one space, ends trimmed.
fn normalise(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fingerprints of every finding of `report`, in its order.
pub fn fingerprints(report: &Report) -> Vec<Fingerprint> {
    let registry = Registry::get();
    let mut seen: HashMap<(usize, u64, bool), usize> = HashMap::new();
    // Each line is normalised and hashed once: 2,000 findings on one 32 KB line hashed it
    // 2,000 times.
    let mut lines: HashMap<(usize, usize), (u64, bool)> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let code = registry.rules[d.rule].meta.code.as_str();
            let mut parts: Vec<u64> = Vec::with_capacity(SPAN_LINES + 2);
            let mut flagged = 0;
            match &report.file(d.file).source {
                // A finding about a whole file (a missing file, anchored at its start with no
                // width) is about no text of it: lines added at the top must not change it.
                Some(src) if !(d.span.start == 0 && d.span.end == 0) => {
                    let mut line = |n: usize| {
                        *lines.entry((d.file, n)).or_insert_with(|| {
                            let text = normalise(&src.text[src.lines.line_span(&src.text, n)]);
                            (hash(&[&text]), text.is_empty())
                        })
                    };
                    let (first, last, count) = line_range(&src.text, &src.lines, d.span.clone());
                    for n in first..=last.min(first + SPAN_LINES - 1) {
                        parts.push(line(n).0);
                    }
                    flagged = parts.len();
                    let before = (first.saturating_sub(NEIGHBOUR_SEARCH)..first)
                        .rev()
                        .map(&mut line)
                        .find(|(_, blank)| !blank);
                    let after = (last + 1..(last + 1 + NEIGHBOUR_SEARCH).min(count))
                        .map(&mut line)
                        .find(|(_, blank)| !blank);
                    parts.push(before.map_or(0, |(h, _)| h));
                    parts.push(after.map_or(0, |(h, _)| h));
                }
                _ => {}
            }
            let hex: Vec<String> = parts.iter().map(|h| format!("{h:016x}")).collect();
            let mut words: Vec<&str> = vec![code];
            words.extend(hex.iter().map(String::as_str));
            let context = hash(&words);
            let text = hash(&words[..1 + flagged]);
            let mut numbered = |value: u64, with_context: bool| {
                let n = seen.entry((d.file, value, with_context)).or_insert(0);
                *n += 1;
                format!("{value:016x}:{}", *n)
            };
            Fingerprint {
                context: numbered(context, true),
                text: numbered(text, false),
            }
        })
        .collect()
}

/// The 0-based first and last line of a span, and the file's line count.
fn line_range(
    text: &str,
    lines: &crate::source::LineIndex,
    span: crate::source::Span,
) -> (usize, usize, usize) {
    let first = lines.line_of(crate::source::clamp_to_char_boundary(text, span.start));
    let last = lines
        .line_of(crate::source::clamp_to_char_boundary(text, span.end))
        .max(first);
    (first, last, lines.line_count())
}

/// One accepted finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub code: String,
    /// Relative to the baseline file's folder, `/`-separated.
    pub path: String,
    pub fingerprint: String,
    pub text: String,
    /// For the reader of the file; not matched.
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// The format's version: a later prodlint that reads fingerprints differently says so.
    pub prodlint_baseline: u32,
    pub entries: Vec<Entry>,
}

const VERSION: u32 = 1;

/// A finding's path as the baseline at `dir` records it.
fn entry_path(report: &Report, file: usize, dir: &Path) -> String {
    display_path(&report.file(file).path, dir)
}

/// The absolute folder of a baseline file.
fn folder_of(file: &Path) -> PathBuf {
    let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    abs.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Writes every finding of `report` to `file`; returns how many.
pub fn write(report: &Report, prints: &[Fingerprint], file: &Path) -> Result<usize, String> {
    let dir = folder_of(file);
    let entries: Vec<Entry> = report
        .diagnostics
        .iter()
        .zip(prints)
        .map(|(d, p)| Entry {
            code: Registry::get().rules[d.rule].meta.code.clone(),
            path: entry_path(report, d.file, &dir),
            fingerprint: p.context.clone(),
            text: p.text.clone(),
            message: d.message.clone(),
        })
        .collect();
    let n = entries.len();
    let body = BaselineFile {
        prodlint_baseline: VERSION,
        entries,
    };
    let mut json = serde_json::to_string_pretty(&body).map_err(|e| e.to_string())?;
    json.push('\n');
    crate::atomic::write(file, json.as_bytes()).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(n)
}

/// What applying a baseline did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings hidden because the baseline has them.
    pub matched: usize,
    /// Baseline entries for linted (or deleted) files that matched no finding: fixed since.
    pub stale: usize,
}

/// Reads a baseline file.
pub fn read(file: &Path) -> Result<BaselineFile, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let parsed: BaselineFile = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a prodlint baseline: {e}", file.display()))?;
    if parsed.prodlint_baseline != VERSION {
        return Err(format!(
            "{}: baseline format {} (this prodlint reads {VERSION}); write it again with --write-baseline",
            file.display(),
            parsed.prodlint_baseline
        ));
    }
    Ok(parsed)
}

/// Which findings the baseline does not hold (`true` = keep), and what matched.
pub fn apply(
    report: &Report,
    prints: &[Fingerprint],
    baseline: &BaselineFile,
    file: &Path,
) -> (Vec<bool>, Applied) {
    let dir = folder_of(file);
    let mut by_context: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    let mut by_text: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    for (i, e) in baseline.entries.iter().enumerate().rev() {
        let key = (e.code.as_str(), e.path.as_str());
        by_context
            .entry((key.0, key.1, e.fingerprint.as_str()))
            .or_default()
            .push(i);
        by_text
            .entry((key.0, key.1, e.text.as_str()))
            .or_default()
            .push(i);
    }
    let registry = Registry::get();
    let paths: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| entry_path(report, d.file, &dir))
        .collect();
    let mut used = vec![false; baseline.entries.len()];
    let mut keep = vec![true; report.diagnostics.len()];
    // First the exact matches, then the flagged text alone for what is left, so that a
    // finding whose neighbour line changed does not take the entry of an exact one.
    for pass in [true, false] {
        for (i, d) in report.diagnostics.iter().enumerate() {
            if !keep[i] {
                continue;
            }
            let code = registry.rules[d.rule].meta.code.as_str();
            let (map, print) = if pass {
                (&mut by_context, prints[i].context.as_str())
            } else {
                (&mut by_text, prints[i].text.as_str())
            };
            let Some(candidates) = map.get_mut(&(code, paths[i].as_str(), print)) else {
                continue;
            };
            while let Some(entry) = candidates.pop() {
                if !used[entry] {
                    used[entry] = true;
                    keep[i] = false;
                    break;
                }
            }
        }
    }
    let linted: HashSet<String> = report
        .files
        .iter()
        .filter(|f| f.requested)
        .map(|f| display_path(&f.path, &dir))
        .collect();
    let stale = baseline
        .entries
        .iter()
        .zip(&used)
        .filter(|(e, used)| !**used && (linted.contains(&e.path) || !dir.join(&e.path).exists()))
        .count();
    let matched = keep.iter().filter(|k| !**k).count();
    (keep, Applied { matched, stale })
}
