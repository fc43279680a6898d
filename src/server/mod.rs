//! `prodlint server`: a Language Server Protocol server over stdio.
//!
//! One main loop owns the state (open buffers, their findings, the settings) and answers every
//! message; linting runs on a worker thread ([`lint`]) and comes back as a message, so the loop
//! never waits for it. A change is linted 200 ms after the last keystroke, an open or a save at
//! once; each lint covers every open buffer, so a project finding in one file follows an edit
//! in another. Clients that pull diagnostics (`textDocument/diagnostic`) get them on request,
//! others have them pushed (`textDocument/publishDiagnostics`).

mod actions;
mod config;
mod hover;
mod lint;
mod position;
mod transport;
mod workspace;

use crate::kind::classify;
use crate::registry::Registry;
use crate::settings::Settings;
use crossbeam_channel::{select, Receiver, Sender};
use lint::{Finding, Job, Outcome, Snapshot};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use position::{offset, uri_to_path, Encoding};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use transport::{Incoming, Outgoing};

/// Quiet time after a change before it is linted.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Runs the server until `exit` or the end of input; returns the process exit code (0 after a
/// `shutdown`, 1 otherwise, as the protocol asks).
pub fn run() -> i32 {
    let (incoming, outgoing) = match transport::stdio() {
        Ok(channels) => channels,
        Err(e) => {
            eprintln!("prodlint: cannot start the server: {e}");
            return 2;
        }
    };
    let (job_tx, job_rx) = crossbeam_channel::unbounded();
    let (done_tx, done_rx) = crossbeam_channel::unbounded();
    if let Err(e) = lint::spawn(job_rx, done_tx) {
        eprintln!("prodlint: cannot start the lint worker: {e}");
        return 2;
    }
    let mut server = Server::new(outgoing, job_tx);
    server.main_loop(&incoming, &done_rx)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShutDown,
}

struct Document {
    path: Option<PathBuf>,
    version: i32,
    text: Arc<str>,
}

struct Server {
    out: Sender<Outgoing>,
    jobs: Sender<Job>,
    phase: Phase,
    encoding: Encoding,
    /// The client pulls diagnostics; otherwise they are pushed.
    pull: bool,
    /// The client accepts `workspace/diagnostic/refresh`.
    refresh: bool,
    /// The client lets the server register file watchers.
    watch: bool,
    root: Option<PathBuf>,
    docs: HashMap<String, Document>,
    /// The latest findings of each open buffer and the version they are for.
    findings: HashMap<String, (i32, Vec<Finding>)>,
    settings: Arc<Settings>,
    config_problem: Option<config::Problem>,
    /// Pull requests waiting for the lint of their buffer's current version.
    waiting_pulls: Vec<(RequestId, String)>,
    lint_due: Option<Instant>,
    lint_running: bool,
    next_id: i32,
}

impl Server {
    fn new(out: Sender<Outgoing>, jobs: Sender<Job>) -> Server {
        Server {
            out,
            jobs,
            phase: Phase::Uninitialized,
            encoding: Encoding::Utf16,
            pull: false,
            refresh: false,
            watch: false,
            root: None,
            docs: HashMap::new(),
            findings: HashMap::new(),
            settings: Arc::new(Settings::defaults()),
            config_problem: None,
            waiting_pulls: Vec::new(),
            lint_due: None,
            lint_running: false,
            next_id: 0,
        }
    }

    fn main_loop(&mut self, incoming: &Receiver<Incoming>, done: &Receiver<Outcome>) -> i32 {
        loop {
            let timer = match (self.lint_due, self.lint_running) {
                (Some(due), false) => crossbeam_channel::at(due),
                _ => crossbeam_channel::never(),
            };
            select! {
                recv(incoming) -> message => {
                    let Ok(message) = message else {
                        // The client went away without `exit`.
                        return 1;
                    };
                    if let Some(code) = self.guarded(message) {
                        return code;
                    }
                }
                recv(done) -> outcome => {
                    if let Ok(outcome) = outcome {
                        self.lint_finished(outcome);
                    }
                }
                recv(timer) -> _ => self.start_lint(),
            }
        }
    }

