//! GHA002 words dated facts against today's date; `PRODLINT_TODAY` pins the clock. The real
//! binary on one workflow, with the clock set on either side of node20's removal (2026-09-23).

use assert_cmd::Command;

const WORKFLOW: &str = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

fn gha002_message(today: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    std::fs::write(dir.path().join("prodlint.toml"), "").expect("config");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("folders");
    std::fs::write(wf.join("ci.yml"), WORKFLOW).expect("workflow");
    let out = Command::new(env!("CARGO_BIN_EXE_prodlint"))
        .current_dir(dir.path())
        .env("PRODLINT_TODAY", today)
        .args([
            "check",
            ".",
            "--select",
            "GHA002",
            "--output-format",
            "concise",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.contains("GHA002"))
        .unwrap_or_else(|| panic!("no GHA002 finding in {text:?}"))
        .to_string()
}

#[test]
fn before_the_removal_it_is_announced() {
    let msg = gha002_message("2026-09-20");
    assert!(
        msg.contains("will remove node20 from the runner on 2026-09-23"),
        "{msg}"
    );
    assert!(
        msg.contains("has forced these actions onto node24 since 2026-06-16"),
        "{msg}"
    );
}

#[test]
fn after_the_removal_it_is_told_as_past() {
    let msg = gha002_message("2026-12-02");
    assert!(
        msg.contains("removed node20 from the runner on 2026-09-23"),
        "{msg}"
    );
    assert!(!msg.contains("will"), "{msg}");
    assert!(!msg.contains("schedul"), "{msg}");
}
