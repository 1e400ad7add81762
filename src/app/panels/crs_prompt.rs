//! The "which CRS is this file in?" window: shown when a file that declares no CRS fails
//! to load ([`crate::app::state::open_choice`]). The common CRSs of the zone are one click;
//! any code PROJ knows can be typed; a Shapefile also gets its `.dbf` encoding.

use crate::app::state::HetaoApp;
use crate::app::state::open_choice::{COMMON_CRS, ENCODINGS};

/// Draw the question, when open, and act on its answer.
pub fn window(app: &mut HetaoApp, ctx: &egui::Context) {
    let Some(mut q) = app.crs_prompt.clone() else {
        return;
    };
    let mut answer = None;
    let name = q.path.file_name().map_or_else(
        || q.path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    egui::Window::new("Which coordinate system is this file in?")
        .id(egui::Id::unique("crs-prompt"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .default_width(460.0)
        .show(ctx, |ui| {
            ui.label(format!(
                "{name} declares no coordinate reference system, so its coordinates cannot \
                 be placed on the map. Choose the one it was drawn in (ask whoever made the \
                 file; Shenzhen survey drawings are usually EPSG:4547)."
            ));
            ui.add_space(4.0);
            for (code, what) in COMMON_CRS {
                ui.radio_value(&mut q.crs, (*code).to_string(), format!("{code}  {what}"));
            }
            ui.horizontal(|ui| {
                ui.label("Other:");
                let r = ui.add(
                    egui::TextEdit::singleline(&mut q.crs)
                        .id_salt("crs-prompt-text")
                        .hint_text("EPSG:n")
                        .desired_width(160.0),
                );
                if !q.focused {
                    r.request_focus();
                    q.focused = true;
                }
                if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    answer = Some(true);
                }
            });
            if q.is_shapefile() {
                egui::ComboBox::from_label("Attribute encoding")
                    .selected_text(
                        ENCODINGS
                            .iter()
                            .find(|(n, _)| *n == q.encoding)
                            .map_or(q.encoding.as_str(), |(_, l)| l),
                    )
                    .show_ui(ui, |ui| {
                        for (n, l) in ENCODINGS {
                            ui.selectable_value(&mut q.encoding, (*n).to_string(), *l);
                        }
                    });
            }
            if let Some(e) = &q.error {
                ui.colored_label(egui::Color32::from_rgb(170, 30, 30), e);
            }
            ui.horizontal(|ui| {
                if ui.button("Open").clicked() {
                    answer = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(false);
                }
            });
        });
    if answer.is_none() && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        answer = Some(false);
    }
    app.crs_prompt = Some(q);
    if let Some(a) = answer {
        app.answer_crs(a, ctx);
    }
}
