//! Pydantic as the rules see it: which major version the project runs (its declared
//! dependencies, else the v2-only APIs its code uses), which classes are models or settings
//! (deriving from `BaseModel`/`BaseSettings`, transitively across the project's modules), and
//! the fields a model declares with their annotation and `Field(...)` constraints.

use super::index::{PythonIndex, Target};
use super::summary::{Def, ModuleSummary};
use super::{span_of, string_value};
use crate::source::Span;
use ruff_python_ast::{Expr, Number, Stmt, StmtClassDef};
use std::collections::{HashMap, HashSet};

/// The Pydantic major version of the project and what says so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PydanticVersion {
    /// The dependencies pin it to v1 (`pydantic<2`, `==1.10.13`).
    V1(String),
    /// A dependency (`pydantic>=2`, `pydantic-settings`) or v2-only API in the code says v2.
    V2(String),
    #[default]
    Unknown,
}

/// Names only Pydantic v2 has: code importing or using one runs on v2.
const V2_ONLY: &[&str] = &[
    "pydantic.field_validator",
    "pydantic.model_validator",
    "pydantic.field_serializer",
    "pydantic.model_serializer",
    "pydantic.computed_field",
    "pydantic.ConfigDict",
    "pydantic.TypeAdapter",
    "pydantic.RootModel",
    "pydantic.ValidationInfo",
    "pydantic.StringConstraints",
    "pydantic.AfterValidator",
    "pydantic.BeforeValidator",
    "pydantic.WrapValidator",
    "pydantic.PlainValidator",
    "pydantic.AliasChoices",
    "pydantic.AliasPath",
];

/// Module prefixes only Pydantic v2 installs (`pydantic_settings` requires pydantic>=2).
const V2_ONLY_MODULES: &[&str] = &[
    "pydantic_settings",
    "pydantic_core",
    "pydantic.functional_validators",
];

fn is_v2_only(name: &str) -> bool {
    V2_ONLY.contains(&name)
        || V2_ONLY_MODULES
            .iter()
            .any(|m| name == *m || name.starts_with(&format!("{m}.")))
}

impl PydanticVersion {
    pub fn detect(index: &PythonIndex) -> PydanticVersion {
        let mut v1 = None;
        for dep in &index.dependencies {
            match dep.name.as_str() {
                "pydantic" => match dep.major_floor() {
                    Some(m) if m >= 2 => {
                        return PydanticVersion::V2(format!("it requires `pydantic{}`", dep.spec))
                    }
                    Some(1) if !admits_major(&dep.spec, 2) => {
                        v1 = Some(format!("it requires `pydantic{}`", dep.spec))
                    }
                    _ => {}
                },
                "pydantic-settings" => {
                    return PydanticVersion::V2(
                        "it requires `pydantic-settings`, which needs Pydantic v2".to_string(),
                    )
                }
                _ => {}
            }
        }
        if let Some(reason) = v1 {
            return PydanticVersion::V1(reason);
        }
        for m in &index.modules {
            let used = m
                .imports
                .values()
                .chain(m.app.refs.iter())
                .find(|n| is_v2_only(n));
            if let Some(name) = used {
                let short = name.rsplit('.').next().unwrap_or(name);
                return PydanticVersion::V2(format!(
                    "`{short}` (v2 only) is used in `{}`",
                    m.module
                ));
            }
        }
        PydanticVersion::Unknown
    }
}

/// A route that takes a request model as a parameter: its path and handler name, lower case.
#[derive(Debug, Clone)]
pub struct ModelRoute {
    pub path: String,
    pub function: String,
    /// The handler checks a password it was given against a stored one
    /// (`user.verify_password(body.password)`, `check_password`, `authenticate`): the model's
    /// password re-authenticates, it does not set one.
    pub verifies_password: bool,
}

