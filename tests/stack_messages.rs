//! What the fixture sets cannot show for the compose stack rules: the severity and wording a
//! finding gets from the stack's stage (production, or nothing marks it) and from an explicit
//! `condition: service_started` (HA004).

mod common;

use prodlint::diagnostic::Severity;

use common::rule_findings as findings;

const NOTE: &str = "nothing marks this stack as production";

#[test]
fn published_port_on_a_production_stack_is_a_warning() {
    let found = findings(
        "SEC010_database_port_published",
        "fires_port_with_interpolated_default",
        "SEC010",
    );
    assert_eq!(found.len(), 2);
    for (severity, message) in &found {
        assert_eq!(*severity, Severity::Warning, "{message}");
        assert!(!message.contains(NOTE), "{message}");
    }
}

#[test]
fn published_port_on_an_unmarked_stack_is_info_and_says_why() {
    let found = findings(
        "SEC010_database_port_published",
        "fires_stack_nothing_marks_as_production",
        "SEC010",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, Severity::Info);
    assert!(found[0].1.contains(NOTE), "{}", found[0].1);
}

#[test]
fn a_deploy_script_marks_its_stack_as_production() {
    let deployed = findings(
        "HA009_postgres_without_replica",
        "fires_stack_deployed_over_ssh",
        "HA009",
    );
    assert_eq!(deployed.len(), 1);
    assert!(!deployed[0].1.contains(NOTE), "{}", deployed[0].1);
    let unmarked = findings(
        "HA009_postgres_without_replica",
        "fires_single_postgres",
        "HA009",
    );
    assert_eq!(unmarked.len(), 1);
    assert!(unmarked[0].1.contains(NOTE), "{}", unmarked[0].1);
}

#[test]
fn explicit_service_started_is_info() {
    let chosen = findings(
        "HA004_compose_depends_on_unhealthy",
        "fires_service_started_map",
        "HA004",
    );
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0].0, Severity::Info);
    let list = findings(
        "HA004_compose_depends_on_unhealthy",
        "fires_list_form",
        "HA004",
    );
    assert!(!list.is_empty());
    assert!(list.iter().all(|(s, _)| *s == Severity::Warning));
}
