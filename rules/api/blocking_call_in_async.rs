//! API002: a blocking call inside `async def`, on the event loop.

use crate::python::functions::{all_functions, own_calls, OwnCall};
use crate::python::index::Target;
use crate::python::session::{self, Bindings, Bound, SessionKind};
use crate::python::summary::{annotation_names, Def};
use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::{Expr, ExprCall, Operator, StmtFunctionDef};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

pub const META: &str = include_str!("blocking_call_in_async.toml");

#[derive(Deserialize)]
struct Table {
    call: Vec<CallEntry>,
    client: Vec<ClientEntry>,
    session: SessionEntry,
}

#[derive(Deserialize)]
#[allow(dead_code)] // `source` and `checked` document the entry.
pub(super) struct CallEntry {
    names: Vec<String>,
    why: String,
    instead: String,
    source: String,
    checked: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub(super) struct ClientEntry {
    classes: Vec<String>,
    methods: Vec<String>,
    why: String,
    instead: String,
    source: String,
    checked: String,
}

impl ClientEntry {
    /// The finding for calling `method` on this client, if that method blocks.
    fn finding(&'static self, method: &str) -> Option<Finding<'static>> {
        self.methods
            .iter()
            .any(|m| m == method)
            .then_some(Finding::Client(self))
    }
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct SessionEntry {
    methods: Vec<String>,
    why: String,
    instead: String,
    source: String,
    checked: String,
}

struct Blocking {
    table: Table,
    /// Qualified name -> index into `table.call`.
    calls: HashMap<String, usize>,
}

static BLOCKING: LazyLock<Blocking> = LazyLock::new(|| {
    let table: Table = toml::from_str(include_str!("blocking_calls.toml"))
        .expect("internal error: rules/api/blocking_calls.toml does not parse");
    let calls = table
        .call
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.names.iter().map(move |n| (n.clone(), i)))
        .collect();
    Blocking { table, calls }
});

impl Blocking {
    fn client(&self, class: &str) -> Option<&ClientEntry> {
        self.table
            .client
            .iter()
            .find(|c| c.classes.iter().any(|k| k == class))
    }

