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
    let out = p.run(&[
        "check",
        "--fail-on",
        "info",
        "--output-format",
        "human",
        "Dockerfile",
    ]);
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
    let out = p.run(&[
        "check",
        "--fail-on",
        "info",
        "--output-format",
        "human",
        "Dockerfile",
    ]);
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

/// Makes a FIFO; false where `mkfifo` is missing.
fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

// 3. Config candidates were read without checks: a committed `pyproject.toml -> /dev/zero`
// allocated until memory ran out, a FIFO blocked, `--config` on a folder said `:1:1:`.
#[cfg(unix)]
#[test]
fn config_candidates_must_be_small_regular_files() {
    const ROOTY: &str = "FROM python\nCMD python app.py\n";
    for target in ["/dev/zero", "fifo"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir(root.join(".git")).expect(".git");
        std::fs::write(root.join("Dockerfile"), ROOTY).expect("Dockerfile");
        if target == "fifo" {
            if !mkfifo(&root.join("pyproject.toml")) {
                continue;
            }
        } else {
            std::os::unix::fs::symlink(target, root.join("pyproject.toml")).expect("symlink");
        }
        let out = Command::new(env!("CARGO_BIN_EXE_prodlint"))
            .current_dir(root)
            .args(["check", "--output-format", "concise", "."])
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run");
        // Linted with the defaults: the candidate is passed over like a missing file.
        assert_eq!(out.status.code(), Some(1), "{target}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Dockerfile:1:1: DKR002"), "{target}: {text}");
    }

    let p = Project::new();
    p.write("Dockerfile", ROOTY);
    std::fs::create_dir(p.path("folder")).expect("folder");
    let fifo = mkfifo(&p.path("fifo.toml"));
    let mut cases = vec![
        ("folder", "a folder, not a file"),
        ("/dev/zero", "not a regular file"),
    ];
    if fifo {
        cases.push(("fifo.toml", "not a regular file"));
    }
    for (config, why) in cases {
        let out = p.run(&["check", "--config", config, "Dockerfile"]);
        assert_eq!(out.code, 2, "{config}: {}", out.stderr);
        assert!(out.stderr.contains(why), "{config}: {}", out.stderr);
        assert!(!out.stderr.contains(":1:1:"), "{config}: {}", out.stderr);
    }
    // A config file too big to be one.
    p.write("big.toml", format!("# {}\n", "x".repeat(2 * 1024 * 1024)));
    let out = p.run(&["check", "--config", "big.toml", "Dockerfile"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("larger than"), "{}", out.stderr);
}

