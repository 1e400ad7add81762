//! The status bar: a failing-autosave badge (it stays until an autosave succeeds), cursor
//! position, grid, scale, running jobs with Cancel, the last message.

use crate::app::jobs::JobControl;
use crate::app::state::{Grid, HetaoApp};
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    let grid = app.grid;
    let projected = app.cursor.and_then(|(lon, lat)| {
        app.grid_transformer(grid)
            .and_then(|t| t.transform(lon, lat).ok())
    });
    ui.horizontal(|ui| {
        if let Some(why) = &app.autosave_failure {
            let badge = egui::Frame::new()
                .fill(egui::Color32::from_rgb(190, 30, 30))
                .corner_radius(3.0)
                .inner_margin(egui::Margin::symmetric(6, 1))
                .show(ui, |ui| {
                    ui.label(
                        egui::RichText::new("⚠ Autosave failing")
                            .strong()
                            .color(egui::Color32::WHITE),
                    )
                });
            badge.response.on_hover_text(format!(
                "Unsaved edits are not being kept safe: {why}. Save the scenario, or free the \
                 folder; this goes once an autosave succeeds."
            ));
            ui.separator();
        }
        match app.cursor {
            Some((lon, lat)) => {
                ui.monospace(format!("WGS84 {lat:.6}°N {lon:.6}°E"));
            }
            None => {
                ui.monospace("WGS84 —");
            }
        }
        ui.separator();
        let grid_label = ui.label("Grid").id;
        egui::ComboBox::from_id_salt("grid")
            .selected_text(grid.name())
            .width(150.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.grid, Grid::Hk1980, "HK1980 Grid (EPSG:2326)");
                ui.selectable_value(
                    &mut app.grid,
                    Grid::Cgcs2000,
                    "CGCS2000 GK 114°E (EPSG:4547)",
                );
            })
            .response
            .labelled_by(grid_label);
        match projected {
            Some((e, n)) => ui.monospace(format!("E {e:.2}  N {n:.2} m")),
            None => ui.monospace("E —  N —"),
        };
        ui.separator();
        let cam = app.view.camera(app.map_size.0, app.map_size.1, 1.0);
        ui.monospace(format!(
            "1:{}  z{:.2}",
            crate::core::zone::planning::thousands(crate::app::view::scale_denominator(&cam)),
            app.view.zoom
        ));
        ui.separator();
        let jobs: Vec<(String, JobControl)> = app
            .zone_job
            .iter()
            .map(|j| (j.label.clone(), j.control.clone()))
            .chain(
                app.file_jobs
                    .iter()
                    .map(|j| (j.label.clone(), j.control.clone())),
            )
            .chain(
                app.export_job
                    .iter()
                    .map(|j| (j.label.clone(), j.control.clone())),
            )
            .chain(app.reach.job_control())
            .collect();
        for (label, c) in jobs {
            let p = c.progress();
            let bar = if p.is_finite() && p > 0.0 {
                egui::ProgressBar::new(p).show_percentage()
            } else {
                egui::ProgressBar::new(0.0).animate(true)
            };
            ui.add(bar.desired_width(120.0).text(label));
            if ui.small_button("Cancel").clicked() {
                c.cancel();
            }
            ui.ctx().request_repaint();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            // Elided to the room left, never drawn over the figures; the whole message on hover.
            ui.add(egui::Label::new(egui::RichText::new(&app.status).weak()).truncate())
                .on_hover_text(&app.status);
        });
    });
}
