//! High-availability rules (HA): health endpoints and graceful shutdown of the app, compose
//! healthchecks, restart policies and start order, and the quorum and failover of Redis Sentinel,
//! etcd and PostgreSQL. Rules of this family and their registration list (see rules/mod.rs).

pub mod compose_depends_on_unhealthy;
pub mod compose_missing_healthcheck;
pub mod compose_missing_restart;
pub mod etcd_quorum;
pub mod missing_health_endpoints;
pub mod no_graceful_shutdown;
pub mod postgres_without_replica;
pub mod redis_sentinel_quorum;
pub mod redis_sentinel_slow_failover;
pub mod sentinel;

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        missing_health_endpoints::META,
        Check::Project(missing_health_endpoints::check),
    ),
    (
        no_graceful_shutdown::META,
        Check::Project(no_graceful_shutdown::check),
    ),
    (
        compose_missing_healthcheck::META,
        Check::Project(compose_missing_healthcheck::check),
    ),
    (
        compose_depends_on_unhealthy::META,
        Check::Project(compose_depends_on_unhealthy::check),
    ),
    (
        compose_missing_restart::META,
        Check::Project(compose_missing_restart::check),
    ),
    (
        redis_sentinel_quorum::META,
        Check::Project(redis_sentinel_quorum::check),
    ),
    (
        redis_sentinel_slow_failover::META,
        Check::Project(redis_sentinel_slow_failover::check),
    ),
    (etcd_quorum::META, Check::Project(etcd_quorum::check)),
    (
        postgres_without_replica::META,
        Check::Project(postgres_without_replica::check),
    ),
];