// 11. The config search went on above the project root, up to `/`.
#[test]
fn config_is_not_searched_above_the_project_root() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outer = dir.path();
    std::fs::write(
        outer.join("pyproject.toml"),
        "[tool.prodlint]\nignore = [\"DKR002\"]\n",
    )
    .expect("outer config");
    let repo = outer.join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect(".git");
    std::fs::create_dir_all(repo.join("app")).expect("app");
    std::fs::write(
        repo.join("app/Dockerfile"),
        "FROM python\nCMD python app.py\n",
    )
    .expect("Dockerfile");
    for (cwd, arg) in [
        (&repo, "."),
        (&repo, "app/Dockerfile"),
        (&outer.to_path_buf(), "repo"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_prodlint"))
            .current_dir(cwd)
            .args(["check", "--output-format", "concise", arg])
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Dockerfile:1:1: DKR002"), "{arg}: {text}");
    }
    // Inside the root, a pyproject.toml above the linted folder still configures it.
    std::fs::write(
        repo.join("pyproject.toml"),
        "[tool.prodlint]\nignore = [\"DKR002\"]\n",
    )
    .expect("config");
    let out = Command::new(env!("CARGO_BIN_EXE_prodlint"))
        .current_dir(repo.join("app"))
        .args(["check", "--output-format", "concise", "Dockerfile"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("DKR002"));
}

// 4. tree-sitter-bash's error recovery is super-linear on unbalanced input: `echo` and 40 KB of
// `)` took 8 s (38 s on a loaded machine), also inside workflow `run:` blocks. The parse is
// bounded and what was not parsed is a SUP002.
#[test]
fn shell_parser_work_is_bounded_and_reported() {
    let p = Project::new();
    p.write("deploy.sh", format!("echo {}\n", ")".repeat(40_000)));
    p.write("lt.sh", format!("echo {}\n", "${".repeat(20_000)));
    let bad = ")".repeat(30_000);
    let steps: String = (0..4)
        .map(|_| format!("      - run: |\n          echo {bad}\n"))
        .collect();
    p.write(
        ".github/workflows/ci.yml",
        format!(
            "on: push\npermissions: {{}}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    \
             steps:\n      - run: echo ok\n{steps}"
        ),
    );
    // An ordinary script beside them still parses and is linted.
    p.write("ok.sh", "#!/bin/sh\nset -eu\necho ready\n");
    let out = p.run(&["check", "--output-format", "json", "."]);
    let findings = out.findings();
    for (path, line) in [
        ("deploy.sh", 1),
        ("lt.sh", 1),
        (".github/workflows/ci.yml", 9),
    ] {
        assert!(
            findings.contains(&(path.to_string(), line, "SUP002".to_string())),
            "{path}: {findings:?}\n{}",
            out.stderr
        );
    }
    assert!(
        !findings.iter().any(|(p, _, _)| p == "ok.sh"),
        "{findings:?}"
    );
}

/// How many findings of `code` a JSON run reported.
fn count(out: &Outcome, code: &str) -> usize {
    out.findings().iter().filter(|(_, _, c)| c == code).count()
}

// 6. Suppression comments: the rest of the line was rescanned at every ` #` (800 KB: 47 s).
#[test]
fn suppression_scan_is_linear() {
    let p = Project::new();
    let hashes = " #".repeat(400_000);
    p.write(
        "Dockerfile",
        format!("FROM python\n#{hashes}\nCMD [\"python\"]\n"),
    );
    let out = p.run(&["check", "--output-format", "json", "Dockerfile"]);
    assert_eq!(count(&out, "DKR002"), 1, "{}", out.stderr);
    // A directive at the end of such a line is still read.
    p.write(
        "Dockerfile",
        format!("# {hashes} # prodlint: ignore[DKR002]\nFROM python\nCMD [\"python\"]\n"),
    );
    let out = p.run(&["check", "--output-format", "json", "Dockerfile"]);
    assert_eq!(count(&out, "DKR002"), 0, "{:?}", out.findings());
}

// 7. Dotenv: an unterminated quote was searched for from its start after every line (800 KB:
// 7.4 s, 1.6 MB: 95 s).
#[test]
fn dotenv_unterminated_quote_is_linear() {
    let p = Project::new();
    p.write(".env", format!("A=\"\n{}", "xxxxxxx\n".repeat(100_000)));
    let out = p.run(&["check", "--output-format", "json", ".env"]);
    assert_eq!(
        out.findings(),
        vec![(".env".to_string(), 1, "SUP002".to_string())],
        "{}",
        out.stderr
    );
}

// 8. GHA009 walked the whole job for every script, GHA005/GHA010 every script of the job for
// every `docker-compose up`: a job of 2,000 steps took 6 s, 10,000 steps minutes.
#[test]
fn workflow_rules_are_linear_in_steps() {
    let p = Project::new();
    let steps: String = (0..5_000)
        .map(|i| format!("      - run: docker-compose up -d s{i}\n"))
        .collect();
    p.write(
        ".github/workflows/ci.yml",
        format!(
            "on: push\npermissions: {{}}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    \
             steps:\n{steps}"
        ),
    );
    let out = p.run(&["check", "--output-format", "json", "."]);
    assert_eq!(count(&out, "GHA009"), 5_000, "{}", out.stderr);
}

// 9. Per-handler and per-service linear searches: route handlers found by a scan of every
// function, compose services merged and looked up by scans (20k services: 20 s).
#[test]
fn many_routes_and_services_are_linear() {
    let p = Project::new();
    let services: String = (0..10_000)
        .map(|i| {
            format!(
                "  s{i}:\n    image: redis:7\n    restart: always\n    depends_on: [s{}]\n",
                i.max(1) - 1
            )
        })
        .collect();
    p.write("compose.yaml", format!("services:\n{services}"));
    let routes: String = (0..10_000)
        .map(|i| format!("@app.post('/r{i}')\nasync def r{i}(x: dict):\n    return {{}}\n\n"))
        .collect();
    p.write(
        "app/main.py",
        format!("from fastapi import FastAPI\napp = FastAPI()\n\n{routes}"),
    );
    let out = p.run(&["check", "--output-format", "json", "."]);
    // Every service runs Redis without a healthcheck (HA003); every route takes a bare dict.
    assert_eq!(count(&out, "HA003"), 10_000, "{}", out.stderr);
    assert_eq!(count(&out, "API008"), 10_000, "{}", out.stderr);
}

// 10. A symlink named on the command line was followed outside the repository: a line of the
// outside file in a parse error, a finding about an outside `.env`, an outside folder walked.
#[cfg(unix)]
#[test]
fn named_links_leading_outside_the_root_are_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(outside.join("dir")).expect("outside");
    std::fs::write(outside.join("secret"), "root:x:0:0:SECRET-LINE\n").expect("secret");
    std::fs::write(outside.join(".env"), "PASSWORD=hunter2-SECRET\n").expect(".env");
    std::fs::write(outside.join("dir/Dockerfile"), "FROM python\n").expect("Dockerfile");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect(".git");
    std::fs::write(repo.join("prodlint.toml"), "").expect("config");
    std::fs::write(repo.join("real.Dockerfile"), "FROM python\n").expect("inside");
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, repo.join(name)).expect("symlink");
    };
    link("../outside/secret", "Dockerfile");
    link("../outside/.env", ".env");
    link("../outside/dir", "linked");
    link("real.Dockerfile", "inside.Dockerfile");
    let out = Command::new(env!("CARGO_BIN_EXE_prodlint"))
        .current_dir(&repo)
        .args(["check", "--output-format", "json"])
        .args(["Dockerfile", ".env", "linked", "inside.Dockerfile"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains("SECRET"), "{stdout}");
    for name in ["Dockerfile", ".env", "linked"] {
        assert!(
            stderr.contains(&format!(
                "skipped {name}: it leads outside the project root"
            )),
            "{name}: {stderr}"
        );
    }
    // Only the link that stays inside is linted.
    let findings: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let paths: std::collections::BTreeSet<&str> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(
        paths.into_iter().collect::<Vec<_>>(),
        vec!["inside.Dockerfile"],
        "{stdout}"
    );
}

