//! The database schema a project declares, as schema rules (DB003, DB005, DB007) need it:
//! SQLAlchemy models (1.4 `Column`, 2.0 `mapped_column`, `Table(...)`, SQLModel `Field`), their
//! keys and indexes; Alembic revisions (`op.create_table`, `op.add_column`,
//! `op.create_foreign_key`, `op.create_index`, `op.execute("…")`, batch mode) and `.sql` files
//! as ordered operations; and `relationship(...)` calls.
//!
//! Each file yields a [`FileSchema`] while it is parsed; [`Schema::build`] then replays the
//! migrations in revision order (Alembic `down_revision` chains, then `.sql` files in natural
//! order) and joins them with the models, so an index created one revision later covers a foreign
//! key from an earlier one. Names are compared lowercased and without their schema.

use super::summary::{Def, ModuleSummary};
use super::{dotted, span_of, string_value, PythonIndex};
use crate::parse::sql::{self, StatementKind};
use crate::source::{FileId, Span};
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, ModModule, Stmt};
use ruff_text_size::Ranged;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What one file declares about the schema.
#[derive(Debug, Clone, Default)]
pub struct FileSchema {
    pub file: FileId,
    pub path: PathBuf,
    pub source: SchemaSource,
    /// Declarative classes and `Table(...)` objects.
    pub models: Vec<Model>,
    /// Module-level `Index("ix", User.org_id, …)` calls.
    pub loose_indexes: Vec<LooseIndex>,
    /// Migration operations in file order (Alembic `upgrade()` or SQL statements).
    pub ops: Vec<Op>,
    pub relationships: Vec<Relationship>,
}

impl FileSchema {
    /// A migration written for SQLite (a `sqlite` folder or file name, as projects that keep one
    /// migration chain per database do: Prefect's `versions/sqlite/`). The PostgreSQL rules
    /// (foreign-key indexes, CONCURRENTLY) do not apply to it.
    pub fn is_sqlite_migration(&self) -> bool {
        !matches!(self.source, SchemaSource::Models)
            && self.path.components().any(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .to_ascii_lowercase()
                    .contains("sqlite")
            })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SchemaSource {
    /// A Python module that is not an Alembic revision.
    #[default]
    Models,
    /// An Alembic revision file.
    Alembic {
        revision: String,
        down_revisions: Vec<String>,
    },
    /// A `.sql` file; `migration` when it sits in a migrations folder.
    Sql { migration: bool },
}

/// How a model's table is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableName {
    /// `__tablename__ = "users"`, `Table("users", …)`.
    Literal(String),
    /// Computed from the class name (SQLModel, a `declared_attr` `__tablename__` in a base):
    /// the likely names.
    Derived(Vec<String>),
}

impl TableName {
    pub fn candidates(&self) -> Vec<String> {
        match self {
            TableName::Literal(n) => vec![n.clone()],
            TableName::Derived(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    /// `module.Class` or `module.table_variable`.
    pub qualname: String,
    /// Qualified base classes (empty for `Table(...)`).
    pub bases: Vec<String>,
    pub table: Option<TableName>,
    /// `SQLModel, table=True` (table named from the class when no `__tablename__`).
    pub sqlmodel_table: bool,
    /// Defines `__tablename__` as a function (`@declared_attr`): subclasses get derived names.
    pub tablename_fn: bool,
    pub columns: Vec<ModelColumn>,
    /// Primary keys, unique constraints and indexes of `__table_args__` / `Table(...)`; column
    /// references as written (attribute or column names), `None` for expressions.
    pub keys: Vec<Vec<Option<String>>>,
    /// `ForeignKeyConstraint([...], [...])`: local columns and the constraint's span.
    pub fk_constraints: Vec<(Vec<String>, Span)>,
    /// `__table_args__` this reader could not follow: its indexes are unknown.
    pub opaque_args: bool,
    /// `__table_args__` is set on this class (it hides the one of a base).
    pub has_table_args: bool,
}

#[derive(Debug, Clone)]
pub struct ModelColumn {
    /// The attribute (the column's key); equals `name` in `Table(...)`.
    pub attr: String,
    /// The database column name.
    pub name: String,
    pub foreign_key: bool,
    /// `index=True` or `unique=True`.
    pub indexed: bool,
    pub primary_key: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct LooseIndex {
    /// Qualified name of the class or `Table` variable whose columns it lists.
    pub target: String,
    pub columns: Vec<Option<String>>,
}

/// A `CREATE INDEX` as a migration runs it (DB007).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexCreation {
    /// `None` when the flag is not a literal.
    pub concurrently: Option<bool>,
    pub span: Span,
    /// The index is built by `op.add_column(..., Column(..., index=True))`.
    pub implicit: bool,
    /// Written as SQL (`CREATE INDEX …` in a .sql file or in `op.execute("…")`).
    pub sql: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    CreateTable {
        table: String,
    },
    ForeignKey {
        table: String,
        columns: Vec<String>,
        constraint: Option<String>,
        span: Span,
    },
    /// An index, primary key or unique constraint: its columns in order.
    Key {
        table: String,
        name: Option<String>,
        columns: Vec<Option<String>>,
        created: Option<IndexCreation>,
    },
    DropIndex {
        name: String,
    },
    DropTable {
        table: String,
    },
    DropColumn {
        table: String,
        column: String,
    },
    DropConstraint {
        name: String,
    },
    /// `op.rename_table(old, new)`: keys and foreign keys move with the table.
    RenameTable {
        from: String,
        to: String,
    },
}

#[derive(Debug, Clone)]
pub struct Relationship {
    /// The class it is declared in, when it is in a class body.
    pub owner: Option<String>,
    /// `lazy=` is passed (or the loader is fixed by the annotation or SQLModel kwargs).
    pub has_lazy: bool,
    /// `**kwargs` or a non-literal `sa_relationship_kwargs`: unknown.
    pub opaque: bool,
    pub span: Span,
}

/// Lowercased, without schema or quotes: the name tables and columns are compared by.
pub fn norm(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.trim_matches('"').to_lowercase()
}

fn tail(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

fn is_true(e: &Expr) -> bool {
    matches!(e, Expr::BooleanLiteral(b) if b.value)
}

fn keyword<'e>(call: &'e ExprCall, name: &str) -> Option<&'e Expr> {
    call.arguments.find_keyword(name).map(|k| &k.value)
}

fn has_kwargs_splat(call: &ExprCall) -> bool {
    call.arguments.keywords.iter().any(|k| k.arg.is_none())
}

/// Whether the module uses SQLAlchemy, SQLModel, Flask-SQLAlchemy or Alembic at all.
fn uses_orm(summary: &ModuleSummary) -> bool {
    summary.imports.values().any(|t| {
        ["sqlalchemy", "sqlmodel", "flask_sqlalchemy", "alembic"]
            .iter()
            .any(|p| t == p || t.starts_with(&format!("{p}.")))
    })
}

/// A Python module's schema declarations, `None` when it has none.
pub fn from_python(
    file: FileId,
    path: &Path,
    summary: &ModuleSummary,
    ast: &ModModule,
    text: &str,
) -> Option<FileSchema> {
    if !uses_orm(summary) {
        return None;
    }
    let mut out = FileSchema {
        file,
        path: path.to_path_buf(),
        ..FileSchema::default()
    };
    let reader = Reader { summary, text };
    if let Some(source) = alembic_revision(summary, ast) {
        out.source = source;
        for stmt in &ast.body {
            if let Stmt::FunctionDef(f) = stmt {
                if f.name.id.as_str() == "upgrade" {
                    let mut batch = HashMap::new();
                    reader.migration_body(&f.body, &mut batch, &mut out.ops);
                }
            }
        }
    } else {
        for stmt in &ast.body {
            reader.module_stmt(stmt, &mut out);
        }
    }
    let mut rels = RelationshipCollector {
        summary,
        owner: None,
        out: &mut out.relationships,
    };
    for stmt in &ast.body {
        rels.visit_stmt(stmt);
    }
    let empty = out.models.is_empty()
        && out.loose_indexes.is_empty()
        && out.ops.is_empty()
        && out.relationships.is_empty();
    (!empty || matches!(out.source, SchemaSource::Alembic { .. })).then_some(out)
}

/// `revision = "…"` and `down_revision = …` at the top level of a module that imports Alembic.
fn alembic_revision(summary: &ModuleSummary, ast: &ModModule) -> Option<SchemaSource> {
    if !summary.imports.values().any(|t| t.starts_with("alembic")) {
        return None;
    }
    let mut revision = None;
    let mut down = None;
    for stmt in &ast.body {
        let (target, value) = match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], Some(&*a.value)),
            Stmt::AnnAssign(a) => (&*a.target, a.value.as_deref()),
            _ => continue,
        };
        let (Expr::Name(n), Some(value)) = (target, value) else {
            continue;
        };
        match n.id.as_str() {
            "revision" => revision = string_value(value),
            "down_revision" => {
                down = Some(match value {
                    Expr::Tuple(t) => t.elts.iter().filter_map(string_value).collect(),
                    Expr::List(l) => l.elts.iter().filter_map(string_value).collect(),
                    other => string_value(other).into_iter().collect(),
                })
            }
            _ => {}
        }
    }
    Some(SchemaSource::Alembic {
        revision: revision?,
        down_revisions: down?,
    })
}

