//! Crash-safe writes: every file Hetao Atlas writes goes to a temporary file in the same
//! folder, is flushed to disk, and is then renamed over the target, so a reader sees the
//! old file or the new one, never half of one.

use std::io::Write;
use std::path::Path;

/// Errors from an atomic write.
#[derive(Debug, thiserror::Error)]
pub enum AtomicWriteError {
    /// Creating, writing, syncing or renaming the temporary file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The target path.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Write `bytes` to `path` atomically (temporary file in the same folder, fsync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AtomicWriteError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], with the content produced by a closure writing into the file.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), AtomicWriteError> {
    write_atomic_impl(path, fill, true)
}

/// Like [`write_atomic_with`], but never replaces an existing file: if `path` exists when
/// the finished temporary file is moved into place (even if it appeared while writing),
/// the write fails with `AlreadyExists` and the existing file is untouched.
pub fn write_atomic_new_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), AtomicWriteError> {
    write_atomic_impl(path, fill, false)
}

fn write_atomic_impl(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    replace: bool,
) -> Result<(), AtomicWriteError> {
    let err = |source| AtomicWriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".hetao-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(err)?;
    {
        let mut buf = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buf).map_err(err)?;
        buf.flush().map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    if replace {
        tmp.persist(path).map_err(|e| err(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| err(e.error))?;
    }
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_file_write_never_replaces_an_existing_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.json");
        write_atomic_new_with(&p, |w| w.write_all(b"first")).expect("new file");
        let again = write_atomic_new_with(&p, |w| w.write_all(b"second"));
        assert!(again.is_err(), "an existing file was replaced");
        assert_eq!(std::fs::read(&p).expect("read"), b"first");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("read_dir").collect();
        assert_eq!(left.len(), 1, "the temporary file was left behind");
    }

    #[test]
    fn replaces_content_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.json");
        write_atomic(&p, b"one").expect("first write");
        write_atomic(&p, b"two").expect("second write");
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "left behind: {names:?}");
    }
}
