//! The search box (top of the layers panel): results grouped by kind under headings, each a
//! human label with what it is; Enter goes to the first, a click to any; Ctrl+F focuses it.

use crate::app::state::HetaoApp;
use eframe::egui;

/// How many results are listed.
pub const LIMIT: usize = 14;

/// Show the search box and its results in `ui`.
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    let resp = ui
        .horizontal(|ui| {
            ui.label("🔍");
            ui.add(
                egui::TextEdit::singleline(&mut app.search)
                    .id_salt("search")
                    .hint_text("Find a building, unit or place…")
                    .desired_width(f32::INFINITY),
            )
        })
        .inner;
    if std::mem::take(&mut app.focus_search) {
        resp.request_focus();
    }
    if app.search.trim().is_empty() {
        return;
    }
    let q = app.search.clone();
    let hits = app.search_results(&q, LIMIT);
    let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if enter && let Some(first) = hits.first() {
        app.go_to_result(first);
        return;
    }
    let mut go = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        if hits.is_empty() {
            ui.label(egui::RichText::new("no match").weak());
        }
        let mut kind = None;
        for (i, h) in hits.iter().enumerate() {
            if kind != Some(h.kind) {
                kind = Some(h.kind);
                ui.label(egui::RichText::new(h.kind.heading()).small().strong());
            }
            let mut text = egui::text::LayoutJob::default();
            text.append(
                &h.label,
                0.0,
                egui::TextFormat {
                    color: ui.visuals().text_color(),
                    ..Default::default()
                },
            );
            let detail = match &h.id {
                Some(id) if !h.label.contains(id.as_str()) => format!("  {id} · {}", h.detail),
                _ => format!("  {}", h.detail),
            };
            text.append(
                &detail,
                0.0,
                egui::TextFormat {
                    color: ui.visuals().weak_text_color(),
                    ..Default::default()
                },
            );
            text.wrap.max_width = ui.available_width();
            let r = ui.selectable_label(false, text);
            let r = if i == 0 {
                r.on_hover_text("Enter goes here")
            } else {
                r
            };
            if r.clicked() {
                go = Some(h.clone());
            }
        }
    });
    if let Some(h) = go {
        app.go_to_result(&h);
    }
}
