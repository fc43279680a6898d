//! FastAPI and Pydantic rules (API): route handlers that block, sessions, request bodies,
//! exception handlers, validators, password and email fields, CORS and rate limiting. Rules of
//! this family and their registration list (see rules/mod.rs); the function walks they share
//! are in `src/python/functions.rs`.

pub mod blocking_call_in_async;
pub mod blocking_work_in_request;
pub mod cors_wildcard_with_credentials;
pub mod email_field_not_validated;
pub mod missing_exception_handlers;
pub mod missing_rate_limiting;
pub mod pydantic_v1_validator;
pub mod session_without_dependency;
pub mod sync_route_handler;
pub mod untyped_request_body;
pub mod weak_password_field;

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        sync_route_handler::META,
        Check::Python(sync_route_handler::check),
    ),
    (
        blocking_call_in_async::META,
        Check::Python(blocking_call_in_async::check),
    ),
    (
        session_without_dependency::META,
        Check::Python(session_without_dependency::check),
    ),
    (
        untyped_request_body::META,
        Check::Python(untyped_request_body::check),
    ),
    (
        missing_exception_handlers::META,
        Check::Project(missing_exception_handlers::check),
    ),
    (
        pydantic_v1_validator::META,
        Check::Python(pydantic_v1_validator::check),
    ),
    (
        weak_password_field::META,
        Check::Python(weak_password_field::check),
    ),
    (
        email_field_not_validated::META,
        Check::Python(email_field_not_validated::check),
    ),
    (
        cors_wildcard_with_credentials::META,
        Check::Python(cors_wildcard_with_credentials::check),
    ),
    (
        missing_rate_limiting::META,
        Check::Project(missing_rate_limiting::check),
    ),
    (
        blocking_work_in_request::META,
        Check::Python(blocking_work_in_request::check),
    ),
];
