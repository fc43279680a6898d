//! Byte offsets to LSP positions and back, and `file:` URIs to paths and back.
//!
//! LSP counts a position's character in UTF-16 code units unless the client and server agree
//! on UTF-8 bytes (LSP 3.17 `positionEncoding`); prodlint's spans are byte ranges, so both
//! directions walk the one line the position is on.

use crate::source::{clamp_to_char_boundary, LineIndex};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
        }
    }
}

/// The LSP position (0-based line, character in `encoding` units) of a byte offset.
pub fn position(text: &str, lines: &LineIndex, offset: usize, encoding: Encoding) -> (u32, u32) {
    let offset = clamp_to_char_boundary(text, offset);
    let line = lines.line_of(offset);
    let start = lines.line_start(line).min(offset);
    let before = &text[start..offset];
    let character = match encoding {
        Encoding::Utf8 => before.len(),
        Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
    };
    (saturate(line), saturate(character))
}

/// The byte offset of an LSP position; a line past the end gives the text's end and a
/// character past the line's end gives the line's end (as the protocol asks), and a position
/// inside a character moves back to its start.
pub fn offset(
    text: &str,
    lines: &LineIndex,
    line: u32,
    character: u32,
    encoding: Encoding,
) -> usize {
    let line = line as usize;
    if line >= lines.line_count() {
        return text.len();
    }
    let span = lines.line_span(text, line);
    let body = &text[span.clone()];
    let wanted = character as usize;
    let mut units = 0;
    for (at, ch) in body.char_indices() {
        let width = match encoding {
            Encoding::Utf8 => ch.len_utf8(),
            Encoding::Utf16 => ch.len_utf16(),
        };
        if units + width > wanted {
            return span.start + at;
        }
        units += width;
    }
    span.end
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The path of a `file:` URI (`file:///a/b%20c` or `file://localhost/a`); `None` for other
/// schemes (`untitled:`), which have no place in the project.
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let path = if rest.starts_with('/') {
        rest
    } else {
        // `file://localhost/x`: the host part is the local machine; any other host is not.
        let slash = rest.find('/')?;
        if !rest[..slash].eq_ignore_ascii_case("localhost") {
            return None;
        }
        &rest[slash..]
    };
    // A query or fragment is not part of a file's path.
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    Some(bytes_to_path(bytes))
}

/// The `file:` URI of an absolute path, percent-encoding what a URI path may not hold.
pub fn path_to_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for &b in path_bytes(path).iter() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    // `/C:/x` on Windows: drop the slash before the drive letter.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let text = match text.as_bytes() {
        [b'/', _, b':', ..] => text[1..].to_string(),
        _ => text,
    };
    PathBuf::from(text)
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    let text = path.to_string_lossy().replace('\\', "/");
    if text.as_bytes().get(1) == Some(&b':') {
        format!("/{text}").into_bytes()
    } else {
        text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        let text = "a\né😀x = 1\n";
        let lines = LineIndex::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(position(text, &lines, x, Encoding::Utf16), (1, 3));
        assert_eq!(position(text, &lines, x, Encoding::Utf8), (1, 6));
        assert_eq!(offset(text, &lines, 1, 3, Encoding::Utf16), x);
        assert_eq!(offset(text, &lines, 1, 6, Encoding::Utf8), x);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(offset(text, &lines, 1, 2, Encoding::Utf16), x - 4);
        // Past the line's end and past the text's end.
        assert_eq!(offset(text, &lines, 0, 99, Encoding::Utf16), 1);
        assert_eq!(offset(text, &lines, 9, 0, Encoding::Utf16), text.len());
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a b/é#1.py");
        let uri = path_to_uri(path);
        assert_eq!(uri, "file:///tmp/a%20b/%C3%A9%231.py");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        assert_eq!(
            uri_to_path("file://localhost/x/y").as_deref(),
            Some(Path::new("/x/y"))
        );
        assert_eq!(uri_to_path("untitled:Untitled-1"), None);
        assert_eq!(uri_to_path("file:///bad%zz"), None);
    }
}
