//! The real binary, run on projects built in a temporary folder: exit codes, every output format,
//! stdin mode, configuration (and its errors), selection, suppressions and the listing commands.
//!
//! Every project gets a `.git` folder so the project-root search stops there; tests that are not
//! about configuration also get an empty `prodlint.toml`, so a stray config above the temporary
//! folder cannot change what they see.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// A Dockerfile with no finding at all.
const CLEAN: &str = "FROM python:3.12-slim\nUSER app\nCMD [\"python\", \"app.py\"]\n";
/// DKR002 (error, 1:1), DKR003 (warning, 1:6), DKR007 (warning, 2:1).
const ROOTY: &str = "FROM python\nCMD python app.py\n";
/// Only DKR007, a warning, at 3:1.
const WARN_ONLY: &str = "FROM python:3.12-slim\nUSER app\nCMD python app.py\n";

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// A project root (`.git`) with no config file.
    fn bare() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join(".git")).expect(".git");
        Project { dir }
    }

    /// A project root with an empty `prodlint.toml`.
    fn new() -> Project {
        Project::bare().with("prodlint.toml", "")
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn with(self, rel: &str, text: &str) -> Project {
        self.write(rel, text);
        self
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(path, text).expect("write file");
    }

    fn cmd(&self, args: &[&str]) -> Command {
        self.cmd_in("", args)
    }

    /// The binary with `args`, run in `cwd` (relative to the root).
    fn cmd_in(&self, cwd: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_prodlint"));
        cmd.current_dir(self.root().join(cwd))
            .args(args)
            .env_remove("NO_COLOR")
            .timeout(std::time::Duration::from_secs(60));
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::of(&mut self.cmd(args))
    }

    fn run_in(&self, cwd: &str, args: &[&str]) -> Run {
        Run::of(&mut self.cmd_in(cwd, args))
    }

    /// `check --output-format json ARGS`, parsed; the exit code must be 0 or 1.
    fn json(&self, args: &[&str]) -> Vec<Value> {
        self.json_in("", args)
    }

    fn json_in(&self, cwd: &str, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["check", "--output-format", "json"];
        all.extend_from_slice(args);
        let run = self.run_in(cwd, &all);
        assert!(
            run.code == 0 || run.code == 1,
            "exit {}\nstderr: {}",
            run.code,
            run.stderr
        );
        parse_json_array(&run.stdout)
    }

    /// (path, line, code) of every finding of `check ARGS`.
    fn findings(&self, args: &[&str]) -> BTreeSet<(String, u64, String)> {
        triples(&self.json(args))
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(cmd: &mut Command) -> Run {
        let out = cmd.output().expect("run prodlint");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let Some(code) = out.status.code() else {
            panic!(
                "prodlint was killed by a signal: {:?}\nstderr: {stderr}",
                out.status
            )
        };
        assert!(!stderr.contains("panicked"), "prodlint panicked:\n{stderr}");
        Run {
            code,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        }
    }

    fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// Exit 2 with a message on stderr and nothing on stdout that looks like a result.
    fn usage_error(self) -> Run {
        let run = self.expect(2);
        assert!(
            run.stdout.trim().is_empty(),
            "stdout must be empty on exit 2: {}",
            run.stdout
        );
        assert!(
            !run.stderr.trim().is_empty(),
            "exit 2 needs a message on stderr"
        );
        run
    }

    /// The finding lines of concise output (the summary line left out).
    fn finding_lines(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| !l.starts_with("Found ") && !l.starts_with("No findings"))
            .collect()
    }
}

fn parse_json_array(text: &str) -> Vec<Value> {
    let value: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"));
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a JSON array:\n{text}"))
        .clone()
}

fn triples(findings: &[Value]) -> BTreeSet<(String, u64, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64().expect("line"),
                f["code"].as_str().expect("code").to_string(),
            )
        })
        .collect()
}

fn codes(findings: &[Value]) -> BTreeSet<String> {
    findings
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_string())
        .collect()
}

fn set(items: &[(&str, u64, &str)]) -> BTreeSet<(String, u64, String)> {
    items
        .iter()
        .map(|(p, l, c)| (p.to_string(), *l, c.to_string()))
        .collect()
}

