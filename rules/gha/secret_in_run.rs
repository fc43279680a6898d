//! GHA007: `${{ secrets.X }}` expanded inside a `run:` script; in a composite action, an input
//! that carries a secret (`inputs.token`, or an input defaulting to `github.token`), since an
//! action receives its secrets through inputs.

use super::expr::context_refs;
use super::run_expressions;
use crate::model::WorkflowFile;
use crate::registry::Ctx;

pub const META: &str = include_str!("secret_in_run.toml");

pub fn check(file: &WorkflowFile<'_>, ctx: &mut Ctx<'_>) {
    for e in run_expressions(file) {
        let refs = context_refs(&e.inner);
        // `secrets.X`, `secrets['X']`, or the whole context (`toJSON(secrets)`).
        if file.workflow.action {
            if let Some(input) = refs
                .iter()
                .filter(|r| !r.boolean_only)
                .find_map(|r| secret_input(file, &r.path))
            {
                report_input(&e.inner, input, e.span, ctx);
            }
            continue;
        }
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

/// Words of an input name that say it holds a credential.
const SECRET_WORDS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "secret",
    "apikey",
    "credentials",
    "credential",
];

/// The input name when `path` reads an action input that carries a secret: its name says so
/// (`token`, `api-key`, `private_key`, `registry-password`) or its default is the job's token.
fn secret_input<'p>(file: &WorkflowFile<'_>, path: &'p str) -> Option<&'p str> {
    let name = path.strip_prefix("inputs.")?;
    let words = super::words_of(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    let named = SECRET_WORDS.iter().any(|w| has(w))
        || (has("key") && (has("api") || has("private") || has("access") || has("ssh")));
    let token_default = file
        .workflow
        .doc
        .path(&["inputs", name, "default"])
        .and_then(|d| d.as_str())
        .is_some_and(|d| d.contains("github.token") || d.contains("secrets."));
    (named || token_default).then_some(name)
}

fn report_input(inner: &str, input: &str, span: crate::source::Span, ctx: &mut Ctx<'_>) {
    let var = input.to_ascii_uppercase().replace('-', "_");
    ctx.report(
        span,
        format!(
            "`${{{{ {inner} }}}}` pastes the action's `{input}` input, a secret, into the `run:` script: it is written to the runner's script file, and a quote or `$` in it breaks the command"
        ),
    )
    .help(format!("pass it through the step's environment: `env: {{{var}: ${{{{ inputs.{input} }}}}}}` and use \"${var}\" in the script"));
}
