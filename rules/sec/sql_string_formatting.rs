//! SEC004: SQL text built by interpolating values (f-string, `%`, `.format()`, `+`) and passed
//! to `text()`, `execute()` and the other raw-SQL entry points, directly or through a name
//! assigned in the same function.

use super::flow::{built, for_each_call, formatting, is_constant, Scope, SAFE, UNSAFE};
use crate::python::summary::Def;
use crate::python::{span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::{Expr, ExprCall, InterpolatedStringElement, Operator};
use std::collections::HashSet;

pub const META: &str = include_str!("sql_string_formatting.toml");

/// SQLAlchemy's `text()` (also re-exported by SQLModel): its argument is SQL by definition.
const TEXT: &[&str] = &[
    "sqlalchemy.text",
    "sqlalchemy.sql.text",
    "sqlalchemy.sql.expression.text",
    "sqlalchemy.sql.elements.text",
    "sqlmodel.text",
];
/// Methods that run raw SQL: DB-API cursors and SQLAlchemy connections/sessions (`execute`,
/// `exec_driver_sql`), sqlite3 `executescript`, asyncpg `fetch*`, Prisma `query_raw` /
/// `execute_raw`. The method name alone is not proof, so their argument must read as SQL.
const METHODS: &[&str] = &[
    "execute",
    "executemany",
    "executescript",
    "exec_driver_sql",
    "fetch",
    "fetchrow",
    "fetchval",
    "query_raw",
    "query_first",
    "execute_raw",
];

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    if is_migration(module) {
        return;
    }
    // `text(…)` calls whose values are bound later: `text(…).bindparams(…)` / `.params(…)`, or
    // `conn.execute(text(…), {…})`.
    let mut bound = HashSet::new();
    for_each_call(module.ast, |call, _| {
        if let Expr::Attribute(attr) = call.func.as_ref() {
            if matches!(attr.attr.as_str(), "params" | "bindparams") {
                if let Expr::Call(inner) = attr.value.as_ref() {
                    bound.insert(span_of(inner).start);
                }
            }
            if METHODS.contains(&attr.attr.as_str()) && passes_parameters(call) {
                if let Some(Expr::Call(inner)) = call.arguments.find_positional(0) {
                    bound.insert(span_of(inner).start);
                }
            }
        }
    });
    for_each_call(module.ast, |call, scope| {
        let Some(sink) = sink(module, call) else {
            return;
        };
        let at = span_of(call).start;
        let safe = |e: &Expr| safe_value(module, e, scope, at, 0);
        let Some(b) = built(sink.arg, scope, &safe) else {
            return;
        };
        if sink.needs_sql && !looks_like_sql(&b.text) {
            return;
        }
        // A value inside a quoted SQL literal (`'{name}'`) is a value, never structure.
        // Elsewhere an interpolation is structure (a table name, a placeholder list, a
        // fragment) when the statement binds its values, or is DDL, which cannot bind any.
        let quoted = quoted_value(&b.text, b.how);
        let binds = sink.binds || bound.contains(&at) || has_placeholders(&b.text);
        if !quoted && (binds || is_ddl(&b.text)) {
            return;
        }
        let how = b.how;
        let name = &sink.name;
        let message = match (b.through, quoted) {
            (Some(var), true) => format!("`{var}` is SQL built with {how} that puts a value inside a quoted SQL literal, passed to `{name}()`"),
            (Some(var), false) => format!("`{var}` is SQL built with {how} and passed to `{name}()`"),
            (None, true) => format!("SQL built with {how} puts a value inside a quoted SQL literal, passed to `{name}()`"),
            (None, false) => format!("SQL built with {how} is passed to `{name}()`"),
        };
        ctx.report(span_of(sink.arg), message).help(
            "bind values as parameters (`text(\"… WHERE id = :id\")` with `{\"id\": value}`, or `cursor.execute(\"… = %s\", (value,))`); identifiers that vary come from a fixed allow-list",
        );
    });
}

/// Alembic migrations run offline from code and the schema, not from requests; their SQL
/// names tables and indexes, which cannot be bound.
fn is_migration(module: &PythonModule<'_>) -> bool {
    module
        .summary
        .imports
        .values()
        .any(|q| q == "alembic.op" || q == "alembic.context")
}

struct Sink<'c> {
    name: String,
    arg: &'c Expr,
    /// The text must read as SQL (generic method names).
    needs_sql: bool,
    /// The call passes parameters along with the SQL.
    binds: bool,
}

