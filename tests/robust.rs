//! Regression tests for the fuzzing campaign of issue 15: each reproducer, at a size that made the
//! old code crash, exhaust memory or run for many seconds, must now finish quickly and cleanly.
//! Sizes are bounded so the whole file runs in a few seconds; nothing asserts on time (the run
//! timeout only turns a hang into a failure instead of a stuck CI job).

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A project root (`.git` and an empty `prodlint.toml`) in a temporary folder.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join(".git")).expect(".git");
        std::fs::write(dir.path().join("prodlint.toml"), "").expect("config");
        Project { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> &Project {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(path, bytes).expect("write file");
        self
    }

    fn run(&self, args: &[&str]) -> Outcome {
        self.run_with_stdin(args, None)
    }

    fn run_with_stdin(&self, args: &[&str], stdin: Option<Vec<u8>>) -> Outcome {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_prodlint"));
        cmd.current_dir(self.root())
            .env_remove("PRODLINT_CONFIG")
            .args(args)
            .timeout(Duration::from_secs(60));
        if let Some(bytes) = stdin {
            cmd.write_stdin(bytes);
        }
        let out = cmd.output().expect("run prodlint");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let code = out
            .status
            .code()
            .unwrap_or_else(|| panic!("killed ({:?}) on {args:?}\n{stderr}", out.status));
        assert!(
            !stderr.contains("panicked") && !stderr.contains("memory allocation"),
            "crash on {args:?}:\n{stderr}"
        );
        Outcome {
            code,
            stdout: out.stdout,
            stderr,
        }
    }
}

struct Outcome {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Outcome {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// (path, line, code) of every finding of a JSON run.
    fn findings(&self) -> Vec<(String, u64, String)> {
        let value: Value = serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.text(), self.stderr));
        value
            .as_array()
            .expect("array")
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap_or_default().to_string(),
                    f["line"].as_u64().unwrap_or_default(),
                    f["code"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }
}

// 1. Human output: a column past 65,535 after tab expansion panicked in the snippet renderer,
// and many findings on one long line printed the whole line once per finding.
#[test]
fn human_output_clips_long_lines() {
    let p = Project::new();
    let tabs = "\t".repeat(16_384);
    p.write(
        "Dockerfile",
        format!("FROM python:3.12-slim\nRUN {tabs}pip install flask\nUSER app\nCMD [\"python\"]\n"),
    );
    let out = p.run(&["check", "--output-format", "human", "Dockerfile"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let text = out.text();
    // The finding's header keeps its real position; the line is shown clipped around it.
    assert!(text.contains("[Dockerfile:2:16389]"), "{text}");
    assert!(text.contains("pip install flask"), "{text}");
    assert!(text.len() < 10_000, "{} bytes", text.len());

    // 2,000 findings on one 32 KB line: each shows a window, not the whole line.
    let run = vec!["pip install f"; 2_000].join(" && ");
    p.write(
        "Dockerfile",
        format!("FROM python:3.12-slim\nRUN {run}\nUSER app\nCMD [\"python\"]\n"),
    );
    let out = p.run(&["check", "--output-format", "human", "Dockerfile"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let text = out.text();
    assert!(text.matches("DKR004").count() >= 2_000, "{}", out.stderr);
    // Before: 137 MB. Now about 700 bytes a finding.
    assert!(text.len() < 4_000_000, "{} bytes", text.len());
}

/// Anchors nested in complex mapping keys, ten aliases a level: 10^levels nodes once expanded.
fn alias_bomb(levels: usize) -> String {
    let mut text = String::from("services:\n  api:\n    image: python:3.12\n");
    text.push_str("x-l0: &l0 [a, b, c, d, e, f, g, h, i, j]\n");
    for i in 1..=levels {
        let aliases = vec![format!("*l{}", i - 1); 10].join(", ");
        text.push_str(&format!("x-l{i}: &l{i} {{? [{aliases}]: x}}\n"));
    }
    text
}

// 2. Alias expansion through mapping keys escaped saphyr's budget: 6 levels took 5.8 GB, 7 aborted.
#[test]
fn yaml_alias_bomb_is_a_parse_error() {
    let p = Project::new();
    p.write("compose.yaml", alias_bomb(7));
    p.write(".github/workflows/ci.yml", alias_bomb(7));
    p.write(
        "Dockerfile",
        "FROM python:3.12-slim\nUSER app\nCMD [\"python\"]\n",
    );
    let out = p.run(&["check", "--output-format", "json", "."]);
    let findings = out.findings();
    for path in ["compose.yaml", ".github/workflows/ci.yml"] {
        assert!(
            findings
                .iter()
                .any(|(p, _, code)| p == path && code == "SUP002"),
            "{findings:?}\n{}",
            out.stderr
        );
    }
    // Named alone, the Dockerfile still loads the compose file for project facts.
    let out = p.run(&["check", "--output-format", "json", "Dockerfile"]);
    assert_eq!(out.findings(), vec![], "{}", out.stderr);

    // Ordinary anchors and merge keys still load.
    p.write(
        "compose.yaml",
        "x-base: &b\n  restart: always\nservices:\n  api:\n    <<: *b\n    image: python:3.12\n  \
         worker:\n    <<: [*b]\n    image: python:3.12\n",
    );
    let out = p.run(&["check", "--output-format", "json", "compose.yaml"]);
    assert!(
        !out.findings().iter().any(|(_, _, code)| code == "SUP002"),
        "{:?}",
        out.findings()
    );
}

// 5. Merge keys compared each merged key with every explicit key (a String per comparison):
// 8,000 keys each way took 14 s in a release build.
#[test]
fn yaml_merge_keys_are_linear() {
    let n = 8_000;
    let mut text = String::from("x-base: &b\n");
    text.extend((0..n).map(|i| format!("  k{i}: v\n")));
    text.push_str("services:\n  api:\n    image: python:3.12\n    <<: *b\n    k0: mine\n");
    text.extend((1..n).map(|i| format!("    e{i}: v\n")));
    let p = Project::new();
    p.write("compose.yaml", text);
    let out = p.run(&["check", "--output-format", "json", "compose.yaml"]);
    assert!(
        !out.findings().iter().any(|(_, _, code)| code == "SUP002"),
        "{}",
        out.stderr
    );
}
