//! The inspector tab: the selected feature (or a summary of several) and its units.

use super::edit;
use crate::app::describe;
use crate::app::pick::FeatureRef;
use crate::app::state::{HetaoApp, Tab};
use crate::app::time::TEMPORAL_LAYERS;
use crate::core::model::Feature;
use crate::core::zone::{feature_id, status_as_of};
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    if let Some(e) = &app.edit_error {
        ui.colored_label(egui::Color32::from_rgb(200, 40, 40), format!("⚠ {e}"));
    }
    if app.new_building.is_some() {
        edit::new_building_form(app, ui);
        ui.separator();
    }
    match app.selection.len() {
        0 => {
            ui.label(
                egui::RichText::new(
                    "Click a feature on the map to inspect it. Shift+drag selects every \
                     feature inside a box.",
                )
                .weak(),
            );
        }
        1 => {
            let r = app.selection[0].clone();
            inspect_one(app, ui, &r);
        }
        n => {
            ui.heading(format!("{n} features selected"));
            let mut by_layer: Vec<(String, usize, f64)> = Vec::new();
            for r in &app.selection {
                let g = app
                    .feature(r)
                    .map_or(0.0, |f| f.prop_f64("gfa_m2").unwrap_or(0.0));
                match by_layer.iter_mut().find(|b| b.0 == r.layer) {
                    Some(b) => {
                        b.1 += 1;
                        b.2 += g;
                    }
                    None => by_layer.push((r.layer.clone(), 1, g)),
                }
            }
            egui::Grid::new("multi").striped(true).show(ui, |ui| {
                ui.strong("layer");
                ui.strong("features");
                ui.strong("GFA m²");
                ui.end_row();
                for (l, c, g) in by_layer {
                    ui.label(l);
                    ui.label(c.to_string());
                    ui.label(crate::core::zone::planning::thousands(g));
                    ui.end_row();
                }
            });
            let mut pick = None;
            egui::CollapsingHeader::new("Features").show(ui, |ui| {
                for r in app.selection.iter().take(200) {
                    let name = app.feature(r).and_then(feature_id).unwrap_or_default();
                    if ui.link(format!("{} · {name}", r.layer)).clicked() {
                        pick = Some(r.clone());
                    }
                }
            });
            if let Some(r) = pick {
                app.fly_to_feature(&r);
                app.select(Some(r));
            }
        }
    }
}

/// What the inspector of one feature can ask for (applied after drawing, when the feature
/// is no longer borrowed).
enum Action {
    ZoomTo,
    Measure,
    Select(FeatureRef),
}

