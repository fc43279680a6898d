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
}

pub struct Stage<'b, 't> {
    pub index: usize,
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
    pub fn runs(&self, escape: char) -> impl Iterator<Item = (&'b parse_dockerfile::RunInstruction<'t>, Vec<SimpleCommand>)> + '_ {
        self.instructions.iter().filter_map(move |inst| match inst {
            Instruction::Run(run) => Some((run, run_commands(run, escape))),
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
pub fn run_commands(run: &parse_dockerfile::RunInstruction<'_>, escape: char) -> Vec<SimpleCommand> {
    let mut commands = command_words(&run.arguments, escape);
    for doc in &run.here_docs {
        commands.extend(split_commands(&doc.value, doc.span.start, '\\'));
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
                .map(|s| crate::parse::shell_words::Word { text: s.value.to_string(), span: s.span.clone() })
                .collect(),
        }],
        _ => Vec::new(),
    }
}

pub fn parse_ast(text: &str) -> Result<parse_dockerfile::Dockerfile<'_>, DockerfileError> {
    parse_dockerfile::parse(text).map_err(|err| {
        let offset = offset_of(text, err.line(), err.column());
        DockerfileError { message: err.to_string(), offset }
    })
}

impl<'b, 't> Dockerfile<'b, 't> {
    pub fn new(text: &'t str, path: &'b Path, ast: &'b parse_dockerfile::Dockerfile<'t>) -> Self {
        let escape = ast.parser_directives.escape.as_ref().map_or('\\', |d| d.value.value);
        let stages = ast
            .stages()
            .enumerate()
            .map(|(index, stage)| Stage {
                index,
                from: stage.from,
                name: stage.from.as_.as_ref().map(|(_, name)| &*name.value),
                instructions: stage.instructions,
            })
            .collect();
        Dockerfile { text, path, escape, stages, global_args: ast.global_args().collect() }
    }

    pub fn final_stage(&self) -> Option<&Stage<'b, 't>> {
        self.stages.last()
    }

    /// Whether `image` names a stage defined before stage `before` (Docker matches stage names
    /// case-insensitively).
    pub fn is_earlier_stage(&self, image: &str, before: usize) -> bool {
        self.stages[..before.min(self.stages.len())]
            .iter()
            .any(|s| s.name.is_some_and(|n| n.eq_ignore_ascii_case(image)))
    }

    /// Resolves a base image through earlier stages: `FROM builder` -> builder's base image.
    /// Returns the stage index chain root's image and whether it came through a stage.
    pub fn root_image(&self, stage: usize) -> &str {
        let mut current = stage;
        for _ in 0..self.stages.len() {
            let image = self.stages[current].base_image();
            let Some(parent) = self.stages[..current]
                .iter()
                .rposition(|s| s.name.is_some_and(|n| n.eq_ignore_ascii_case(image)))
            else {
                return image;
            };
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
            let col_bytes = l.char_indices().nth(column.saturating_sub(1)).map_or(l.len(), |(b, _)| b);
            return offset + col_bytes;
        }
        offset += l.len();
    }
    text.len()
}
