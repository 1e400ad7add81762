//! The inspector tab: the selected feature (or a summary of several) and its units.

use super::edit;
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

/// The inspector of one feature: title, properties, history, units and the edit form.
pub fn inspect_one(app: &mut HetaoApp, ui: &mut egui::Ui, r: &FeatureRef) {
    let Some(f) = app.feature(r).cloned() else {
        ui.label("The selected feature no longer exists.");
        return;
    };
    // A feature without an id (a file layer's) shows and edits under an empty one.
    let id = feature_id(&f).unwrap_or_default();
    let title = f
        .prop_str("name")
        .or_else(|| f.prop_str("platform"))
        .map(str::to_string)
        .unwrap_or_else(|| id.clone());
    ui.heading(title);
    let layer_title = app
        .layers
        .iter()
        .find(|e| e.name == r.layer)
        .map_or(r.layer.clone(), |e| e.title.clone());
    ui.label(
        egui::RichText::new(format!("{layer_title} · {} · id {id}", f.geometry_type())).weak(),
    );
    ui.horizontal(|ui| {
        if ui.button("Zoom to").clicked() {
            app.fly_to_feature(r);
        }
        if ui
            .button("📏 Measure")
            .on_hover_text("Measure this feature (area and perimeter, or length)")
            .clicked()
            && let Some(g) = &f.geometry
            && let Some(m) = crate::app::measure::from_geometry(g, &id)
        {
            app.measure = Some(m);
            app.tab = Tab::Measure;
        }
    });
    let editable = TEMPORAL_LAYERS.contains(&r.layer.as_str());
    if editable {
        let st = status_as_of(&f, app.year).unwrap_or("not yet planned");
        ui.label(format!("Status in {}: {st}", app.year));
    }
    egui::CollapsingHeader::new("Properties")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("props")
                .striped(true)
                .num_columns(2)
                .show(ui, |ui| {
                    if let Some(p) = &f.properties {
                        for (k, v) in p {
                            if k == "history" {
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
                    }
                });
        });
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
    if r.layer == "buildings" {
        let units: Vec<(usize, Feature)> = app
            .doc
            .current()
            .layer("research_units")
            .map(|l| {
                l.features
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| u.prop_str("building_id") == Some(id.as_str()))
                    .map(|(i, u)| (i, u.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let mut pick = None;
        egui::CollapsingHeader::new(format!("Research-space units ({})", units.len()))
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("units").striped(true).show(ui, |ui| {
                    ui.strong("unit");
                    ui.strong("kind");
                    ui.strong("m²");
                    ui.strong(format!("status {}", app.year));
                    ui.end_row();
                    for (i, u) in &units {
                        if ui.link(feature_id(u).unwrap_or_default()).clicked() {
                            pick = Some(FeatureRef {
                                layer: "research_units".into(),
                                index: *i,
                            });
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
        if let Some(p) = pick {
            app.select(Some(p));
        }
    }
    if editable {
        ui.separator();
        edit::edit_controls(app, ui, &f, &id, &r.layer);
    }
}
