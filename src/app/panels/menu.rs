//! The menu bar (File, Edit, View) and the Export submenu.

use crate::app::dialogs::OPEN_LAYERS_FILTER;
use crate::app::dialogs::{Purpose, Request};
use crate::app::state::flow::GEOJSON_FILTER;
use crate::app::state::{HetaoApp, Tab};
use crate::app::view::ZONE_EXTENT;
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open layers…").clicked() {
                ui.close();
                app.request_file(
                    Request::open(Purpose::OpenLayers, "Open layers", OPEN_LAYERS_FILTER),
                    ui.ctx(),
                );
            }
            ui.separator();
            if ui.button("Open scenario…").clicked() {
                ui.close();
                app.open_scenario_dialog(ui.ctx());
            }
            if ui.button("Save scenario  (Ctrl+S)").clicked() {
                ui.close();
                app.save_or_ask(ui.ctx());
            }
            if ui.button("Save scenario as…  (Ctrl+Shift+S)").clicked() {
                ui.close();
                app.save_as_dialog(ui.ctx());
            }
            ui.separator();
            if ui.button("Database…").clicked() {
                ui.close();
                crate::app::panels::database::open(app);
            }
            ui.separator();
            ui.menu_button("Export", |ui| export_menu(app, ui));
            ui.separator();
            if ui.button("Quit  (Ctrl+Q)").clicked() {
                // the close request goes through the unsaved-changes prompt
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
        crate::app::panels::database::badge(app, ui);
    });
}

/// The File › Export submenu.
pub fn export_menu(app: &mut HetaoApp, ui: &mut egui::Ui) {
    for (label, timeline) in [
        ("Map page (PDF, SVG, PNG)…", false),
        ("Timeline animation (GIF, PDF)…", true),
    ] {
        if ui.button(label).clicked() {
            let legend = app
                .layers
                .iter()
                .filter(|e| e.visible && e.style.legend)
                .map(|e| (e.name.clone(), e.style.title.clone(), true))
                .collect();
            app.snapshot_dialog = Some(crate::app::export::PageDialog::new(
                "Hetao Shenzhen–Hong Kong Science and Technology Innovation Cooperation Zone",
                legend,
                timeline,
            ));
            ui.close();
        }
    }
    if ui
        .add_enabled(
            !app.selection.is_empty(),
            egui::Button::new("Selection as GeoJSON…"),
        )
        .clicked()
    {
        ui.close();
        app.request_file(
            Request::save(
                Purpose::ExportSelection,
                "Export the selection as GeoJSON",
                "selection.geojson",
                GEOJSON_FILTER,
            ),
            ui.ctx(),
        );
    }
    if ui.button("Dashboard table as CSV…").clicked() {
        ui.close();
        let name = format!("hetao-floor-space-{}.csv", app.year);
        app.request_file(
            Request::save(
                Purpose::ExportCsv,
                "Export the dashboard table",
                &name,
                ("CSV", &["csv"]),
            ),
            ui.ctx(),
        );
    }
}

/// Export one layer as GeoJSON, GeoPackage, Shapefile, FlatGeobuf or CSV (asks where;
/// the extension chosen gives the format).
pub fn export_layer(app: &mut HetaoApp, name: &str, ctx: &egui::Context) {
    app.request_file(
        Request::save(
            Purpose::ExportLayer(name.to_string()),
            &format!("Export {name}"),
            &format!("{name}.geojson"),
            crate::app::dialogs::EXPORT_LAYER_FILTER,
        ),
        ctx,
    );
}
