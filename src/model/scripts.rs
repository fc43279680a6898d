//! Shell scripts wherever they live (a `*.sh` file, a workflow `run:` block, an ssh action's
//! remote `script:`), parsed once, with spans mapped back to the file.

use super::ScalarMap;
use crate::parse::shell::ShellScript;
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptOrigin {
    /// A shell script file.
    File,
    /// `jobs[job].steps[step].run`.
    RunStep { job: usize, step: usize },
    /// `jobs[job].steps[step].with.script` of an ssh deploy action.
    SshScript { job: usize, step: usize },
}

#[derive(Debug)]
pub struct Script {
    pub shell: ShellScript,
    pub origin: ScriptOrigin,
    /// `None` for a file: its spans are already file offsets.
    map: Option<ScalarMap>,
}

impl Script {
    pub fn new(text: &str, map: ScalarMap, origin: ScriptOrigin) -> Script {
        Script {
            shell: ShellScript::parse(&mask_expressions(text)),
            origin,
            map: Some(map),
        }
    }

    pub fn file(text: &str) -> Script {
        Script {
            shell: ShellScript::parse(text),
            origin: ScriptOrigin::File,
            map: None,
        }
    }

    /// Where the parser gave up on this script (its time budget ran out), as a file offset.
    pub fn unparsed(&self) -> Option<usize> {
        let at = self.shell.unparsed?;
        Some(self.file_span(&(at..at)).start)
    }

    /// A span in the script, as a span in the file.
    pub fn file_span(&self, span: &Span) -> Span {
        match &self.map {
            Some(map) => map.span(span),
            None => span.clone(),
        }
    }
}

/// GitHub replaces each `${{ … }}` of a `run:` or action input before any shell reads it, and
/// tree-sitter-bash cannot parse the braces (`ssh deploy@${{ secrets.HOST }} "…"` becomes one
/// word). Each expression is read as a variable of the same byte length (`$_________`): a value
/// unknown until run time, and every span stays where it was.
fn mask_expressions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let end = start + len + 2;
        out.push_str(&rest[..start]);
        out.push('$');
        out.extend(std::iter::repeat_n('_', end - start - 1));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_become_variables_of_the_same_length() {
        let text = "ssh deploy@${{ secrets.HOST }} \"cd /app && docker compose up -d\"\n";
        let masked = mask_expressions(text);
        assert_eq!(masked.len(), text.len());
        let script = ShellScript::parse(&masked);
        let names: Vec<&str> = script
            .commands
            .iter()
            .map(|c| c.name.text.as_str())
            .collect();
        assert_eq!(names, vec!["ssh", "cd", "docker"]);
        assert_eq!(mask_expressions("a ${{ x"), "a ${{ x");
        assert_eq!(
            mask_expressions("é${{ é }}é"),
            "é$________é",
            "bytes, not chars"
        );
    }
}