    fn is_session_method(&self, method: &str) -> bool {
        self.table.session.methods.iter().any(|m| m == method)
    }
}

/// What a call is, when it blocks.
pub(super) enum Finding<'t> {
    Call(&'t CallEntry),
    Client(&'t ClientEntry),
    Session,
}

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    for f in all_functions(module.ast) {
        if !f.is_async {
            continue;
        }
        let bindings = Bindings::of(f);
        for own in own_calls(f) {
            let Some(finding) = classify(module, &bindings, &own) else {
                continue;
            };
            report(ctx, f, &own, finding);
        }
    }
}

fn report(ctx: &mut Ctx<'_>, f: &StmtFunctionDef, own: &OwnCall<'_>, finding: Finding<'_>) {
    let shown = callee_text(&own.call.func);
    let name = f.name.id.as_str();
    let (message, help) = match finding {
        Finding::Call(e) => (
            format!("`{shown}(…)` blocks the event loop in `async def {name}`: {}", e.why),
            format!("use {}", e.instead),
        ),
        Finding::Client(e) => (
            format!("`{shown}(…)` blocks the event loop in `async def {name}`: {}", e.why),
            format!("use {}", e.instead),
        ),
        Finding::Session => (
            format!(
                "`{shown}(…)` runs on a synchronous SQLAlchemy session in `async def {name}`: the event loop waits for the database"
            ),
            format!("use {}", BLOCKING.table.session.instead),
        ),
    };
    ctx.report(span_of(own.call.func.as_ref()), message)
        .help(help);
}

/// The callee as written, with a call in the chain shown as `()`: `requests.Session().get`.
fn callee_text(func: &Expr) -> String {
    match func {
        Expr::Attribute(a) => match a.value.as_ref() {
            Expr::Call(inner) => format!("{}().{}", callee_text(&inner.func), a.attr.id),
            Expr::BinOp(b) => format!("({} / …).{}", callee_text(&b.left), a.attr.id),
            other => format!("{}.{}", callee_text(other), a.attr.id),
        },
        other => dotted(other).unwrap_or_else(|| "…".to_string()),
    }
}

pub(super) fn classify(
    module: &PythonModule<'_>,
    bindings: &Bindings<'_>,
    own: &OwnCall<'_>,
) -> Option<Finding<'static>> {
    let blocking: &'static Blocking = &BLOCKING;
    let call = own.call;
    let index = module.index;
    let summary = module.summary;
    // `requests.Session().get(...)`, `SessionLocal().query(...)`: a method on a fresh object.
    if let Expr::Attribute(attr) = call.func.as_ref() {
        if let Expr::Call(inner) = attr.value.as_ref() {
            let method = attr.attr.id.as_str();
            let written = dotted(&inner.func)?;
            if bindings.is_local(written.split('.').next().unwrap_or(&written)) {
                return None;
            }
            let callee = summary.qualify(&written);
            if let Some(client) = blocking.client(&index.canonical(&callee)) {
                return client.finding(method);
            }
            let sync = session::created_kind(index, &callee) == Some(SessionKind::Sync);
            return (sync && !own.awaited && blocking.is_session_method(method))
                .then_some(Finding::Session);
        }
    }
    // `(folder / name).write_bytes(...)`: a method on a joined path.
    if let Expr::Attribute(attr) = call.func.as_ref() {
        if let Expr::BinOp(b) = attr.value.as_ref() {
            let client = (b.op == Operator::Div)
                .then(|| joined_path_client(module, bindings, &b.left, 0))
                .flatten()?;
            let method = attr.attr.id.as_str();
            return client.finding(method);
        }
    }
    let written = dotted(&call.func)?;
    let head = written.split('.').next().unwrap_or(&written);
    // `request.state.db.commit()` after `request.state.db = SessionLocal()` in this function.
    if let Some((object, method)) = written.rsplit_once('.') {
        if object.contains('.')
            && bindings.attributes.contains_key(object)
            && !own.awaited
            && blocking.is_session_method(method)
            && bindings.session_kind(index, summary, object) == Some(SessionKind::Sync)
        {
            return Some(Finding::Session);
        }
    }
    if bindings.is_local(head) {
        // A name the function binds itself: only `x.method(...)` on a client or session it
        // holds; the module's imports of that name do not apply.
        let (object, method) = written.split_once('.')?;
        if method.contains('.') {
            return None;
        }
        if !own.awaited
            && blocking.is_session_method(method)
            && bindings.session_kind(index, summary, object) == Some(SessionKind::Sync)
        {
            return Some(Finding::Session);
        }
        let client = local_client(module, bindings, object, 0)?;
        return client.finding(method);
    }
    let qualified = index.canonical(&summary.qualify(&written));
    if let Some(&i) = blocking.calls.get(&qualified) {
        return Some(Finding::Call(&blocking.table.call[i]));
    }
    // A method on a module-level object: `db = SessionLocal()`, `client = httpx.Client()`.
    let (object, method) = written.rsplit_once('.')?;
    let object = summary.qualify(object);
    if !own.awaited
        && blocking.is_session_method(method)
        && session::object_kind(index, &object) == Some(SessionKind::Sync)
    {
        return Some(Finding::Session);
    }
    object_client(module, &object)?.finding(method)
}

/// The blocking client a local name holds, when every binding of it agrees: built from a
/// client class (`httpx.Client()`, `with requests.Session() as s`) or a parameter annotated
/// with one.
fn local_client(
    module: &PythonModule<'_>,
    bindings: &Bindings<'_>,
    name: &str,
    depth: usize,
) -> Option<&'static ClientEntry> {
    if depth > 8 {
        return None;
    }
    let blocking: &'static Blocking = &BLOCKING;
    let index = module.index;
    let summary = module.summary;
    let mut found: Option<&'static ClientEntry> = None;
    for bound in bindings.names.get(name)? {
        let client = match bound {
            Bound::Param(p) => p.parameter.annotation.as_deref().and_then(|ann| {
                annotation_names(summary, ann)
                    .iter()
                    .find_map(|n| blocking.client(&index.canonical(n)))
            }),
            Bound::Value(Expr::Call(c)) | Bound::With(Expr::Call(c)) => built_client(module, c),
            // `dest = UPLOADS / name`: a path joined to a path is a path.
            Bound::Value(Expr::BinOp(b)) if b.op == Operator::Div => {
                joined_path_client(module, bindings, &b.left, depth)
            }
            _ => None,
        };
        let client = client?;
        if found.is_some_and(|f| !std::ptr::eq(f, client)) {
            return None;
        }
        found = Some(client);
    }
    found
}

/// The client the left side of `left / "part"` is, when it is a path: a local bound to a
/// path, a module-level `Path(...)`, or a `Path(...)` call. Only pathlib joins with `/`, so the
/// result is a path only when the left side is one.
fn joined_path_client(
    module: &PythonModule<'_>,
    bindings: &Bindings<'_>,
    left: &Expr,
    depth: usize,
) -> Option<&'static ClientEntry> {
    let summary = module.summary;
    let client = match left {
        Expr::Name(n) if bindings.is_local(n.id.as_str()) => {
            local_client(module, bindings, n.id.as_str(), depth + 1)
        }
        Expr::Name(n) => object_client(module, &summary.qualify(n.id.as_str())),
        Expr::Call(c) => built_client(module, c),
        Expr::BinOp(b) if b.op == Operator::Div => {
            joined_path_client(module, bindings, &b.left, depth + 1)
        }
        _ => None,
    }?;
    client
        .classes
        .iter()
        .any(|c| c.starts_with("pathlib."))
        .then_some(client)
}

/// The client a call builds: `httpx.Client(...)`, `Path(...)`.
fn built_client(module: &PythonModule<'_>, call: &ExprCall) -> Option<&'static ClientEntry> {
    let callee = module.summary.qualify_expr(&call.func)?;
    BLOCKING.client(&module.index.canonical(&callee))
}

/// The client a module-level object is: `client = httpx.Client()`, `UPLOADS = Path(...)`.
fn object_client(module: &PythonModule<'_>, qualname: &str) -> Option<&'static ClientEntry> {
    let Target::Name(_, _, Def::Call { callee, .. }) = module.index.resolve(qualname) else {
        return None;
    };
    BLOCKING.client(&module.index.canonical(callee))
}
