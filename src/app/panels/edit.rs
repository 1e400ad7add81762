//! The edit forms of the inspector: status, year and floor area of a feature, and the new building.

use crate::app::pick::FeatureRef;
use crate::app::state::{EditForm, HetaoApp};
use crate::core::zone::{Edit, Status, Use, feature_id, status_as_of};
use eframe::egui;

/// The edit form of a building or research unit (status, year, floor area, delete).
pub fn edit_controls(app: &mut HetaoApp, ui: &mut egui::Ui, r: &FeatureRef) {
    ui.heading("Edit (scenario)");
    let area_key = if r.layer == "buildings" {
        "gfa_m2"
    } else {
        "floor_area_m2"
    };
    let Some(f) = app.feature(r) else {
        return;
    };
    let id = feature_id(f);
    let warnings = app.plausibility(f);
    if app.form.as_ref().is_none_or(|fm| fm.id != id) {
        let last_year = f
            .prop("history")
            .and_then(|h| h.as_array())
            .and_then(|h| h.last())
            .and_then(|e| e.get("year"))
            .and_then(serde_json::Value::as_i64)
            .and_then(|y| i32::try_from(y).ok())
            .unwrap_or(app.year);
        let form = EditForm {
            id: id.clone(),
            status: status_as_of(f, app.year).unwrap_or("planned").to_string(),
            status_year: app.year,
            year: last_year,
            m2: f.prop_f64(area_key).unwrap_or(0.0),
        };
        app.form = Some(form);
    }
    let id = id.as_str();
    let Some(mut form) = app.form.clone() else {
        return;
    };
    let mut edit = None;
    let mut delete = false;
    egui::Grid::new("edit").num_columns(3).show(ui, |ui| {
        let status_label = ui.label("Status").id;
        ui.horizontal(|ui| {
            egui::ComboBox::from_id_salt("edit-status")
                .selected_text(form.status.clone())
                .show_ui(ui, |ui| {
                    for s in Status::ALL {
                        ui.selectable_value(&mut form.status, s.as_str().to_string(), s.as_str());
                    }
                })
                .response
                .labelled_by(status_label);
            let from = ui.label("from").id;
            ui.add(egui::DragValue::new(&mut form.status_year).range(2000..=2060))
                .labelled_by(from);
        });
        if ui.button("Set status").clicked() {
            edit = Some(Edit::SetStatus {
                id: id.to_string(),
                status: form.status.clone(),
                year: form.status_year,
            });
        }
        ui.end_row();
        let year_label = ui.label("Year of last step").id;
        ui.add(egui::DragValue::new(&mut form.year).range(2000..=2060))
            .labelled_by(year_label);
        if ui.button("Set year").clicked() {
            edit = Some(Edit::SetYear {
                id: id.to_string(),
                year: form.year,
            });
        }
        ui.end_row();
        ui.label("Floor area");
        ui.add(
            egui::DragValue::new(&mut form.m2)
                .range(0.0..=2_000_000.0)
                .speed(100.0)
                .suffix(" m²"),
        );
        if ui.button("Set area").clicked() {
            edit = Some(Edit::SetFloorArea {
                id: id.to_string(),
                m2: form.m2,
            });
        }
        ui.end_row();
    });
    if ui
        .button(egui::RichText::new("🗑 Delete").color(egui::Color32::from_rgb(190, 40, 40)))
        .on_hover_text("Remove from the scenario (a building takes its units with it)")
        .clicked()
    {
        delete = true;
    }
    for w in warnings {
        ui.label(egui::RichText::new(format!("⚠ {w}")).color(egui::Color32::from_rgb(176, 96, 0)));
    }
    app.form = Some(form);
    if let Some(e) = edit {
        app.edit(e);
    }
    if delete {
        app.delete_selected();
    }
}

/// The form for a building just drawn: id, park, use, GFA, status.
pub fn new_building_form(app: &mut HetaoApp, ui: &mut egui::Ui) {
    let Some(mut nb) = app.new_building.clone() else {
        return;
    };
    let mut add = false;
    let mut cancel = false;
    ui.heading("New building");
    egui::Grid::new("newb").num_columns(2).show(ui, |ui| {
        ui.label("Id");
        ui.text_edit_singleline(&mut nb.id);
        ui.end_row();
        ui.label("Park");
        ui.horizontal(|ui| {
            ui.selectable_value(&mut nb.park, "SZ".to_string(), "Shenzhen");
            ui.selectable_value(&mut nb.park, "HK".to_string(), "Hong Kong");
        });
        ui.end_row();
        ui.label("Use");
        egui::ComboBox::from_id_salt("nb-use")
            .selected_text(nb.use_.clone())
            .show_ui(ui, |ui| {
                for u in Use::ALL {
                    ui.selectable_value(&mut nb.use_, u.as_str().to_string(), u.as_str());
                }
            });
        ui.end_row();
        ui.label("GFA");
        ui.add(
            egui::DragValue::new(&mut nb.gfa_m2)
                .range(0.0..=2_000_000.0)
                .speed(100.0)
                .suffix(" m²"),
        );
        ui.end_row();
        ui.label("Status");
        ui.horizontal(|ui| {
            egui::ComboBox::from_id_salt("nb-status")
                .selected_text(nb.status.clone())
                .show_ui(ui, |ui| {
                    for s in Status::ALL {
                        ui.selectable_value(&mut nb.status, s.as_str().to_string(), s.as_str());
                    }
                });
            ui.label("in");
            ui.add(egui::DragValue::new(&mut nb.year).range(2000..=2060));
        });
        ui.end_row();
    });
    ui.horizontal(|ui| {
        add = ui.button("Add building").clicked();
        cancel = ui.button("Cancel").clicked();
    });
    app.new_building = Some(nb);
    if add {
        app.add_new_building();
    }
    if cancel {
        app.new_building = None;
        app.edit_error = None;
    }
}
