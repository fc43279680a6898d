//! The example repositories: `sentinel` is the audit checklist's own snippets rebuilt as a
//! repository and must get exactly the findings listed here; `wellbuilt` must get none.
//! Later rule families extend the sentinel list.

mod common;

use common::{diff, findings, lint_project, Finding};
use std::collections::BTreeSet;
use std::path::Path;

fn repo(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/repos")
        .join(name)
}

fn set(items: &[(&str, usize, &str)]) -> BTreeSet<Finding> {
    items
        .iter()
        .map(|(p, l, c)| (p.to_string(), *l, c.to_string()))
        .collect()
}

#[test]
fn sentinel_gets_exactly_the_checklist_findings() {
    let root = repo("sentinel");
    let actual = findings(&lint_project(&root, &[]), &root);
    let expected = set(&[
        // §3.1: `def get_users()` with `db.query(User).all()` is a sync path operation.
        ("backend/app/main.py", 21, "API001"),
        // §4.3 Dockerfile: the runtime stage copies /root/.local and runs as `sentinel`;
        // `COPY . .` with no .dockerignore in backend/; `FROM python:3.11-slim as builder`.
        ("backend/Dockerfile", 16, "DKR006"),
        ("backend/Dockerfile", 1, "DKR009"),
        ("backend/Dockerfile", 2, "DKR010"),
        // §4.1 workflow.
        (".github/workflows/ci.yml", 3, "GHA006"), // no permissions anywhere
        (".github/workflows/ci.yml", 33, "GHA002"), // actions/checkout@v3 (node16)
        (".github/workflows/ci.yml", 36, "GHA002"), // actions/setup-python@v4 (node16)
        (".github/workflows/ci.yml", 52, "GHA004"), // pytest --cov without a threshold
        (".github/workflows/ci.yml", 55, "GHA001"), // codecov/codecov-action@v3: third-party tag
        (".github/workflows/ci.yml", 55, "GHA002"), // codecov-action@v3 (node16)
        (".github/workflows/ci.yml", 62, "GHA002"), // actions/checkout@v3 in lint
        (".github/workflows/ci.yml", 65, "GHA012"), // pip install black flake8 mypy, unpinned
        (".github/workflows/ci.yml", 67, "PCM005"), // CI flake8 at its default 79 vs black 88
        (".github/workflows/ci.yml", 76, "GHA002"), // actions/checkout@v3 in build
        (".github/workflows/ci.yml", 80, "GHA009"), // docker-compose build
        (".github/workflows/ci.yml", 84, "GHA007"), // echo ${{ secrets.DOCKER_PASSWORD }} | docker login
        (".github/workflows/ci.yml", 85, "GHA009"), // docker-compose push
        (".github/workflows/ci.yml", 87, "GHA005"), // deploy job without environment
        (".github/workflows/ci.yml", 87, "GHA010"), // deploy job without concurrency
        (".github/workflows/ci.yml", 94, "GHA001"), // appleboy/ssh-action@master
        (".github/workflows/ci.yml", 100, "DEP003"), // remote script without set -e
        (".github/workflows/ci.yml", 102, "GHA009"), // docker-compose pull (on the host: W)
        (".github/workflows/ci.yml", 103, "GHA009"), // docker-compose up -d
        (".github/workflows/ci.yml", 104, "DEP001"), // alembic upgrade after the rollout
        (".github/workflows/ci.yml", 104, "GHA009"), // docker-compose exec
        // §4.2 pre-commit config.
        (".pre-commit-config.yaml", 17, "PCM004"), // --ignore=E203,W503 replaces the defaults
        (".pre-commit-config.yaml", 21, "PCM005"), // flake8 100 vs black 88
        (".pre-commit-config.yaml", 23, "PCM003"), // additional_dependencies: [types-all]
        // §4.4 committed production env file.
        ("config/production.env", 3, "SEC002"),
        ("config/production.env", 5, "SEC002"),
        ("config/production.env", 6, "SEC002"),
        // §4.4 deploy script.
        ("scripts/deploy.sh", 1, "DEP003"),  // no set -e
        ("scripts/deploy.sh", 12, "DEP002"), // export $(cat config/${ENV}.env | xargs)
        ("scripts/deploy.sh", 15, "GHA009"), // docker-compose (W in scripts)
        ("scripts/deploy.sh", 18, "DEP001"), // alembic upgrade after up -d
        ("scripts/deploy.sh", 18, "GHA009"),
        ("scripts/deploy.sh", 21, "DEP004"), // sleep 10 then one curl -f
        // §2: `relationship("Organization")` without lazy= in a project on AsyncSession. Its
        // foreign keys are covered by sql/indexes.sql (the §2.2 idx_users_org_id and the
        // composite idx_events_org_timestamp that leads with organization_id).
        ("backend/app/models.py", 22, "DB005"),
        // The checklist's quick audit commands use docker-compose v1 throughout.
        ("scripts/audit.sh", 9, "GHA009"),
        ("scripts/audit.sh", 10, "GHA009"),
        ("scripts/audit.sh", 13, "GHA009"),
        ("scripts/audit.sh", 24, "GHA009"),
        // §1 compose stack (docker-compose.yml, written from the checklist's commands).
        // §1.1: one `etcd` service (`docker-compose exec etcd etcdctl member list`) is a
        // cluster of one: no failure tolerance, so Patroni cannot fail over without it.
        ("docker-compose.yml", 19, "HA008"),
        // etcd is what both Patroni members `depends_on`, with no healthcheck and no restart.
        ("docker-compose.yml", 19, "HA003"),
        ("docker-compose.yml", 19, "HA005"),
        // The Patroni members `postgres` and `replica1` (the two rows of `patronictl list`),
        // `redis-master` and the uvicorn `backend` (§1.3) have no healthcheck and no restart
        // policy; `redis-sentinel` has no restart policy (HA003 does not ask sentinels for a
        // healthcheck).
        ("docker-compose.yml", 23, "HA003"),
        ("docker-compose.yml", 23, "HA005"),
        ("docker-compose.yml", 28, "HA003"),
        ("docker-compose.yml", 28, "HA005"),
        ("docker-compose.yml", 33, "HA003"),
        ("docker-compose.yml", 33, "HA005"),
        ("docker-compose.yml", 36, "HA005"),
        ("docker-compose.yml", 44, "HA003"),
        ("docker-compose.yml", 44, "HA005"),
        // §1.2: `sentinel monitor mymaster redis-master 6379 2` with the one sentinel service
        // the commands use: a quorum of 2 that one sentinel can never reach, and fewer than the
        // three a majority ("2 de 3") needs.
        ("redis/sentinel.conf", 3, "HA006"),
        // §1.2 "Failover lento → Ajustar down-after-milliseconds": not set, so 30 s.
        ("redis/sentinel.conf", 3, "HA007"),
        // §2.1: Patroni's PostgreSQL parameters do not set log_min_duration_statement.
        ("patroni/patroni.yml", 13, "DB010"),
        // Not reported, rightly: DB008 (the §2.3 pool 20 + 10 × uvicorn's 1 worker × 1
        // replica = 30, or × 2 replicas = 60 with docker-compose.production.yml, against
        // Patroni's default max_connections of 100); HA009 (Patroni replicates); HA004 (the
        // list-form depends_on point at services without healthchecks, which HA003 reports).
        // §3 app-wide and Pydantic rules.
        // §3.4: `@validator` while requirements.txt says `pydantic>=2.9,<3`.
        ("backend/app/schemas.py", 10, "API005"),
        // The app (§3.3 handlers are there) has no rate limiter, no /health, /ready, /live
        // (§1.3), nothing disposes the §2.3 engine, and no metrics.
        ("backend/app/main.py", 14, "API010"),
        ("backend/app/main.py", 14, "HA001"),
        ("backend/app/main.py", 14, "HA002"),
        ("backend/app/main.py", 14, "OBS001"),
        // §2.3 engine: `poolclass=QueuePool` on create_async_engine raises at creation.
        ("backend/app/database.py", 11, "DB002"),
        // §2.1 slow-query SQL and the audit script's copy read the pre-PostgreSQL 13 columns.
        ("sql/slow_queries.sql", 6, "DB006"),
        ("scripts/audit.sh", 25, "DB006"),
    ]);
    assert!(
        actual == expected,
        "sentinel findings differ:\n{}",
        diff(&expected, &actual)
    );
}

