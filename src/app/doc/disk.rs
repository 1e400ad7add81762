//! What a file on disk was when this instance last read or wrote it, and what to do when it
//! changed since: the save-conflict check and the merge of "Reload and merge".
//!
//! A [`DiskStamp`] is a file's size, modification time and a hash of its bytes. Before a
//! save or an export replaces a file this instance opened or wrote, [`check`] compares the
//! file now with the stamp: the **content** decides (same size and same hash: unchanged,
//! whatever the mtime says; an identical save by someone else is no conflict), the mtime is
//! only told to the planner. A file that is gone is no conflict either (nothing of anyone's
//! would be lost by writing it).
//!
//! [`merge`] is "Reload and merge": the scenario on disk (theirs) with this instance's
//! unsaved edits re-applied on top, in order. An edit already in their file is not applied
//! twice; an edit that no longer applies (theirs deleted the building it changes) is listed
//! in [`Merge::dropped`] with the reason, never dropped silently; saved edits this instance
//! had undone but which are still in their file stay (theirs wins), listed in
//! [`Merge::undone_kept`].

use crate::core::model::Dataset;
use crate::core::zone::{Edit, Scenario, ScenarioError};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::SystemTime;

/// A file as this instance last saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskStamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, when the file system tells it.
    pub modified: Option<SystemTime>,
    /// Hash of the bytes (compared within one process only).
    pub hash: u64,
}

impl DiskStamp {
    /// The stamp of `bytes`, read from or written to a file modified at `modified`.
    pub fn of_bytes(bytes: &[u8], modified: Option<SystemTime>) -> Self {
        let mut h = std::hash::DefaultHasher::new();
        bytes.hash(&mut h);
        Self {
            len: bytes.len() as u64,
            modified,
            hash: h.finish(),
        }
    }

    /// The stamp of the file at `path` now; `Ok(None)` when there is no file.
    pub fn read(path: &Path) -> std::io::Result<Option<Self>> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
                Ok(Some(Self::of_bytes(&bytes, modified)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether two stamps are of the same content.
    pub fn same_content(&self, other: &DiskStamp) -> bool {
        self.len == other.len && self.hash == other.hash
    }
}

/// What [`check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskCheck {
    /// The file is as this instance last saw it (or this instance never saw it and there is
    /// none): writing it loses nothing.
    Unchanged,
    /// There is no file any more (removed or renamed by someone): writing it loses nothing.
    Gone,
    /// The file's content changed since; `now` is its stamp.
    Changed {
        /// The file as it is now.
        now: DiskStamp,
    },
}

impl DiskCheck {
    /// Whether writing the file would replace content this instance has not seen.
    pub fn is_conflict(&self) -> bool {
        matches!(self, DiskCheck::Changed { .. })
    }
}

/// Compare the file at `path` with `known`, the stamp this instance took when it last opened
/// or wrote it (`None`: it never did, so any existing file is someone else's). A file that
/// cannot be read counts as changed (its stamp is then the size and time only).
pub fn check(path: &Path, known: Option<&DiskStamp>) -> DiskCheck {
    match (DiskStamp::read(path), known) {
        (Ok(None), None) => DiskCheck::Unchanged,
        (Ok(None), Some(_)) => DiskCheck::Gone,
        (Ok(Some(now)), Some(k)) if now.same_content(k) => DiskCheck::Unchanged,
        (Ok(Some(now)), _) => DiskCheck::Changed { now },
        (Err(_), _) => {
            let m = std::fs::metadata(path).ok();
            DiskCheck::Changed {
                now: DiskStamp {
                    len: m.as_ref().map_or(0, |m| m.len()),
                    modified: m.and_then(|m| m.modified().ok()),
                    hash: 0,
                },
            }
        }
    }
}

/// The result of "Reload and merge".
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// Their scenario with this instance's unsaved edits on top.
    pub scenario: Scenario,
    /// This instance's unsaved edits that were applied on top, in order.
    pub reapplied: Vec<Edit>,
    /// This instance's unsaved edits that their file already holds (not applied twice).
    pub already_there: Vec<Edit>,
    /// This instance's unsaved edits that no longer apply, each with the reason.
    pub dropped: Vec<(Edit, String)>,
    /// Saved edits this instance had undone that are still in their file (kept).
    pub undone_kept: Vec<Edit>,
}

impl Merge {
    /// One line per edit that did not go in as it was here (for the Problems panel), empty
    /// when every unsaved edit was re-applied.
    pub fn report(&self, file: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .dropped
            .iter()
            .map(|(e, why)| {
                format!(
                    "{file}: warning: your edit \"{}\" no longer applies to the file as saved by \
                     the other instance and was not merged: {why}",
                    super::describe_edit(e)
                )
            })
            .collect();
        out.extend(self.undone_kept.iter().map(|e| {
            format!(
                "{file}: warning: you had undone \"{}\", but the file on disk still has it: kept",
                super::describe_edit(e)
            )
        }));
        out
    }
}

