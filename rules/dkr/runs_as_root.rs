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

/// Runtimes with no Linux root to drop: AWS Lambda runs functions as an unprivileged sandbox
/// user whatever the image says (AWS docs, "Deploy Python Lambda functions with container
/// images": Lambda "runs the container as a default user with least-privileged permissions"),
/// and a WebAssembly module (`FROM scratch` with a `.wasm` entrypoint, or a `wasi` platform)
/// runs in a WASI sandbox, not as a Linux process.
fn has_no_linux_root(
    file: &Dockerfile<'_, '_>,
    stage: usize,
    base: &str,
    started: &[String],
) -> bool {
    let lower = base.to_ascii_lowercase();
    if lower.starts_with("public.ecr.aws/lambda/") || lower.starts_with("amazon/aws-lambda-") {
        return true;
    }
    let wasi_platform = super::stage_chain(file, stage).iter().any(|s| {
        s.from.options.iter().any(|f| {
            f.name.value == "platform"
                && f.value
                    .as_ref()
                    .is_some_and(|v| v.value.contains("wasi") || v.value.contains("wasm"))
        })
    });
    wasi_platform || (lower == "scratch" && started.first().is_some_and(|w| w.ends_with(".wasm")))
}

/// Web servers whose master process must start as root to bind port 80 and then runs its
/// workers as an unprivileged user: a `USER` line would break them, so the fix is their
/// unprivileged image or a high port.
fn binds_port_80_as_root(base: &str) -> bool {
    let (name, _, _) = split_image(base);
    let name = name.rsplit('/').next().unwrap_or(name);
    matches!(name, "nginx" | "openresty" | "httpd" | "apache2")
}

pub fn check(file: &Dockerfile<'_, '_>, stage: usize, ctx: &mut Ctx<'_>) {
    // A development image (devcontainer, Dockerfile.dev) is not what ships to production, and a
    // base image leaves the user to the images built on it.
    if super::is_base_image(file, stage) {
        return;
    }
    let Some(built) = file.stages.get(stage) else {
        return;
    };
    if is_windows(file, file.root_image(stage)) {
        return;
    }
    // `FROM ${BASE}` with no default: the base (and whether it already runs as a non-root
    // user) is only known at build time.
    let base = expand_from(file.root_image(stage), file);
    let started = super::started_words(file, stage);
    if base
        .as_deref()
        .is_some_and(|b| has_no_linux_root(file, stage, b, &started))
        || super::words_drop_privileges(&started)
    {
        return;
    }
    let help = if base.as_deref().is_some_and(binds_port_80_as_root) {
        "its master process binds port 80 as root and runs workers unprivileged: switch to the unprivileged image (`nginxinc/nginx-unprivileged`, listening on 8080) rather than adding USER to this one".to_string()
    } else {
        "create an unprivileged user and end with `USER app` (or a UID such as `USER 10001`), or start the server through `gosu`/`setpriv` from an entrypoint".to_string()
    };
    match effective_user(file, stage) {
        Some(user) if is_root_user(&user.arguments.value) => {
            ctx.report(
                user.user.span.start..user.arguments.span.end,
                format!(
                    "the last USER of stage {} is `{}`; the container runs as root",
                    built.label(),
                    user.arguments.value
                ),
            )
            .help(help);
        }
        Some(_) => {}
        None => {
            let Some(base) = base else { return };
            if base_sets_nonroot_user(&base) {
                return;
            }
            ctx.report(
                built.from_span(),
                format!(
                    "stage {} has no USER instruction; the container runs as root",
                    built.label()
                ),
            )
            .help(help);
        }
    }
}
