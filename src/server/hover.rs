//! The rule documentation shown on hover: the text of `prodlint rule CODE`, as markdown.

use crate::cli::rule_doc;

/// `prodlint rule CODE`'s text with markdown's line breaks where the plain text relies on
/// newlines: the title in bold and the `Files:`/`Checklist:` block kept one item a line.
/// Indented examples are already markdown code blocks.
pub fn rule_markdown(rule: usize) -> String {
    let text = rule_doc(rule);
    let mut out = String::with_capacity(text.len() + 64);
    let mut lines = text.lines();
    if let Some(title) = lines.next() {
        out.push_str(&format!("**{title}**\n"));
    }
    for line in lines {
        let listed = ["Files:", "Judges files of role:", "Checklist:", "Peers:"]
            .iter()
            .any(|key| line.starts_with(key));
        out.push_str(line);
        // Two trailing spaces: a hard line break in markdown.
        if listed {
            out.push_str("  ");
        }
        out.push('\n');
    }
    out
}
