//! Typed models over parsed files: what a workflow, a pre-commit config or a script means,
//! each element keeping the span a finding should point at.

pub mod built;
pub mod commands;
pub mod compose;
pub mod compose_runs;
pub mod precommit;
pub mod roles;
pub mod scripts;
pub mod stacks;
pub mod topology;
pub mod units;
pub mod workflow;

use crate::kind::FileKind;
use crate::parse::dotenv::DotenvEntry;
use crate::parse::yaml::Yaml;
use crate::source::Span;
use std::path::Path;

/// A workflow file as workflow rules (GHA) see it.
pub struct WorkflowFile<'a> {
    pub text: &'a str,
    /// Path relative to the project root.
    pub path: &'a Path,
    pub workflow: workflow::Workflow<'a>,
}

/// A `.pre-commit-config.yaml` as PCM rules see it.
pub struct PrecommitFile<'a> {
    pub text: &'a str,
    pub path: &'a Path,
    pub config: precommit::PrecommitConfig<'a>,
}

/// The shell scripts of one file: a `*.sh` file (one script) or a workflow (its `run:` blocks
/// and ssh `script:` inputs). Script rules (DEP, GHA009, GHA012) see both through this.
pub struct ScriptsFile<'a> {
    pub text: &'a str,
    /// Line starts of `text`: rules quote other lines of the file in their messages.
    pub lines: &'a crate::source::LineIndex,
    pub path: &'a Path,
    pub kind: FileKind,
    pub scripts: &'a [scripts::Script],
    /// The workflow the scripts belong to, for workflow files.
    pub workflow: Option<&'a workflow::Workflow<'a>>,
}

/// A dotenv file as SEC002 sees it.
pub struct DotenvFile<'a> {
    pub text: &'a str,
    pub path: &'a Path,
    pub entries: &'a [DotenvEntry],
    /// `.env.example`, `.sample`, `.template`: documentation, not configuration.
    pub documentation: bool,
}

/// Maps byte offsets inside a YAML scalar's value back to offsets in the file, so a finding in
/// line 3 of a `run: |` block points at that line of the workflow.
#[derive(Debug, Clone, Default)]
pub struct ScalarMap {
    /// (offset in value, offset in file) anchors in increasing order: the start of each value
    /// line, or of each word of a line the source does not hold verbatim.
    lines: Vec<(usize, usize)>,
    fallback: usize,
}

impl ScalarMap {
    pub fn new(file_text: &str, node: &Yaml) -> ScalarMap {
        let Some(value) = node.as_str() else {
            return ScalarMap {
                lines: Vec::new(),
                fallback: node.span.start,
            };
        };
        let region = file_text.get(node.span.clone()).unwrap_or("");
        let mut lines = Vec::new();
        let mut search_from = 0;
        let mut value_offset = 0;
        for line in value.split('\n') {
            // Each value line appears in the source after the block's indentation.
            let found = if line.is_empty() {
                None
            } else {
                region[search_from..].find(line)
            };
            match found {
                Some(pos) => {
                    let at = search_from + pos;
                    lines.push((value_offset, node.span.start + at));
                    search_from = at + line.len();
                }
                None => {
                    // Folded (`>`), plain multi-line and quoted scalars join lines or unescape
                    // characters, so the line is not in the source as a whole: anchor each word
                    // that is, so a finding still lands on the right source line.
                    let mut anchored = false;
                    let mut word_offset = 0;
                    for word in line.split(' ') {
                        let found = (!word.is_empty())
                            .then(|| region[search_from..].find(word))
                            .flatten();
                        if let Some(pos) = found {
                            let at = search_from + pos;
                            lines.push((value_offset + word_offset, node.span.start + at));
                            search_from = at + word.len();
                            anchored = true;
                        }
                        word_offset += word.len() + 1;
                    }
                    if !anchored {
                        lines.push((
                            value_offset,
                            node.span.start + search_from.min(region.len()),
                        ));
                    }
                }
            }
            value_offset += line.len() + 1;
        }
        ScalarMap {
            lines,
            fallback: node.span.start,
        }
    }

    /// The file offset of a byte offset in the value.
    pub fn to_file(&self, value_offset: usize) -> usize {
        match self.lines.iter().rposition(|(v, _)| *v <= value_offset) {
            Some(i) => {
                let (v, f) = self.lines[i];
                f + (value_offset - v)
            }
            None => self.fallback,
        }
    }

    pub fn span(&self, span: &Span) -> Span {
        let start = self.to_file(span.start);
        let end = self.to_file(span.end.max(span.start)).max(start);
        start..end
    }
}

/// A `${{ … }}` expression inside a string: its inner text and its span in the string.
#[derive(Debug, Clone)]
pub struct Expression<'a> {
    pub inner: &'a str,
    pub span: Span,
}

pub fn expressions(text: &str) -> Vec<Expression<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("${{") {
        let start = from + start;
        let Some(len) = text[start..].find("}}") else {
            break;
        };
        let end = start + len + 2;
        out.push(Expression {
            inner: text[start + 3..end - 2].trim(),
            span: start..end,
        });
        from = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_block_scalar_lines() {
        let text = "run: |\n  echo a\n  docker-compose up\n";
        let docs = crate::parse::yaml::parse(text).ok().expect("yaml");
        let run = docs[0].get("run").expect("run");
        let map = ScalarMap::new(text, run);
        let value = run.as_str().expect("str");
        let at = value.find("docker-compose").expect("in value");
        let file_at = map.to_file(at);
        assert_eq!(&text[file_at..file_at + 14], "docker-compose");
    }

    #[test]
    fn maps_folded_and_quoted_scalars_by_word() {
        let text =
            "run: >-\n  echo a\n  b ${{ secrets.X }}\nq: \"say \\\"hi\\\"\n  then ${{ y }}\"\n";
        let docs = crate::parse::yaml::parse(text).ok().expect("yaml");
        for key in ["run", "q"] {
            let node = docs[0].get(key).expect("key");
            let map = ScalarMap::new(text, node);
            let value = node.as_str().expect("str");
            let at = value.find("${{").expect("in value");
            let file_at = map.to_file(at);
            assert_eq!(&text[file_at..file_at + 3], "${{", "{key}: {value:?}");
        }
    }

    #[test]
    fn finds_expressions() {
        let e = expressions("echo ${{ secrets.A }} and ${{github.head_ref}}");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].inner, "secrets.A");
        assert_eq!(e[1].inner, "github.head_ref");
    }
}
