//! `check --show-files`: every requested file with its kind, role, unit and why it has that
//! role, so a user surprised by a finding (or by its absence) sees how prodlint read the tree.

use crate::engine::Report;

/// The requested files, sorted by path: a table, or a JSON array when `json`.
pub fn render(report: &Report, json: bool) -> String {
    let mut files: Vec<_> = report.files.iter().filter(|f| f.requested).collect();
    files.sort_by(|a, b| a.display.cmp(&b.display));
    if json {
        let rows: Vec<_> = files
            .iter()
            .map(|f| {
                serde_json::json!({
                    "path": f.display,
                    "kind": f.kind.name(),
                    "role": f.role.role.name(),
                    "reason": f.role.reason,
                    "unit": f.unit,
                })
            })
            .collect();
        let mut out = serde_json::to_string_pretty(&rows).unwrap_or_default();
        out.push('\n');
        return out;
    }
    let width = |get: fn(&crate::engine::ReportFile) -> usize| {
        files.iter().map(|f| get(f)).max().unwrap_or(0)
    };
    let path_w = width(|f| f.display.chars().count());
    let kind_w = width(|f| f.kind.name().len());
    let unit_w = width(|f| f.unit.chars().count());
    let mut out = String::new();
    for f in files {
        out.push_str(&format!(
            "{:<path_w$}  {:<kind_w$}  {:<9}  {:<unit_w$}  {}\n",
            super::escape_control(&f.display),
            f.kind.name(),
            f.role.role.name(),
            super::escape_control(&f.unit),
            f.role.reason,
        ));
    }
    out
}