/// Lints `paths` (and stdin) through the library, from the current directory.
fn lint_lib(
    paths: Vec<PathBuf>,
    stdin: Option<(PathBuf, Vec<u8>)>,
    jobs: Option<usize>,
) -> prodlint::engine::Report {
    use prodlint::settings::{Overrides, Settings};
    let settings = Settings::load(None, &paths[0], &Overrides::default()).expect("settings");
    let request = prodlint::engine::LintRequest {
        paths,
        stdin,
        jobs,
        root: None,
        per_project_config: None,
    };
    prodlint::engine::lint(&request, &settings).expect("lint")
}

// 12. A file outside any marked project made its folder the root and walked everything below
// (`--stdin-filename /usr/Dockerfile -`: 14k folders; from `/`, the whole filesystem).
#[test]
fn unmarked_folder_is_not_walked_below() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("loose");
    std::fs::create_dir_all(folder.join("sub/deep")).expect("folders");
    std::fs::write(folder.join("sub/deep/Dockerfile"), "FROM python\n").expect("deep");
    std::fs::write(folder.join("compose.yaml"), "services: {}\n").expect("beside");
    let named = folder.join("Dockerfile");
    let report = lint_lib(
        vec![named.clone()],
        Some((named, b"FROM python:3.12-slim\nUSER app\n".to_vec())),
        Some(1),
    );
    let shown: Vec<&str> = report.files.iter().map(|f| f.display.as_str()).collect();
    assert!(
        shown.iter().any(|s| s.ends_with("loose/compose.yaml")),
        "{shown:?}"
    );
    assert!(!shown.iter().any(|s| s.contains("sub/")), "{shown:?}");
}

