//! API005's fix: `@validator("f")` becomes `@field_validator("f")` with `@classmethod`, only
//! where the two mean the same thing.
//!
//! One to one means: a decorator on one line, called with field names and at most `pre=`,
//! `allow_reuse=` (v2 needs no reuse flag) and `check_fields=` (same name in v2); a function
//! taking exactly `(cls, value)` (v1's `values`, `field`, `config` and `**kwargs` have no
//! one-to-one v2 form); no other decorator but an optional `@classmethod` right below. `pre=True`
//! becomes `mode="before"`. `always=` and `each_item=` change meaning in v2: no fix.
//!
//! Safe when `field_validator` is already imported from pydantic, or the decorator is written
//! `pydantic.validator`. Otherwise the fix also adds `field_validator` to the module's `from
//! pydantic import …` line and is unsafe: the old `validator` import may be left unused.

use crate::diagnostic::Edit;
use crate::python::{span_of, PythonModule};
use ruff_python_ast::{Decorator, Expr, Stmt, StmtFunctionDef};

/// The edits, and whether they are safe; `None` when the validator does not map one to one.
pub fn fix(
    module: &PythonModule<'_>,
    f: &StmtFunctionDef,
    d: &Decorator,
) -> Option<(Vec<Edit>, bool)> {
    let text = module.text;
    let Expr::Call(call) = &d.expression else {
        return None;
    };
    let decorator = span_of(&d.expression);
    if text.get(decorator.clone())?.contains('\n') || !signature_maps(f) {
        return None;
    }
    // The decorator first, then at most `@classmethod`.
    let position = f.decorator_list.iter().position(|x| std::ptr::eq(x, d))?;
    let rest = &f.decorator_list[position + 1..];
    let has_classmethod = match rest {
        [] => false,
        [only] if matches!(&only.expression, Expr::Name(n) if n.id.as_str() == "classmethod") => {
            true
        }
        _ => return None,
    };
    if position != 0 {
        return None;
    }
    let (new_func, import_needed) = match call.func.as_ref() {
        Expr::Name(n) if n.id.as_str() == "validator" => {
            let imported = module
                .index
                .canonical(&module.summary.qualify("field_validator"))
                == "pydantic.field_validator";
            ("field_validator".to_string(), !imported)
        }
        Expr::Attribute(a) if a.attr.as_str() == "validator" => {
            let base = text.get(span_of(a.value.as_ref()))?;
            (format!("{base}.field_validator"), false)
        }
        _ => return None,
    };
    let mut args: Vec<String> = Vec::new();
    for arg in call.arguments.args.iter() {
        if !matches!(arg, Expr::StringLiteral(_)) {
            return None;
        }
        args.push(text.get(span_of(arg))?.to_string());
    }
    if args.is_empty() {
        return None;
    }
    for kw in call.arguments.keywords.iter() {
        let name = kw.arg.as_ref()?.as_str();
        match (name, &kw.value) {
            ("pre", Expr::BooleanLiteral(b)) => {
                if b.value {
                    args.push("mode=\"before\"".to_string());
                }
            }
            ("allow_reuse", Expr::BooleanLiteral(_)) => {}
            ("check_fields", Expr::BooleanLiteral(_)) => {
                args.push(text.get(span_of(kw))?.to_string());
            }
            _ => return None,
        }
    }
    let mut edits = vec![Edit {
        span: decorator.clone(),
        text: format!("{new_func}({})", args.join(", ")),
    }];
    if !has_classmethod {
        edits.push(classmethod_line(text, &decorator)?);
    }
    if import_needed {
        edits.push(import_edit(module)?);
    }
    Some((edits, !import_needed))
}

/// `(cls, value)`: two plain parameters, no defaults, nothing else.
fn signature_maps(f: &StmtFunctionDef) -> bool {
    let p = &f.parameters;
    p.posonlyargs.is_empty()
        && p.vararg.is_none()
        && p.kwarg.is_none()
        && p.kwonlyargs.is_empty()
        && p.args.len() == 2
        && p.args.iter().all(|a| a.default.is_none())
}

/// `@classmethod` on a line of its own below the decorator, indented like it, with the line
/// ending the file uses there.
fn classmethod_line(text: &str, decorator: &std::ops::Range<usize>) -> Option<Edit> {
    let line_start = text[..decorator.start].rfind('\n').map_or(0, |i| i + 1);
    // The `@` sits before the expression; only blanks before it on its line.
    let indent = text.get(line_start..decorator.start)?.strip_suffix('@')?;
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let newline = decorator.end + text[decorator.end..].find('\n')?;
    let tail = text[decorator.end..newline].trim();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    let eol = if text[..newline].ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    };
    Some(Edit {
        span: newline + 1..newline + 1,
        text: format!("{indent}@classmethod{eol}"),
    })
}

/// `, field_validator` after the last name of the top-level `from pydantic import …` that
/// imports `validator`.
fn import_edit(module: &PythonModule<'_>) -> Option<Edit> {
    module.ast.body.iter().find_map(|stmt| {
        let Stmt::ImportFrom(import) = stmt else {
            return None;
        };
        let from_pydantic = import.level == 0
            && import
                .module
                .as_ref()
                .is_some_and(|m| m.as_str() == "pydantic");
        let imports_validator = import
            .names
            .iter()
            .any(|a| a.name.as_str() == "validator" && a.asname.is_none());
        if !(from_pydantic && imports_validator) {
            return None;
        }
        let last = import.names.last()?;
        let end = span_of(last).end;
        Some(Edit {
            span: end..end,
            text: ", field_validator".to_string(),
        })
    })
}
