//! `prodlint server` driven as an editor drives it: the binary over stdio, LSP's
//! `Content-Length` framing, JSON-RPC requests and notifications. Expected findings are the
//! CLI's on the same text (`prodlint check --output-format json`), so the server and the CLI
//! are held to one answer.

use serde_json::{json, Value};
use std::collections::{BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    from_server: Receiver<Value>,
    /// Notifications and server requests read while waiting for something else.
    queue: VecDeque<Value>,
    next_id: i64,
}

fn read_frames(stdout: impl Read, to_test: std::sync::mpsc::Sender<Value>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("every frame has a Content-Length")];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let value = serde_json::from_slice(&body).expect("the server writes JSON");
        if to_test.send(value).is_err() {
            return;
        }
    }
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_prodlint"))
            .arg("server")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("server starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || read_frames(stdout, tx));
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            from_server: rx,
            queue: VecDeque::new(),
            next_id: 0,
        }
    }

    /// Starts the server and initializes it for `root` with these client capabilities.
    fn initialized(root: &Path, capabilities: Value) -> (Client, Value) {
        let mut client = Client::start(root);
        let result = client.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(root), "capabilities": capabilities}),
        );
        client.notify("initialized", json!({}));
        (client, result["result"].clone())
    }

    fn write_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin
            .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
            .expect("write header");
        stdin.write_all(body).expect("write body");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, message: Value) {
        self.write_raw(message.to_string().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns the whole response (with `result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response_to(json!(id))
    }

    fn response_to(&mut self, id: Value) -> Value {
        self.wait_for(|m| m.get("method").is_none() && m["id"] == id)
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.from_server.recv_timeout(left) {
            Ok(message) => {
                // Requests from the server (registrations, refreshes) are answered at once.
                if message.get("method").is_some() && message.get("id").is_some() {
                    let id = message["id"].clone();
                    self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
                }
                message
            }
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in time"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// The first message (queued or new) that `want` accepts; the others stay queued.
    fn wait_for(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.queue.iter().position(&want) {
            return self.queue.remove(i).expect("queued");
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next(deadline);
            if want(&message) {
                return message;
            }
            self.queue.push_back(message);
        }
    }

    /// The next diagnostics published for `uri` that `want` accepts (earlier ones dropped).
    fn diagnostics(&mut self, uri: &str, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        loop {
            let message = self.wait_for(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
            });
            let items = message["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if want(&items) {
                return items;
            }
        }
    }

    fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "", "version": 1, "text": text}}),
        );
        uri
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// `shutdown` then `exit`; returns the exit code.
    fn stop(mut self) -> i32 {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A project root: a temporary folder marked as a repository.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    dir
}

fn root_of(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().canonicalize().expect("canonical root")
}

/// (1-based line, code) of each diagnostic.
fn lines_codes(items: &[Value]) -> BTreeSet<(u64, String)> {
    items
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().expect("line") + 1,
                d["code"].as_str().expect("code").to_string(),
            )
        })
        .collect()
}

/// What `prodlint check` reports for `path` (on disk, or `text` through stdin).
fn cli_findings(root: &Path, path: &Path, text: Option<&str>) -> Vec<Value> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prodlint"));
    command
        .current_dir(root)
        .args(["check", "--output-format", "json"]);
    let output = match text {
        Some(text) => {
            let mut child = command
                .arg("--stdin-filename")
                .arg(path)
                .arg("-")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("cli runs");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("write stdin");
            child.wait_with_output().expect("cli output")
        }
        None => command.arg(path).output().expect("cli runs"),
    };
    serde_json::from_slice::<Vec<Value>>(&output.stdout).expect("cli json")
}

fn cli_lines_codes(findings: &[Value]) -> BTreeSet<(u64, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().expect("line"),
                f["code"].as_str().expect("code").to_string(),
            )
        })
        .collect()
}

fn codes(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

const DOCKERFILE: &str = "FROM python:3.12\n# h\u{e9}llo \u{1f600}\nRUN echo \"\u{e9}\u{1f600}\" && pip install flask\nCMD [\"python\", \"app.py\"]\n";
const DOCKERFILE_FIXED: &str =
    "FROM python:3.12\nRUN pip install --no-cache-dir flask\nUSER app\nCMD [\"python\", \"app.py\"]\n";
const MAIN_PY: &str = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/\")\ndef root():\n    return {\"caf\u{e9}\": \"\u{1f600}\"}\n";
const ROUTES_READY: &str = "from main import app\n\n\n@app.get(\"/ready\")\nasync def ready():\n    return {\"ok\": True}\n";

#[test]
fn lifecycle_and_bad_input_get_answers_not_a_crash() {
    let dir = project();
    let root = root_of(&dir);
    let mut client = Client::start(&root);
    // Before initialize: ServerNotInitialized.
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    // initialize with params that are not an object: InvalidParams, still uninitialized.
    let bad = client.request("initialize", json!(7));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let init = client.request(
        "initialize",
        json!({"capabilities": {}, "rootUri": uri(&root)}),
    );
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 1);
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "push client: {caps}"
    );
    client.notify("initialized", json!({}));
    // Malformed JSON, then a frame that is JSON but no JSON-RPC message.
    client.write_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": ");
    let parse_error = client.wait_for(|m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    client.write_raw(b"[1, 2]");
    client.wait_for(|m| m["error"]["code"] == -32600);
    // Unknown method, malformed params, a second initialize.
    let unknown = client.request("textDocument/formatting", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let malformed = client.request("textDocument/codeAction", json!({"textDocument": 3}));
    assert_eq!(malformed["error"]["code"], -32602, "{malformed}");
    let again = client.request("initialize", json!({"capabilities": {}}));
    assert_eq!(again["error"]["code"], -32600, "{again}");
    // Notifications with garbage are ignored; the server still answers afterwards.
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": 5}}));
    client.notify("textDocument/didChange", json!(null));
    // A binary buffer: a note, no crash.
    let binary = client.open(&root.join("Dockerfile"), "FROM x\n\u{0}\u{0}\n");
    assert!(client.diagnostics(&binary, |_| true).is_empty());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": binary}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["result"], Value::Null, "{hover}");
    assert_eq!(client.stop(), 0);
}

#[test]
fn exit_without_shutdown_is_exit_code_1_and_a_closed_client_ends_the_server() {
    let dir = project();
    let root = root_of(&dir);
    let (mut client, _) = Client::initialized(&root, json!({}));
    client.notify("exit", Value::Null);
    let status = client.child.wait().expect("exits");
    assert_eq!(status.code(), Some(1));

    let (mut client, _) = Client::initialized(&root, json!({}));
    client.stdin = None; // the editor is gone: stdin closes
    let status = client.child.wait().expect("exits");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn diagnostics_match_the_cli_with_utf16_ranges_and_clear_when_fixed() {
    let dir = project();
    let root = root_of(&dir);
    let (mut client, _) = Client::initialized(&root, json!({}));
    let docker = client.open(&root.join("Dockerfile"), DOCKERFILE);
    let items = client.diagnostics(&docker, |items| !items.is_empty());
    let cli = cli_findings(&root, &root.join("Dockerfile"), Some(DOCKERFILE));
    assert_eq!(lines_codes(&items), cli_lines_codes(&cli));
    assert!(codes(&items).contains("DKR002") && codes(&items).contains("DKR004"));
    // `pip` on line 3 comes after `RUN echo "é😀" && `: 17 characters, 18 UTF-16 units (the
    // emoji is a surrogate pair), 21 bytes; the CLI's column counts characters.
    let cli_pip = cli
        .iter()
        .find(|f| f["code"] == "DKR004")
        .expect("cli DKR004");
    assert_eq!(cli_pip["column"], 18);
    let pip = items
        .iter()
        .find(|d| d["code"] == "DKR004")
        .expect("DKR004");
    assert_eq!(pip["range"]["start"], json!({"line": 2, "character": 18}));
    assert_eq!(pip["source"], "prodlint");
    assert_eq!(pip["severity"], 3);
    assert!(pip.get("codeDescription").is_none(), "no docs URL exists");
    // Hover on the finding shows the rule's documentation.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": docker}, "position": {"line": 2, "character": 20}}),
    );
    let shown = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(shown.starts_with("**DKR004 pip-cache-in-image"), "{shown}");
    assert_eq!(hover["result"]["contents"]["kind"], "markdown");

    // Python beside it: the CLI's findings for the same text, ranges past non-ASCII text.
    let main = client.open(&root.join("main.py"), MAIN_PY);
    let py_items = client.diagnostics(&main, |items| !items.is_empty());
    let py_cli = cli_findings(&root, &root.join("main.py"), Some(MAIN_PY));
    assert_eq!(lines_codes(&py_items), cli_lines_codes(&py_cli));
    assert!(codes(&py_items).contains("HA001"), "{py_items:?}");

    // Fixed: the Dockerfile's diagnostics are cleared (after the debounce).
    client.change(&docker, 2, DOCKERFILE_FIXED);
    let fixed = client.diagnostics(&docker, |items| items.is_empty());
    assert!(fixed.is_empty());
    assert!(cli_findings(&root, &root.join("Dockerfile"), Some(DOCKERFILE_FIXED)).is_empty());
    assert_eq!(client.stop(), 0);
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let dir = project();
    let root = root_of(&dir);
    let (mut client, result) = Client::initialized(
        &root,
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    let docker = client.open(&root.join("Dockerfile"), DOCKERFILE);
    let items = client.diagnostics(&docker, |items| !items.is_empty());
    let pip = items
        .iter()
        .find(|d| d["code"] == "DKR004")
        .expect("DKR004");
    // `RUN echo "é😀" && ` is 21 bytes.
    assert_eq!(pip["range"]["start"], json!({"line": 2, "character": 21}));
}

#[test]
fn a_project_finding_follows_an_edit_in_another_file() {
    let dir = project();
    let root = root_of(&dir);
    std::fs::write(root.join("main.py"), MAIN_PY).expect("write main.py");
    let (mut client, _) = Client::initialized(&root, json!({}));
    let main = client.open(&root.join("main.py"), MAIN_PY);
    let before = client.diagnostics(&main, |items| codes(items).contains("HA001"));
    assert!(codes(&before).contains("HA001"));
    // An unsaved buffer (no such file on disk) adds a readiness route to the app: main.py's
    // HA001 goes away without main.py changing.
    let routes = client.open(&root.join("routes.py"), ROUTES_READY);
    let after = client.diagnostics(&main, |items| !codes(items).contains("HA001"));
    let mut expected = cli_lines_codes(&cli_findings(&root, &root.join("main.py"), None));
    expected.retain(|(_, code)| code != "HA001");
    assert_eq!(lines_codes(&after), expected);
    // The route removed again: HA001 is back.
    client.change(&routes, 2, "from main import app\n");
    client.diagnostics(&main, |items| codes(items).contains("HA001"));
    assert_eq!(client.stop(), 0);
}

/// Applies the single edit of a code action to `text` (positions in UTF-16).
fn apply_action(text: &str, action: &Value, uri: &str) -> String {
    let edits = action["edit"]["changes"][uri].as_array().expect("edits");
    assert_eq!(edits.len(), 1);
    let edit = &edits[0];
    let offset = |p: &Value| {
        let line = p["line"].as_u64().expect("line") as usize;
        let character = p["character"].as_u64().expect("character") as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let (from, to) = (
        offset(&edit["range"]["start"]),
        offset(&edit["range"]["end"]),
    );
    let mut out = text.to_string();
    out.replace_range(from..to, edit["newText"].as_str().expect("newText"));
    out
}

#[test]
fn suppress_actions_make_the_finding_go_away() {
    let dir = project();
    let root = root_of(&dir);
    let (mut client, _) = Client::initialized(&root, json!({}));
    let docker = client.open(&root.join("Dockerfile"), DOCKERFILE);
    let items = client.diagnostics(&docker, |items| !items.is_empty());
    let pip = items
        .iter()
        .find(|d| d["code"] == "DKR004")
        .expect("DKR004")
        .clone();
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": docker}, "range": pip["range"], "context": {"diagnostics": [pip]}}),
    );
    let actions = response["result"].as_array().expect("actions").clone();
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(
        titles,
        [
            "Suppress DKR004 on this line",
            "Suppress DKR004 in this file"
        ]
    );
    let on_line = apply_action(DOCKERFILE, &actions[0], &docker);
    assert!(
        on_line.contains("# h\u{e9}llo \u{1f600}\n# prodlint: ignore[DKR004]\nRUN echo"),
        "{on_line}"
    );
    client.change(&docker, 2, &on_line);
    let after = client.diagnostics(&docker, |items| !codes(items).contains("DKR004"));
    // Nothing else changed: DKR002 stays, no unused-suppression finding.
    assert_eq!(codes(&after), BTreeSet::from(["DKR002".to_string()]));

    let dkr002 = after[0].clone();
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": docker}, "range": dkr002["range"], "context": {"diagnostics": [dkr002]}}),
    );
    let actions = response["result"].as_array().expect("actions").clone();
    let in_file = actions
        .iter()
        .find(|a| a["title"] == "Suppress DKR002 in this file")
        .expect("file action");
    let whole = apply_action(&on_line, in_file, &docker);
    assert!(
        whole.starts_with("# prodlint: ignore-file[DKR002]\nFROM"),
        "{whole}"
    );
    client.change(&docker, 3, &whole);
    client.diagnostics(&docker, |items| items.is_empty());
    assert_eq!(client.stop(), 0);
}

#[test]
fn an_invalid_config_is_a_diagnostic_and_a_fixed_one_clears_it() {
    let dir = project();
    let root = root_of(&dir);
    let config = root.join("prodlint.toml");
    std::fs::write(&config, "[lint]\nselect = [\"DKR002\"]\nno-such-key = 1\n").expect("config");
    let (mut client, _) = Client::initialized(&root, json!({}));
    let config_uri = uri(&config);
    let problems = client.diagnostics(&config_uri, |items| !items.is_empty());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["severity"], 1);
    let message = problems[0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("invalid prodlint configuration"),
        "{message}"
    );
    // Linting goes on with the defaults meanwhile.
    let docker = client.open(&root.join("Dockerfile"), DOCKERFILE);
    let items = client.diagnostics(&docker, |items| !items.is_empty());
    assert!(codes(&items).contains("DKR004"));
    // Fixed on disk, the watcher reports it: the problem is cleared and `select` applies.
    std::fs::write(&config, "select = [\"DKR002\"]\n").expect("config");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config_uri, "type": 2}]}),
    );
    client.diagnostics(&config_uri, |items| items.is_empty());
    let selected = client.diagnostics(&docker, |items| !codes(items).contains("DKR004"));
    assert_eq!(codes(&selected), BTreeSet::from(["DKR002".to_string()]));
    assert_eq!(client.stop(), 0);
}

#[test]
fn pull_diagnostics_for_clients_that_ask() {
    let dir = project();
    let root = root_of(&dir);
    let (mut client, result) = Client::initialized(
        &root,
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}),
    );
    assert_eq!(
        result["capabilities"]["diagnosticProvider"]["interFileDependencies"],
        true
    );
    let docker = client.open(&root.join("Dockerfile"), DOCKERFILE);
    let pulled = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": docker}}),
    );
    assert_eq!(pulled["result"]["kind"], "full");
    let items = pulled["result"]["items"].as_array().expect("items").clone();
    let cli = cli_findings(&root, &root.join("Dockerfile"), Some(DOCKERFILE));
    assert_eq!(lines_codes(&items), cli_lines_codes(&cli));
    client.change(&docker, 2, DOCKERFILE_FIXED);
    let pulled = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": docker}}),
    );
    assert_eq!(pulled["result"]["items"], json!([]), "{pulled}");
    assert_eq!(client.stop(), 0);
}

/// Headless Neovim (Debian's `neovim`, 0.7 and later) attaches the server to a Dockerfile and a
/// Python file and reads their diagnostics as its own. Run with
/// `cargo test --test server -- --ignored` where `nvim` is installed.
#[test]
#[ignore = "needs nvim on PATH (apt-get install neovim)"]
fn neovim_headless_reads_the_diagnostics() {
    let dir = project();
    let root = root_of(&dir);
    std::fs::write(root.join("Dockerfile"), DOCKERFILE).expect("Dockerfile");
    std::fs::write(root.join("main.py"), MAIN_PY).expect("main.py");
    let script = root.join("attach.lua");
    let out = root.join("nvim-out.txt");
    std::fs::write(&script, NVIM_SCRIPT).expect("script");
    let status = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(&root)
        .env("PRODLINT_BIN", env!("CARGO_BIN_EXE_prodlint"))
        .env("NVIM_OUT", &out)
        .stdin(Stdio::null())
        .status()
        .expect("nvim runs");
    assert!(status.success());
    let text = std::fs::read_to_string(&out).expect("nvim wrote its diagnostics");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("ok"), "{text}");
    let seen: BTreeSet<(String, u64, String)> = lines
        .map(|l| {
            let parts: Vec<&str> = l.split(':').collect();
            assert_eq!(parts.get(4), Some(&"prodlint"), "{l}");
            (
                parts[0].to_string(),
                parts[1].parse().expect("line"),
                parts[3].to_string(),
            )
        })
        .collect();
    let mut expected = BTreeSet::new();
    for name in ["Dockerfile", "main.py"] {
        for (line, code) in cli_lines_codes(&cli_findings(&root, &root.join(name), None)) {
            expected.insert((name.to_string(), line, code));
        }
    }
    assert_eq!(seen, expected);
    // Neovim turns the UTF-16 character back into a byte column: `RUN echo "é😀" && `.
    assert!(text.contains("Dockerfile:3:21:DKR004:prodlint"), "{text}");
}

const NVIM_SCRIPT: &str = r#"
local id = vim.lsp.start_client({ name = 'prodlint', cmd = { os.getenv('PRODLINT_BIN'), 'server' }, root_dir = vim.fn.getcwd() })
local bufs = {}
for _, name in ipairs({ 'Dockerfile', 'main.py' }) do
  vim.cmd('edit ' .. name)
  bufs[name] = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufs[name], id)
end
local ok = vim.wait(60000, function()
  return #vim.diagnostic.get(bufs['Dockerfile']) > 0 and #vim.diagnostic.get(bufs['main.py']) > 0
end, 50)
local lines = {}
for name, b in pairs(bufs) do
  for _, d in ipairs(vim.diagnostic.get(b)) do
    table.insert(lines, string.format('%s:%d:%d:%s:%s', name, d.lnum + 1, d.col, tostring(d.code), d.source or ''))
  end
end
table.sort(lines)
table.insert(lines, 1, ok and 'ok' or 'timeout')
vim.fn.writefile(lines, os.getenv('NVIM_OUT'))
vim.lsp.stop_client(id)
vim.cmd('qa!')
"#;
