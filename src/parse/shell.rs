//! Shell scripts (`*.sh`, workflow `run:` blocks, ssh deploy `script:`) through tree-sitter-bash,
//! flattened into the simple commands they run, in source order. Rules read commands, not
//! substrings: `docker-compose` inside a comment or an `echo "…"` string is not a command.

use crate::source::Span;
use std::cell::RefCell;
use tree_sitter::{Node, Parser};

#[derive(Debug, Clone)]
pub struct ShellWord {
    /// The word with quotes removed; expansions (`$X`, `${X}`, `$(…)`) kept as written.
    pub text: String,
    /// Byte span in the script text.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ShellCommand {
    /// Program name as written (`docker-compose`, `./deploy.sh`) or the declaration keyword
    /// (`export`, `declare`, `local`, `readonly`).
    pub name: ShellWord,
    pub args: Vec<ShellWord>,
    /// `NAME=value` prefixes.
    pub assignments: Vec<(String, String)>,
    /// The whole command, arguments and redirections included.
    pub span: Span,
    /// Index of the command whose arguments hold the `$(…)` this command runs in.
    pub parent: Option<usize>,
    /// Index of the command before this one in a `|` pipeline.
    pub piped_from: Option<usize>,
    /// Inside an `if`/`while`/`until` condition, or the left side of `||`/`&&` (its failure is handled).
    pub checked: bool,
}

impl ShellCommand {
    /// The program's base name: `/usr/bin/docker` -> `docker`.
    pub fn program(&self) -> &str {
        self.name.text.rsplit('/').next().unwrap_or(&self.name.text)
    }

    pub fn arg_texts(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|a| a.text.as_str())
    }

    pub fn has_arg(&self, arg: &str) -> bool {
        self.args.iter().any(|a| a.text == arg)
    }

    /// Positional words after the program, with options (`-x`, `--x`) and their `=` values dropped.
    pub fn positionals(&self) -> Vec<&str> {
        self.args
            .iter()
            .map(|a| a.text.as_str())
            .filter(|a| !a.starts_with('-'))
            .collect()
    }
}

#[derive(Debug, Default)]
pub struct ShellScript {
    pub commands: Vec<ShellCommand>,
    /// Whether the parser met syntax it could not read (commands outside it are still listed).
    pub has_error: bool,
}

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

impl ShellScript {
    pub fn parse(text: &str) -> ShellScript {
        let tree = PARSER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                let mut parser = Parser::new();
                if parser
                    .set_language(&tree_sitter_bash::LANGUAGE.into())
                    .is_err()
                {
                    return None;
                }
                *slot = Some(parser);
            }
            slot.as_mut().and_then(|p| p.parse(text, None))
        });
        let Some(tree) = tree else {
            return ShellScript {
                commands: Vec::new(),
                has_error: true,
            };
        };
        let mut script = ShellScript {
            commands: Vec::new(),
            has_error: tree.root_node().has_error(),
        };
        let mut walker = Walker {
            text,
            script: &mut script,
            depth: 0,
        };
        walker.visit(tree.root_node(), None, false);
        script
    }

    /// The command that sets `-e` (errexit), if any: `set -e`, `set -euo pipefail`, `set -o errexit`.
    pub fn sets_errexit(&self) -> bool {
        self.commands.iter().any(|c| {
            c.program() == "set"
                && c.args.iter().enumerate().any(|(i, a)| {
                    let t = a.text.as_str();
                    (t.starts_with('-') && !t.starts_with("--") && t[1..].contains('e'))
                        || (t == "-o" && c.args.get(i + 1).is_some_and(|n| n.text == "errexit"))
                })
        })
    }
}

/// Deeper than any real script; guards the recursion against hostile input.
const MAX_DEPTH: usize = 512;

struct Walker<'t, 's> {
    text: &'t str,
    script: &'s mut ShellScript,
    depth: usize,
}

impl Walker<'_, '_> {
    fn node_text(&self, node: Node<'_>) -> &str {
        self.text
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
    }

