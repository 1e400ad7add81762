//! Floating windows: the snapshot dialog, the keyboard shortcuts, and the edit flow's
//! prompts ([`super::prompts`]: unsaved changes, the path field).

use crate::app::dialogs::{Purpose, Request};
use crate::app::state::HetaoApp;
use crate::app::state::layout::SHORTCUTS;
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ctx: &egui::Context) {
    shortcuts(app, ctx);
    if let Some((scale, mut title)) = app.snapshot_dialog.clone() {
        let mut scale = scale;
        let mut go = false;
        let mut close = false;
        egui::Window::new("Export map snapshot")
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.label("Title");
                    ui.text_edit_singleline(&mut title);
                });
                ui.horizontal(|ui| {
                    ui.label("Resolution");
                    for s in [1.0, 2.0, 4.0] {
                        let (w, h) = (app.map_size.0 * s, app.map_size.1 * s);
                        ui.selectable_value(&mut scale, s, format!("{w:.0}×{h:.0}"));
                    }
                });
                ui.label(
                    egui::RichText::new(
                        "The current view with legend, scale bar, north arrow, title and \
                         attribution; a world file (.pgw, EPSG:3857) is written beside it.",
                    )
                    .small()
                    .weak(),
                );
                ui.horizontal(|ui| {
                    go = ui.button("Save as…").clicked();
                    close = ui.button("Cancel").clicked();
                });
            });
        app.snapshot_dialog = Some((scale, title.clone()));
        if close {
            app.snapshot_dialog = None;
        }
        if go {
            app.snapshot_dialog = None;
            app.request_file(
                Request::save(
                    Purpose::Snapshot { scale, title },
                    "Export map snapshot",
                    "hetao-map.png",
                    ("PNG", &["png"]),
                ),
                ctx,
            );
        }
    }
    super::prompts::windows(app, ctx);
}

/// Help › Keyboard shortcuts: every key of the window ([`SHORTCUTS`]).
fn shortcuts(app: &mut HetaoApp, ctx: &egui::Context) {
    if !app.shortcuts_open {
        return;
    }
    let mut open = true;
    egui::Window::new("Keyboard shortcuts")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                for (key, what) in SHORTCUTS {
                    ui.monospace(*key);
                    ui.label(*what);
                    ui.end_row();
                }
            });
        });
    app.shortcuts_open = open && app.shortcuts_open;
}
