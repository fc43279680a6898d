//! API007: a Pydantic model field for an e-mail address typed `str` instead of `EmailStr`.
//!
//! Not judged where the address is not one to send mail to or store: a login form (by name or
//! by its routes), a forgot/reset-password lookup (an unknown address just finds no account),
//! a read model nested in a request, a preview value.

use super::weak_password_field::{is_login_model, not_chosen_here, routes_of};
use crate::python::apps::is_request_model;
use crate::python::pydantic::{fields, kind_of_class, str_field, validated_fields, ModelKind};
use crate::python::PythonModule;
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_stmt, Visitor};
use ruff_python_ast::Stmt;

pub const META: &str = include_str!("email_field_not_validated.toml");

fn is_email_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "email" || n.ends_with("_email")
}

struct Finder<'m, 'p, 'c, 'o> {
    module: &'m PythonModule<'p>,
    ctx: &'c mut Ctx<'o>,
}

impl<'a> Visitor<'a> for Finder<'_, '_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::ClassDef(class) = stmt {
            let kind = kind_of_class(self.module.index, self.module.summary, class);
            if kind == Some(ModelKind::Model)
                && is_request_model(self.module, &class.name)
                && !is_login_model(self.module, class)
                && !not_chosen_here(self.module, class)
                && !is_lookup(self.module, class)
            {
                let validated = validated_fields(self.module.summary, class);
                for field in fields(class) {
                    if !is_email_name(field.name)
                        || validated.iter().any(|v| v == field.name || v == "*")
                    {
                        continue;
                    }
                    let info = str_field(self.module.summary, &field);
                    if !info.is_str || info.pattern {
                        continue;
                    }
                    self.ctx
                        .report(
                            field.span.clone(),
                            format!(
                                "e-mail field `{}` is a plain `str`: any text passes as an address",
                                field.name
                            ),
                        )
                        .help(format!(
                            "declare `{}: EmailStr` (`from pydantic import EmailStr`, needs the `email-validator` package)",
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

/// Route and class words of an account lookup by address: forgot/reset password, resend a
/// verification mail.
const LOOKUP: &[&str] = &["forgot", "reset", "recover", "recovery", "resend", "lookup"];

fn is_lookup(module: &PythonModule<'_>, class: &ruff_python_ast::StmtClassDef) -> bool {
    let lower = class.name.id.to_ascii_lowercase();
    let routes = routes_of(module, class);
    LOOKUP.iter().any(|w| lower.contains(w))
        || (!routes.is_empty() && routes.iter().all(|r| r.says(LOOKUP)))
}
