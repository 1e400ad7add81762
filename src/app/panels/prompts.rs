//! The prompts of the edit flow: the crash-recovery banner (Restore / Discard / Later, under
//! the tool bar, never modal), the unsaved-changes question before opening a scenario or
//! quitting, the save-conflict prompt (the scenario file changed on disk: Save as… /
//! Overwrite / Reload and merge / Cancel, with Cancel focused so that Enter or Escape saves
//! nothing), the export's "changed since" question, and the in-app path field shown when no
//! file dialog can be.

use crate::app::state::HetaoApp;
use crate::app::state::flow::{Guarded, UnsavedAnswer};
use crate::app::state::saves::ConflictAnswer;
use eframe::egui;

/// The fill of the save-conflict and export prompts (a warning rose; the end-to-end tests
/// find the prompt on the screen by it).
pub const CONFLICT_FILL: egui::Color32 = egui::Color32::from_rgb(255, 226, 222);

/// The recovery banner, as a top panel (call before the side panels).
pub fn recovery_banner(app: &mut HetaoApp, ui: &mut egui::Ui) {
    let Some(r) = app.recovery_offer() else {
        return;
    };
    let text = r.describe();
    let shown = egui::Id::unique(("recovery-focused", r.autosave.clone(), r.written));
    let mut act = None;
    egui::Panel::top("recovery")
        .frame(
            egui::Frame::side_top_panel(ui.style())
                .fill(egui::Color32::from_rgb(255, 244, 206))
                .inner_margin(egui::Margin::symmetric(8, 5)),
        )
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(egui::RichText::new("⚠ Unsaved edits from an earlier session:").strong());
                ui.label(text);
                let restore = ui.button("Restore");
                // focused when it appears, so that Enter restores
                if !ui.data(|d| d.get_temp::<bool>(shown).unwrap_or(false)) {
                    restore.request_focus();
                    ui.data_mut(|d| d.insert_temp(shown, true));
                }
                if restore.clicked() {
                    act = Some(0);
                }
                if ui
                    .button("Discard")
                    .on_hover_text("Delete the autosave file")
                    .clicked()
                {
                    act = Some(1);
                }
                if ui
                    .button("Later")
                    .on_hover_text("Keep the autosave; it is offered again at the next start")
                    .clicked()
                {
                    act = Some(2);
                }
            });
        });
    match act {
        Some(0) => app.restore_recovery(),
        Some(1) => app.discard_recovery(),
        Some(2) => app.postpone_recovery(),
        _ => {}
    }
}

/// The save-conflict prompt, when a save waits for it.
fn conflict(app: &mut HetaoApp, ctx: &egui::Context) {
    let Some(c) = app.save_conflict.clone() else {
        return;
    };
    let saved_here = app.doc.last_saved_here();
    let mine = app.doc.scenario().edits.len();
    let mut answer = None;
    conflict_window(ctx, "The scenario file changed on disk", "save-conflict").show(ctx, |ui| {
        ui.set_max_width(460.0);
        let dark = egui::Color32::from_rgb(60, 20, 10);
        ui.label(
            egui::RichText::new(format!("⚠ {}", c.headline(saved_here)))
                .strong()
                .color(dark),
        );
        ui.label(egui::RichText::new(c.details()).color(dark));
        ui.label(
            egui::RichText::new(format!(
                "This window has {mine} edit{} that would replace it.",
                if mine == 1 { "" } else { "s" }
            ))
            .color(dark),
        );
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            if ui
                .button("Save as…")
                .on_hover_text("Keep their file; save this version under another name")
                .clicked()
            {
                answer = Some(ConflictAnswer::SaveAs);
            }
            if ui
                .button("Overwrite")
                .on_hover_text("Replace their version with this one")
                .clicked()
            {
                answer = Some(ConflictAnswer::Overwrite);
            }
            if ui
                .button("Reload and merge")
                .on_hover_text(
                    "Load their version and re-apply your unsaved edits on top; edits \
                         that no longer apply are listed in Problems",
                )
                .clicked()
            {
                answer = Some(ConflictAnswer::ReloadAndMerge);
            }
            let cancel = ui.button("Cancel");
            // focused when it appears: Enter saves nothing
            if !c.focused {
                cancel.request_focus();
            }
            if cancel.clicked() {
                answer = Some(ConflictAnswer::Cancel);
            }
        });
    });
    if let Some(shown) = app.save_conflict.as_mut() {
        shown.focused = true;
    }
    if answer.is_none() && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        answer = Some(ConflictAnswer::Cancel);
    }
    if let Some(a) = answer {
        app.answer_conflict(a, ctx);
    }
}

