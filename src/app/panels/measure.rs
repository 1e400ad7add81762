//! The measure tab: geodesic beside planar figures of the current measurement.

use crate::app::measure::{MeasureKind, Measurement};
use crate::app::state::HetaoApp;
use crate::app::widgets::{fmt_area, fmt_len};
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    let grid = app.grid;
    let Some(m) = app.measure.clone() else {
        ui.label(
            egui::RichText::new(
                "Choose Distance or Area in the tool bar and click on the map, or press \
                 Measure in the inspector to measure a selected feature.",
            )
            .weak(),
        );
        return;
    };
    let fig = {
        let t = app.grid_transformer(grid);
        m.figures(t)
    };
    ui.heading(match m.kind {
        MeasureKind::Distance => "Distance",
        MeasureKind::Area => "Area",
    });
    ui.label(egui::RichText::new(format!("{} · {} vertices", m.label, m.points.len())).weak());
    egui::Grid::new("fig")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.label("");
            ui.strong("geodesic (WGS84)");
            ui.strong(format!("planar ({})", grid.name()));
            ui.end_row();
            match m.kind {
                MeasureKind::Distance => {
                    ui.label("length");
                    ui.label(fmt_len(fig.geodesic_length_m));
                    ui.label(fmt_len(fig.planar_length_m));
                    ui.end_row();
                }
                MeasureKind::Area => {
                    ui.label("area");
                    ui.label(fmt_area(fig.geodesic_area_m2));
                    ui.label(fmt_area(fig.planar_area_m2));
                    ui.end_row();
                    ui.label("perimeter");
                    ui.label(fmt_len(fig.geodesic_length_m));
                    ui.label(fmt_len(fig.planar_length_m));
                    ui.end_row();
                }
            }
        });
    if fig.geodesic_length_m > 0.0 && fig.planar_length_m > 0.0 {
        ui.label(
            egui::RichText::new(format!(
                "grid / ellipsoid length ratio {:.6}",
                fig.planar_length_m / fig.geodesic_length_m
            ))
            .small()
            .weak(),
        );
    }
    ui.horizontal(|ui| {
        if ui.button("📋 Copy").clicked() {
            ui.ctx().copy_text(m.to_clipboard(grid.name(), &fig));
            app.status = "measurement copied to the clipboard".into();
        }
        if ui.button("Clear").clicked() {
            app.measure = Some(Measurement::new(m.kind));
        }
    });
    ui.label(
        egui::RichText::new(format!(
            "Planar figures in {} (change it in the status bar).",
            grid.name()
        ))
        .small()
        .weak(),
    );
}
