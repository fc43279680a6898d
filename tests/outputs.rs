//! The CI and terminal outputs of issue 14: `--exit-zero`, `--output-file`, `--color`, the
//! junit and gitlab formats, SARIF fingerprints, rule help and root-relative URIs, the human
//! footer, and the rule listing commands. Each test runs the real binary on a project built in
//! a temporary folder.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// DKR002 (error, 1:1), DKR003 (warning, 1:6), DKR007 (warning, 2:1).
const ROOTY: &str = "FROM python\nCMD python app.py\n";

struct Project {
    dir: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join(".git")).expect(".git");
        std::fs::write(dir.path().join("prodlint.toml"), "").expect("config");
        Project { dir }
    }

    fn with(self, rel: &str, text: &str) -> Project {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
        std::fs::write(path, text).expect("write");
        self
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn cmd_in(&self, cwd: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_prodlint"));
        cmd.current_dir(self.root().join(cwd))
            .args(args)
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("GITHUB_ACTIONS")
            .timeout(std::time::Duration::from_secs(60));
        cmd
    }

    fn run_in(&self, cwd: &str, args: &[&str]) -> Run {
        run(&mut self.cmd_in(cwd, args))
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_in("", args)
    }
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run prodlint");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn triples(value: &Value, path: &str, line: &str, code: &str) -> BTreeSet<(String, u64, String)> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f.pointer(path)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                f.pointer(line).and_then(Value::as_u64).unwrap_or_default(),
                f.pointer(code)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn exit_zero_keeps_findings_but_exits_0() {
    let p = Project::new().with("Dockerfile", ROOTY);
    let run = p.run(&["check", "--exit-zero", "--output-format", "concise", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().filter(|l| l.contains("DKR")).count(), 3);
    // Errors are still errors.
    let run = p.run(&["check", "--exit-zero", "missing/"]);
    assert_eq!(run.code, 2);
}

#[test]
fn output_file_gets_the_format_and_the_terminal_the_summary() {
    let p = Project::new().with("Dockerfile", ROOTY);
    let run = p.run(&[
        "check",
        "--output-format",
        "json",
        "--output-file",
        "out.json",
        ".",
    ]);
    assert_eq!(run.code, 1);
    let expected: BTreeSet<_> = [
        ("Dockerfile".to_string(), 1, "DKR002".to_string()),
        ("Dockerfile".to_string(), 1, "DKR003".to_string()),
        ("Dockerfile".to_string(), 2, "DKR007".to_string()),
    ]
    .into();
    let written = std::fs::read_to_string(p.root().join("out.json")).expect("written");
    assert_eq!(
        triples(&json(&written), "/path", "/line", "/code"),
        expected
    );
    // Not a terminal: the concise lines and the summary.
    assert!(
        run.stdout.contains("Dockerfile:2:1: DKR007 [warning]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Found 3 findings in 1 file."),
        "{}",
        run.stdout
    );
    // Inside GitHub Actions the terminal gets annotations.
    let mut cmd = p.cmd_in(
        "",
        &["check", "--output-format", "sarif", "-o", "out.sarif", "."],
    );
    let run = self::run(cmd.env("GITHUB_ACTIONS", "true"));
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("::error file=Dockerfile,line=1"))
            .count(),
        1,
        "{}",
        run.stdout
    );
    let sarif = json(&std::fs::read_to_string(p.root().join("out.sarif")).expect("sarif"));
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(3)
    );
    // A folder that does not exist is an I/O error: exit 2.
    let run = p.run(&["check", "-o", "no/such/dir/out.json", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
}

#[test]
fn color_choice_and_environment() {
    let p = Project::new().with("Dockerfile", ROOTY);
    let human = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["check", "--output-format", "human"];
        args.extend_from_slice(extra);
        args.push(".");
        let mut cmd = p.cmd_in("", &args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        run(&mut cmd).stdout.contains('\x1b')
    };
    // Not a terminal: plain unless forced.
    assert!(!human(&[], &[]));
    assert!(human(&["--color", "always"], &[]));
    assert!(human(&[], &[("FORCE_COLOR", "1")]));
    assert!(human(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!human(&[], &[("FORCE_COLOR", "0")]));
    // NO_COLOR wins over FORCE_COLOR in auto; an explicit flag wins over both.
    assert!(!human(&[], &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
    assert!(human(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!human(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    assert!(!human(&["--no-color"], &[("FORCE_COLOR", "1")]));
}

#[test]
fn human_footer_counts_severities_and_names_a_rule() {
    let p = Project::new()
        .with("Dockerfile", ROOTY)
        .with("b/Dockerfile", ROOTY);
    let run = p.run(&["check", "--output-format", "human", "."]);
    let tail: Vec<&str> = run.stdout.trim_end().lines().rev().take(2).collect();
    assert_eq!(
        tail,
        [
            "A rule's documentation, how to fix, suppress and configure it: `prodlint rule DKR002`.",
            "Found 6 findings in 2 files: 2 errors, 4 warnings.",
        ],
        "{}",
        run.stdout
    );
}

#[test]
fn junit_has_one_failed_case_per_finding() {
    let p = Project::new()
        .with("Dockerfile", ROOTY)
        .with("a&b/Dockerfile", ROOTY);
    let run = p.run(&["check", "--output-format", "junit", "."]);
    assert_eq!(run.code, 1);
    let xml = &run.stdout;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"prodlint\" tests=\"6\" failures=\"6\""), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 6);
    assert_eq!(xml.matches("<failure type=\"DKR002\"").count(), 2);
    // The ampersand of the folder name is escaped; no raw `&b` anywhere.
    assert!(
        xml.contains("<testsuite name=\"a&amp;b/Dockerfile\" tests=\"3\""),
        "{xml}"
    );
    assert!(!xml.contains("a&b"), "{xml}");
    assert!(xml.contains("line=\"2\""));
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    // A clean run is one passing case.
    let clean = Project::new().with(
        "Dockerfile",
        "FROM python:3.12-slim\nUSER app\nCMD [\"python\", \"app.py\"]\n",
    );
    let run = clean.run(&["check", "--output-format", "junit", "."]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("tests=\"1\" failures=\"0\""),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("<failure"));
}

#[test]
fn gitlab_paths_are_relative_to_the_project_root() {
    let p = Project::new()
        .with("svc/Dockerfile", ROOTY)
        .with("svc/api/Dockerfile", ROOTY);
    // Run from a subfolder: GitLab resolves paths against the checkout, not the job's folder.
    let run = p.run_in("svc", &["check", "--output-format", "gitlab", "."]);
    assert_eq!(run.code, 1);
    let report = json(&run.stdout);
    let expected: BTreeSet<_> = ["svc/Dockerfile", "svc/api/Dockerfile"]
        .iter()
        .flat_map(|f| {
            [
                (f.to_string(), 1, "DKR002".to_string()),
                (f.to_string(), 1, "DKR003".to_string()),
                (f.to_string(), 2, "DKR007".to_string()),
            ]
        })
        .collect();
    assert_eq!(
        triples(
            &report,
            "/location/path",
            "/location/lines/begin",
            "/check_name"
        ),
        expected
    );
    let issues = report.as_array().expect("array");
    let prints: BTreeSet<&str> = issues
        .iter()
        .filter_map(|i| i["fingerprint"].as_str())
        .collect();
    assert_eq!(prints.len(), issues.len(), "fingerprints must be unique");
    let severities: BTreeSet<&str> = issues
        .iter()
        .filter_map(|i| i["severity"].as_str())
        .collect();
    assert_eq!(severities, ["critical", "major"].into());
}

#[test]
fn sarif_has_fingerprints_rule_help_security_severity_and_root_relative_uris() {
    let p = Project::new().with("svc/Dockerfile", ROOTY).with(
        "svc/config/production.env",
        "DATABASE_PASSWORD=hunter2hunter2\n",
    );
    let run = p.run_in("svc", &["check", "--output-format", "sarif", "."]);
    let sarif = json(&run.stdout);
    let run0 = &sarif["runs"][0];
    let results = run0["results"].as_array().expect("results");
    let uris: BTreeSet<&str> = results
        .iter()
        .filter_map(|r| {
            r.pointer("/locations/0/physicalLocation/artifactLocation/uri")?
                .as_str()
        })
        .collect();
    assert!(uris.contains("svc/Dockerfile"), "{uris:?}");
    assert!(results.iter().all(|r| r
        .pointer("/locations/0/physicalLocation/artifactLocation/uriBaseId")
        == Some(&Value::from("%SRCROOT%"))));
    let base = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("base");
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    // Every result has a fingerprint, and they differ.
    let prints: BTreeSet<&str> = results
        .iter()
        .filter_map(|r| r["partialFingerprints"]["prodlint/v1"].as_str())
        .collect();
    assert_eq!(prints.len(), results.len());
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    let rule = |code: &str| rules.iter().find(|r| r["id"] == code).expect("rule");
    let help = rule("DKR002")["help"]["markdown"]
        .as_str()
        .expect("markdown");
    assert!(help.starts_with("## DKR002 runs-as-root"), "{help}");
    assert!(help.contains("`# prodlint: ignore[DKR002]`"), "{help}");
    assert!(rule("SEC002")["properties"]["security-severity"].is_string());
    assert!(rule("DKR002")["properties"]
        .get("security-severity")
        .is_none());
}

#[test]
fn rule_listing_commands() {
    let p = Project::new();
    let run = p.run(&["rules", "DKR"]);
    assert_eq!(run.code, 0);
    let codes: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        codes.len() > 3 && codes.iter().all(|c| c.starts_with("DKR")),
        "{codes:?}"
    );
    assert!(codes.contains(&"DKR002"));
    assert_eq!(p.run(&["rules", "NOPE"]).code, 2);
    let all = p.run(&["rule", "--all"]);
    assert_eq!(all.code, 0);
    let listed = p.run(&["rules"]).stdout.lines().count();
    // Every rule's documentation, each with how to suppress and configure it.
    assert_eq!(all.stdout.matches("\nSuppress:\n").count(), listed);
    assert_eq!(all.stdout.matches("\nConfigure (").count(), listed);
    let typo = p.run(&["rule", "DKR02"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean `DKR002 runs-as-root`"),
        "{}",
        typo.stderr
    );
    let typo = p.run(&["rule", "runs-as-rot"]);
    assert!(
        typo.stderr.contains("`DKR002 runs-as-root`"),
        "{}",
        typo.stderr
    );
    let none = p.run(&["rule", "zzzzzzzzzzzzzz"]);
    assert!(!none.stderr.contains("did you mean"), "{}", none.stderr);
}

#[test]
fn completions_for_bash_name_the_subcommands() {
    let run = Project::new().run(&["completions", "bash"]);
    assert_eq!(run.code, 0);
    for word in ["check", "suppress", "--write-baseline", "--exit-zero"] {
        assert!(run.stdout.contains(word), "{word}");
    }
}
