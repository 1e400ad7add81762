//! The planning document: the base dataset, the scenario of edits on top of it, the undo and
//! redo stacks, the scenario file it belongs to, autosave and crash recovery.
//!
//! **Autosave**: after every change the unsaved scenario is written (atomically) to its own
//! file: `NAME.autosave.json` beside `NAME.json`, or `untitled.autosave.json` in the data
//! folder ([`autosave_dir`]) for a scenario never saved. The data folder also keeps
//! `session.json`, naming the scenario file of the last autosave, so that the next start
//! finds `scen1.autosave.json` even though it only knows the data folder.
//!
//! **Recovery**: [`find_recovery`] (at start: the untitled autosave and the last session's)
//! and [`recovery_for`] (when a file is opened) return a [`Recovery`] when an autosave holds
//! edits that differ from the saved file and is not older than it; [`Document::restore`]
//! puts every one of its edits back, [`Recovery::discard`] deletes it.
//!
//! Every edit is a [`crate::core::zone::Edit`]; the current dataset is always the base with the
//! scenario's edits applied in order ([`crate::core::zone::Scenario::apply`]), so undo is
//! "drop the last edit" and redo "put it back". An edit that cannot apply is refused and
//! changes nothing.

use crate::core::atomic::write_atomic;
use crate::core::model::Dataset;
use crate::core::zone::{Edit, Scenario, ScenarioError};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

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

    /// Open a scenario file: its edits replace the current ones.
    pub fn open(&mut self, path: &Path) -> Result<(), ScenarioError> {
        let s = Scenario::load(path)?;
        self.replace_scenario(s)?;
        self.path = Some(path.to_path_buf());
        self.dirty = false;
        Ok(())
    }

    /// Save the scenario to `path` (atomically) and forget the autosave.
    pub fn save_as(&mut self, path: &Path) -> Result<(), ScenarioError> {
        self.scenario.save(path)?;
        let old_autosave = self.autosave_path();
        self.path = Some(path.to_path_buf());
        self.dirty = false;
        for p in [old_autosave, self.autosave_path()].into_iter().flatten() {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }

    /// Where unsaved edits are kept: next to the scenario file (`name.autosave.json`), or
    /// `untitled.autosave.json` in [`Document::data_dir`] for a scenario never saved.
    pub fn autosave_path(&self) -> Option<PathBuf> {
        autosave_path_for(self.path.as_deref(), self.data_dir.as_deref())
    }

    /// Write the autosave file (atomically) when there are unsaved edits, and record the
    /// scenario file in `session.json` in the data folder; returns the autosave's path.
    pub fn autosave(&self) -> anyhow::Result<Option<PathBuf>> {
        if !self.dirty {
            return Ok(None);
        }
        let Some(p) = self.autosave_path() else {
            return Ok(None);
        };
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        write_atomic(&p, self.scenario.to_json().as_bytes())?;
        if let (Some(dir), Some(file)) = (&self.data_dir, &self.path) {
            let file = std::path::absolute(file).unwrap_or_else(|_| file.clone());
            let marker = serde_json::json!({ "scenario": file });
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            write_atomic(&dir.join(SESSION_FILE), format!("{marker}\n").as_bytes())?;
        }
        Ok(Some(p))
    }

    /// Put back every edit of `r` (its scenario file becomes the document's); the edits stay
    /// unsaved (the autosave keeps them until the next save).
    pub fn restore(&mut self, r: &Recovery) -> Result<(), ScenarioError> {
        self.replace_scenario(r.scenario.clone())?;
        self.path = r.file.clone();
        self.dirty = true;
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

/// The file in the data folder naming the scenario file of the last autosave.
pub const SESSION_FILE: &str = "session.json";

/// The autosave of `file` (`name.autosave.json` beside it), or of a never-saved scenario
/// (`untitled.autosave.json` in `data_dir`).
pub fn autosave_path_for(file: Option<&Path>, data_dir: Option<&Path>) -> Option<PathBuf> {
    match file {
        Some(p) => {
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            Some(p.with_file_name(format!("{stem}.autosave.json")))
        }
        None => data_dir.map(|d| d.join("untitled.autosave.json")),
    }
}

/// The folder for autosaves of unsaved scenarios: `$HETAO_AUTOSAVE_DIR`, else
/// `$XDG_DATA_HOME/hetao-atlas`, else `~/.local/share/hetao-atlas`.
pub fn autosave_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("HETAO_AUTOSAVE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME") {
        return Some(PathBuf::from(d).join("hetao-atlas"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/hetao-atlas"))
}

/// An autosave worth offering back: it exists and holds at least one edit.
pub fn pending_autosave(path: &Path) -> Option<Scenario> {
    let s = Scenario::load(path).ok()?;
    (!s.edits.is_empty()).then_some(s)
}

/// Unsaved edits found in an autosave, to offer back.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    /// The autosave file.
    pub autosave: PathBuf,
    /// Its scenario (every unsaved edit).
    pub scenario: Scenario,
    /// The scenario file it belongs to (`None`: a scenario never saved).
    pub file: Option<PathBuf>,
    /// How many edits the saved file holds (`None`: no file, or it cannot be read).
    pub saved_edits: Option<usize>,
    /// When the autosave was written.
    pub written: Option<SystemTime>,
}

impl Recovery {
    /// One line for the offer: "scen1.autosave.json holds 3 edits (scen1.json: 2 saved),
    /// written 2026-12-01 09:12 UTC".
    pub fn describe(&self) -> String {
        let name = |p: &Path| {
            p.file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
        };
        let n = self.scenario.edits.len();
        let mut s = format!(
            "{} holds {n} edit{}",
            name(&self.autosave),
            if n == 1 { "" } else { "s" }
        );
        match (&self.file, self.saved_edits) {
            (Some(f), Some(k)) => s.push_str(&format!(" ({}: {k} saved)", name(f))),
            (Some(f), None) => s.push_str(&format!(" (for {})", name(f))),
            (None, _) => s.push_str(" (never saved)"),
        }
        if let Some(t) = self.written {
            s.push_str(&format!(", written {}", utc_minutes(t)));
        }
        s
    }

    /// Delete the autosave (the edits are given up).
    pub fn discard(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.autosave) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// `YYYY-MM-DD HH:MM UTC`.
fn utc_minutes(t: SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (y, m, d) = crate::render::overlay::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        s / 3600,
        s / 60 % 60
    )
}

/// The autosave of `file` (or of the untitled scenario in `data_dir`), when it holds edits
/// that the saved file does not and it is not older than the file.
pub fn recovery_for(file: Option<&Path>, data_dir: Option<&Path>) -> Option<Recovery> {
    let autosave = autosave_path_for(file, data_dir)?;
    let scenario = pending_autosave(&autosave)?;
    let written = std::fs::metadata(&autosave).and_then(|m| m.modified()).ok();
    let saved = file.and_then(|f| Scenario::load(f).ok());
    if saved.as_ref().is_some_and(|s| s.edits == scenario.edits) {
        return None;
    }
    let file_time = file.and_then(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok());
    if let (Some(a), Some(f)) = (written, file_time)
        && a < f
    {
        return None;
    }
    Some(Recovery {
        autosave,
        scenario,
        file: file.map(Path::to_path_buf),
        saved_edits: saved.map(|s| s.edits.len()),
        written,
    })
}

/// At start: the newest of the untitled autosave and the autosave of the scenario named in
/// `session.json`, in `data_dir`.
pub fn find_recovery(data_dir: &Path) -> Option<Recovery> {
    let last = std::fs::read_to_string(data_dir.join(SESSION_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("scenario")?.as_str().map(PathBuf::from));
    [
        last.and_then(|f| recovery_for(Some(&f), Some(data_dir))),
        recovery_for(None, Some(data_dir)),
    ]
    .into_iter()
    .flatten()
    .max_by_key(|r| r.written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::zone::feature_id;

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
        assert_eq!(auto, dir.path().join("plan.autosave.json"));
        let pending = pending_autosave(&auto).expect("offered back");
        assert_eq!(pending.edits.len(), 1);
        // a fresh document restores it
        let mut e = doc();
        e.replace_scenario(pending).expect("restore");
        assert_eq!(
            building(e.current(), &id).and_then(|f| f.prop("year").and_then(|y| y.as_i64())),
            Some(2031)
        );
        // saving removes the autosave
        d.save_as(&path).expect("save");
        assert!(!auto.exists());
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
        assert_eq!(auto, tmp.path().join("scen1.autosave.json"));
        // At the next start only the data folder is known.
        let r = find_recovery(&data).expect("offered at start");
        assert_eq!(r.autosave, auto);
        assert_eq!(r.file.as_deref(), Some(scen.as_path()));
        assert_eq!(r.scenario.edits.len(), 3);
        assert_eq!(r.saved_edits, Some(2));
        let text = r.describe();
        assert!(
            text.starts_with("scen1.autosave.json holds 3 edits (scen1.json: 2 saved), written "),
            "{text}"
        );
        assert!(text.ends_with(" UTC"), "{text}");
        // Opening scen1.json offers it too.
        assert_eq!(recovery_for(Some(&scen), Some(&data)), Some(r.clone()));
        // Restore: edit for edit, on scen1.json, still unsaved.
        let mut e = doc();
        e.restore(&r).expect("restore");
        assert_eq!(e.scenario().edits, d.scenario().edits);
        assert_eq!(
            e.current().layer("buildings").map(|l| l.features.len()),
            d.current().layer("buildings").map(|l| l.features.len())
        );
        assert_eq!(e.path.as_deref(), Some(scen.as_path()));
        assert!(e.dirty);
        // Saving it removes the autosave: nothing to offer any more.
        e.save_as(&scen).expect("save");
        assert!(!auto.exists());
        assert_eq!(find_recovery(&data), None);
        assert_eq!(Scenario::load(&scen).expect("load").edits.len(), 3);
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
        assert_eq!(auto, data.join("untitled.autosave.json"));
        let r = find_recovery(&data).expect("untitled offered");
        assert_eq!((r.file.clone(), r.scenario.edits.len()), (None, 1));
        assert!(
            r.describe().contains("holds 1 edit (never saved)"),
            "{}",
            r.describe()
        );
        // Discard deletes it.
        r.discard().expect("discard");
        assert!(!auto.exists());
        assert_eq!(find_recovery(&data), None);
        // An autosave equal to the saved file is not offered.
        let scen = tmp.path().join("plan.json");
        let mut d = doc();
        d.data_dir = Some(data.clone());
        set_floor(&mut d, 0);
        d.save_as(&scen).expect("save");
        let auto = tmp.path().join("plan.autosave.json");
        std::fs::copy(&scen, &auto).expect("copy");
        assert_eq!(recovery_for(Some(&scen), Some(&data)), None);
        // An autosave older than the file is not offered.
        set_floor(&mut d, 1);
        d.autosave().expect("autosave");
        assert!(recovery_for(Some(&scen), Some(&data)).is_some());
        let old = SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&auto)
            .and_then(|f| f.set_modified(old))
            .expect("set mtime");
        assert_eq!(recovery_for(Some(&scen), Some(&data)), None);
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
