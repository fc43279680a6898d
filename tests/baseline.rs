//! `check --write-baseline` / `--baseline` (and the config key `baseline`), and
//! `prodlint suppress`, on copies of the bundled sentinel repository: after lines are inserted
//! above findings, a function is moved and one new problem is added, exactly the new one is
//! reported.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// A copy of fixtures/repos/sentinel, a project root of its own.
fn sentinel() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("sentinel");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repos/sentinel"),
        &root,
    );
    std::fs::create_dir(root.join(".git")).expect(".git");
    (dir, root)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn prodlint(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_prodlint"))
        .current_dir(cwd)
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run prodlint");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

/// (path, line, code) of the JSON findings of `check ARGS`.
fn findings(cwd: &Path, args: &[&str]) -> BTreeSet<(String, u64, String)> {
    let mut all = vec!["check", "--output-format", "json"];
    all.extend_from_slice(args);
    let run = prodlint(cwd, &all);
    assert!(run.code < 2, "{}", run.stderr);
    let value: Value = serde_json::from_str(&run.stdout).expect("json");
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

fn edit(path: &Path, change: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).expect("read");
    std::fs::write(path, change(text)).expect("write");
}

/// Lines inserted near the top of main.py, the sync route `get_users` moved to the end of
/// the file, a comment block above the Dockerfile's stages; and one new sync route that
/// queries the async session (API001).
fn move_code_and_add_one_problem(root: &Path) {
    edit(&root.join("backend/app/main.py"), |text| {
        let mut lines: Vec<&str> = text.lines().collect();
        let get_users: Vec<&str> = lines.drain(18..24).collect();
        assert!(get_users[2].starts_with("def get_users"), "{get_users:?}");
        lines.splice(1..1, ["# added", "import os", "", "# more", ""]);
        lines.push("");
        lines.extend(get_users);
        lines.extend([
            "@app.get(\"/items\")",
            "def get_items():",
            "    return db.query(User).all()",
            "",
        ]);
        lines.join("\n")
    });
    edit(&root.join("backend/Dockerfile"), |text| {
        format!(
            "# top\n\n{}",
            text.replace("# Runtime stage", "# Runtime stage\n# later\n")
        )
    });
}

#[test]
fn a_baseline_survives_moved_code_and_reports_only_the_new_problem() {
    let (_dir, root) = sentinel();
    let before = findings(&root, &["."]);
    assert!(before.len() > 50, "{}", before.len());
    let json = prodlint(&root, &["check", "--output-format", "json", "."]).stdout;
    let count = serde_json::from_str::<Value>(&json)
        .expect("json")
        .as_array()
        .map_or(0, Vec::len);
    let run = prodlint(
        &root,
        &["check", "--write-baseline", "prodlint-baseline.json", "."],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("wrote {count} findings")),
        "{}",
        run.stderr
    );
    assert!(findings(&root, &["--baseline", "prodlint-baseline.json", "."]).is_empty());
    let run = prodlint(
        &root,
        &["check", "--baseline", "prodlint-baseline.json", "."],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("({count} in the baseline)")),
        "{}",
        run.stdout
    );

    move_code_and_add_one_problem(&root);
    let after = findings(&root, &["--baseline", "prodlint-baseline.json", "."]);
    let new: BTreeSet<_> = [("backend/app/main.py".to_string(), 72, "API001".to_string())].into();
    assert_eq!(after, new);
    // The moved route's finding is still there without the baseline, at its new line.
    let all = findings(&root, &["."]);
    assert!(
        all.contains(&("backend/app/main.py".to_string(), 67, "API001".to_string())),
        "{all:?}"
    );

    // The config key does the same, relative to the config's folder, from any folder.
    edit(&root.join("prodlint.toml"), |text| {
        format!("{text}baseline = \"prodlint-baseline.json\"\n")
    });
    assert_eq!(findings(&root, &["."]), new);
    assert_eq!(
        findings(&root.join("backend"), &["."]),
        [("app/main.py".to_string(), 72, "API001".to_string())].into()
    );
}

#[test]
fn fixed_findings_are_counted_as_stale_entries() {
    let (_dir, root) = sentinel();
    assert_eq!(
        prodlint(&root, &["check", "--write-baseline", "b.json", "."]).code,
        0
    );
    let entries = |root: &Path| -> usize {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("b.json")).expect("b"))
                .expect("json");
        v["entries"].as_array().map_or(0, Vec::len)
    };
    let total = entries(&root);
    // DKR010 (`as` in lower case) fixed.
    edit(&root.join("backend/Dockerfile"), |t| {
        t.replace(" as builder", " AS builder")
    });
    let run = prodlint(&root, &["check", "--baseline", "b.json", "."]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr
            .contains(&format!("1 of {total} baseline entries")),
        "{}",
        run.stderr
    );
    // Linting one other file says nothing of entries for files it did not lint.
    let run = prodlint(
        &root,
        &["check", "--baseline", "b.json", "scripts/deploy.sh"],
    );
    assert!(!run.stderr.contains("baseline entries"), "{}", run.stderr);
    // Rewritten, the baseline is one entry shorter.
    assert_eq!(
        prodlint(&root, &["check", "--write-baseline", "b.json", "."]).code,
        0
    );
    assert_eq!(entries(&root), total - 1);
}

