//! A repository that fights back, built at test time: binary, oversized, badly encoded and
//! unparsable files, symlink loops, an unreadable file, a name that is not UTF-8, pathological
//! nesting. prodlint must finish (exit 0 or 1, never a panic or a signal), still report the one
//! ordinary finding, and account for every hostile file: a SUP002 finding, or a note on stderr
//! for what it skips.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

/// The 2 MiB default of `max-file-size`, plus a margin.
const OVERSIZED: u64 = 50 * 1024 * 1024;

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folders");
    }
    std::fs::write(path, bytes).expect("write file");
}

/// The hostile tree. Returns whether the unreadable file really is unreadable (it is not when
/// the tests run as root, which ignores permissions).
fn build_tree(root: &Path) -> bool {
    std::fs::create_dir(root.join(".git")).expect(".git");
    write(root, "prodlint.toml", b"");
    write(root, ".dockerignore", b".git\n");

    // The ordinary file with a known finding: DKR002 at 1:1.
    write(
        root,
        "ok/Dockerfile",
        b"FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
    );
    // Well-formed oddities that must lint cleanly: a BOM, CRLF line ends, PEP 758.
    write(
        root,
        "bom/Dockerfile",
        b"\xEF\xBB\xBFFROM python:3.12-slim\nUSER app\nCMD [\"python\"]\n",
    );
    write(
        root,
        "crlf/Dockerfile",
        b"FROM python:3.12-slim\r\nUSER app\r\nCMD [\"python\"]\r\n",
    );
    write(
        root,
        "app/pep758.py",
        b"try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    );
    write(root, "app/blank.py", "\n".repeat(100_000).as_bytes());

    // Skipped with a note.
    write(
        root,
        "binary/Dockerfile",
        b"FROM python\0\0\x01\x02\xff\xfe\0CMD\n",
    );
    let big = std::fs::File::create(root.join("big.Dockerfile")).expect("create big file");
    big.set_len(OVERSIZED).expect("grow big file (sparse)");

    // SUP002, one each.
    write(
        root,
        "latin1/Dockerfile",
        b"FROM python:3.12-slim\nLABEL author=\"Jos\xe9\"\nUSER app\n",
    );
    write(root, "app/latin1.py", b"name = \"Jos\xe9\"\n");
    write(
        root,
        "compose.yaml",
        b"services:\n  api:\n    image: [unclosed\n  db: {\n",
    );
    write(
        root,
        ".github/workflows/ci.yml",
        b"on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n   steps: - bad\n\t- tab\n",
    );
    write(root, "app/syntax.py", b"def broken(:\n    return\n");
    write(root, "deep/compose.yaml", "[".repeat(10_000).as_bytes());
    write(
        root,
        "deep/docker-compose.yml",
        format!("{}x\n", "- ".repeat(10_000)).as_bytes(),
    );
    write(
        root,
        "deep/nested.py",
        format!("x = {}1\n", "-".repeat(100_000)).as_bytes(),
    );
    write(root, "blank/Dockerfile", "\n".repeat(100_000).as_bytes());

    hostile_unix(root)
}

#[cfg(unix)]
fn hostile_unix(root: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;

    // A folder link to its parent, and two file links pointing at each other.
    std::fs::create_dir_all(root.join("loop")).expect("loop dir");
    std::os::unix::fs::symlink("..", root.join("loop/up")).expect("dir symlink");
    std::os::unix::fs::symlink("b.Dockerfile", root.join("loop/a.Dockerfile"))
        .expect("file symlink");
    std::os::unix::fs::symlink("a.Dockerfile", root.join("loop/b.Dockerfile"))
        .expect("file symlink");

    // A name that is not UTF-8: linted all the same (DKR002 at 1:1).
    let name = std::ffi::OsStr::from_bytes(b"weird-\xff\xfe.Dockerfile");
    std::fs::create_dir_all(root.join("names")).expect("names dir");
    std::fs::write(
        root.join("names").join(name),
        b"FROM python:3.12-slim\nCMD [\"python\"]\n",
    )
    .expect("non-UTF-8 name");

    // A FIFO named like a Dockerfile (opening it would block) and one without an extension
    // (whose shebang would be read): never opened during the walk or when named.
    for fifo in ["pipe/Dockerfile", "pipe/run"] {
        std::fs::create_dir_all(root.join("pipe")).expect("pipe dir");
        let made = std::process::Command::new("mkfifo")
            .arg(root.join(fifo))
            .status();
        if !made.is_ok_and(|s| s.success()) {
            write(
                root,
                fifo,
                b"FROM python:3.12-slim\nUSER app\nCMD [\"python\"]\n",
            );
        }
    }

    let unreadable = root.join("locked/Dockerfile");
    write(
        root,
        "locked/Dockerfile",
        b"FROM python:3.12-slim\nCMD [\"python\"]\n",
    );
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000))
        .expect("chmod 000");
    std::fs::read(&unreadable).is_err()
}

