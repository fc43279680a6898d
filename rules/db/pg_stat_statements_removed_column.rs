//! DB006: SQL reading `pg_stat_statements` columns that PostgreSQL 13 renamed.

use crate::diagnostic::Edit;
use crate::kind::FileKind;
use crate::python::{span_of, PythonModule};
use crate::registry::{Ctx, TextFile};
use crate::source::Span;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, Stmt};

pub const META: &str = include_str!("pg_stat_statements_removed_column.toml");

/// PostgreSQL 13 release notes (postgresql.org/docs/13/release-13.html, pg_stat_statements):
/// planning time is tracked apart, so `total_time` became `total_exec_time` (with `min_`,
/// `max_`, `mean_`, `stddev_` likewise) next to new `*_plan_time` columns. On 13+ a query naming
/// an old column fails with `column "total_time" does not exist` (prometheus-community/
/// postgres_exporter#502, postgres-ai/postgres-checkup#512).
const REMOVED: &[(&str, &str)] = &[
    ("total_time", "total_exec_time"),
    ("mean_time", "mean_exec_time"),
    ("min_time", "min_exec_time"),
    ("max_time", "max_exec_time"),
    ("stddev_time", "stddev_exec_time"),
];

const VIEW: &str = "pg_stat_statements";

#[derive(Clone, Copy, PartialEq)]
enum Comments {
    /// A `.sql` file or SQL inside a Python string: `--` and `/* */`.
    Sql,
    /// Shell scripts and YAML: `#` comments, and SQL comments on lines of their own.
    Hash,
}

/// `.sql` files, shell scripts (`run:` blocks included) and YAML files prodlint reads.
pub fn check_text(file: &TextFile<'_>, ctx: &mut Ctx<'_>) {
    let comments = match file.kind {
        FileKind::Sql => Comments::Sql,
        FileKind::Shell
        | FileKind::Workflow
        | FileKind::Compose
        | FileKind::PatroniYaml
        | FileKind::PrometheusYaml => Comments::Hash,
        _ => return,
    };
    for (span, old, new, edits) in findings(file.text, 0..file.text.len(), comments, file.text) {
        report(ctx, span, old, new, edits);
    }
}

/// SQL in Python string literals (not docstrings or comments).
pub fn check_python(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    if !contains_ignore_case(module.text, VIEW) {
        return;
    }
    let mut strings = Strings(Vec::new());
    for stmt in &module.ast.body {
        strings.visit_stmt(stmt);
    }
    for span in strings.0 {
        for (span, old, new, edits) in findings(module.text, span, Comments::Sql, module.text) {
            report(ctx, span, old, new, edits);
        }
    }
}

fn report(ctx: &mut Ctx<'_>, span: Span, old: &str, new: &str, edits: Vec<Edit>) {
    ctx.report(
        span,
        format!("`{old}` is not a column of pg_stat_statements since PostgreSQL 13 (renamed `{new}`): the query fails with `column \"{old}\" does not exist`"),
    )
    .help(format!("read `{new}` (PostgreSQL 13+); alias it (`{new} AS {old}`) if the output name matters"))
    .fix(edits);
}

/// Spans of string literals and f-strings that are values (a docstring or a bare string
/// statement is documentation).
struct Strings(Vec<Span>);

impl<'a> Visitor<'a> for Strings {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::Expr(e) = stmt {
            if matches!(e.value.as_ref(), Expr::StringLiteral(_) | Expr::FString(_)) {
                return;
            }
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::StringLiteral(_) | Expr::FString(_)) {
            self.0.push(span_of(expr));
            return;
        }
        walk_expr(self, expr);
    }
}

