//! The workspace: its root from `initialize`, and a background warm-up after `initialized`.
//!
//! The engine has no project model that outlives a lint yet (the incremental engine is another
//! issue), so each lint reads the project's files again. What the server can do meanwhile is
//! have them in the operating system's cache before the first lint that needs them: one
//! background thread walks the workspace and reads each linted file once, while the lint of the
//! opened buffer runs on its own thread, not waiting for it.

use super::position::uri_to_path;
use crate::settings::Settings;
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

/// The first workspace folder, else `rootUri`, else the deprecated `rootPath`.
pub fn root(params: &Value) -> Option<PathBuf> {
    let folder = params["workspaceFolders"]
        .as_array()
        .and_then(|folders| folders.first())
        .and_then(|f| f["uri"].as_str())
        .and_then(uri_to_path);
    let path = folder
        .or_else(|| params["rootUri"].as_str().and_then(uri_to_path))
        .or_else(|| params["rootPath"].as_str().map(PathBuf::from))?;
    path.is_dir().then_some(path)
}

/// Reads the workspace's linted files once, on a thread of its own at low cost (one core).
pub fn warm_in_background(root: PathBuf, settings: Arc<Settings>) {
    let _ = std::thread::Builder::new()
        .name("prodlint-warm".into())
        .spawn(move || {
            let discovery = crate::discover::discover(std::slice::from_ref(&root), None, &settings);
            let mut buffer = Vec::new();
            for file in discovery.projects.iter().flat_map(|p| &p.files) {
                // Regular files only: opening a FIFO blocks until a writer appears.
                let regular = std::fs::metadata(&file.path).is_ok_and(|m| m.is_file());
                if !file.kind.is_linted() || !regular {
                    continue;
                }
                buffer.clear();
                if let Ok(f) = std::fs::File::open(&file.path) {
                    let _ = f.take(settings.max_file_size).read_to_end(&mut buffer);
                }
            }
        });
}
