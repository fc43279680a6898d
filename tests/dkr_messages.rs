//! What the fixture sets cannot show for the Dockerfile rules: severities and wording.

mod common;

use prodlint::diagnostic::Severity;

use common::rule_findings as findings;

#[test]
fn a_tag_taken_from_a_build_argument_is_info_and_names_the_argument() {
    // `ARG TAG=latest` then `FROM python:${TAG}`: CI usually passes the tag; only a build that
    // does not gets `latest`.
    let found = findings(
        "DKR003_unpinned_base_image",
        "fires_arg_default_latest",
        "DKR003",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, Severity::Info);
    assert!(found[0].1.contains("--build-arg TAG="), "{}", found[0].1);

    let literal = findings("DKR003_unpinned_base_image", "fires_latest_tag", "DKR003");
    assert!(!literal.is_empty());
    assert!(literal.iter().all(|(s, _)| *s != Severity::Info));
}
