//! The edit flow around the document: selections that follow features by id (a Delete never
//! leaves the next building selected), status-bar messages that name what an edit did, undo
//! and redo that restore the selection, file dialogs and what their answers do, crash recovery
//! offers, and the unsaved-changes prompt before opening a scenario or quitting.

use super::HetaoApp;
use crate::app::dialogs::{Purpose, Request};
use crate::app::doc::{self, Recovery, describe_edit};
use crate::app::export;
use crate::app::pick::FeatureRef;
use crate::app::time::TEMPORAL_LAYERS;
use crate::core::model::Feature;
use crate::core::zone::{Edit, checks, feature_id};
use eframe::egui;
use std::path::{Path, PathBuf};

/// An action that would drop unsaved edits, waiting for the user's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    /// File › Open scenario.
    OpenScenario,
    /// Closing the window.
    Quit,
}

/// The scenario file filter.
pub const SCENARIO_FILTER: (&str, &[&str]) = ("Scenario", &["json"]);
/// The GeoJSON file filter.
pub const GEOJSON_FILTER: (&str, &[&str]) = ("GeoJSON", &["geojson", "json"]);

impl HetaoApp {
    /// The selection with the id of each building or unit, to find them again after an edit.
    fn selection_ids(&self) -> Vec<(FeatureRef, Option<String>)> {
        self.selection
            .iter()
            .map(|r| {
                let id = TEMPORAL_LAYERS
                    .contains(&r.layer.as_str())
                    .then(|| self.feature(r).and_then(feature_id))
                    .flatten();
                (r.clone(), id)
            })
            .collect()
    }

    /// Find the selected features again by id after the document changed (indices shift when
    /// a feature before them is removed or restored); features that are gone are dropped.
    pub(crate) fn remap_selection(&mut self, before: Vec<(FeatureRef, Option<String>)>) {
        self.selection = before
            .into_iter()
            .filter_map(|(r, id)| match id {
                Some(id) => self.doc.locate(&id).map(|(layer, index)| FeatureRef {
                    layer: layer.to_string(),
                    index,
                }),
                None => self.layer_data(&r.layer).is_some().then_some(r),
            })
            .collect();
    }

    /// Apply a scenario edit (undoable), keep the selection on the same features, and say what
    /// was done in the status bar. A refused edit changes nothing and shows why.
    pub fn edit(&mut self, e: Edit) {
        let what = describe_edit(&e);
        let removes = matches!(e, Edit::Remove { .. });
        let before = self.selection_ids();
        match self.doc.apply(e) {
            Ok(()) => {
                self.edit_error = None;
                self.remap_selection(before);
                self.status = if removes {
                    format!("{what} (Ctrl+Z to undo)")
                } else {
                    what
                };
                self.after_doc_change();
            }
            Err(err) => {
                self.edit_error = Some(err.to_string());
                self.status = format!("edit refused: {err}");
            }
        }
    }

    /// Undo the last edit; the feature it was about is selected again when it exists.
    pub fn undo(&mut self) {
        let Some(e) = self.doc.last_edit().cloned() else {
            self.status = "nothing to undo".into();
            return;
        };
        let before = self.selection_ids();
        if self.doc.undo() {
            self.status = format!("Undid: {}", describe_edit(&e));
            self.select_after_history(&e, before);
        }
    }

    /// Redo the last undone edit; the feature it is about is selected when it exists.
    pub fn redo(&mut self) {
        let Some(e) = self.doc.last_undone().cloned() else {
            self.status = "nothing to redo".into();
            return;
        };
        let before = self.selection_ids();
        if self.doc.redo() {
            self.status = format!("Redid: {}", describe_edit(&e));
            self.select_after_history(&e, before);
        }
    }

    fn select_after_history(&mut self, e: &Edit, before: Vec<(FeatureRef, Option<String>)>) {
        match self.doc.locate(&e.id()) {
            Some((layer, index)) => {
                self.selection = vec![FeatureRef {
                    layer: layer.to_string(),
                    index,
                }];
                self.tab = super::Tab::Inspector;
            }
            None => {
                self.remap_selection(before);
            }
        }
        self.after_doc_change();
    }

    /// Delete the one selected building or unit (Delete key, 🗑): the selection is cleared and
    /// the status bar names what was deleted.
    pub fn delete_selected(&mut self) {
        let ids: Vec<String> = self
            .selection
            .iter()
            .filter(|r| TEMPORAL_LAYERS.contains(&r.layer.as_str()))
            .filter_map(|r| self.feature(r).and_then(feature_id))
            .collect();
        match ids.as_slice() {
            [id] => {
                let id = id.clone();
                self.edit(Edit::Remove { id });
                if self.edit_error.is_none() {
                    self.selection.clear();
                }
            }
            [] => self.status = "select a building or research unit to delete it".into(),
            _ => self.status = "select one building or unit to delete it".into(),
        }
    }