/// The inspector of one feature: its names, the planner's fields (or the key figure), the
/// source as one line, the conversion history, a building's units, other properties (folded)
/// and the edit form. Reads the feature in place: nothing is cloned per frame.
pub fn inspect_one(app: &mut HetaoApp, ui: &mut egui::Ui, r: &FeatureRef) {
    let is_building = r.layer == "buildings";
    let unit_ids = match app.feature(r) {
        Some(f) if is_building => feature_id(f).map_or_else(Vec::new, |id| app.units_of(&id)),
        Some(_) => Vec::new(),
        None => {
            ui.label("The selected feature no longer exists.");
            return;
        }
    };
    let editable = TEMPORAL_LAYERS.contains(&r.layer.as_str());
    let mut action = None;
    {
        let Some(f) = app.feature(r) else {
            return;
        };
        let entry = app.layers.iter().find(|e| e.name == r.layer);
        let units_layer = app.layer_data("research_units");
        let units: Vec<&Feature> = unit_ids
            .iter()
            .filter_map(|i| units_layer.and_then(|l| l.features.get(*i)))
            .collect();
        let id = feature_id(f).map_or_else(String::new, |id| format!(" · id {id}"));
        let (en, zh) = describe::names(f);
        ui.add(egui::Label::new(egui::RichText::new(&en).heading()).wrap());
        if let Some(zh) = zh {
            ui.add(egui::Label::new(egui::RichText::new(zh).size(15.0)).wrap());
        }
        let layer_title = entry.map_or(r.layer.as_str(), |e| e.title.as_str());
        ui.add(egui::Label::new(egui::RichText::new(format!("{layer_title}{id}")).weak()).wrap());
        if let Some((who, rev)) =
            feature_id(f).and_then(|fid| app.db.as_ref().and_then(|l| l.edited_by(&fid).cloned()))
        {
            ui.label(
                egui::RichText::new(format!("Edited by {who} (shared revision {rev})"))
                    .color(egui::Color32::from_rgb(30, 90, 170)),
            );
        }
        ui.horizontal_wrapped(|ui| {
            if ui.button("Zoom to").clicked() {
                action = Some(Action::ZoomTo);
            }
            if ui
                .button("📏 Measure")
                .on_hover_text("Measure this feature (area and perimeter, or length)")
                .clicked()
            {
                action = Some(Action::Measure);
            }
        });
        egui::Grid::new("planner")
            .striped(true)
            .num_columns(2)
            .show(ui, |ui| {
                let rows = if editable {
                    describe::planner_fields(f, app.year, &units)
                } else {
                    describe::key_figure(f)
                        .map(|k| vec![("figure", k)])
                        .unwrap_or_default()
                };
                for (k, v) in rows {
                    ui.label(egui::RichText::new(k).strong());
                    ui.add(egui::Label::new(v).wrap());
                    ui.end_row();
                }
            });
        let source = describe::source_line(entry.and_then(|e| e.attribution.as_deref()));
        ui.add(
            egui::Label::new(
                egui::RichText::new(format!("Source: {source}"))
                    .small()
                    .weak(),
            )
            .truncate(),
        )
        .on_hover_text(&source);
        if let Some(h) = f.prop("history").and_then(|h| h.as_array()) {
            egui::CollapsingHeader::new("Conversion history")
                .default_open(true)
                .show(ui, |ui| {
                    egui::Grid::new("history").striped(true).show(ui, |ui| {
                        ui.strong("year");
                        ui.strong("status");
                        ui.end_row();
                        for e in h {
                            ui.label(e.get("year").map(|y| y.to_string()).unwrap_or_default());
                            ui.label(e.get("status").and_then(|s| s.as_str()).unwrap_or("?"));
                            ui.end_row();
                        }
                    });
                });
        }
        if is_building {
            egui::CollapsingHeader::new(format!("Research-space units ({})", units.len()))
                .default_open(true)
                .show(ui, |ui| {
                    egui::Grid::new("units").striped(true).show(ui, |ui| {
                        ui.strong("unit");
                        ui.strong("kind");
                        ui.strong("m²");
                        ui.strong(format!("status {}", app.year));
                        ui.end_row();
                        for (i, u) in unit_ids.iter().zip(&units) {
                            if ui.link(feature_id(u).unwrap_or_default()).clicked() {
                                action = Some(Action::Select(FeatureRef {
                                    layer: "research_units".into(),
                                    index: *i,
                                }));
                            }
                            ui.label(u.prop_str("kind").unwrap_or(""));
                            ui.label(crate::core::zone::planning::thousands(
                                u.prop_f64("floor_area_m2").unwrap_or(0.0),
                            ));
                            ui.label(status_as_of(u, app.year).unwrap_or("—"));
                            ui.end_row();
                        }
                    });
                });
        }
        egui::CollapsingHeader::new("Other properties")
            .default_open(false)
            .show(ui, |ui| {
                egui::Grid::new("props")
                    .striped(true)
                    .num_columns(2)
                    .show(ui, |ui| {
                        for (k, v) in f.properties.iter().flatten() {
                            if describe::PROVENANCE_KEYS.contains(&k) {
                                continue;
                            }
                            ui.label(egui::RichText::new(k).strong());
                            let text = match (v.as_str(), v.as_number()) {
                                (Some(s), _) => s.to_string(),
                                (None, Some(n)) => match n.as_f64() {
                                    Some(x) if k.ends_with("m2") => {
                                        format!("{} m²", crate::core::zone::planning::thousands(x))
                                    }
                                    _ => n.to_string(),
                                },
                                (None, None) => v.to_string(),
                            };
                            ui.add(egui::Label::new(text).wrap());
                            ui.end_row();
                        }
                    });
            });
    }
    match action {
        Some(Action::ZoomTo) => app.fly_to_feature(r),
        Some(Action::Measure) => {
            let m = app.feature(r).and_then(|f| {
                let g = f.geometry.as_ref()?;
                crate::app::measure::from_geometry(g, &feature_id(f).unwrap_or_default())
            });
            if let Some(m) = m {
                app.measure = Some(m);
                app.tab = Tab::Measure;
            }
        }
        Some(Action::Select(u)) => app.select(Some(u)),
        None => {}
    }
    if editable {
        ui.separator();
        edit::edit_controls(app, ui, r);
    }
}
