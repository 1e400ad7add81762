//! Crash-safe writes: every file Hetao Atlas writes goes to a temporary file in the same
//! folder, is flushed to disk, and is then renamed over the target, so a reader sees the
//! old file or the new one, never half of one.
//!
//! **Permissions** (Unix): replacing a file keeps what its folder expects. The new content
//! gets the existing file's mode (`0644` stays `0644`, `0640` stays `0640`) and, where the
//! process may, its owner and group (`chown` is tried and its refusal ignored: only root may
//! give a file away). A new file is created like any editor creates one: mode `0666` less the
//! process's umask (`0644` under umask `022`, `0600` under `077`), not the `0600` of a private
//! temporary file. Every writer of the tree goes through here, so scenario saves, autosaves,
//! exports and `hetao snapshot --out` all behave the same.
//!
//! Two more file operations live here, so that nothing else in `src/` touches files behind
//! this module's back: [`move_aside`] renames a file to a free name without ever replacing
//! one (a damaged autosave kept as `….corrupt`), and [`LockFile`] is an advisory lock held
//! for a process's lifetime (the one file not replaced atomically: a new inode would lose
//! the lock).

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
    // The file being replaced, if any: its mode and owner carry over to the new content.
    let existing = std::fs::metadata(path).ok().filter(|m| m.is_file());
    let mut builder = tempfile::Builder::new();
    builder.prefix(".hetao-").suffix(".tmp");
    #[cfg(unix)]
    if existing.is_none() {
        // a new file: 0666 less the umask, applied by open(2) itself
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir).map_err(err)?;
    #[cfg(unix)]
    if let Some(m) = &existing {
        keep_owner_and_mode(tmp.as_file(), m).map_err(err)?;
    }
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

/// Rename `path` to the first free name of `names` (tried in order) without ever replacing
/// a file: a hard link to the new name (which fails when it exists), then the old name is
/// removed; on a file system without hard links, a rename to a name found free. Returns the
/// new name.
pub fn move_aside(
    path: &Path,
    names: impl IntoIterator<Item = std::path::PathBuf>,
) -> Result<std::path::PathBuf, AtomicWriteError> {
    let err = |source| AtomicWriteError::Io {
        path: path.display().to_string(),
        source,
    };
    for target in names {
        match std::fs::hard_link(path, &target) {
            Ok(()) => {
                std::fs::remove_file(path).map_err(err)?;
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(err(e)),
            Err(_) if !target.exists() => {
                std::fs::rename(path, &target).map_err(err)?;
                return Ok(target);
            }
            Err(_) => continue,
        }
    }
    Err(err(std::io::Error::other(
        "every name to move it to is taken",
    )))
}

/// An advisory lock on a file, held until dropped (or until the process ends, however it
/// ends: the kernel releases `flock(2)` locks with the last open descriptor). The file holds
/// the pid, for people.
#[derive(Debug)]
pub struct LockFile {
    _file: std::fs::File,
}

impl LockFile {
    /// Create or open `path` and lock it; fails with `WouldBlock` when someone else holds it.
    pub fn acquire(path: &Path) -> Result<LockFile, AtomicWriteError> {
        let err = |source| AtomicWriteError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(err)?;
        f.try_lock().map_err(|e| {
            err(match e {
                std::fs::TryLockError::Error(e) => e,
                std::fs::TryLockError::WouldBlock => std::io::ErrorKind::WouldBlock.into(),
            })
        })?;
        f.set_len(0).map_err(err)?;
        writeln!(f, "{}", std::process::id()).map_err(err)?;
        Ok(LockFile { _file: f })
    }

    /// Whether someone (this process included, through another open) holds the lock of
    /// `path`; false when there is no such file.
    pub fn is_held(path: &Path) -> bool {
        let Ok(f) = std::fs::File::open(path) else {
            return false;
        };
        matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock))
    }
}