fn contains_ignore_case(text: &str, needle: &str) -> bool {
    text.to_ascii_lowercase().contains(needle)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// A removed column read in one statement: its first mention, the old and new names, and the
/// edits renaming every mention of it in the statement.
type Finding = (Span, &'static str, &'static str, Vec<Edit>);

/// The removed columns read from pg_stat_statements in `region` of `text`, one per column and
/// statement, at its first mention. `whole` is the file, for the version check.
fn findings(text: &str, region: Span, comments: Comments, whole: &str) -> Vec<Finding> {
    let Some(slice) = text.get(region.clone()) else {
        return Vec::new();
    };
    let masked = mask_comments(slice, comments);
    let lower = masked.to_ascii_lowercase();
    let whole_lower = whole.to_ascii_lowercase();
    let mut out = Vec::new();
    for unit in units(&lower, comments) {
        let stmt = &lower[unit.clone()];
        if find_words(stmt, VIEW).is_empty() {
            continue;
        }
        let aliases = view_aliases(stmt);
        let clauses = clause_starts(stmt);
        let stmt_start = region.start + unit.start;
        for &(old, new) in REMOVED {
            // A file that also names the new column is written for both versions (it picks one
            // by server version).
            if whole_lower.contains(new) {
                continue;
            }
            let mut reads = Vec::new();
            let mut redefined = false;
            for at in find_words(stmt, old) {
                if is_alias_definition(stmt, at) {
                    redefined = true;
                    break;
                }
                if reads_view_column(stmt, at, old, &aliases) {
                    reads.push(at);
                }
            }
            if let (Some(&at), false) = (reads.first(), redefined) {
                let start = stmt_start + at;
                let edits = reads
                    .iter()
                    .map(|&at| rename(text, stmt, stmt_start, at, old, new, &clauses))
                    .collect();
                out.push((start..start + old.len(), old, new, edits));
            }
        }
    }
    out
}

/// Offsets of the clause keywords of a statement (lower case), sorted: which clause a mention
/// is in is the last keyword before it.
fn clause_starts(stmt: &str) -> Vec<(usize, &'static str)> {
    const CLAUSES: &[&str] = &[
        "select",
        "from",
        "where",
        "group",
        "order",
        "having",
        "limit",
        "join",
        "on",
        "union",
        "returning",
        "window",
        "offset",
    ];
    let mut out: Vec<(usize, &'static str)> = CLAUSES
        .iter()
        .flat_map(|&k| find_words(stmt, k).into_iter().map(move |at| (at, k)))
        .collect();
    out.sort_unstable();
    out
}

/// The edit renaming the mention at `at` (statement offsets; `stmt_start` in the file). A whole
/// select-list item (`SELECT calls, total_time FROM …`) keeps its output name with an alias
/// (`total_exec_time AS total_time`), so code reading the result by name still finds it.
fn rename(
    text: &str,
    stmt: &str,
    stmt_start: usize,
    at: usize,
    old: &str,
    new: &str,
    clauses: &[(usize, &str)],
) -> Edit {
    let span = stmt_start + at..stmt_start + at + old.len();
    let written = text.get(span.clone()).unwrap_or(old);
    let upper = written.bytes().any(|b| b.is_ascii_uppercase());
    let new = if upper {
        new.to_ascii_uppercase()
    } else {
        new.to_string()
    };
    let clause = clauses
        .partition_point(|&(k, _)| k < at)
        .checked_sub(1)
        .map(|i| clauses[i].1);
    let text = if clause == Some("select") && is_whole_item(stmt, at, old.len()) {
        // The keyword in the case the statement writes its own keywords.
        let original = text.get(stmt_start..stmt_start + stmt.len()).unwrap_or("");
        let keyword = if original.contains("SELECT") {
            "AS"
        } else {
            "as"
        };
        format!("{new} {keyword} {written}")
    } else {
        new
    };
    Edit { span, text }
}

/// Whether the mention (possibly `alias.`-qualified) is a whole select-list item: after `select`,
/// `distinct` or a comma, and before a comma or `from`.
fn is_whole_item(stmt: &str, at: usize, len: usize) -> bool {
    let bytes = stmt.as_bytes();
    let mut start = at;
    if start > 0 && bytes[start - 1] == b'.' {
        start -= 1;
        while start > 0 && is_ident(bytes[start - 1]) {
            start -= 1;
        }
    }
    let before = stmt[..start].trim_end();
    let opens =
        before.ends_with(',') || matches!(word_before(stmt, start), Some("select" | "distinct"));
    let after = stmt[at + len..].trim_start();
    let closes = after.starts_with(',')
        || after
            .strip_prefix("from")
            .is_some_and(|rest| rest.bytes().next().is_none_or(|b| !is_ident(b)));
    opens && closes
}

/// Blanks comments (bytes become spaces, newlines stay), so offsets are kept.
fn mask_comments(text: &str, comments: Comments) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        let rest = &bytes[i..];
        let blank_to_eol = |out: &mut Vec<u8>, from: usize| {
            let mut j = from;
            while j < bytes.len() && bytes[j] != b'\n' {
                out[j] = b' ';
                j += 1;
            }
            j
        };
        if rest.starts_with(b"/*") {
            let end = text[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |e| i + 2 + e + 2);
            for (j, byte) in out.iter_mut().enumerate().take(end).skip(i) {
                if bytes[j] != b'\n' {
                    *byte = b' ';
                }
            }
            i = end;
            continue;
        }
        let sql_comment = rest.starts_with(b"--") && (comments == Comments::Sql || line_start);
        let hash_comment = comments == Comments::Hash
            && b == b'#'
            && (i == 0 || bytes[i - 1].is_ascii_whitespace());
        if sql_comment || hash_comment {
            i = blank_to_eol(&mut out, i);
            continue;
        }
        if b == b'\n' {
            line_start = true;
        } else if !b.is_ascii_whitespace() {
            line_start = false;
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Statement-sized pieces: split at `;` and blank lines, and in shell and YAML text also at
/// double quotes (`psql -c "…"` strings on consecutive lines are separate queries).
fn units(text: &str, comments: Comments) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let blank_line = b == b'\n' && {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'\n' && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            j >= bytes.len() || bytes[j] == b'\n'
        };
        if b == b';' || blank_line || (comments == Comments::Hash && b == b'"') {
            out.push(start..i);
            start = i + 1;
        }
        i += 1;
    }
    out.push(start..bytes.len());
    out
}

/// Offsets of `word` in `text` as a whole identifier (`mean_time`, not `mean_time_ms` or
/// `$mean_time`).
fn find_words(text: &str, word: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = text[from..].find(word) {
        let at = from + pos;
        let end = at + word.len();
        let before_ok =
            at == 0 || !(is_ident(bytes[at - 1]) || matches!(bytes[at - 1], b':' | b'{'));
        let after_ok = end >= bytes.len() || !is_ident(bytes[end]);
        if before_ok && after_ok {
            out.push(at);
        }
        from = at + 1;
    }
    out
}

/// The identifier that ends just before `at` (skipping spaces), if any.
fn word_before(text: &str, at: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut end = at;
    while end > 0 && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_ident(bytes[start - 1]) {
        start -= 1;
    }
    (start < end).then(|| &text[start..end])
}

/// `… AS total_time`: the statement defines an output column of that name (PostgreSQL 13
/// queries alias `total_exec_time AS total_time` and then `ORDER BY total_time`).
fn is_alias_definition(stmt: &str, at: usize) -> bool {
    word_before(stmt, at) == Some("as")
}

const NOT_ALIASES: &[&str] = &[
    "where", "join", "left", "right", "inner", "outer", "full", "cross", "on", "order", "group",
    "limit", "offset", "union", "having", "natural", "using", "window", "as", "lateral",
];

/// Names the statement gives pg_stat_statements (`FROM pg_stat_statements s`, `… AS pss`,
/// `pg_stat_statements(true) s`).
fn view_aliases(stmt: &str) -> Vec<&str> {
    let bytes = stmt.as_bytes();
    let mut out = vec![VIEW];
    for at in find_words(stmt, VIEW) {
        let mut i = at + VIEW.len();
        let skip_ws = |mut i: usize| {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            i
        };
        i = skip_ws(i);
        if i < bytes.len() && bytes[i] == b'(' {
            if let Some(close) = stmt[i..].find(')') {
                i = skip_ws(i + close + 1);
            }
        }
        let word = |i: usize| {
            let mut j = i;
            while j < bytes.len() && is_ident(bytes[j]) {
                j += 1;
            }
            (&stmt[i..j], j)
        };
        let (mut w, j) = word(i);
        if w == "as" {
            w = word(skip_ws(j)).0;
        }
        if !w.is_empty() && !NOT_ALIASES.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Whether the mention at `at` reads the column from the view: unqualified, or qualified by
/// the view or one of its aliases (`s.mean_time`, not `other.mean_time`); not a string literal
/// `'mean_time'`.
fn reads_view_column(stmt: &str, at: usize, word: &str, aliases: &[&str]) -> bool {
    let bytes = stmt.as_bytes();
    let end = at + word.len();
    if at > 0 && bytes[at - 1] == b'\'' && bytes.get(end) == Some(&b'\'') {
        return false;
    }
    if at > 0 && bytes[at - 1] == b'.' {
        return word_before(stmt, at - 1).is_some_and(|q| aliases.contains(&q));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(sql: &str, comments: Comments) -> Vec<&'static str> {
        findings(sql, 0..sql.len(), comments, sql)
            .into_iter()
            .map(|f| f.1)
            .collect()
    }

    fn fixed(sql: &str) -> String {
        let mut edits: Vec<Edit> = findings(sql, 0..sql.len(), Comments::Sql, sql)
            .into_iter()
            .flat_map(|f| f.3)
            .collect();
        edits.sort_by_key(|e| e.span.start);
        crate::fix::apply_edits(sql, &edits)
    }

    #[test]
    fn renames_keep_output_names() {
        assert_eq!(
            fixed("SELECT query, calls, total_time, s.mean_time\nFROM pg_stat_statements s\nWHERE mean_time > 5 ORDER BY mean_time DESC;"),
            "SELECT query, calls, total_exec_time AS total_time, s.mean_exec_time AS mean_time\nFROM pg_stat_statements s\nWHERE mean_exec_time > 5 ORDER BY mean_exec_time DESC;"
        );
        assert_eq!(
            fixed("select round(total_time::numeric, 2), coalesce(x, max_time) from pg_stat_statements group by max_time, y"),
            "select round(total_exec_time::numeric, 2), coalesce(x, max_exec_time) from pg_stat_statements group by max_exec_time, y"
        );
    }

    #[test]
    fn checklist_query_and_silences() {
        let q = "SELECT query, calls, total_time, mean_time\nFROM pg_stat_statements\nORDER BY mean_time DESC\nLIMIT 10;";
        assert_eq!(cols(q, Comments::Sql), vec!["total_time", "mean_time"]);
        assert!(cols("SELECT total_time FROM timings;", Comments::Sql).is_empty());
        assert!(cols(
            "-- total_time was renamed\nSELECT total_exec_time FROM pg_stat_statements;",
            Comments::Sql
        )
        .is_empty());
        assert!(cols(
            "SELECT round(total_exec_time) AS total_time FROM pg_stat_statements ORDER BY total_time",
            Comments::Sql
        )
        .is_empty());
        assert!(cols(
            "SELECT o.mean_time FROM pg_stat_statements s JOIN other o ON o.q = s.queryid",
            Comments::Sql
        )
        .is_empty());
        assert_eq!(
            cols(
                "SELECT s.mean_time FROM pg_stat_statements AS s",
                Comments::Sql
            ),
            vec!["mean_time"]
        );
        assert!(cols(
            "psql -c \"SELECT total_time FROM timings\"\npsql -c \"SELECT calls FROM pg_stat_statements\"\n",
            Comments::Hash
        )
        .is_empty());
        assert!(cols(
            "# SELECT total_time FROM pg_stat_statements\necho ok\n",
            Comments::Hash
        )
        .is_empty());
    }
}