fn all_rule_codes() -> Vec<String> {
    let run = Project::new()
        .run(&["rules", "--output-format", "json"])
        .expect(0);
    parse_json_array(&run.stdout)
        .iter()
        .map(|r| r["code"].as_str().expect("code").to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Exit codes

#[test]
fn exit_0_when_clean() {
    let p = Project::new().with("Dockerfile", CLEAN);
    let run = p.run(&["check", "."]).expect(0);
    assert!(run.stdout.contains("No findings"), "{}", run.stdout);
    assert!(run.stdout.contains("in 1 file"), "{}", run.stdout);
}

#[test]
fn exit_1_on_findings() {
    let p = Project::new().with("Dockerfile", ROOTY);
    p.run(&["check", "."]).expect(1);
    p.run(&["check"]).expect(1);
}

#[test]
fn exit_2_on_a_bad_flag() {
    let p = Project::new().with("Dockerfile", ROOTY);
    p.run(&["check", "--no-such-flag", "."]).usage_error();
    p.run(&["check", "--fail-on", "fatal", "."]).usage_error();
    p.run(&["check", "--output-format", "xml", "."])
        .usage_error();
    p.run(&["frobnicate"]).usage_error();
}

#[test]
fn exit_2_on_an_unknown_select_code() {
    let p = Project::new().with("Dockerfile", ROOTY);
    let run = p.run(&["check", "--select", "NOPE123", "."]).usage_error();
    assert!(run.stderr.contains("NOPE123"), "{}", run.stderr);
    // A flag has no file position to show.
    assert!(!run.stderr.contains(":0:0"), "{}", run.stderr);
    let run = p
        .run(&["check", "--ignore", "no-such-rule", "."])
        .usage_error();
    assert!(run.stderr.contains("no-such-rule"), "{}", run.stderr);
}

#[test]
fn exit_2_on_a_missing_path() {
    let p = Project::new().with("Dockerfile", ROOTY);
    let run = p
        .run(&["check", "Dockerfile", "does/not/exist"])
        .usage_error();
    assert!(run.stderr.contains("does/not/exist"), "{}", run.stderr);
    p.run(&["check", "--config", "missing.toml", "."])
        .usage_error();
}

#[test]
fn exit_2_on_a_config_error() {
    let p = Project::bare()
        .with("prodlint.toml", "select = [\"DKR\"\n")
        .with("Dockerfile", ROOTY);
    let run = p.run(&["check", "."]).usage_error();
    assert!(run.stderr.contains("prodlint.toml:"), "{}", run.stderr);
}

#[test]
fn stdin_dash_needs_a_file_name_and_the_reverse() {
    let p = Project::new();
    Run::of(p.cmd(&["check", "-"]).write_stdin(ROOTY)).usage_error();
    p.run(&["check", "--stdin-filename", "Dockerfile"])
        .usage_error();
}

#[test]
fn fail_on_sets_the_threshold() {
    let p = Project::new().with("Dockerfile", WARN_ONLY);
    assert_eq!(
        codes(&p.json(&["."])),
        BTreeSet::from(["DKR007".to_string()])
    );
    p.run(&["check", "."]).expect(1);
    p.run(&["check", "--fail-on", "warning", "."]).expect(1);
    p.run(&["check", "--fail-on", "error", "."]).expect(0);
    // The findings are still printed; only the exit code changes.
    let run = p
        .run(&[
            "check",
            "--fail-on",
            "error",
            "--output-format",
            "concise",
            ".",
        ])
        .expect(0);
    assert!(run.stdout.contains("DKR007"), "{}", run.stdout);

    // An info finding (DKR010) fails only `--fail-on info`.
    let p = Project::new().with(
        "Dockerfile",
        "FROM python:3.12-slim as app\nUSER app\nCMD [\"python\"]\n",
    );
    assert_eq!(
        codes(&p.json(&["."])),
        BTreeSet::from(["DKR010".to_string()])
    );
    p.run(&["check", "."]).expect(0);
    p.run(&["check", "--fail-on", "info", "."]).expect(1);
}

#[test]
fn fail_on_from_the_config_and_the_flag_overrides_it() {
    let p = Project::bare()
        .with("prodlint.toml", "fail-on = \"error\"\n")
        .with("Dockerfile", WARN_ONLY);
    p.run(&["check", "."]).expect(0);
    p.run(&["check", "--fail-on", "warning", "."]).expect(1);
}

// ---------------------------------------------------------------------------------------------
// Output formats

fn two_dockerfiles() -> Project {
    Project::new()
        .with("Dockerfile", ROOTY)
        .with("backend/Dockerfile", "FROM python:3.12-slim AS build\nRUN pip install -r requirements.txt\nFROM python\nCMD uvicorn app:app --reload\n")
        .with("backend/api/Dockerfile.prod", ROOTY)
}

#[test]
fn json_is_the_stable_contract() {
    let p = two_dockerfiles();
    let findings = p.json(&["."]);
    assert!(findings.len() >= 7, "{findings:#?}");
    let keys: BTreeSet<&str> = [
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
        "url",
    ]
    .into();
    for f in &findings {
        let obj = f.as_object().expect("object");
        assert_eq!(
            obj.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            keys,
            "{f}"
        );
        let path = f["path"].as_str().expect("path");
        assert!(
            !path.starts_with('/') && !path.starts_with("./") && !path.contains('\\'),
            "path {path}"
        );
        assert!(!Path::new(path).is_absolute());
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().expect("severity")));
        let code = f["code"].as_str().expect("code");
        assert!(
            code.len() == 6 && code.chars().take(3).all(|c| c.is_ascii_uppercase()),
            "code {code}"
        );
        assert!(f["name"].as_str().is_some_and(
            |n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        ));
        assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()));
        let (line, column) = (
            f["line"].as_u64().expect("line"),
            f["column"].as_u64().expect("column"),
        );
        let (end_line, end_column) = (
            f["end_line"].as_u64().expect("end_line"),
            f["end_column"].as_u64().expect("end_column"),
        );
        assert!(line >= 1 && column >= 1, "{f}");
        assert!((end_line, end_column) >= (line, column), "{f}");
        assert!(f["help"].is_null() || f["help"].is_string());
        assert!(f["url"].is_null() || f["url"].is_string());
    }
    // Sorted by path, then line, then column, then code.
    let order: Vec<(String, u64, u64, String)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    let paths: BTreeSet<&str> = findings.iter().filter_map(|f| f["path"].as_str()).collect();
    assert_eq!(
        paths,
        BTreeSet::from([
            "Dockerfile",
            "backend/Dockerfile",
            "backend/api/Dockerfile.prod"
        ])
    );
    // The documented example, field by field.
    let root = findings
        .iter()
        .find(|f| f["path"] == "Dockerfile" && f["code"] == "DKR002")
        .expect("DKR002");
    assert_eq!(root["name"], "runs-as-root");
    assert_eq!(root["severity"], "error");
    assert_eq!(
        (root["line"].as_u64(), root["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(root["help"].is_string());
    assert!(root["url"].is_null());
}

#[test]
fn json_paths_are_relative_to_the_current_directory() {
    let p = two_dockerfiles();
    let inside = triples(&p.json_in("backend", &["."]));
    assert!(
        inside
            .iter()
            .all(|(path, _, _)| path == "Dockerfile" || path == "api/Dockerfile.prod"),
        "{inside:?}"
    );
    let above = triples(&p.json_in("backend/api", &["../../Dockerfile"]));
    assert!(
        !above.is_empty() && above.iter().all(|(path, _, _)| path == "../../Dockerfile"),
        "{above:?}"
    );
    // The same file named two ways is one file.
    let twice = p.json_in(
        "backend",
        &["Dockerfile", "../backend/Dockerfile", "./Dockerfile"],
    );
    let once = p.json_in("backend", &["Dockerfile"]);
    assert_eq!(twice, once);
}

#[test]
fn no_findings_is_an_empty_json_array() {
    let p = Project::new().with("Dockerfile", CLEAN);
    let run = p.run(&["check", "--output-format", "json", "."]).expect(0);
    assert_eq!(parse_json_array(&run.stdout), Vec::<Value>::new());
    // JSON is for machines: no summary line after it.
    assert!(!run.stdout.contains("No findings"));
}

#[test]
fn concise_is_one_line_per_finding() {
    let p = two_dockerfiles();
    let run = p
        .run(&["check", "--output-format", "concise", "."])
        .expect(1);
    let json = p.json(&["."]);
    let lines = run.finding_lines();
    assert_eq!(lines.len(), json.len(), "{}", run.stdout);
    for (line, f) in lines.iter().zip(&json) {
        let want = format!(
            "{}:{}:{}: {} [{}] {}",
            f["path"].as_str().unwrap_or(""),
            f["line"],
            f["column"],
            f["code"].as_str().unwrap_or(""),
            f["severity"].as_str().unwrap_or(""),
            f["message"].as_str().unwrap_or("")
        );
        assert_eq!(*line, want);
    }
    assert!(
        run.stdout.contains("Dockerfile:1:6: DKR003 [warning] "),
        "{}",
        run.stdout
    );
    let summary = run.stdout.lines().last().unwrap_or("");
    assert_eq!(
        summary,
        format!("Found {} findings in 3 files.", json.len())
    );
    // Concise is the default when stdout is not a terminal.
    let default = p.run(&["check", "."]).expect(1);
    assert_eq!(default.stdout, run.stdout);
}

#[test]
fn sarif_carries_every_rule_and_every_result() {
    let p = two_dockerfiles();
    let run = p.run(&["check", "--output-format", "sarif", "."]).expect(1);
    let log: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().is_some_and(|s| s.contains("sarif")));
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "prodlint");
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(rules, all_rule_codes());
    let results = log["runs"][0]["results"].as_array().expect("results");
    let json = p.json(&["."]);
    assert_eq!(results.len(), json.len());
    for (result, f) in results.iter().zip(&json) {
        assert_eq!(result["ruleId"], f["code"]);
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(Some(rules[index]), result["ruleId"].as_str());
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], f["path"]);
        let region = &location["region"];
        assert_eq!(region["startLine"], f["line"]);
        assert_eq!(region["startColumn"], f["column"]);
        assert_eq!(region["endLine"], f["end_line"]);
        assert!(result["message"]["text"]
            .as_str()
            .is_some_and(|m| m.starts_with(f["message"].as_str().unwrap_or("?"))));
        let level = result["level"].as_str().expect("level");
        let want = match f["severity"].as_str() {
            Some("error") => "error",
            Some("warning") => "warning",
            _ => "note",
        };
        assert_eq!(level, want);
    }
    // Nothing but the log on stdout.
    assert!(!run.stdout.contains("Found "));
}

