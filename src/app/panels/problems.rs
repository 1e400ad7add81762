//! The Problems panel: files that failed to load with `hetao check`'s messages
//! (file:line:column), in a strip above the timeline that never covers the menus or the map.
//! Folds to its header line; Clear empties it.

use crate::app::state::HetaoApp;
use eframe::egui;

/// Show the panel when there are problems (a bottom panel, laid out before the map).
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    if app.problems.is_empty() {
        return;
    }
    let n_files = app.problems.len();
    let n_lines: usize = app.problems.iter().map(|p| p.lines.len()).sum();
    let folded = app.problems_folded;
    let panel = egui::Panel::bottom("problems").resizable(!folded);
    let panel = if folded {
        panel
    } else {
        panel.default_size(120.0).size_range(60.0..=400.0)
    };
    panel.show(ui, |ui| {
        ui.horizontal(|ui| {
            let arrow = if folded { "⏵" } else { "⏷" };
            let files = if n_files == 1 { "file" } else { "files" };
            let lines = if n_lines == 1 { "problem" } else { "problems" };
            let header = egui::RichText::new(format!(
                "{arrow} ⚠ Problems: {n_files} {files} failed to load ({n_lines} {lines})"
            ))
            .strong()
            .color(egui::Color32::from_rgb(170, 40, 30));
            if ui
                .add(egui::Label::new(header).sense(egui::Sense::click()))
                .on_hover_text("Fold or unfold the list")
                .clicked()
            {
                app.problems_folded = !app.problems_folded;
            }
            ui.label(
                egui::RichText::new("nothing else was changed; the messages are `hetao check`'s")
                    .weak()
                    .small(),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.small_button("Clear").clicked() {
                    app.clear_problems();
                }
            });
        });
        if folded {
            return;
        }
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for p in &app.problems {
                    for l in &p.lines {
                        ui.add(egui::Label::new(egui::RichText::new(l).monospace()).wrap());
                    }
                }
            });
    });
}
