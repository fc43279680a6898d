//! API009: `CORSMiddleware` allowing every origin together with `allow_credentials=True`.

use crate::diagnostic::Severity;
use crate::python::constants::{self, Literal};
use crate::python::{span_of, string_value, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Arguments, Expr, ExprCall, Stmt};
use std::collections::HashMap;

pub const META: &str = include_str!("cors_wildcard_with_credentials.toml");

/// Whether a sequence literal (or a bare string, which Starlette iterates) holds `"*"`:
/// `Some(true)` yes, `Some(false)` a literal without it, `None` not a literal.
fn literal_has_wildcard(expr: &Expr) -> Option<bool> {
    let elts = match expr {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        Expr::Set(s) => &s.elts,
        Expr::StringLiteral(s) => return Some(s.value.to_str() == "*"),
        _ => return None,
    };
    Some(elts.iter().any(|e| string_value(e).as_deref() == Some("*")))
}

/// Whether an `allow_origin_regex` matches any origin: `.*`, `^.+$`, `https?://.*`, ….
fn regex_matches_everything(pattern: &str) -> bool {
    let p = pattern.trim_start_matches('^').trim_end_matches('$');
    let any = |s: &str| matches!(s, ".*" | ".+" | "(.*)" | "(.+)" | ".*?" | ".+?");
    if any(p) {
        return true;
    }
    [
        "https?://",
        "http(s)?://",
        "(http|https)://",
        "https?:\\/\\/",
        "http.*",
    ]
    .iter()
    .any(|scheme| {
        p.strip_prefix(scheme)
            .is_some_and(|rest| rest.is_empty() || any(rest))
    })
}

/// Names assigned sequence literals in the module: `origins = ["*"]`. A name assigned more
/// than once keeps `Some(true)` only when every literal holds the wildcard; a name also
/// assigned something else is not judged.
struct Assignments(HashMap<String, Option<bool>>);

impl<'a> Visitor<'a> for Assignments {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let pairs: Vec<(&Expr, &Expr)> = match stmt {
            Stmt::Assign(a) => a.targets.iter().map(|t| (t, a.value.as_ref())).collect(),
            Stmt::AnnAssign(a) => a
                .value
                .as_deref()
                .map(|v| vec![(a.target.as_ref(), v)])
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for (target, value) in pairs {
            if let Expr::Name(n) = target {
                let this = literal_has_wildcard(value);
                let entry = self.0.entry(n.id.to_string()).or_insert(this);
                *entry = match (*entry, this) {
                    (Some(a), Some(b)) => Some(a && b),
                    _ => None,
                };
            }
        }
        walk_stmt(self, stmt);
    }
}

struct Finder<'m, 'p, 'c, 'o> {
    module: &'m PythonModule<'p>,
    names: HashMap<String, Option<bool>>,
    ctx: &'c mut Ctx<'o>,
}

fn is_cors(name: &str) -> bool {
    name.rsplit('.').next() == Some("CORSMiddleware")
}

impl Finder<'_, '_, '_, '_> {
    fn qualified(&self, expr: &Expr) -> String {
        let written = self.module.summary.qualify_expr(expr).unwrap_or_default();
        self.module.index.canonical(&written)
    }