    /// Handles one incoming frame; a bug in a handler answers with an error, it does not
    /// take the server down.
    fn guarded(&mut self, incoming: Incoming) -> Option<i32> {
        let message = match incoming {
            Incoming::Message(m) => m,
            Incoming::Invalid { id, code, message } => {
                self.send_raw(json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}));
                return None;
            }
        };
        let request_id = match &message {
            Message::Request(r) => Some(r.id.clone()),
            _ => None,
        };
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.handle(message)));
        match result {
            Ok(code) => code,
            Err(_) => {
                if let Some(id) = request_id {
                    self.respond_err(
                        id,
                        ErrorCode::InternalError,
                        "internal error (a panic); please report it".into(),
                    );
                }
                None
            }
        }
    }

    fn handle(&mut self, message: Message) -> Option<i32> {
        match message {
            Message::Request(request) => {
                self.request(request);
                None
            }
            Message::Notification(n) if n.method == "exit" => {
                Some(if self.phase == Phase::ShutDown { 0 } else { 1 })
            }
            Message::Notification(n) => {
                if self.phase == Phase::Running {
                    self.notification(n);
                }
                None
            }
            // Answers to our registrations and refreshes: nothing to do.
            Message::Response(_) => None,
        }
    }

    fn request(&mut self, request: Request) {
        let Request { id, method, params } = request;
        match (self.phase, method.as_str()) {
            (Phase::Uninitialized, "initialize") => self.initialize(id, &params),
            (Phase::Uninitialized, _) => self.respond_err(
                id,
                ErrorCode::ServerNotInitialized,
                "the server is not initialized".into(),
            ),
            (Phase::ShutDown, _) => self.respond_err(
                id,
                ErrorCode::InvalidRequest,
                "the server is shut down".into(),
            ),
            (Phase::Running, "initialize") => self.respond_err(
                id,
                ErrorCode::InvalidRequest,
                "the server is already initialized".into(),
            ),
            (Phase::Running, "shutdown") => {
                self.phase = Phase::ShutDown;
                self.respond(id, Value::Null);
            }
            (Phase::Running, "textDocument/diagnostic") => self.pull_diagnostics(id, params),
            (Phase::Running, "textDocument/codeAction") => self.code_actions(id, params),
            (Phase::Running, "textDocument/hover") => self.hover(id, params),
            (Phase::Running, _) => self.respond_err(
                id,
                ErrorCode::MethodNotFound,
                format!("unknown method `{method}`"),
            ),
        }
    }

    fn initialize(&mut self, id: RequestId, params: &Value) {
        if !params.is_object() {
            self.respond_err(
                id,
                ErrorCode::InvalidParams,
                "initialize needs an object of parameters".into(),
            );
            return;
        }
        let caps = &params["capabilities"];
        let offers_utf8 = caps["general"]["positionEncodings"]
            .as_array()
            .is_some_and(|list| list.iter().any(|e| e == "utf-8"));
        self.encoding = if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        self.pull = caps["textDocument"]["diagnostic"].is_object();
        self.refresh = caps["workspace"]["diagnostics"]["refreshSupport"] == true;
        self.watch = caps["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"] == true;
        self.root = workspace::root(params);
        if let Some(root) = &self.root {
            // Findings' project roots fall back to the current folder, as for `prodlint check`
            // run from the workspace.
            let _ = std::env::set_current_dir(root);
        }
        let mut capabilities = json!({
            "positionEncoding": self.encoding.name(),
            "textDocumentSync": {"openClose": true, "change": 1, "save": {"includeText": false}},
            "hoverProvider": true,
            "codeActionProvider": {"codeActionKinds": ["quickfix"]},
        });
        if self.pull {
            capabilities["diagnosticProvider"] = json!({
                "identifier": "prodlint",
                "interFileDependencies": true,
                "workspaceDiagnostics": false,
            });
        }
        self.respond(
            id,
            json!({
                "capabilities": capabilities,
                "serverInfo": {"name": "prodlint", "version": env!("CARGO_PKG_VERSION")},
            }),
        );
        self.phase = Phase::Running;
        self.reload_config();
    }

    fn notification(&mut self, n: Notification) {
        let params = n.params;
        match n.method.as_str() {
            "initialized" => self.initialized(),
            "textDocument/didOpen" => self.did_open(&params),
            "textDocument/didChange" => self.did_change(&params),
            "textDocument/didSave" => self.did_save(&params),
            "textDocument/didClose" => self.did_close(&params),
            "workspace/didChangeWatchedFiles" => self.watched_files_changed(&params),
            // `$/cancelRequest`, `$/setTrace`, `workspace/didChangeConfiguration` and unknown
            // notifications need nothing (the protocol says to ignore what is not understood).
            _ => {}
        }
    }

    fn initialized(&mut self) {
        if self.watch {
            // Config files, and any file: a `.dockerignore` or a route module changed on disk
            // (a checkout, a formatter) can change the open buffers' project findings.
            let id = self.fresh_id();
            let registration = json!({"registrations": [{
                "id": "prodlint-watch",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {"watchers": [{"globPattern": "**/*"}]},
            }]});
            self.send(Message::Request(Request::new(
                id,
                "client/registerCapability".into(),
                registration,
            )));
        }
        if let Some(root) = self.root.clone() {
            workspace::warm_in_background(root, self.settings.clone());
        }
    }

    fn did_open(&mut self, params: &Value) {
        let doc = &params["textDocument"];
        let (Some(uri), Some(text)) = (doc["uri"].as_str(), doc["text"].as_str()) else {
            self.log("didOpen without textDocument.uri and text: ignored");
            return;
        };
        let version = doc["version"].as_i64().map_or(0, clamp_version);
        self.docs.insert(
            uri.to_string(),
            Document {
                path: uri_to_path(uri),
                version,
                text: Arc::from(text),
            },
        );
        self.schedule(Duration::ZERO);
    }

    fn did_change(&mut self, params: &Value) {
        let Some(uri) = params["textDocument"]["uri"].as_str() else {
            return;
        };
        let encoding = self.encoding;
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        let Some(changes) = params["contentChanges"].as_array() else {
            return;
        };
        let mut text = doc.text.to_string();
        for change in changes {
            apply_change(&mut text, change, encoding);
        }
        doc.text = Arc::from(text);
        if let Some(version) = params["textDocument"]["version"].as_i64() {
            doc.version = clamp_version(version);
        }
        self.schedule(DEBOUNCE);
    }

    fn did_save(&mut self, params: &Value) {
        let Some(uri) = params["textDocument"]["uri"].as_str() else {
            return;
        };
        if uri_to_path(uri).is_some_and(|p| config::is_config_file(&p)) {
            self.reload_config();
        }
        self.schedule(Duration::ZERO);
    }

    fn did_close(&mut self, params: &Value) {
        let Some(uri) = params["textDocument"]["uri"].as_str() else {
            return;
        };
        self.docs.remove(uri);
        self.findings.remove(uri);
        if !self.pull {
            self.publish(uri, Vec::new(), None);
        }
        // The closed buffer's unsaved text no longer feeds the others' project findings.
        self.schedule(DEBOUNCE);
    }

    fn watched_files_changed(&mut self, params: &Value) {
        let changes = params["changes"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let config_changed = changes.iter().any(|c| {
            c["uri"]
                .as_str()
                .and_then(uri_to_path)
                .is_some_and(|p| config::is_config_file(&p))
        });
        if config_changed {
            self.reload_config();
        }
        if !changes.is_empty() {
            self.schedule(DEBOUNCE);
        }
    }

    /// Loads the workspace config; an invalid one keeps the last good settings and shows the
    /// error on the config file.
    fn reload_config(&mut self) {
        let Some(root) = self.root.clone() else {
            return;
        };
        let previous = self.config_problem.take();
        match config::load(&root, self.encoding) {
            Ok(settings) => self.settings = Arc::new(settings),
            Err(problem) => self.config_problem = Some(problem),
        }
        if let Some(old) = &previous {
            if self
                .config_problem
                .as_ref()
                .is_none_or(|p| p.uri != old.uri)
            {
                let uri = old.uri.clone();
                self.publish_config_file(&uri);
            }
        }
        if let Some(problem) = self.config_problem.clone() {
            self.publish_config_file(&problem.uri);
        }
        self.schedule(Duration::ZERO);
    }

    /// Pushes the diagnostics of a config file: its config problem, and in push mode its
    /// findings too (a push replaces all of a file's diagnostics).
    fn publish_config_file(&mut self, uri: &str) {
        let (version, findings) = match (self.pull, self.findings.get(uri)) {
            (false, Some((version, found))) => (Some(*version), found.clone()),
            _ => (None, Vec::new()),
        };
        self.publish(uri, findings, version);
    }

    fn schedule(&mut self, delay: Duration) {
        let due = Instant::now() + delay;
        // A save or open is linted at once even if a change was waiting for its quiet time.
        self.lint_due = Some(match self.lint_due {
            Some(earlier) if delay.is_zero() => earlier.min(due),
            _ => due,
        });
    }

    fn start_lint(&mut self) {
        self.lint_due = None;
        let docs: Vec<Snapshot> = self
            .docs
            .iter()
            .filter_map(|(uri, d)| {
                Some(Snapshot {
                    uri: uri.clone(),
                    path: d.path.clone()?,
                    version: d.version,
                    text: d.text.clone(),
                })
            })
            .collect();
        if docs.is_empty() {
            self.answer_waiting_pulls();
            return;
        }
        let job = Job {
            docs,
            settings: self.settings.clone(),
            encoding: self.encoding,
        };
        if self.jobs.send(job).is_ok() {
            self.lint_running = true;
        }
    }

    fn lint_finished(&mut self, outcome: Outcome) {
        self.lint_running = false;
        if let Some(error) = &outcome.error {
            self.log(&format!("lint failed: {error}"));
        }
        for note in &outcome.notes {
            self.log(note);
        }
        let mut changed_elsewhere = false;
        for (uri, version, found) in outcome.docs {
            // A buffer closed or edited since: its next lint is already scheduled.
            if self.docs.get(&uri).is_none_or(|d| d.version != version) {
                continue;
            }
            let unchanged = self
                .findings
                .get(&uri)
                .is_some_and(|(_, old)| *old == found);
            self.findings.insert(uri.clone(), (version, found.clone()));
            if self.pull {
                changed_elsewhere |=
                    !unchanged && !self.waiting_pulls.iter().any(|(_, u)| *u == uri);
            } else {
                self.publish(&uri, found, Some(version));
            }
        }
        self.answer_waiting_pulls();
        if changed_elsewhere && self.refresh {
            let id = self.fresh_id();
            self.send(Message::Request(Request::new(
                id,
                "workspace/diagnostic/refresh".into(),
                Value::Null,
            )));
        }
        self.log(&format!("linted in {} ms", outcome.elapsed.as_millis()));
    }

    fn publish(&mut self, uri: &str, found: Vec<Finding>, version: Option<i32>) {
        let mut items: Vec<Value> = found.into_iter().map(|f| f.lsp).collect();
        if let Some(problem) = self.config_problem.as_ref().filter(|p| p.uri == uri) {
            items.push(problem.diagnostic.clone());
        }
        let mut params = json!({"uri": uri, "diagnostics": items});
        if let Some(version) = version {
            params["version"] = json!(version);
        }
        self.send(Message::Notification(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        )));
    }

    fn pull_diagnostics(&mut self, id: RequestId, params: Value) {
        let Some(uri) = params["textDocument"]["uri"].as_str().map(str::to_string) else {
            self.respond_err(
                id,
                ErrorCode::InvalidParams,
                "textDocument.uri is missing".into(),
            );
            return;
        };
        let current = match (self.docs.get(&uri), self.findings.get(&uri)) {
            (Some(doc), Some((version, _))) => *version == doc.version,
            // Not open: nothing of ours to report.
            (None, _) => true,
            (Some(_), None) => false,
        };
        if current || (self.lint_due.is_none() && !self.lint_running) {
            self.answer_pull(id, &uri);
        } else {
            self.waiting_pulls.push((id, uri));
        }
    }

    fn answer_waiting_pulls(&mut self) {
        for (id, uri) in std::mem::take(&mut self.waiting_pulls) {
            let stale = match (self.docs.get(&uri), self.findings.get(&uri)) {
                (Some(doc), Some((version, _))) => *version != doc.version,
                _ => false,
            };
            if stale && (self.lint_due.is_some() || self.lint_running) {
                self.waiting_pulls.push((id, uri));
            } else {
                self.answer_pull(id, &uri);
            }
        }
    }

    fn answer_pull(&mut self, id: RequestId, uri: &str) {
        let items: Vec<Value> = self
            .findings
            .get(uri)
            .map(|(_, found)| found.iter().map(|f| f.lsp.clone()).collect())
            .unwrap_or_default();
        self.respond(id, json!({"kind": "full", "items": items}));
    }

    fn code_actions(&mut self, id: RequestId, params: Value) {
        let parsed: Result<lsp_types::CodeActionParams, _> = serde_json::from_value(params);
        let params = match parsed {
            Ok(p) => p,
            Err(e) => {
                self.respond_err(id, ErrorCode::InvalidParams, format!("codeAction: {e}"));
                return;
            }
        };
        let uri = params.text_document.uri.as_str().to_string();
        let Some(doc) = self.docs.get(&uri) else {
            self.respond(id, json!([]));
            return;
        };
        let kind = doc.path.as_deref().and_then(classify);
        let text = doc.text.clone();
        let mut actions = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for diagnostic in &params.context.diagnostics {
            if diagnostic.source.as_deref() != Some("prodlint") {
                continue;
            }
            let Some(lsp_types::NumberOrString::String(code)) = &diagnostic.code else {
                continue;
            };
            // Config problems have no code; only rule codes are suppressible.
            if Registry::get().find(code).is_none() {
                continue;
            }
            let line = diagnostic.range.start.line as usize;
            let diag = serde_json::to_value(diagnostic).unwrap_or(Value::Null);
            if let Some(edit) = actions::suppress_line(&text, kind, line, code) {
                actions.push(self.action(
                    &uri,
                    &text,
                    format!("Suppress {code} on this line"),
                    edit,
                    &diag,
                ));
            }
            if seen.insert(code.clone()) {
                if let Some(edit) = actions::suppress_file(&text, kind, code) {
                    actions.push(self.action(
                        &uri,
                        &text,
                        format!("Suppress {code} in this file"),
                        edit,
                        &diag,
                    ));
                }
            }
        }
        self.respond(id, Value::Array(actions));
    }

    fn action(
        &self,
        uri: &str,
        text: &str,
        title: String,
        edit: actions::Edit,
        diagnostic: &Value,
    ) -> Value {
        let lines = crate::source::LineIndex::new(text);
        let (sl, sc) = position::position(text, &lines, edit.span.start, self.encoding);
        let (el, ec) = position::position(text, &lines, edit.span.end, self.encoding);
        json!({
            "title": title,
            "kind": "quickfix",
            "diagnostics": [diagnostic],
            "edit": {"changes": {uri: [{
                "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
                "newText": edit.text,
            }]}},
        })
    }

    fn hover(&mut self, id: RequestId, params: Value) {
        let parsed: Result<lsp_types::HoverParams, _> = serde_json::from_value(params);
        let params = match parsed {
            Ok(p) => p,
            Err(e) => {
                self.respond_err(id, ErrorCode::InvalidParams, format!("hover: {e}"));
                return;
            }
        };
        let at = &params.text_document_position_params;
        let uri = at.text_document.uri.as_str();
        let point = (at.position.line, at.position.character);
        let mut rules: Vec<usize> = self
            .findings
            .get(uri)
            .map(|(_, found)| {
                found
                    .iter()
                    .filter(|f| f.start <= point && point <= f.end)
                    .map(|f| f.rule)
                    .collect()
            })
            .unwrap_or_default();
        rules.sort_unstable();
        rules.dedup();
        if rules.is_empty() {
            self.respond(id, Value::Null);
            return;
        }
        let docs: Vec<String> = rules.into_iter().map(hover::rule_markdown).collect();
        self.respond(
            id,
            json!({"contents": {"kind": "markdown", "value": docs.join("\n---\n\n")}}),
        );
    }

    fn fresh_id(&mut self) -> RequestId {
        self.next_id += 1;
        RequestId::from(format!("prodlint-{}", self.next_id))
    }

    fn respond(&self, id: RequestId, result: Value) {
        self.send(Message::Response(Response {
            id,
            response_result: Ok(result),
        }));
    }

    fn respond_err(&self, id: RequestId, code: ErrorCode, message: String) {
        self.send(Message::Response(Response::new_err(
            id,
            code as i32,
            message,
        )));
    }

    fn log(&self, message: &str) {
        self.send(Message::Notification(Notification::new(
            "window/logMessage".into(),
            json!({"type": 4, "message": format!("prodlint: {message}")}),
        )));
    }

    fn send(&self, message: Message) {
        let _ = self.out.send(Outgoing::Message(message));
    }

    fn send_raw(&self, value: Value) {
        let _ = self.out.send(Outgoing::Raw(value));
    }
}

fn clamp_version(version: i64) -> i32 {
    i32::try_from(version).unwrap_or(i32::MAX)
}

/// Applies one `contentChanges` entry: a whole new text, or (from a client that sends ranges
/// despite full sync) a replacement of a range.
fn apply_change(text: &mut String, change: &Value, encoding: Encoding) {
    let Some(new_text) = change["text"].as_str() else {
        return;
    };
    let range = &change["range"];
    if !range.is_object() {
        *text = new_text.to_string();
        return;
    }
    let lines = crate::source::LineIndex::new(text);
    let at = |p: &Value| {
        let line = p["line"]
            .as_u64()
            .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX));
        let character = p["character"]
            .as_u64()
            .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX));
        offset(text, &lines, line, character, encoding)
    };
    let (start, end) = (at(&range["start"]), at(&range["end"]));
    let (start, end) = (start.min(end), start.max(end));
    text.replace_range(start..end, new_text);
}
