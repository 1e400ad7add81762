//! Saves that respect others: the save-conflict check before a scenario file is replaced,
//! the "file changed since" check before an export replaces a file this session wrote, the
//! report of damaged autosaves, and the warning that stays while autosaves fail.
//!
//! - **Scenario save** ([`HetaoApp::save_scenario`]): saving to the document's own file
//!   first asks [`crate::app::doc::Document::disk_check`]; when another instance or person
//!   changed the file since this instance opened or last saved it, nothing is written and the
//!   conflict prompt ([`SaveConflict`], shown by `panels::prompts`) offers **Save as…**,
//!   **Overwrite**, **Reload and merge** (theirs, then this instance's unsaved edits; those that
//!   no longer apply go to the Problems panel) and **Cancel**. Until then the scenario stays
//!   unsaved (the tool bar's `•`), and an action waiting for the save (quit, open) waits.
//! - **Exports** ([`HetaoApp::export_checked`]): a file this session exported is remembered
//!   with its stamp; exporting over it again after someone changed it asks first
//!   ([`ExportConflict`]: Overwrite / Cancel).
//! - **Damaged autosaves** found at start or on open are listed in the Problems panel with
//!   their line and column and where they were kept ([`crate::app::doc::CorruptAutosave`]).
//! - **A failing autosave** sets [`HetaoApp::autosave_failure`], shown as a badge in the
//!   status bar until an autosave succeeds.
//! - **Watching the file** ([`HetaoApp::watch_disk`], at most every 2 s of frames): when the
//!   scenario file changed on disk since this instance read or wrote it, the tool bar says so
//!   (`changed on disk`) instead of showing it as saved; its size and time are looked at, the
//!   content only when they moved.

use super::HetaoApp;
use crate::app::dialogs::Purpose;
use crate::app::doc::CorruptAutosave;
use crate::app::doc::disk::{self, DiskCheck, DiskStamp};
use crate::app::export;
use crate::core::model::Feature;
use eframe::egui;
use std::path::{Path, PathBuf};

/// What the scenario file looked like at the last look ([`HetaoApp::watch_disk`]).
#[derive(Debug, Clone, Default)]
pub struct DiskWatch {
    /// When the file was last looked at.
    last: Option<std::time::Instant>,
    /// Its size and modification time then.
    seen: Option<(u64, Option<std::time::SystemTime>)>,
    /// The file changed on disk since this instance read or wrote it.
    pub changed: bool,
}

/// How often the scenario file is looked at.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// A save that was not made because the file changed on disk since this instance saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveConflict {
    /// The scenario file.
    pub path: PathBuf,
    /// The file as it is now.
    pub now: DiskStamp,
    /// How many edits the file holds now (`None`: it does not read as a scenario).
    pub their_edits: Option<usize>,
    /// The prompt gave Cancel the keyboard focus once (it takes it when it appears).
    pub focused: bool,
}

impl SaveConflict {
    /// The prompt's first line: "NAME.json was changed on disk since you opened it (by
    /// another instance or person)".
    pub fn headline(&self, saved_here: bool) -> String {
        let name = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        let since = if saved_here {
            "you last saved it"
        } else {
            "you opened it"
        };
        format!("{name} was changed on disk since {since} (by another instance or person).")
    }

    /// The details: what the file holds now and when it was written.
    pub fn details(&self) -> String {
        let mut s = match self.their_edits {
            Some(1) => "The file now holds 1 edit".to_string(),
            Some(n) => format!("The file now holds {n} edits"),
            None => "The file now is not a scenario this version can read".to_string(),
        };
        if let Some(t) = self.now.modified {
            s.push_str(&format!(
                ", written {}",
                crate::app::doc::recovery::utc_minutes(t)
            ));
        }
        s.push('.');
        s
    }
}

/// The answers of the conflict prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictAnswer {
    /// Save to another file (the save dialog).
    SaveAs,
    /// Replace the file anyway.
    Overwrite,
    /// Load theirs and re-apply this instance's unsaved edits on top.
    ReloadAndMerge,
    /// Save nothing.
    Cancel,
}

/// An export that waits because its file changed since this session wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportConflict {
    /// What the export was.
    pub purpose: Purpose,
    /// Its file.
    pub path: PathBuf,
    /// The file that changed (the file itself, or the snapshot's world file).
    pub changed: PathBuf,
}

