//! The tool bar: pointer tools, reach, snapping, undo/redo, zoom to the zone, scenario name.

use crate::app::measure::{MeasureKind, Measurement};
use crate::app::state::{HetaoApp, Tab, Tool};
use crate::app::view::ZONE_EXTENT;
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        for (tool, label, tip) in [
            (
                Tool::Select,
                "⬉ Select",
                "Click to select, drag to pan, Shift+drag to box-select",
            ),
            (
                Tool::Distance,
                "📏 Distance",
                "Click points of a polyline; double-click ends",
            ),
            (
                Tool::Area,
                "⬟ Area",
                "Click corners of a polygon; double-click ends",
            ),
            (
                Tool::DrawBuilding,
                "✚ Draw building",
                "Click the corners of a new building; Enter or double-click ends",
            ),
        ] {
            if ui
                .selectable_label(app.tool == tool, label)
                .on_hover_text(tip)
                .clicked()
            {
                app.tool = tool;
                app.draw.clear();
                match tool {
                    Tool::Distance => {
                        app.measure = Some(Measurement::new(MeasureKind::Distance));
                        app.tab = Tab::Measure;
                    }
                    Tool::Area => {
                        app.measure = Some(Measurement::new(MeasureKind::Area));
                        app.tab = Tab::Measure;
                    }
                    _ => {}
                }
            }
        }
        if ui
            .selectable_label(app.tool == Tool::Reach, "◎ Reach")
            .on_hover_text("Click the map to set the origin of the travel reach")
            .clicked()
        {
            app.tool = Tool::Reach;
            app.draw.clear();
            app.tab = Tab::Reach;
            app.layout.right_open = true;
        }
        ui.checkbox(&mut app.snapping, "Snap")
            .on_hover_text("Snap measure and drawing vertices to nearby feature vertices");
        ui.separator();
        if ui
            .add_enabled(app.doc.can_undo(), egui::Button::new("⟲ Undo"))
            .on_hover_text("Undo the last edit (Ctrl+Z)")
            .clicked()
        {
            app.undo();
        }
        if ui
            .add_enabled(app.doc.can_redo(), egui::Button::new("⟳ Redo"))
            .on_hover_text("Redo (Ctrl+Y)")
            .clicked()
        {
            app.redo();
        }
        ui.separator();
        if ui
            .button("🏠 Zone")
            .on_hover_text("Zoom to the whole zone (Home)")
            .clicked()
        {
            let (w, h) = app.map_size;
            app.view.fly_to_bbox(ZONE_EXTENT, w, h, 20.0);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let shared = app.db.as_ref().map(|l| {
                format!(
                    "Shared scenario {:?}: {} edit(s)",
                    l.scenario,
                    app.doc.scenario().edits.len()
                )
            });
            let scenario = match (&app.doc.path, app.doc.dirty) {
                _ if shared.is_some() => shared.clone().unwrap_or_default(),
                (Some(p), d) => format!(
                    "Scenario: {}{}",
                    p.file_name().unwrap_or_default().to_string_lossy(),
                    if d { " •" } else { "" }
                ),
                (None, true) => "Scenario: unsaved edits •".into(),
                (None, false) => "Base data (no edits)".into(),
            };
            if app.disk_watch.changed && app.doc.path.is_some() {
                // never shown as saved when the file on disk is someone else's version
                ui.label(
                    egui::RichText::new(format!("{scenario} — changed on disk"))
                        .color(egui::Color32::from_rgb(190, 90, 0)),
                )
                .on_hover_text(
                    "Another instance or person saved this file since this window read or \
                     wrote it. Saving asks what to do (save as, overwrite, or reload and merge).",
                );
            } else {
                ui.label(egui::RichText::new(scenario).weak());
            }
        });
    });
}