#[test]
fn sarif_uris_are_percent_encoded() {
    let p = Project::new().with("my app/Dockerfile", ROOTY);
    let run = p.run(&["check", "--output-format", "sarif", "."]).expect(1);
    let log: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let uris: BTreeSet<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert_eq!(uris, BTreeSet::from(["my%20app/Dockerfile"]));
}

#[test]
fn columns_count_unicode_scalar_values() {
    // `é` is two bytes and one column (bytes would give 35); the unused suppression is anchored
    // at its code.
    let p = Project::new().with("Dockerfile", "FROM python:3.12-slim\nUSER app\nRUN echo été # prodlint: ignore[DKR007]\nCMD [\"python\"]\n");
    let findings = p.json(&["."]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["code"], "SUP001");
    assert_eq!(
        (findings[0]["line"].as_u64(), findings[0]["column"].as_u64()),
        (Some(3), Some(33))
    );
    assert_eq!(
        (
            findings[0]["end_line"].as_u64(),
            findings[0]["end_column"].as_u64()
        ),
        (Some(3), Some(39))
    );
}

#[test]
fn columns_of_several_findings_on_one_line() {
    let p = Project::new().with(
        "Dockerfile",
        "# prodlint: ignore[DKR001, ünknown, DKR003]\nFROM python:3.12-slim\nUSER app\nCMD [\"python\"]\n",
    );
    let columns: Vec<(u64, u64, u64, u64)> = p
        .json(&["."])
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().unwrap_or(0);
            (n("line"), n("column"), n("end_line"), n("end_column"))
        })
        .collect();
    assert_eq!(
        columns,
        vec![(1, 20, 1, 26), (1, 28, 1, 35), (1, 37, 1, 43)]
    );
}

#[test]
fn github_annotations_per_severity() {
    let p = Project::new().with("Dockerfile", ROOTY).with(
        "svc/Dockerfile",
        "FROM python:3.12-slim as app\nUSER app\nCMD [\"python\"]\n",
    );
    let run = p
        .run(&["check", "--output-format", "github", "."])
        .expect(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert!(lines.iter().all(|l| l.starts_with("::")), "{}", run.stdout);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error file=Dockerfile,line=1,col=1,")
                && l.contains("title=DKR002")),
        "{}",
        run.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning file=Dockerfile,line=1,col=6,")
                && l.contains("title=DKR003")),
        "{}",
        run.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning file=Dockerfile,line=2,col=1,")
                && l.contains("title=DKR007")),
        "{}",
        run.stdout
    );
    assert!(
        lines.iter().any(
            |l| l.starts_with("::notice file=svc/Dockerfile,line=1,col=23,")
                && l.contains("title=DKR010")
        ),
        "{}",
        run.stdout
    );
    // A message is a single line: newlines are %0A-encoded.
    assert!(lines
        .iter()
        .all(|l| l.contains("::") && l.matches("::").count() >= 2));
}

#[test]
fn human_output_has_no_colour_with_no_color() {
    let p = two_dockerfiles();
    for env in [true, false] {
        let mut cmd = p.cmd(&["check", "--output-format", "human", "."]);
        if env {
            cmd.env("NO_COLOR", "1");
        }
        let run = Run::of(&mut cmd).expect(1);
        assert!(
            !run.stdout.contains('\x1b'),
            "ESC in human output:\n{}",
            run.stdout
        );
        assert!(run.stdout.contains("DKR002"), "{}", run.stdout);
        assert!(run.stdout.contains("runs-as-root"), "{}", run.stdout);
        assert!(run.stdout.contains("backend/Dockerfile"), "{}", run.stdout);
        // The footer: counts per severity and where a rule's documentation is.
        assert!(
            run.stdout.contains("in 3 files: 3 errors, 7 warnings."),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout
                .trim_end()
                .ends_with("configure it: `prodlint rule DKR002`."),
            "{}",
            run.stdout
        );
    }
    let run = p
        .run(&["check", "--output-format", "human", "--no-color", "."])
        .expect(1);
    assert!(!run.stdout.contains('\x1b'));
}

/// Runs `prodlint ARGS` on a pseudo-terminal (util-linux `script`), where colour is on by
/// default; `None` when `script` is not available.
#[cfg(target_os = "linux")]
fn on_a_terminal(p: &Project, args: &str, no_color: Option<&str>) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_prodlint");
    let mut cmd = std::process::Command::new("script");
    cmd.current_dir(p.root())
        .args(["-qec", &format!("'{bin}' {args}"), "/dev/null"]);
    match no_color {
        Some(value) => cmd.env("NO_COLOR", value),
        None => cmd.env_remove("NO_COLOR"),
    };
    let out = cmd.output().ok()?;
    let code = out.status.code()?;
    (code == 0 || code == 1).then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(target_os = "linux")]
#[test]
fn no_color_on_a_terminal() {
    let p = Project::new().with("Dockerfile", ROOTY);
    let Some(coloured) = on_a_terminal(&p, "check .", None) else {
        eprintln!("skipped: no util-linux `script` for a pseudo-terminal");
        return;
    };
    // On a terminal the default is human output, in colour.
    assert!(coloured.contains('\x1b'), "{coloured}");
    assert!(coloured.contains("runs-as-root"), "{coloured}");
    for (args, no_color) in [
        ("check .", Some("1")),
        ("check --no-color .", None),
        ("check --output-format human .", Some("true")),
    ] {
        let plain = on_a_terminal(&p, args, no_color).expect("ran before");
        assert!(
            !plain.contains('\x1b'),
            "{args} NO_COLOR={no_color:?}:\n{plain}"
        );
        assert!(plain.contains("runs-as-root"), "{plain}");
    }
    // An empty NO_COLOR is unset (no-color.org).
    let empty = on_a_terminal(&p, "check .", Some("")).expect("ran before");
    assert!(empty.contains('\x1b'));
}

