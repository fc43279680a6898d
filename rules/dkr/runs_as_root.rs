//! DKR002: the final image runs as root.

use super::{effective_user, is_root_user};
use crate::parse::dockerfile::Dockerfile;
use crate::registry::Ctx;

pub const META: &str = include_str!("runs_as_root.toml");

/// Base images that already switch to a non-root user, so a Dockerfile without `USER` on top
/// of them does not run as root: distroless `:nonroot` tags (GoogleContainerTools/distroless
/// README, "Debug images" / nonroot tags) and Chainguard images, whose non-dev variants run as
/// uid 65532 (edu.chainguard.dev, "Chainguard Images overview").
fn base_sets_nonroot_user(image: &str) -> bool {
    let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or("");
    let tag = tag.split('@').next().unwrap_or(tag);
    (image.contains("distroless") && tag.contains("nonroot"))
        || (image.starts_with("cgr.dev/chainguard/") && !tag.contains("dev"))
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(last) = file.final_stage() else { return };
    match effective_user(file, last.index) {
        Some(user) if is_root_user(&user.arguments.value) => {
            ctx.report(user.user.span.start..user.arguments.span.end, format!(
                "the last USER of the final stage {} is `{}`; the container runs as root",
                last.label(),
                user.arguments.value
            ))
            .help("create an unprivileged user and end with `USER app` (or a UID such as `USER 10001`)");
        }
        Some(_) => {}
        None => {
            if base_sets_nonroot_user(file.root_image(last.index)) {
                return;
            }
            ctx.report(last.from_span(), format!(
                "final stage {} has no USER instruction; the container runs as root",
                last.label()
            ))
            .help("add `RUN useradd --create-home app` and `USER app` before CMD");
        }
    }
}
