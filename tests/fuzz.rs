//! A seeded mutation fuzzer over the fixtures: each case takes a fixture file, mutates its bytes
//! (flip, insert, delete, duplicate a slice, splice in a hostile token), writes it under its own
//! name (so its file kind is kept) in a scratch project and lints it through the library. Every
//! case must finish without a panic within 10 s, every finding must point inside the file, and
//! the same bytes given on stdin must give the same findings.
//!
//! CI runs 800 cases (a few seconds). For a long run:
//!
//! ```text
//! PRODLINT_FUZZ_CASES=200000 PRODLINT_FUZZ_SEED=$RANDOM cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! A failure prints its seed and case number, and writes the input to `target/fuzz-failure`:
//! turn it into a fixture under `fixtures/hostile/`.

use prodlint::engine::{lint, LintRequest};
use prodlint::settings::{Overrides, Settings};
use std::path::{Path, PathBuf};

/// xorshift64*: small, seeded, the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that parsers and rules treat specially.
const TOKENS: &[&str] = &[
    "\0",
    "\u{feff}",
    "\r",
    "\t",
    "\n",
    "\"",
    "'",
    "`",
    "\\",
    "${",
    "${{",
    "}}",
    "$(",
    ")",
    "<<",
    "<<-EOF\n",
    "|",
    "&&",
    ";",
    "#",
    " # prodlint: ignore[",
    "]",
    "&a ",
    "*a",
    "<<: *a",
    "? ",
    "[",
    "{",
    "- ",
    ": ",
    "---\n",
    "\u{e9}",
    "\u{1f600}",
    "\u{1b}[31m",
    "\u{ff}",
    "RUN ",
    "FROM ",
    "@app.get('/')\n",
    "async def f(",
    "import ",
    "\\\n",
];

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            fixture_files(&path, out);
        } else if path.metadata().is_ok_and(|m| m.len() <= 16 * 1024) {
            out.push(path);
        }
    }
}

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if at < bytes.len() => bytes[at] ^= 1 << rng.below(8),
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                // `\xff` in the table is the char U+00FF; make one token a raw invalid byte.
                let token: &[u8] = if token == "\u{ff}".as_bytes() {
                    b"\xff"
                } else {
                    token
                };
                bytes.splice(at..at, token.iter().copied());
            }
            2 if at < bytes.len() => {
                let end = (at + 1 + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 if at < bytes.len() => {
                // Repeat a slice: the shape of most super-linear inputs.
                let end = (at + 1 + rng.below(16)).min(bytes.len());
                let slice = bytes[at..end].to_vec();
                for _ in 0..1 + rng.below(200) {
                    bytes.splice(at..at, slice.iter().copied());
                }
            }
            4 => {
                let n = rng.below(300);
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes().repeat(n);
                bytes.splice(at..at, token);
            }
            _ => {
                let line = b"\n".repeat(1 + rng.below(3));
                bytes.splice(at..at, line);
            }
        }
    }
}

/// No input under the size limit may take longer (the issue's bound; debug builds included).
const MAX_CASE_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// The same bytes given on stdin under the file's name must give the same findings.
fn stdin_differs(
    request: &LintRequest,
    settings: &Settings,
    from_file: &prodlint::engine::Report,
    bytes: &[u8],
) -> Option<String> {
    let path = request.paths.first()?.clone();
    // As the command line builds it: the stdin name is also the path asked for.
    let by_stdin = LintRequest {
        paths: vec![path.clone()],
        stdin: Some((path, bytes.to_vec())),
        jobs: Some(1),
        root: request.root.clone(),
        per_project_config: None,
    };
    let findings = |r: &prodlint::engine::Report| -> Vec<(usize, usize, usize)> {
        r.diagnostics
            .iter()
            .map(|d| (d.rule, d.span.start, d.span.end))
            .collect()
    };
    // The shell parser's bound is a time budget (tree-sitter-bash's error recovery gives no
    // count that grows with its work): on a loaded machine one run may hit it and the other
    // not. That is the one difference allowed.
    let timed_out = |r: &prodlint::engine::Report| {
        r.diagnostics.iter().any(|d| {
            d.message
                .starts_with("shell script not parsed: the parser ran out of time")
        })
    };
    match std::panic::catch_unwind(|| lint(&by_stdin, settings)) {
        Err(_) => Some("panic on stdin".to_string()),
        Ok(Err(e)) => Some(format!("lint error on stdin: {e}")),
        Ok(Ok(r)) if timed_out(&r) || timed_out(from_file) => None,
        Ok(Ok(r)) if findings(&r) != findings(from_file) => Some(format!(
            "stdin gives {:?}, the file {:?}",
            findings(&r),
            findings(from_file)
        )),
        Ok(Ok(_)) => None,
    }
}