fn passes_parameters(call: &ExprCall) -> bool {
    let args = &call.arguments;
    args.args.len() >= 2
        || args.args.iter().any(|a| matches!(a, Expr::Starred(_)))
        || args.keywords.iter().any(|k| {
            k.arg.as_ref().is_none_or(|a| {
                matches!(
                    a.as_str(),
                    "parameters" | "params" | "args" | "vars" | "values"
                )
            })
        })
}

/// The sink a call is, with its SQL argument.
fn sink<'c>(module: &PythonModule<'_>, call: &'c ExprCall) -> Option<Sink<'c>> {
    let args = &call.arguments;
    if let Some(q) = module.summary.qualify_expr(&call.func) {
        if TEXT.contains(&q.as_str()) {
            return Some(Sink {
                name: "text".into(),
                arg: args.find_argument_value("text", 0)?,
                needs_sql: false,
                binds: false,
            });
        }
    }
    let Expr::Attribute(attr) = call.func.as_ref() else {
        return None;
    };
    let method = attr.attr.as_str();
    if !METHODS.contains(&method) {
        return None;
    }
    let arg = args.find_positional(0).or_else(|| {
        ["statement", "query", "sql", "operation"]
            .iter()
            .find_map(|k| args.find_keyword(k).map(|k| &k.value))
    })?;
    Some(Sink {
        name: method.to_string(),
        arg,
        needs_sql: true,
        binds: passes_parameters(call),
    })
}

/// An unsafe value lands inside a single-quoted SQL literal: `'{x}'`, `'$.{key}'`,
/// `'%{x}%'`, `'%s'` (with `%` formatting), `'{}'` (with `.format()`).
fn quoted_value(text: &str, how: &str) -> bool {
    let mut in_quote = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // `''` inside a literal is an escaped quote; the toggles cancel out.
            '\'' => in_quote = !in_quote,
            // Statements are separated by the newline between assignments of a name.
            '\n' if !in_quote => {}
            c if c == UNSAFE && in_quote => return true,
            '%' if in_quote && how == "`%` formatting" => {
                if chars
                    .peek()
                    .is_some_and(|n| matches!(n, 's' | 'd' | 'r' | 'i' | 'f' | '('))
                {
                    return true;
                }
                if chars.peek() == Some(&'%') {
                    chars.next();
                }
            }
            '{' if in_quote && how == "`.format()`" => return true,
            _ => {}
        }
    }
    false
}

/// Bind placeholders in SQL text: `:name` (also `:{name}` built in), `?`, `%s`, `%(name)s`,
/// `$1`.
fn has_placeholders(text: &str) -> bool {
    let b = text.as_bytes();
    let colon_param = text.char_indices().any(|(i, c)| {
        c == ':'
            && (i == 0 || b[i - 1] != b':')
            && text[i + 1..]
                .chars()
                .next()
                .is_some_and(|n| n.is_ascii_alphabetic() || n == '_' || n == UNSAFE || n == SAFE)
    });
    let dollar = b.windows(2).any(|w| w[0] == b'$' && w[1].is_ascii_digit());
    colon_param || dollar || text.contains('?') || text.contains("%s") || text.contains("%(")
}

/// Statements that take identifiers and settings, never bound values.
fn is_ddl(text: &str) -> bool {
    const DDL: &[&str] = &[
        "create", "alter", "drop", "truncate", "comment", "grant", "revoke", "pragma", "vacuum",
        "analyze", "reindex", "refresh", "cluster", "notify", "listen", "set", "reset", "attach",
        "detach", "lock",
    ];
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| !w.is_empty())
        .is_some_and(|w| DDL.contains(&w.to_ascii_lowercase().as_str()))
}