struct Reader<'s> {
    summary: &'s ModuleSummary,
    text: &'s str,
}

impl Reader<'_> {
    fn callee(&self, call: &ExprCall) -> Option<String> {
        self.summary.qualify_expr(&call.func)
    }

    fn is_call_of(&self, e: &Expr, names: &[&str]) -> bool {
        let Expr::Call(call) = e else {
            return false;
        };
        self.callee(call).is_some_and(|q| names.contains(&tail(&q)))
    }

    fn qualname(&self, local: &str) -> String {
        if self.summary.module.is_empty() {
            local.to_string()
        } else {
            format!("{}.{local}", self.summary.module)
        }
    }

    fn module_stmt(&self, stmt: &Stmt, out: &mut FileSchema) {
        match stmt {
            Stmt::ClassDef(c) => {
                if let Some(model) = self.class_model(c) {
                    out.models.push(model);
                }
            }
            Stmt::Assign(a) => {
                let Expr::Call(call) = &*a.value else {
                    return;
                };
                if let [Expr::Name(n)] = &a.targets[..] {
                    if let Some(model) = self.table_object(&self.qualname(n.id.as_str()), call) {
                        out.models.push(model);
                        return;
                    }
                }
                out.loose_indexes.extend(self.loose_index(call));
            }
            Stmt::Expr(e) => {
                if let Expr::Call(call) = &*e.value {
                    out.loose_indexes.extend(self.loose_index(call));
                }
            }
            Stmt::If(i) => {
                for s in i
                    .body
                    .iter()
                    .chain(i.elif_else_clauses.iter().flat_map(|c| c.body.iter()))
                {
                    self.module_stmt(s, out);
                }
            }
            Stmt::Try(t) => {
                for s in t.body.iter().chain(t.orelse.iter()) {
                    self.module_stmt(s, out);
                }
            }
            _ => {}
        }
    }

    /// `Table("name", metadata, Column(...), Index(...), …)`.
    fn table_object(&self, qualname: &str, call: &ExprCall) -> Option<Model> {
        if tail(&self.callee(call)?) != "Table" {
            return None;
        }
        let name = call.arguments.args.first().and_then(string_value)?;
        let mut model = Model {
            qualname: qualname.to_string(),
            bases: Vec::new(),
            table: Some(TableName::Literal(norm(&name))),
            sqlmodel_table: false,
            tablename_fn: false,
            columns: Vec::new(),
            keys: Vec::new(),
            fk_constraints: Vec::new(),
            opaque_args: call.arguments.args.iter().any(|a| a.is_starred_expr())
                || has_kwargs_splat(call),
            has_table_args: true,
        };
        for arg in call.arguments.args.iter().skip(1) {
            let Expr::Call(inner) = arg else {
                continue;
            };
            if let Some(col) = self.column(inner, None) {
                model.columns.push(col);
            } else {
                self.table_item(arg, &mut model);
            }
        }
        Some(model)
    }

    /// `Index("ix", User.org_id, User.created_at)` / `Index("ix", users.c.org_id)`.
    fn loose_index(&self, call: &ExprCall) -> Option<LooseIndex> {
        if tail(&self.callee(call)?) != "Index" {
            return None;
        }
        let mut target = None;
        let mut columns = Vec::new();
        for arg in call.arguments.args.iter().skip(1) {
            let Expr::Attribute(attr) = arg else {
                columns.push(None);
                continue;
            };
            // `X.col`, `X.c.col`, `X.__table__.c.col`: the owner is the first name.
            let owner = dotted(&attr.value).map(|d| {
                d.trim_end_matches(".c")
                    .trim_end_matches(".__table__")
                    .to_string()
            });
            if target.is_none() {
                target = owner.map(|o| self.summary.qualify(&o));
            }
            columns.push(Some(attr.attr.id.to_string()));
        }
        Some(LooseIndex {
            target: target?,
            columns,
        })
    }

    /// A `Column(...)` / `mapped_column(...)` / SQLModel `Field(...)` call.
    fn column(&self, call: &ExprCall, attr: Option<&str>) -> Option<ModelColumn> {
        let callee = self.callee(call)?;
        let kind = tail(&callee);
        let flag = |name: &str| keyword(call, name).is_some_and(is_true);
        if kind == "Field" && callee.starts_with("sqlmodel") {
            if let Some(Expr::Call(sa)) = keyword(call, "sa_column") {
                return self.column(sa, attr);
            }
            let attr = attr?;
            return Some(ModelColumn {
                attr: attr.to_string(),
                name: attr.to_string(),
                foreign_key: keyword(call, "foreign_key").is_some(),
                indexed: flag("index") || flag("unique"),
                primary_key: flag("primary_key"),
                span: span_of(call),
            });
        }
        if kind != "Column" && kind != "mapped_column" {
            return None;
        }
        let named = call.arguments.args.first().and_then(string_value);
        let name = named.or_else(|| attr.map(str::to_string))?;
        let foreign_key = call
            .arguments
            .args
            .iter()
            .any(|a| self.is_call_of(a, &["ForeignKey"]));
        Some(ModelColumn {
            attr: attr.map_or_else(|| name.clone(), str::to_string),
            name,
            foreign_key,
            indexed: flag("index") || flag("unique"),
            primary_key: flag("primary_key"),
            span: span_of(call),
        })
    }

    /// A `__table_args__` / `Table(...)` element: Index, UniqueConstraint, PrimaryKeyConstraint,
    /// ForeignKeyConstraint.
    fn table_item(&self, item: &Expr, model: &mut Model) {
        let Expr::Call(call) = item else {
            return;
        };
        let Some(callee) = self.callee(call) else {
            return;
        };
        let args = &call.arguments.args;
        match tail(&callee) {
            "Index" => model
                .keys
                .push(args.iter().skip(1).map(column_ref).collect()),
            "UniqueConstraint" | "PrimaryKeyConstraint" => {
                model.keys.push(args.iter().map(column_ref).collect())
            }
            "ForeignKeyConstraint" => {
                let cols = match call.arguments.find_argument_value("columns", 0) {
                    Some(Expr::List(l)) => l.elts.iter().map(column_ref).collect::<Vec<_>>(),
                    Some(Expr::Tuple(t)) => t.elts.iter().map(column_ref).collect(),
                    _ => return,
                };
                if let Some(cols) = cols.into_iter().collect::<Option<Vec<_>>>() {
                    model.fk_constraints.push((cols, span_of(call)));
                }
            }
            _ => {}
        }
    }

    fn class_model(&self, c: &ruff_python_ast::StmtClassDef) -> Option<Model> {
        let bases: Vec<String> = c
            .arguments
            .as_ref()
            .map(|a| {
                a.args
                    .iter()
                    .filter_map(|b| self.summary.qualify_expr(b))
                    .collect()
            })
            .unwrap_or_default();
        let sqlmodel_table = c
            .arguments
            .as_ref()
            .and_then(|a| a.find_keyword("table"))
            .is_some_and(|k| is_true(&k.value));
        let mut model = Model {
            qualname: self.qualname(c.name.id.as_str()),
            bases,
            table: None,
            sqlmodel_table,
            tablename_fn: false,
            columns: Vec::new(),
            keys: Vec::new(),
            fk_constraints: Vec::new(),
            opaque_args: false,
            has_table_args: false,
        };
        let mut relevant = sqlmodel_table;
        for stmt in &c.body {
            let (name, value) = match stmt {
                Stmt::Assign(a) => match &a.targets[..] {
                    [Expr::Name(n)] => (n.id.as_str(), Some(&*a.value)),
                    _ => continue,
                },
                Stmt::AnnAssign(a) => match &*a.target {
                    Expr::Name(n) => (n.id.as_str(), a.value.as_deref()),
                    _ => continue,
                },
                Stmt::FunctionDef(f) => {
                    match f.name.id.as_str() {
                        "__tablename__" => {
                            model.tablename_fn = true;
                            relevant = true;
                        }
                        "__table_args__" => {
                            model.opaque_args = true;
                            model.has_table_args = true;
                        }
                        // `@declared_attr def owner_id(cls): return Column(ForeignKey(...))`:
                        // a column every class using the mixin gets.
                        attr if is_declared_attr(f) => {
                            for call in returned_calls(&f.body) {
                                if let Some(col) = self.column(call, Some(attr)) {
                                    relevant = true;
                                    model.columns.push(col);
                                    break;
                                }
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                _ => continue,
            };
            let Some(value) = value else {
                continue;
            };
            match name {
                "__tablename__" => {
                    relevant = true;
                    model.table = Some(match string_value(value) {
                        Some(s) => TableName::Literal(norm(&s)),
                        None => TableName::Derived(derived_names(c.name.id.as_str())),
                    });
                }
                "__table__" => {
                    if let Expr::Call(call) = value {
                        if let Some(t) = self.table_object(&model.qualname, call) {
                            relevant = true;
                            model.table = t.table;
                            model.columns.extend(t.columns);
                            model.keys.extend(t.keys);
                            model.fk_constraints.extend(t.fk_constraints);
                            model.opaque_args |= t.opaque_args;
                            model.has_table_args = true;
                        }
                    }
                }
                "__table_args__" => {
                    model.has_table_args = true;
                    relevant = true;
                    let items: Vec<&Expr> = match value {
                        Expr::Tuple(t) => t.elts.iter().collect(),
                        Expr::List(l) => l.elts.iter().collect(),
                        Expr::Dict(_) => Vec::new(),
                        _ => {
                            model.opaque_args = true;
                            Vec::new()
                        }
                    };
                    for item in items {
                        match item {
                            Expr::Dict(_) => {}
                            Expr::Starred(_) => model.opaque_args = true,
                            Expr::Call(_) => self.table_item(item, &mut model),
                            // A name bound elsewhere (`*common_indexes`, a helper's result).
                            _ => model.opaque_args = true,
                        }
                    }
                }
                attr => {
                    if let Expr::Call(call) = value {
                        if let Some(col) = self.column(call, Some(attr)) {
                            relevant = true;
                            model.columns.push(col);
                        }
                    }
                }
            }
        }
        if model.sqlmodel_table && model.table.is_none() {
            // SQLModel's `__tablename__` is `cls.__name__.lower()`.
            model.table = Some(TableName::Derived(vec![c.name.id.to_lowercase()]));
        }
        relevant.then_some(model)
    }

    /// Operations of an Alembic `upgrade()` body, in order.
    fn migration_body(
        &self,
        body: &[Stmt],
        batch: &mut HashMap<String, String>,
        ops: &mut Vec<Op>,
    ) {
        for stmt in body {
            match stmt {
                Stmt::Expr(e) => {
                    if let Expr::Call(call) = &*e.value {
                        self.migration_call(call, batch, ops);
                    }
                }
                Stmt::Assign(a) => {
                    if let Expr::Call(call) = &*a.value {
                        self.migration_call(call, batch, ops);
                    }
                }
                Stmt::With(w) => {
                    for item in &w.items {
                        let (Expr::Call(call), Some(var)) =
                            (&item.context_expr, item.optional_vars.as_deref())
                        else {
                            continue;
                        };
                        let is_batch = self
                            .callee(call)
                            .is_some_and(|q| q.ends_with("op.batch_alter_table"));
                        if let (true, Expr::Name(v), Some(t)) = (
                            is_batch,
                            var,
                            call.arguments
                                .find_argument_value("table_name", 0)
                                .and_then(string_value),
                        ) {
                            batch.insert(v.id.to_string(), norm(&t));
                        }
                    }
                    self.migration_body(&w.body, batch, ops);
                }
                Stmt::If(i) => {
                    self.migration_body(&i.body, batch, ops);
                    for clause in &i.elif_else_clauses {
                        self.migration_body(&clause.body, batch, ops);
                    }
                }
                Stmt::Try(t) => self.migration_body(&t.body, batch, ops),
                Stmt::For(f) => self.migration_body(&f.body, batch, ops),
                _ => {}
            }
        }
    }

    fn migration_call(&self, call: &ExprCall, batch: &HashMap<String, String>, ops: &mut Vec<Op>) {
        let Expr::Attribute(attr) = &*call.func else {
            return;
        };
        let method = attr.attr.id.as_str();
        // `op.x(...)` (alembic.op) or `batch_op.x(...)` inside `with op.batch_alter_table(t)`.
        let batch_table = match &*attr.value {
            Expr::Name(n) => batch.get(n.id.as_str()).cloned(),
            _ => None,
        };
        let is_op = self
            .summary
            .qualify_expr(&attr.value)
            .is_some_and(|q| q == "alembic.op" || q.ends_with(".op"));
        if batch_table.is_none() && !is_op {
            return;
        }
        let args = &call.arguments;
        // In batch mode the table argument is absent: positions shift left by one.
        let shift = usize::from(batch_table.is_some());
        let arg = |name: &str, pos: usize| {
            if batch_table.is_some() && pos == 0 {
                args.find_keyword(name).map(|k| &k.value)
            } else {
                args.find_argument_value(name, pos - shift.min(pos))
            }
        };
        let table_at = |name: &str, pos: usize| {
            batch_table
                .clone()
                .or_else(|| arg(name, pos).and_then(name_value).map(|s| norm(&s)))
        };
        match method {
            "create_table" => {
                let Some(table) = args.args.first().and_then(string_value).map(|s| norm(&s)) else {
                    return;
                };
                ops.push(Op::CreateTable {
                    table: table.clone(),
                });
                let mut model = Model {
                    qualname: String::new(),
                    bases: Vec::new(),
                    table: None,
                    sqlmodel_table: false,
                    tablename_fn: false,
                    columns: Vec::new(),
                    keys: Vec::new(),
                    fk_constraints: Vec::new(),
                    opaque_args: false,
                    has_table_args: false,
                };
                for a in args.args.iter().skip(1) {
                    if let Expr::Call(inner) = a {
                        match self.column(inner, None) {
                            Some(col) => model.columns.push(col),
                            None => self.table_item(a, &mut model),
                        }
                    }
                }
                ops.extend(model_ops(&table, &model, None));
            }
            "add_column" => {
                let Some(table) = table_at("table_name", 0) else {
                    return;
                };
                let Some(Expr::Call(col_call)) = arg("column", 1) else {
                    return;
                };
                let Some(col) = self.column(col_call, None) else {
                    return;
                };
                let name = norm(&col.name);
                if col.foreign_key {
                    ops.push(Op::ForeignKey {
                        table: table.clone(),
                        columns: vec![name.clone()],
                        constraint: None,
                        span: col.span.clone(),
                    });
                }
                if col.indexed || col.primary_key {
                    // Alembic builds the column's `index=True` index with a plain CREATE INDEX
                    // (toimpl.add_column creates every index of the column's table).
                    let index = keyword(col_call, "index").is_some_and(is_true);
                    ops.push(Op::Key {
                        table,
                        name: None,
                        columns: vec![Some(name)],
                        created: index.then(|| IndexCreation {
                            concurrently: Some(false),
                            span: span_of(call),
                            implicit: true,
                            sql: false,
                        }),
                    });
                }
            }
            "create_foreign_key" => {
                let Some(table) = table_at("source_table", 1) else {
                    return;
                };
                let local = if batch_table.is_some() { 2 } else { 3 };
                let Some(cols) = args
                    .find_argument_value("local_cols", local)
                    .and_then(string_list)
                else {
                    return;
                };
                ops.push(Op::ForeignKey {
                    table,
                    columns: cols.iter().map(|c| norm(c)).collect(),
                    constraint: op_name(args, "constraint_name", 0),
                    span: span_of(call),
                });
            }
            "create_index" => {
                let Some(table) = table_at("table_name", 1) else {
                    return;
                };
                let cols_pos = if batch_table.is_some() { 1 } else { 2 };
                let columns = match args.find_argument_value("columns", cols_pos) {
                    Some(Expr::List(l)) => l.elts.iter().map(column_ref).collect(),
                    Some(Expr::Tuple(t)) => t.elts.iter().map(column_ref).collect(),
                    Some(other) => vec![column_ref(other)],
                    None => return,
                };
                let concurrently = match keyword(call, "postgresql_concurrently") {
                    None => Some(false),
                    Some(Expr::BooleanLiteral(b)) => Some(b.value),
                    Some(_) => None,
                };
                let concurrently = if has_kwargs_splat(call) && concurrently == Some(false) {
                    None
                } else {
                    concurrently
                };
                ops.push(Op::Key {
                    table,
                    name: op_name(args, "index_name", 0),
                    columns: columns
                        .into_iter()
                        .map(|c: Option<String>| c.map(|c| norm(&c)))
                        .collect(),
                    created: Some(IndexCreation {
                        concurrently,
                        span: span_of(call),
                        implicit: false,
                        sql: false,
                    }),
                });
            }
            "create_unique_constraint" | "create_primary_key" => {
                let Some(table) = table_at("table_name", 1) else {
                    return;
                };
                let cols_pos = if batch_table.is_some() { 1 } else { 2 };
                let Some(cols) = args
                    .find_argument_value("columns", cols_pos)
                    .and_then(string_list)
                else {
                    return;
                };
                ops.push(Op::Key {
                    table,
                    name: op_name(args, "constraint_name", 0),
                    columns: cols.iter().map(|c| Some(norm(c))).collect(),
                    created: None,
                });
            }
            "drop_index" => {
                if let Some(name) = op_name(args, "index_name", 0) {
                    ops.push(Op::DropIndex { name });
                }
            }
            "drop_table" => {
                if let Some(t) = args
                    .find_argument_value("table_name", 0)
                    .and_then(string_value)
                {
                    ops.push(Op::DropTable { table: norm(&t) });
                }
            }
            "rename_table" => {
                let (Some(from), Some(to)) = (
                    args.find_argument_value("old_table_name", 0)
                        .and_then(string_value),
                    args.find_argument_value("new_table_name", 1)
                        .and_then(string_value),
                ) else {
                    return;
                };
                ops.push(Op::RenameTable {
                    from: norm(&from),
                    to: norm(&to),
                });
            }
            "drop_column" => {
                let (Some(table), Some(column)) = (
                    table_at("table_name", 0),
                    arg("column_name", 1).and_then(string_value),
                ) else {
                    return;
                };
                ops.push(Op::DropColumn {
                    table,
                    column: norm(&column),
                });
            }
            "drop_constraint" => {
                if let Some(name) = op_name(args, "constraint_name", 0) {
                    ops.push(Op::DropConstraint { name });
                }
            }
            "execute" => {
                let Some(Expr::StringLiteral(s)) = args.find_argument_value("sqltext", 0) else {
                    return;
                };
                let sql = s.value.to_str();
                // Statement spans map into the file when the literal is written plainly (one
                // part, no escapes); otherwise every finding points at the call.
                let offset = literal_content_offset(self.text, s, sql);
                let stmts = sql::parse(sql);
                let mut sql_ops = Vec::new();
                sql_ops_of(&stmts, &mut sql_ops);
                for mut op in sql_ops {
                    remap(&mut op, |span| match offset {
                        Some(o) => span.start + o..span.end + o,
                        None => span_of(call),
                    });
                    ops.push(op);
                }
            }
            _ => {}
        }
    }
}

/// Byte offset of a string literal's content in the file, when its content is the literal's
/// text verbatim (one part, no escape sequences).
fn literal_content_offset(
    text: &str,
    s: &ruff_python_ast::ExprStringLiteral,
    value: &str,
) -> Option<usize> {
    if s.value.is_implicit_concatenated() {
        return None;
    }
    let range = s.range();
    let raw = text.get(range.start().to_usize()..range.end().to_usize())?;
    let prefix = raw.find(['"', '\''])?;
    let quote = &raw[prefix..];
    let q = if quote.starts_with("\"\"\"") || quote.starts_with("'''") {
        3
    } else {
        1
    };
    let inner = raw.get(prefix + q..raw.len().checked_sub(q)?)?;
    (inner == value).then_some(range.start().to_usize() + prefix + q)
}

fn remap(op: &mut Op, f: impl Fn(&Span) -> Span) {
    match op {
        Op::ForeignKey { span, .. } => *span = f(span),
        Op::Key {
            created: Some(c), ..
        } => c.span = f(&c.span),
        _ => {}
    }
}

/// A string, or `op.f("name")` (Alembic's naming-convention marker).
/// An Alembic operation's index or constraint name argument (a string or `op.f("…")`),
/// normalised like every other schema name.
fn op_name(args: &ruff_python_ast::Arguments, keyword: &str, position: usize) -> Option<String> {
    args.find_argument_value(keyword, position)
        .and_then(name_value)
        .map(|s| norm(&s))
}

fn name_value(e: &Expr) -> Option<String> {
    match e {
        Expr::Call(c) if matches!(&*c.func, Expr::Attribute(a) if a.attr.id.as_str() == "f") => {
            c.arguments.args.first().and_then(string_value)
        }
        other => string_value(other),
    }
}

fn string_list(e: &Expr) -> Option<Vec<String>> {
    match e {
        Expr::List(l) => l.elts.iter().map(string_value).collect(),
        Expr::Tuple(t) => t.elts.iter().map(string_value).collect(),
        _ => None,
    }
}

/// A column reference in an index or constraint: `"org_id"`, `org_id`, `User.org_id`,
/// `users.c.org_id`; `None` for an expression (`text(...)`, `func.lower(...)`, `.desc()`).
fn column_ref(e: &Expr) -> Option<String> {
    match e {
        Expr::StringLiteral(_) => string_value(e),
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(a.attr.id.to_string()),
        _ => None,
    }
}

fn derived_names(class: &str) -> Vec<String> {
    let mut snake = String::new();
    for (i, ch) in class.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.extend(ch.to_lowercase());
    }
    let lower = class.to_lowercase();
    // snake_case first: it is what `declared_attr` conventions and migrations use, and the
    // first name is the one messages show.
    if snake == lower {
        vec![lower]
    } else {
        vec![snake, lower]
    }
}

/// The operations a table definition (`op.create_table`) declares.
fn model_ops(table: &str, model: &Model, created: Option<IndexCreation>) -> Vec<Op> {
    let mut ops = Vec::new();
    let key_of = |r: &Option<String>| r.as_ref().map(|r| norm(&model.column_name(r)));
    for col in &model.columns {
        if col.foreign_key {
            ops.push(Op::ForeignKey {
                table: table.to_string(),
                columns: vec![norm(&col.name)],
                constraint: None,
                span: col.span.clone(),
            });
        }
        if col.indexed {
            ops.push(Op::Key {
                table: table.to_string(),
                name: None,
                columns: vec![Some(norm(&col.name))],
                created: created.clone(),
            });
        }
    }
    let pk: Vec<Option<String>> = model
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| Some(norm(&c.name)))
        .collect();
    if !pk.is_empty() {
        ops.push(Op::Key {
            table: table.to_string(),
            name: None,
            columns: pk,
            created: None,
        });
    }
    for key in &model.keys {
        ops.push(Op::Key {
            table: table.to_string(),
            name: None,
            columns: key.iter().map(key_of).collect(),
            created: None,
        });
    }
    for (cols, span) in &model.fk_constraints {
        ops.push(Op::ForeignKey {
            table: table.to_string(),
            columns: cols.iter().map(|c| norm(&model.column_name(c))).collect(),
            constraint: None,
            span: span.clone(),
        });
    }
    ops
}

impl Model {
    /// The database name of a column written as an attribute or a column name.
    pub fn column_name(&self, written: &str) -> String {
        self.columns
            .iter()
            .find(|c| c.attr == written)
            .map_or_else(|| written.to_string(), |c| c.name.clone())
    }
}

/// Operations of SQL statements.
fn sql_ops_of(stmts: &[sql::Statement], ops: &mut Vec<Op>) {
    for stmt in stmts {
        let key = |table: &str, k: &sql::SqlKey| Op::Key {
            table: norm(table),
            name: k.name.as_deref().map(norm),
            columns: k.columns.iter().map(|c| c.as_deref().map(norm)).collect(),
            created: None,
        };
        let fk = |table: &str, f: &sql::SqlForeignKey| Op::ForeignKey {
            table: norm(table),
            columns: f.columns.iter().map(|c| norm(c)).collect(),
            constraint: f.constraint.as_deref().map(norm),
            span: f.span.clone(),
        };
        match &stmt.kind {
            StatementKind::CreateTable {
                table,
                foreign_keys,
                keys,
            } => {
                ops.push(Op::CreateTable { table: norm(table) });
                ops.extend(foreign_keys.iter().map(|f| fk(table, f)));
                ops.extend(keys.iter().map(|k| key(table, k)));
            }
            StatementKind::AlterTable {
                table,
                foreign_keys,
                keys,
                dropped_columns,
                dropped_constraints,
            } => {
                ops.extend(
                    dropped_constraints
                        .iter()
                        .map(|n| Op::DropConstraint { name: norm(n) }),
                );
                ops.extend(dropped_columns.iter().map(|c| Op::DropColumn {
                    table: norm(table),
                    column: norm(c),
                }));
                ops.extend(foreign_keys.iter().map(|f| fk(table, f)));
                ops.extend(keys.iter().map(|k| key(table, k)));
            }
            StatementKind::CreateIndex {
                name,
                table,
                columns,
                concurrently,
                only,
                ..
            } => ops.push(Op::Key {
                table: norm(table),
                name: name.as_deref().map(norm),
                columns: columns.iter().map(|c| c.as_deref().map(norm)).collect(),
                // `ON ONLY` builds nothing on the partitions' data: no lock problem.
                created: (!*only).then(|| IndexCreation {
                    concurrently: Some(*concurrently),
                    span: stmt.span.clone(),
                    implicit: false,
                    sql: true,
                }),
            }),
            StatementKind::DropIndex { names } => {
                ops.extend(names.iter().map(|n| Op::DropIndex { name: norm(n) }))
            }
            StatementKind::DropTable { tables } => {
                ops.extend(tables.iter().map(|t| Op::DropTable { table: norm(t) }))
            }
            StatementKind::Other => {}
        }
    }
}

/// Folders whose `.sql` files are migrations run against a live database.
fn in_migrations_folder(path: &Path) -> bool {
    path.parent().is_some_and(|dir| {
        dir.components().any(|c| {
            let name = c.as_os_str().to_string_lossy().to_lowercase();
            name.contains("migrat") || name == "versions" || name == "alembic" || name == "flyway"
        })
    })
}

/// A `.sql` file's schema operations.
pub fn from_sql(file: FileId, path: &Path, text: &str) -> FileSchema {
    let mut ops = Vec::new();
    sql_ops_of(&sql::parse(text), &mut ops);
    FileSchema {
        file,
        path: path.to_path_buf(),
        source: SchemaSource::Sql {
            migration: in_migrations_folder(path),
        },
        ops,
        ..FileSchema::default()
    }
}

/// `relationship(...)` calls (SQLAlchemy, and SQLModel's `Relationship(...)`).
struct RelationshipCollector<'s> {
    summary: &'s ModuleSummary,
    owner: Option<String>,
    out: &'s mut Vec<Relationship>,
}

