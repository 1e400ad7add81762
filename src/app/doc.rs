//! The planning document: the base dataset, the scenario of edits on top of it, the undo and
//! redo stacks, the scenario file it belongs to, and autosave.
//!
//! Every edit is a [`crate::core::zone::Edit`]; the current dataset is always the base with the
//! scenario's edits applied in order ([`crate::core::zone::Scenario::apply`]), so undo is
//! "drop the last edit" and redo "put it back". An edit that cannot apply is refused and
//! changes nothing.

use crate::core::atomic::write_atomic;
use crate::core::model::Dataset;
use crate::core::zone::{Edit, Scenario, ScenarioError};
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
    /// `untitled.autosave.json` in [`autosave_dir`] for a scenario never saved.
    pub fn autosave_path(&self) -> Option<PathBuf> {
        match &self.path {
            Some(p) => {
                let stem = p.file_stem()?.to_string_lossy().into_owned();
                Some(p.with_file_name(format!("{stem}.autosave.json")))
            }
            None => autosave_dir().map(|d| d.join("untitled.autosave.json")),
        }
    }

    /// Write the autosave file (atomically) when there are unsaved edits; returns its path.
    pub fn autosave(&self) -> Result<Option<PathBuf>, String> {
        if !self.dirty {
            return Ok(None);
        }
        let Some(p) = self.autosave_path() else {
            return Ok(None);
        };
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        write_atomic(&p, self.scenario.to_json().as_bytes()).map_err(|e| e.to_string())?;
        Ok(Some(p))
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
}