#[test]
fn quiet_prints_findings_only() {
    let p = Project::new()
        .with("Dockerfile", ROOTY)
        .with("big/Dockerfile", "FROM x\0\0");
    let run = p.run(&["check", "--quiet", "."]).expect(1);
    assert!(!run.stdout.contains("Found "), "{}", run.stdout);
    assert_eq!(run.finding_lines().len(), 3);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// stdin

#[test]
fn stdin_is_linted_as_the_named_file() {
    // The file on disk is clean; stdin (the editor's unsaved buffer) is what gets linted.
    let p = Project::new().with("backend/Dockerfile", CLEAN);
    let mut cmd = p.cmd(&[
        "check",
        "--output-format",
        "json",
        "--stdin-filename",
        "backend/Dockerfile",
        "-",
    ]);
    cmd.write_stdin(ROOTY);
    let run = Run::of(&mut cmd).expect(1);
    assert_eq!(
        triples(&parse_json_array(&run.stdout)),
        set(&[
            ("backend/Dockerfile", 1, "DKR002"),
            ("backend/Dockerfile", 1, "DKR003"),
            ("backend/Dockerfile", 2, "DKR007")
        ])
    );
    // A file that does not exist yet, and a clean buffer for a file with findings on disk.
    let p = p.with("api/Dockerfile", ROOTY);
    let mut cmd = p.cmd(&[
        "check",
        "--output-format",
        "concise",
        "--stdin-filename",
        "new/Dockerfile",
        "-",
    ]);
    cmd.write_stdin(ROOTY);
    let run = Run::of(&mut cmd).expect(1);
    assert!(
        run.finding_lines()
            .iter()
            .all(|l| l.starts_with("new/Dockerfile:")),
        "{}",
        run.stdout
    );
    let mut cmd = p.cmd(&["check", "--stdin-filename", "api/Dockerfile", "-"]);
    cmd.write_stdin(CLEAN);
    Run::of(&mut cmd).expect(0);
}

#[test]
fn stdin_uses_the_config_of_the_named_file() {
    let p = Project::bare().with("prodlint.toml", "ignore = [\"DKR002\"]\n");
    let mut cmd = p.cmd(&[
        "check",
        "--output-format",
        "json",
        "--stdin-filename",
        "svc/Dockerfile",
        "-",
    ]);
    cmd.write_stdin(ROOTY);
    let run = Run::of(&mut cmd).expect(1);
    assert_eq!(
        codes(&parse_json_array(&run.stdout)),
        BTreeSet::from(["DKR003".to_string(), "DKR007".to_string()])
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn prodlint_toml_is_found_walking_up() {
    let p = Project::bare()
        .with("prodlint.toml", "select = [\"DKR003\"]\n")
        .with("svc/api/Dockerfile", ROOTY);
    let want = set(&[("svc/api/Dockerfile", 1, "DKR003")]);
    assert_eq!(p.findings(&["svc/api/Dockerfile"]), want);
    assert_eq!(p.findings(&["svc"]), want);
    assert_eq!(p.findings(&[]), want);
    assert_eq!(
        triples(&p.json_in("svc/api", &["."])),
        set(&[("Dockerfile", 1, "DKR003")])
    );
    assert_eq!(
        triples(&p.json_in("svc/api", &[])),
        set(&[("Dockerfile", 1, "DKR003")])
    );
}

#[test]
fn pyproject_tool_section_is_found_walking_up() {
    let p = Project::bare()
        .with("pyproject.toml", "[project]\nname = \"svc\"\n\n[tool.prodlint]\nignore = [\"runs-as-root\"]\n\n[tool.prodlint.severity]\nDKR003 = \"error\"\n")
        // A pyproject.toml without the section is passed over on the way up.
        .with("svc/pyproject.toml", "[project]\nname = \"inner\"\n")
        .with("svc/api/Dockerfile", ROOTY);
    let findings = p.json_in("svc/api", &["Dockerfile"]);
    assert_eq!(
        triples(&findings),
        set(&[("Dockerfile", 1, "DKR003"), ("Dockerfile", 2, "DKR007")])
    );
    let dkr003 = findings
        .iter()
        .find(|f| f["code"] == "DKR003")
        .expect("DKR003");
    assert_eq!(dkr003["severity"], "error");
}

#[test]
fn broken_pyproject_with_our_section_is_a_config_error() {
    let p = Project::bare()
        .with("prodlint.toml", "")
        .with(
            "svc/pyproject.toml",
            "[project\nname = \"svc\"\n[tool.prodlint]\nignore = [\"DKR002\"]\n",
        )
        .with("svc/Dockerfile", ROOTY);
    let run = p.run(&["check", "svc"]).usage_error();
    assert!(run.stderr.contains("pyproject.toml:1:"), "{}", run.stderr);
    // Without our section, a broken pyproject.toml is just a file with a parse error.
    p.write("svc/pyproject.toml", "[project\nname = \"svc\"\n");
    let found = p.findings(&["svc"]);
    assert!(
        found.contains(&("svc/pyproject.toml".to_string(), 1, "SUP002".to_string())),
        "{found:?}"
    );
    assert!(
        found.contains(&("svc/Dockerfile".to_string(), 1, "DKR002".to_string())),
        "{found:?}"
    );
}

#[test]
fn max_file_size_from_the_config() {
    let p = Project::bare()
        .with("prodlint.toml", "max-file-size = 16\n")
        .with("Dockerfile", ROOTY)
        .with("small/Dockerfile", "FROM python\n");
    let run = p
        .run(&["check", "--output-format", "concise", "."])
        .expect(1);
    assert!(
        run.stderr.contains("skipped Dockerfile:") && run.stderr.contains("max-file-size"),
        "{}",
        run.stderr
    );
    assert!(
        run.finding_lines()
            .iter()
            .all(|l| l.starts_with("small/Dockerfile:")),
        "{}",
        run.stdout
    );
    let p = Project::bare()
        .with("prodlint.toml", "max-file-size = -1\n")
        .with("Dockerfile", ROOTY);
    let run = p.run(&["check", "."]).usage_error();
    assert!(run.stderr.contains("prodlint.toml:1:17"), "{}", run.stderr);
}

#[test]
fn prodlint_toml_wins_over_pyproject_in_the_same_folder() {
    let p = Project::bare()
        .with("pyproject.toml", "[tool.prodlint]\nselect = [\"DKR007\"]\n")
        .with("prodlint.toml", "select = [\"DKR003\"]\n")
        .with("Dockerfile", ROOTY);
    assert_eq!(
        codes(&p.json(&["."])),
        BTreeSet::from(["DKR003".to_string()])
    );
}

#[test]
fn explicit_config_file() {
    let p = Project::new()
        .with("ci/strict.toml", "select = [\"DKR007\"]\n")
        .with("Dockerfile", ROOTY);
    assert_eq!(
        codes(&p.json(&["--config", "ci/strict.toml", "."])),
        BTreeSet::from(["DKR007".to_string()])
    );
}

#[test]
fn unknown_key_names_file_line_and_column() {
    let p = Project::bare()
        .with(
            "prodlint.toml",
            "select = [\"DKR\"]\n  selct = [\"DKR002\"]\n",
        )
        .with("Dockerfile", ROOTY);
    let run = p.run(&["check", "."]).usage_error();
    assert!(run.stderr.contains("prodlint.toml:2:3"), "{}", run.stderr);
    assert!(run.stderr.contains("selct"), "{}", run.stderr);

    // The same in pyproject.toml, reported against pyproject.toml.
    let p = Project::bare()
        .with("pyproject.toml", "[tool.prodlint]\nfail_on = \"error\"\n")
        .with("Dockerfile", ROOTY);
    let run = p.run(&["check", "."]).usage_error();
    assert!(run.stderr.contains("pyproject.toml:2:1"), "{}", run.stderr);
    assert!(run.stderr.contains("fail_on"), "{}", run.stderr);

    // prodlint.toml written in the pyproject form: a key beside the section is not ignored.
    let p = Project::bare()
        .with(
            "prodlint.toml",
            "selct = [\"DKR\"]\n[tool.prodlint]\nselect = [\"DKR\"]\n",
        )
        .with("Dockerfile", ROOTY);
    let run = p.run(&["check", "."]).usage_error();
    assert!(
        run.stderr.contains("prodlint.toml:1:1") && run.stderr.contains("selct"),
        "{}",
        run.stderr
    );
    let p = Project::bare()
        .with("prodlint.toml", "[tool.prodlint]\nselect = [\"DKR003\"]\n")
        .with("Dockerfile", ROOTY);
    assert_eq!(
        codes(&p.json(&["."])),
        BTreeSet::from(["DKR003".to_string()])
    );
}

#[test]
fn unknown_rule_code_in_config_is_an_error() {
    let p = Project::bare()
        .with("prodlint.toml", "ignore = [\"DKR002\", \"DKR999\"]\n")
        .with("Dockerfile", ROOTY);
    let run = p.run(&["check", "."]).usage_error();
    assert!(run.stderr.contains("prodlint.toml:1:21"), "{}", run.stderr);
    assert!(run.stderr.contains("DKR999"), "{}", run.stderr);

    for (config, needle) in [
        ("select = [\"nope\"]\n", "nope"),
        ("[severity]\nDKR999 = \"error\"\n", "DKR999"),
        ("[severity]\nDKR003 = \"fatal\"\n", "prodlint.toml:2:10"),
        ("[per-file-ignores]\n\"tests/**\" = [\"XYZ1\"]\n", "XYZ1"),
        ("[rules.DKR999]\nx = 1\n", "DKR999"),
        ("exclude = \"vendor\"\n", "exclude"),
    ] {
        let p = Project::bare()
            .with("prodlint.toml", config)
            .with("Dockerfile", ROOTY);
        let run = p.run(&["check", "."]).usage_error();
        assert!(run.stderr.contains(needle), "{config}: {}", run.stderr);
        assert!(
            run.stderr.contains("prodlint.toml:"),
            "{config}: {}",
            run.stderr
        );
    }
}

#[test]
fn unknown_rule_option_is_an_error() {
    let p = Project::bare()
        .with(
            "prodlint.toml",
            "[rules.DKR003]\nrequire-digest = true\npin-everything = true\n",
        )
        .with("Dockerfile", ROOTY);
    let run = p.run(&["check", "."]).usage_error();
    assert!(run.stderr.contains("prodlint.toml:3:1"), "{}", run.stderr);
    assert!(run.stderr.contains("pin-everything"), "{}", run.stderr);
    assert!(
        run.stderr.contains("require-digest"),
        "the known options are listed: {}",
        run.stderr
    );
}

#[test]
fn wrong_option_type_is_an_error() {
    let p = Project::bare()
        .with(
            "prodlint.toml",
            "[rules.DKR003]\nrequire-digest = \"yes\"\n",
        )
        .with("Dockerfile", ROOTY);
    let run = p.run(&["check", "."]).usage_error();
    assert!(run.stderr.contains("prodlint.toml:2:18"), "{}", run.stderr);
    assert!(
        run.stderr.contains("require-digest") && run.stderr.contains("boolean"),
        "{}",
        run.stderr
    );
    // The right type is accepted and reaches the rule.
    let p = Project::bare()
        .with("prodlint.toml", "[rules.DKR003]\nrequire-digest = true\n")
        .with("Dockerfile", CLEAN);
    assert_eq!(
        codes(&p.json(&["."])),
        BTreeSet::from(["DKR003".to_string()])
    );
}

#[test]
fn select_and_ignore_by_code_prefix_and_name() {
    let p = Project::new().with("Dockerfile", ROOTY);
    let all = BTreeSet::from([
        "DKR002".to_string(),
        "DKR003".to_string(),
        "DKR007".to_string(),
    ]);
    assert_eq!(codes(&p.json(&["."])), all);
    let only = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        codes(&p.json(&["--select", "DKR003", "."])),
        only(&["DKR003"])
    );
    assert_eq!(
        codes(&p.json(&["--select", "dkr003", "."])),
        only(&["DKR003"])
    );
    assert_eq!(codes(&p.json(&["--select", "DKR", "."])), all);
    assert_eq!(codes(&p.json(&["--select", "DKR00", "."])), all);
    assert_eq!(
        codes(&p.json(&["--select", "runs-as-root", "."])),
        only(&["DKR002"])
    );
    assert_eq!(
        codes(&p.json(&["--select", "DKR002, DKR003"])),
        only(&["DKR002", "DKR003"])
    );
    assert_eq!(
        codes(&p.json(&["--select", "runs-as-root,DKR007", "."])),
        only(&["DKR002", "DKR007"])
    );
    assert_eq!(codes(&p.json(&["--select", "ALL", "."])), all);
    assert_eq!(
        codes(&p.json(&["--ignore", "runs-as-root", "."])),
        only(&["DKR003", "DKR007"])
    );
    assert_eq!(codes(&p.json(&["--ignore", "DKR", "."])), only(&[]));
    assert_eq!(
        codes(&p.json(&["--select", "DKR", "--ignore", "DKR003", "."])),
        only(&["DKR002", "DKR007"])
    );

    // The same in the config; the flags replace the config's lists.
    let p = Project::bare()
        .with(
            "prodlint.toml",
            "select = [\"DKR\"]\nignore = [\"unpinned-base-image\"]\n",
        )
        .with("Dockerfile", ROOTY);
    assert_eq!(codes(&p.json(&["."])), only(&["DKR002", "DKR007"]));
    assert_eq!(
        codes(&p.json(&["--select", "DKR003", "--ignore", "DKR007", "."])),
        only(&["DKR003"])
    );
    let p = Project::bare()
        .with("prodlint.toml", "select = [\"runs-as-root\"]\n")
        .with("Dockerfile", ROOTY);
    assert_eq!(codes(&p.json(&["."])), only(&["DKR002"]));
}

#[test]
fn severity_override_changes_severity_and_exit_code() {
    let p = Project::bare()
        .with("prodlint.toml", "[severity]\nDKR007 = \"error\"\n")
        .with("Dockerfile", WARN_ONLY);
    let findings = p.json(&["."]);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["severity"], "error");
    p.run(&["check", "--fail-on", "error", "."]).expect(1);
    let run = p
        .run(&["check", "--output-format", "concise", "."])
        .expect(1);
    assert!(run.stdout.contains("DKR007 [error]"), "{}", run.stdout);

    let p = Project::bare()
        .with(
            "prodlint.toml",
            "[severity]\nDKR003 = \"error\"\nruns-as-root = \"info\"\n",
        )
        .with("Dockerfile", ROOTY);
    let findings = p.json(&["."]);
    let severity = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .map(|f| f["severity"].clone())
    };
    assert_eq!(severity("DKR003"), Some(Value::from("error")));
    assert_eq!(severity("DKR002"), Some(Value::from("info")));
    assert_eq!(severity("DKR007"), Some(Value::from("warning")));
}

