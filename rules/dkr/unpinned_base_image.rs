//! DKR003: `FROM` an image without a tag, or with `:latest`.

use super::{expand_from, split_image};
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

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    let options: Options = ctx.options();
    for stage in &file.stages {
        // An image built from a global ARG without a default can only be judged at build time.
        let Some(image) = expand_from(stage.base_image(), file) else {
            continue;
        };
        if image.eq_ignore_ascii_case("scratch") || file.is_earlier_stage(&image, stage.index) {
            continue;
        }
        let span = stage.from.image.span.clone();
        let (name, tag, digest) = split_image(&image);
        if digest.is_some() {
            continue;
        }
        // `FROM app:${TAG}` with `ARG TAG=latest`: the tag is meant to be passed at build time
        // (CI's `--build-arg TAG=1.4.2`), and only a build that passes nothing gets `latest`.
        if let Some(arg) = tag_argument(stage.base_image()) {
            if matches!(tag, None | Some("latest")) {
                ctx.report(
                    span,
                    format!("base image `{image}`: `ARG {arg}` defaults to `latest`, so a build that does not pass `--build-arg {arg}=<version>` gets a moving image"),
                )
                .help(format!("default `{arg}` to a version, or make every build pass it"))
                .severity(Severity::Info);
            }
            continue;
        }
        match tag {
            None => {
                ctx.report(span, format!("base image `{name}` has no tag, so it means `{name}:latest` and changes under you"))
                    .help(format!("pin a version tag, e.g. `{name}:<version>`, or a digest `@sha256:…`"));
            }
            Some("latest") => {
                ctx.report(
                    span,
                    format!("base image `{image}` uses the moving `latest` tag"),
                )
                .help(format!(
                    "pin a version tag, e.g. `{name}:<version>`, or a digest `@sha256:…`"
                ));
            }
            Some(tag) if options.require_digest => {
                ctx.report(
                    span,
                    format!("base image `{name}:{tag}` is pinned by tag, not by digest"),
                )
                .help("append the digest: `image:tag@sha256:…`")
                .severity(Severity::Info);
            }
            Some(_) => {}
        }
    }
}

/// The build argument a `FROM` reference takes its tag from (`app:${TAG}`, `app:$TAG`).
fn tag_argument(raw: &str) -> Option<String> {
    let (_, tag, _) = split_image(raw);
    let tag = tag?;
    let name = tag.strip_prefix('$')?;
    let name = name
        .strip_prefix('{')
        .map_or(name, |n| n.split([':', '}']).next().unwrap_or(n));
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn splits_registry_ports() {
        assert_eq!(
            split_image("localhost:5000/app"),
            ("localhost:5000/app", None, None)
        );
        assert_eq!(
            split_image("localhost:5000/app:1.2"),
            ("localhost:5000/app", Some("1.2"), None)
        );
        assert_eq!(
            split_image("python:3.12@sha256:ab"),
            ("python", Some("3.12"), Some("sha256:ab"))
        );
    }
}
