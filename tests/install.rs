//! The ways a team installs and runs prodlint: the pre-commit hooks of
//! `.pre-commit-hooks.yaml`, the composite GitHub Action of `action.yml` and the workflow in
//! `docs/github-workflow.yml`. These run the built binary the way pre-commit and the runner
//! do, with nothing from the network; `pre_commit_try_repo` (ignored by default) runs the real
//! pre-commit, which it installs from PyPI.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect(rel)
}

/// A folder holding the built binary, for PATH.
fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_prodlint"))
        .parent()
        .expect("bin dir")
        .to_path_buf()
}

fn path_with_binary() -> String {
    let old = std::env::var("PATH").unwrap_or_default();
    format!("{}:{old}", bin_dir().display())
}

/// A scratch project: a Dockerfile that runs as root, a clean compose file, a README.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect(".git");
    std::fs::write(root.join("prodlint.toml"), "").expect("config");
    std::fs::write(root.join("Dockerfile"), "FROM python\nCMD python app.py\n").expect("write");
    std::fs::write(root.join("README.md"), "# scratch\n").expect("write");
    dir
}

/// One hook's `key: value` lines from `.pre-commit-hooks.yaml` (the file is a flat list).
fn hook(id: &str) -> Vec<(String, String)> {
    let text = repo_file(".pre-commit-hooks.yaml");
    let start = text.find(&format!("- id: {id}\n")).expect("hook");
    text[start + 2..]
        .lines()
        .take_while(|l| !l.starts_with("- ") && !l.trim().is_empty())
        .filter_map(|l| l.trim().split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn value<'a>(hook: &'a [(String, String)], key: &str) -> &'a str {
    hook.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn both_hooks_run_prodlint_check_on_the_staged_files() {
    let built = hook("prodlint");
    let system = hook("prodlint-system");
    assert_eq!(value(&built, "language"), "rust");
    assert_eq!(value(&system, "language"), "system");
    for h in [&built, &system] {
        assert_eq!(value(h, "entry"), "prodlint check");
        assert_eq!(value(h, "types"), "[text]");
        assert_eq!(value(h, "require_serial"), "true");
    }
    // What pre-commit runs: the entry's words, then the staged file names (a file prodlint
    // does not know is passed too, and skipped).
    let dir = scratch();
    let entry: Vec<&str> = value(&system, "entry").split(' ').collect();
    let out = Command::new(entry[0])
        .args(&entry[1..])
        .args(["Dockerfile", "README.md"])
        .current_dir(dir.path())
        .env("PATH", path_with_binary())
        .output()
        .expect("run the hook's entry");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("Dockerfile:1:1: DKR002 [error]"),
        "{stdout}"
    );
    // With the findings in a baseline named by the config, the same commit passes.
    let status = Command::new(env!("CARGO_BIN_EXE_prodlint"))
        .args(["check", "--write-baseline", "prodlint-baseline.json", "."])
        .current_dir(dir.path())
        .status()
        .expect("write baseline");
    assert!(status.success());
    std::fs::write(
        dir.path().join("prodlint.toml"),
        "baseline = \"prodlint-baseline.json\"\n",
    )
    .expect("config");
    let out = Command::new(entry[0])
        .args(&entry[1..])
        .args(["Dockerfile", "README.md"])
        .current_dir(dir.path())
        .env("PATH", path_with_binary())
        .output()
        .expect("run the hook's entry");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The `run:` script of the action step named `name`, unindented.
fn action_script(name: &str) -> String {
    let text = repo_file("action.yml");
    let step = text.find(&format!("- name: {name}\n")).expect("step");
    let run = step + text[step..].find("run: |\n").expect("run") + "run: |\n".len();
    let mut script = String::new();
    for line in text[run..].lines() {
        if !line.is_empty() && !line.starts_with("        ") {
            break;
        }
        script.push_str(line.get(8..).unwrap_or(""));
        script.push('\n');
    }
    script
}

fn run_action(dir: &Path, paths: &str, args: &str, sarif: &str) -> std::process::Output {
    Command::new("bash")
        .args(["-c", &action_script("Run prodlint")])
        .current_dir(dir)
        .env("PATH", path_with_binary())
        .env("GITHUB_ACTIONS", "true")
        .env("PRODLINT_PATHS", paths)
        .env("PRODLINT_ARGS", args)
        .env("SARIF_FILE", sarif)
        .output()
        .expect("bash")
}

#[test]
fn the_action_annotates_and_writes_sarif() {
    let dir = scratch();
    let out = run_action(dir.path(), ".", "", "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("::")).count(),
        3,
        "{stdout}"
    );
    assert!(
        stdout.contains("::error file=Dockerfile,line=1,col=1"),
        "{stdout}"
    );
    // SARIF to a file, annotations in the log, extra arguments passed through.
    let out = run_action(
        dir.path(),
        "Dockerfile",
        "--fail-on error --select DKR002",
        "out.sarif",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("::error file=Dockerfile"))
            .count(),
        1,
        "{stdout}"
    );
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out.sarif")).expect("sarif"),
    )
    .expect("json");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "DKR002");
}

#[test]
fn the_action_and_the_documented_workflow_pass_prodlint() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).expect(".git");
    std::fs::create_dir_all(root.join(".github/workflows")).expect("workflows");
    std::fs::write(root.join("prodlint.toml"), "").expect("config");
    std::fs::write(root.join("action.yml"), repo_file("action.yml")).expect("action");
    // The placeholder of the documented workflow, given a commit SHA as a user would.
    let workflow = repo_file("docs/github-workflow.yml").replace(
        "OWNER/prodlint@REF",
        "OWNER/prodlint@0123456789abcdef0123456789abcdef01234567",
    );
    std::fs::write(root.join(".github/workflows/prodlint.yml"), workflow).expect("workflow");
    let out = Command::new(env!("CARGO_BIN_EXE_prodlint"))
        .args(["check", "--output-format", "concise", "."])
        .current_dir(root)
        .output()
        .expect("prodlint");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("No findings in 2 files."), "{stdout}");
}

/// Runs the real pre-commit (`pre-commit try-repo` with this repository and the
/// `prodlint-system` hook) on a scratch git repository. Needs `pre-commit` on PATH (pip
/// install pre-commit, from PyPI), hence ignored by default:
/// `cargo test --test install -- --ignored`.
#[test]
#[ignore = "needs pre-commit from PyPI"]
fn pre_commit_try_repo() {
    let dir = scratch();
    let root = dir.path();
    std::fs::remove_dir(root.join(".git")).expect("rm");
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(root)
            .status()
            .expect("git");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    let out = Command::new("pre-commit")
        .args([
            "try-repo",
            env!("CARGO_MANIFEST_DIR"),
            "prodlint-system",
            "--all-files",
        ])
        .current_dir(root)
        .env("PATH", path_with_binary())
        .output()
        .expect("pre-commit on PATH");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("prodlint (installed)"), "{stdout}");
    assert!(
        stdout.contains("Dockerfile:1:1: DKR002 [error]"),
        "{stdout}"
    );
}
