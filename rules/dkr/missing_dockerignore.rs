//! DKR009 (project rule): a Dockerfile copies the whole build context and the context has no
//! `.dockerignore`.

use crate::facts::ProjectFacts;
use crate::registry::Ctx;
use std::collections::HashSet;
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

/// What a context without `.dockerignore` sends into the image, named from what the project
/// holds: `.env` files under it, and the repository's `.git` when the context is a checkout's
/// root (`.gitignore`/`.github` beside it; the folder listing never shows `.git` itself).
fn what_leaks(
    facts: &ProjectFacts,
    env_dirs: &HashSet<PathBuf>,
    context: &Path,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    if context.as_os_str().is_empty()
        && (facts.has_file(Path::new(".gitignore")) || facts.has_file(Path::new(".gitattributes")))
    {
        out.push("the repository's `.git`");
    }
    if env_dirs.contains(context) {
        out.push("`.env` files");
    }
    out
}

/// Every folder that holds a `.env*` file somewhere below it (one pass over the listing, so each
/// context is a lookup).
fn env_file_dirs(facts: &ProjectFacts) -> HashSet<PathBuf> {
    let mut dirs = HashSet::new();
    for path in facts.paths.iter() {
        let is_env = path.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n == ".env"
                || (n.starts_with(".env.")
                    && !n.ends_with("example")
                    && !n.ends_with("sample")
                    && !n.ends_with("template"))
        });
        if is_env {
            for dir in path.ancestors().skip(1) {
                if !dirs.insert(dir.to_path_buf()) {
                    break;
                }
            }
        }
    }
    dirs
}

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let builds = crate::model::built::builds_by_dockerfile(facts);
    let env_dirs = env_file_dirs(facts);
    for dockerfile in &facts.dockerfiles {
        let refs = builds
            .get(&dockerfile.path)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        // Only a `COPY .` whose files reach a built image matters: one that only feeds a build
        // stage the image takes a few artifacts from leaves the rest behind.
        if crate::model::built::built_stages(dockerfile, refs)
            .iter()
            .all(|s| s.context_copy.is_none())
        {
            continue;
        }
        // The contexts the project builds this Dockerfile with are known exactly.
        let mut contexts: Vec<PathBuf> = refs.iter().map(|b| b.context.clone()).collect();
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
        let missing: Vec<&PathBuf> = contexts
            .iter()
            .filter(|c| !has_ignore_file(facts, c, &dockerfile.path))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let mut leaks: Vec<&str> = missing
            .iter()
            .flat_map(|c| what_leaks(facts, &env_dirs, c))
            .collect();
        leaks.dedup();
        let what = match leaks.as_slice() {
            [] => "every file in it goes into the image (local settings, caches, build output)"
                .to_string(),
            _ => format!(
                "every file in it goes into the image, {} included",
                leaks.join(" and ")
            ),
        };
        let shown_contexts: Vec<String> =
            missing.iter().map(|c| format!("`{}`", shown(c))).collect();
        ctx.report_in(dockerfile.file, 0..0, format!(
            "this Dockerfile copies the whole build context into the image but its context {} has no .dockerignore: {what}",
            shown_contexts.join(", ")
        ))
        .help("add a .dockerignore next to the build context (at least `.git`, `.env*`, `**/__pycache__`, `.venv`)");
    }
}
