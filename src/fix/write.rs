//! Writing a fixed file: only if it still holds the text that was linted, keeping its BOM,
//! line endings (edits never touch the rest) and permissions, written with `crate::atomic`
//! (a temporary file renamed over it), so a reader never sees half a file.

use std::path::Path;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Replaces the file's text `old` (as linted, without BOM) with `new`.
pub fn replace(path: &Path, old: &str, new: &str) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    // Renaming over a link would replace the link, not the file it points to.
    if meta.file_type().is_symlink() {
        return Err("a symbolic link (fix the file it points to)".to_string());
    }
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let (bom, body) = match bytes.strip_prefix(BOM) {
        Some(body) => (BOM, body),
        None => (&[][..], &bytes[..]),
    };
    if body != old.as_bytes() {
        return Err("it changed since it was linted".to_string());
    }
    let mut out = Vec::with_capacity(bom.len() + new.len());
    out.extend_from_slice(bom);
    out.extend_from_slice(new.as_bytes());
    crate::atomic::write(path, &out).map_err(|e| format!("cannot write it: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_bom_crlf_and_mode() {
        let dir = std::env::temp_dir().join(format!("prodlint-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("Dockerfile");
        std::fs::write(&path, b"\xEF\xBB\xBFFROM a as b\r\nRUN x\r\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o750)).unwrap();
        }
        replace(
            &path,
            "FROM a as b\r\nRUN x\r\n",
            "FROM a AS b\r\nRUN x\r\n",
        )
        .unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"\xEF\xBB\xBFFROM a AS b\r\nRUN x\r\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o750);
        }
        // Changed meanwhile: left alone.
        assert!(replace(&path, "FROM a as b\r\nRUN x\r\n", "y").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
