//! The planning document: the base dataset, the scenario of edits on top of it, the undo and
//! redo stacks, the scenario file it belongs to, autosave, crash recovery and save conflicts.
//!
//! **Autosave**: after every change the unsaved scenario is written (atomically) to this
//! instance's own file ([`instance`]): `NAME.autosave.<pid>.json` beside `NAME.json`, or
//! `untitled.autosave.<pid>.json` in the data folder ([`autosave_dir`]) for a scenario never
//! saved, with a held lock file beside it, so that two instances with one scenario open never
//! replace each other's autosave. The data folder also keeps `session.json`, naming the
//! scenario files of the last autosaves, so that the next start finds
//! `scen1.autosave.<pid>.json` even though it only knows the data folder.
//!
//! **Recovery** ([`recovery`]): [`find_recovery`] (at start) and [`recovery_for`] (when a
//! file is opened) offer the newest autosave of an instance that no longer runs when it holds
//! edits that differ from the saved file and is not older than it; a damaged autosave is set
//! aside as `….corrupt` and reported. [`Document::restore`] puts every edit of the offer back
//! (the restored autosave is removed once this instance's own autosave or a save holds them),
//! [`Recovery::discard`] deletes it.
//!
//! **Save conflicts** ([`disk`]): the document remembers the scenario file as it was when
//! this instance opened or last saved it ([`disk::DiskStamp`]) and the edits it then held.
//! [`Document::disk_check`] tells whether the file changed since (another instance or person
//! saved it); the app then asks before [`Document::save_as`] replaces it, and
//! [`Document::reload_and_merge`] loads theirs and re-applies this instance's unsaved edits.
//!
//! Every edit is a [`crate::core::zone::Edit`]; the current dataset is always the base with the
//! scenario's edits applied in order ([`crate::core::zone::Scenario::apply`]), so undo is
//! "drop the last edit" and redo "put it back". An edit that cannot apply is refused and
//! changes nothing.

pub mod disk;
pub mod instance;
pub mod recovery;

pub use recovery::{
    CorruptAutosave, Found, Recovery, SESSION_FILE, autosave_dir, find_recovery, pending_autosave,
    recovery_for,
};

use crate::core::atomic::write_atomic;
use crate::core::model::Dataset;
use crate::core::zone::{Edit, Scenario, ScenarioError};
use anyhow::Context;
use disk::{DiskCheck, DiskStamp, Merge};
use instance::Instance;
use std::path::{Path, PathBuf};

/// The scenario being edited, with its history.
#[derive(Debug, Clone, Default)]
pub struct Document {
    base: Dataset,
    scenario: Scenario,
    redo: Vec<Edit>,
    current: Dataset,
    /// The scenario file, once saved or opened.
    pub path: Option<PathBuf>,
    /// Edits since the last save or open.
    pub dirty: bool,
    /// Bumped on every change of `current` (caches key on it).
    pub revision: u64,
    /// The data folder for the untitled autosave and `session.json` (the app sets it to
    /// [`autosave_dir`]); `None`: a never-saved scenario is not autosaved.
    pub data_dir: Option<PathBuf>,
    /// The scenario file as this instance last opened or saved it.
    disk: Option<DiskStamp>,
    /// The edits of the scenario file as this instance last opened or saved it.
    saved_edits: Vec<Edit>,
    /// This instance last wrote the file (else it last read it).
    saved_here: bool,
    /// This instance's autosave tag and lock.
    instance: Instance,
    /// A crashed instance's autosave whose edits were restored: removed once this instance's
    /// own autosave (or a save) holds them.
    adopted: Option<PathBuf>,
}

impl Document {
    /// A document over `base` with no edits.
    pub fn new(base: Dataset) -> Self {
        Self {
            current: base.clone(),
            base,
            ..Default::default()
        }
    }

    /// The dataset with every edit applied.
    pub fn current(&self) -> &Dataset {
        &self.current
    }

    /// The base dataset (no edits).
    pub fn base(&self) -> &Dataset {
        &self.base
    }

