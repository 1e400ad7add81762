//! The menu bar (File, Edit, View) and the Export submenu.

use crate::app::export;
use crate::app::state::{HetaoApp, Tab};
use crate::app::view::ZONE_EXTENT;
use crate::core::model::Feature;
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open GeoJSON layer…").clicked() {
                ui.close();
                if let Some(p) = rfd::FileDialog::new()
                    .add_filter("GeoJSON", &["geojson", "json"])
                    .pick_file()
                {
                    app.open_file(p, ui.ctx());
                }
            }
            ui.separator();
            if ui.button("Open scenario…").clicked() {
                ui.close();
                if let Some(p) = rfd::FileDialog::new()
                    .add_filter("Scenario", &["json"])
                    .pick_file()
                {
                    match app.doc.open(&p) {
                        Ok(()) => {
                            app.status = format!("opened {}", p.display());
                            app.after_doc_change();
                        }
                        Err(e) => app.edit_error = Some(e.to_string()),
                    }
                }
            }
            if ui.button("Save scenario").clicked() {
                ui.close();
                let p = app.doc.path.clone().or_else(|| {
                    rfd::FileDialog::new()
                        .set_file_name("scenario.json")
                        .save_file()
                });
                if let Some(p) = p {
                    app.save_scenario(&p);
                }
            }
            if ui.button("Save scenario as…").clicked() {
                ui.close();
                if let Some(p) = rfd::FileDialog::new()
                    .set_file_name("scenario.json")
                    .save_file()
                {
                    app.save_scenario(&p);
                }
            }
            ui.separator();
            ui.menu_button("Export", |ui| export_menu(app, ui));
            ui.separator();
            if ui.button("Quit").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("Edit", |ui| {
            if ui
                .add_enabled(app.doc.can_undo(), egui::Button::new("Undo  (Ctrl+Z)"))
                .clicked()
            {
                app.undo();
                ui.close();
            }
            if ui
                .add_enabled(app.doc.can_redo(), egui::Button::new("Redo  (Ctrl+Y)"))
                .clicked()
            {
                app.redo();
                ui.close();
            }
            ui.separator();
            if ui.button("Clear selection").clicked() {
                app.selection.clear();
                ui.close();
            }
        });
        ui.menu_button("View", |ui| {
            if ui.button("Zoom to the zone  (Home)").clicked() {
                let (w, h) = app.map_size;
                app.view.fly_to_bbox(ZONE_EXTENT, w, h, 20.0);
                ui.close();
            }
            ui.separator();
            ui.checkbox(&mut app.layout.left_open, "Layers panel  ( [ )");
            ui.checkbox(&mut app.layout.right_open, "Side panel  ( ] )");
            ui.checkbox(&mut app.layout.legend_open, "Legend on the map");
            ui.separator();
            for (tab, name) in [
                (Tab::Inspector, "Inspector"),
                (Tab::Measure, "Measure"),
                (Tab::Dashboard, "Floor space"),
                (Tab::Reach, "Reach"),
            ] {
                if ui.button(name).clicked() {
                    app.tab = tab;
                    app.layout.right_open = true;
                    ui.close();
                }
            }
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Keyboard shortcuts  (F1)").clicked() {
                app.shortcuts_open = true;
                ui.close();
            }
        });
    });
}

/// The File › Export submenu.
pub fn export_menu(app: &mut HetaoApp, ui: &mut egui::Ui) {
    if ui.button("Map snapshot (PNG + world file)…").clicked() {
        app.snapshot_dialog = Some((2.0, "Hetao Shenzhen–Hong Kong S&T Cooperation Zone".into()));
        ui.close();
    }
    if ui
        .add_enabled(
            !app.selection.is_empty(),
            egui::Button::new("Selection as GeoJSON…"),
        )
        .clicked()
    {
        ui.close();
        if let Some(p) = rfd::FileDialog::new()
            .set_file_name("selection.geojson")
            .save_file()
        {
            let feats: Vec<&Feature> = app
                .selection
                .iter()
                .filter_map(|r| app.feature(r))
                .collect();
            app.status = match export::write_geojson(&p, "selection", feats) {
                Ok(n) => format!("wrote {n} features to {}", p.display()),
                Err(e) => format!("export failed: {e}"),
            };
        }
    }
    if ui.button("Dashboard table as CSV…").clicked() {
        ui.close();
        if let Some(p) = rfd::FileDialog::new()
            .set_file_name(format!("hetao-floor-space-{}.csv", app.year))
            .save_file()
        {
            let st = app.stats().clone();
            app.status = match export::write_dashboard_csv(&p, &st) {
                Ok(()) => format!("wrote {}", p.display()),
                Err(e) => format!("export failed: {e}"),
            };
        }
    }
}

/// Export one layer as GeoJSON (asks where).
pub fn export_layer(app: &mut HetaoApp, name: &str) {
    if let Some(p) = rfd::FileDialog::new()
        .set_file_name(format!("{name}.geojson"))
        .save_file()
        && let Some(l) = app.layer_data(name)
    {
        app.status = match export::write_geojson(&p, name, &l.features) {
            Ok(n) => format!("wrote {n} features to {}", p.display()),
            Err(e) => format!("export failed: {e}"),
        };
    }
}
