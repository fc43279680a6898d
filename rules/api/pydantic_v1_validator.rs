//! API005: `@validator` / `@root_validator` (Pydantic v1) in a project on Pydantic v2.

use crate::diagnostic::Severity;
use crate::python::pydantic::PydanticVersion;
use crate::python::{span_of, PythonModule};
use crate::registry::Ctx;
use ruff_python_ast::visitor::{walk_stmt, Visitor};
use ruff_python_ast::{Expr, Stmt};

pub const META: &str = include_str!("pydantic_v1_validator.toml");

/// The v1 decorators, wherever Pydantic v2 still exports them. `pydantic.v1.validator` is the
/// explicit v1 compatibility layer and is left alone.
const V1_VALIDATORS: &[(&str, &str)] = &[
    ("pydantic.validator", "validator"),
    ("pydantic.class_validators.validator", "validator"),
    (
        "pydantic.deprecated.class_validators.validator",
        "validator",
    ),
    ("pydantic.root_validator", "root_validator"),
    ("pydantic.class_validators.root_validator", "root_validator"),
    (
        "pydantic.deprecated.class_validators.root_validator",
        "root_validator",
    ),
];

struct Finder<'m, 'p, 'c, 'o> {
    module: &'m PythonModule<'p>,
    ctx: &'c mut Ctx<'o>,
}

impl<'a> Visitor<'a> for Finder<'_, '_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(f) = stmt {
            for d in &f.decorator_list {
                let func = match &d.expression {
                    Expr::Call(c) => c.func.as_ref(),
                    other => other,
                };
                let Some(written) = self.module.summary.qualify_expr(func) else {
                    continue;
                };
                let canonical = self.module.index.canonical(&written);
                if let Some((_, name)) = V1_VALIDATORS.iter().find(|(q, _)| *q == canonical) {
                    let fix = (*name == "validator")
                        .then(|| super::pydantic_v1_validator_fix::fix(self.module, f, d))
                        .flatten();
                    self.report(name, span_of(&d.expression), fix);
                }
            }
        }
        walk_stmt(self, stmt);
    }
}

impl Finder<'_, '_, '_, '_> {
    fn report(
        &mut self,
        name: &str,
        span: crate::source::Span,
        fix: Option<(Vec<crate::diagnostic::Edit>, bool)>,
    ) {
        let replacement = if name == "validator" {
            "`@field_validator(...)` with `@classmethod` (`pre=True` becomes `mode=\"before\"`, `values` becomes `info.data`)"
        } else {
            "`@model_validator(mode=\"before\")` or `mode=\"after\"` (`pre=True` becomes `mode=\"before\"`)"
        };
        match &self.module.index.pydantic {
            PydanticVersion::V1(_) => {}
            PydanticVersion::V2(why) => {
                let report = self.ctx
                    .report(
                        span,
                        format!(
                            "`@{name}` is the Pydantic v1 API and this project is on Pydantic v2 ({why}): it emits PydanticDeprecatedSince20 and is removed in v3"
                        ),
                    )
                    .help(format!("use {replacement}"));
                // Only on v2, where `field_validator` exists.
                match fix {
                    Some((edits, true)) => {
                        report.fix(edits);
                    }
                    Some((edits, false)) => {
                        report.unsafe_fix(edits);
                    }
                    None => {}
                }
            }
            PydanticVersion::Unknown => {
                self.ctx
                    .report(
                        span,
                        format!(
                            "`@{name}` is the Pydantic v1 API, deprecated in Pydantic v2 and removed in v3 (the project's Pydantic version could not be told from its requirements or code)"
                        ),
                    )
                    .severity(Severity::Info)
                    .help(format!("on Pydantic v2, use {replacement}"));
            }
        }
    }
}

pub fn check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    let mut finder = Finder { module, ctx };
    for stmt in &module.ast.body {
        finder.visit_stmt(stmt);
    }
}
