//! Where a value interpolated into SQL or HTML comes from, read from types and origins the
//! module states: a parameter annotated with an enum, a `Literal[...]`, a number or a
//! `ZoneInfo`; an enum member's `.value`; a table or column name from model metadata. Such a
//! value is one of a closed set the developer wrote, or a validated shape, never free text from
//! a request, a file or the environment.

use super::flow::Scope;
use crate::python::index::Target;
use crate::python::summary::Def;
use crate::python::{PythonIndex, PythonModule};
use ruff_python_ast::{Expr, Stmt};

/// Bases that make a class an enumeration (its members are the only values it takes).
const ENUM_BASES: &[&str] = &[
    "enum.Enum",
    "enum.StrEnum",
    "enum.IntEnum",
    "enum.Flag",
    "enum.IntFlag",
    "enum.ReprEnum",
    "strenum.StrEnum",
    "django.db.models.TextChoices",
    "django.db.models.IntegerChoices",
];

/// Types whose text form cannot carry SQL or markup: numbers, booleans, identifiers, dates
/// and validated time zones (`ZoneInfo` refuses any key that is not an IANA name).
const CLOSED_TYPES: &[&str] = &[
    "int",
    "float",
    "bool",
    "decimal.Decimal",
    "uuid.UUID",
    "datetime.datetime",
    "datetime.date",
    "datetime.time",
    "datetime.timedelta",
    "zoneinfo.ZoneInfo",
    "pydantic.UUID4",
    "pydantic.types.UUID4",
];

/// Whether `e` can only hold a value of a closed set or a validated shape.
pub fn closed_value(module: &PythonModule<'_>, e: &Expr, scope: Scope<'_>) -> bool {
    match e {
        Expr::Name(n) => {
            let name = n.id.as_str();
            if name == "self" || name == "cls" {
                return scope.class.is_some_and(|c| {
                    let bases: Vec<String> = c
                        .bases()
                        .iter()
                        .filter_map(|b| module.summary.qualify_expr(b))
                        .collect();
                    bases.iter().any(|b| is_enum(module.index, b, 0))
                });
            }
            scope
                .annotation(name)
                .is_some_and(|ann| closed_annotation(module, ann, 0))
        }
        Expr::Attribute(a) => {
            let attr = a.attr.as_str();
            if metadata_chain(e) {
                return true;
            }
            match attr {
                // `member.value` / `member.name` of an enum, `Enum.MEMBER.value`.
                "value" | "name" => {
                    enum_member(module, &a.value, scope) || metadata_item(&a.value, scope)
                }
                // `ZoneInfo.key`: the IANA name it was built from.
                "key" => closed_value(module, &a.value, scope) || metadata_item(&a.value, scope),
                _ => enum_class_member(module, e) || class_literal(module, e),
            }
        }
        _ => false,
    }
}

/// `Repo.table` / `registry.table` where the class body binds the attribute to a literal
/// (`table = "audit_log"`), read through the class or a module-level instance of it: the
/// developer's value. A settings class is not: its fields come from the environment.
fn class_literal(module: &PythonModule<'_>, e: &Expr) -> bool {
    use crate::python::index::Target;
    use crate::python::summary::Def;
    let Some(q) = module.summary.qualify_expr(e) else {
        return false;
    };
    let q = module.index.canonical(&q);
    let Some((owner, _)) = q.rsplit_once('.') else {
        return false;
    };
    let class_bases = match module.index.resolve(owner) {
        Target::Name(_, _, Def::Class { bases, .. }) => bases.clone(),
        Target::Name(_, _, Def::Call { callee, .. }) => {
            match module.index.resolve(&module.index.canonical(callee)) {
                Target::Name(_, _, Def::Class { bases, .. }) => bases.clone(),
                _ => return false,
            }
        }
        _ => return false,
    };
    let settings = matches!(
        crate::python::pydantic::kind_of_bases(module.index, &class_bases, 0),
        Some(crate::python::pydantic::ModelKind::Settings)
    );
    !settings && crate::python::constants::constant(module.index, &q).is_some()
}

/// An expression that is an enum member: `self` in an enum, a parameter typed with an enum,
/// or `EnumClass.MEMBER`.
fn enum_member(module: &PythonModule<'_>, e: &Expr, scope: Scope<'_>) -> bool {
    closed_value(module, e, scope) || enum_class_member(module, e)
}

fn enum_class_member(module: &PythonModule<'_>, e: &Expr) -> bool {
    let Expr::Attribute(a) = e else {
        return false;
    };
    module
        .summary
        .qualify_expr(&a.value)
        .is_some_and(|q| is_enum(module.index, &q, 0))
}