impl<'a> Visitor<'a> for RelationshipCollector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::ClassDef(c) => {
                let saved = self.owner.replace(if self.summary.module.is_empty() {
                    c.name.id.to_string()
                } else {
                    format!("{}.{}", self.summary.module, c.name.id)
                });
                for s in &c.body {
                    self.visit_stmt(s);
                }
                self.owner = saved;
            }
            // `WriteOnlyMapped[...]` / `DynamicMapped[...]` fix the loader strategy
            // (lazy="write_only" / "dynamic"): no implicit lazy load.
            Stmt::AnnAssign(a)
                if super::summary::annotation_names(self.summary, &a.annotation)
                    .iter()
                    .any(|n| matches!(tail(n), "WriteOnlyMapped" | "DynamicMapped")) => {}
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Some(q) = self.summary.qualify_expr(&call.func) {
                let sqlalchemy = matches!(tail(&q), "relationship" | "relation")
                    && (q.starts_with("sqlalchemy") || q.ends_with("db.relationship"));
                let sqlmodel = q.starts_with("sqlmodel") && tail(&q) == "Relationship";
                if sqlalchemy || sqlmodel {
                    let mut has_lazy = keyword(call, "lazy").is_some();
                    let mut opaque = has_kwargs_splat(call);
                    if sqlmodel {
                        match keyword(call, "sa_relationship_kwargs") {
                            Some(Expr::Dict(d)) => {
                                has_lazy |= d.items.iter().any(|i| {
                                    i.key.as_ref().and_then(string_value).as_deref() == Some("lazy")
                                });
                                opaque |= d.items.iter().any(|i| i.key.is_none());
                            }
                            Some(_) => opaque = true,
                            None => {}
                        }
                        opaque |= keyword(call, "sa_relationship").is_some();
                    }
                    self.out.push(Relationship {
                        owner: self.owner.clone(),
                        has_lazy,
                        opaque,
                        span: span_of(call),
                    });
                }
            }
        }
        walk_expr(self, expr);
    }
}

