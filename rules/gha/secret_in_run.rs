//! GHA007: `${{ secrets.X }}` expanded inside a `run:` script.

use super::expr::context_refs;
use super::run_expressions;
use crate::model::WorkflowFile;
use crate::registry::Ctx;

pub const META: &str = include_str!("secret_in_run.toml");

pub fn check(file: &WorkflowFile<'_>, ctx: &mut Ctx<'_>) {
    for e in run_expressions(file) {
        let refs = context_refs(&e.inner);
        // `secrets.X`, `secrets['X']`, or the whole context (`toJSON(secrets)`).
        let Some(secret) = refs
            .iter()
            .find(|r| (r.path == "secrets" || r.path.starts_with("secrets.")) && !r.boolean_only)
        else {
            continue;
        };
        let name = secret
            .path
            .strip_prefix("secrets.")
            .map(str::to_ascii_uppercase)
            .unwrap_or_else(|| "SECRET".to_string());
        let var = if name == "*" {
            "SECRET".to_string()
        } else {
            name
        };
        ctx.report(
            e.span,
            format!(
                "`${{{{ {} }}}}` is pasted into the `run:` script: the secret is written to the runner's script file, and a quote or `$` in it breaks the command",
                e.inner
            ),
        )
        .help(format!("pass it through the step's environment: `env: {{{var}: ${{{{ secrets.{var} }}}}}}` and use \"${var}\" in the script"));
    }
}
