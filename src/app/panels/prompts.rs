//! The prompts of the edit flow: the crash-recovery banner (Restore / Discard / Later, under
//! the tool bar, never modal), the unsaved-changes question before opening a scenario or
//! quitting, and the in-app path field shown when no file dialog can be.

use crate::app::state::HetaoApp;
use crate::app::state::flow::{Guarded, UnsavedAnswer};
use eframe::egui;

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

/// The unsaved-changes question and the path field, as small windows.
pub fn windows(app: &mut HetaoApp, ctx: &egui::Context) {
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