/// A foreign key the schema declares, with where it is written.
#[derive(Debug, Clone)]
pub struct ForeignKeyAt {
    pub file: FileId,
    pub span: Span,
    /// The tables it may belong to (one, unless the name is derived or it is a mixin's).
    pub tables: Vec<String>,
    pub columns: Vec<String>,
}

/// The project's schema: the foreign keys that exist once every migration has run and the
/// models are declared, and the leading columns of every index, by table.
#[derive(Debug, Default)]
pub struct Schema {
    pub foreign_keys: Vec<ForeignKeyAt>,
    /// table -> leading columns of its indexes, primary key and unique constraints.
    pub leads: HashMap<String, HashSet<String>>,
}

impl Schema {
    /// Whether some index of one of `tables` leads with one of `columns`.
    pub fn covered(&self, tables: &[String], columns: &[String]) -> bool {
        tables.iter().any(|t| {
            self.leads
                .get(t)
                .is_some_and(|leads| columns.iter().any(|c| leads.contains(c)))
        })
    }

    pub fn build(files: &[FileSchema], index: &PythonIndex) -> Schema {
        let mut schema = Schema::default();
        replay_migrations(files, &mut schema);
        add_models(files, index, &mut schema);
        schema
    }
}

/// Alembic revisions in `down_revision` order (ties and unknown parents by path), then `.sql`
/// files in natural path order (`V2__` before `V10__`).
pub fn migration_order(files: &[FileSchema]) -> Vec<&FileSchema> {
    let mut alembic: Vec<&FileSchema> = files
        .iter()
        .filter(|f| matches!(f.source, SchemaSource::Alembic { .. }))
        .collect();
    alembic.sort_by(|a, b| a.path.cmp(&b.path));
    let revision_of = |f: &FileSchema| match &f.source {
        SchemaSource::Alembic { revision, .. } => revision.clone(),
        _ => String::new(),
    };
    let known: HashSet<String> = alembic.iter().map(|f| revision_of(f)).collect();
    let mut done: HashSet<String> = HashSet::new();
    let mut ordered = Vec::new();
    let mut left = alembic;
    while !left.is_empty() {
        let ready = left.iter().position(|f| match &f.source {
            SchemaSource::Alembic { down_revisions, .. } => down_revisions
                .iter()
                .all(|d| done.contains(d) || !known.contains(d)),
            _ => true,
        });
        // A cycle (or a broken chain): take the rest by path.
        let next = left.remove(ready.unwrap_or(0));
        done.insert(revision_of(next));
        ordered.push(next);
    }
    let mut sql: Vec<&FileSchema> = files
        .iter()
        .filter(|f| matches!(f.source, SchemaSource::Sql { .. }))
        .collect();
    sql.sort_by(|a, b| natural_cmp(&a.path.to_string_lossy(), &b.path.to_string_lossy()));
    ordered.extend(sql);
    ordered
}

