//! DKR003: `FROM` an image without a tag, or with `:latest`.

use crate::diagnostic::Severity;
use crate::parse::dockerfile::Dockerfile;
use crate::registry::Ctx;
use serde::Deserialize;

pub const META: &str = include_str!("unpinned_base_image.toml");

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Options {
    require_digest: bool,
}

/// Splits `registry:5000/name:tag@sha256:…` into (name, tag, digest).
fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(colon) => (&rest[..last_slash + colon], Some(&rest[last_slash + colon + 1..]), digest),
        None => (rest, None, digest),
    }
}

/// Substitutes `$NAME`/`${NAME}` from the global ARG defaults; `None` when a value is unknown.
fn expand(image: &str, file: &Dockerfile<'_, '_>) -> Option<String> {
    if !image.contains('$') {
        return Some(image.to_string());
    }
    let args: Vec<(String, String)> = file
        .global_args
        .iter()
        .flat_map(|a| super::env_pairs(&a.arguments.value, a.arguments.span.start))
        .map(|(n, v, _)| (n, v))
        .collect();
    let mut out = image.to_string();
    for (name, value) in &args {
        for pattern in [format!("${{{name}}}"), format!("${name}")] {
            out = out.replace(&pattern, value);
        }
    }
    // `${VAR:-default}` and anything left unresolved: not knowable statically.
    (!out.contains('$')).then_some(out)
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    let options: Options = ctx.options();
    for stage in &file.stages {
        let written = stage.base_image();
        if written.eq_ignore_ascii_case("scratch") || file.is_earlier_stage(written, stage.index) {
            continue;
        }
        let Some(image) = expand(written, file) else { continue };
        if file.is_earlier_stage(&image, stage.index) {
            continue;
        }
        let span = stage.from.image.span.clone();
        let (name, tag, digest) = split_image(&image);
        if digest.is_some() {
            continue;
        }
        match tag {
            None => {
                ctx.report(span, format!("base image `{name}` has no tag, so it means `{name}:latest` and changes under you"))
                    .help(format!("pin a version tag, e.g. `{name}:<version>`, or a digest `@sha256:…`"));
            }
            Some("latest") => {
                ctx.report(span, format!("base image `{image}` uses the moving `latest` tag"))
                    .help(format!("pin a version tag, e.g. `{name}:<version>`, or a digest `@sha256:…`"));
            }
            Some(tag) if options.require_digest => {
                ctx.report(span, format!("base image `{name}:{tag}` is pinned by tag, not by digest"))
                    .help("append the digest: `image:tag@sha256:…`")
                    .severity(Severity::Info);
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn splits_registry_ports() {
        assert_eq!(split_image("localhost:5000/app"), ("localhost:5000/app", None, None));
        assert_eq!(split_image("localhost:5000/app:1.2"), ("localhost:5000/app", Some("1.2"), None));
        assert_eq!(split_image("python:3.12@sha256:ab"), ("python", Some("3.12"), Some("sha256:ab")));
    }
}
