//! The Dockerfile model rules see: parse-dockerfile's instructions grouped into stages, with the
//! shell commands of every `RUN` split into words.

use crate::parse::shell_words::{split_commands, SimpleCommand};
use crate::source::Span;
use parse_dockerfile::{Command, Instruction};
use std::path::Path;

pub use parse_dockerfile::Instruction as Inst;

/// A parse failure with its byte position.
pub struct DockerfileError {
    pub message: String,
    pub offset: usize,
}

/// `'b` borrows parse-dockerfile's tree, `'t` the file's text (the tree's lifetime parameter is
/// invariant, so the two cannot be merged).
pub struct Dockerfile<'b, 't> {
    pub text: &'t str,
    /// Path relative to the project root.
    pub path: &'b Path,
    pub escape: char,
    pub stages: Vec<Stage<'b, 't>>,
    /// `ARG`s before the first `FROM`.
    pub global_args: Vec<&'b parse_dockerfile::ArgInstruction<'t>>,
    /// For each stage, the earlier stage its `FROM` names, if any (computed once: rules walk
    /// these chains for every stage, and a hostile file can have tens of thousands of stages).
    pub parents: Vec<Option<usize>>,
    /// Lower-cased stage name -> index (parse-dockerfile rejects duplicate names).
    names: std::collections::HashMap<String, usize>,
}

pub struct Stage<'b, 't> {
    pub index: usize,
    /// The whole file's text (heredoc bodies are split from it, not from the unescaped value).
    text: &'t str,
    pub from: &'b parse_dockerfile::FromInstruction<'t>,
    /// `AS name`, as written.
    pub name: Option<&'b str>,
    pub instructions: &'b [Instruction<'t>],
}

impl<'b, 't> Stage<'b, 't> {
    pub fn base_image(&self) -> &str {
        &self.from.image.value
    }

    /// A readable name for messages: `builder`, or `#2` for an unnamed stage.
    pub fn label(&self) -> String {
        match self.name {
            Some(name) => format!("`{name}`"),
            None => format!("#{}", self.index + 1),
        }
    }

    /// The whole `FROM ...` line, the anchor for findings about a stage.
    pub fn from_span(&self) -> Span {
        let end = match &self.from.as_ {
            Some((_, name)) => name.span.end,
            None => self.from.image.span.end,
        };
        self.from.from.span.start..end
    }

    /// Every `RUN` of the stage with its simple commands (heredoc bodies included).
    pub fn runs(
        &self,
        escape: char,
    ) -> impl Iterator<Item = (&'b parse_dockerfile::RunInstruction<'t>, Vec<SimpleCommand>)> + '_
    {
        self.instructions.iter().filter_map(move |inst| match inst {
            Instruction::Run(run) => Some((run, run_commands(self.text, run, escape))),
            _ => None,
        })
    }

    /// The last `USER` of the stage, if any.
    pub fn last_user(&self) -> Option<&'b parse_dockerfile::UserInstruction<'t>> {
        self.instructions.iter().rev().find_map(|inst| match inst {
            Instruction::User(user) => Some(user),
            _ => None,
        })
    }
}

/// The shell commands of a `RUN`: shell form split into words, heredoc scripts likewise.
/// Exec form (`RUN ["pip", "install", "x"]`) becomes one command.
pub fn run_commands(
    text: &str,
    run: &parse_dockerfile::RunInstruction<'_>,
    escape: char,
) -> Vec<SimpleCommand> {
    let mut commands = command_words(&run.arguments, escape);
    for doc in &run.here_docs {
        // The raw body, not `doc.value`: `<<-` strips leading tabs from the value, which would
        // shift every offset after them (tabs are blanks to the splitter anyway).
        let raw = text.get(doc.span.clone()).unwrap_or(&doc.value);
        commands.extend(split_commands(raw, doc.span.start, '\\'));
    }
    commands
}

