//! API001: a path operation defined with `def`, not `async def`.

use crate::python::PythonModule;
use crate::registry::Ctx;

pub const META: &str = include_str!("sync_route_handler.toml");

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    for handler in module.index.handlers_in(module.summary.file) {
        if handler.is_async {
            continue;
        }
        let route = route_label(&handler.method, handler.path.as_deref());
        ctx.report(
            handler.span.clone(),
            format!(
                "route handler `{}`{route} is a plain `def`: FastAPI runs it in a threadpool of 40 threads shared by every sync handler, not on the event loop",
                handler.function
            ),
        )
        .help("declare it `async def` and await non-blocking I/O (`AsyncSession`, `httpx.AsyncClient`)");
    }
}

/// ` (GET /users)`, or empty when neither is known.
pub fn route_label(method: &str, path: Option<&str>) -> String {
    let method = match method {
        "api_route" => String::new(),
        m => format!("{} ", m.to_ascii_uppercase()),
    };
    match path {
        Some(p) => format!(" ({method}{p})"),
        None if !method.is_empty() => format!(" ({})", method.trim_end()),
        None => String::new(),
    }
}
