//! `--diff`: a unified diff (three lines of context) built from the edits themselves, so it
//! needs no line-matching algorithm and is linear in the file.

use crate::diagnostic::Edit;
use crate::source::LineIndex;

const CONTEXT: usize = 3;

/// Lines `first..=last` of the old text and what the edits inside them make of them.
struct Block {
    first: usize,
    last: usize,
    new: String,
}

/// The diff of `old` with sorted, non-overlapping `edits` applied, headed `a/<path>`/`b/<path>`.
pub fn unified_diff(path: &str, old: &str, edits: &[Edit]) -> String {
    let lines = LineIndex::new(old);
    let count = lines.line_count();
    // Start of line `n`, or the text's end past the last line.
    let start = |n: usize| {
        if n >= count {
            old.len()
        } else {
            lines.line_start(n)
        }
    };
    let blocks = blocks(old, edits, &lines, &start);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    let mut shift: isize = 0;
    let mut i = 0;
    while i < blocks.len() {
        // Blocks whose context would meet go into one hunk.
        let mut j = i;
        while j + 1 < blocks.len() && blocks[j + 1].first <= blocks[j].last + 1 + 2 * CONTEXT {
            j += 1;
        }
        let from = blocks[i].first.saturating_sub(CONTEXT);
        let to = (blocks[j].last + CONTEXT).min(count.saturating_sub(1));
        let mut body = String::new();
        let (mut old_len, mut new_len) = (0usize, 0usize);
        let mut line = from;
        for block in &blocks[i..=j] {
            for n in line..block.first {
                push_line(&mut body, ' ', &old[start(n)..start(n + 1)]);
            }
            old_len += block.first - line;
            new_len += block.first - line;
            for n in block.first..=block.last {
                push_line(&mut body, '-', &old[start(n)..start(n + 1)]);
                old_len += 1;
            }
            for piece in block.new.split_inclusive('\n') {
                push_line(&mut body, '+', piece);
                new_len += 1;
            }
            line = block.last + 1;
        }
        for n in line..=to {
            if n >= count || start(n) == old.len() {
                break;
            }
            push_line(&mut body, ' ', &old[start(n)..start(n + 1)]);
            old_len += 1;
            new_len += 1;
        }
        let new_from = (from as isize + shift).max(0) as usize;
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(from, old_len),
            range(new_from, new_len)
        ));
        out.push_str(&body);
        shift += new_len as isize - old_len as isize;
        i = j + 1;
    }
    out
}

/// Edits grouped by the lines they touch: edits on a shared line form one block.
fn blocks(
    old: &str,
    edits: &[Edit],
    lines: &LineIndex,
    start: &dyn Fn(usize) -> usize,
) -> Vec<Block> {
    let mut groups: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for e in edits {
        let first = lines.line_of(e.span.start);
        // An edit ending at a line's start does not touch that line.
        let last = if e.span.end > e.span.start {
            lines.line_of(e.span.end - 1)
        } else {
            first
        };
        match groups.last_mut() {
            // Edits on adjacent lines too: the diff shows their lines removed, then added.
            Some(g) if first <= g.1 + 1 => {
                g.1 = g.1.max(last);
                g.2.push(e);
            }
            _ => groups.push((first, last, vec![e])),
        }
    }
    groups
        .into_iter()
        .map(|(first, last, group)| {
            let from = start(first);
            let to = start(last + 1);
            let mut new = String::new();
            let mut at = from;
            for e in group {
                new.push_str(&old[at..e.span.start]);
                new.push_str(&e.text);
                at = e.span.end;
            }
            new.push_str(&old[at..to]);
            Block { first, last, new }
        })
        .collect()
}

/// One diff line; a last line without its newline gets git's marker.
fn push_line(out: &mut String, sign: char, line: &str) {
    out.push(sign);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

/// `start,len` with 1-based start (`start-1,0` for an empty range, as diff writes it).
fn range(from: usize, len: usize) -> String {
    if len == 0 {
        format!("{from},0")
    } else {
        format!("{},{len}", from + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let edits = [Edit {
            span: 8..9,
            text: "E".to_string(),
        }];
        let diff = unified_diff("x", old, &edits);
        assert_eq!(
            diff,
            "--- a/x\n+++ b/x\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
    }

    #[test]
    fn inserted_line_and_no_final_newline() {
        let old = "a\nb";
        let edits = [Edit {
            span: 2..2,
            text: "new\n".to_string(),
        }];
        let diff = unified_diff("x", old, &edits);
        assert_eq!(
            diff,
            "--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+new\n+b\n\\ No newline at end of file\n"
        );
    }
}
