//! Shell scripts (`*.sh`, workflow `run:` blocks, ssh deploy `script:`) through tree-sitter-bash,
//! flattened into the simple commands they run, in source order. Rules read commands, not
//! substrings: `docker-compose` inside a comment or an `echo "…"` string is not a command.

use crate::source::Span;
use std::cell::Cell;
use std::cell::RefCell;
use std::time::{Duration, Instant};
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
    /// Inside an `if`/`elif`/`while`/`until` condition, or the left side of `||`/`&&` (its failure
    /// is handled).
    pub checked: bool,
    /// File redirections written on the command: `xargs < .env` has `<` from `.env`.
    pub redirects: Vec<Redirect>,
    /// Inside the body or condition of a `for`/`while`/`until` loop.
    pub in_loop: bool,
    /// The innermost function whose body holds the command: it runs where the function is
    /// called, not where it is written.
    pub function: Option<String>,
    /// The `if`/`case` arms around the command, as (construct id, arm index). Two commands in
    /// different arms of one construct never both run (see [`ShellCommand::exclusive_with`]).
    pub branches: Vec<(usize, usize)>,
    /// Index of the command that runs this one as an inline script: `bash -c '…'`,
    /// `ssh host '…'`, `ssh host <<EOF … EOF`. Such commands follow their runner in the list.
    pub inline_in: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Redirect {
    /// The operator as written, file descriptor included: `<`, `>`, `>>`, `2>`, `&>`.
    pub op: String,
    pub target: ShellWord,
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

    /// The program followed by its arguments.
    pub fn argv(&self) -> Vec<&str> {
        std::iter::once(self.name.text.as_str())
            .chain(self.arg_texts())
            .collect()
    }

    /// Whether the two commands sit in different arms of the same `if`/`case`, so that at most
    /// one of them runs.
    pub fn exclusive_with(&self, other: &ShellCommand) -> bool {
        self.branches.iter().any(|(construct, arm)| {
            other
                .branches
                .iter()
                .any(|(c, a)| c == construct && a != arm)
        })
    }
}

/// Shells that run a script given with `-c` or read from their standard input.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "ash"];

/// ssh options that take a value (OpenSSH `ssh(1)`): the word after them is not the host.
const SSH_VALUE_OPTIONS: &[&str] = &[
    "-B", "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p",
    "-Q", "-R", "-S", "-W", "-w",
];

/// Programs that run the command named by their next words (`sudo bash -c …`), so a shell or
/// ssh after them is still the command being run.
const PREFIXES: &[&str] = &[
    "sudo", "sshpass", "timeout", "nohup", "env", "command", "exec", "time",
];

fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// The words ssh sends to the remote host as its command: everything after the destination.
/// `None` when `argv` is not an ssh invocation.
fn ssh_remote(argv: &[ShellWord]) -> Option<&[ShellWord]> {
    let first = argv.first()?;
    let at = if base_name(&first.text) == "ssh" {
        0
    } else if PREFIXES.contains(&base_name(&first.text)) {
        argv.iter().position(|w| base_name(&w.text) == "ssh")?
    } else {
        return None;
    };
    let mut i = at + 1;
    while let Some(word) = argv.get(i) {
        let t = word.text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if !t.starts_with('-') {
            break;
        }
        i += if SSH_VALUE_OPTIONS.contains(&t) { 2 } else { 1 };
    }
    // argv[i] is the destination.
    Some(argv.get(i + 1..).unwrap_or(&[]))
}

/// For `… sh -c SCRIPT …` (options such as `-e`, `-ec`, `-o pipefail` allowed before it), the
/// word holding SCRIPT.
fn shell_dash_c(argv: &[ShellWord]) -> Option<&ShellWord> {
    if matches!(base_name(&argv.first()?.text), "echo" | "printf") {
        return None;
    }
    let at = argv
        .iter()
        .position(|w| SHELLS.contains(&base_name(&w.text)))?;
    let mut has_c = false;
    let mut i = at + 1;
    while let Some(word) = argv.get(i) {
        let t = word.text.as_str();
        if !(t.starts_with('-') || t.starts_with('+')) || t == "--" {
            break;
        }
        if t == "-o" || t == "+o" {
            i += 2;
            continue;
        }
        has_c |= t.starts_with('-') && !t.starts_with("--") && t.contains('c');
        i += 1;
    }
    if !has_c {
        return None;
    }
    argv.get(i)
}

