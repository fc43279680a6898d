//! Observability rules (OBS): a metrics endpoint, logging instead of print, and alert rules for a
//! Prometheus that scrapes. Rules of this family and their registration list (see rules/mod.rs).

pub mod missing_metrics_endpoint;
pub mod print_instead_of_logging;
pub mod prometheus_without_alerts;

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        missing_metrics_endpoint::META,
        Check::Project(missing_metrics_endpoint::check),
    ),
    (
        print_instead_of_logging::META,
        Check::Python(print_instead_of_logging::check),
    ),
    (
        prometheus_without_alerts::META,
        Check::Project(prometheus_without_alerts::check),
    ),
];