#[test]
fn fuzz_fixtures() {
    let cases: usize = std::env::var("PRODLINT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(800);
    let seed: u64 = std::env::var("PRODLINT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_F00D);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut corpus = Vec::new();
    fixture_files(&manifest.join("fixtures"), &mut corpus);
    corpus.retain(|p| p.file_name().is_some_and(|n| n != "prodlint.toml"));
    assert!(!corpus.is_empty(), "no fixtures found");

    let scratch = tempfile::tempdir().expect("temp dir");
    let root = scratch.path();
    std::fs::create_dir(root.join(".git")).expect(".git");
    std::fs::write(root.join("prodlint.toml"), "").expect("config");
    let settings = Settings::load(None, root, &Overrides::default()).expect("settings");
    let mut rng = Rng(seed | 1);
    for case in 0..cases {
        let source = &corpus[rng.below(corpus.len())];
        let mut bytes = std::fs::read(source).expect("fixture");
        mutate(&mut rng, &mut bytes);
        let name = source.file_name().expect("name");
        // Workflows are recognised by their folder.
        let rel = if source.to_string_lossy().contains(".github/workflows") {
            Path::new(".github/workflows").join(name)
        } else {
            PathBuf::from(name)
        };
        let path = root.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("folders");
        }
        std::fs::write(&path, &bytes).expect("write case");
        let request = LintRequest {
            paths: vec![path.clone()],
            stdin: None,
            jobs: Some(1),
            root: Some(root.to_path_buf()),
            per_project_config: None,
        };
        let started = std::time::Instant::now();
        let outcome = std::panic::catch_unwind(|| lint(&request, &settings));
        let took = started.elapsed();
        let failure = match &outcome {
            Err(_) => Some("panic".to_string()),
            Ok(Err(e)) => Some(format!("lint error: {e}")),
            Ok(Ok(report)) => report
                .diagnostics
                .iter()
                .find_map(|d| {
                    let len = report.file(d.file).source.as_ref()?.text.len();
                    (d.span.start > d.span.end || d.span.end > len)
                        .then(|| format!("finding outside its file: {:?} in {len} bytes", d.span))
                })
                .or_else(|| {
                    (took > MAX_CASE_TIME)
                        .then(|| format!("took {took:?} (limit {MAX_CASE_TIME:?})"))
                })
                .or_else(|| stdin_differs(&request, &settings, report, &bytes)),
        };
        if let Some(why) = failure {
            let keep = manifest.join("target/fuzz-failure");
            let _ = std::fs::create_dir_all(&keep);
            let _ = std::fs::write(keep.join(name), &bytes);
            panic!(
                "case {case} (seed {seed}) from {}: {why}; input kept in {}",
                source.display(),
                keep.display()
            );
        }
        let _ = std::fs::remove_file(&path);
        if case % 5000 == 4999 {
            // Progress for long runs (`-- --nocapture`).
            eprintln!("fuzz: {} cases, seed {seed}", case + 1);
        }
    }
}

/// Every input the fuzzer ever broke the linter with, kept in `fixtures/hostile/`: each must
/// now lint without a panic, alone in a scratch project under its own name.
#[test]
fn former_fuzzer_failures_lint_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hostile");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/hostile")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no kept fuzzer inputs");
    for input in inputs {
        let scratch = tempfile::tempdir().expect("temp dir");
        let root = scratch.path();
        std::fs::create_dir(root.join(".git")).expect(".git");
        // `fuzz-<seed>-<case>.<kind>`: the extension names the file kind it was found as.
        let name = match input.extension().and_then(|e| e.to_str()) {
            Some("env") => "production.env".to_string(),
            Some(ext) => format!("case.{ext}"),
            None => "Dockerfile".to_string(),
        };
        let path = root.join(&name);
        std::fs::copy(&input, &path).expect("copy input");
        let settings = Settings::load(None, root, &Overrides::default()).expect("settings");
        let request = LintRequest {
            paths: vec![path],
            stdin: None,
            jobs: Some(1),
            root: Some(root.to_path_buf()),
            per_project_config: None,
        };
        let outcome = std::panic::catch_unwind(|| lint(&request, &settings));
        assert!(
            matches!(outcome, Ok(Ok(_))),
            "{} no longer lints cleanly",
            input.display()
        );
    }
}
