//! API006: a Pydantic model field for a password typed `str` with no `min_length` of at least 8.

use super::{is_login_form, is_request_model};
use crate::python::pydantic::{fields, kind_of_class, str_field, validated_fields, ModelKind};
use crate::python::PythonModule;
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_stmt, Visitor};
use ruff_python_ast::Stmt;

pub const META: &str = include_str!("weak_password_field.toml");

const MIN: i64 = 8;

/// Words that make `<word>_password` the service's credential for another system (a Redis,
/// LDAP bind or SMTP password an admin form passes through), not a password a user chooses.
const SERVICE_WORDS: &[&str] = &[
    "redis",
    "db",
    "database",
    "postgres",
    "postgresql",
    "pg",
    "mysql",
    "mongo",
    "mongodb",
    "smtp",
    "mail",
    "imap",
    "ldap",
    "dn",
    "bind",
    "proxy",
    "broker",
    "amqp",
    "rabbitmq",
    "kafka",
    "s3",
    "ftp",
    "sftp",
    "ssh",
    "vault",
    "keystore",
    "truststore",
    "jupyter",
    "api",
    "client",
    "service",
    "bot",
    "app",
];

/// `password`, `*_password`, `passwd`, `secret`; not a stored hash (`hashed_password`), not
/// the current password a change-password form asks for (it was set under the old policy), not
/// a setting in capitals (`ADMIN_PASSWORD`) and not another system's credential
/// (`redis_password`, `app_dn_password`).
fn is_password_name(name: &str) -> bool {
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        return false;
    }
    let n = name.to_ascii_lowercase();
    if n.contains("hash") || n.starts_with("current_") || n.starts_with("old_") {
        return false;
    }
    if let Some(prefix) = n.strip_suffix("_password") {
        return !prefix.split('_').any(|w| SERVICE_WORDS.contains(&w));
    }
    n == "password" || n == "passwd" || n == "secret"
}

struct Finder<'m, 'p, 'c, 'o> {
    module: &'m PythonModule<'p>,
    ctx: &'c mut Ctx<'o>,
}

impl<'a> Visitor<'a> for Finder<'_, '_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::ClassDef(class) = stmt {
            let kind = kind_of_class(self.module.index, self.module.summary, class);
            // Settings hold the service's own credentials (a database password), not a
            // password a user chooses.
            if kind == Some(ModelKind::Model)
                && is_request_model(self.module, &class.name)
                && !is_login_form(&class.name)
            {
                let validated = validated_fields(self.module.summary, class);
                let fields = fields(class);
                // Beside `new_password`, `password` is the current one (open-webui's
                // UpdatePasswordForm).
                let has_new = fields
                    .iter()
                    .any(|f| f.name.eq_ignore_ascii_case("new_password"));
                for field in fields {
                    if !is_password_name(field.name)
                        || validated.iter().any(|v| v == field.name || v == "*")
                        || (has_new && field.name.eq_ignore_ascii_case("password"))
                    {
                        continue;
                    }
                    let info = str_field(self.module.summary, &field);
                    if !info.is_str {
                        continue;
                    }
                    let message = match info.min_length {
                        // An expression (`settings.MIN_PASSWORD_LENGTH`): cannot be judged.
                        Some(None) => continue,
                        Some(Some(n)) if n >= MIN => continue,
                        Some(Some(n)) => format!(
                            "password field `{}` accepts {n}-character passwords (`min_length={n}`, below {MIN})",
                            field.name
                        ),
                        None => format!(
                            "password field `{}` is a plain `str` with no `min_length`: an empty or one-character password passes validation",
                            field.name
                        ),
                    };
                    self.ctx.report(field.span.clone(), message).help(format!(
                        "declare `{}: str = Field(..., min_length={MIN})` (or `Annotated[str, StringConstraints(min_length={MIN})]`)",
                        field.name
                    ));
                }
            }
        }
        walk_stmt(self, stmt);
    }
}

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let mut finder = Finder { module, ctx };
    for stmt in &module.ast.body {
        finder.visit_stmt(stmt);
    }
}
