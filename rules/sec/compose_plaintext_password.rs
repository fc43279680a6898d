//! SEC009 (project rule): a literal password in a compose service's environment or command.

use crate::facts::ProjectFacts;
use crate::model::compose::{has_interpolation, EnvVar};
use crate::model::stacks::{in_dev_file, only_in_dev_stacks, Seen};
use crate::model::topology::compose_projects;
use crate::registry::Ctx;

pub const META: &str = include_str!("compose_plaintext_password.toml");

/// Whether a variable name says it holds a secret (not a file, a user or a setting about one).
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    const MARKS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
    ];
    const NOT: &[&str] = &[
        "_FILE",
        "_PATH",
        "_DIR",
        "_LENGTH",
        "_NAME",
        "_USER",
        "_USERNAME",
        "_HOST",
        "_PORT",
        "_ENABLED",
        "_TIMEOUT",
        "_EXPIRE",
        "_EXPIRES",
        "_TTL",
        "_ALGORITHM",
        "_HEADER",
        "_URL",
        "_MINUTES",
        "_SECONDS",
        "_DAYS",
        "_TYPE",
        "_METHOD",
    ];
    let marked =
        MARKS.iter().any(|m| upper.contains(m)) || upper == "PASS" || upper.ends_with("_PASS");
    marked
        && !NOT.iter().any(|s| upper.ends_with(s))
        && !upper.starts_with("ALLOW_")
        && !upper.contains("EMPTY_PASSWORD")
        && !is_identifier_name(&upper)
}

/// Names that hold identifiers, not credentials: etcd's `ETCD_INITIAL_CLUSTER_TOKEN` only keeps
/// two clusters from joining each other (etcd documentation, "Clustering"), and an S3/MinIO
/// access key is the public half of a key pair, its id (`AWS_ACCESS_KEY_ID`,
/// `MINIO_ACCESS_KEY`); the secret is `*_SECRET_KEY`.
fn is_identifier_name(upper: &str) -> bool {
    const STORAGE: &[&str] = &[
        "MINIO", "S3", "AWS", "SPACES", "R2", "B2", "GCS", "OSS", "STORAGE", "BUCKET",
    ];
    upper.ends_with("CLUSTER_TOKEN")
        || upper.ends_with("ACCESS_KEY_ID")
        || (upper.ends_with("ACCESS_KEY") && upper.split('_').any(|w| STORAGE.contains(&w)))
}

/// A literal, non-empty value that is not a flag or a path to a secrets file.
fn literal_secret(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty()
        && !has_interpolation(v)
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "0" | "1" | "none" | "null"
        )
        && !v.starts_with("/run/secrets/")
}

/// The password of a `scheme://user:password@host` URL, when it is a literal.
fn url_password(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    literal_secret(password).then_some(password)
}

fn report(ctx: &mut Ctx<'_>, service: &str, var: &EnvVar, what: String) {
    ctx.report_in(
        var.file,
        var.span.clone(),
        format!(
            "{what} in service `{service}`'s environment: everyone who can read the repository \
             (and `docker inspect`) has it"
        ),
    )
    .help(format!(
        "use `${{{}:?set it}}` from the deployment's environment, or a `secrets:` file with \
         `{}_FILE`",
        var.name, var.name
    ));
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    // Each file on its own: an override that replaces the value does not unwrite it. A
    // development file's passwords are for a laptop's throwaway containers.
    let mut seen = Seen::default();
    for compose in &facts.compose_files {
        if in_dev_file(facts, compose.file)
            || only_in_dev_stacks(compose_projects(facts), compose.file)
        {
            continue;
        }
        for service in &compose.services {
            for var in &service.environment {
                let Some(value) = var.value.as_deref() else {
                    continue;
                };
                // One value merged into several services (`<<: *etcd`) is one finding.
                if !seen.first(var.file, &var.span) {
                    continue;
                }
                if secret_name(&var.name) && literal_secret(value) {
                    report(
                        ctx,
                        &service.name,
                        var,
                        format!("`{}` is a literal", var.name),
                    );
                } else if url_password(value).is_some() {
                    report(
                        ctx,
                        &service.name,
                        var,
                        format!("`{}` holds a URL with a literal password", var.name),
                    );
                }
            }
            let Some(cmd) = &service.command else {
                continue;
            };
            for pair in cmd.value.windows(2) {
                if matches!(pair[0].text.as_str(), "--requirepass" | "--masterauth")
                    && literal_secret(&pair[1].text)
                {
                    ctx.report_in(
                        cmd.file,
                        pair[1].span.clone(),
                        format!(
                            "`{}` is given a literal password on service `{}`'s command line",
                            pair[0].text, service.name
                        ),
                    )
                    .help("pass `${REDIS_PASSWORD:?set it}` or read it from a mounted config file");
                }
            }
        }
    }
}