impl ModelRoute {
    /// Whether the route's path or handler name has one of these words (path segments, or
    /// `_`/`-` separated parts of a segment or of the name).
    pub fn says(&self, words: &[&str]) -> bool {
        let parts = |s: &str| {
            s.split(['/', '_', '-', '.'])
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let mut all = parts(&self.function);
        all.extend(parts(&self.path));
        // `signin` / `sign_in` / `sign-in` alike.
        all.push(self.function.replace(['_', '-'], ""));
        all.extend(self.path.split('/').map(|s| s.replace(['_', '-'], "")));
        all.iter().any(|p| words.contains(&p.as_str()))
    }
}

impl PythonIndex {
    /// The routes (module-level handlers) that take each project class directly as a
    /// parameter, by the class's canonical name.
    pub fn model_routes(&self) -> &HashMap<String, Vec<ModelRoute>> {
        self.model_routes.get_or_init(|| {
            let mut out: HashMap<String, Vec<ModelRoute>> = HashMap::new();
            for h in self.route_handlers() {
                let Some(m) = self.module_of_file(h.file) else {
                    continue;
                };
                let verifies_password = match m.names.get(&h.function) {
                    Some(Def::Function(f)) => f.calls.iter().any(|c| {
                        let last = c.rsplit('.').next().unwrap_or(c).to_ascii_lowercase();
                        (last.contains("password")
                            && ["verify", "check", "compare", "match", "valid"]
                                .iter()
                                .any(|w| last.contains(w)))
                            || last.starts_with("authenticate")
                    }),
                    _ => false,
                };
                for t in m.app.function_params.get(&h.function).into_iter().flatten() {
                    let Target::Name(cm, class, Def::Class { .. }) = self.resolve(t) else {
                        continue;
                    };
                    out.entry(format!("{}.{class}", cm.module))
                        .or_default()
                        .push(ModelRoute {
                            path: h.path.clone().unwrap_or_default().to_ascii_lowercase(),
                            function: h.function.to_ascii_lowercase(),
                            verifies_password,
                        });
                }
            }
            out
        })
    }

    /// The project classes that reach the API as request data, by canonical name: the types in
    /// route handlers' parameter annotations, and, transitively, the types their fields nest
    /// and the classes they inherit from (where an inherited field is declared).
    pub fn request_models(&self) -> &HashSet<String> {
        self.request_models.get_or_init(|| {
            let mut work: Vec<String> = Vec::new();
            for m in &self.modules {
                work.extend(m.app.request_types.iter().cloned());
                for endpoint in &m.app.endpoints {
                    if let Target::Name(em, name, Def::Function(_)) = self.resolve(endpoint) {
                        work.extend(
                            em.app
                                .function_params
                                .get(name)
                                .into_iter()
                                .flatten()
                                .cloned(),
                        );
                    }
                }
            }
            let mut seen = HashSet::new();
            while let Some(name) = work.pop() {
                let Target::Name(m, class, Def::Class { .. }) = self.resolve(&name) else {
                    continue;
                };
                let canonical = format!("{}.{class}", m.module);
                if !seen.insert(canonical) {
                    continue;
                }
                if let Some(refs) = m.app.class_refs.get(class) {
                    work.extend(refs.iter().cloned());
                }
            }
            seen
        })
    }
}

/// Whether a version specifier admits some release of a major version: `>=1.10,<3` admits 2,
/// `<2`, `==1.10.*`, `^1.10`, `~=1.10` and `~1.10` do not.
fn admits_major(spec: &str, major: u64) -> bool {
    for clause in spec.split(',') {
        let clause = clause.trim();
        let (op, version) = ["===", "==", "~=", "<=", ">=", "!=", "<", ">", "^", "~"]
            .iter()
            .find_map(|op| clause.strip_prefix(op).map(|v| (*op, v.trim())))
            .unwrap_or(("", clause));
        let parts: Vec<&str> = version.split('.').collect();
        let Some(m) = parts.first().and_then(|p| p.trim().parse::<u64>().ok()) else {
            continue;
        };
        let rest_zero = parts[1..]
            .iter()
            .all(|p| p.trim().trim_matches('*').trim_matches('0').is_empty());
        let excluded = match op {
            "<" => m < major || (m == major && rest_zero),
            "<=" => m < major,
            "==" | "===" | "" | "^" => m != major,
            // `~=1.10` is `>=1.10,<2`; `~=1.10.2` and `~1.10` stay within 1.10.
            "~=" | "~" => m != major,
            ">" | ">=" => m > major,
            _ => false,
        };
        if excluded {
            return false;
        }
    }
    true
}

/// What a class is to Pydantic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// `BaseModel` (or SQLModel, `RootModel`, v1 `GenericModel`).
    Model,
    /// `BaseSettings`: configuration read from the environment, not request data.
    Settings,
}

const MODEL_BASES: &[&str] = &[
    "pydantic.BaseModel",
    "pydantic.main.BaseModel",
    "pydantic.v1.BaseModel",
    "pydantic.v1.main.BaseModel",
    "pydantic.RootModel",
    "pydantic.generics.GenericModel",
    "pydantic.v1.generics.GenericModel",
    "sqlmodel.SQLModel",
    "sqlmodel.main.SQLModel",
];