/// The export's "changed since this session wrote it" question.
fn export_conflict(app: &mut HetaoApp, ctx: &egui::Context) {
    let Some(c) = app.export_conflict.clone() else {
        return;
    };
    let mut answer = None;
    conflict_window(ctx, "Overwrite the exported file?", "export-conflict").show(ctx, |ui| {
        ui.set_max_width(460.0);
        ui.label(
            egui::RichText::new(format!(
                "⚠ {} was changed since this session wrote it (by another program or \
                     person). Overwrite it?",
                c.changed.display()
            ))
            .color(egui::Color32::from_rgb(60, 20, 10)),
        );
        ui.horizontal(|ui| {
            if ui.button("Overwrite").clicked() {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(false);
            }
        });
    });
    if answer.is_none() && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        answer = Some(false);
    }
    if let Some(a) = answer {
        app.answer_export_conflict(a, ctx);
    }
}

/// The unsaved-changes question, the conflict prompts and the path field, as small windows.
pub fn windows(app: &mut HetaoApp, ctx: &egui::Context) {
    conflict(app, ctx);
    export_conflict(app, ctx);
    super::crs_prompt::window(app, ctx);
    if let Some(g) = app.unsaved_prompt {
        let (title, go) = match g {
            Guarded::OpenScenario => ("Open another scenario?", "open another scenario"),
            Guarded::Quit => ("Quit Hetao Atlas?", "quit"),
        };
        let n = app.doc.scenario().edits.len();
        let file = app.doc.path.as_ref().map_or_else(
            || "a scenario never saved".into(),
            |p| p.display().to_string(),
        );
        let mut answer = None;
        egui::Window::new(title)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                let edits = if n == 1 {
                    "1 edit".into()
                } else {
                    format!("{n} edits")
                };
                ui.label(format!(
                    "The scenario ({file}, {edits}) has unsaved changes. Save them before \
                     you {go}?"
                ));
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        answer = Some(UnsavedAnswer::Save);
                    }
                    if ui.button("Discard changes").clicked() {
                        answer = Some(UnsavedAnswer::Discard);
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Some(UnsavedAnswer::Cancel);
                    }
                });
            });
        if let Some(a) = answer {
            app.answer_unsaved(a, ctx);
        }
    }
    if let Some(mut f) = app.dialogs.field.clone() {
        let mut submit = false;
        let mut cancel = false;
        egui::Window::new(format!("{} — type a path", f.request.title))
            .id(egui::Id::unique("path-field"))
            .collapsible(false)
            .default_width(460.0)
            .show(ctx, |ui| {
                ui.label(
                    egui::RichText::new(&f.message).color(egui::Color32::from_rgb(160, 80, 0)),
                );
                let r = ui.add(
                    egui::TextEdit::singleline(&mut f.text)
                        .id_salt("path-field-text")
                        .hint_text("/path/to/file")
                        .desired_width(f32::INFINITY),
                );
                if !f.focused {
                    r.request_focus();
                }
                if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    submit = true;
                }
                ui.horizontal(|ui| {
                    let label = if f.request.save { "Save" } else { "Open" };
                    submit |= ui.button(label).clicked();
                    cancel = ui.button("Cancel").clicked();
                });
            });
        let text = f.text.clone();
        if let Some(field) = app.dialogs.field.as_mut() {
            field.text = text;
            field.focused = true;
        }
        if cancel {
            app.dialogs.field = None;
        } else if submit && let Some((purpose, paths)) = app.dialogs.submit_field() {
            app.chosen(purpose, paths, ctx);
        }
    }
}

/// The frame both "changed on disk" questions share: fixed, centred, on the warning fill.
fn conflict_window(
    ctx: &egui::Context,
    title: &'static str,
    id: &'static str,
) -> egui::Window<'static> {
    egui::Window::new(title)
        .id(egui::Id::unique(id))
        .collapsible(false)
        .resizable(false)
        .frame(egui::Frame::window(&ctx.global_style()).fill(CONFLICT_FILL))
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
}
