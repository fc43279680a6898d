//! Security rules (SEC): secrets in code, env files and compose, tokens without expiry, SQL and
//! HTML built from strings, cookies, debug mode, TLS verification and published database ports.
//! Rules of this family and their registration list (see rules/mod.rs).

pub mod committed_env_file;
pub mod compose_plaintext_password;
pub mod credentials;
pub mod database_port_published;
pub mod debug_enabled;
pub mod flow;
pub mod hardcoded_secret;
pub mod insecure_cookie;
pub mod jwt_without_expiry;
pub mod origin;
pub mod sql_string_formatting;
pub mod tls_verify_disabled;
pub mod unescaped_html;

use crate::registry::Check;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        hardcoded_secret::META,
        Check::Many(&[
            Check::Python(hardcoded_secret::name_check),
            Check::Text(hardcoded_secret::format_check),
        ]),
    ),
    (
        committed_env_file::META,
        Check::Dotenv(committed_env_file::check),
    ),
    (
        jwt_without_expiry::META,
        Check::Python(jwt_without_expiry::check),
    ),
    (
        sql_string_formatting::META,
        Check::Python(sql_string_formatting::check),
    ),
    (unescaped_html::META, Check::Python(unescaped_html::check)),
    (insecure_cookie::META, Check::Python(insecure_cookie::check)),
    (debug_enabled::META, Check::Python(debug_enabled::check)),
    (
        tls_verify_disabled::META,
        Check::Python(tls_verify_disabled::check),
    ),
    (
        compose_plaintext_password::META,
        Check::Project(compose_plaintext_password::check),
    ),
    (
        database_port_published::META,
        Check::Project(database_port_published::check),
    ),
];
