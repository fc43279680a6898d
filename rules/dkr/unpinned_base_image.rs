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
