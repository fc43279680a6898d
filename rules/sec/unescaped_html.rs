//! SEC005: HTML built by interpolating values without escaping: `HTMLResponse(f"…{x}…")`,
//! `Markup(f"…")`, and Jinja2 environments or Starlette templates with `autoescape=False`.

use super::flow::{built, for_each_call, formatting, is_constant, Scope};
use crate::python::{span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{Expr, ExprCall, Parameters};
use std::collections::HashSet;

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

/// Renderers that turn Markdown into HTML and, by default, pass raw HTML in the input through.
const MARKDOWN: &[&str] = &[
    "markdown.markdown",
    "markdown2.markdown",
    "mistune.html",
    "mistune.markdown",
    "commonmark.commonmark",
];
const JINJA_TEMPLATE: &[&str] = &["jinja2.Template", "jinja2.environment.Template"];

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let functions = crate::python::functions::functions_by_name(module.ast);
    // Route handlers' parameters are request data even when keyword-only.
    let handler_params: HashSet<*const Parameters> = module
        .index
        .handlers_in(module.summary.file)
        .filter_map(|h| functions.get(&h.span))
        .map(|f| std::ptr::from_ref(f.parameters.as_ref()))
        .collect();
    let html = Html {
        module,
        handler_params,
    };
    for_each_call(module.ast, |call, scope| {
        let Some(callee) = module.summary.qualify_expr(&call.func) else {
            return;
        };
        let short = callee.rsplit('.').next().unwrap_or(&callee).to_string();
        if HTML_RESPONSE.contains(&callee.as_str()) {
            interpolated(&html, call, scope, "content", &short, ctx);
        } else if MARKUP.contains(&callee.as_str()) {
            interpolated(&html, call, scope, "base", &short, ctx);
            markdown_marked_safe(&html, call, scope, &short, ctx);
        } else if JINJA_TEMPLATE.contains(&callee.as_str()) {
            template_without_autoescape(call, ctx);
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

/// What the value checks need besides the scope: the module, and which functions are route
/// handlers (their parameters are request data).
struct Html<'m, 'p> {
    module: &'m PythonModule<'p>,
    handler_params: HashSet<*const Parameters>,
}

impl Html<'_, '_> {
    /// A keyword-only parameter (`def page(*, title: str)`) of a function that is not a route
    /// handler: the FastAPI `get_swagger_ui_html` style, filled by the developer's own call
    /// (`title=app.title`), not by a request.
    fn developer_keyword(&self, name: &str, scope: Scope<'_>) -> bool {
        let Some(params) = scope.params else {
            return false;
        };
        !self.handler_params.contains(&std::ptr::from_ref(params))
            && params
                .kwonlyargs
                .iter()
                .any(|p| p.parameter.name.as_str() == name)
            && scope.assignments(name).is_empty()
    }
}

/// `Markup(markdown.markdown(text))`: Markdown renderers keep raw HTML of their input, and
/// `Markup` then marks the result safe.
fn markdown_marked_safe(
    html: &Html<'_, '_>,
    call: &ExprCall,
    scope: Scope<'_>,
    short: &str,
    ctx: &mut Ctx<'_>,
) {
    let Some(Expr::Call(inner)) = call.arguments.find_argument_value("base", 0) else {
        return;
    };
    let Some(renderer) = html.module.summary.qualify_expr(&inner.func) else {
        return;
    };
    if !MARKDOWN.contains(&renderer.as_str()) {
        return;
    }
    let Some(source) = inner.arguments.args.first() else {
        return;
    };
    if safe_value(html, source, scope, 0) {
        return;
    }
    ctx.report(
        span_of(inner),
        format!("`{renderer}(…)` output is marked safe with `{short}`: Markdown passes raw HTML in its input through, so `<script>` in the text reaches the page"),
    )
    .help("sanitize the rendered HTML first (`nh3.clean(...)` / `bleach.clean(...)` with an allow-list), or render with raw HTML disabled");
}

/// `jinja2.Template("<p>{{ name }}</p>")`: a template built directly gets Jinja2's default,
/// `autoescape=False`.
fn template_without_autoescape(call: &ExprCall, ctx: &mut Ctx<'_>) {
    let Some(source) = call
        .arguments
        .find_argument_value("source", 0)
        .and_then(crate::python::string_value)
    else {
        return;
    };
    if !(source.contains('<') && source.contains("{{")) {
        return;
    }
    if call.arguments.find_keyword("autoescape").is_some() {
        return;
    }
    ctx.report(
        span_of(call),
        "`jinja2.Template(...)` of HTML renders every `{{ value }}` raw: a template built directly does not autoescape".to_string(),
    )
    .help("pass `autoescape=True`, or load the template from an `Environment(autoescape=select_autoescape())`");
}

fn interpolated(
    html: &Html<'_, '_>,
    call: &ExprCall,
    scope: Scope<'_>,
    name: &str,
    short: &str,
    ctx: &mut Ctx<'_>,
) {
    let Some(arg) = call.arguments.find_argument_value(name, 0) else {
        return;
    };
    let safe = |e: &Expr| safe_value(html, e, scope, 0);
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
fn safe_value(html: &Html<'_, '_>, e: &Expr, scope: Scope<'_>, depth: u8) -> bool {
    let module = html.module;
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
            safe_value(html, &i.body, scope, depth) && safe_value(html, &i.orelse, scope, depth)
        }
        Expr::FString(_) => formatting(e, &|x| safe_value(html, x, scope, depth)).is_none(),
        Expr::Name(n) if html.developer_keyword(n.id.as_str(), scope) => true,
        Expr::Name(n) if depth < 3 => {
            let assigned = scope.assignments(n.id.as_str());
            !assigned.is_empty()
                && assigned
                    .iter()
                    .all(|a| safe_value(html, a.value, scope, depth + 1))
        }
        _ => false,
    }
}
