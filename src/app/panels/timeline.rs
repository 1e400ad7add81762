//! The timeline: play, step and the year slider.

use crate::app::state::HetaoApp;
use crate::app::time::YEARS;
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    ui.add_space(2.0);
    ui.horizontal(|ui| {
        let play = if app.playing { "⏸ Pause" } else { "▶ Play" };
        if ui
            .button(play)
            .on_hover_text("Play the years 2017–2035")
            .clicked()
        {
            if !app.playing && app.year >= *YEARS.end() {
                app.year = *YEARS.start();
            }
            app.playing = !app.playing;
            app.play_accum = 0.0;
        }
        if ui.small_button("⏮").clicked() {
            app.year = *YEARS.start();
        }
        if ui.small_button("◀").clicked() {
            app.year = (app.year - 1).max(*YEARS.start());
        }
        if ui.small_button("▶").clicked() {
            app.year = (app.year + 1).min(*YEARS.end());
        }
        let year_label = ui
            .label(egui::RichText::new(format!("As of {}", app.year)).strong())
            .id;
        ui.spacing_mut().slider_width = (ui.available_width() - 20.0).max(100.0);
        ui.add(
            egui::Slider::new(&mut app.year, YEARS)
                .show_value(false)
                .step_by(1.0),
        )
        .labelled_by(year_label)
        .on_hover_text("Timeline year: the map and the dashboard show the zone as of it");
    });
    ui.add_space(2.0);
}
