//! API008: a route that takes its request body untyped (`dict`, `Any`, `request.json()`).

use crate::python::functions::{function_at, functions_by_name, own_calls};
use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::{Expr, ParameterWithDefault};

pub const META: &str = include_str!("untyped_request_body.toml");

/// Parameter markers that make a parameter something other than the body.
const NOT_BODY: &[&str] = &[
    "Depends", "Security", "Query", "Header", "Cookie", "Path", "File", "Form",
];
const REQUEST: &[&str] = &[
    "fastapi.Request",
    "fastapi.requests.Request",
    "starlette.requests.Request",
];
const DICT: &[&str] = &["dict", "typing.Dict", "typing_extensions.Dict"];
const ANY: &[&str] = &["typing.Any", "typing_extensions.Any"];
const OPTIONAL: &[&str] = &["typing.Optional", "typing.Union"];
/// Mapping types that Pydantic validates by their key and value types.
const MAPPING: &[&str] = &[
    "typing.Mapping",
    "typing.MutableMapping",
    "collections.abc.Mapping",
    "collections.abc.MutableMapping",
];
/// Calls that validate data read by hand against a model or a type.
const VALIDATORS: &[&str] = &[
    "model_validate",
    "model_validate_json",
    "validate_python",
    "validate_json",
    "parse_obj",
    "parse_raw",
    "parse_obj_as",
];

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let functions = functions_by_name(module.ast);
    for handler in module.index.handlers_in(module.summary.file) {
        if handler.method == "websocket" {
            continue;
        }
        let Some(f) = function_at(&functions, &handler.span) else {
            continue;
        };
        let params: Vec<&ParameterWithDefault> = f
            .parameters
            .posonlyargs
            .iter()
            .chain(&f.parameters.args)
            .chain(&f.parameters.kwonlyargs)
            .collect();
        let mut requests = Vec::new();
        for p in &params {
            let Some(ann) = p.parameter.annotation.as_deref() else {
                continue;
            };
            let name = p.parameter.name.id.as_str();
            if is_request(module, ann) {
                requests.push(name);
                continue;
            }
            let Some(kind) = body_kind(module, p, ann) else {
                continue;
            };
            ctx.report(
                span_of(ann),
                format!(
                    "route handler `{}` takes its request body `{name}` as {kind}: nothing validates its shape and the OpenAPI schema does not describe it",
                    handler.function
                ),
            )
            .help("declare a Pydantic model for the body (`class ItemIn(BaseModel): ...`) and annotate the parameter with it");
        }
        if requests.is_empty() {
            continue;
        }
        let calls = own_calls(f);
        let written: Vec<Option<String>> = calls.iter().map(|c| dotted(&c.call.func)).collect();
        // A webhook reads the raw bytes to check their signature: they must not be parsed.
        let verifies_signature = written.iter().flatten().any(|w| {
            let last = w.rsplit('.').next().unwrap_or(w).to_ascii_lowercase();
            last.contains("verify")
                || last.contains("signature")
                || last == "construct_event"
                || last == "compare_digest"
                || module.summary.qualify(w).starts_with("hmac.")
        });
        // What was read is validated by hand (`Model.model_validate(body)`,
        // `TypeAdapter(...).validate_python(body)`, v1 `parse_obj`): the shape is checked, only
        // the OpenAPI schema misses it, which an `openapi_extra` can carry.
        let validates = written.iter().flatten().any(|w| {
            let last = w.rsplit('.').next().unwrap_or(w);
            VALIDATORS.contains(&last)
        });
        if validates {
            continue;
        }
        for (own, w) in calls.iter().zip(&written) {
            let Some((object, method)) = w.as_deref().and_then(|w| w.split_once('.')) else {
                continue;
            };
            if !requests.contains(&object) || !matches!(method, "json" | "body") {
                continue;
            }
            // A signed webhook: the provider owns the payload's shape, and the raw bytes are
            // what the signature covers.
            if verifies_signature {
                continue;
            }
            // `await request.body()` on its own line only caches the body on the request for
            // code that reads it later; it is not this handler's input.
            if own.discarded {
                continue;
            }
            ctx.report(
                span_of(own.call),
                format!(
                    "route handler `{}` reads its body with `{object}.{method}()` instead of declaring a Pydantic model: nothing validates it and the OpenAPI schema has no request body",
                    handler.function
                ),
            )
            .help("declare a Pydantic model for the body and take it as a parameter (`item: ItemIn`)");
        }
    }
}