    fn visit(&mut self, node: Node<'_>, parent: Option<usize>, checked: bool) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match node.kind() {
            "command" | "declaration_command" => {
                self.command(node, parent, checked);
            }
            "comment" => {}
            "pipeline" => {
                let mut previous: Option<usize> = None;
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    let before = self.script.commands.len();
                    self.visit(child, parent, checked);
                    if let (Some(prev), Some(cmd)) =
                        (previous, self.script.commands.get_mut(before))
                    {
                        cmd.piped_from = Some(prev);
                    }
                    if self.script.commands.len() > before {
                        previous = Some(before);
                    }
                }
            }
            "if_statement" | "while_statement" | "until_statement" => {
                let mut cursor = node.walk();
                for (i, child) in node.children(&mut cursor).enumerate() {
                    let is_condition = node.field_name_for_child(i as u32) == Some("condition");
                    self.visit(child, parent, checked || is_condition);
                }
            }
            "list" => {
                // `a || b`, `a && b`: the left side's failure is handled by the operator.
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
                for (i, child) in children.iter().enumerate() {
                    let next_op = children.get(i + 1).map(|n| n.kind());
                    let left_of_or = matches!(next_op, Some("||") | Some("&&"));
                    self.visit(*child, parent, checked || left_of_or);
                }
            }
            _ => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    self.visit(child, parent, checked);
                }
            }
        }
        self.depth -= 1;
    }

    fn command(&mut self, node: Node<'_>, parent: Option<usize>, checked: bool) {
        let index = self.script.commands.len();
        let mut name: Option<ShellWord> = None;
        let mut args = Vec::new();
        let mut assignments = Vec::new();
        let mut nested: Vec<Node<'_>> = Vec::new();
        let mut cursor = node.walk();
        let declaration = node.kind() == "declaration_command";
        for (i, child) in node.children(&mut cursor).enumerate() {
            let field = node.field_name_for_child(i as u32);
            match (child.kind(), field) {
                ("command_name", _) => name = Some(self.word(child)),
                ("variable_assignment", _) if !declaration && name.is_none() => {
                    let text = self.node_text(child);
                    if let Some((n, v)) = text.split_once('=') {
                        assignments.push((n.to_string(), unquote(v)));
                    }
                    nested.push(child);
                }
                ("export" | "declare" | "local" | "readonly" | "typeset", _) if declaration => {
                    name = Some(ShellWord {
                        text: child.kind().to_string(),
                        span: child.start_byte()..child.end_byte(),
                    });
                }
                (_, Some("redirect"))
                | ("file_redirect" | "heredoc_redirect" | "herestring_redirect", _) => {
                    nested.push(child)
                }
                ("comment", _) => {}
                (_, _) if child.is_named() => {
                    args.push(self.word(child));
                    nested.push(child);
                }
                _ => {}
            }
        }
        let Some(name) = name else {
            // A bare assignment (`X=$(cmd)`): still look inside it.
            for child in nested {
                self.visit(child, parent, checked);
            }
            return;
        };
        self.script.commands.push(ShellCommand {
            name,
            args,
            assignments,
            span: node.start_byte()..node.end_byte(),
            parent,
            piped_from: None,
            checked,
        });
        for child in nested {
            self.visit(child, Some(index), checked);
        }
    }

    fn word(&self, node: Node<'_>) -> ShellWord {
        let raw = self.node_text(node);
        let text = match node.kind() {
            "command_name" => node
                .named_child(0)
                .map_or_else(|| unquote(raw), |c| self.word(c).text),
            "string" | "raw_string" | "ansi_c_string" => unquote(raw),
            "concatenation" => {
                let mut cursor = node.walk();
                node.named_children(&mut cursor)
                    .map(|c| self.word(c).text)
                    .collect()
            }
            "word" | "number" => raw.replace("\\\n", ""),
            _ => raw.to_string(),
        };
        ShellWord {
            text,
            span: node.start_byte()..node.end_byte(),
        }
    }
}

/// Removes one level of quotes: `"a b"` -> `a b`, `'x'` -> `x`, `$'x'` -> `x`.
fn unquote(raw: &str) -> String {
    let raw = raw
        .strip_prefix('$')
        .filter(|r| r.starts_with('\''))
        .unwrap_or(raw);
    for q in ['"', '\''] {
        if raw.len() >= 2 && raw.starts_with(q) && raw.ends_with(q) {
            return raw[1..raw.len() - 1].to_string();
        }
    }
    raw.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(script: &ShellScript) -> Vec<&str> {
        script
            .commands
            .iter()
            .map(|c| c.name.text.as_str())
            .collect()
    }

    #[test]
    fn commands_not_strings_or_comments() {
        let s = ShellScript::parse(
            "# docker-compose up\necho \"docker-compose up\"\ndocker compose up -d\n",
        );
        assert_eq!(names(&s), vec!["echo", "docker"]);
        assert_eq!(s.commands[1].positionals(), vec!["compose", "up"]);
    }

    #[test]
    fn substitutions_and_pipelines() {
        let s = ShellScript::parse("export $(cat config/${ENV}.env | xargs)\n");
        assert_eq!(names(&s), vec!["export", "cat", "xargs"]);
        assert_eq!(s.commands[1].parent, Some(0));
        assert_eq!(s.commands[2].piped_from, Some(1));
    }

    #[test]
    fn errexit_and_checked() {
        assert!(ShellScript::parse("set -euo pipefail\n").sets_errexit());
        assert!(ShellScript::parse("set -o errexit\n").sets_errexit());
        assert!(!ShellScript::parse("set -x\n").sets_errexit());
        let s = ShellScript::parse(
            "curl -f http://x/health || exit 1\nif alembic upgrade head; then :; fi\n",
        );
        assert!(s.commands[0].checked);
        assert!(s
            .commands
            .iter()
            .find(|c| c.name.text == "alembic")
            .is_some_and(|c| c.checked));
    }

    #[test]
    fn assignments_and_quotes() {
        let s = ShellScript::parse("PIP_NO_CACHE_DIR=1 pip install 'a b' \"c\"\n");
        assert_eq!(
            s.commands[0].assignments,
            vec![("PIP_NO_CACHE_DIR".to_string(), "1".to_string())]
        );
        assert_eq!(
            s.commands[0].arg_texts().collect::<Vec<_>>(),
            vec!["install", "a b", "c"]
        );
    }
}
