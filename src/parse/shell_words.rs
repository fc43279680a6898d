//! A small POSIX-shell word splitter for Dockerfile `RUN`/`CMD` lines and compose commands.
//!
//! It splits a command line into simple commands (at `&&`, `||`, `;`, `|`, `&`, newlines and
//! parentheses) and each command into words with quotes removed, keeping the byte span of every
//! word. It does not expand anything; that is enough to ask "is this `pip install --user`?".
//! Full shell scripts (`*.sh`, `run:` blocks) go through tree-sitter-bash instead.

use crate::source::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes and line continuations removed.
    pub text: String,
    /// Byte span in the file the command came from.
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct SimpleCommand {
    pub words: Vec<Word>,
}

impl SimpleCommand {
    /// The words after leading `NAME=value` assignments and wrappers such as `sudo`/`exec`.
    pub fn argv(&self) -> &[Word] {
        let mut rest = &self.words[..];
        loop {
            let Some(first) = rest.first() else {
                return rest;
            };
            let is_assignment = first.text.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            if is_assignment
                || matches!(
                    first.text.as_str(),
                    "sudo" | "exec" | "command" | "time" | "nohup"
                )
            {
                rest = &rest[1..];
            } else {
                return rest;
            }
        }
    }

    /// Environment assignments (`NAME=value`) before the program.
    pub fn assignments(&self) -> impl Iterator<Item = (&str, &str)> {
        self.words.iter().map_while(|w| {
            let (name, value) = w.text.split_once('=')?;
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            valid.then_some((name, value))
        })
    }

    pub fn program(&self) -> Option<&str> {
        self.argv()
            .first()
            .map(|w| w.text.rsplit('/').next().unwrap_or(&w.text))
    }

    pub fn has_word(&self, word: &str) -> bool {
        self.words.iter().any(|w| w.text == word)
    }

    pub fn span(&self) -> Option<Span> {
        Some(self.words.first()?.span.start..self.words.last()?.span.end)
    }
}

/// Splits `text` (found at byte `base` of its file) into simple commands.
/// `escape` is the line-continuation character (`\` or the Dockerfile's `# escape=`).
pub fn split_commands(text: &str, base: usize, escape: char) -> Vec<SimpleCommand> {
    let mut commands = Vec::new();
    let mut current = SimpleCommand::default();
    let mut word = String::new();
    let mut word_start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();

    fn end_word(
        word: &mut String,
        start: &mut Option<usize>,
        end: usize,
        base: usize,
        cmd: &mut SimpleCommand,
    ) {
        if let Some(s) = start.take() {
            cmd.words.push(Word {
                text: std::mem::take(word),
                span: base + s..base + end,
            });
        }
    }
    fn end_command(cmd: &mut SimpleCommand, commands: &mut Vec<SimpleCommand>) {
        if !cmd.words.is_empty() {
            commands.push(std::mem::take(cmd));
        }
    }

    while let Some((i, c)) = chars.next() {
        match c {
            c if c == escape => {
                match chars.peek() {
                    // Line continuation: the escape and the newline vanish.
                    Some(&(_, '\n')) => {
                        chars.next();
                    }
                    Some(&(_, '\r')) => {
                        chars.next();
                        if let Some(&(_, '\n')) = chars.peek() {
                            chars.next();
                        }
                    }
                    Some(&(j, next)) => {
                        word_start.get_or_insert(i);
                        word.push(next);
                        chars.next();
                        let _ = j;
                    }
                    None => {}
                }
            }
            '\'' => {
                word_start.get_or_insert(i);
                for (_, q) in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                word_start.get_or_insert(i);
                while let Some((_, q)) = chars.next() {
                    match q {
                        '"' => break,
                        q if q == escape => {
                            if let Some((_, next)) = chars.next() {
                                if next != '\n' {
                                    word.push(next);
                                }
                            }
                        }
                        q => word.push(q),
                    }
                }
            }
            '#' if word_start.is_none() => {
                // A comment runs to the end of the line.
                while let Some(&(_, n)) = chars.peek() {
                    if n == '\n' {
                        break;
                    }
                    chars.next();
                }
            }
            ' ' | '\t' | '\r' => end_word(&mut word, &mut word_start, i, base, &mut current),
            '\n' | ';' | '&' | '|' | '(' | ')' | '`' => {
                end_word(&mut word, &mut word_start, i, base, &mut current);
                end_command(&mut current, &mut commands);
                // `&&`, `||`, `;;` are one operator.
                if matches!(c, '&' | '|' | ';') {
                    if let Some(&(_, n)) = chars.peek() {
                        if n == c {
                            chars.next();
                        }
                    }
                }
            }
            c => {
                word_start.get_or_insert(i);
                word.push(c);
            }
        }
    }
    end_word(&mut word, &mut word_start, text.len(), base, &mut current);
    end_command(&mut current, &mut commands);
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(cmds: &[SimpleCommand]) -> Vec<Vec<String>> {
        cmds.iter()
            .map(|c| c.words.iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    #[test]
    fn splits_and_unquotes() {
        let cmds = split_commands(
            "apt-get update && pip install \"a b\" 'c' \\\n  d; echo x | tee y # note",
            0,
            '\\',
        );
        assert_eq!(
            texts(&cmds),
            vec![
                vec!["apt-get", "update"],
                vec!["pip", "install", "a b", "c", "d"],
                vec!["echo", "x"],
                vec!["tee", "y"],
            ]
        );
    }

    #[test]
    fn spans_are_offsets_in_the_file() {
        let cmds = split_commands("pip install x", 10, '\\');
        assert_eq!(cmds[0].words[2].span, 22..23);
    }

    #[test]
    fn argv_skips_assignments_and_sudo() {
        let cmds = split_commands("PIP_NO_CACHE_DIR=1 sudo pip install x", 0, '\\');
        assert_eq!(cmds[0].program(), Some("pip"));
        assert_eq!(
            cmds[0].assignments().collect::<Vec<_>>(),
            vec![("PIP_NO_CACHE_DIR", "1")]
        );
    }

    #[test]
    fn backtick_escape() {
        let cmds = split_commands("pip install `\n  x", 0, '`');
        assert_eq!(texts(&cmds), vec![vec!["pip", "install", "x"]]);
    }
}