// 12b. Without a marker, a named file's project was the current directory when the file was
// under it: `cd / && prodlint check /tmp/x/a.py` made `/` the root, and the facts of one file
// depended on where it was linted from. The root is the file's own folder, from anywhere.
#[test]
fn unmarked_file_is_its_own_folders_project() {
    use prodlint::discover::project_root;
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("loose");
    std::fs::create_dir_all(folder.join("sub/deeper")).expect("folders");
    let file = folder.join("sub/Dockerfile");
    std::fs::write(&file, "FROM python\n").expect("named");
    assert_eq!(project_root(&file), folder.join("sub"));
    assert_eq!(project_root(&folder), folder);
    // A pyproject.toml with our section above is the project, when nothing else marks one.
    std::fs::write(folder.join("pyproject.toml"), "[tool.prodlint]\n").expect("config");
    assert_eq!(project_root(&file), folder);
    // A plain pyproject.toml is not.
    std::fs::write(
        folder.join("sub/deeper/pyproject.toml"),
        "[project]\nname = 'x'\n",
    )
    .expect("plain");
    assert_eq!(project_root(&folder.join("sub/deeper/a.py")), folder);
    // .git or prodlint.toml wins over a configured pyproject.toml below it.
    std::fs::write(dir.path().join("prodlint.toml"), "").expect("marker");
    assert_eq!(project_root(&file), dir.path());
}

// 13. De-duplication keyed on the displayed path: `x\xff/Dockerfile` and `x\xfe/Dockerfile` both
// show as `x\u{fffd}/Dockerfile`, and one finding vanished.
#[cfg(target_os = "linux")]
#[test]
fn names_that_display_alike_keep_their_findings() {
    use std::os::unix::ffi::OsStrExt;
    let p = Project::new();
    for name in [&b"x\xff"[..], &b"x\xfe"[..]] {
        let folder = p.root().join(std::ffi::OsStr::from_bytes(name));
        std::fs::create_dir(&folder).expect("folder");
        std::fs::write(folder.join("Dockerfile"), "FROM python\n").expect("Dockerfile");
    }
    let out = p.run(&["check", "--output-format", "json", "."]);
    assert_eq!(count(&out, "DKR002"), 2, "{}", out.text());
}

// 14. `--jobs` was unbounded: `--jobs 20000` started 20,000 threads. It is capped at the number
// of processors, and the output does not depend on it.
#[test]
fn jobs_are_capped() {
    let p = Project::new();
    p.write("Dockerfile", "FROM python\n");
    let one = p.run(&["check", "--output-format", "json", "--jobs", "1", "."]);
    let many = p.run(&["check", "--output-format", "json", "--jobs", "100000", "."]);
    assert_eq!(one.stdout, many.stdout);
    assert_eq!(count(&many, "DKR002"), 1);
}

