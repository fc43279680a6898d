//! PCM006 (project rule): Python versions that disagree between the Dockerfile's `FROM
//! python:X`, workflow `python-version`, pre-commit `language_version`, `requires-python` and
//! tool targets.
//!
//! Each declaration means something different, so "disagree" is defined per pair:
//! - runtimes (image, CI, hooks) name interpreters: CI disagrees with the image when none of the
//!   versions it tests is the one the image runs (a matrix that includes it agrees); a hook's
//!   version must be the image's (or, without a Dockerfile, one CI tests);
//! - `requires-python` is a range: a runtime outside it disagrees; a lower bound that admits the
//!   runtime is no mismatch (`>=3.10` beside `python:3.12` is the usual, correct setup);
//! - a tool target (`target-version`, mypy `python_version`) is the oldest version the code must
//!   run on: it disagrees when it is newer than a runtime or than the oldest supported version.
//!   An older target is only less aggressive, not wrong.
//!
//! The finding points at the less authoritative side (image, then requires-python, then CI,
//! then hooks, then targets) and names every declaration it disagrees with.

use crate::facts::{show_py_version, ProjectFacts, PythonDecl, PythonRole, Setting};
use crate::registry::Ctx;
use std::collections::{BTreeMap, BTreeSet};

pub const META: &str = include_str!("python_version_mismatch.toml");

type Decl<'f> = &'f Setting<PythonDecl>;

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let decls = facts.scoped(&facts.python_decls);
    let of = |role: PythonRole| -> Vec<(usize, Decl<'_>)> {
        decls
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, d)| d.value.role == role)
            .collect()
    };
    let images = of(PythonRole::Image);
    let ci = of(PythonRole::Ci);
    let hooks = of(PythonRole::Hooks);
    let requires = of(PythonRole::Requires);
    let targets = of(PythonRole::Target);
    let image_set: BTreeSet<_> = images.iter().map(|(_, d)| d.value.low).collect();
    let ci_set: BTreeSet<_> = ci.iter().map(|(_, d)| d.value.low).collect();

    // anchor index -> the declarations it disagrees with
    let mut conflicts: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    let mut add = |anchor: usize, other: usize| {
        conflicts.entry(anchor).or_default().insert(other);
    };

    // A workflow's versions (a matrix) are one statement: one finding per workflow file, at its
    // first version, naming them all.
    let mut labels: BTreeMap<usize, String> = BTreeMap::new();
    if !image_set.is_empty() && !ci_set.is_empty() && image_set.is_disjoint(&ci_set) {
        let mut by_file: BTreeMap<usize, Vec<Decl<'_>>> = BTreeMap::new();
        let mut first: BTreeMap<usize, usize> = BTreeMap::new();
        for (c, d) in &ci {
            by_file.entry(d.file).or_default().push(d);
            first.entry(d.file).or_insert(*c);
        }
        for (file, c) in first {
            let versions: Vec<String> = by_file[&file]
                .iter()
                .map(|d| show_py_version(d.value.low))
                .collect();
            let path = facts
                .config_path(file)
                .map(|p| crate::ci_facts::shown(&p))
                .unwrap_or_default();
            labels.insert(
                c,
                format!(
                    "Python {} (`python-version` in {path})",
                    dedup(versions).join(", ")
                ),
            );
            for (i, _) in &images {
                add(c, *i);
            }
        }
    }
    for (h, hook) in &hooks {
        let v = hook.value.low;
        if !image_set.is_empty() {
            if !image_set.contains(&v) {
                images.iter().for_each(|(i, _)| add(*h, *i));
            }
        } else if !ci_set.is_empty() && !ci_set.contains(&v) {
            ci.iter().for_each(|(c, _)| add(*h, *c));
        }
    }
    for (r, req) in &requires {
        for (i, image) in &images {
            if !req.value.admits(image.value.low) {
                add(*r, *i);
            }
        }
        for (x, runtime) in ci.iter().chain(&hooks) {
            if !req.value.admits(runtime.value.low) {
                add(*x, *r);
            }
        }
    }
    for (t, target) in &targets {
        let min = target.value.low;
        for (r, req) in &requires {
            if min > req.value.low {
                add(*t, *r);
            }
        }
        for (x, runtime) in images.iter().chain(&ci).chain(&hooks) {
            if runtime.value.low < min {
                add(*t, *x);
            }
        }
    }

    for (anchor, others) in conflicts {
        let d = decls[anchor];
        let names: Vec<String> = others.iter().map(|o| describe(decls[*o])).collect();
        let this = labels.remove(&anchor).unwrap_or_else(|| describe(d));
        ctx.report_in(
            d.file,
            d.span.clone(),
            format!(
                "{} disagrees with {}: {}",
                this,
                names.join("; "),
                reason(d.value.role)
            ),
        )
        .help("declare one Python version (range) and use it in the Dockerfile, CI, pre-commit and tool targets");
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
    v
}

fn describe(d: &Setting<PythonDecl>) -> String {
    let v = &d.value;
    match v.role {
        PythonRole::Requires | PythonRole::Target => d.source.clone(),
        _ => format!("Python {} ({})", show_py_version(v.low), d.source),
    }
}

fn reason(role: PythonRole) -> &'static str {
    match role {
        PythonRole::Image => "the image runs another Python",
        PythonRole::Requires => "the image's Python is outside the supported range, so the package cannot be installed in it",
        PythonRole::Ci => "CI runs another Python than the project runs or supports",
        PythonRole::Hooks => "the pre-commit hooks run on another Python than the project",
        PythonRole::Target => "tools target a newer Python than the project runs or supports, so they accept or suggest syntax the older one rejects",
    }
}
