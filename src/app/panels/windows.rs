//! Floating windows: the Export dialog (map page or timeline), the keyboard shortcuts, and the edit flow's
//! prompts ([`super::prompts`]: unsaved changes, the path field).

use crate::app::dialogs::{Purpose, Request};
use crate::app::state::HetaoApp;
use crate::app::state::layout::SHORTCUTS;
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ctx: &egui::Context) {
    shortcuts(app, ctx);
    page_dialog(app, ctx);
    super::prompts::windows(app, ctx);
}

/// Help › Keyboard shortcuts: every key of the window ([`SHORTCUTS`]).
fn shortcuts(app: &mut HetaoApp, ctx: &egui::Context) {
    if !app.shortcuts_open {
        return;
    }
    let mut open = true;
    egui::Window::new("Keyboard shortcuts")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                for (key, what) in SHORTCUTS {
                    ui.monospace(*key);
                    ui.label(*what);
                    ui.end_row();
                }
            });
        });
    app.shortcuts_open = open && app.shortcuts_open;
}

/// File › Export › Map page / Timeline animation: the page layout's options (paper,
/// orientation, DPI, title, legend entries, format), independent of the window's shape.
fn page_dialog(app: &mut HetaoApp, ctx: &egui::Context) {
    use crate::app::export::{DPIS, PAPERS};
    use crate::cli::snapshot::figure::GridKind;
    let Some(mut d) = app.snapshot_dialog.clone() else {
        return;
    };
    let (mut go, mut close) = (false, false);
    let heading = if d.timeline {
        "Export timeline animation"
    } else {
        "Export map page"
    };
    egui::Window::new(heading)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("page-dialog")
                .num_columns(2)
                .show(ui, |ui| {
                    let l = ui.label("Title");
                    ui.text_edit_singleline(&mut d.title).labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Subtitle");
                    ui.text_edit_singleline(&mut d.subtitle).labelled_by(l.id);
                    ui.end_row();
                    ui.label("Page");
                    ui.horizontal(|ui| {
                        for (i, p) in PAPERS.iter().enumerate() {
                            ui.selectable_value(&mut d.paper, i, *p);
                        }
                        ui.separator();
                        ui.selectable_value(&mut d.landscape, true, "Landscape");
                        ui.selectable_value(&mut d.landscape, false, "Portrait");
                    });
                    ui.end_row();
                    ui.label("Format");
                    ui.horizontal(|ui| {
                        for f in d.formats() {
                            ui.selectable_value(&mut d.format, *f, f.extension().to_uppercase());
                        }
                    });
                    ui.end_row();
                    ui.label("DPI");
                    ui.horizontal(|ui| {
                        for v in DPIS {
                            ui.selectable_value(&mut d.dpi, *v, format!("{v:.0}"));
                        }
                        if let Some((w, h)) = d.pixels() {
                            ui.weak(format!("{w}×{h} px (PNG, GIF)"));
                        }
                    });
                    ui.end_row();
                    ui.label("Area");
                    ui.horizontal(|ui| {
                        ui.selectable_value(&mut d.current_view, false, "The zone");
                        ui.selectable_value(&mut d.current_view, true, "The current view");
                    });
                    ui.end_row();
                    ui.label("Grid");
                    ui.horizontal(|ui| {
                        ui.selectable_value(&mut d.grid, None, "None");
                        ui.selectable_value(&mut d.grid, Some(GridKind::Hk1980), "HK1980");
                        ui.selectable_value(&mut d.grid, Some(GridKind::Wgs84), "WGS 84");
                    });
                    ui.end_row();
                    ui.label("Legend");
                    ui.vertical(|ui| {
                        ui.horizontal(|ui| {
                            ui.selectable_value(&mut d.legend_corner, false, "Margin column");
                            ui.selectable_value(&mut d.legend_corner, true, "Emptiest corner");
                        });
                        for (_, title, on) in &mut d.legend {
                            ui.checkbox(on, title.as_str());
                        }
                    });
                    ui.end_row();
                    if d.timeline {
                        ui.label("Years");
                        ui.horizontal(|ui| {
                            ui.add(egui::DragValue::new(&mut d.first).range(2000..=2100));
                            ui.label("to");
                            ui.add(egui::DragValue::new(&mut d.last).range(2000..=2100));
                        });
                        ui.end_row();
                    }
                });
            ui.label(
                egui::RichText::new(if d.timeline {
                    "One frame per year, the same layout each frame, with the year and the \
                     delivered-versus-target floor space."
                } else {
                    "The same layout as `hetao snapshot --page`: legend beside the map, scale \
                     bar, north arrow, locator, credits; a PNG gets a world file (.pgw)."
                })
                .small()
                .weak(),
            );
            ui.horizontal(|ui| {
                go = ui.button("Save as…").clicked();
                close = ui.button("Cancel").clicked();
            });
        });
    if !d.formats().contains(&d.format) {
        d.format = d.formats()[0];
    }
    app.snapshot_dialog = Some(d.clone());
    if close {
        app.snapshot_dialog = None;
    }
    if go {
        app.snapshot_dialog = None;
        let ext = d.format.extension();
        let name = if d.timeline {
            format!("hetao-timeline.{ext}")
        } else {
            format!("hetao-map.{ext}")
        };
        app.request_file(
            Request::save(
                Purpose::Page(Box::new(d.clone())),
                heading,
                &name,
                (ext, std::slice::from_ref(&ext)),
            ),
            ctx,
        );
    }
}
