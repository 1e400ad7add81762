//! Overlays drawn on the map: the credits line (one compact line with an ⓘ that expands the
//! full credits) and the collapsible legend of the thematic layers.

use super::state::HetaoApp;
use super::widgets::{attributions, legend_swatches};
use eframe::egui;

const TEXT: egui::Color32 = egui::Color32::from_rgb(40, 40, 40);
const PANEL_BG: egui::Color32 = egui::Color32::from_rgba_premultiplied(215, 215, 215, 215);

/// Height of the credits line (px): with its width capped at 60 % of the map, it covers at
/// most `60 % × LINE_H / map height` of the map (under 2 % on a 600 px high map).
pub const LINE_H: f32 = 18.0;

/// The credits: one line at the map's bottom right, cut with "…" to at most 60 % of the map
/// width; a click on it (or its ⓘ) opens the full list above it, and another click closes it.
/// Returns the screen boxes it covers (the map leaves presses there to it).
pub fn credits(app: &mut HetaoApp, ui: &mut egui::Ui, rect: egui::Rect) -> Vec<egui::Rect> {
    let lines = attributions(app);
    if lines.is_empty() {
        return Vec::new();
    }
    let font = egui::FontId::proportional(10.5);
    let max_w = rect.width() * 0.6;
    // the ⓘ is painted (a circled "i"): the shipped fonts have no U+24D8
    const ICON_W: f32 = 18.0;
    let mut job = egui::text::LayoutJob::simple_singleline(lines.join(" · "), font.clone(), TEXT);
    job.wrap = egui::text::TextWrapping::truncate_at_width(max_w - 12.0 - ICON_W);
    let galley = ui.fonts_mut(|f| f.layout_job(job));
    let size = egui::vec2(galley.size().x + 12.0 + ICON_W, LINE_H);
    let line = egui::Rect::from_min_size(rect.right_bottom() - size, size);
    let resp = ui
        .interact(
            line,
            ui.scope_id().with("credits-line"),
            egui::Sense::click(),
        )
        .on_hover_text("Sources and credits of the visible layers (click for all of them)");
    let painter = ui.painter_at(rect);
    let bg = if resp.hovered() {
        egui::Color32::WHITE
    } else {
        PANEL_BG
    };
    painter.rect_filled(line, 0.0, bg);
    let icon = egui::pos2(line.left() + 4.0 + ICON_W / 2.0, line.center().y);
    painter.circle_stroke(icon, 6.0, egui::Stroke::new(1.2, TEXT));
    painter.text(
        icon + egui::vec2(0.0, 0.5),
        egui::Align2::CENTER_CENTER,
        "i",
        egui::FontId::proportional(10.0),
        TEXT,
    );
    let y = line.center().y - galley.size().y / 2.0;
    painter.galley(egui::pos2(line.left() + 6.0 + ICON_W, y), galley, TEXT);
    if resp.clicked() {
        app.credits_open = !app.credits_open;
    }
    if !app.credits_open {
        return vec![line];
    }
    // the full credits, above the line, wrapped to 60 % of the map width
    let galleys: Vec<_> = lines
        .iter()
        .map(|l| ui.fonts_mut(|f| f.layout(l.clone(), font.clone(), TEXT, max_w - 14.0)))
        .collect();
    let total_h: f32 = galleys.iter().map(|g| g.size().y).sum();
    let box_w = galleys.iter().map(|g| g.size().x).fold(0.0, f32::max) + 14.0;
    let full = egui::Rect::from_min_max(
        egui::pos2(rect.right() - box_w, line.top() - total_h - 10.0),
        egui::pos2(rect.right(), line.top()),
    );
    let resp = ui.interact(
        full,
        ui.scope_id().with("credits-full"),
        egui::Sense::click(),
    );
    painter.rect_filled(full, 0.0, egui::Color32::WHITE);
    let mut y = full.top() + 5.0;
    for g in galleys {
        let h = g.size().y;
        painter.galley(egui::pos2(full.left() + 7.0, y), g, TEXT);
        y += h;
    }
    if resp.clicked() {
        app.credits_open = false;
    }
    vec![line, full]
}

/// The legend of the visible thematic layers (those coloured by a property), at the map's top
/// left below the zoom buttons; its header collapses it (remembered with the layout). Returns
/// the screen box it covers (the map leaves presses there to it).
pub fn legend(app: &mut HetaoApp, ui: &mut egui::Ui, rect: egui::Rect) -> Option<egui::Rect> {
    let thematic: Vec<usize> = (0..app.layers.len())
        .rev()
        .filter(|&i| app.layers[i].visible && app.layers[i].style.color_by.is_some())
        .collect();
    if thematic.is_empty() {
        return None;
    }
    let at = rect.min + egui::vec2(12.0, 80.0);
    let max = egui::vec2(
        (rect.width() * 0.3).clamp(140.0, 240.0),
        (rect.bottom() - at.y - 60.0).max(40.0),
    );
    let area = egui::Rect::from_min_size(at, max);
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .id_salt("map-legend")
            .max_rect(area)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    let framed = egui::Frame::new()
        .fill(egui::Color32::from_rgba_unmultiplied(255, 255, 255, 225))
        .stroke(egui::Stroke::new(1.0, egui::Color32::from_gray(170)))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::same(6))
        .show(&mut child, |ui| {
            ui.set_max_width(max.x - 14.0);
            let arrow = if app.layout.legend_open { "⏷" } else { "⏵" };
            if ui
                .add(
                    egui::Label::new(egui::RichText::new(format!("{arrow} Legend")).strong())
                        .sense(egui::Sense::click()),
                )
                .on_hover_text("Show or hide the legend")
                .clicked()
            {
                app.layout.legend_open = !app.layout.legend_open;
            }
            if !app.layout.legend_open {
                return;
            }
            egui::ScrollArea::vertical()
                .max_height(max.y - 40.0)
                .show(ui, |ui| {
                    for &i in &thematic {
                        let e = &app.layers[i];
                        ui.add(egui::Label::new(egui::RichText::new(&e.title).small()).wrap());
                        legend_swatches(ui, &e.style, false);
                    }
                });
        });
    Some(framed.response.rect)
}
