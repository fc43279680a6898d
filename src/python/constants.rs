//! Literal values a module binds at its top level (`POOL_SIZE = 20`) and the literal defaults
//! of its class attributes (`class Settings(BaseSettings): DB_POOL_SIZE: int = 20`), so a rule
//! reading `create_engine(..., pool_size=settings.DB_POOL_SIZE)` in another module knows the
//! value. Defaults are read through the usual wrappers: `Field(20)`, `Field(default=20)`,
//! `os.getenv("X", "20")`, `config("X", default=20)` (starlette / decouple), `int(...)`.

use super::index::{PythonIndex, Target};
use super::span_of;
use super::summary::Def;
use crate::source::Span;
use ruff_python_ast::{Expr, FStringPart, InterpolatedStringElement, ModModule, Number, Stmt};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// An f-string: its text up to the first `{` (enough to read a URL's scheme).
    StrPrefix(String),
    /// A list, tuple or set of plain strings (`["*"]`, `("https://a", "https://b")`).
    StrList(Vec<String>),
    None,
}

impl Literal {
    /// The leading text of a string value, whole or partial.
    pub fn text_prefix(&self) -> Option<&str> {
        match self {
            Literal::Str(s) | Literal::StrPrefix(s) => Some(s),
            _ => None,
        }
    }
}

/// A bound literal and where it is written.
#[derive(Debug, Clone)]
pub struct Constant {
    pub value: Literal,
    pub span: Span,
}

/// Top-level names (`NAME`) and class attributes (`Class.attr`) bound to a literal, also inside
/// top-level `if`/`try` blocks. A name bound twice keeps its first binding.
pub fn collect(ast: &ModModule) -> HashMap<String, Constant> {
    let mut out = HashMap::new();
    for stmt in &ast.body {
        top_level(stmt, None, &mut out);
    }
    out
}

fn top_level(stmt: &Stmt, class: Option<&str>, out: &mut HashMap<String, Constant>) {
    let mut bind = |name: &str, value: &Expr| {
        if let Some(lit) = literal_default(value) {
            let key = match class {
                Some(c) => format!("{c}.{name}"),
                None => name.to_string(),
            };
            out.entry(key).or_insert(Constant {
                value: lit,
                span: span_of(value),
            });
        }
    };
    match stmt {
        Stmt::Assign(a) => {
            for target in &a.targets {
                if let Expr::Name(n) = target {
                    bind(n.id.as_str(), &a.value);
                }
            }
        }
        Stmt::AnnAssign(a) => {
            if let (Expr::Name(n), Some(value)) = (a.target.as_ref(), a.value.as_deref()) {
                bind(n.id.as_str(), value);
            }
        }
        Stmt::ClassDef(c) if class.is_none() => {
            for s in &c.body {
                top_level(s, Some(c.name.id.as_str()), out);
            }
        }
        Stmt::If(i) => {
            for s in i
                .body
                .iter()
                .chain(i.elif_else_clauses.iter().flat_map(|c| c.body.iter()))
            {
                top_level(s, class, out);
            }
        }
        Stmt::Try(t) => {
            for s in t.body.iter().chain(t.orelse.iter()) {
                top_level(s, class, out);
            }
        }
        _ => {}
    }
}

/// The literal an expression is, or defaults to.
pub fn literal_default(expr: &Expr) -> Option<Literal> {
    if let Some(lit) = literal(expr) {
        return Some(lit);
    }
    let Expr::Call(call) = expr else {
        return None;
    };
    let args = &call.arguments;
    let callee = super::dotted(&call.func).unwrap_or_default();
    let last = callee.rsplit('.').next().unwrap_or("");
    if let Some(k) = args.find_keyword("default") {
        return literal_default(&k.value);
    }
    // pydantic `Field(default_factory=lambda: ["*"])`
    if let Some(k) = args.find_keyword("default_factory") {
        return match &k.value {
            Expr::Lambda(l) => literal(&l.body),
            _ => None,
        };
    }
    match last {
        // `int(os.getenv("POOL_SIZE", "20"))`, `str(...)`
        "int" | "str" | "bool" | "float" if args.args.len() == 1 => {
            let inner = literal_default(&args.args[0])?;
            Some(match (last, inner) {
                ("int", Literal::Str(s)) => Literal::Int(s.trim().parse().ok()?),
                (_, other) => other,
            })
        }
        // `os.getenv("X", default)`, `os.environ.get("X", default)`, `config("X", 20)`.
        "getenv" | "get" | "config" if args.args.len() >= 2 => literal(&args.args[1]),
        // pydantic `Field(20, ...)`
        "Field" => args.args.first().and_then(literal),
        _ => None,
    }
}