/// Compares with digit runs as numbers.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let chunks = |s: &str| -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for ch in s.chars() {
            let digit = ch.is_ascii_digit();
            match out.last_mut() {
                Some((d, run)) if *d == digit => run.push(ch),
                _ => out.push((digit, ch.to_string())),
            }
        }
        out
    };
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(cb.iter()) {
        let ord = match (x.0, y.0) {
            (true, true) => {
                let (tx, ty) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty))
            }
            _ => x.1.cmp(&y.1),
        };
        if ord.is_ne() {
            return ord;
        }
    }
    ca.len().cmp(&cb.len())
}

fn replay_migrations(files: &[FileSchema], schema: &mut Schema) {
    struct Live {
        table: String,
        name: Option<String>,
        lead: Option<String>,
    }
    struct LiveFk {
        fk: ForeignKeyAt,
        constraint: Option<String>,
    }
    let mut keys: Vec<Live> = Vec::new();
    let mut fks: Vec<LiveFk> = Vec::new();
    for file in migration_order(files) {
        for op in &file.ops {
            match op {
                Op::CreateTable { .. } => {}
                Op::ForeignKey {
                    table,
                    columns,
                    constraint,
                    span,
                } => fks.push(LiveFk {
                    fk: ForeignKeyAt {
                        file: file.file,
                        span: span.clone(),
                        tables: vec![table.clone()],
                        columns: columns.clone(),
                    },
                    constraint: constraint.clone(),
                }),
                Op::Key {
                    table,
                    name,
                    columns,
                    ..
                } => keys.push(Live {
                    table: table.clone(),
                    name: name.clone(),
                    lead: columns.first().cloned().flatten(),
                }),
                Op::DropIndex { name } => keys.retain(|k| k.name.as_ref() != Some(name)),
                Op::DropConstraint { name } => {
                    keys.retain(|k| k.name.as_ref() != Some(name));
                    fks.retain(|f| f.constraint.as_ref() != Some(name));
                }
                Op::DropTable { table } => {
                    keys.retain(|k| &k.table != table);
                    fks.retain(|f| &f.fk.tables[0] != table);
                }
                Op::RenameTable { from, to } => {
                    for k in keys.iter_mut().filter(|k| &k.table == from) {
                        k.table = to.clone();
                    }
                    for f in fks.iter_mut().filter(|f| &f.fk.tables[0] == from) {
                        f.fk.tables[0] = to.clone();
                    }
                }
                Op::DropColumn { table, column } => {
                    keys.retain(|k| !(&k.table == table && k.lead.as_ref() == Some(column)));
                    fks.retain(|f| !(&f.fk.tables[0] == table && f.fk.columns.contains(column)));
                }
            }
        }
    }
    for k in keys {
        if let Some(lead) = k.lead {
            schema.leads.entry(k.table).or_default().insert(lead);
        }
    }
    schema.foreign_keys.extend(fks.into_iter().map(|f| f.fk));
}