const SETTINGS_BASES: &[&str] = &[
    "pydantic_settings.BaseSettings",
    "pydantic_settings.main.BaseSettings",
    "pydantic.BaseSettings",
    "pydantic.env_settings.BaseSettings",
    "pydantic.v1.BaseSettings",
    "pydantic.v1.env_settings.BaseSettings",
];

/// The kind of a class from its bases (qualified as written in its module), following
/// project classes across modules. Settings win over models (`BaseSettings` is a model too).
pub fn kind_of_bases(index: &PythonIndex, bases: &[String], depth: usize) -> Option<ModelKind> {
    if depth > 12 {
        return None;
    }
    let mut found = None;
    for base in bases {
        let canonical = index.canonical(base);
        let kind = if SETTINGS_BASES.contains(&canonical.as_str()) {
            Some(ModelKind::Settings)
        } else if MODEL_BASES.contains(&canonical.as_str()) {
            Some(ModelKind::Model)
        } else {
            match index.resolve(base) {
                Target::Name(_, _, Def::Class { bases, .. }) => {
                    kind_of_bases(index, bases, depth + 1)
                }
                _ => None,
            }
        };
        match kind {
            Some(ModelKind::Settings) => return Some(ModelKind::Settings),
            Some(ModelKind::Model) => found = Some(ModelKind::Model),
            None => {}
        }
    }
    found
}

/// The kind of a class statement anywhere in a module.
pub fn kind_of_class(
    index: &PythonIndex,
    summary: &ModuleSummary,
    class: &StmtClassDef,
) -> Option<ModelKind> {
    let bases: Vec<String> = class
        .arguments
        .as_ref()
        .map(|a| {
            a.args
                .iter()
                .filter_map(|b| {
                    // `BaseModel, Generic[T]`: the subscripted base's head.
                    let head = match b {
                        Expr::Subscript(s) => s.value.as_ref(),
                        other => other,
                    };
                    summary.qualify_expr(head)
                })
                .collect()
        })
        .unwrap_or_default();
    kind_of_bases(index, &bases, 0)
}

/// A field declared in a model's body: `name: annotation = value`.
pub struct Field<'a> {
    pub name: &'a str,
    pub annotation: &'a Expr,
    pub value: Option<&'a Expr>,
    /// The `name: annotation` part.
    pub span: Span,
}

pub fn fields(class: &StmtClassDef) -> Vec<Field<'_>> {
    class
        .body
        .iter()
        .filter_map(|stmt| {
            let Stmt::AnnAssign(a) = stmt else {
                return None;
            };
            let Expr::Name(n) = a.target.as_ref() else {
                return None;
            };
            Some(Field {
                name: n.id.as_str(),
                annotation: &a.annotation,
                value: a.value.as_deref(),
                span: span_of(a.target.as_ref()).start..span_of(a.annotation.as_ref()).end,
            })
        })
        .collect()
}

/// What a field's type and constraints say about a string field.
#[derive(Debug, Default)]
pub struct StrField {
    /// The annotation is `str` (or `Optional[str]`, `str | None`, `Annotated[str, …]`,
    /// `constr(...)`).
    pub is_str: bool,
    /// The `min_length` given: `Some(Some(n))` a literal, `Some(None)` an expression.
    pub min_length: Option<Option<i64>>,
    /// A `pattern=`/`regex=` constraint.
    pub pattern: bool,
}

/// Reads a field's annotation and value: whether it is a plain `str` and which constraints
/// `Field(...)`, `constr(...)`, `Annotated[str, Field(...)]`, `StringConstraints(...)` or
/// `annotated_types.MinLen` put on it.
pub fn str_field(summary: &ModuleSummary, field: &Field<'_>) -> StrField {
    let mut out = StrField::default();
    read_annotation(summary, field.annotation, &mut out, 0);
    if let Some(Expr::Call(call)) = field.value {
        if let Some(callee) = summary.qualify_expr(&call.func) {
            // FastAPI's `Query(min_length=8)`/`Body(...)`/`Form(...)` as a model field's
            // default constrain it like `Field(...)` (they subclass Pydantic's `FieldInfo`).
            let last = callee.rsplit('.').next().unwrap_or(&callee);
            if last.ends_with("Field")
                || matches!(
                    last,
                    "Query" | "Body" | "Form" | "Path" | "Header" | "Cookie"
                )
            {
                read_constraints(&call.arguments, &mut out);
            }
        }
    }
    out
}