    /// The scenario (the edits so far).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Apply a new edit; it becomes undoable and clears the redo stack. On error nothing changes.
    pub fn apply(&mut self, edit: Edit) -> Result<(), ScenarioError> {
        let mut s = self.scenario.clone();
        s.edits.push(edit);
        self.set_scenario(s)?;
        self.redo.clear();
        Ok(())
    }

    /// The last edit applied (what [`Document::undo`] would take back).
    pub fn last_edit(&self) -> Option<&Edit> {
        self.scenario.edits.last()
    }

    /// The last edit undone (what [`Document::redo`] would put back).
    pub fn last_undone(&self) -> Option<&Edit> {
        self.redo.last()
    }

    /// Where the building or research unit `id` is in the current data: (layer name, index).
    /// Selections hold ids, not indices: an index names another feature once one before it
    /// is removed.
    pub fn locate(&self, id: &str) -> Option<(&'static str, usize)> {
        ["buildings", "research_units"]
            .into_iter()
            .find_map(|name| {
                let l = self.current.layer(name)?;
                let i = l
                    .features
                    .iter()
                    .position(|f| crate::core::zone::feature_id(f).as_deref() == Some(id))?;
                Some((name, i))
            })
    }

    /// Whether there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        !self.scenario.edits.is_empty()
    }

    /// Whether there is an edit to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Undo the last edit; false when there is none.
    pub fn undo(&mut self) -> bool {
        let mut s = self.scenario.clone();
        let Some(e) = s.edits.pop() else {
            return false;
        };
        // Removing the last edit of an applicable scenario leaves an applicable one.
        if self.set_scenario(s).is_err() {
            return false;
        }
        self.redo.push(e);
        true
    }

    /// Redo the last undone edit; false when there is none.
    pub fn redo(&mut self) -> bool {
        let Some(e) = self.redo.pop() else {
            return false;
        };
        let mut s = self.scenario.clone();
        s.edits.push(e.clone());
        if self.set_scenario(s).is_err() {
            self.redo.push(e);
            return false;
        }
        true
    }

    /// Replace the whole scenario (opening a file, restoring an autosave); clears redo.
    pub fn replace_scenario(&mut self, s: Scenario) -> Result<(), ScenarioError> {
        self.set_scenario(s)?;
        self.redo.clear();
        Ok(())
    }

    fn set_scenario(&mut self, s: Scenario) -> Result<(), ScenarioError> {
        let mut ds = self.base.clone();
        s.apply(&mut ds)?;
        self.scenario = s;
        self.current = ds;
        self.dirty = true;
        self.revision += 1;
        Ok(())
    }

    /// Open a scenario file: its edits replace the current ones. The file is read once: what
    /// was parsed is what the conflict check remembers.
    pub fn open(&mut self, path: &Path) -> Result<(), ScenarioError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ScenarioError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let s = Scenario::from_json(&String::from_utf8_lossy(&bytes), &file)?;
        self.replace_scenario(s)?;
        self.forget_autosave();
        self.path = Some(path.to_path_buf());
        self.dirty = false;
        self.saved_edits = self.scenario.edits.clone();
        self.disk = Some(DiskStamp::of_bytes(&bytes, modified));
        self.saved_here = false;
        Ok(())
    }

    /// Save the scenario to `path` (atomically, replacing whatever is there: ask
    /// [`Document::disk_check`] first) and forget the autosave.
    pub fn save_as(&mut self, path: &Path) -> Result<(), ScenarioError> {
        self.scenario.save(path)?;
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        self.disk = Some(DiskStamp::of_bytes(
            self.scenario.to_json().as_bytes(),
            modified,
        ));
        self.saved_edits = self.scenario.edits.clone();
        self.saved_here = true;
        // the autosave of the old name (an untitled scenario's, or before a Save as), then
        // any of the new name
        self.forget_autosave();
        self.path = Some(path.to_path_buf());
        self.dirty = false;
        self.forget_autosave();
        Ok(())
    }

    /// Give up the unsaved edits (they stay in the document, but nothing asks for them any
    /// more): the autosave goes, the document counts as saved.
    pub fn discard_autosave(&mut self) {
        self.forget_autosave();
        self.dirty = false;
    }

    /// Remove this instance's autosave (and a restored one it adopted) and let go of its lock.
    fn forget_autosave(&mut self) {
        for p in [self.autosave_path(), self.adopted.take()]
            .into_iter()
            .flatten()
        {
            let _ = instance::remove_autosave(&p);
        }
        self.instance.release();
    }

    /// Whether this instance last wrote the scenario file (else it last read it: opened,
    /// restored or merged).
    pub fn last_saved_here(&self) -> bool {
        self.saved_here
    }

    /// Whether the scenario file changed on disk since this instance opened or last saved it
    /// (`None`: the document has no file).
    pub fn disk_check(&self) -> Option<DiskCheck> {
        let p = self.path.as_deref()?;
        Some(disk::check(p, self.disk.as_ref()))
    }

    /// Reload and merge: load the scenario file as it is now (another instance's or person's
    /// save) and re-apply this instance's unsaved edits on top ([`disk::merge`]). The result
    /// is the document's, unsaved unless it equals the file; the file as read becomes the
    /// one the conflict check remembers. On error nothing changes.
    pub fn reload_and_merge(&mut self) -> Result<Merge, ScenarioError> {
        let path = self.path.clone().ok_or_else(|| ScenarioError::Io {
            file: "(no file)".into(),
            message: "the scenario has no file to reload".into(),
        })?;
        let file = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| ScenarioError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        let theirs = Scenario::from_json(&String::from_utf8_lossy(&bytes), &file)?;
        let m = disk::merge(&self.base, &theirs, &self.saved_edits, &self.scenario.edits)?;
        self.set_scenario(m.scenario.clone())?;
        self.redo.clear();
        self.dirty = m.scenario != theirs;
        self.saved_edits = theirs.edits;
        self.disk = Some(DiskStamp::of_bytes(&bytes, modified));
        self.saved_here = false;
        Ok(m)
    }

    /// Where this instance keeps unsaved edits: next to the scenario file
    /// (`name.autosave.<tag>.json`), or `untitled.autosave.<tag>.json` in
    /// [`Document::data_dir`] for a scenario never saved (`None` before the first autosave
    /// gave the instance its tag, or with neither a file nor a data folder).
    pub fn autosave_path(&self) -> Option<PathBuf> {
        let tag = self.instance.tag_if_any()?;
        autosave_path_for(self.path.as_deref(), self.data_dir.as_deref(), tag)
    }

    /// Write this instance's autosave file (atomically) when there are unsaved edits, holding
    /// its lock, and record the scenario file in `session.json` in the data folder; returns
    /// the autosave's path.
    pub fn autosave(&mut self) -> anyhow::Result<Option<PathBuf>> {
        if !self.dirty {
            return Ok(None);
        }
        let tag = self.instance.tag().to_string();
        let Some(p) = autosave_path_for(self.path.as_deref(), self.data_dir.as_deref(), &tag)
        else {
            return Ok(None);
        };
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        // the lock first: an autosave without a held lock reads as a crashed instance's
        self.instance
            .hold(&p)
            .with_context(|| format!("cannot lock the autosave {}", p.display()))?;
        write_atomic(&p, self.scenario.to_json().as_bytes())?;
        // the restored autosave's edits are safe in this instance's own now
        if let Some(old) = self.adopted.take()
            && old != p
        {
            let _ = instance::remove_autosave(&old);
        }
        if let (Some(dir), Some(file)) = (&self.data_dir, &self.path) {
            recovery::record_session(dir, file)?;
        }
        Ok(Some(p))
    }

    /// Put back every edit of `r` (its scenario file becomes the document's); the edits stay
    /// unsaved. The restored autosave is removed once this instance's own autosave holds
    /// them (or they are saved).
    pub fn restore(&mut self, r: &Recovery) -> Result<(), ScenarioError> {
        self.replace_scenario(r.scenario.clone())?;
        self.path = r.file.clone();
        self.dirty = true;
        self.adopted = Some(r.autosave.clone());
        // the file as it is now is what the restored edits are saved over
        let (stamp, saved) = match &r.file {
            Some(f) => (
                DiskStamp::read(f).ok().flatten(),
                Scenario::load(f).map(|s| s.edits).unwrap_or_default(),
            ),
            None => (None, Vec::new()),
        };
        self.disk = stamp;
        self.saved_edits = saved;
        self.saved_here = false;
        Ok(())
    }
}