/// A value that cannot carry request input into SQL text: constants, numbers (`len(x)`,
/// `int(x)`), placeholder lists (`", ".join(["%s"] * len(ids))`, `", ".join(f":p{i}" for i in
/// range(n))`), quote-doubled strings (`s.replace("'", "''")`), calls of the module's own
/// functions with constant arguments, loop variables over `range()`/`enumerate()` indexes or
/// constant collections, and names assigned only such values before `at`.
fn safe_value(module: &PythonModule<'_>, e: &Expr, scope: Scope<'_>, at: usize, depth: u8) -> bool {
    if is_constant(e) || super::origin::closed_value(module, e, scope) {
        return true;
    }
    let again = |x: &Expr| safe_value(module, x, scope, at, depth + 1);
    if depth > 4 {
        return false;
    }
    match e {
        Expr::Call(c) => match c.func.as_ref() {
            Expr::Name(n) if matches!(n.id.as_str(), "int" | "float" | "len" | "bool") => true,
            Expr::Name(n) => {
                let own = scope.defines_function(n.id.as_str())
                    || matches!(
                        module.summary.names.get(n.id.as_str()),
                        Some(Def::Function(_))
                    );
                own && c.arguments.args.iter().all(is_constant)
                    && c.arguments.keywords.iter().all(|k| is_constant(&k.value))
            }
            Expr::Attribute(a) if a.attr.as_str() == "join" => {
                matches!(a.value.as_ref(), Expr::StringLiteral(_))
                    && c.arguments
                        .find_positional(0)
                        .is_some_and(|it| safe_sequence(it, &again))
            }
            Expr::Attribute(a) if a.attr.as_str() == "replace" => {
                let args: Vec<Option<String>> = c
                    .arguments
                    .args
                    .iter()
                    .map(crate::python::string_value)
                    .collect();
                args.len() == 2
                    && args[0].as_deref() == Some("'")
                    && args[1].as_deref() == Some("''")
            }
            _ => false,
        },
        Expr::BinOp(b) if b.op == Operator::Mult => {
            let literalish = |x: &Expr| matches!(x, Expr::StringLiteral(_)) || literal_list(x);
            literalish(&b.left) || literalish(&b.right)
        }
        Expr::If(i) => again(&i.body) && again(&i.orelse),
        Expr::FString(_) => formatting(e, &again).is_none(),
        Expr::Name(n) => {
            let name = n.id.as_str();
            if scope.loop_bound_safely(name) {
                return true;
            }
            let assigned = scope.assignments_before(name, at);
            !assigned.is_empty() && assigned.iter().all(|a| again(a.value))
        }
        _ => false,
    }
}

fn literal_list(e: &Expr) -> bool {
    match e {
        Expr::List(l) => l.elts.iter().all(is_constant),
        Expr::Tuple(t) => t.elts.iter().all(is_constant),
        _ => false,
    }
}

/// A sequence of placeholders: literals, `["?"] * n`, or a comprehension over `range()` /
/// `enumerate()` producing literals or f-strings of its loop variables.
fn safe_sequence(e: &Expr, safe: &dyn Fn(&Expr) -> bool) -> bool {
    if literal_list(e) || safe(e) {
        return true;
    }
    let (elt, generators) = match e {
        Expr::ListComp(c) => (&c.elt, &c.generators),
        Expr::Generator(g) => (&g.elt, &g.generators),
        _ => return false,
    };
    let counted = generators.iter().all(|g| {
        matches!(&g.iter, Expr::Call(c)
            if matches!(c.func.as_ref(), Expr::Name(n) if matches!(n.id.as_str(), "range" | "enumerate")))
    });
    let loop_vars: Vec<&str> = generators
        .iter()
        .flat_map(|g| names_in(&g.target))
        .collect();
    match elt.as_ref() {
        e if is_constant(e) => true,
        Expr::FString(f) => counted && f.value.elements().all(|el| match el {
            InterpolatedStringElement::Literal(_) => true,
            InterpolatedStringElement::Interpolation(i) => {
                matches!(i.expression.as_ref(), Expr::Name(n) if loop_vars.contains(&n.id.as_str()))
            }
        }),
        _ => false,
    }
}

fn names_in(target: &Expr) -> Vec<&str> {
    match target {
        Expr::Name(n) => vec![n.id.as_str()],
        Expr::Tuple(t) => t.elts.iter().flat_map(names_in).collect(),
        _ => Vec::new(),
    }
}

/// Whether text reads as a SQL statement: it starts with a statement keyword, or pairs
/// `select … from`, `insert … into`, `update … set`, `delete … from`.
pub fn looks_like_sql(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    const STARTERS: &[&str] = &[
        "select", "insert", "update", "delete", "with", "create", "drop", "alter", "truncate",
        "grant", "revoke", "vacuum", "analyze", "explain", "copy", "pragma", "merge", "upsert",
        "replace",
    ];
    let has = |w: &str| words.contains(&w);
    words.first().is_some_and(|w| STARTERS.contains(w))
        || (has("select") && has("from"))
        || (has("insert") && has("into"))
        || (has("update") && has("set"))
        || (has("delete") && has("from"))
}

#[cfg(test)]
mod tests {
    use super::looks_like_sql;

    #[test]
    fn sql_sniffing() {
        assert!(looks_like_sql("SELECT * FROM users WHERE id = "));
        assert!(looks_like_sql("\n  delete from t where x = "));
        assert!(looks_like_sql("DROP TABLE "));
        assert!(!looks_like_sql("echo "));
        assert!(!looks_like_sql("Hello  world"));
    }
}