fn read_annotation(summary: &ModuleSummary, ann: &Expr, out: &mut StrField, depth: usize) {
    if depth > 8 {
        return;
    }
    match ann {
        Expr::Name(_) | Expr::Attribute(_)
            if summary.qualify_expr(ann).as_deref() == Some("str") =>
        {
            out.is_str = true
        }
        Expr::StringLiteral(s) if s.value.to_str() == "str" => out.is_str = true,
        // `str | None`
        Expr::BinOp(b) => {
            let others_none = |e: &Expr| matches!(e, Expr::NoneLiteral(_));
            if others_none(&b.right) {
                read_annotation(summary, &b.left, out, depth + 1);
            } else if others_none(&b.left) {
                read_annotation(summary, &b.right, out, depth + 1);
            }
        }
        Expr::Subscript(s) => {
            let head = summary.qualify_expr(&s.value).unwrap_or_default();
            let last = head.rsplit('.').next().unwrap_or(&head);
            let elts: Vec<&Expr> = match s.slice.as_ref() {
                Expr::Tuple(t) => t.elts.iter().collect(),
                other => vec![other],
            };
            match last {
                "Optional" => {
                    if let Some(inner) = elts.first() {
                        read_annotation(summary, inner, out, depth + 1);
                    }
                }
                "Union" => {
                    let non_none: Vec<&&Expr> = elts
                        .iter()
                        .filter(|e| !matches!(e, Expr::NoneLiteral(_)))
                        .collect();
                    if let [only] = non_none.as_slice() {
                        read_annotation(summary, only, out, depth + 1);
                    }
                }
                "Annotated" => {
                    if let Some(inner) = elts.first() {
                        read_annotation(summary, inner, out, depth + 1);
                    }
                    for meta in elts.iter().skip(1) {
                        let Expr::Call(call) = meta else {
                            continue;
                        };
                        let callee = summary.qualify_expr(&call.func).unwrap_or_default();
                        let name = callee.rsplit('.').next().unwrap_or(&callee);
                        match name {
                            "Field" | "StringConstraints" | "constr" => {
                                read_constraints(&call.arguments, out)
                            }
                            "MinLen" | "Len" => {
                                out.min_length =
                                    Some(call.arguments.args.first().and_then(int_value))
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Expr::Call(call) => {
            let callee = summary.qualify_expr(&call.func).unwrap_or_default();
            if callee == "pydantic.constr" || callee == "pydantic.types.constr" {
                out.is_str = true;
                read_constraints(&call.arguments, out);
            }
        }
        _ => {}
    }
}

fn read_constraints(args: &ruff_python_ast::Arguments, out: &mut StrField) {
    if let Some(k) = args.find_keyword("min_length") {
        let value = int_value(&k.value);
        // Several sources: the strongest literal counts; an expression is unknown.
        out.min_length = match (out.min_length, value) {
            (Some(Some(a)), Some(b)) => Some(Some(a.max(b))),
            (Some(None), _) | (_, None) => Some(None),
            (None, v) => Some(v),
        };
    }
    if args.find_keyword("pattern").is_some() || args.find_keyword("regex").is_some() {
        out.pattern = true;
    }
}

fn int_value(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => i.as_i64(),
            _ => None,
        },
        _ => None,
    }
}

/// Field names that a validator of the class checks (`@field_validator("password")`,
/// `@validator("password", "email")`); `*` covers every field.
pub fn validated_fields(summary: &ModuleSummary, class: &StmtClassDef) -> Vec<String> {
    let mut out = Vec::new();
    for stmt in &class.body {
        let Stmt::FunctionDef(f) = stmt else {
            continue;
        };
        for d in &f.decorator_list {
            let Expr::Call(call) = &d.expression else {
                continue;
            };
            let callee = summary.qualify_expr(&call.func).unwrap_or_default();
            let name = callee.rsplit('.').next().unwrap_or(&callee);
            if !matches!(name, "validator" | "field_validator") {
                continue;
            }
            out.extend(call.arguments.args.iter().filter_map(string_value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::admits_major;

    #[test]
    fn majors_admitted() {
        assert!(admits_major(">=1.10,<3", 2));
        assert!(admits_major(">=1.10", 2));
        assert!(!admits_major("<2", 2));
        assert!(!admits_major("<2.0", 2));
        assert!(admits_major("<2.5", 2));
        assert!(!admits_major("==1.10.13", 2));
        assert!(!admits_major("^1.10", 2));
        assert!(!admits_major("~=1.10", 2));
        assert!(!admits_major(">=1.8,<2.0", 2));
    }
}
