//! API006: a Pydantic model field for a password typed `str` with no `min_length` of at least 8.
//!
//! Judged only where a password is chosen: not in a login form (by its class name, or a model
//! only posted to login/token routes), not for a password a route checks against the stored
//! one (re-authentication before a sensitive action), not in stored credentials for another
//! system (`*Credential` models), not in a confirmation field beside the real one. A request
//! model inherits the password fields of the login model it extends (`UserInCreate(UserInLogin)`).

use crate::python::apps::{is_login_form, is_request_model};
use crate::python::pydantic::{
    fields, kind_of_class, str_field, validated_fields, Field, ModelKind, ModelRoute,
};
use crate::python::PythonModule;
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_stmt, Visitor};
use ruff_python_ast::{Stmt, StmtClassDef};
use std::collections::HashMap;

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
    "email",
    "notifications",
    "master",
    "vault",
    "wallet",
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

/// A confirmation typed twice (`confirm_password`, `password_repeat`, `passwordConfirm`): the
/// length rule belongs on the field it repeats.
fn is_confirmation(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["confirm", "repeat", "again", "verify", "retype"]
        .iter()
        .any(|w| n.contains(w))
}

/// The routes that take a class directly (empty when it only reaches the API nested or
/// inherited).
pub fn routes_of<'i>(module: &'i PythonModule<'_>, class: &StmtClassDef) -> &'i [ModelRoute] {
    let qualname = if module.summary.module.is_empty() {
        class.name.id.to_string()
    } else {
        format!("{}.{}", module.summary.module, class.name.id)
    };
    module
        .index
        .model_routes()
        .get(&qualname)
        .map_or(&[], Vec::as_slice)
}

/// Route words of a sign-in: `POST /login`, `/auth/token`, `def signin(...)`.
const LOGIN_ROUTE: &[&str] = &[
    "login",
    "signin",
    "logon",
    "token",
    "authenticate",
    "authorize",
];

/// A login form whatever its class name: named so, or taken only by login routes.
pub fn is_login_model(module: &PythonModule<'_>, class: &StmtClassDef) -> bool {
    let routes = routes_of(module, class);
    is_login_form(&class.name) || (!routes.is_empty() && routes.iter().all(|r| r.says(LOGIN_ROUTE)))
}

/// What a request model is for, when that makes its string fields something other than
/// values a user chooses: a read model nested in a request (`*Read`, `*Out`, `*Public`), a
/// preview.
pub fn not_chosen_here(module: &PythonModule<'_>, class: &StmtClassDef) -> bool {
    let name = class.name.id.as_str();
    let lower = name.to_ascii_lowercase();
    let routes = routes_of(module, class);
    let read_model = ["Read", "Out", "Public", "Response", "View"]
        .iter()
        .any(|s| name.ends_with(s))
        && routes.is_empty();
    read_model
        || lower.contains("preview")
        || (!routes.is_empty() && routes.iter().all(|r| r.says(&["preview"])))
}

struct Finder<'m, 'p, 'c, 'o, 'a> {
    module: &'m PythonModule<'p>,
    ctx: &'c mut Ctx<'o>,
    /// Module-level classes by name, to read the fields a class inherits from its bases here.
    classes: HashMap<&'a str, &'a StmtClassDef>,
}

/// What a password field is found in: the class itself, or a login model it inherits from.
struct Candidate<'a> {
    field: Field<'a>,
    from: Option<&'a str>,
}

impl<'a> Finder<'_, '_, '_, '_, 'a> {
    /// Password fields inherited from same-module bases that are not judged themselves (a login
    /// form extended into a registration form).
    fn inherited(&self, class: &'a StmtClassDef, depth: u8, out: &mut Vec<Candidate<'a>>) {
        if depth > 6 {
            return;
        }
        for base in class.bases() {
            let ruff_python_ast::Expr::Name(n) = base else {
                continue;
            };
            let Some(parent) = self.classes.get(n.id.as_str()) else {
                continue;
            };
            if !is_login_model(self.module, parent) {
                continue;
            }
            for field in fields(parent) {
                out.push(Candidate {
                    field,
                    from: Some(parent.name.id.as_str()),
                });
            }
            self.inherited(parent, depth + 1, out);
        }
    }