/// What an edit does, in the words of the status bar: "Deleted SZ-B248", "Set SZ-B001's
/// floor area to 12,000 m²", "Set HK-B032 to completed from 2026 (with its research units)".
pub fn describe_edit(e: &Edit) -> String {
    use crate::core::zone::planning::thousands;
    match e {
        Edit::Remove { id } => format!("Deleted {id}"),
        Edit::SetFloorArea { id, m2 } => {
            format!("Set {id}'s floor area to {} m²", thousands(*m2))
        }
        Edit::SetYear { id, year } => format!("Moved {id}'s last status change to {year}"),
        Edit::SetStatus { id, status, year } => {
            let units = if id.contains("-U") {
                ""
            } else {
                " (with its research units)"
            };
            format!(
                "Set {id} to {} from {year}{units}",
                status.replace('_', " ")
            )
        }
        Edit::AddBuilding { .. } => format!("Added building {}", e.id()),
    }
}

/// The autosave of `file` written by the instance `tag` (`name.autosave.<tag>.json` beside
/// it), or of a never-saved scenario (`untitled.autosave.<tag>.json` in `data_dir`).
pub fn autosave_path_for(
    file: Option<&Path>,
    data_dir: Option<&Path>,
    tag: &str,
) -> Option<PathBuf> {
    match file {
        Some(p) => {
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            Some(p.with_file_name(instance::autosave_name(&stem, tag)))
        }
        None => data_dir.map(|d| d.join(instance::autosave_name("untitled", tag))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::zone::feature_id;
    use std::time::SystemTime;

    fn doc() -> Document {
        Document::new(crate::core::zone::embedded_dataset().expect("embedded dataset"))
    }

    fn building<'a>(ds: &'a Dataset, id: &str) -> Option<&'a crate::core::model::Feature> {
        ds.layer("buildings")?
            .features
            .iter()
            .find(|f| feature_id(f).as_deref() == Some(id))
    }

    fn first_building_id(d: &Document) -> String {
        let l = d.current().layer("buildings").expect("buildings layer");
        feature_id(&l.features[0]).expect("building id")
    }

    #[test]
    fn edits_undo_and_redo() {
        let mut d = doc();
        let id = first_building_id(&d);
        let gfa0 = building(d.current(), &id)
            .and_then(|f| f.prop_f64("gfa_m2"))
            .expect("gfa");
        d.apply(Edit::SetFloorArea {
            id: id.clone(),
            m2: 54321.0,
        })
        .expect("edit applies");
        assert_eq!(
            building(d.current(), &id).and_then(|f| f.prop_f64("gfa_m2")),
            Some(54321.0)
        );
        // the base is untouched
        assert_eq!(
            building(d.base(), &id).and_then(|f| f.prop_f64("gfa_m2")),
            Some(gfa0)
        );
        assert!(d.undo());
        assert_eq!(
            building(d.current(), &id).and_then(|f| f.prop_f64("gfa_m2")),
            Some(gfa0)
        );
        assert!(!d.can_undo() && d.can_redo());
        assert!(d.redo());
        assert_eq!(
            building(d.current(), &id).and_then(|f| f.prop_f64("gfa_m2")),
            Some(54321.0)
        );
        // a new edit clears redo
        assert!(d.undo());
        d.apply(Edit::Remove { id: id.clone() }).expect("remove");
        assert!(building(d.current(), &id).is_none());
        assert!(!d.can_redo());
    }

    #[test]
    fn a_failing_edit_changes_nothing() {
        let mut d = doc();
        let rev = d.revision;
        let n = d.current().feature_count();
        let err = d.apply(Edit::Remove {
            id: "NO-SUCH-BUILDING".into(),
        });
        assert!(err.is_err());
        assert_eq!(d.revision, rev);
        assert_eq!(d.current().feature_count(), n);
        assert!(!d.can_undo());
    }

    /// The autosave's name without the instance tag: `plan.autosave.<tag>.json` → `plan`.
    fn autosave_stem(p: &Path) -> String {
        let name = p.file_name().expect("name").to_string_lossy().into_owned();
        let (stem, rest) = name.split_once(".autosave.").expect("an autosave name");
        let tag = rest.strip_suffix(".json").expect(".json");
        assert!(
            !tag.is_empty() && tag.chars().all(|c| c.is_ascii_digit() || c == '-'),
            "{name}"
        );
        stem.to_string()
    }

    #[test]
    fn save_autosave_and_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = doc();
        let id = first_building_id(&d);
        let path = dir.path().join("plan.json");
        d.save_as(&path).expect("save empty");
        d.apply(Edit::SetYear {
            id: id.clone(),
            year: 2031,
        })
        .expect("edit");
        let auto = d.autosave().expect("autosave").expect("a path");
        assert_eq!(auto.parent(), Some(dir.path()));
        assert_eq!(autosave_stem(&auto), "plan");
        assert_eq!(d.autosave_path().as_deref(), Some(auto.as_path()));
        let pending = pending_autosave(&auto).expect("offered back");
        assert_eq!(pending.edits.len(), 1);
        // a fresh document restores it
        let mut e = doc();
        e.replace_scenario(pending).expect("restore");
        assert_eq!(
            building(e.current(), &id).and_then(|f| f.prop("year").and_then(|y| y.as_i64())),
            Some(2031)
        );
        // saving removes the autosave and its lock file
        d.save_as(&path).expect("save");
        assert!(!auto.exists());
        assert!(!instance::lock_path(&auto).exists());
        let mut f = doc();
        f.open(&path).expect("open");
        assert_eq!(f.scenario().edits.len(), 1);
        assert!(!f.dirty);
    }

    fn set_floor(d: &mut Document, i: usize) {
        let id = d.current().layer("buildings").expect("buildings").features[i].clone();
        d.apply(Edit::SetFloorArea {
            id: feature_id(&id).expect("building id"),
            m2: 1000.0 + i as f64,
        })
        .expect("edit");
    }

    #[test]
    fn a_named_scenario_is_recovered_at_start_and_on_open() {
        // Issue 12: save scen1.json with 2 edits, make a 3rd, crash (nothing more runs).
        let tmp = tempfile::tempdir().expect("tempdir");
        let data = tmp.path().join("data");
        let scen = tmp.path().join("scen1.json");
        let mut d = doc();
        d.data_dir = Some(data.clone());
        set_floor(&mut d, 0);
        set_floor(&mut d, 1);
        d.save_as(&scen).expect("save");
        set_floor(&mut d, 2);
        let auto = d.autosave().expect("autosave").expect("path");
        assert_eq!(auto.parent(), Some(tmp.path()));
        assert_eq!(autosave_stem(&auto), "scen1");
        // While the instance runs, its autosave is not a crash to recover.
        assert_eq!(find_recovery(&data), Found::default());
        assert_eq!(recovery_for(Some(&scen), Some(&data)), Found::default());
        // The crash: the process ends, the kernel drops its lock.
        let edits = d.scenario().edits.clone();
        let buildings = d.current().layer("buildings").map(|l| l.features.len());
        drop(d);
        // At the next start only the data folder is known.
        let r = find_recovery(&data).recovery.expect("offered at start");
        assert_eq!(r.autosave, auto);
        assert_eq!(r.file.as_deref(), Some(scen.as_path()));
        assert_eq!(r.scenario.edits.len(), 3);
        assert_eq!(r.saved_edits, Some(2));
        let text = r.describe();
        let name = auto
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(
            text.starts_with(&format!(
                "{name} holds 3 edits (scen1.json: 2 saved), written "
            )),
            "{text}"
        );
        assert!(text.ends_with(" UTC"), "{text}");
        // Opening scen1.json offers it too.
        assert_eq!(
            recovery_for(Some(&scen), Some(&data)).recovery,
            Some(r.clone())
        );
        // Restore: edit for edit, on scen1.json, still unsaved.
        let mut e = doc();
        e.data_dir = Some(data.clone());
        e.restore(&r).expect("restore");
        assert_eq!(e.scenario().edits, edits);
        assert_eq!(
            e.current().layer("buildings").map(|l| l.features.len()),
            buildings
        );
        assert_eq!(e.path.as_deref(), Some(scen.as_path()));
        assert!(e.dirty);
        // The restored file is not a conflict: it is the file the edits were made over.
        assert_eq!(e.disk_check(), Some(DiskCheck::Unchanged));
        // Its own autosave takes the edits over; the crashed one goes.
        let own = e.autosave().expect("autosave").expect("path");
        assert_ne!(own, auto);
        assert!(!auto.exists());
        assert_eq!(pending_autosave(&own).map(|s| s.edits), Some(edits));
        // Saving it removes the autosave: nothing to offer any more.
        e.save_as(&scen).expect("save");
        assert!(!own.exists());
        assert_eq!(find_recovery(&data), Found::default());
        assert_eq!(Scenario::load(&scen).expect("load").edits.len(), 3);
    }

    #[test]
    fn two_instances_keep_their_own_autosaves() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let scen = tmp.path().join("plan.json");
        let mut a = doc();
        a.save_as(&scen).expect("save");
        let mut b = doc();
        b.open(&scen).expect("open");
        set_floor(&mut a, 0);
        set_floor(&mut b, 1);
        let pa = a.autosave().expect("a").expect("path");
        let pb = b.autosave().expect("b").expect("path");
        assert_ne!(pa, pb, "one autosave file for two instances");
        assert_eq!(
            pending_autosave(&pa).map(|s| s.edits),
            Some(a.scenario().edits.clone())
        );
        assert_eq!(
            pending_autosave(&pb).map(|s| s.edits),
            Some(b.scenario().edits.clone())
        );
        // neither is offered while both run; when b stops, its own is
        assert_eq!(recovery_for(Some(&scen), None), Found::default());
        drop(b);
        let r = recovery_for(Some(&scen), None).recovery.expect("b's");
        assert_eq!(r.autosave, pb);
    }

    #[test]
    fn a_save_over_a_file_changed_since_is_a_conflict_and_merge_keeps_both() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let scen = tmp.path().join("plan.json");
        let mut a = doc();
        set_floor(&mut a, 0);
        a.save_as(&scen).expect("save");
        assert_eq!(a.disk_check(), Some(DiskCheck::Unchanged));
        let mut b = doc();
        b.open(&scen).expect("open");
        // A edits and saves; B edits
        set_floor(&mut a, 1);
        a.save_as(&scen).expect("a saves");
        set_floor(&mut b, 2);
        assert_eq!(a.disk_check(), Some(DiskCheck::Unchanged));
        assert!(b.disk_check().is_some_and(|c| c.is_conflict()));
        // B reloads and merges: A's edit, then B's, unsaved until B saves
        let m = b.reload_and_merge().expect("merge");
        assert_eq!(m.reapplied.len(), 1);
        assert!(m.dropped.is_empty());
        let mut want = a.scenario().edits.clone();
        want.push(b.scenario().edits.last().expect("b's edit").clone());
        assert_eq!(b.scenario().edits, want);
        assert!(b.dirty);
        assert_eq!(b.disk_check(), Some(DiskCheck::Unchanged));
        b.save_as(&scen).expect("b saves");
        assert_eq!(Scenario::load(&scen).expect("load").edits, want);
        // now A is the one behind
        assert!(a.disk_check().is_some_and(|c| c.is_conflict()));
        // a merge that changes nothing leaves the document saved
        let mut c = doc();
        c.open(&scen).expect("open");
        let m = c.reload_and_merge().expect("merge");
        assert!(m.reapplied.is_empty() && !c.dirty);
    }

    #[test]
    fn untitled_stale_equal_and_discarded_autosaves() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data = tmp.path().join("data");
        // A never-saved scenario autosaves into the data folder.
        let mut d = doc();
        d.data_dir = Some(data.clone());
        set_floor(&mut d, 0);
        let auto = d.autosave().expect("autosave").expect("path");
        assert_eq!(auto.parent(), Some(data.as_path()));
        assert_eq!(autosave_stem(&auto), "untitled");
        drop(d);
        let r = find_recovery(&data).recovery.expect("untitled offered");
        assert_eq!((r.file.clone(), r.scenario.edits.len()), (None, 1));
        assert!(
            r.describe().contains("holds 1 edit (never saved)"),
            "{}",
            r.describe()
        );
        // Discard deletes it and its lock file.
        r.discard().expect("discard");
        assert!(!auto.exists());
        assert!(!instance::lock_path(&auto).exists());
        assert_eq!(find_recovery(&data), Found::default());
        // An autosave equal to the saved file is not offered (the untagged name of older
        // versions is still found).
        let scen = tmp.path().join("plan.json");
        let mut d = doc();
        d.data_dir = Some(data.clone());
        set_floor(&mut d, 0);
        d.save_as(&scen).expect("save");
        let auto = tmp.path().join("plan.autosave.json");
        std::fs::copy(&scen, &auto).expect("copy");
        assert_eq!(recovery_for(Some(&scen), Some(&data)), Found::default());
        // An autosave older than the file is not offered.
        set_floor(&mut d, 1);
        std::fs::write(&auto, d.scenario().to_json()).expect("write");
        assert!(recovery_for(Some(&scen), Some(&data)).recovery.is_some());
        let old = SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&auto)
            .and_then(|f| f.set_modified(old))
            .expect("set mtime");
        assert_eq!(recovery_for(Some(&scen), Some(&data)), Found::default());
        // Without a data folder a never-saved scenario is not autosaved.
        let mut d = doc();
        set_floor(&mut d, 0);
        assert_eq!(d.autosave().expect("no error"), None);
    }

    #[test]
    fn edits_are_described_and_located_by_id() {
        let mut d = doc();
        let id = first_building_id(&d);
        let second = feature_id(&d.current().layer("buildings").expect("b").features[1])
            .expect("building id");
        assert_eq!(d.locate(&id), Some(("buildings", 0)));
        d.apply(Edit::Remove { id: id.clone() }).expect("remove");
        assert_eq!(
            describe_edit(d.last_edit().expect("edit")),
            format!("Deleted {id}")
        );
        // The building that was second is now first: located by its id, not its old index.
        assert_eq!(d.locate(&id), None);
        assert_eq!(d.locate(&second), Some(("buildings", 0)));
        assert!(d.undo());
        assert_eq!(d.last_undone(), Some(&Edit::Remove { id: id.clone() }));
        assert_eq!(d.locate(&id), Some(("buildings", 0)));
        assert_eq!(
            describe_edit(&Edit::SetFloorArea {
                id: "SZ-B001".into(),
                m2: 12000.0
            }),
            "Set SZ-B001's floor area to 12,000 m²"
        );
        assert_eq!(
            describe_edit(&Edit::SetStatus {
                id: "HK-B032".into(),
                status: "under_construction".into(),
                year: 2026
            }),
            "Set HK-B032 to under construction from 2026 (with its research units)"
        );
    }
}
