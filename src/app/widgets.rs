//! Small widgets and formatters shared by the panels and the map: lengths and areas for
//! people, colours, legend swatches and the attribution lines.

use super::layers::visible_attributions;
use super::state::HetaoApp;
use crate::render::style::{ColorBy, Rgba};
use eframe::egui;

/// A length for people: metres below 10 km, else km.
pub fn fmt_len(m: f64) -> String {
    if m >= 10_000.0 {
        format!("{:.3} km", m / 1000.0)
    } else {
        format!("{m:.2} m")
    }
}

/// An area for people: m² below 1 km² (with thousands separators), else km².
pub fn fmt_area(m2: f64) -> String {
    if m2 >= 1_000_000.0 {
        format!("{:.4} km²", m2 / 1e6)
    } else {
        format!("{} m²", crate::core::zone::planning::thousands(m2))
    }
}

/// An egui colour from a style colour.
pub fn c32(c: Rgba) -> egui::Color32 {
    egui::Color32::from_rgba_unmultiplied(c.0[0], c.0[1], c.0[2], c.0[3])
}

/// The legend of a style: one swatch (compact) or every category / class with its label.
pub fn legend_swatches(ui: &mut egui::Ui, style: &crate::render::Style, compact: bool) {
    let swatch = |ui: &mut egui::Ui, fill: Option<Rgba>, stroke: Option<Rgba>, line: bool| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0, 12.0), egui::Sense::hover());
        let p = ui.painter();
        if line {
            let c = stroke.or(fill).unwrap_or(Rgba::BLACK);
            p.line_segment(
                [rect.left_center(), rect.right_center()],
                egui::Stroke::new(style.width.clamp(1.0, 4.0), c32(c)),
            );
        } else {
            if let Some(f) = fill {
                p.rect_filled(rect, 2.0, c32(f));
            }
            if let Some(s) = stroke {
                p.rect_stroke(
                    rect,
                    2.0,
                    egui::Stroke::new(1.0, c32(s)),
                    egui::StrokeKind::Inside,
                );
            }
        }
    };
    let is_line = style.fill.is_none() && style.point_color.is_none();
    match &style.color_by {
        Some(ColorBy::Categorical { categories, .. }) if !compact => {
            for (_, c, label) in categories {
                ui.horizontal(|ui| {
                    swatch(ui, Some(*c), style.stroke, is_line);
                    ui.label(egui::RichText::new(label).small());
                });
            }
        }
        Some(ColorBy::Graduated {
            classes,
            unit,
            property,
        }) if !compact => {
            ui.label(egui::RichText::new(property).small().weak());
            for (k, (min, c)) in classes.iter().enumerate() {
                let upper = classes.get(k + 1).map(|n| n.0);
                let text = match upper {
                    Some(u) => format!(
                        "{} – {} {unit}",
                        crate::core::zone::planning::thousands(*min),
                        crate::core::zone::planning::thousands(u)
                    ),
                    None => format!("≥ {} {unit}", crate::core::zone::planning::thousands(*min)),
                };
                ui.horizontal(|ui| {
                    swatch(ui, Some(*c), style.stroke, is_line);
                    ui.label(egui::RichText::new(text).small());
                });
            }
        }
        Some(ColorBy::Categorical { categories, .. }) => {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 1.0;
                for (_, c, _) in categories.iter().take(6) {
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(6.0, 10.0), egui::Sense::hover());
                    ui.painter().rect_filled(rect, 1.0, c32(*c));
                }
            });
        }
        Some(ColorBy::Graduated { classes, .. }) => {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 0.0;
                for (_, c) in classes.iter().take(6) {
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(6.0, 10.0), egui::Sense::hover());
                    ui.painter().rect_filled(rect, 0.0, c32(*c));
                }
            });
        }
        None => {
            let fill = style
                .fill
                .map(|f| f.with_opacity(style.fill_opacity.max(0.35)))
                .or(style.point_color);
            ui.horizontal(|ui| {
                swatch(ui, fill, style.stroke, is_line);
                if !compact && !style.title.is_empty() {
                    ui.label(egui::RichText::new(&style.title).small());
                }
            });
        }
    }
}

/// The attribution lines of the visible layers (for the map's corner).
pub fn attributions(app: &HetaoApp) -> Vec<String> {
    visible_attributions(&app.layers)
}