/// Give `file` the owner, group and mode of `like` (the file it is about to replace). A
/// refused `chown` is ignored (only root may change the owner; the group may be one the user
/// is not in); the mode is set after it, since `chown` can clear the set-id bits.
#[cfg(unix)]
fn keep_owner_and_mode(file: &std::fs::File, like: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if let Ok(mine) = file.metadata()
        && (mine.uid(), mine.gid()) != (like.uid(), like.gid())
        && std::os::unix::fs::fchown(file, Some(like.uid()), Some(like.gid())).is_err()
    {
        // at least the group, when the user is in it
        let _ = std::os::unix::fs::fchown(file, None, Some(like.gid()));
    }
    file.set_permissions(std::fs::Permissions::from_mode(like.mode() & 0o7777))
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

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).expect("metadata").permissions().mode() & 0o7777
    }

    #[cfg(unix)]
    #[test]
    fn replacing_a_file_keeps_its_mode_and_owner() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().expect("tempdir");
        for want in [0o644, 0o640, 0o600, 0o664] {
            let p = dir.path().join(format!("f{want:o}.png"));
            std::fs::write(&p, b"old").expect("write");
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(want)).expect("chmod");
            let owner = std::fs::metadata(&p)
                .map(|m| (m.uid(), m.gid()))
                .expect("meta");
            write_atomic(&p, b"new content").expect("replace");
            assert_eq!(std::fs::read(&p).expect("read"), b"new content");
            assert_eq!(mode(&p), want, "mode of {}", p.display());
            let after = std::fs::metadata(&p)
                .map(|m| (m.uid(), m.gid()))
                .expect("meta");
            assert_eq!(after, owner);
        }
        // the streaming writer too
        let p = dir.path().join("g.geojson");
        std::fs::write(&p, b"{}").expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomic_with(&p, |w| w.write_all(b"[]")).expect("replace");
        assert_eq!(mode(&p), 0o640);
    }

    /// Run by [`new_files_follow_the_umask`] in a child process (the umask is process-wide):
    /// set the umask from `HETAO_TEST_UMASK`, write a new file and replace an existing one in
    /// `HETAO_TEST_DIR`.
    #[cfg(unix)]
    #[test]
    #[ignore = "a child process of new_files_follow_the_umask"]
    fn umask_child() {
        let mask = std::env::var("HETAO_TEST_UMASK").expect("HETAO_TEST_UMASK");
        let dir = std::path::PathBuf::from(std::env::var_os("HETAO_TEST_DIR").expect("dir"));
        let mask = u32::from_str_radix(&mask, 8).expect("octal umask");
        // SAFETY: umask only swaps the process's file-creation mask; this process runs this
        // one test.
        unsafe { libc::umask(mask as libc::mode_t) };
        write_atomic(&dir.join("new.json"), b"new").expect("new file");
        write_atomic(&dir.join("old.json"), b"replaced").expect("replace");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_follow_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let exe = std::env::current_exe().expect("test binary");
        for (mask, want_new) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
            let dir = tempfile::tempdir().expect("tempdir");
            let old = dir.path().join("old.json");
            std::fs::write(&old, b"old").expect("write");
            std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let out = std::process::Command::new(&exe)
                .args(["--exact", "core::atomic::tests::umask_child", "--ignored"])
                .args(["--test-threads", "1"])
                .env("HETAO_TEST_UMASK", mask)
                .env("HETAO_TEST_DIR", dir.path())
                .output()
                .expect("run the child");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && text.contains("1 passed"),
                "umask {mask}: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let new = dir.path().join("new.json");
            assert_eq!(std::fs::read(&new).expect("read"), b"new");
            assert_eq!(mode(&new), want_new, "a new file under umask {mask}");
            // an existing file keeps its mode whatever the umask
            assert_eq!(mode(&old), 0o644, "a replaced file under umask {mask}");
            assert_eq!(std::fs::read(&old).expect("read"), b"replaced");
        }
    }

    #[test]
    fn move_aside_never_replaces_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.json");
        let taken = dir.path().join("a.json.corrupt");
        std::fs::write(&p, b"damaged").expect("write");
        std::fs::write(&taken, b"earlier").expect("write");
        let names = [taken.clone(), dir.path().join("a.json.corrupt.2")];
        let got = move_aside(&p, names).expect("moved");
        assert_eq!(got, dir.path().join("a.json.corrupt.2"));
        assert_eq!(std::fs::read(&got).expect("read"), b"damaged");
        assert_eq!(std::fs::read(&taken).expect("read"), b"earlier");
        assert!(!p.exists());
        // nothing to move, or no free name: an error, nothing changes
        assert!(move_aside(&p, [dir.path().join("x")]).is_err());
        std::fs::write(&p, b"again").expect("write");
        assert!(move_aside(&p, [taken.clone()]).is_err());
        assert_eq!(std::fs::read(&p).expect("read"), b"again");
    }

    #[test]
    fn a_lock_file_is_held_until_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.lock");
        assert!(!LockFile::is_held(&p));
        let l = LockFile::acquire(&p).expect("lock");
        assert!(LockFile::is_held(&p));
        assert!(LockFile::acquire(&p).is_err(), "locked twice");
        assert_eq!(
            std::fs::read_to_string(&p).expect("read").trim(),
            std::process::id().to_string()
        );
        drop(l);
        assert!(!LockFile::is_held(&p));
    }
}
