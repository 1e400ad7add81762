//! The floor-space dashboard: progress of each park toward its 2035 target (the Shenzhen
//! park's 3,000,000 m² of new research and supporting space), the yearly rate needed, floor
//! space by status and use, and a chart of delivered space by year against the straight-line
//! trajectory to the target. It follows the timeline year, every scenario edit, and the
//! layer made the inventory (Layers › "Use as inventory…").

use crate::app::state::HetaoApp;
use crate::core::zone::planning::thousands;
use eframe::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints, VLine};

/// Show the dashboard.
pub fn dashboard(app: &mut HetaoApp, ui: &mut egui::Ui) {
    if app.inventory_draft.is_some() {
        super::mapping::panel(app, ui);
        return;
    }
    let year = app.year;
    let stats = app.stats().clone();
    ui.heading(format!("Floor space toward 2035 — as of {year}"));
    for p in &stats.parks {
        let park_name = if p.park == "SZ" {
            "Shenzhen park"
        } else {
            "Hong Kong park (HSITP)"
        };
        ui.add_space(4.0);
        ui.strong(park_name);
        if let Some(pr) = &p.progress {
            let frac = (pr.delivered_m2 / pr.target_m2.max(1.0)).clamp(0.0, 1.0) as f32;
            // The figures as a label that wraps in a narrow panel; the bar carries the percent
            // only, which always fits (a long text inside a bar is clipped, not wrapped).
            ui.add(
                egui::Label::new(format!(
                    "{} of {} m² delivered",
                    thousands(pr.delivered_m2),
                    thousands(pr.target_m2)
                ))
                .wrap(),
            );
            ui.add(
                egui::ProgressBar::new(frac)
                    .text(format!("{:.1} %", pr.percent))
                    .fill(if p.park == "SZ" {
                        egui::Color32::from_rgb(30, 136, 229)
                    } else {
                        egui::Color32::from_rgb(67, 160, 71)
                    }),
            );
            // the figures wrap inside the panel instead of widening it
            let col = (ui.available_width() / 2.0 - 8.0).max(60.0);
            egui::Grid::new(("prog", &p.park))
                .num_columns(2)
                .max_col_width(col)
                .show(ui, |ui| {
                    ui.label("remaining");
                    ui.label(format!("{} m²", thousands(pr.remaining_m2)));
                    ui.end_row();
                    ui.add(
                        egui::Label::new(format!("needed per year to {}", pr.target_year)).wrap(),
                    );
                    ui.label(match pr.needed_per_year_m2 {
                        Some(n) => format!("{} m²/yr", thousands(n)),
                        None => "—".into(),
                    });
                    ui.end_row();
                    ui.label("pace (last 3 years)");
                    ui.label(format!("{} m²/yr", thousands(pr.pace_per_year_m2)));
                    ui.end_row();
                    ui.label("target reached");
                    ui.add(
                        egui::Label::new(match (pr.reached, pr.year_reached) {
                            (true, Some(y)) => format!("yes, in {y}"),
                            (false, Some(y)) => format!("around {y} at this pace"),
                            _ => "not at this pace".into(),
                        })
                        .wrap(),
                    );
                    ui.end_row();
                });
        }
    }
    ui.add_space(6.0);
    ui.separator();
    ui.strong("Delivered new research & supporting space by year");
    let series = app.series().to_vec();
    let sz_target = stats
        .parks
        .iter()
        .find(|p| p.park == "SZ")
        .and_then(|p| p.progress.as_ref())
        .map(|p| (p.target_m2, p.target_year));
    let to_m = |v: f64| v / 1e6;
    Plot::new("delivered")
        .height(220.0)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .y_axis_label("million m²")
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .show(ui, |plot| {
            let sz: PlotPoints = series
                .iter()
                .map(|(y, s, _)| [f64::from(*y), to_m(*s)])
                .collect();
            let hk: PlotPoints = series
                .iter()
                .map(|(y, _, h)| [f64::from(*y), to_m(*h)])
                .collect();
            plot.line(
                Line::new("Shenzhen park", sz)
                    .color(egui::Color32::from_rgb(30, 136, 229))
                    .width(2.0),
            );
            plot.line(
                Line::new("Hong Kong park", hk)
                    .color(egui::Color32::from_rgb(67, 160, 71))
                    .width(2.0),
            );
            if let (Some((target, ty)), Some(first)) = (sz_target, series.first()) {
                let traj: PlotPoints = vec![
                    [f64::from(first.0), to_m(first.1)],
                    [f64::from(ty), to_m(target)],
                ]
                .into();
                plot.line(
                    Line::new("trajectory to the 2035 target (SZ)", traj)
                        .color(egui::Color32::from_rgb(229, 57, 53))
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            plot.vline(VLine::new("timeline year", f64::from(year)).color(egui::Color32::GRAY));
        });

    ui.add_space(6.0);
    ui.separator();
    ui.strong("Floor space (GFA, m²) by status");
    breakdown(ui, "status", &stats, |p| &p.gfa_by_status);
    ui.add_space(4.0);
    ui.strong("Floor space (GFA, m²) by use");
    breakdown(ui, "use", &stats, |p| &p.gfa_by_use);
    ui.add_space(4.0);
    egui::Grid::new("totals")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.label("");
            for p in &stats.parks {
                ui.strong(&p.park);
            }
            ui.end_row();
            ui.label("buildings");
            for p in &stats.parks {
                ui.label(p.buildings.to_string());
            }
            ui.end_row();
            ui.label("total GFA");
            for p in &stats.parks {
                ui.label(thousands(p.total_gfa_m2));
            }
            ui.end_row();
            ui.label("research space delivered");
            for p in &stats.parks {
                ui.label(thousands(p.research_space_delivered_m2));
            }
            ui.end_row();
            ui.label("research space in pipeline");
            for p in &stats.parks {
                ui.label(thousands(p.research_space_pipeline_m2));
            }
            ui.end_row();
        });
    ui.add_space(4.0);
    let source = match &app.inventory {
        Some(name) => format!("Buildings: the inventory {name}; targets from seeds/targets.json."),
        None => "Buildings: real OSM footprints in the Hong Kong park, illustrative elsewhere \
                 (generated, calibrated to published totals); research units illustrative; \
                 targets from seeds/targets.json."
            .into(),
    };
    ui.label(egui::RichText::new(source).small().weak());
}

fn breakdown(
    ui: &mut egui::Ui,
    id: &str,
    stats: &crate::core::zone::ZoneStats,
    rows: impl Fn(&crate::core::zone::planning::ParkStats) -> &Vec<(String, f64)>,
) {
    let mut keys: Vec<String> = Vec::new();
    for p in &stats.parks {
        for (k, _) in rows(p) {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    egui::Grid::new(("breakdown", id))
        .striped(true)
        .num_columns(1 + stats.parks.len())
        .show(ui, |ui| {
            ui.label("");
            for p in &stats.parks {
                ui.strong(&p.park);
            }
            ui.end_row();
            for k in keys {
                ui.label(k.replace('_', " "));
                for p in &stats.parks {
                    let v = rows(p).iter().find(|r| r.0 == k).map_or(0.0, |r| r.1);
                    ui.label(thousands(v));
                }
                ui.end_row();
            }
        });
}