/// Whether the command reads a script from its standard input: a bare `ssh host` or
/// `ssh host bash -s`, or a shell without a script operand (`bash`, `sudo bash -s`,
/// `docker compose exec -T app sh`). A here-document fed to it is code, not data.
fn reads_stdin_script(argv: &[ShellWord]) -> bool {
    if let Some(remote) = ssh_remote(argv) {
        return remote.is_empty() || reads_stdin_script(remote);
    }
    if matches!(
        argv.first().map(|w| base_name(&w.text)),
        Some("echo" | "printf" | "cat" | "tee")
    ) {
        return false;
    }
    let Some(at) = argv
        .iter()
        .position(|w| SHELLS.contains(&base_name(&w.text)))
    else {
        return false;
    };
    let mut stdin_flag = false;
    for word in &argv[at + 1..] {
        let t = word.text.as_str();
        if t.starts_with('-') && !t.starts_with("--") {
            if t.contains('c') {
                return false;
            }
            stdin_flag |= t.contains('s');
        } else if !t.starts_with('-') {
            // A script file operand, unless `-s` made the rest positional parameters.
            return stdin_flag;
        }
    }
    true
}

#[derive(Debug, Default)]
pub struct ShellScript {
    pub commands: Vec<ShellCommand>,
    /// Whether the parser met syntax it could not read (commands outside it are still listed).
    pub has_error: bool,
    /// Where the parser stood when its time budget ran out: nothing of the script was read.
    pub unparsed: Option<usize>,
}

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// tree-sitter-bash's error recovery is super-linear on unbalanced input (`echo` and 40 KB of
/// `)` took 8 s, 100 KB over 30 s), and no count the parser reports grows with that work: its
/// operation count stays linear while each operation gets slower. So the bound is on time, set
/// far above what real scripts need (about 1.5 MB/s on a slow machine, 2 MiB in under 1.5 s):
/// a base plus a rate per byte of the file.
fn time_budget(bytes: usize) -> Duration {
    Duration::from_millis(500)
        + Duration::from_micros(2).saturating_mul(u32::try_from(bytes).unwrap_or(u32::MAX))
}

/// One time budget for every shell parse of a file (all `run:` blocks of a workflow share it,
/// so a thousand pathological blocks cannot each spend a full budget). Ends when dropped.
pub struct ParseBudget {
    previous: Option<Instant>,
}

impl ParseBudget {
    /// Starts a budget for a file of `bytes` bytes, unless one is already running.
    pub fn start(bytes: usize) -> ParseBudget {
        let previous = DEADLINE.get();
        if previous.is_none() {
            DEADLINE.set(Some(Instant::now() + time_budget(bytes)));
        }
        ParseBudget { previous }
    }
}

impl Drop for ParseBudget {
    fn drop(&mut self) {
        DEADLINE.set(self.previous);
    }
}

/// Inline scripts inside inline scripts (`ssh host "bash -c '…'"`) are read this deep.
const MAX_INLINE_LEVEL: usize = 4;

impl ShellScript {
    pub fn parse(text: &str) -> ShellScript {
        ShellScript::parse_level(text, 0, 0)
    }