    /// The plausibility warnings of the building `id` (or of the building of unit `id`).
    pub fn plausibility(&self, f: &Feature) -> Vec<checks::Warning> {
        let id = f
            .prop_str("building_id")
            .map(str::to_string)
            .or_else(|| feature_id(f));
        id.map_or_else(Vec::new, |id| {
            checks::check_building(self.doc.current(), &id)
        })
    }

    // ------------------------------------------------------------ files and dialogs

    /// Show a file dialog (never blocking the frame; the answer arrives in
    /// [`HetaoApp::poll_dialogs`]).
    pub fn request_file(&mut self, req: Request, ctx: &egui::Context) {
        let c = ctx.clone();
        if !self.dialogs.request(req, move || c.request_repaint()) {
            self.status = "a file dialog is already open".into();
        }
    }

    /// Take the answer of the file dialog or the path field, and do what it was for.
    pub fn poll_dialogs(&mut self, ctx: &egui::Context) {
        let had_field = self.dialogs.field.is_some();
        if let Some((purpose, paths)) = self.dialogs.poll() {
            self.chosen(purpose, paths, ctx);
        }
        if !had_field && let Some(f) = &self.dialogs.field {
            self.status = f.message.clone();
        }
        if self.dialogs.is_open() {
            // keep the map alive while the dialog is open
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    /// Do what a chosen file was for.
    pub fn chosen(&mut self, purpose: Purpose, paths: Vec<PathBuf>, ctx: &egui::Context) {
        let Some(p) = paths.first().cloned() else {
            return;
        };
        match purpose {
            Purpose::OpenScenario => self.open_scenario(&p),
            Purpose::SaveScenario => {
                self.save_scenario(&p);
                if self.doc.path.as_deref() == Some(p.as_path()) && !self.doc.dirty {
                    self.continue_guarded(ctx);
                }
            }
            Purpose::OpenLayers => {
                for p in paths {
                    self.open_file(p, ctx);
                }
            }
            Purpose::ExportSelection => {
                let feats: Vec<&Feature> = self
                    .selection
                    .iter()
                    .filter_map(|r| self.feature(r))
                    .collect();
                self.status = match export::write_geojson(&p, "selection", feats) {
                    Ok(n) => format!("wrote {n} features to {}", p.display()),
                    Err(e) => format!("export failed: {e}"),
                };
            }
            Purpose::ExportLayer(name) => {
                self.status = match self.layer_data(&name) {
                    Some(l) => match crate::core::io::Format::from_path(&p) {
                        Some(f) if f != crate::core::io::Format::GeoJson => {
                            match crate::core::io::export_layer(l, &p, f, true) {
                                Ok(r) => {
                                    format!("wrote {} features to {}", r.features, p.display())
                                }
                                Err(e) => format!("export failed: {e}"),
                            }
                        }
                        _ => match export::write_geojson(&p, &name, &l.features) {
                            Ok(n) => format!("wrote {n} features to {}", p.display()),
                            Err(e) => format!("export failed: {e}"),
                        },
                    },
                    None => format!("export failed: the layer {name} is gone"),
                };
            }
            Purpose::ExportCsv => {
                let st = self.stats().clone();
                self.status = match export::write_dashboard_csv(&p, &st) {
                    Ok(()) => format!("wrote {}", p.display()),
                    Err(e) => format!("export failed: {e}"),
                };
            }
            Purpose::Snapshot { scale, title } => self.start_snapshot(scale, title, p, ctx),
            Purpose::ExportReach => {
                self.status = match crate::app::state::reach::export_bands(self, &p) {
                    Ok(n) => format!("wrote {n} bands to {}", p.display()),
                    Err(e) => format!("export failed: {e}"),
                };
            }
        }
    }

    /// Save the scenario: to its file, or through the dialog when it has none.
    pub fn save_or_ask(&mut self, ctx: &egui::Context) {
        match self.doc.path.clone() {
            Some(p) => {
                self.save_scenario(&p);
                self.continue_guarded(ctx);
            }
            None => self.save_as_dialog(ctx),
        }
    }

    /// Ask where to save the scenario.
    pub fn save_as_dialog(&mut self, ctx: &egui::Context) {
        let name = self
            .doc
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(
                || "scenario.json".into(),
                |n| n.to_string_lossy().into_owned(),
            );
        self.request_file(
            Request::save(
                Purpose::SaveScenario,
                "Save scenario as",
                &name,
                SCENARIO_FILTER,
            ),
            ctx,
        );
    }

    /// Save the scenario to `p` (atomically); the status bar says where, or why not.
    pub fn save_scenario(&mut self, p: &Path) {
        match self.doc.save_as(p) {
            Ok(()) => {
                self.status = format!(
                    "saved {} ({} edits)",
                    p.display(),
                    self.doc.scenario().edits.len()
                );
                self.recovery = None;
            }
            Err(e) => {
                self.status = format!("save failed: {e}");
                self.edit_error = Some(e.to_string());
            }
        }
    }

    /// File › Open scenario: asks first when there are unsaved edits.
    pub fn open_scenario_dialog(&mut self, ctx: &egui::Context) {
        if self.has_unsaved_edits() {
            self.unsaved_prompt = Some(Guarded::OpenScenario);
            return;
        }
        self.request_file(
            Request::open(Purpose::OpenScenario, "Open scenario", SCENARIO_FILTER),
            ctx,
        );
    }

    /// Open a scenario file; when its autosave holds newer edits, offer to restore them.
    pub fn open_scenario(&mut self, p: &Path) {
        let before = self.selection_ids();
        match self.doc.open(p) {
            Ok(()) => {
                self.status = format!(
                    "opened {} ({} edits)",
                    p.display(),
                    self.doc.scenario().edits.len()
                );
                self.edit_error = None;
                self.remap_selection(before);
                self.after_doc_change();
                if self.autosave {
                    self.recovery = doc::recovery_for(Some(p), self.doc.data_dir.as_deref());
                }
            }
            Err(e) => {
                self.status = format!("cannot open the scenario: {e}");
                self.edit_error = Some(e.to_string());
            }
        }
    }

    /// Edits that are not in any file.
    pub fn has_unsaved_edits(&self) -> bool {
        self.doc.dirty && (self.doc.can_undo() || self.doc.path.is_some())
    }

    /// After the unsaved-changes prompt was answered with Save (and the save succeeded) or
    /// Discard: do the action that was waiting.
    pub fn continue_guarded(&mut self, ctx: &egui::Context) {
        match self.after_save.take() {
            Some(Guarded::OpenScenario) => {
                self.request_file(
                    Request::open(Purpose::OpenScenario, "Open scenario", SCENARIO_FILTER),
                    ctx,
                );
            }
            Some(Guarded::Quit) => {
                self.quit_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            None => {}
        }
    }

    /// The answer to the unsaved-changes prompt: save first, discard the edits, or cancel.
    pub fn answer_unsaved(&mut self, answer: UnsavedAnswer, ctx: &egui::Context) {
        let Some(g) = self.unsaved_prompt.take() else {
            return;
        };
        match answer {
            UnsavedAnswer::Save => {
                self.after_save = Some(g);
                self.save_or_ask(ctx);
            }
            UnsavedAnswer::Discard => {
                if let Some(p) = self.doc.autosave_path() {
                    let _ = std::fs::remove_file(p);
                }
                self.doc.dirty = false;
                self.after_save = Some(g);
                self.continue_guarded(ctx);
            }
            UnsavedAnswer::Cancel => self.status = "cancelled".into(),
        }
    }

    /// The window's close button: with unsaved edits, cancel the close and ask.
    pub fn guard_close(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested())
            && !self.quit_confirmed
            && self.screenshot.is_none()
            && self.has_unsaved_edits()
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.unsaved_prompt = Some(Guarded::Quit);
        }
    }

    // ------------------------------------------------------------ recovery

    /// At start: offer the newest autosave of the last session.
    pub(crate) fn check_autosave(&mut self) {
        if self.screenshot.is_some() || !self.autosave {
            return;
        }
        self.doc.data_dir = doc::autosave_dir();
        self.recovery = self.doc.data_dir.as_deref().and_then(doc::find_recovery);
    }

    /// Restore the offered autosave, edit for edit.
    pub fn restore_recovery(&mut self) {
        let Some(r) = self.recovery.take() else {
            return;
        };
        let before = self.selection_ids();
        match self.doc.restore(&r) {
            Ok(()) => {
                self.status = format!(
                    "restored {} unsaved edits from {}",
                    r.scenario.edits.len(),
                    r.autosave.display()
                );
                self.remap_selection(before);
                self.after_doc_change();
            }
            Err(e) => {
                self.status = format!("cannot restore {}: {e}", r.autosave.display());
                self.edit_error = Some(e.to_string());
            }
        }
    }

    /// Delete the offered autosave.
    pub fn discard_recovery(&mut self) {
        if let Some(r) = self.recovery.take() {
            self.status = match r.discard() {
                Ok(()) => format!("discarded {}", r.autosave.display()),
                Err(e) => format!("cannot delete {}: {e}", r.autosave.display()),
            };
        }
    }

    /// Hide the offer; the autosave stays for the next start.
    pub fn postpone_recovery(&mut self) {
        if let Some(r) = self.recovery.take() {
            self.status = format!("kept {} for later", r.autosave.display());
        }
    }

    /// The offer being shown.
    pub fn recovery_offer(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }
}

/// The answers of the unsaved-changes prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsavedAnswer {
    /// Save, then go on.
    Save,
    /// Drop the edits, then go on.
    Discard,
    /// Do nothing.
    Cancel,
}