#[test]
fn per_file_ignores() {
    let p = Project::bare()
        .with("prodlint.toml", "[per-file-ignores]\n\"legacy/**\" = [\"DKR003\", \"shell-form-entrypoint\"]\n\"Dockerfile.dev\" = [\"DKR\"]\n")
        .with("app/Dockerfile", ROOTY)
        .with("legacy/old/Dockerfile", ROOTY)
        .with("tools/Dockerfile.dev", ROOTY);
    assert_eq!(
        p.findings(&["."]),
        set(&[
            ("app/Dockerfile", 1, "DKR002"),
            ("app/Dockerfile", 1, "DKR003"),
            ("app/Dockerfile", 2, "DKR007"),
            ("legacy/old/Dockerfile", 1, "DKR002")
        ])
    );
    // Globs are relative to the config's folder, also when it sits below the project root.
    let p = Project::bare()
        .with(
            "services/pyproject.toml",
            "[tool.prodlint.per-file-ignores]\n\"legacy/**\" = [\"DKR003\"]\n",
        )
        .with("services/legacy/Dockerfile", ROOTY)
        .with("services/app/Dockerfile", ROOTY);
    let found = p.findings(&["services"]);
    assert!(
        found.contains(&(
            "services/app/Dockerfile".to_string(),
            1,
            "DKR003".to_string()
        )),
        "{found:?}"
    );
    assert!(
        !found.contains(&(
            "services/legacy/Dockerfile".to_string(),
            1,
            "DKR003".to_string()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "services/legacy/Dockerfile".to_string(),
            1,
            "DKR002".to_string()
        )),
        "{found:?}"
    );
}