// 15. Invalid UTF-8 from stdin was linted lossily while the same bytes in a file gave SUP002,
// and `max-file-size` did not apply to stdin.
#[test]
fn stdin_and_file_agree() {
    let p = Project::new();
    let bytes = b"FROM python:3.12-slim\nLABEL author=\"Jos\xe9\"\nUSER app\n".to_vec();
    p.write("Dockerfile", &bytes);
    let file = p.run(&["check", "--output-format", "json", "Dockerfile"]);
    let stdin = p.run_with_stdin(
        &[
            "check",
            "--output-format",
            "json",
            "--stdin-filename",
            "Dockerfile",
            "-",
        ],
        Some(bytes),
    );
    assert_eq!(
        file.findings(),
        vec![("Dockerfile".to_string(), 2, "SUP002".to_string())]
    );
    assert_eq!(file.stdout, stdin.stdout);

    p.write("prodlint.toml", "max-file-size = 100\n");
    let big = format!("FROM python\n# {}\n", "x".repeat(200));
    p.write("Dockerfile", &big);
    let file = p.run(&["check", "--output-format", "json", "Dockerfile"]);
    let stdin = p.run_with_stdin(
        &[
            "check",
            "--output-format",
            "json",
            "--stdin-filename",
            "Dockerfile",
            "-",
        ],
        Some(big.into_bytes()),
    );
    for out in [&file, &stdin] {
        assert_eq!((out.code, out.findings()), (0, vec![]), "{}", out.stderr);
        assert!(out.stderr.contains("max-file-size"), "{}", out.stderr);
    }
}

// 16. `--stdin-filename` naming a folder was silently ignored; an unreadable named folder
// exited 0 with a note; a path under a non-searchable folder was "no such file".
#[test]
fn named_paths_that_cannot_be_read_fail_clearly() {
    let p = Project::new();
    std::fs::create_dir(p.path("folder")).expect("folder");
    let out = p.run_with_stdin(
        &["check", "--stdin-filename", "folder", "-"],
        Some(b"FROM python\n".to_vec()),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("names a folder"), "{}", out.stderr);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.write("locked/Dockerfile", "FROM python\n");
        let locked = p.path("locked");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        // Root ignores permissions: nothing to test then.
        let enforced = std::fs::read_dir(&locked).is_err();
        if enforced {
            let out = p.run(&["check", "locked"]);
            assert_eq!(out.code, 2, "{}", out.stderr);
            assert!(
                out.stderr.contains("cannot read the folder"),
                "{}",
                out.stderr
            );
            let out = p.run(&["check", "locked/Dockerfile"]);
            assert_eq!(out.code, 2, "{}", out.stderr);
            assert!(out.stderr.contains("ermission denied"), "{}", out.stderr);
        }
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

// 17. A folder named `a<newline>b` and one named `a\nb` printed the same in concise and github
// output, and github's `file=` held escaped text rather than the path.
#[cfg(unix)]
#[test]
fn names_print_unambiguously() {
    let p = Project::new();
    p.write("a\nb/Dockerfile", "FROM python\n");
    p.write("a\\nb/Dockerfile", "FROM python\n");
    let out = p.run(&[
        "check",
        "--output-format",
        "concise",
        "--select",
        "DKR002",
        ".",
    ]);
    let text = out.text();
    assert!(text.contains("a\\nb/Dockerfile:1:1: DKR002"), "{text}");
    assert!(text.contains("a\\\\nb/Dockerfile:1:1: DKR002"), "{text}");
    let out = p.run(&[
        "check",
        "--output-format",
        "github",
        "--select",
        "DKR002",
        ".",
    ]);
    let text = out.text();
    assert!(text.contains("file=a%0Ab/Dockerfile,"), "{text}");
    assert!(text.contains("file=a\\nb/Dockerfile,"), "{text}");
    // JSON keeps both names as they are.
    let out = p.run(&[
        "check",
        "--output-format",
        "json",
        "--select",
        "DKR002",
        ".",
    ]);
    let paths: Vec<String> = out.findings().into_iter().map(|(p, _, _)| p).collect();
    assert!(paths.contains(&"a\nb/Dockerfile".to_string()), "{paths:?}");
    assert!(paths.contains(&"a\\nb/Dockerfile".to_string()), "{paths:?}");
}