/// The files an export to `p` writes: the file, and a snapshot's world file.
fn export_targets(purpose: &Purpose, p: &Path) -> Vec<PathBuf> {
    let mut v = vec![p.to_path_buf()];
    if matches!(purpose, Purpose::Page(d) if d.format == crate::app::export::PageFormat::Png && !d.timeline)
        && let Some(w) = crate::render::snapshot::world_file_path(p)
    {
        v.push(w);
    }
    v
}

impl HetaoApp {
    /// Look at the scenario file (at most every [`WATCH_EVERY`]): [`DiskWatch::changed`]
    /// tells whether another instance or person changed it since this instance read or
    /// wrote it. The content is compared only when the size or time moved.
    pub fn watch_disk(&mut self, now: std::time::Instant) {
        let w = &mut self.disk_watch;
        if w.last.is_some_and(|t| now.duration_since(t) < WATCH_EVERY) {
            return;
        }
        w.last = Some(now);
        let Some(p) = self.doc.path.as_deref() else {
            w.changed = false;
            w.seen = None;
            return;
        };
        let meta = std::fs::metadata(p)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        if meta.is_some() && meta == w.seen {
            return;
        }
        w.seen = meta;
        w.changed = self.doc.disk_check().is_some_and(|c| c.is_conflict());
    }

    /// Look at the file again on the next frame (it was just read or written).
    fn rewatch(&mut self) {
        self.disk_watch = DiskWatch::default();
    }

    /// Save the scenario to `p` (atomically); the status bar says where, or why not. Saving
    /// over the document's own file that someone else changed since shows the conflict
    /// prompt instead and writes nothing.
    pub fn save_scenario(&mut self, p: &Path) {
        if self.doc.path.as_deref() == Some(p)
            && let Some(DiskCheck::Changed { now }) = self.doc.disk_check()
        {
            let their_edits = crate::core::zone::Scenario::load(p)
                .ok()
                .map(|s| s.edits.len());
            self.status = format!(
                "not saved: {} changed on disk since this instance read it",
                p.display()
            );
            self.save_conflict = Some(SaveConflict {
                path: p.to_path_buf(),
                now,
                their_edits,
                focused: false,
            });
            return;
        }
        self.write_scenario(p);
    }

    /// Save without the conflict check.
    fn write_scenario(&mut self, p: &Path) {
        match self.doc.save_as(p) {
            Ok(()) => {
                self.status = format!(
                    "saved {} ({} edits)",
                    p.display(),
                    self.doc.scenario().edits.len()
                );
                self.recovery = None;
                self.save_conflict = None;
                self.rewatch();
            }
            Err(e) => {
                self.status = format!("save failed: {e}");
                self.edit_error = Some(e.to_string());
            }
        }
    }

    /// Whether the scenario was saved to its file (nothing unsaved, no conflict pending):
    /// an action waiting for the save may go on.
    pub fn saved_cleanly(&self) -> bool {
        !self.doc.dirty && self.save_conflict.is_none()
    }

    /// The answer to the conflict prompt.
    pub fn answer_conflict(&mut self, answer: ConflictAnswer, ctx: &egui::Context) {
        let Some(c) = self.save_conflict.take() else {
            return;
        };
        match answer {
            ConflictAnswer::SaveAs => self.save_as_dialog(ctx),
            ConflictAnswer::Overwrite => {
                self.write_scenario(&c.path);
                if self.saved_cleanly() {
                    self.continue_guarded(ctx);
                }
            }
            ConflictAnswer::ReloadAndMerge => {
                self.after_save = None;
                self.merge_from_disk(&c.path);
            }
            ConflictAnswer::Cancel => {
                self.after_save = None;
                self.status = format!(
                    "not saved: {} keeps the other instance's version; your edits stay unsaved",
                    c.path.display()
                );
            }
        }
    }

    /// Reload and merge: the file's edits, then this instance's unsaved ones; what no longer
    /// applies is listed in the Problems panel. The result is unsaved until the next save.
    fn merge_from_disk(&mut self, path: &Path) {
        let before = self.selection_ids();
        match self.doc.reload_and_merge() {
            Ok(m) => {
                self.rewatch();
                let file = path.display().to_string();
                let lines = m.report(&file);
                self.status = format!(
                    "merged {}: {} edits from the file, {} of yours re-applied{}{}",
                    path.display(),
                    m.scenario.edits.len() - m.reapplied.len(),
                    m.reapplied.len(),
                    if m.dropped.is_empty() {
                        String::new()
                    } else {
                        format!(", {} no longer apply (see Problems)", m.dropped.len())
                    },
                    if self.doc.dirty {
                        "; save to write them"
                    } else {
                        ""
                    }
                );
                if !lines.is_empty() {
                    self.add_problems(&file, lines);
                }
                self.edit_error = None;
                self.remap_selection(before);
                self.after_doc_change();
            }
            Err(e) => {
                self.status = format!("cannot merge {}: {e}", path.display());
                self.edit_error = Some(e.to_string());
            }
        }
    }