#[test]
fn exclude_a_folder_by_name() {
    // As in ruff and .gitignore: a bare name excludes every folder of that name.
    let p = Project::bare()
        .with(
            "prodlint.toml",
            "exclude = [\"build\", \"deploy/legacy\"]\n",
        )
        .with("Dockerfile", ROOTY)
        .with("build/Dockerfile", ROOTY)
        .with("svc/build/Dockerfile", ROOTY)
        .with("deploy/legacy/Dockerfile", ROOTY)
        .with("deploy/new/Dockerfile", ROOTY);
    let paths: BTreeSet<String> = p.findings(&["."]).into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(
        paths,
        BTreeSet::from([
            "Dockerfile".to_string(),
            "deploy/new/Dockerfile".to_string()
        ])
    );
}

#[test]
fn exclude() {
    let p = Project::bare()
        .with(
            "prodlint.toml",
            "exclude = [\"vendor/**\", \"*.generated.Dockerfile\"]\n",
        )
        .with("Dockerfile", ROOTY)
        .with("vendor/lib/Dockerfile", ROOTY)
        .with("build/x.generated.Dockerfile", ROOTY);
    let paths: BTreeSet<String> = p.findings(&["."]).into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(paths, BTreeSet::from(["Dockerfile".to_string()]));
    let run = p
        .run(&["check", "--output-format", "concise", "."])
        .expect(1);
    assert!(run.stdout.contains("in 1 file."), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// Suppressions

#[test]
fn suppressions_by_code_name_and_file() {
    let p = Project::new().with(
        "Dockerfile",
        "# prodlint: ignore-file[DKR010]\n\
         FROM python:3.12-slim as build\n\
         RUN pip wheel --no-cache-dir -w /wheels -r requirements.txt\n\
         # prodlint: ignore[DKR003]\n\
         FROM python\n\
         COPY --from=build /wheels /wheels\n\
         RUN pip install /wheels/*.whl # prodlint: ignore[DKR004]\n\
         # prodlint: ignore[runs-as-root, DKR007]\n\
         CMD python app.py\n",
    );
    // DKR002 anchors at the final FROM (line 5): `ignore[runs-as-root, DKR007]` on line 8 covers
    // line 9 only, so DKR002 stays and that half of the directive is unused.
    let found = p.findings(&["."]);
    assert!(
        !found
            .iter()
            .any(|(_, _, c)| c == "DKR010" || c == "DKR004" || c == "DKR003" || c == "DKR007"),
        "{found:?}"
    );
    assert!(
        found.contains(&("Dockerfile".to_string(), 5, "DKR002".to_string())),
        "{found:?}"
    );
    // The name in the list that matched nothing is reported, the code that matched is not.
    assert!(
        found.contains(&("Dockerfile".to_string(), 8, "SUP001".to_string())),
        "{found:?}"
    );
    assert_eq!(found.len(), 2, "{found:?}");

    let p = Project::new().with(
        "Dockerfile",
        "# prodlint: ignore-file[DKR010]\n\
         FROM python:3.12-slim as build\n\
         RUN pip wheel --no-cache-dir -w /wheels -r requirements.txt\n\
         # prodlint: ignore[DKR003, runs-as-root]\n\
         FROM python\n\
         COPY --from=build /wheels /wheels\n\
         RUN pip install /wheels/*.whl # prodlint: ignore[DKR004]\n\
         # prodlint: ignore[DKR007]\n\
         CMD python app.py\n",
    );
    let run = p
        .run(&["check", "--output-format", "concise", "."])
        .expect(0);
    assert!(run.finding_lines().is_empty(), "{}", run.stdout);
    assert_eq!(
        run.stdout.trim_end(),
        "No findings in 1 file (5 suppressed)."
    );
    let run = p.run(&["check", "--output-format", "human", "."]).expect(0);
    assert!(
        run.stdout.trim_end().ends_with("(5 suppressed)."),
        "{}",
        run.stdout
    );
    // JSON carries findings only.
    assert_eq!(p.json(&["."]), Vec::<Value>::new());
}

#[test]
fn suppression_spelling_variants() {
    let p = Project::new()
        .with(
            "Dockerfile",
            "# prodlint: ignore [DKR002]\nFROM python:3.12-slim\nCMD [\"python\"]\n",
        )
        .with("app.py", "x = 1  # NoQA: DKR002\n");
    let found = p.findings(&["."]);
    // Both are read: the first suppresses DKR002, the second is unused.
    assert_eq!(found, set(&[("app.py", 1, "SUP001")]));
}

#[test]
fn suppression_on_the_line_above_covers_only_the_next_line() {
    let p = Project::new().with(
        "Dockerfile",
        "# prodlint: ignore[DKR002]\n\nFROM python:3.12-slim\nCMD [\"python\"]\n",
    );
    let found = p.findings(&["."]);
    assert!(
        found.contains(&("Dockerfile".to_string(), 3, "DKR002".to_string())),
        "{found:?}"
    );
    assert!(
        found.contains(&("Dockerfile".to_string(), 1, "SUP001".to_string())),
        "{found:?}"
    );
}

#[test]
fn unused_suppression_is_sup001() {
    let p = Project::new().with(
        "Dockerfile",
        "# prodlint: ignore[DKR002]\nFROM python:3.12-slim\nUSER app\nCMD [\"python\"]\n",
    );
    let findings = p.json(&["."]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["code"], "SUP001");
    assert_eq!(f["name"], "unused-suppression");
    assert_eq!(f["severity"], "info");
    // Anchored at the code in the comment.
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(20))
    );
    assert!(f["message"].as_str().is_some_and(|m| m.contains("DKR002")));
    // info: exit 0 by default.
    p.run(&["check", "."]).expect(0);
    // Off when SUP001 is off; an unknown name in a suppression is reported too.
    assert_eq!(p.json(&["--ignore", "SUP001", "."]), Vec::<Value>::new());
    let p = Project::new().with(
        "Dockerfile",
        "# prodlint: ignore[no-such-rule]\nFROM python:3.12-slim\nUSER app\nCMD [\"python\"]\n",
    );
    let findings = p.json(&["."]);
    assert_eq!(codes(&findings), BTreeSet::from(["SUP001".to_string()]));
    assert!(findings[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("no-such-rule")));
}