    /// The keyword arguments configuring a `CORSMiddleware`, if this call configures one:
    /// `app.add_middleware(CORSMiddleware, …)`, `Middleware(CORSMiddleware, …)`,
    /// `CORSMiddleware(app, …)`.
    fn cors_arguments<'e>(&self, call: &'e ExprCall) -> Option<&'e Arguments> {
        let callee = self.qualified(&call.func);
        let first_is_cors = || {
            call.arguments
                .args
                .first()
                .or_else(|| {
                    call.arguments
                        .find_keyword("middleware_class")
                        .or_else(|| call.arguments.find_keyword("cls"))
                        .map(|k| &k.value)
                })
                .is_some_and(|a| is_cors(&self.qualified(a)))
        };
        let add_middleware = matches!(call.func.as_ref(), Expr::Attribute(a) if a.attr.id.as_str() == "add_middleware");
        let middleware = callee.rsplit('.').next() == Some("Middleware");
        if ((add_middleware || middleware) && first_is_cors()) || is_cors(&callee) {
            Some(&call.arguments)
        } else {
            None
        }
    }

    /// `allow_origins=settings.CORS_ORIGINS` (or an imported constant) whose default, read
    /// from the settings class or the module that binds it, holds `"*"`.
    fn wildcard_default(&self, value: &Expr) -> Option<String> {
        if let Expr::Name(n) = value {
            if self.names.contains_key(n.id.as_str()) {
                return None;
            }
        }
        if !matches!(value, Expr::Name(_) | Expr::Attribute(_)) {
            return None;
        }
        let written = crate::python::dotted(value)?;
        let qualified = self.qualified(value);
        let wildcard = match constants::constant(self.module.index, &qualified)? {
            Literal::StrList(items) => items.iter().any(|i| i == "*"),
            Literal::Str(s) => s.trim() == "*",
            _ => false,
        };
        wildcard.then(|| {
            format!(
                "`{written}` defaults to \"*\", and every deployment that does not set it runs so"
            )
        })
    }

    fn wildcard_origins(&self, args: &Arguments) -> Option<String> {
        if let Some(from_default) = args
            .find_keyword("allow_origins")
            .and_then(|k| self.wildcard_default(&k.value))
        {
            return Some(from_default);
        }
        if let Some(k) = args.find_keyword("allow_origins") {
            let wildcard = match &k.value {
                Expr::Name(n) => self.names.get(n.id.as_str()).copied().flatten(),
                other => literal_has_wildcard(other),
            };
            if wildcard == Some(true) {
                return Some(format!(
                    "`allow_origins` holds \"*\"{}",
                    match &k.value {
                        Expr::Name(n) => format!(" (`{}`)", n.id),
                        _ => String::new(),
                    }
                ));
            }
        }
        let regex = args
            .find_keyword("allow_origin_regex")
            .and_then(|k| string_value(&k.value))?;
        regex_matches_everything(&regex)
            .then(|| format!("`allow_origin_regex={regex:?}` matches every origin"))
    }
}

impl<'a> Visitor<'a> for Finder<'_, '_, '_, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Some(args) = self.cors_arguments(call) {
                let credentials = args
                    .find_keyword("allow_credentials")
                    .is_some_and(|k| matches!(&k.value, Expr::BooleanLiteral(b) if b.value));
                if credentials {
                    if let Some(why) = self.wildcard_origins(args) {
                        // A default may be overridden where it is deployed: a warning.
                        let from_default = why.contains(" defaults to ");
                        let report = self
                            .ctx
                            .report(
                                span_of(call),
                                format!(
                                    "CORSMiddleware allows every origin ({why}) with `allow_credentials=True`: Starlette then echoes any request's Origin back with credentials allowed, so any website can make authenticated requests with the user's cookies"
                                ),
                            )
                            .help("list the allowed origins explicitly (`allow_origins=[\"https://app.example.com\"]`), or drop `allow_credentials=True`");
                        if from_default {
                            report.severity(Severity::Warning);
                        }
                    }
                }
            }
        }
        walk_expr(self, expr);
    }
}

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let mut assignments = Assignments(HashMap::new());
    for stmt in &module.ast.body {
        assignments.visit_stmt(stmt);
    }
    let mut finder = Finder {
        module,
        names: assignments.0,
        ctx,
    };
    for stmt in &module.ast.body {
        finder.visit_stmt(stmt);
    }
}

#[cfg(test)]
mod tests {
    use super::regex_matches_everything;

    #[test]
    fn catch_all_regexes() {
        assert!(regex_matches_everything(".*"));
        assert!(regex_matches_everything("^.*$"));
        assert!(regex_matches_everything("https?://.*"));
        assert!(!regex_matches_everything(r"https://.*\.example\.com"));
        assert!(!regex_matches_everything("http://localhost:.*"));
    }
}