/// The canonical `module.Class` of a qualified name, through re-exports.
fn canonical(index: &PythonIndex, q: &str) -> String {
    match index.resolve(q) {
        super::index::Target::Name(m, name, _) => {
            if m.module.is_empty() {
                name.to_string()
            } else {
                format!("{}.{name}", m.module)
            }
        }
        _ => q.to_string(),
    }
}

/// Every ancestor class of a project class, nearest first (bounded).
pub fn ancestors(index: &PythonIndex, qualname: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut queue = vec![qualname.to_string()];
    let mut steps = 0;
    while let Some(q) = queue.pop() {
        steps += 1;
        if steps > 256 {
            break;
        }
        let bases = match index.resolve(&q) {
            super::index::Target::Name(_, _, Def::Class { bases, .. }) => bases.clone(),
            _ => continue,
        };
        for b in bases.iter().rev() {
            let c = canonical(index, b);
            if !out.contains(&c) && c != qualname {
                out.push(c.clone());
                queue.insert(0, c);
            }
        }
    }
    out
}

/// Joins the models: table classes take the columns and keys of their mixins; a class without
/// a table of its own below a table class (single-table inheritance) adds to that table.
fn add_models(files: &[FileSchema], index: &PythonIndex, schema: &mut Schema) {
    let mut models: BTreeMap<String, (&FileSchema, &Model)> = BTreeMap::new();
    for f in files {
        for m in &f.models {
            models.insert(canonical(index, &m.qualname), (f, m));
        }
    }
    let ancestry: HashMap<&str, Vec<String>> = models
        .keys()
        .map(|q| (q.as_str(), ancestors(index, q)))
        .collect();
    // The table a class maps to, and whether its indexes can be known.
    let table_of = |q: &str| -> Option<(TableName, bool)> {
        let (_, m) = models.get(q)?;
        if let Some(t) = &m.table {
            return Some((t.clone(), m.opaque_args));
        }
        if m.sqlmodel_table {
            return None;
        }
        let anc = ancestry.get(q)?;
        // Single-table inheritance: the nearest ancestor with a table.
        for a in anc {
            if let Some((_, am)) = models.get(a.as_str()) {
                if let Some(t) = &am.table {
                    return Some((t.clone(), am.opaque_args));
                }
            }
        }
        // A `declared_attr` `__tablename__` in a base names the table after the class.
        let short = q.rsplit('.').next().unwrap_or(q);
        anc.iter()
            .any(|a| {
                models
                    .get(a.as_str())
                    .is_some_and(|(_, am)| am.tablename_fn)
            })
            .then(|| (TableName::Derived(derived_names(short)), false))
    };

    // Which classes each table class takes columns from: itself and its mixins (ancestors
    // without a table of their own).
    let mut per_table: Vec<(String, TableName, bool, Vec<&str>)> = Vec::new();
    for q in models.keys() {
        let Some((table, opaque)) = table_of(q) else {
            continue;
        };
        let mut parts = vec![q.as_str()];
        let own_table = models
            .get(q.as_str())
            .is_some_and(|(_, m)| m.table.is_some());
        if own_table
            || models
                .get(q.as_str())
                .is_some_and(|(_, m)| m.sqlmodel_table)
        {
            for a in ancestry.get(q.as_str()).into_iter().flatten() {
                if models
                    .get(a.as_str())
                    .is_some_and(|_| table_of(a).is_none())
                {
                    parts.push(a.as_str());
                }
            }
        }
        per_table.push((q.clone(), table, opaque, parts));
    }

    // Index leads first, so that coverage sees every model's keys.
    for (_, table, _, parts) in &per_table {
        let names = table.candidates();
        let mut leads: Vec<String> = Vec::new();
        let mut table_args_seen = false;
        for part in parts {
            let (_, m) = models[*part];
            for c in &m.columns {
                if c.indexed {
                    leads.push(norm(&c.name));
                }
            }
            if let Some(pk) = m.columns.iter().find(|c| c.primary_key) {
                leads.push(norm(&pk.name));
            }
            // `__table_args__` of the nearest class that sets it.
            if m.has_table_args && !table_args_seen {
                table_args_seen = true;
                for key in &m.keys {
                    if let Some(Some(first)) = key.first() {
                        leads.push(norm(&m.column_name(first)));
                    }
                }
            }
        }
        for n in names {
            schema
                .leads
                .entry(n)
                .or_default()
                .extend(leads.iter().cloned());
        }
    }
    for f in files {
        for loose in &f.loose_indexes {
            let q = canonical(index, &loose.target);
            let Some((table, _)) = table_of(&q) else {
                continue;
            };
            let Some(Some(first)) = loose.columns.first() else {
                continue;
            };
            let name = models
                .get(q.as_str())
                .map_or_else(|| first.clone(), |(_, m)| m.column_name(first));
            for n in table.candidates() {
                schema.leads.entry(n).or_default().insert(norm(&name));
            }
        }
    }

    // Foreign keys: a mixin's column is reported once, for the tables of its subclasses.
    let mut fks: BTreeMap<(FileId, usize), ForeignKeyAt> = BTreeMap::new();
    for (_, table, opaque, parts) in &per_table {
        if *opaque {
            continue;
        }
        for part in parts {
            let (file, m) = models[*part];
            let cols = m
                .columns
                .iter()
                .filter(|c| c.foreign_key)
                .map(|c| (vec![norm(&c.name)], c.span.clone()));
            let constraints = m.fk_constraints.iter().map(|(cols, span)| {
                (
                    cols.iter().map(|c| norm(&m.column_name(c))).collect(),
                    span.clone(),
                )
            });
            for (columns, span) in cols.chain(constraints) {
                let tables = table.candidates();
                // One table that lacks the index is enough to report the mixin's column.
                let entry = fks.entry((file.file, span.start)).or_insert(ForeignKeyAt {
                    file: file.file,
                    span: span.clone(),
                    tables: Vec::new(),
                    columns: columns.clone(),
                });
                if !schema.covered(&tables, &columns) || entry.tables.is_empty() {
                    entry.tables = tables;
                }
            }
        }
    }
    schema.foreign_keys.extend(fks.into_values());
}