#[test]
fn wellbuilt_is_silent() {
    let root = repo("wellbuilt");
    let actual = findings(&lint_project(&root, &[]), &root);
    assert!(
        actual.is_empty(),
        "the well-built repository got findings:\n{}",
        diff(&BTreeSet::new(), &actual)
    );
}

/// Linting one file (pre-commit, editor) still reads the rest of the project: the Pydantic
/// version comes from requirements.txt, the app's project rules from every module.
#[test]
fn one_file_still_sees_the_project() {
    use prodlint::engine::{lint, LintRequest};
    use prodlint::settings::{Overrides, Settings};
    let root = repo("sentinel");
    let lint_one = |rel: &str| {
        let settings = Settings::load(
            Some(&root.join("prodlint.toml")),
            &root,
            &Overrides::default(),
        )
        .expect("config");
        let request = LintRequest {
            paths: vec![root.join(rel)],
            stdin: None,
            jobs: Some(1),
            root: Some(root.clone()),
            per_project_config: None,
        };
        findings(&lint(&request, &settings).expect("lint"), &root)
    };
    let schemas = lint_one("backend/app/schemas.py");
    assert!(
        schemas.contains(&(
            "backend/app/schemas.py".to_string(),
            10,
            "API005".to_string()
        )),
        "{schemas:?}"
    );
    assert!(
        schemas.iter().all(|f| f.0 == "backend/app/schemas.py"),
        "only the named file is reported: {schemas:?}"
    );
    let main = lint_one("backend/app/main.py");
    for code in ["API001", "API010", "HA001", "HA002", "OBS001"] {
        assert!(
            main.iter().any(|f| f.2 == code),
            "{code} missing when main.py is linted alone: {main:?}"
        );
    }
}