    fn judge(&mut self, class: &'a StmtClassDef) {
        let module = self.module;
        let kind = kind_of_class(module.index, module.summary, class);
        // Settings hold the service's own credentials (a database password), not a password
        // a user chooses.
        if kind != Some(ModelKind::Model)
            || !is_request_model(module, &class.name)
            || is_login_model(module, class)
            || not_chosen_here(module, class)
            // Stored credentials of another system (a website login kept for the user): their
            // password's length is that system's business. Their e-mail is still judged.
            || class.name.id.to_ascii_lowercase().contains("credential")
        {
            return;
        }
        let validated = validated_fields(module.summary, class);
        let mut candidates: Vec<Candidate<'a>> = fields(class)
            .into_iter()
            .map(|field| Candidate { field, from: None })
            .collect();
        self.inherited(class, 0, &mut candidates);
        // Beside `new_password`, `password` is the current one (open-webui's
        // UpdatePasswordForm).
        let has_new = candidates
            .iter()
            .any(|c| c.field.name.eq_ignore_ascii_case("new_password"));
        let has_confirmation = candidates.iter().any(|c| is_confirmation(c.field.name));
        let routes = routes_of(module, class);
        let reauth =
            !has_confirmation && !routes.is_empty() && routes.iter().all(|r| r.verifies_password);
        let own_password = candidates
            .iter()
            .any(|c| is_password_name(c.field.name) && !is_confirmation(c.field.name));
        for c in &candidates {
            let field = &c.field;
            let name = field.name;
            let plain = name.eq_ignore_ascii_case("password");
            if !is_password_name(name)
                || validated.iter().any(|v| v == name || v == "*")
                || (has_new && plain)
                || (reauth && !name.to_ascii_lowercase().starts_with("new"))
                || (own_password && is_confirmation(name))
            {
                continue;
            }
            let info = str_field(module.summary, field);
            if !info.is_str {
                continue;
            }
            let what = match c.from {
                Some(parent) => format!("password field `{name}` (inherited from `{parent}`)"),
                None => format!("password field `{name}`"),
            };
            let message = match info.min_length {
                // An expression (`settings.MIN_PASSWORD_LENGTH`): cannot be judged.
                Some(None) => continue,
                Some(Some(n)) if n >= MIN => continue,
                Some(Some(n)) => format!(
                    "{what} accepts {n}-character passwords (`min_length={n}`, below {MIN})"
                ),
                None => format!(
                    "{what} is a plain `str` with no `min_length`: an empty or one-character password passes validation"
                ),
            };
            // An inherited field is reported on the class that makes it a password to choose.
            let span = match c.from {
                Some(_) => crate::python::span_of(&class.name),
                None => field.span.clone(),
            };
            self.ctx.report(span, message).help(format!(
                "declare `{name}: str = Field(..., min_length={MIN})` (or `Annotated[str, StringConstraints(min_length={MIN})]`)"
            ));
        }
    }
}

impl<'a> Visitor<'a> for Finder<'_, '_, '_, '_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::ClassDef(class) = stmt {
            self.judge(class);
        }
        walk_stmt(self, stmt);
    }
}

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let classes = module
        .ast
        .body
        .iter()
        .filter_map(|s| match s {
            Stmt::ClassDef(c) => Some((c.name.id.as_str(), c)),
            _ => None,
        })
        .collect();
    let mut finder = Finder {
        module,
        ctx,
        classes,
    };
    for stmt in &module.ast.body {
        finder.visit_stmt(stmt);
    }
}