/// A literal written as such.
pub fn literal(expr: &Expr) -> Option<Literal> {
    match expr {
        Expr::BooleanLiteral(b) => Some(Literal::Bool(b.value)),
        Expr::NoneLiteral(_) => Some(Literal::None),
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => i.as_i64().map(Literal::Int),
            Number::Float(f) => Some(Literal::Float(*f)),
            Number::Complex { .. } => None,
        },
        Expr::StringLiteral(s) => Some(Literal::Str(s.value.to_str().to_string())),
        Expr::FString(f) => {
            let mut prefix = String::new();
            for part in f.value.iter() {
                match part {
                    FStringPart::Literal(s) => prefix.push_str(&s.value),
                    FStringPart::FString(fs) => {
                        for element in fs.elements.iter() {
                            match element {
                                InterpolatedStringElement::Literal(l) => prefix.push_str(&l.value),
                                InterpolatedStringElement::Interpolation(_) => {
                                    return Some(Literal::StrPrefix(prefix))
                                }
                            }
                        }
                    }
                }
            }
            Some(Literal::Str(prefix))
        }
        Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) => {
            let elts = match expr {
                Expr::List(l) => &l.elts,
                Expr::Tuple(t) => &t.elts,
                Expr::Set(s) => &s.elts,
                _ => return None,
            };
            elts.iter()
                .map(|e| match e {
                    Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Literal::StrList)
        }
        Expr::UnaryOp(u) if matches!(u.op, ruff_python_ast::UnaryOp::USub) => {
            match literal(&u.operand)? {
                Literal::Int(i) => Some(Literal::Int(-i)),
                Literal::Float(f) => Some(Literal::Float(-f)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The literal a qualified name stands for: a module constant, or a class attribute default
/// reached through an instance (`settings = Settings()` then `settings.DB_POOL_SIZE`).
pub fn constant(index: &PythonIndex, qualified: &str) -> Option<Literal> {
    let (owner, attr) = qualified.rsplit_once('.')?;
    match index.resolve(qualified) {
        Target::Name(m, name, _) => {
            if let Some(c) = m.constants.get(name) {
                return Some(c.value.clone());
            }
        }
        Target::Module(_) | Target::External(_) => {}
    }
    match index.resolve(owner) {
        Target::Module(m) => m.constants.get(attr).map(|c| c.value.clone()),
        Target::Name(m, name, Def::Class { .. }) => m
            .constants
            .get(&format!("{name}.{attr}"))
            .map(|c| c.value.clone()),
        Target::Name(_, _, Def::Call { callee, .. }) => {
            class_attribute(index, &index.canonical(callee), attr, 0)
        }
        _ => None,
    }
}

/// A class attribute's literal default, looking through project base classes.
fn class_attribute(index: &PythonIndex, class: &str, attr: &str, depth: usize) -> Option<Literal> {
    if depth > 4 {
        return None;
    }
    let Target::Name(m, name, Def::Class { bases, .. }) = index.resolve(class) else {
        return None;
    };
    if let Some(c) = m.constants.get(&format!("{name}.{attr}")) {
        return Some(c.value.clone());
    }
    bases
        .iter()
        .find_map(|b| class_attribute(index, &index.canonical(b), attr, depth + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> HashMap<String, Constant> {
        let parsed = ruff_python_parser::parse_module(src).expect("parses");
        collect(parsed.syntax())
    }

    #[test]
    fn literals_and_defaults() {
        let src = "import os\nPOOL = 20\nURL = os.getenv('DATABASE_URL', 'sqlite:///x.db')\n\
                   SIZE = int(os.getenv('SIZE', '7'))\nDSN = f'postgresql+asyncpg://{u}@h/db'\n\
                   class Settings:\n    DB_POOL_SIZE: int = Field(default=15)\n    RECYCLE: int = 3600\n";
        let c = parse(src);
        assert_eq!(c["POOL"].value, Literal::Int(20));
        assert_eq!(c["URL"].value, Literal::Str("sqlite:///x.db".into()));
        assert_eq!(c["SIZE"].value, Literal::Int(7));
        assert_eq!(
            c["DSN"].value,
            Literal::StrPrefix("postgresql+asyncpg://".into())
        );
        assert_eq!(c["Settings.DB_POOL_SIZE"].value, Literal::Int(15));
        assert_eq!(c["Settings.RECYCLE"].value, Literal::Int(3600));
    }
}
