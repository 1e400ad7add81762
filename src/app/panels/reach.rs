//! The Reach tab: origin, mode, minutes, departure, assumptions, bands and destination times.

use crate::app::reach::{DEBOUNCE, DEST_LIMIT_MIN, attribution, clock, parse_minutes, road_layer};
use crate::app::state::reach::selection_centroid;
use crate::app::state::{HetaoApp, Tool};
use crate::app::widgets::{fmt_area, legend_swatches};
use crate::core::reach::{Mode, ReachParams};
use eframe::egui;
use std::time::Instant;

/// The Reach tab.
pub fn panel(app: &mut HetaoApp, ui: &mut egui::Ui) {
    let now = Instant::now();
    ui.heading("Travel reach (modelled)");
    ui.label(
        egui::RichText::new(
            "Choose the ◎ Reach tool and click the map to set the origin. Results are modelled \
             from published timetables and assumed speeds, not observed.",
        )
        .weak(),
    );
    ui.horizontal(|ui| {
        if ui
            .selectable_label(app.tool == Tool::Reach, "◎ Pick origin on the map")
            .clicked()
        {
            app.tool = if app.tool == Tool::Reach {
                Tool::Select
            } else {
                Tool::Reach
            };
        }
        let centroid = selection_centroid(app);
        if ui
            .add_enabled(
                centroid.is_some(),
                egui::Button::new("Use selected feature's centroid"),
            )
            .clicked()
            && let Some(c) = centroid
        {
            app.reach.set_origin(c, now);
        }
    });
    match app.reach.origin {
        Some((lon, lat)) => ui.label(format!("Origin: {lon:.5}, {lat:.5}")),
        None => ui.label("Origin: not set"),
    };
    let roads = road_layer(&app.user_layers).map(|l| l.name.clone());
    let st = &mut app.reach;
    let mut changed = false;
    ui.horizontal(|ui| {
        ui.label("Mode");
        for m in [Mode::Walk, Mode::Cycle, Mode::Transit, Mode::Drive] {
            changed |= ui.selectable_value(&mut st.mode, m, m.name()).changed();
        }
    });
    ui.label(
        egui::RichText::new(match &roads {
            Some(name) => format!("Streets: the loaded layer {name} (noded)"),
            None => "Streets: the shipped OSM streets of the Hong Kong side; a loaded road layer (OSM highway lines) replaces them".to_string(),
        })
        .weak()
        .small(),
    );
    ui.horizontal(|ui| {
        let lbl = ui.label("Minutes").id;
        let r = ui
            .add(egui::TextEdit::singleline(&mut st.minutes_text).desired_width(120.0))
            .labelled_by(lbl);
        if r.lost_focus() || (r.changed() && !r.has_focus()) {
            match parse_minutes(&st.minutes_text) {
                Ok(v) => {
                    if v != st.minutes {
                        st.minutes = v;
                        changed = true;
                    }
                    st.error = None;
                }
                Err(e) => st.error = Some(e),
            }
        }
    });
    let mut slider_released = false;
    let mut slider = |r: egui::Response, changed: &mut bool| {
        if r.changed() {
            *changed = true;
        }
        if r.drag_stopped() {
            slider_released = true;
        }
    };
    let r = ui.add(
        egui::Slider::new(&mut st.depart, 0.0..=(24.0 * 60.0 - 15.0))
            .step_by(15.0)
            .text("depart")
            .custom_formatter(|v, _| clock(v))
            .custom_parser(crate::core::reach::params::parse_clock),
    );
    slider(r, &mut changed);
    ui.collapsing("Assumptions", |ui| {
        let r = ui.add(
            egui::Slider::new(&mut st.params.walk_speed_mps, 0.5..=2.0)
                .text("walking speed, m/s")
                .fixed_decimals(2),
        );
        slider(r, &mut changed);
        let r = ui.add(
            egui::Slider::new(&mut st.params.circuity, 1.0..=2.0)
                .text("circuity")
                .fixed_decimals(2),
        );
        slider(r, &mut changed);
        ui.label("Boundary control points: dwell, minutes");
        for cp in &mut st.params.control_points {
            ui.label(egui::RichText::new(&cp.name).strong());
            let r = ui.add(
                egui::Slider::new(&mut cp.dwell_min.hk_to_sz, 0.0..=120.0)
                    .text("HK → SZ")
                    .fixed_decimals(0),
            );
            slider(r, &mut changed);
            let r = ui.add(
                egui::Slider::new(&mut cp.dwell_min.sz_to_hk, 0.0..=120.0)
                    .text("SZ → HK")
                    .fixed_decimals(0),
            );
            slider(r, &mut changed);
        }
        if ui.button("Reset to the defaults").clicked() {
            st.params = ReachParams::default();
            changed = true;
        }
    });
    if changed {
        st.request(now);
    }
    if slider_released {
        // released: start now rather than after the pause
        st.changed_at = now.checked_sub(DEBOUNCE);
    }
    if let Some(e) = &st.error {
        ui.colored_label(egui::Color32::from_rgb(200, 40, 40), format!("⚠ {e}"));
    }
    ui.horizontal(|ui| {
        if st.running() {
            ui.add(egui::Spinner::new());
            ui.label("computing…");
        } else if st.dirty {
            ui.label("waiting for changes to settle…");
        }
    });
    ui.separator();
    if !st.bands.is_empty() {
        ui.label(egui::RichText::new("Bands").strong());
        let style = st.style();
        legend_swatches(ui, &style, false);
        egui::Grid::new("reach-bands").striped(true).show(ui, |ui| {
            ui.label("minutes");
            ui.label("area");
            ui.label("network");
            ui.end_row();
            for b in &st.bands {
                ui.label(format!("{}", b.minutes));
                ui.label(fmt_area(b.area_m2));
                // Short names; the street layer's name is in the line above the minutes.
                let short: Vec<&str> = b
                    .networks
                    .iter()
                    .map(|n| n.split(" (").next().unwrap_or(n))
                    .collect();
                ui.label(short.join(" + "))
                    .on_hover_text(b.networks.join(" + "));
                ui.end_row();
            }
        });
        if let Some(req) = &st.shown {
            ui.label(
                egui::RichText::new(attribution(req.mode, &req.params, req.depart))
                    .weak()
                    .small(),
            );
        }
        if ui.button("Export bands as GeoJSON…").clicked() {
            app.request_file(
                crate::app::dialogs::Request::save(
                    crate::app::dialogs::Purpose::ExportReach,
                    "Export the reach bands",
                    "reach.geojson",
                    crate::app::state::flow::GEOJSON_FILTER,
                ),
                ui.ctx(),
            );
        }
    }
    let st = &app.reach;
    if !st.destinations.is_empty() {
        ui.separator();
        ui.label(egui::RichText::new("Named destinations").strong());
        egui::Grid::new("reach-dest").striped(true).show(ui, |ui| {
            ui.label("destination");
            ui.label("minutes");
            ui.label("crossing");
            ui.end_row();
            for d in &st.destinations {
                ui.label(&d.name);
                ui.label(
                    d.minutes
                        .map_or_else(|| format!("> {DEST_LIMIT_MIN:.0}"), |m| format!("{m:.0}")),
                );
                ui.label(d.crossing.as_deref().unwrap_or("—"));
                ui.end_row();
            }
        });
    }
}