#[test]
fn identical_findings_are_counted_not_merged() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect(".git");
    std::fs::write(root.join("prodlint.toml"), "select = [\"DKR003\"]\n").expect("config");
    // The second stage and a third have the same text and the same neighbours.
    let stage = "FROM python\nRUN echo hi\n";
    std::fs::write(root.join("Dockerfile"), stage.repeat(2)).expect("write");
    assert_eq!(findings(root, &["."]).len(), 2);
    assert_eq!(
        prodlint(root, &["check", "--write-baseline", "b.json", "."]).code,
        0
    );
    // A third identical stage: one new finding, the last.
    std::fs::write(root.join("Dockerfile"), stage.repeat(3)).expect("write");
    assert_eq!(
        findings(root, &["--baseline", "b.json", "."]),
        [("Dockerfile".to_string(), 5, "DKR003".to_string())].into()
    );
    // SARIF carries the same fingerprints as the baseline.
    let sarif: Value =
        serde_json::from_str(&prodlint(root, &["check", "--output-format", "sarif", "."]).stdout)
            .expect("sarif");
    let prints: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["partialFingerprints"]["prodlint/v1"].as_str())
        .collect();
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("b.json")).expect("b"))
            .expect("json");
    let recorded: Vec<&str> = baseline["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["fingerprint"].as_str())
        .collect();
    assert_eq!(prints[..2], recorded[..]);
    assert!(
        prints[2].ends_with(":2") && prints[1].ends_with(":1"),
        "{prints:?}"
    );
}

#[test]
fn a_broken_baseline_is_an_error() {
    let (_dir, root) = sentinel();
    std::fs::write(root.join("b.json"), "{\"entries\": 3}").expect("write");
    let run = prodlint(&root, &["check", "--baseline", "b.json", "."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a prodlint baseline"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    let run = prodlint(&root, &["check", "--baseline", "missing.json", "."]);
    assert_eq!(run.code, 2);
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
}

#[test]
fn suppress_comments_every_finding_and_keeps_each_file_as_it_was() {
    let (_dir, root) = sentinel();
    // A Python file with a byte-order mark and CRLF line endings.
    let crlf = root.join("backend/app/settings.py");
    std::fs::write(
        &crlf,
        "\u{feff}import os\r\nSECRET_KEY = \"abcdefghijklmnop1234\"\r\n",
    )
    .expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let script = root.join("scripts/deploy.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o750)).expect("chmod");
    }
    let before = findings(&root, &["."]);
    assert!(
        before
            .iter()
            .any(|(p, _, c)| p == "backend/app/settings.py" && c == "SEC001"),
        "{before:?}"
    );
    let run = prodlint(&root, &["suppress", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("prodlint: suppressed "),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not changed"), "{}", run.stderr);
    // Left alone: the deploy job's `script: |` of appleboy/ssh-action (lines 100-104), a YAML
    // block of text whose language prodlint does not know, so no `#` goes into it.
    assert!(
        run.stderr
            .contains("suppressed 64 findings in 15 files; 5 left as they are"),
        "{}",
        run.stderr
    );
    let left = findings(&root, &["."]);
    assert_eq!(left.len(), 5, "{left:?}");
    assert!(
        left.iter()
            .all(|(p, l, _)| p == ".github/workflows/ci.yml" && (100..=104).contains(l)),
        "{left:?}"
    );
    // Everything else is gone, and no suppression is unused.
    let run = prodlint(
        &root,
        &[
            "check",
            "--output-format",
            "concise",
            "--ignore",
            "DEP,GHA009",
            ".",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.starts_with("No findings in "), "{}", run.stdout);
    let text = std::fs::read(&crlf).expect("read");
    assert_eq!(
        String::from_utf8(text).expect("utf8"),
        "\u{feff}import os\r\nSECRET_KEY = \"abcdefghijklmnop1234\"  # prodlint: ignore[SEC001]\r\n"
    );
    // The shebang stays first; the script keeps its mode.
    let script = std::fs::read_to_string(root.join("scripts/deploy.sh")).expect("read");
    assert!(script.starts_with("#!/bin/bash\n"), "{script}");
    #[cfg(unix)]
    assert_eq!(mode(&root.join("scripts/deploy.sh")), 0o750);
    // A Dockerfile instruction gets its comment on the line above.
    let dockerfile = std::fs::read_to_string(root.join("backend/Dockerfile")).expect("read");
    assert!(
        dockerfile.contains("# prodlint: ignore[DKR010]\nFROM python:3.11-slim as builder\n"),
        "{dockerfile}"
    );
    // A second run has nothing to do.
    let run = prodlint(&root, &["suppress", "."]);
    assert!(
        run.stderr.contains("suppressed 0 findings in 0 files"),
        "{}",
        run.stderr
    );
}

#[test]
fn suppress_leaves_a_file_alone_when_the_comment_would_land_in_a_string() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect(".git");
    std::fs::write(root.join("prodlint.toml"), "").expect("config");
    let text = "def f(cursor, name):\n    cursor.execute(f\"\"\"SELECT * FROM users\n        WHERE name = '{name}'\"\"\")\n";
    std::fs::write(root.join("app.py"), text).expect("write");
    let before = findings(root, &["."]);
    assert!(!before.is_empty());
    let run = prodlint(root, &["suppress", "."]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("app.py: not changed"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(root.join("app.py")).expect("read"),
        text
    );
    assert_eq!(findings(root, &["."]), before);
}

#[test]
fn suppress_select_writes_only_the_named_rules() {
    let (_dir, root) = sentinel();
    assert_eq!(
        prodlint(&root, &["suppress", "--select", "DKR", "."]).code,
        0
    );
    let after = findings(&root, &["."]);
    assert!(
        after.iter().all(|(_, _, c)| !c.starts_with("DKR")),
        "{after:?}"
    );
    assert!(
        after.iter().any(|(_, _, c)| c.starts_with("GHA")),
        "{after:?}"
    );
}