#[test]
fn noqa_is_honoured_in_python_only() {
    let p = Project::new()
        // Python: `# noqa: CODE` is a prodlint directive for prodlint codes; a foreign code is
        // another tool's business and never reported.
        .with(
            "app/main.py",
            "import os  # noqa: E501\n\
             x = 1  # noqa: DKR002\n\
             y = 2  # noqa: E501, DKR003\n\
             z = (1 +)  # noqa: SUP002\n",
        )
        .with("app/broken.py", "def f(:  # noqa: E999\n    pass\n")
        // Dockerfile: `# noqa` is just a comment.
        .with("Dockerfile", "FROM python:3.12-slim\nUSER app\nRUN pip install -r requirements.txt  # noqa: DKR004\nCMD [\"python\"]\n");
    let found = p.findings(&["."]);
    assert_eq!(
        found,
        set(&[
            // (DKR001 no longer reports Python packages alone: no build tool stays here.)
            ("Dockerfile", 3, "DKR004"),
            // Unused, so reported: proof that the directive was read.
            ("app/main.py", 2, "SUP001"),
            ("app/main.py", 3, "SUP001"),
            // A foreign code does not suppress prodlint's parse error.
            ("app/broken.py", 1, "SUP002"),
        ])
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert!(run.stdout.contains("(1 suppressed)"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("E501") && !run.stdout.contains("E999"),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// --statistics, rules, rule

#[test]
fn statistics_counts_findings_per_rule() {
    let p = Project::new()
        .with("a/Dockerfile", ROOTY)
        .with("b/Dockerfile", ROOTY)
        .with("c/Dockerfile", WARN_ONLY);
    let run = p.run(&["check", "--statistics", "."]).expect(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            "    3  DKR007  shell-form-entrypoint",
            "    2  DKR002  runs-as-root",
            "    2  DKR003  unpinned-base-image",
            "Found 7 findings in 3 files.",
        ],
        "{}",
        run.stdout
    );
    let run = p
        .run(&["check", "--statistics", "--output-format", "json", "."])
        .expect(1);
    let rows = parse_json_array(&run.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        serde_json::json!({"code": "DKR007", "name": "shell-form-entrypoint", "count": 3})
    );
    // The exit code still follows the findings.
    p.run(&["check", "--statistics", "--fail-on", "error", "c"])
        .expect(0);
}

#[test]
fn rules_lists_every_rule_as_json() {
    let run = Project::new()
        .run(&["rules", "--output-format", "json"])
        .expect(0);
    let rules = parse_json_array(&run.stdout);
    assert!(rules.len() >= 13, "{}", rules.len());
    let mut seen_codes = BTreeSet::new();
    let mut seen_names = BTreeSet::new();
    for rule in &rules {
        for key in ["code", "name", "kind", "severity", "summary"] {
            assert!(
                rule[key].as_str().is_some_and(|v| !v.is_empty()),
                "{key} in {rule}"
            );
        }
        assert!(
            ["file", "project"].contains(&rule["kind"].as_str().unwrap_or("")),
            "{rule}"
        );
        assert!(
            ["error", "warning", "info"].contains(&rule["severity"].as_str().unwrap_or("")),
            "{rule}"
        );
        assert!(
            seen_codes.insert(rule["code"].as_str().unwrap_or("").to_string()),
            "duplicate code {rule}"
        );
        assert!(
            seen_names.insert(rule["name"].as_str().unwrap_or("").to_string()),
            "duplicate name {rule}"
        );
    }
    let dkr002 = rules
        .iter()
        .find(|r| r["code"] == "DKR002")
        .expect("DKR002 listed");
    assert_eq!(dkr002["name"], "runs-as-root");
    assert_eq!(dkr002["kind"], "file");
    assert_eq!(dkr002["severity"], "error");
    let dkr009 = rules
        .iter()
        .find(|r| r["code"] == "DKR009")
        .expect("DKR009 listed");
    assert_eq!(dkr009["kind"], "project");
    for code in ["SUP001", "SUP002"] {
        assert!(seen_codes.contains(code), "{code}");
    }

    // The human table: one aligned row per rule.
    let run = Project::new().run(&["rules"]).expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), rules.len());
    let summary_column = |l: &str| {
        l.find(
            rules
                .iter()
                .find(|r| l.starts_with(r["code"].as_str().unwrap_or("?")))
                .and_then(|r| r["summary"].as_str())
                .unwrap_or("?"),
        )
    };
    let columns: BTreeSet<Option<usize>> = lines.iter().map(|l| summary_column(l)).collect();
    assert_eq!(
        columns.len(),
        1,
        "summaries are not aligned:\n{}",
        run.stdout
    );
}

#[test]
fn rule_prints_documentation_by_code_or_name() {
    let p = Project::new();
    let by_code = p.run(&["rule", "DKR002"]).expect(0);
    let by_name = p.run(&["rule", "runs-as-root"]).expect(0);
    let lower = p.run(&["rule", "dkr002"]).expect(0);
    assert_eq!(by_code.stdout, by_name.stdout);
    assert_eq!(by_code.stdout, lower.stdout);
    assert!(
        by_code.stdout.starts_with("DKR002 runs-as-root"),
        "{}",
        by_code.stdout
    );
    assert!(by_code.stdout.contains("Fix:"), "{}", by_code.stdout);
    assert!(by_code.stdout.contains("USER"), "{}", by_code.stdout);
    let options = p.run(&["rule", "DKR003"]).expect(0);
    assert!(
        options.stdout.contains("require-digest"),
        "{}",
        options.stdout
    );
    let run = p.run(&["rule", "DKR999"]).usage_error();
    assert!(run.stderr.contains("DKR999"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Discovery and determinism

#[test]
fn output_does_not_depend_on_the_number_of_jobs() {
    let mut p = Project::new().with(".dockerignore", "");
    let variants = [
        ROOTY,
        WARN_ONLY,
        CLEAN,
        "FROM python:3.12-slim as build\nRUN pip install -r requirements.txt\nCOPY . .\nFROM build\nCMD uvicorn app:app --reload\n",
        "FROM python:latest\nENV API_TOKEN=abc123\nCOPY . .\nRUN pip install .\nUSER root\nCMD [\"python\"]\n",
        "FROM python:3.12\nRUN echo été && pip install x\nCMD python -m app\n",
    ];
    for i in 0..50 {
        let dir = if i % 3 == 0 {
            format!("svc{i}/nested")
        } else {
            format!("svc{i}")
        };
        p = p.with(&format!("{dir}/Dockerfile"), variants[i % variants.len()]);
    }
    // A folder without .dockerignore, so the project rule (DKR009) fires too.
    std::fs::remove_file(p.root().join(".dockerignore")).expect("remove .dockerignore");
    let one = p.run(&["check", "--jobs", "1", "--output-format", "json", "."]);
    let four = p.run(&["check", "--jobs", "4", "--output-format", "json", "."]);
    assert_eq!(one.code, four.code);
    assert_eq!(one.stdout, four.stdout);
    let findings = parse_json_array(&one.stdout);
    assert!(findings.len() > 100, "{}", findings.len());
    assert!(
        codes(&findings).contains("DKR009"),
        "{:?}",
        codes(&findings)
    );
    let paths: BTreeSet<&str> = findings.iter().filter_map(|f| f["path"].as_str()).collect();
    assert!(paths.len() >= 40, "{}", paths.len());
    for format in ["concise", "sarif", "github", "human"] {
        let one = p.run(&["check", "--jobs", "1", "--output-format", format, "."]);
        let four = p.run(&["check", "--jobs", "4", "--output-format", format, "."]);
        assert_eq!(one.stdout, four.stdout, "{format}");
    }
    let stats1 = p.run(&["check", "--jobs", "1", "--statistics", "."]);
    let stats4 = p.run(&["check", "--jobs", "4", "--statistics", "."]);
    assert_eq!(stats1.stdout, stats4.stdout);
}

#[test]
fn gitignored_file_is_linted_when_named() {
    let p = Project::new()
        .with(".gitignore", "ignored/\n*.tmp.Dockerfile\n")
        .with("ignored/Dockerfile", ROOTY)
        .with("api.tmp.Dockerfile", ROOTY)
        .with("Dockerfile", CLEAN);
    // Walking the project, .gitignore is respected.
    assert_eq!(p.findings(&["."]), BTreeSet::new());
    // Named on the command line (pre-commit passes staged files by name), it is linted.
    let named = p.findings(&["ignored/Dockerfile", "api.tmp.Dockerfile"]);
    let paths: BTreeSet<String> = named.into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(
        paths,
        BTreeSet::from([
            "api.tmp.Dockerfile".to_string(),
            "ignored/Dockerfile".to_string()
        ])
    );
    // So is an ignored folder named on the command line, or the current folder inside it.
    let paths: BTreeSet<String> = p
        .findings(&["ignored"])
        .into_iter()
        .map(|(p, _, _)| p)
        .collect();
    assert_eq!(paths, BTreeSet::from(["ignored/Dockerfile".to_string()]));
    assert_eq!(triples(&p.json_in("ignored", &[])).len(), 3);
}

#[test]
fn hidden_github_folder_is_searched() {
    let p = Project::new().with(".github/workflows/ci.yml", "on: push\njobs: [\n");
    let found = p.findings(&["."]);
    assert_eq!(found, set(&[(".github/workflows/ci.yml", 3, "SUP002")]));
}

#[cfg(unix)]
#[test]
fn control_characters_in_file_names_are_escaped() {
    let p = Project::new();
    let dir = p.root().join("evil");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("\x1b[31mred\x07.Dockerfile"), ROOTY).expect("write");
    for format in ["concise", "human", "github"] {
        let run = p.run(&["check", "--output-format", format, "."]).expect(1);
        assert!(
            !run.stdout.contains('\x1b') && !run.stdout.contains('\x07'),
            "{format}: raw control character in\n{}",
            run.stdout
        );
        assert!(
            run.stdout.contains("\\u{1b}[31mred\\u{7}.Dockerfile"),
            "{format}:\n{}",
            run.stdout
        );
    }
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert!(
        run.finding_lines()
            .iter()
            .all(|l| l.starts_with("evil/\\u{1b}[31mred\\u{7}.Dockerfile:")),
        "{}",
        run.stdout
    );
    // JSON keeps the real name (escaped by JSON itself).
    let findings = p.json(&["."]);
    assert!(
        findings
            .iter()
            .all(|f| f["path"] == "evil/\x1b[31mred\x07.Dockerfile"),
        "{findings:#?}"
    );
}

#[test]
fn notes_name_files_relative_to_the_current_directory() {
    let p = Project::new()
        .with("bin/Dockerfile", "FROM x\0\0\0")
        .with("Dockerfile", CLEAN)
        .with("docs/README.md", "# hi\n");
    let run = p.run(&["check", ".", "docs/README.md"]).expect(0);
    assert!(
        run.stderr.contains("skipped bin/Dockerfile: binary file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("skipped docs/README.md: not a file kind prodlint knows"),
        "{}",
        run.stderr
    );
    let root = p.root().to_string_lossy().into_owned();
    assert!(!run.stderr.contains(&root), "{}", run.stderr);
}

/// Paths in two projects (pre-commit in a monorepo): each uses its own project's config, so the
/// output does not depend on the order of the arguments.
#[test]
fn each_project_uses_its_own_config_whatever_the_argument_order() {
    let p = Project::new()
        .with("a/prodlint.toml", "ignore = [\"DKR003\"]\n")
        .with("a/Dockerfile", ROOTY)
        .with("b/prodlint.toml", "")
        .with("b/Dockerfile", ROOTY);
    let ab = p.findings(&["a/Dockerfile", "b/Dockerfile"]);
    let ba = p.findings(&["b/Dockerfile", "a/Dockerfile"]);
    assert_eq!(ab, ba);
    assert!(
        !ab.contains(&("a/Dockerfile".to_string(), 1, "DKR003".to_string())),
        "{ab:?}"
    );
    assert!(
        ab.contains(&("b/Dockerfile".to_string(), 1, "DKR003".to_string())),
        "{ab:?}"
    );
}

#[test]
fn show_files_lists_kind_role_unit_and_reason_and_exits_0() {
    let p = Project::new()
        .with("app/main.py", "print('hello')\n")
        .with("tests/test_main.py", "def test_x():\n    assert True\n")
        .with("scripts/backfill.py", "print('once')\n")
        .with("worker/requirements.txt", "redis==5.0.0\n")
        .with("worker/run.py", "print('poll')\n")
        .with("docker-compose.dev.yml", "services: {}\n");
    let run = p.run(&["check", "--show-files", "--output-format", "json", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<Value> = serde_json::from_str(&run.stdout).expect("json array");
    let got: BTreeSet<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            let field = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (field("path"), field("kind"), field("role"), field("unit"))
        })
        .collect();
    let want: BTreeSet<(String, String, String, String)> = [
        ("app/main.py", "python", "service", "."),
        ("docker-compose.dev.yml", "compose", "dev", "."),
        ("scripts/backfill.py", "python", "script", "."),
        ("tests/test_main.py", "python", "test", "."),
        (
            "worker/requirements.txt",
            "requirements",
            "service",
            "worker",
        ),
        ("worker/run.py", "python", "service", "worker"),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect();
    assert_eq!(got, want);
    assert!(rows
        .iter()
        .all(|r| r["reason"].as_str().is_some_and(|s| !s.is_empty())));
    // The table names the same roles, one file per line.
    let table = p.run(&["check", "--show-files", "--output-format", "concise", "."]);
    assert_eq!(table.code, 0);
    assert_eq!(table.stdout.lines().count(), 6, "{}", table.stdout);
    assert!(table.stdout.contains("under tests/"), "{}", table.stdout);
}