pub fn command_words(command: &Command<'_>, escape: char) -> Vec<SimpleCommand> {
    match command {
        Command::Shell(shell) => split_commands(shell.value, shell.span.start, escape),
        Command::Exec(exec) => vec![SimpleCommand {
            words: exec
                .value
                .iter()
                .map(|s| crate::parse::shell_words::Word {
                    text: s.value.to_string(),
                    span: s.span.clone(),
                })
                .collect(),
        }],
        _ => Vec::new(),
    }
}

pub fn parse_ast(text: &str) -> Result<parse_dockerfile::Dockerfile<'_>, DockerfileError> {
    parse_dockerfile::parse(text).map_err(|err| {
        let offset = offset_of(text, err.line(), err.column());
        DockerfileError {
            message: err.to_string(),
            offset,
        }
    })
}

/// Parses, and when that fails because of a late heredoc, retries once with its body blanked
/// in place (offsets unchanged) so the file is still linted. `scratch` holds the rewritten
/// text the tree then borrows.
pub fn parse_tolerant<'t>(
    text: &'t str,
    scratch: &'t mut Option<String>,
) -> Result<parse_dockerfile::Dockerfile<'t>, DockerfileError> {
    match parse_ast(text) {
        Ok(ast) => Ok(ast),
        Err(err) => {
            *scratch = rewrite_unparsed_forms(text);
            match scratch.as_deref() {
                Some(blanked) => parse_ast(blanked).map_err(|_| err),
                None => Err(err),
            }
        }
    }
}

/// parse-dockerfile 0.1.9 reads a heredoc only as the first argument (`RUN <<EOF`); BuildKit also
/// accepts `RUN python3 <<EOF`, whose body the parser then takes for instructions; and it refuses
/// the empty exec form `ENTRYPOINT []`. This returns the text with such late heredoc bodies blanked
/// and such resets commented out (same length, newlines kept, so every offset
/// stays valid), or `None` when there is none. Rules then see the command line, not the body.
pub fn rewrite_unparsed_forms(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut pending: Vec<(String, bool)> = Vec::new();
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        if let Some((delim, strip_tabs)) = pending.first().cloned() {
            let body = line.trim_end_matches(['\n', '\r']);
            let candidate = if strip_tabs {
                body.trim_start_matches('\t')
            } else {
                body
            };
            out.extend(
                line.chars()
                    .map(|c| if c == '\n' || c == '\r' { c } else { ' ' }),
            );
            changed = true;
            if candidate == delim {
                pending.remove(0);
            }
            continue;
        }
        let trimmed = line.trim_start();
        let Some(keyword) = trimmed.split_whitespace().next() else {
            out.push_str(line);
            continue;
        };
        // `ENTRYPOINT []` / `CMD []` reset an inherited value (Docker docs, "ENTRYPOINT"); the
        // parser wants an argument. Turned into a comment of the same length: the rules lose
        // only the reset.
        let is_reset = ["ENTRYPOINT", "CMD"]
            .iter()
            .any(|k| keyword.eq_ignore_ascii_case(k))
            && trimmed[keyword.len()..].trim() == "[]";
        if is_reset {
            let lead = line.len() - trimmed.len();
            out.push_str(&line[..lead]);
            out.push('#');
            out.push_str(&line[lead + 1..]);
            changed = true;
            continue;
        }
        out.push_str(line);
        if !keyword.eq_ignore_ascii_case("RUN") {
            continue;
        }
        let args: Vec<&str> = trimmed[keyword.len()..]
            .split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .collect();
        for (i, word) in args.iter().enumerate() {
            let Some(rest) = word.find("<<").map(|p| &word[p + 2..]) else {
                continue;
            };
            // The first argument is a heredoc the parser reads itself.
            if i == 0 && word.starts_with("<<") {
                continue;
            }
            let (strip_tabs, rest) = match rest.strip_prefix('-') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let delim: String = rest
                .trim_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !delim.is_empty() {
                pending.push((delim, strip_tabs));
            }
        }
    }
    changed.then_some(out)
}

