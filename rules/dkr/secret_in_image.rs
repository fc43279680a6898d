//! DKR008: secrets baked into the image through `ENV` or `ARG`.

use super::{arg_decls, written_pairs};
use crate::parse::dockerfile::{Dockerfile, Inst};
use crate::registry::Ctx;

pub const META: &str = include_str!("secret_in_image.toml");

/// Name parts that make a variable a secret: whole `_`-separated segments or segment endings,
/// so `DB_PASSWORD` and `GHTOKEN` count and `TOKENIZERS_PARALLELISM` does not.
const SECRET_WORDS: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY"];
const SECRET_PAIRS: &[(&str, &str)] = &[("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY")];
/// Suffixes that name where a secret is, or a setting about it, not the secret itself
/// (`ACCESS_TOKEN_EXPIRE_MINUTES` in the FastAPI full-stack template is a duration).
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "FILE",
    "PATH",
    "DIR",
    "NAME",
    "URL",
    "URI",
    "ENDPOINT",
    "HEADER",
    "LENGTH",
    "EXPIRE",
    "EXPIRES",
    "TTL",
    "REQUIRED",
    "ENABLED",
    "ALGORITHM",
    "TYPE",
    "ID",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "TIMEOUT",
    "LIFETIME",
];

/// Prefixes of variables that bundlers inline into client-side JavaScript on purpose
/// (Vite `VITE_`, Next.js `NEXT_PUBLIC_`, Create React App `REACT_APP_`): public by design.
const PUBLIC_PREFIXES: &[&str] = &["VITE_", "NEXT_PUBLIC_", "REACT_APP_"];
/// Words that make a name a switch about a secret, not the secret (`USE_ID_TOKEN=true`).
const SWITCH_WORDS: &[&str] = &["USE", "ENABLE", "DISABLE", "REQUIRE", "ALLOW"];

pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if PUBLIC_PREFIXES.iter().any(|p| upper.starts_with(p)) {
        return false;
    }
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| SWITCH_WORDS.contains(p)) {
        return false;
    }
    if parts
        .last()
        .is_some_and(|last| NOT_SECRET_SUFFIXES.contains(last))
    {
        return false;
    }
    parts
        .iter()
        .any(|p| SECRET_WORDS.iter().any(|w| p.ends_with(w)))
        || parts
            .windows(2)
            .any(|w| SECRET_PAIRS.contains(&(w[0], w[1])))
}

/// A value that only refers to another variable (`$X`, `${X}`, `${X:-}`) is not a literal.
fn is_literal(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return false;
    }
    let reference = (v.starts_with("${") && v.ends_with('}') && !v[2..].contains('$'))
        || (v.starts_with('$')
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'));
    !reference
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    let args = file.global_args.iter().copied().chain(
        file.stages
            .iter()
            .flat_map(|s| s.instructions.iter())
            .filter_map(|inst| match inst {
                Inst::Arg(a) => Some(a),
                _ => None,
            }),
    );
    // Any ARG named like a secret: even without a default, the value given with --build-arg
    // is recorded in the image history.
    for arg in args {
        for (name, _, span) in arg_decls(file, arg)
            .into_iter()
            .filter(|(name, _, _)| is_secret_name(name))
        {
            ctx.report(span, format!("build argument `{name}` carries a secret; build args are recorded in the image history (`docker history`)"))
                .help("pass it with `RUN --mount=type=secret,id=…` (BuildKit secrets) instead of ARG");
        }
    }
    for inst in file.stages.iter().flat_map(|s| s.instructions.iter()) {
        let Inst::Env(env) = inst else { continue };
        for (name, value, span) in written_pairs(file, &env.arguments) {
            if is_secret_name(&name) && is_literal(&value) {
                ctx.report(span, format!("`ENV {name}` bakes a literal secret into every layer and container of the image"))
                    .help("inject it at run time (orchestrator secret or environment), not in the Dockerfile");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "SECRET_KEY",
            "GITHUB_TOKEN",
            "OPENAI_API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "NPM_TOKEN",
            "APIKEY",
            "postgres_password",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "TOKENIZERS_PARALLELISM",
            "PASSWORD_FILE",
            "SECRET_KEY_PATH",
            "PYTHONUNBUFFERED",
            "KEYCLOAK_URL",
            "TOKEN_URL",
            "VITE_AMPLITUDE_API_KEY",
            "VITE_DISPATCH_AUTHENTICATION_PROVIDER_USE_ID_TOKEN",
            "ENABLE_TOKEN_AUTH",
            "PASSWORD_MIN_LENGTH",
            "ACCESS_TOKEN_EXPIRE_MINUTES",
            "EMAIL_RESET_TOKEN_EXPIRE_HOURS",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
