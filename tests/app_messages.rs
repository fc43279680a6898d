//! What the fixture sets cannot show for the app-wide and Pydantic rules: the severity a finding
//! gets from the project's Pydantic version (API005) and the kinds HA001 names as missing.

mod common;

use prodlint::diagnostic::Severity;

use common::rule_findings as findings;

#[test]
fn pydantic_validator_severity_follows_the_project_version() {
    let v2 = findings(
        "API005_pydantic_v1_validator",
        "fire_checklist_v2_requirements",
        "API005",
    );
    assert_eq!(v2.len(), 1);
    assert_eq!(v2[0].0, Severity::Warning);
    assert!(v2[0].1.contains("pydantic>=2.9,<3"), "{}", v2[0].1);

    let from_code = findings(
        "API005_pydantic_v1_validator",
        "fire_v2_from_code",
        "API005",
    );
    assert!(from_code.iter().all(|(s, _)| *s == Severity::Warning));
    assert!(from_code[0].1.contains("ConfigDict"), "{}", from_code[0].1);

    let unknown = findings(
        "API005_pydantic_v1_validator",
        "fire_version_unknown",
        "API005",
    );
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].0, Severity::Info);
}

#[test]
fn template_health_check_counts_as_health() {
    let found = findings(
        "HA001_missing_health_endpoints",
        "fire_template_health_only",
        "HA001",
    );
    assert_eq!(found.len(), 1);
    let message = &found[0].1;
    // It names what it found and what is missing (liveness is judged only on request).
    assert!(
        message.contains("readiness") && message.contains("/utils/health-check"),
        "{message}"
    );
    assert!(!message.contains("health (`"), "{message}");
}

#[test]
fn route_prefix_reaches_a_router_in_a_namespace_package() {
    let found = findings(
        "API001_sync_route_handler",
        "fires_router_in_namespace_package",
        "API001",
    );
    assert_eq!(found.len(), 1);
    assert!(
        found[0].1.contains("(GET /catalog/items)"),
        "{}",
        found[0].1
    );
}

#[test]
fn a_service_on_sync_sessions_gets_one_info_finding_at_its_app() {
    let found = findings(
        "API001_sync_route_handler",
        "fires_project_serves_every_route_through_sync_session",
        "API001",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Severity::Info);
    assert!(
        found[0]
            .1
            .starts_with("5 routes take a synchronous `Session`"),
        "{}",
        found[0].1
    );
}