/// `@declared_attr`, `@sqlalchemy.orm.declared_attr`, `@declared_attr.cascading` (not
/// `.directive`, which declares `__tablename__`-like attributes, not columns).
fn is_declared_attr(f: &ruff_python_ast::StmtFunctionDef) -> bool {
    f.decorator_list.iter().any(|d| {
        let expr = match &d.expression {
            Expr::Call(c) => c.func.as_ref(),
            e => e,
        };
        dotted(expr).is_some_and(|n| {
            let n = n.strip_suffix(".cascading").unwrap_or(&n);
            n == "declared_attr" || n.ends_with(".declared_attr")
        })
    })
}

/// Calls a function body returns (`return mapped_column(...)`), in its blocks too.
fn returned_calls(body: &[Stmt]) -> Vec<&ruff_python_ast::ExprCall> {
    let mut out = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::Return(r) => {
                if let Some(Expr::Call(c)) = r.value.as_deref() {
                    out.push(c);
                }
            }
            Stmt::If(i) => {
                out.extend(returned_calls(&i.body));
                for clause in &i.elif_else_clauses {
                    out.extend(returned_calls(&clause.body));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["m/V10__b.sql", "m/V2__a.sql", "m/V1__x.sql"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, vec!["m/V1__x.sql", "m/V2__a.sql", "m/V10__b.sql"]);
    }

    #[test]
    fn migrations_folder() {
        assert!(in_migrations_folder(Path::new("db/migrations/001.sql")));
        assert!(in_migrations_folder(Path::new("alembic/versions/x.sql")));
        assert!(!in_migrations_folder(Path::new(
            "docker-entrypoint-initdb.d/init.sql"
        )));
        assert!(!in_migrations_folder(Path::new("schema.sql")));
    }

    #[test]
    fn sql_replay_index_in_later_file_covers() {
        let a = from_sql(
            0,
            Path::new("migrations/001.sql"),
            "CREATE TABLE users (id int PRIMARY KEY, org_id int REFERENCES orgs(id));",
        );
        let b = from_sql(
            1,
            Path::new("migrations/002.sql"),
            "CREATE INDEX CONCURRENTLY ix ON users (org_id);",
        );
        let index = PythonIndex::default();
        let schema = Schema::build(&[a.clone(), b], &index);
        assert!(schema.covered(&["users".into()], &["org_id".into()]));
        let c = from_sql(2, Path::new("migrations/003.sql"), "DROP INDEX ix;");
        let d = from_sql(
            1,
            Path::new("migrations/002.sql"),
            "CREATE INDEX CONCURRENTLY ix ON users (org_id);",
        );
        let schema = Schema::build(&[a, d, c], &index);
        assert!(!schema.covered(&["users".into()], &["org_id".into()]));
        assert_eq!(schema.foreign_keys.len(), 1);
    }
}
