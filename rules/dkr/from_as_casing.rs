//! DKR010: `FROM image as name` with `as` in another case than `FROM`.

use crate::diagnostic::Edit;
use crate::parse::dockerfile::Dockerfile;
use crate::registry::Ctx;

pub const META: &str = include_str!("from_as_casing.toml");

pub fn check(file: &Dockerfile<'_, '_>, ctx: &mut Ctx<'_>) {
    for stage in &file.stages {
        let Some((as_kw, _)) = &stage.from.as_ else {
            continue;
        };
        let from_word = file.slice(&stage.from.from.span);
        let as_word = file.slice(&as_kw.span);
        let from_upper = from_word == from_word.to_ascii_uppercase();
        let from_lower = from_word == from_word.to_ascii_lowercase();
        // Mixed-case `From` has no case to match.
        let mismatch = (from_upper && as_word != as_word.to_ascii_uppercase())
            || (from_lower && as_word != as_word.to_ascii_lowercase());
        if mismatch {
            let want = if from_upper { "AS" } else { "as" };
            ctx.report(
                as_kw.span.clone(),
                format!("`{as_word}` does not match the case of `{from_word}`"),
            )
            .help(format!(
                "write `{from_word} … {want} {}`",
                stage.name.unwrap_or("name")
            ))
            .fix(vec![Edit {
                span: as_kw.span.clone(),
                text: want.to_string(),
            }]);
        }
    }
}
