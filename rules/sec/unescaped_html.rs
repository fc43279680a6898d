//! SEC005: HTML built by interpolating values without escaping: `HTMLResponse(f"…{x}…")`,
//! `Markup(f"…")`, and Jinja2 environments or Starlette templates with `autoescape=False`.

use super::flow::{built, for_each_call, formatting, is_constant, Scope};
use crate::python::{span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{Expr, ExprCall};

pub const META: &str = include_str!("unescaped_html.toml");

const HTML_RESPONSE: &[&str] = &[
    "fastapi.responses.HTMLResponse",
    "starlette.responses.HTMLResponse",
];
const MARKUP: &[&str] = &[
    "markupsafe.Markup",
    "jinja2.Markup",
    "jinja2.utils.Markup",
    "flask.Markup",
];
const TEMPLATE_ENVS: &[&str] = &[
    "jinja2.Environment",
    "jinja2.environment.Environment",
    "jinja2.sandbox.SandboxedEnvironment",
    "jinja2.sandbox.ImmutableSandboxedEnvironment",
    "starlette.templating.Jinja2Templates",
    "fastapi.templating.Jinja2Templates",
];
/// Calls whose result is escaped (or stripped) HTML.
const ESCAPES: &[&str] = &[
    "html.escape",
    "markupsafe.escape",
    "jinja2.escape",
    "flask.escape",
    "bleach.clean",
    "bleach.linkify",
    "nh3.clean",
    "urllib.parse.quote",
    "urllib.parse.quote_plus",
    "urllib.parse.urlencode",
];

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    for_each_call(module.ast, |call, scope| {
        let Some(callee) = module.summary.qualify_expr(&call.func) else {
            return;
        };
        let short = callee.rsplit('.').next().unwrap_or(&callee).to_string();
        if HTML_RESPONSE.contains(&callee.as_str()) {
            interpolated(module, call, scope, "content", &short, ctx);
        } else if MARKUP.contains(&callee.as_str()) {
            interpolated(module, call, scope, "base", &short, ctx);
        } else if TEMPLATE_ENVS.contains(&callee.as_str()) {
            // Jinja2 also renders code, prompts and config files, where escaping HTML would be
            // wrong: a plain Environment is judged only in a module that handles HTML.
            // Starlette's Jinja2Templates renders responses, so always.
            let starlette = callee.ends_with("Jinja2Templates");
            // Custom variable delimiters (`variable_start_string="<<"`) leave `{{ }}` to the
            // output: the environment generates source files (a Vue or Jinja scaffold), not
            // pages filled with request data.
            let generator = call
                .arguments
                .find_keyword("variable_start_string")
                .is_some();
            if starlette || (handles_html(module) && !generator) {
                autoescape_off(call, &short, ctx);
            }
        }
    });
}

fn interpolated(
    module: &PythonModule<'_>,
    call: &ExprCall,
    scope: Scope<'_>,
    name: &str,
    short: &str,
    ctx: &mut Ctx<'_>,
) {
    let Some(arg) = call.arguments.find_argument_value(name, 0) else {
        return;
    };
    let safe = |e: &Expr| safe_value(module, e, scope, 0);
    let Some(b) = built(arg, scope, &safe) else {
        return;
    };
    // HTML is built when the literal parts hold markup; `" " + rv` joins fragments built
    // (and escaped) elsewhere.
    if !b.text.contains('<') {
        return;
    }
    let how = b.how;
    let message = match b.through {
        Some(var) => {
            format!("`{var}` is HTML built with {how} of unescaped values, passed to `{short}`")
        }
        None => format!("HTML built with {how} of unescaped values is passed to `{short}`"),
    };
    ctx.report(span_of(arg), message).help(
        "render a Jinja2 template (autoescaped) or wrap each value in `html.escape()` / `markupsafe.escape()`",
    );
}

fn autoescape_off(call: &ExprCall, short: &str, ctx: &mut Ctx<'_>) {
    let Some(k) = call.arguments.find_keyword("autoescape") else {
        return;
    };
    if matches!(&k.value, Expr::BooleanLiteral(b) if !b.value) {
        ctx.report(
            span_of(k),
            format!("`{short}(autoescape=False)` renders every `{{{{ value }}}}` as raw HTML"),
        )
        .help("use `autoescape=True` or `select_autoescape([\"html\", \"xml\"])`; mark trusted fragments with `|safe`");
    }
}

/// Whether a module deals with HTML: a string naming an HTML template or content type, HTML
/// markup, or an HTML response class.
fn handles_html(module: &PythonModule<'_>) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_string_literal(&mut self, s: &'a ruff_python_ast::StringLiteral) {
            let v = s.value.to_ascii_lowercase();
            self.0 |= [
                ".html",
                "text/html",
                "<html",
                "<div",
                "<p>",
                "<body",
                "<a href",
            ]
            .iter()
            .any(|m| v.contains(m));
        }
        fn visit_interpolated_string_element(
            &mut self,
            e: &'a ruff_python_ast::InterpolatedStringElement,
        ) {
            if let ruff_python_ast::InterpolatedStringElement::Literal(l) = e {
                let v = l.value.to_ascii_lowercase();
                self.0 |= ["<html", "<div", "<p>", "<body"]
                    .iter()
                    .any(|m| v.contains(m));
            }
            ruff_python_ast::visitor::walk_interpolated_string_element(self, e);
        }
    }
    let imports_html = module
        .summary
        .imports
        .values()
        .any(|q| HTML_RESPONSE.contains(&q.as_str()) || q.ends_with("render_template"));
    if imports_html {
        return true;
    }
    let mut finder = Finder(false);
    for stmt in &module.ast.body {
        finder.visit_stmt(stmt);
    }
    finder.0
}

/// A value that cannot inject markup: constants, numbers, escaped values, and names assigned
/// only such values in the same function.
fn safe_value(module: &PythonModule<'_>, e: &Expr, scope: Scope<'_>, depth: u8) -> bool {
    if is_constant(e) {
        return true;
    }
    match e {
        Expr::Call(c) => {
            if matches!(c.func.as_ref(), Expr::Name(n) if matches!(n.id.as_str(), "int" | "float" | "len" | "round"))
            {
                return true;
            }
            module
                .summary
                .qualify_expr(&c.func)
                .is_some_and(|q| ESCAPES.contains(&q.as_str()) || q.ends_with(".escape"))
        }
        Expr::If(i) => {
            safe_value(module, &i.body, scope, depth) && safe_value(module, &i.orelse, scope, depth)
        }
        Expr::FString(_) => formatting(e, &|x| safe_value(module, x, scope, depth)).is_none(),
        Expr::Name(n) if depth < 3 => {
            let assigned = scope.assignments(n.id.as_str());
            !assigned.is_empty()
                && assigned
                    .iter()
                    .all(|a| safe_value(module, a.value, scope, depth + 1))
        }
        _ => false,
    }
}
