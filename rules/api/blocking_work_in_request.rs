//! API011: a route handler that sends mail or runs a Celery task inside the request.

use crate::python::functions::{function_at, functions_by_name, own_calls};
use crate::python::index::{PythonIndex, Target};
use crate::python::session::Bindings;
use crate::python::summary::Def;
use crate::python::{dotted, span_of, PythonModule};
use crate::registry::Ctx;
use std::collections::HashMap;

pub const META: &str = include_str!("blocking_work_in_request.toml");

const MAIL_FUNCTIONS: &[&str] = &["send_mail", "send_email"];
const CELERY: &[&str] = &[
    "celery.Celery",
    "celery.app.Celery",
    "celery.app.base.Celery",
];
const SHARED_TASK: &[&str] = &[
    "celery.shared_task",
    "celery.app.shared_task",
    "celery.task",
];

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let functions = functions_by_name(module.ast);
    let mut memo = HashMap::new();
    for handler in module.index.handlers_in(module.summary.file) {
        let Some(f) = function_at(&functions, &handler.span) else {
            continue;
        };
        let bindings = Bindings::of(f);
        for own in own_calls(f) {
            let Some(written) = dotted(&own.call.func) else {
                continue;
            };
            let last = written.rsplit('.').next().unwrap_or(&written);
            let local = bindings.is_local(written.split('.').next().unwrap_or(&written));
            let qualified = module.index.canonical(&module.summary.qualify(&written));
            let message = if MAIL_FUNCTIONS.contains(&last)
                || (!local && qualified.starts_with("smtplib."))
            {
                format!(
                    "route handler `{}` sends mail with `{written}(…)` while the client waits for the response",
                    handler.function
                )
            } else if !local && is_celery_task(module.index, &qualified) {
                format!(
                    "route handler `{}` calls the Celery task `{written}(…)` directly: it runs inside the request, not on a worker",
                    handler.function
                )
            } else if let Some(via) = (!local)
                .then(|| sends_mail_through(module.index, &qualified, 0, &mut memo))
                .flatten()
            {
                format!(
                    "route handler `{}` calls `{written}(…)`, which sends mail with `{via}` while the client waits for the response",
                    handler.function
                )
            } else {
                continue;
            };
            ctx.report(span_of(own.call), message).help(
                "queue it: `background_tasks.add_task(fn, ...)` with a `BackgroundTasks` parameter, or `.delay(...)` for a Celery task",
            );
        }
    }
}

/// A project function decorated `@<celery app>.task` / `@shared_task`.
fn is_celery_task(index: &PythonIndex, canonical: &str) -> bool {
    let Some((module, name)) = canonical.rsplit_once('.') else {
        return false;
    };
    let Some(decorators) = index.module(module).and_then(|m| m.decorators.get(name)) else {
        return false;
    };
    decorators.iter().any(|d| {
        let d = index.canonical(d);
        if SHARED_TASK.contains(&d.as_str()) {
            return true;
        }
        let Some(app) = d.strip_suffix(".task") else {
            return false;
        };
        matches!(index.resolve(app), Target::Name(_, _, Def::Call { callee, .. })
            if CELERY.contains(&index.canonical(callee).as_str()))
    })
}

/// How deep project calls are followed from a handler: helpers that call helpers that send.
const MAX_DEPTH: usize = 4;

/// The synchronous mail call a project function makes, itself or through the project
/// functions it calls (`notify_signup` → `send_welcome` → `smtplib.SMTP`). Memoised per
/// module check; `None` while a function is being visited, so recursion ends.
fn sends_mail_through(
    index: &PythonIndex,
    function: &str,
    depth: usize,
    memo: &mut HashMap<String, Option<String>>,
) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Some(known) = memo.get(function) {
        return known.clone();
    }
    memo.insert(function.to_string(), None);
    let Target::Name(_, _, Def::Function(f)) = index.resolve(function) else {
        return None;
    };
    let mut found = None;
    for callee in &f.calls {
        let callee = index.canonical(callee);
        if callee.starts_with("smtplib.") {
            found = Some(callee);
            break;
        }
        if let Some(via) = sends_mail_through(index, &callee, depth + 1, memo) {
            found = Some(via);
            break;
        }
    }
    memo.insert(function.to_string(), found.clone());
    found
}