#[cfg(not(unix))]
fn hostile_unix(_root: &Path) -> bool {
    false
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(root: &Path, args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_prodlint"))
        .current_dir(root)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run prodlint");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let Some(code) = out.status.code() else {
        panic!(
            "prodlint died from a signal ({:?}) on {args:?}\nstderr: {stderr}",
            out.status
        )
    };
    assert!(
        code == 0 || code == 1,
        "exit {code} on {args:?}\nstderr: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflowed its stack"),
        "crash on {args:?}:\n{stderr}"
    );
    Outcome {
        code,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

fn findings_of(stdout: &str) -> Vec<Value> {
    let value: Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"));
    value.as_array().expect("array").clone()
}

fn has(findings: &[Value], path: &str, code: &str) -> bool {
    findings
        .iter()
        .any(|f| f["path"] == path && f["code"] == code)
}

#[test]
fn hostile_tree_is_linted_without_a_crash_or_a_lost_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let unreadable = build_tree(root);

    let out = run(root, &["check", "--output-format", "json", "."]);
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    let findings = findings_of(&out.stdout);
    let report = format!("{findings:#?}\nstderr:\n{}", out.stderr);

    // The ordinary finding survives its neighbours.
    assert!(
        findings
            .iter()
            .any(|f| f["path"] == "ok/Dockerfile" && f["code"] == "DKR002" && f["line"] == 1),
        "{report}"
    );

    // Every broken file: one SUP002, at a position inside the file.
    for path in [
        "latin1/Dockerfile",
        "app/latin1.py",
        "compose.yaml",
        ".github/workflows/ci.yml",
        "app/syntax.py",
        "deep/compose.yaml",
        "deep/docker-compose.yml",
        "deep/nested.py",
        "blank/Dockerfile",
    ] {
        let sup002: Vec<&Value> = findings
            .iter()
            .filter(|f| f["path"] == path && f["code"] == "SUP002")
            .collect();
        assert_eq!(sup002.len(), 1, "{path}: expected one SUP002\n{report}");
        assert!(
            sup002[0]["line"].as_u64().is_some_and(|l| l >= 1)
                && sup002[0]["column"].as_u64().is_some_and(|c| c >= 1),
            "{report}"
        );
    }
    // The invalid byte is located, not just the file.
    let latin1 = findings
        .iter()
        .find(|f| f["path"] == "latin1/Dockerfile")
        .expect("latin1");
    assert_eq!(
        (latin1["line"].as_u64(), latin1["column"].as_u64()),
        (Some(2), Some(18)),
        "{report}"
    );

    // Well-formed oddities: no parse error, and the BOM does not shift columns.
    for path in [
        "bom/Dockerfile",
        "crlf/Dockerfile",
        "app/pep758.py",
        "app/blank.py",
    ] {
        assert!(
            !findings.iter().any(|f| f["path"] == path),
            "{path} must lint cleanly\n{report}"
        );
    }

    // Skipped with a note naming the file, never silently.
    assert!(
        out.stderr
            .contains("skipped binary/Dockerfile: binary file"),
        "{report}"
    );
    assert!(
        out.stderr.contains("skipped big.Dockerfile:") && out.stderr.contains("max-file-size"),
        "{report}"
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["path"] == "binary/Dockerfile" || f["path"] == "big.Dockerfile"),
        "{report}"
    );

    if cfg!(unix) {
        // The non-UTF-8 name is linted (shown with U+FFFD).
        let weird = findings.iter().find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("names/weird-"))
        });
        assert!(
            weird.is_some_and(|f| f["code"] == "DKR002"),
            "non-UTF-8 file name lost\n{report}"
        );
        // The link loop neither hangs the walk nor lints a file twice.
        assert!(
            !findings
                .iter()
                .any(|f| f["path"].as_str().is_some_and(|p| p.starts_with("loop/"))),
            "{report}"
        );
        if unreadable {
            // Not a note that CI would ignore: a finding that fails the run.
            let locked = findings
                .iter()
                .find(|f| f["path"] == "locked/Dockerfile")
                .expect("unreadable file lost");
            assert_eq!(locked["code"], "SUP002", "{report}");
            assert!(
                locked["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("cannot read")),
                "{report}"
            );
        } else {
            // Running as root: the file is readable after all and linted like any other.
            assert!(has(&findings, "locked/Dockerfile", "DKR002"), "{report}");
        }
    }

    // No finding twice.
    let keys: Vec<String> = findings
        .iter()
        .map(|f| format!("{}:{}:{}:{}", f["path"], f["line"], f["column"], f["code"]))
        .collect();
    let unique: BTreeSet<&String> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "{report}");

    // Every other format renders the same tree.
    for format in ["concise", "human", "sarif", "github"] {
        let out = run(
            root,
            &["check", "--output-format", format, "--jobs", "2", "."],
        );
        assert_eq!(out.code, 1, "{format}");
        assert!(!out.stdout.contains('\x1b'), "{format}: raw ESC");
    }
    let out = run(root, &["check", "--output-format", "concise", "."]);
    assert!(
        out.stdout.contains("ok/Dockerfile:1:1: DKR002 [error]"),
        "{}",
        out.stdout
    );
}