fn is_request(module: &PythonModule<'_>, ann: &Expr) -> bool {
    let Some(q) = module.summary.qualify_expr(ann) else {
        return false;
    };
    REQUEST.contains(&module.index.canonical(&q).as_str())
}

fn canonical(module: &PythonModule<'_>, expr: &Expr) -> Option<String> {
    let q = module.summary.qualify_expr(expr)?;
    Some(module.index.canonical(&q))
}

/// The last segment of a marker call's callee: `Depends`, `Body`, `Query`.
fn marker(module: &PythonModule<'_>, expr: &Expr) -> Option<String> {
    let Expr::Call(call) = expr else {
        return None;
    };
    let q = canonical(module, &call.func)?;
    Some(q.rsplit('.').next().unwrap_or(&q).to_string())
}

/// "an untyped `dict`" / "`Any`" when the parameter is the request body and untyped.
///
/// FastAPI reads a parameter from the body when its type is complex (a model, a `dict`, a
/// mapping) or when it is marked `Body()`; `Any` is a scalar to FastAPI, so a bare `x: Any`
/// is a query parameter and only `Body()` makes it the body
/// (fastapi/dependencies/utils.py, `analyze_param` and `field_annotation_is_scalar`).
fn body_kind(
    module: &PythonModule<'_>,
    p: &ParameterWithDefault,
    ann: &Expr,
) -> Option<&'static str> {
    let mut marked_body = false;
    let mut markers: Vec<String> = p
        .default
        .as_deref()
        .and_then(|d| marker(module, d))
        .into_iter()
        .collect();
    let mut ty = ann;
    // Annotated[X, Body(), ...]
    if let Expr::Subscript(s) = ann {
        if canonical(module, &s.value).is_some_and(|q| q.ends_with("Annotated")) {
            if let Expr::Tuple(t) = s.slice.as_ref() {
                let mut elts = t.elts.iter();
                ty = elts.next()?;
                markers.extend(elts.filter_map(|e| marker(module, e)));
            }
        }
    }
    for m in &markers {
        if NOT_BODY.contains(&m.as_str()) {
            return None;
        }
        marked_body |= m == "Body";
    }
    let ty = strip_optional(module, ty);
    if untyped_mapping(module, ty, 0) {
        return Some("an untyped `dict`");
    }
    let head = canonical(module, ty)?;
    if marked_body && ANY.contains(&head.as_str()) {
        return Some("`Any`");
    }
    None
}

/// A mapping whose values nothing validates: bare `dict`/`Dict`/`Mapping`, or one whose value
/// type is `Any`, `object` or itself such a mapping (`dict[str, Any]`, `Dict[str, dict]`).
/// `dict[int, float]`, `dict[str, Item]`, `Mapping[str, Model]` are validated per value.
fn untyped_mapping(module: &PythonModule<'_>, ty: &Expr, depth: u8) -> bool {
    if depth > 4 {
        return false;
    }
    let is_mapping = |head: &str| DICT.contains(&head) || MAPPING.contains(&head);
    match ty {
        Expr::Subscript(s) => {
            if !canonical(module, &s.value).is_some_and(|h| is_mapping(&h)) {
                return false;
            }
            let Expr::Tuple(t) = s.slice.as_ref() else {
                return false;
            };
            let Some(value) = t.elts.get(1) else {
                return false;
            };
            let value = strip_optional(module, value);
            untyped_mapping(module, value, depth + 1)
                || canonical(module, value)
                    .is_some_and(|v| ANY.contains(&v.as_str()) || v == "object")
        }
        other => canonical(module, other).is_some_and(|h| is_mapping(&h)),
    }
}

/// `Optional[X]`, `Union[X, None]`, `X | None` -> X (when one non-None member remains).
fn strip_optional<'e>(module: &PythonModule<'_>, ty: &'e Expr) -> &'e Expr {
    let is_none = |e: &Expr| matches!(e, Expr::NoneLiteral(_));
    match ty {
        Expr::Subscript(s)
            if canonical(module, &s.value).is_some_and(|q| OPTIONAL.contains(&q.as_str())) =>
        {
            match s.slice.as_ref() {
                Expr::Tuple(t) => {
                    let rest: Vec<&Expr> = t.elts.iter().filter(|e| !is_none(e)).collect();
                    if rest.len() == 1 {
                        rest[0]
                    } else {
                        ty
                    }
                }
                other => other,
            }
        }
        Expr::BinOp(b) if is_none(&b.right) => &b.left,
        Expr::BinOp(b) if is_none(&b.left) => &b.right,
        _ => ty,
    }
}
