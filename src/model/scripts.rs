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
            shell: ShellScript::parse(text),
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

    /// A span in the script, as a span in the file.
    pub fn file_span(&self, span: &Span) -> Span {
        match &self.map {
            Some(map) => map.span(span),
            None => span.clone(),
        }
    }
}