    /// `level`: how many inline scripts deep this text is; `depth`: the syntax depth it starts
    /// at, so nesting through inline scripts stays under one recursion bound.
    fn parse_level(text: &str, level: usize, depth: usize) -> ShellScript {
        let _budget = ParseBudget::start(text.len());
        let deadline = DEADLINE.get();
        let mut stopped_at: Option<usize> = None;
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
            let parser = slot.as_mut()?;
            let bytes = text.as_bytes();
            // Called every hundred or so parser operations; `true` stops the parse.
            let mut progress = |state: &tree_sitter::ParseState| {
                let over = deadline.is_some_and(|d| Instant::now() > d);
                if over {
                    stopped_at = Some(state.current_byte_offset().min(text.len()));
                }
                over
            };
            let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
            parser.parse_with_options(
                &mut |at: usize, _| bytes.get(at..).unwrap_or_default(),
                None,
                Some(options),
            )
        });
        let Some(tree) = tree else {
            // A parser cancelled mid-way must be reset before its next parse.
            PARSER.with(|cell| cell.borrow_mut().as_mut().map(Parser::reset));
            return ShellScript {
                commands: Vec::new(),
                has_error: true,
                unparsed: Some(stopped_at.unwrap_or(0)),
            };
        };
        let mut script = ShellScript {
            commands: Vec::new(),
            has_error: tree.root_node().has_error(),
            unparsed: None,
        };
        let mut walker = Walker {
            text,
            script: &mut script,
            depth,
            level,
            in_loop: false,
            function: None,
            branches: Vec::new(),
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
    /// How many inline scripts (`bash -c`, ssh, here-documents) this text is nested in.
    level: usize,
    in_loop: bool,
    function: Option<String>,
    branches: Vec<(usize, usize)>,
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
            "while_statement" | "until_statement" => {
                let was = std::mem::replace(&mut self.in_loop, true);
                self.visit_with_conditions(node, parent, checked);
                self.in_loop = was;
            }
            "for_statement" | "c_style_for_statement" => {
                let was = std::mem::replace(&mut self.in_loop, true);
                self.visit_children(node, parent, checked);
                self.in_loop = was;
            }
            "if_statement" => self.visit_if(node, parent, checked),
            "case_statement" => self.visit_case(node, parent, checked),
            "function_definition" => self.visit_function(node, parent, checked),
            "redirected_statement" => self.visit_redirected(node, parent, checked),
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
            _ => self.visit_children(node, parent, checked),
        }
        self.depth -= 1;
    }

    fn visit_children(&mut self, node: Node<'_>, parent: Option<usize>, checked: bool) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.visit(child, parent, checked);
        }
    }

    /// Children of a node whose `condition` children are checked (`while`, `until`, `elif`).
    fn visit_with_conditions(&mut self, node: Node<'_>, parent: Option<usize>, checked: bool) {
        let mut cursor = node.walk();
        for (i, child) in node.children(&mut cursor).enumerate() {
            let is_condition = node.field_name_for_child(i as u32) == Some("condition");
            self.visit(child, parent, checked || is_condition);
        }
    }

    /// `if c; then A; elif d; then B; else C; fi`: the conditions are checked; A, the `elif`
    /// clause and the `else` clause are three arms of one construct.
    fn visit_if(&mut self, node: Node<'_>, parent: Option<usize>, checked: bool) {
        let id = node.start_byte();
        let mut arm = 0;
        let mut cursor = node.walk();
        for (i, child) in node.children(&mut cursor).enumerate() {
            if !child.is_named() {
                continue;
            }
            if node.field_name_for_child(i as u32) == Some("condition") {
                self.visit(child, parent, true);
                continue;
            }
            let this_arm = match child.kind() {
                "elif_clause" | "else_clause" => {
                    arm += 1;
                    arm
                }
                _ => 0,
            };
            self.branches.push((id, this_arm));
            if child.kind() == "elif_clause" {
                // The grammar gives `elif` no `condition` field: it is what comes before `then`.
                let mut inner = child.walk();
                let mut in_condition = true;
                for part in child.children(&mut inner) {
                    in_condition &= part.kind() != "then";
                    self.visit(part, parent, checked || in_condition);
                }
            } else {
                self.visit(child, parent, checked);
            }
            self.branches.pop();
        }
    }

    /// Each `pattern) …;;` of a `case` is one arm.
    fn visit_case(&mut self, node: Node<'_>, parent: Option<usize>, checked: bool) {
        let id = node.start_byte();
        let mut cursor = node.walk();
        let mut arm = 0;
        for child in node.named_children(&mut cursor) {
            if child.kind() != "case_item" {
                self.visit(child, parent, checked);
                continue;
            }
            self.branches.push((id, arm));
            let mut inner = child.walk();
            for (i, part) in child.children(&mut inner).enumerate() {
                if child.field_name_for_child(i as u32) != Some("value") {
                    self.visit(part, parent, checked);
                }
            }
            self.branches.pop();
            arm += 1;
        }
    }

    /// A function body runs where the function is called, so the loops and branches around the
    /// definition do not apply to it.
    fn visit_function(&mut self, node: Node<'_>, parent: Option<usize>, checked: bool) {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.node_text(n).to_string());
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        let function = std::mem::replace(&mut self.function, name);
        let in_loop = std::mem::replace(&mut self.in_loop, false);
        let branches = std::mem::take(&mut self.branches);
        self.visit(body, parent, checked);
        self.function = function;
        self.in_loop = in_loop;
        self.branches = branches;
    }

    /// `cmd < file`, `cmd <<EOF … EOF`: the redirections are attached to the command, and a
    /// here-document fed to a shell or to ssh is read as the script it is.
    fn visit_redirected(&mut self, node: Node<'_>, parent: Option<usize>, checked: bool) {
        let before = self.script.commands.len();
        let body = node.child_by_field_name("body");
        if let Some(body) = body {
            self.visit(body, parent, checked);
        }
        let target = body
            .filter(|b| matches!(b.kind(), "command" | "declaration_command"))
            .and_then(|_| (self.script.commands.len() > before).then_some(before));
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if Some(child) == body {
                continue;
            }
            match child.kind() {
                "file_redirect" => {
                    if let (Some(t), Some(redirect)) = (target, self.redirect(child)) {
                        self.script.commands[t].redirects.push(redirect);
                    }
                    self.visit(child, parent, checked);
                }
                "heredoc_redirect" => self.heredoc(child, target, parent, checked),
                _ => self.visit(child, parent, checked),
            }
        }
    }

    fn redirect(&self, node: Node<'_>) -> Option<Redirect> {
        let destination = node.child_by_field_name("destination")?;
        let op_end = destination.start_byte();
        let op = self
            .text
            .get(node.start_byte()..op_end)
            .unwrap_or("")
            .trim()
            .to_string();
        Some(Redirect {
            op,
            target: self.word(destination),
        })
    }

    fn heredoc(
        &mut self,
        node: Node<'_>,
        consumer: Option<usize>,
        parent: Option<usize>,
        checked: bool,
    ) {
        let before = self.script.commands.len();
        let mut body = None;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "heredoc_body" => body = Some(child),
                "heredoc_start" | "heredoc_end" => {}
                // `cat <<EOF | ssh host bash`: the pipeline after the marker.
                _ => self.visit(child, parent, checked),
            }
        }
        let piped_to = (self.script.commands.len() > before).then_some(before);
        if let (Some(p), Some(c)) = (piped_to, consumer) {
            self.script.commands[p].piped_from = Some(c);
        }
        let reads = |i: usize| {
            let cmd = &self.script.commands[i];
            let argv: Vec<ShellWord> = std::iter::once(cmd.name.clone())
                .chain(cmd.args.iter().cloned())
                .collect();
            reads_stdin_script(&argv)
        };
        let is_plain_cat = |i: usize| {
            let cmd = &self.script.commands[i];
            cmd.program() == "cat" && cmd.positionals().is_empty()
        };
        let runner = match (consumer, piped_to) {
            (Some(c), _) if reads(c) => Some(c),
            (Some(c), Some(p)) if is_plain_cat(c) && reads(p) => Some(p),
            _ => None,
        };
        let Some(body) = body else { return };
        match runner {
            Some(r) => self.inline(r, body.start_byte()..body.end_byte()),
            // Data for `cat`/`tee`: only its `$(…)` expansions run (in an unquoted document).
            None => self.visit(body, parent, checked),
        }
    }

    /// Reads `range` of the text as a script run by command `runner` and appends its commands,
    /// with spans and indexes moved into this script.
    fn inline(&mut self, runner: usize, range: Span) {
        if self.level >= MAX_INLINE_LEVEL {
            return;
        }
        let Some(sub) = self.text.get(range.clone()) else {
            return;
        };
        let inner = ShellScript::parse_level(sub, self.level + 1, self.depth);
        if let (Some(at), None) = (inner.unparsed, self.script.unparsed) {
            self.script.unparsed = Some(range.start + at);
        }
        let base = self.script.commands.len();
        let offset = range.start;
        let Some(outer) = self.script.commands.get(runner).cloned() else {
            return;
        };
        let shift = |span: &mut Span| *span = span.start + offset..span.end + offset;
        for mut cmd in inner.commands {
            shift(&mut cmd.span);
            shift(&mut cmd.name.span);
            cmd.args.iter_mut().for_each(|a| shift(&mut a.span));
            cmd.redirects
                .iter_mut()
                .for_each(|r| shift(&mut r.target.span));
            cmd.parent = cmd.parent.map(|p| p + base);
            cmd.piped_from = cmd.piped_from.map(|p| p + base);
            cmd.inline_in = Some(cmd.inline_in.map_or(runner, |i| i + base));
            cmd.checked |= outer.checked;
            cmd.in_loop |= outer.in_loop;
            cmd.function = cmd.function.or_else(|| outer.function.clone());
            let own = std::mem::take(&mut cmd.branches);
            cmd.branches = outer.branches.clone();
            cmd.branches
                .extend(own.into_iter().map(|(id, arm)| (id + offset, arm)));
            self.script.commands.push(cmd);
        }
    }

    /// The text of an inline script held by `word`: inside its quotes when quoted.
    fn script_range(&self, word: &ShellWord) -> Option<Span> {
        let raw = self.text.get(word.span.clone())?;
        if raw.starts_with("$'") {
            return None;
        }
        for q in ['"', '\''] {
            if raw.len() >= 2 && raw.starts_with(q) && raw.ends_with(q) {
                return Some(word.span.start + 1..word.span.end - 1);
            }
        }
        Some(word.span.clone())
    }

    fn command(&mut self, node: Node<'_>, parent: Option<usize>, checked: bool) {
        let index = self.script.commands.len();
        let mut name: Option<ShellWord> = None;
        let mut args = Vec::new();
        let mut assignments = Vec::new();
        let mut redirects = Vec::new();
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
                ("file_redirect", _) => {
                    redirects.extend(self.redirect(child));
                    nested.push(child)
                }
                (_, Some("redirect")) | ("heredoc_redirect" | "herestring_redirect", _) => {
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
        let argv: Vec<ShellWord> = std::iter::once(name.clone())
            .chain(args.iter().cloned())
            .collect();
        self.script.commands.push(ShellCommand {
            name,
            args,
            assignments,
            span: node.start_byte()..node.end_byte(),
            parent,
            piped_from: None,
            checked,
            redirects,
            in_loop: self.in_loop,
            function: self.function.clone(),
            branches: self.branches.clone(),
            inline_in: None,
        });
        for child in nested {
            self.visit(child, Some(index), checked);
        }
        // `ssh host 'cmd; cmd'`, `ssh host cmd args`, `bash -c 'cmd'`: commands in a string.
        let inline = match ssh_remote(&argv) {
            Some([]) => None,
            Some([only]) => self.script_range(only),
            Some([first, .., last]) => Some(first.span.start..last.span.end),
            None => shell_dash_c(&argv).and_then(|w| self.script_range(w)),
        };
        if let Some(range) = inline {
            self.inline(index, range);
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

    fn find<'s>(s: &'s ShellScript, name: &str) -> &'s ShellCommand {
        s.commands
            .iter()
            .find(|c| c.program() == name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", names(s)))
    }

    #[test]
    fn elif_conditions_are_checked() {
        let s = ShellScript::parse("if a; then b; elif c; then d; else e; fi\n");
        assert!(find(&s, "a").checked && find(&s, "c").checked);
        assert!(!find(&s, "b").checked && !find(&s, "d").checked && !find(&s, "e").checked);
    }

    #[test]
    fn branches_loops_functions() {
        let s = ShellScript::parse(
            "case $1 in\n  up) docker compose up -d;;\n  m) alembic upgrade head;;\nesac\n\
             if x; then y; else z; fi\nw\n\
             deploy() { kubectl apply -f k8s; }\n\
             for i in 1 2; do curl -f x && break; sleep 1; done\n",
        );
        let (up, mig) = (find(&s, "docker"), find(&s, "alembic"));
        assert!(up.exclusive_with(mig));
        assert!(find(&s, "y").exclusive_with(find(&s, "z")));
        assert!(!find(&s, "x").exclusive_with(find(&s, "y")));
        assert!(!find(&s, "w").exclusive_with(find(&s, "y")));
        assert_eq!(find(&s, "kubectl").function.as_deref(), Some("deploy"));
        assert!(find(&s, "curl").in_loop && find(&s, "sleep").in_loop);
        assert!(!find(&s, "w").in_loop);
    }

    #[test]
    fn redirects_are_attached() {
        let s = ShellScript::parse("export $(xargs < .env)\nwc -l <in >out\n");
        let xargs = find(&s, "xargs");
        assert_eq!(xargs.parent, Some(0));
        assert_eq!(xargs.redirects[0].op, "<");
        assert_eq!(xargs.redirects[0].target.text, ".env");
        let wc = find(&s, "wc");
        let ops: Vec<_> = wc.redirects.iter().map(|r| r.op.as_str()).collect();
        assert_eq!(ops, vec!["<", ">"]);
    }

    #[test]
    fn heredoc_to_ssh_is_a_script_to_cat_is_data() {
        let text = "ssh -p 22 deploy@host <<'EOF'\ncd /app\ndocker compose up -d\nEOF\n\
                    cat <<EOF > notes.txt\ndocker-compose up\nEOF\n";
        let s = ShellScript::parse(text);
        assert_eq!(names(&s), vec!["ssh", "cd", "docker", "cat"]);
        let docker = find(&s, "docker");
        assert_eq!(docker.inline_in, Some(0));
        assert_eq!(&text[docker.span.clone()], "docker compose up -d");
        let s = ShellScript::parse("cat <<EOF | ssh h bash -s\nalembic upgrade head\nEOF\n");
        assert_eq!(find(&s, "alembic").inline_in, Some(1));
        let s = ShellScript::parse("ssh h 'cat > f' <<EOF\nalembic upgrade head\nEOF\n");
        assert!(!names(&s).contains(&"alembic"));
    }

    #[test]
    fn inline_scripts_in_strings() {
        let text = "ssh -i key.pem user@prod \"cd /app && docker compose up -d\"\n\
                    docker compose exec app sh -ec 'alembic upgrade head'\n\
                    ssh prod docker compose pull\n\
                    echo bash -c 'not run'\n";
        let s = ShellScript::parse(text);
        assert_eq!(
            names(&s),
            vec!["ssh", "cd", "docker", "docker", "alembic", "ssh", "docker", "echo"]
        );
        let alembic = find(&s, "alembic");
        assert_eq!(&text[alembic.span.clone()], "alembic upgrade head");
        assert_eq!(alembic.inline_in, Some(3));
        assert_eq!(s.commands[6].inline_in, Some(5));
        assert_eq!(s.commands[6].positionals(), vec!["compose", "pull"]);
        assert_eq!(s.commands[2].inline_in, Some(0));
        assert!(s.commands[1].checked, "left of && in the remote script");
        assert!(!s.commands[2].checked);
    }

    #[test]
    fn crlf_scripts() {
        let s = ShellScript::parse("set -e\r\nalembic upgrade head\r\n");
        assert!(s.sets_errexit());
        assert_eq!(find(&s, "alembic").positionals(), vec!["upgrade", "head"]);
    }
}
