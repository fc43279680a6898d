//! DKR009 (project rule): a Dockerfile copies the whole build context and the context has no
//! `.dockerignore`.

use crate::facts::ProjectFacts;
use crate::registry::Ctx;
use std::path::{Path, PathBuf};

pub const META: &str = include_str!("missing_dockerignore.toml");

/// BuildKit reads `<Dockerfile name>.dockerignore` beside the Dockerfile before the context's
/// `.dockerignore` (Docker docs, "Build context: Filename and location" of .dockerignore).
fn has_ignore_file(facts: &ProjectFacts, context: &Path, dockerfile: &Path) -> bool {
    if facts.has_file(&context.join(".dockerignore")) {
        return true;
    }
    let Some(name) = dockerfile.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let beside = dockerfile.with_file_name(format!("{name}.dockerignore"));
    facts.has_file(&beside)
}

fn shown(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".to_string()
    } else {
        s
    }
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    for dockerfile in &facts.dockerfiles {
        if dockerfile.whole_context_copy.is_none() {
            continue;
        }
        // The contexts compose builds this Dockerfile with are known exactly.
        let mut contexts: Vec<PathBuf> = facts
            .compose_builds
            .iter()
            .filter(|b| b.dockerfile == dockerfile.path)
            .map(|b| b.context.clone())
            .collect();
        let folder = dockerfile
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        if contexts.is_empty() {
            // Nothing names the context: `docker build backend/` and `docker build -f
            // backend/Dockerfile .` are both usual, so an ignore file in the Dockerfile's folder
            // or any folder above it may be the one used. Report only when there is none.
            if folder
                .ancestors()
                .any(|dir| has_ignore_file(facts, dir, &dockerfile.path))
            {
                continue;
            }
            contexts.push(folder);
        }
        contexts.sort();
        contexts.dedup();
        let missing: Vec<String> = contexts
            .iter()
            .filter(|c| !has_ignore_file(facts, c, &dockerfile.path))
            .map(|c| format!("`{}`", shown(c)))
            .collect();
        if missing.is_empty() {
            continue;
        }
        ctx.report_in(dockerfile.file, 0..0, format!(
            "this Dockerfile copies the whole build context but its context {} has no .dockerignore: .git, .env files and local secrets go into the image",
            missing.join(", ")
        ))
        .help("add a .dockerignore next to the build context (at least `.git`, `.env*`, `**/__pycache__`, `.venv`)");
    }
}