/// Re-apply `mine` over `theirs`: `saved` is the scenario's edits as this instance last
/// opened or saved the file, `mine` its edits now (so the unsaved ones are what follows their
/// common beginning). Fails only when their file itself does not apply to `base`.
pub fn merge(
    base: &Dataset,
    theirs: &Scenario,
    saved: &[Edit],
    mine: &[Edit],
) -> Result<Merge, ScenarioError> {
    let common = saved.iter().zip(mine).take_while(|(a, b)| a == b).count();
    let mut ds = base.clone();
    theirs.apply(&mut ds)?;
    let mut out = Merge {
        scenario: theirs.clone(),
        reapplied: Vec::new(),
        already_there: Vec::new(),
        dropped: Vec::new(),
        undone_kept: saved[common..]
            .iter()
            .filter(|e| theirs.edits.contains(e))
            .cloned()
            .collect(),
    };
    for e in &mine[common..] {
        if theirs.edits.contains(e) {
            out.already_there.push(e.clone());
            continue;
        }
        let one = Scenario {
            edits: vec![e.clone()],
            ..Scenario::default()
        };
        // on error `ds` is left as it was
        match one.apply(&mut ds) {
            Ok(()) => {
                out.scenario.edits.push(e.clone());
                out.reapplied.push(e.clone());
            }
            Err(ScenarioError::Edit { source, .. }) => {
                out.dropped.push((e.clone(), source.to_string()));
            }
            Err(other) => out.dropped.push((e.clone(), other.to_string())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remove(id: &str) -> Edit {
        Edit::Remove { id: id.into() }
    }

    fn floor(id: &str, m2: f64) -> Edit {
        Edit::SetFloorArea { id: id.into(), m2 }
    }

    #[test]
    fn a_changed_file_is_told_from_a_touched_or_removed_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("plan.json");
        // never seen, no file: nothing to lose
        assert_eq!(check(&p, None), DiskCheck::Unchanged);
        std::fs::write(&p, b"{\"edits\": []}\n").expect("write");
        // never seen, a file is there: someone else's
        assert!(check(&p, None).is_conflict());
        let seen = DiskStamp::read(&p).expect("read").expect("exists");
        assert_eq!(check(&p, Some(&seen)), DiskCheck::Unchanged);
        // touched (new mtime, same bytes): still unchanged
        let later = SystemTime::now() + std::time::Duration::from_secs(120);
        std::fs::File::options()
            .write(true)
            .open(&p)
            .and_then(|f| f.set_modified(later))
            .expect("touch");
        assert_eq!(check(&p, Some(&seen)), DiskCheck::Unchanged);
        // the same size, other bytes, even with the old mtime: changed
        std::fs::write(&p, b"{\"EDITS\": []}\n").expect("write");
        let old = seen.modified.expect("mtime");
        std::fs::File::options()
            .write(true)
            .open(&p)
            .and_then(|f| f.set_modified(old))
            .expect("set mtime");
        match check(&p, Some(&seen)) {
            DiskCheck::Changed { now } => {
                assert_eq!(now.len, seen.len);
                assert_ne!(now.hash, seen.hash);
            }
            other => panic!("{other:?}"),
        }
        // removed: writing it loses nothing
        std::fs::remove_file(&p).expect("rm");
        assert_eq!(check(&p, Some(&seen)), DiskCheck::Gone);
        assert!(!DiskCheck::Gone.is_conflict());
    }

    #[test]
    fn merge_reapplies_unsaved_edits_over_theirs_and_lists_what_no_longer_applies() {
        let base = crate::core::zone::embedded_dataset().expect("zone");
        // Both opened a file with one edit. They saved: that edit, a removal of SZ-B010 and a
        // floor area for SZ-B011. Here: SZ-B012 removed, SZ-B010's floor area set (no
        // longer applies: they removed it), and SZ-B011's floor area set as they did.
        let saved = vec![remove("SZ-B001")];
        let theirs = Scenario {
            edits: vec![
                remove("SZ-B001"),
                remove("SZ-B010"),
                floor("SZ-B011", 9000.0),
            ],
            ..Scenario::default()
        };
        let mine = vec![
            remove("SZ-B001"),
            remove("SZ-B012"),
            floor("SZ-B010", 5000.0),
            floor("SZ-B011", 9000.0),
        ];
        let m = merge(&base, &theirs, &saved, &mine).expect("merge");
        assert_eq!(
            m.scenario.edits,
            vec![
                remove("SZ-B001"),
                remove("SZ-B010"),
                floor("SZ-B011", 9000.0),
                remove("SZ-B012"),
            ]
        );
        assert_eq!(m.reapplied, vec![remove("SZ-B012")]);
        assert_eq!(m.already_there, vec![floor("SZ-B011", 9000.0)]);
        assert_eq!(m.dropped.len(), 1);
        assert_eq!(m.dropped[0].0, floor("SZ-B010", 5000.0));
        // the reason is the core's: the building is gone
        assert!(m.dropped[0].1.contains("no building"), "{}", m.dropped[0].1);
        assert!(m.undone_kept.is_empty());
        // the merged scenario applies to the base
        let mut ds = base.clone();
        m.scenario.apply(&mut ds).expect("applies");
        let lines = m.report("plan.json");
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("plan.json: warning: your edit \"Set SZ-B010's floor area")
                && lines[0].ends_with("no building or research unit has this id"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn merge_keeps_their_edits_that_were_undone_here() {
        let base = crate::core::zone::embedded_dataset().expect("zone");
        let saved = vec![remove("SZ-B001"), remove("SZ-B002")];
        let theirs = Scenario {
            edits: vec![remove("SZ-B001"), remove("SZ-B002"), remove("SZ-B003")],
            ..Scenario::default()
        };
        // here SZ-B002's removal was undone and SZ-B004 removed instead
        let mine = vec![remove("SZ-B001"), remove("SZ-B004")];
        let m = merge(&base, &theirs, &saved, &mine).expect("merge");
        assert_eq!(m.undone_kept, vec![remove("SZ-B002")]);
        assert_eq!(m.reapplied, vec![remove("SZ-B004")]);
        assert_eq!(m.scenario.edits.len(), 4);
        assert_eq!(m.report("p.json").len(), 1);
        // their file that does not apply to the base is an error, not a merge
        let broken = Scenario {
            edits: vec![remove("NO-SUCH")],
            ..Scenario::default()
        };
        assert!(merge(&base, &broken, &saved, &mine).is_err());
    }
}