#[test]
fn each_hostile_file_named_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    build_tree(root);
    let mut named = vec![
        "binary/Dockerfile",
        "big.Dockerfile",
        "latin1/Dockerfile",
        "app/latin1.py",
        "compose.yaml",
        ".github/workflows/ci.yml",
        "app/syntax.py",
        "app/pep758.py",
        "deep/compose.yaml",
        "deep/docker-compose.yml",
        "deep/nested.py",
        "blank/Dockerfile",
        "bom/Dockerfile",
        "crlf/Dockerfile",
    ];
    if cfg!(unix) {
        named.extend([
            "loop/a.Dockerfile",
            "loop/up",
            "locked/Dockerfile",
            "pipe/Dockerfile",
            "pipe/run",
        ]);
    }
    for path in named {
        // Every file alone still loads the facts of the whole tree (project rules); none of the
        // hostile neighbours may take the run down.
        let out = run(root, &["check", "--output-format", "json", path]);
        let findings = findings_of(&out.stdout);
        assert!(
            findings.iter().all(|f| f["path"]
                .as_str()
                .is_some_and(|p| p.starts_with(path) || path == "loop/up")),
            "{path}: findings outside the named file\n{findings:#?}"
        );
    }
    // A link loop named on the command line cannot be read: a finding, not a hang.
    if cfg!(unix) {
        let out = run(
            root,
            &["check", "--output-format", "json", "loop/a.Dockerfile"],
        );
        let findings = findings_of(&out.stdout);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0]["code"], "SUP002");
        assert!(
            findings[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("cannot read")),
            "{findings:#?}"
        );
        // A FIFO is not a regular file: a note, and no blocking open.
        let out = run(root, &["check", "pipe/Dockerfile", "pipe/run"]);
        assert_eq!(out.code, 0);
        if std::fs::symlink_metadata(root.join("pipe/Dockerfile")).is_ok_and(|m| !m.is_file()) {
            assert!(
                out.stderr
                    .contains("skipped pipe/Dockerfile: not a regular file"),
                "{}",
                out.stderr
            );
        }
    }
}

#[test]
fn hostile_stdin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect(".git");
    for (name, text) in [
        ("Dockerfile", "FROM python\0\0".to_string()),
        ("app/x.py", format!("x = {}1\n", "(".repeat(50_000))),
        ("compose.yaml", "- ".repeat(20_000)),
        (
            "Dockerfile",
            "\u{feff}FROM python:3.12-slim\r\nCMD [\"python\"]\r\n".to_string(),
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_prodlint"))
            .current_dir(root)
            .args([
                "check",
                "--output-format",
                "json",
                "--stdin-filename",
                name,
                "-",
            ])
            .write_stdin(text)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run prodlint");
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{name}: {:?}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