impl<'b, 't> Dockerfile<'b, 't> {
    pub fn new(text: &'t str, path: &'b Path, ast: &'b parse_dockerfile::Dockerfile<'t>) -> Self {
        let escape = ast
            .parser_directives
            .escape
            .as_ref()
            .map_or('\\', |d| d.value.value);
        let stages: Vec<Stage<'b, 't>> = ast
            .stages()
            .enumerate()
            .map(|(index, stage)| Stage {
                index,
                text,
                from: stage.from,
                name: stage.from.as_.as_ref().map(|(_, name)| &*name.value),
                instructions: stage.instructions,
            })
            .collect();
        let mut names = std::collections::HashMap::new();
        let mut parents = Vec::with_capacity(stages.len());
        for stage in &stages {
            let parent = names.get(&stage.base_image().to_ascii_lowercase()).copied();
            parents.push(parent);
            if let Some(name) = stage.name {
                names
                    .entry(name.to_ascii_lowercase())
                    .or_insert(stage.index);
            }
        }
        Dockerfile {
            text,
            path,
            escape,
            stages,
            global_args: ast.global_args().collect(),
            parents,
            names,
        }
    }

    /// The index of the stage named `name` (case-insensitively, as Docker matches `--target`).
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.names.get(&name.to_ascii_lowercase()).copied()
    }

    /// The shell commands of a `RUN` of this file.
    pub fn run_commands(&self, run: &parse_dockerfile::RunInstruction<'_>) -> Vec<SimpleCommand> {
        run_commands(self.text, run, self.escape)
    }

    pub fn final_stage(&self) -> Option<&Stage<'b, 't>> {
        self.stages.last()
    }

    /// Whether `image` names a stage defined before stage `before` (Docker matches stage names
    /// case-insensitively).
    pub fn is_earlier_stage(&self, image: &str, before: usize) -> bool {
        self.names
            .get(&image.to_ascii_lowercase())
            .is_some_and(|&i| i < before)
    }

    /// Resolves a base image through earlier stages: `FROM builder` -> builder's base image.
    /// Returns the stage index chain root's image and whether it came through a stage.
    pub fn root_image(&self, stage: usize) -> &str {
        let mut current = stage;
        // Parents are always earlier stages, so this ends.
        while let Some(parent) = self.parents.get(current).copied().flatten() {
            current = parent;
        }
        self.stages[current].base_image()
    }

    pub fn slice(&self, span: &Span) -> &'t str {
        self.text.get(span.clone()).unwrap_or("")
    }
}

/// Converts parse-dockerfile's 1-based line / column into a byte offset.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes = l
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(l.len(), |(b, _)| b);
            return offset + col_bytes;
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_heredoc_bodies_are_blanked_in_place() {
        let text = "FROM python:3.12\nRUN python3 <<EOF\nimport os\nEOF\nRUN <<EOT\necho hi\nEOT\nUSER app\n";
        assert!(
            parse_ast(text).is_err(),
            "parse-dockerfile 0.1.9 cannot read the late heredoc"
        );
        let blanked = rewrite_unparsed_forms(text).expect("one late heredoc");
        assert_eq!(blanked.len(), text.len());
        assert!(
            blanked.contains("RUN <<EOT\necho hi\nEOT"),
            "first-argument heredocs stay"
        );
        assert!(parse_ast(&blanked).is_ok());
        assert!(rewrite_unparsed_forms("FROM x\nRUN <<EOF\na\nEOF\n").is_none());
        let reset = "FROM x\nENTRYPOINT []\nCMD [\"a\"]\n";
        assert!(parse_ast(reset).is_err());
        let fixed = rewrite_unparsed_forms(reset).expect("reset rewritten");
        assert_eq!(fixed.len(), reset.len());
        assert!(parse_ast(&fixed).is_ok());
    }
}
