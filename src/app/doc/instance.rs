//! Per-instance autosave names and the locks that tell a running instance's autosave from a
//! crashed one's.
//!
//! Two apps with the same scenario open must never replace each other's autosave, so each
//! autosave is named after the instance that writes it: `NAME.autosave.<tag>.json` beside
//! `NAME.json` (or `untitled.autosave.<tag>.json` in the data folder), where the tag is the
//! process id (`<pid>-<n>` for the n-th document of one process that autosaves, as in tests).
//! Beside it, `NAME.autosave.<tag>.lock` holds an advisory lock ([`std::fs::File::try_lock`],
//! `flock(2)`) for as long as the instance runs; the kernel drops it when the process ends,
//! however it ends. Recovery ([`super::recovery`]) offers only autosaves whose lock nobody
//! holds: a crashed instance's, never a running one's (this process's own included: a lock
//! taken through another open file conflicts). The autosave of older versions,
//! `NAME.autosave.json`, has no lock and counts as crashed.
//!
//! The lock is a [`crate::core::atomic::LockFile`] (it holds the pid, for people).

use crate::core::atomic::LockFile;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many documents of this process took a tag.
static TAGS: AtomicUsize = AtomicUsize::new(0);

/// The instance identity of one document: its autosave tag and the lock it holds.
#[derive(Debug, Clone, Default)]
pub struct Instance {
    tag: Option<String>,
    /// The lock file held, and the lock.
    lock: Option<(PathBuf, Arc<LockFile>)>,
}

impl Instance {
    /// The tag, taken on first use: the pid, then `<pid>-2`, `<pid>-3` for later documents
    /// of the same process.
    pub fn tag(&mut self) -> &str {
        self.tag.get_or_insert_with(|| {
            let n = TAGS.fetch_add(1, Ordering::Relaxed);
            let pid = std::process::id();
            if n == 0 {
                pid.to_string()
            } else {
                format!("{pid}-{}", n + 1)
            }
        })
    }

    /// The tag, when one was taken (an instance that never autosaved has none).
    pub fn tag_if_any(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// Hold the lock of `autosave` (taken once; a lock held for another autosave is released
    /// first). Fails when the lock file cannot be created or is held by someone else.
    pub fn hold(&mut self, autosave: &Path) -> Result<(), crate::core::atomic::AtomicWriteError> {
        let lock_path = lock_path(autosave);
        if self.lock.as_ref().is_some_and(|(p, _)| *p == lock_path) {
            return Ok(());
        }
        self.release();
        let l = LockFile::acquire(&lock_path)?;
        self.lock = Some((lock_path, Arc::new(l)));
        Ok(())
    }

    /// Let go of the lock; its file is removed when its autosave is gone (nothing left to
    /// recover), else kept (the autosave then reads as a crashed instance's, to offer back).
    pub fn release(&mut self) {
        if let Some((p, f)) = self.lock.take() {
            if !autosave_of_lock(&p).exists() {
                let _ = std::fs::remove_file(&p);
            }
            drop(f);
        }
    }
}

/// Delete an autosave and its lock file (a missing one is no error).
pub fn remove_autosave(autosave: &Path) -> std::io::Result<()> {
    let _ = std::fs::remove_file(lock_path(autosave));
    match std::fs::remove_file(autosave) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The lock file of an autosave: `….autosave.<tag>.json` → `….autosave.<tag>.lock`.
pub fn lock_path(autosave: &Path) -> PathBuf {
    autosave.with_extension("lock")
}

fn autosave_of_lock(lock: &Path) -> PathBuf {
    lock.with_extension("json")
}

/// The autosave of `stem` written by the instance `tag`.
pub fn autosave_name(stem: &str, tag: &str) -> String {
    format!("{stem}.autosave.{tag}.json")
}

/// Whether the instance that wrote `autosave` still runs (someone holds its lock).
pub fn is_running(autosave: &Path) -> bool {
    LockFile::is_held(&lock_path(autosave))
}

/// Every autosave of `stem` in `dir`, any instance's (`stem.autosave.<tag>.json` and the
/// untagged `stem.autosave.json` of older versions), sorted by name. Files set aside as
/// corrupt (`….corrupt`) are not autosaves.
pub fn autosaves_of(dir: &Path, stem: &str) -> Vec<PathBuf> {
    let prefix = format!("{stem}.autosave.");
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix("json"))
                .is_some_and(|tag| {
                    tag.is_empty()
                        || tag.strip_suffix('.').is_some_and(|t| {
                            !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '-')
                        })
                })
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_marks_a_running_instance_and_is_gone_when_released() {
        let dir = tempfile::tempdir().expect("tempdir");
        let auto = dir.path().join(autosave_name("plan", "4242"));
        std::fs::write(&auto, b"{}").expect("write");
        // no lock file: an instance that crashed (or an old version's autosave)
        assert!(!is_running(&auto));
        let mut me = Instance::default();
        me.hold(&auto).expect("hold");
        assert!(is_running(&auto), "a held lock is a running instance");
        assert_eq!(
            std::fs::read_to_string(lock_path(&auto))
                .expect("lock")
                .trim(),
            std::process::id().to_string()
        );
        // a second instance cannot take it
        let mut other = Instance::default();
        assert!(other.hold(&auto).is_err());
        // released with the autosave still there: the lock file stays, unheld (a crash)
        me.release();
        assert!(lock_path(&auto).exists());
        assert!(!is_running(&auto));
        // released once the autosave is gone: nothing left behind
        me.hold(&auto).expect("hold again");
        std::fs::remove_file(&auto).expect("rm");
        me.release();
        assert!(!lock_path(&auto).exists());
    }

    #[test]
    fn tags_differ_per_document_and_autosaves_are_listed_per_stem() {
        let (mut a, mut b) = (Instance::default(), Instance::default());
        assert_ne!(a.tag().to_string(), b.tag().to_string());
        assert_eq!(
            a.tag_if_any().map(str::to_string),
            Some(a.tag().to_string())
        );
        assert!(Instance::default().tag_if_any().is_none());
        let dir = tempfile::tempdir().expect("tempdir");
        for n in [
            "plan.autosave.json",
            "plan.autosave.17.json",
            "plan.autosave.17-2.json",
            "plan.autosave.17.json.corrupt",
            "plan.autosave.17.lock",
            "plan.json",
            "plan.b.autosave.3.json",
            "plan.autosave.x.json",
        ] {
            std::fs::write(dir.path().join(n), b"{}").expect("write");
        }
        let names: Vec<String> = autosaves_of(dir.path(), "plan")
            .iter()
            .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(
            names,
            [
                "plan.autosave.17-2.json",
                "plan.autosave.17.json",
                "plan.autosave.json"
            ]
        );
    }
}