    /// List damaged autosaves in the Problems panel (one entry per file).
    pub(crate) fn report_corrupt(&mut self, corrupt: Vec<CorruptAutosave>) {
        for c in corrupt {
            self.status = format!(
                "a damaged autosave was set aside: {} (see Problems)",
                c.autosave.display()
            );
            self.add_problems(&c.autosave.display().to_string(), vec![c.report_line()]);
        }
    }

    /// Export to `p`, unless it is a file this session exported before and someone changed
    /// it since: then ask first ([`ExportConflict`]).
    pub fn export_checked(&mut self, purpose: Purpose, p: PathBuf, ctx: &egui::Context) {
        let changed = export_targets(&purpose, &p).into_iter().find(|t| {
            self.exported
                .get(t)
                .is_some_and(|s| disk::check(t, Some(s)).is_conflict())
        });
        match changed {
            Some(changed) => {
                self.status = format!(
                    "{} changed since this session wrote it: overwrite?",
                    changed.display()
                );
                self.export_conflict = Some(ExportConflict {
                    purpose,
                    path: p,
                    changed,
                });
            }
            None => self.export_now(purpose, p, ctx),
        }
    }

    /// The answer to the export prompt: overwrite (true) or cancel.
    pub fn answer_export_conflict(&mut self, overwrite: bool, ctx: &egui::Context) {
        let Some(c) = self.export_conflict.take() else {
            return;
        };
        if overwrite {
            self.export_now(c.purpose, c.path, ctx);
        } else {
            self.status = format!("export cancelled: {} kept", c.changed.display());
        }
    }

    /// Remember the files an export wrote, as written.
    fn note_exported(&mut self, purpose: &Purpose, p: &Path) {
        for t in export_targets(purpose, p) {
            if let Ok(Some(s)) = DiskStamp::read(&t) {
                self.exported.insert(t, s);
            }
        }
    }

    /// The snapshot export finished and wrote its files (called by the job's poll).
    pub(crate) fn snapshot_written(&mut self) {
        if let Some((purpose, p)) = self.snapshot_target.take() {
            self.note_exported(&purpose, &p);
        }
    }

    /// Do the export now.
    fn export_now(&mut self, purpose: Purpose, p: PathBuf, ctx: &egui::Context) {
        let done = match &purpose {
            Purpose::ExportSelection => {
                let feats: Vec<&Feature> = self
                    .selection
                    .iter()
                    .filter_map(|r| self.feature(r))
                    .collect();
                export::write_geojson(&p, "selection", feats)
                    .map(|n| format!("wrote {n} features to {}", p.display()))
            }
            Purpose::ExportLayer(name) => match self.layer_data(name) {
                // GeoPackage, Shapefile, FlatGeobuf or CSV by the extension chosen (GDAL,
                // `core::io::export_layer`); GeoJSON through the project's own writer.
                Some(l) => match crate::core::io::Format::from_path(&p) {
                    Some(f) if f != crate::core::io::Format::GeoJson => {
                        crate::core::io::export_layer(l, &p, f, true)
                            .map(|r| format!("wrote {} features to {}", r.features, p.display()))
                            .map_err(|e| e.to_string())
                    }
                    _ => export::write_geojson(&p, name, &l.features)
                        .map(|n| format!("wrote {n} features to {}", p.display())),
                },
                None => Err(format!("the layer {name} is gone")),
            },
            Purpose::ExportCsv => {
                let st = self.stats().clone();
                export::write_dashboard_csv(&p, &st).map(|()| format!("wrote {}", p.display()))
            }
            Purpose::ExportReach => crate::app::state::reach::export_bands(self, &p)
                .map(|n| format!("wrote {n} bands to {}", p.display()))
                .map_err(|e| e.to_string()),
            Purpose::Page(d) => {
                self.snapshot_target = Some((purpose.clone(), p.clone()));
                self.start_page_export(d, p, ctx);
                return;
            }
            Purpose::OpenScenario | Purpose::SaveScenario | Purpose::OpenLayers => return,
        };
        match done {
            Ok(s) => {
                self.note_exported(&purpose, &p);
                self.status = s;
            }
            Err(e) => self.status = format!("export failed: {e}"),
        }
    }
}
