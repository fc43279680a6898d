//! JSON-RPC over stdio with LSP's `Content-Length` framing.
//!
//! lsp-server's own stdio transport ends its reader thread at the first payload that is not
//! JSON, which ends the server; the issue asks that malformed input get an error answer and
//! the server keep running. So the framing is ours and the message types are lsp-server's.

use lsp_server::Message;
use std::io::{BufRead, Read, Write};

/// The largest message read; a bigger one is skipped (read and dropped) with an error
/// answer, so a wrong `Content-Length` cannot make the server allocate without bound.
const MAX_MESSAGE: usize = 512 * 1024 * 1024;

/// What the reader hands the main loop.
pub enum Incoming {
    Message(Message),
    /// A frame that is not a JSON-RPC message: answered with this error (id may be null).
    Invalid {
        id: serde_json::Value,
        code: i32,
        message: String,
    },
}

/// What the main loop hands the writer.
pub enum Outgoing {
    Message(Message),
    /// A response whose id is not a request id lsp-server can hold (null, for a parse error).
    Raw(serde_json::Value),
}

/// Starts the reader and writer threads over stdin/stdout.
pub fn stdio() -> std::io::Result<(
    crossbeam_channel::Receiver<Incoming>,
    crossbeam_channel::Sender<Outgoing>,
)> {
    let (in_tx, in_rx) = crossbeam_channel::unbounded();
    let (out_tx, out_rx) = crossbeam_channel::unbounded::<Outgoing>();
    std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            read_loop(&mut stdin.lock(), &in_tx);
        })?;
    std::thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for message in out_rx {
                // A closed stdout (the client is gone) ends the writer; the reader sees EOF.
                if write_one(&mut out, &message).is_err() {
                    break;
                }
            }
        })?;
    Ok((in_rx, out_tx))
}

fn write_one(out: &mut impl Write, message: &Outgoing) -> std::io::Result<()> {
    match message {
        Outgoing::Message(m) => m.write(out),
        Outgoing::Raw(value) => {
            let text = value.to_string();
            write!(out, "Content-Length: {}\r\n\r\n{text}", text.len())?;
            out.flush()
        }
    }
}

/// Reads frames until EOF or a read error; each becomes one [`Incoming`].
pub fn read_loop(input: &mut impl BufRead, to_main: &crossbeam_channel::Sender<Incoming>) {
    loop {
        let frame = match read_frame(input) {
            Ok(Some(frame)) => frame,
            Ok(None) | Err(_) => return,
        };
        let incoming = match frame {
            Frame::Body(body) => parse(&body),
            Frame::Bad(message) => Incoming::Invalid {
                id: serde_json::Value::Null,
                code: lsp_server::ErrorCode::ParseError as i32,
                message,
            },
        };
        let is_exit =
            matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if to_main.send(incoming).is_err() || is_exit {
            return;
        }
    }
}

enum Frame {
    Body(Vec<u8>),
    /// Headers without a usable length, or a body too big: skipped.
    Bad(String),
}

/// One frame: headers up to an empty line, then `Content-Length` bytes. `None` at EOF.
fn read_frame(input: &mut impl BufRead) -> std::io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        // Header lines are short; a bound keeps a stream without newlines from filling memory.
        let read = input
            .by_ref()
            .take(64 * 1024)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between frames are tolerated.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|e| format!("bad Content-Length `{}`: {e}", value.trim())),
                );
            }
        }
    }
    let length = match length {
        None => return Ok(Some(Frame::Bad("message without Content-Length".into()))),
        Some(Err(why)) => return Ok(Some(Frame::Bad(why))),
        Some(Ok(n)) => n,
    };
    if length > MAX_MESSAGE {
        std::io::copy(
            &mut input.by_ref().take(length as u64),
            &mut std::io::sink(),
        )?;
        return Ok(Some(Frame::Bad(format!(
            "message of {length} bytes is over the {MAX_MESSAGE}-byte limit"
        ))));
    }
    let mut body = Vec::new();
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(None);
    }
    Ok(Some(Frame::Body(body)))
}

fn parse(body: &[u8]) -> Incoming {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => {
            return Incoming::Invalid {
                id: serde_json::Value::Null,
                code: lsp_server::ErrorCode::ParseError as i32,
                message: format!("not JSON: {e}"),
            }
        }
    };
    let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(e) => Incoming::Invalid {
            id: match id {
                serde_json::Value::Number(_) | serde_json::Value::String(_) => id,
                _ => serde_json::Value::Null,
            },
            code: lsp_server::ErrorCode::InvalidRequest as i32,
            message: format!("not a JSON-RPC request, response or notification: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<String> {
        let (tx, rx) = crossbeam_channel::unbounded();
        read_loop(&mut std::io::Cursor::new(input.as_bytes().to_vec()), &tx);
        drop(tx);
        rx.iter()
            .map(|i| match i {
                Incoming::Message(Message::Request(r)) => format!("request {}", r.method),
                Incoming::Message(Message::Notification(n)) => format!("notification {}", n.method),
                Incoming::Message(Message::Response(_)) => "response".to_string(),
                Incoming::Invalid { code, .. } => format!("invalid {code}"),
            })
            .collect()
    }

    #[test]
    fn bad_frames_are_answered_and_reading_goes_on() {
        let good = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let note = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{oops\
             Content-Length: 7\r\n\r\n[1,2,3]\
             X-Other: 1\r\n\r\n\
             Content-Length: {}\r\n\r\n{good}\
             Content-Length: {}\r\n\r\n{note}",
            good.len(),
            note.len()
        );
        assert_eq!(
            frames(&input),
            [
                "invalid -32700",
                "invalid -32600",
                "invalid -32700",
                "request shutdown",
                "notification initialized"
            ]
        );
    }

    #[test]
    fn a_truncated_body_is_end_of_input() {
        assert!(frames("Content-Length: 100\r\n\r\n{}").is_empty());
    }
}