/// Whether an annotation names a closed type: an enum, `Literal[...]`, a number, a date, a
/// UUID, a `ZoneInfo`, optionally wrapped in `Optional`, `Annotated` or `| None`.
fn closed_annotation(module: &PythonModule<'_>, ann: &Expr, depth: u8) -> bool {
    if depth > 6 {
        return false;
    }
    match ann {
        Expr::Name(_) | Expr::Attribute(_) => {
            let Some(q) = module.summary.qualify_expr(ann) else {
                return false;
            };
            let canonical = module.index.canonical(&q);
            CLOSED_TYPES.contains(&canonical.as_str())
                || is_enum(module.index, &q, 0)
                || literal_alias(module.index, &q)
        }
        Expr::BinOp(b) => {
            let none = |x: &Expr| matches!(x, Expr::NoneLiteral(_));
            (none(&b.left) || closed_annotation(module, &b.left, depth + 1))
                && (none(&b.right) || closed_annotation(module, &b.right, depth + 1))
        }
        Expr::Subscript(s) => {
            let head = module.summary.qualify_expr(&s.value).unwrap_or_default();
            let last = head.rsplit('.').next().unwrap_or(&head);
            let first = match s.slice.as_ref() {
                Expr::Tuple(t) => t.elts.first(),
                other => Some(other),
            };
            match last {
                "Literal" => true,
                "Optional" | "Annotated" => {
                    first.is_some_and(|f| closed_annotation(module, f, depth + 1))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// A type alias of a `Literal[...]` (`LoginMethod = Literal["password", "github"]`).
fn literal_alias(index: &PythonIndex, qualname: &str) -> bool {
    let Target::Name(m, name, _) = index.resolve(qualname) else {
        return false;
    };
    m.type_aliases
        .get(name)
        .and_then(|a| a.names.first())
        .is_some_and(|head| head == "Literal" || head.ends_with(".Literal"))
}

/// Whether a qualified class name is an enum, following project classes to their bases.
pub fn is_enum(index: &PythonIndex, qualname: &str, depth: u8) -> bool {
    if depth > 8 {
        return false;
    }
    let canonical = index.canonical(qualname);
    if ENUM_BASES.contains(&canonical.as_str()) {
        return true;
    }
    match index.resolve(qualname) {
        Target::Name(_, _, Def::Class { bases, .. }) => {
            bases.iter().any(|b| is_enum(index, b, depth + 1))
        }
        _ => false,
    }
}

/// A name or a table taken from SQLAlchemy model metadata: `Model.__tablename__`,
/// `Model.__table__.name`, `table.c.x.name`, `Base.metadata.tables`.
fn metadata_chain(e: &Expr) -> bool {
    let mut current = e;
    loop {
        match current {
            Expr::Attribute(a) => {
                if matches!(
                    a.attr.as_str(),
                    "__tablename__" | "__table__" | "__mapper__" | "metadata"
                ) {
                    return true;
                }
                current = &a.value;
            }
            Expr::Subscript(s) => current = &s.value,
            _ => return false,
        }
    }
}

/// A loop variable over model metadata (`for column in Model.__table__.columns`, `for table in
/// Base.metadata.sorted_tables`): its `.name` and `.key` are identifiers of the schema.
fn metadata_item(e: &Expr, scope: Scope<'_>) -> bool {
    let Expr::Name(n) = e else {
        return false;
    };
    let mut found = false;
    let mut all = true;
    for_loops(scope.body, &mut |target, iter| {
        let binds = match target {
            Expr::Name(t) => t.id == n.id,
            Expr::Tuple(t) => t
                .elts
                .iter()
                .any(|x| matches!(x, Expr::Name(t) if t.id == n.id)),
            _ => false,
        };
        if binds {
            found = true;
            all &= metadata_chain(iter) || metadata_call(iter);
        }
    });
    found && all
}

/// `inspect(Model).columns`, `sqlalchemy.inspect(engine).get_columns(...)`: the mapper and
/// the inspector read the schema.
fn metadata_call(e: &Expr) -> bool {
    let mut current = e;
    loop {
        match current {
            Expr::Attribute(a) => current = &a.value,
            Expr::Call(c) => {
                return matches!(c.func.as_ref(), Expr::Name(n) if n.id.as_str() == "inspect")
                    || matches!(c.func.as_ref(), Expr::Attribute(a) if a.attr.as_str() == "inspect" || a.attr.as_str() == "get_columns");
            }
            _ => return false,
        }
    }
}

/// Every `for` loop of a body (nested blocks too, not nested functions): its target and
/// iterable.
fn for_loops<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a Expr, &'a Expr)) {
    for stmt in body {
        match stmt {
            Stmt::For(l) => {
                f(&l.target, &l.iter);
                for_loops(&l.body, f);
                for_loops(&l.orelse, f);
            }
            Stmt::If(i) => {
                for_loops(&i.body, f);
                for c in &i.elif_else_clauses {
                    for_loops(&c.body, f);
                }
            }
            Stmt::While(w) => for_loops(&w.body, f),
            Stmt::With(w) => for_loops(&w.body, f),
            Stmt::Try(t) => {
                for_loops(&t.body, f);
                for h in &t.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    for_loops(&h.body, f);
                }
                for_loops(&t.orelse, f);
                for_loops(&t.finalbody, f);
            }
            _ => {}
        }
    }
}
