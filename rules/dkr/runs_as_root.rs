//! DKR002: the final image runs as root.

use super::{effective_user, expand_from, is_root_user, split_image};
use crate::parse::dockerfile::Dockerfile;
use crate::registry::Ctx;

pub const META: &str = include_str!("runs_as_root.toml");

/// Base images that already switch to a non-root user, so a Dockerfile without `USER` on top
/// of them does not run as root: distroless `:nonroot` tags (GoogleContainerTools/distroless
/// README, "Debug images" / nonroot tags) and Chainguard images, whose non-dev variants run as
/// uid 65532 (edu.chainguard.dev, "Chainguard Images overview").
/// The micromamba images run as `mambauser` (mamba-org/micromamba-docker discussion #396, the
/// maintainer: "we default to running as a non-root user").
/// The tag is read with the digest removed: `…:nonroot@sha256:…` is still the nonroot tag.
fn base_sets_nonroot_user(image: &str) -> bool {
    let (name, tag, _) = split_image(image);
    let tag = tag.unwrap_or("");
    (name.contains("distroless") && tag.contains("nonroot"))
        || (name.starts_with("cgr.dev/chainguard/") && !tag.contains("dev"))
        || matches!(name, "mambaorg/micromamba" | "ghcr.io/mamba-org/micromamba")
}

/// Windows containers have no root user (they run as ContainerUser or ContainerAdministrator),
/// so the rule does not apply: Windows base images, or the `# escape=`` ` directive that
/// Windows Dockerfiles use.
fn is_windows(file: &Dockerfile<'_, '_>, image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    file.escape == '`'
        || ["windows", "servercore", "nanoserver", "dotnet/framework"]
            .iter()
            .any(|w| lower.contains(w))
}

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    // A development image (devcontainer, Dockerfile.dev) is not what ships to production.
    if file.is_development() {
        return;
    }
    let Some(last) = file.final_stage() else {
        return;
    };
    if is_windows(file, file.root_image(last.index)) {
        return;
    }
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
            // `FROM ${BASE}` with no default: the base (and whether it already runs as a
            // non-root user) is only known at build time, so there is no certain finding.
            let Some(base) = expand_from(file.root_image(last.index), file) else {
                return;
            };
            if base_sets_nonroot_user(&base) {
                return;
            }
            ctx.report(
                last.from_span(),
                format!(
                    "final stage {} has no USER instruction; the container runs as root",
                    last.label()
                ),
            )
            .help("add `RUN useradd --create-home app` and `USER app` before CMD");
        }
    }
}
