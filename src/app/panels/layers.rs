//! The layers panel: search, the layer stack (visibility, order, opacity, style, legend).

use crate::app::dialogs::OPEN_LAYERS_FILTER;
use crate::app::dialogs::{Purpose, Request};
use crate::app::layers::{StyleMode, move_item, property_names};
use crate::app::state::HetaoApp;
use crate::app::widgets::legend_swatches;
use eframe::egui;

/// Show this panel in `ui`.
pub fn show(app: &mut HetaoApp, ui: &mut egui::Ui) {
    ui.add_space(4.0);
    super::search::show(app, ui);
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.heading("Layers");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .small_button("«")
                .on_hover_text("Hide the Layers panel  ( [ )")
                .clicked()
            {
                app.layout.left_open = false;
            }
            if ui
                .small_button("📂 Open…")
                .on_hover_text("Open a GeoJSON file (or drop files on the window)")
                .clicked()
            {
                app.request_file(
                    Request::open(Purpose::OpenLayers, "Open layers", OPEN_LAYERS_FILTER),
                    ui.ctx(),
                );
            }
        });
    });
    ui.separator();
    let mut move_op: Option<(usize, usize)> = None;
    let mut restyle: Vec<usize> = Vec::new();
    let mut remove: Option<usize> = None;
    let mut inventory: Option<String> = None;
    let mut export_layer: Option<String> = None;
    let mut zoom_to: Option<usize> = None;
    // wraps what can wrap and scrolls the rest: the content never widens the panel
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let n = app.layers.len();
            for i in (0..n).rev() {
                let id = ui.make_persistent_id(("layer-details", &app.layers[i].name));
                // The style menu's property names come from scanning features: only for a
                // layer whose details are open, not for every layer on every frame.
                let open = egui::collapsing_header::CollapsingState::load_with_default_open(
                    ui.ctx(),
                    id,
                    false,
                )
                .is_open();
                let data_props = if open {
                    app.layer_data(&app.layers[i].name)
                        .map(property_names)
                        .unwrap_or_default()
                } else {
                    Default::default()
                };
                // a database layer loaded by viewport says how much of it is shown
                let db_note = app.dbview_note(&app.layers[i].name);
                let e = &mut app.layers[i];
                let header = egui::collapsing_header::CollapsingState::load_with_default_open(
                    ui.ctx(),
                    id,
                    false,
                )
                .show_header(ui, |ui| {
                    let handle_id = egui::Id::unique(("layer-drag", &e.name));
                    ui.dnd_drag_source(handle_id, i, |ui| {
                        ui.label(egui::RichText::new("☰").weak())
                            .on_hover_text("Drag to reorder");
                    });
                    legend_swatches(ui, &e.style, true);
                    let mut title = egui::RichText::new(&e.title);
                    if !e.visible {
                        title = title.weak();
                    }
                    ui.checkbox(&mut e.visible, "")
                        .on_hover_text("Show or hide the layer");
                    // the title takes what is left of the row and is cut with "…" (never
                    // widening the panel); the "illustrative" tag stays at the right
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if e.illustrative {
                            ui.label(
                                egui::RichText::new("illus.")
                                    .small()
                                    .color(egui::Color32::from_rgb(176, 96, 0)),
                            )
                            .on_hover_text(
                                "Illustrative: generated or schematic data, not surveyed",
                            );
                        }
                        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                            ui.add(egui::Label::new(title).truncate())
                                .on_hover_text(&e.title);
                        });
                    });
                });
                let (_, header_resp, _) = header.body(|ui| {
                    ui.horizontal(|ui| {
                        ui.label("Opacity");
                        if ui
                            .add(egui::Slider::new(&mut e.opacity, 0.0..=1.0).fixed_decimals(2))
                            .changed()
                        {
                            restyle.push(i);
                        }
                    });
                    ui.horizontal(|ui| {
                        ui.label("Style");
                        let current = match &e.mode {
                            StyleMode::Shipped => "shipped".to_string(),
                            StyleMode::Categorical { property } => format!("by {property}"),
                            StyleMode::Graduated { property } => {
                                format!("graduated {property}")
                            }
                        };
                        egui::ComboBox::from_id_salt(("style", &e.name))
                            .selected_text(current)
                            .width(170.0)
                            .show_ui(ui, |ui| {
                                if ui
                                    .selectable_label(e.mode == StyleMode::Shipped, "shipped")
                                    .clicked()
                                {
                                    e.mode = StyleMode::Shipped;
                                    restyle.push(i);
                                }
                                for p in &data_props.0 {
                                    if ui
                                        .selectable_label(false, format!("categorical: {p}"))
                                        .clicked()
                                    {
                                        e.mode = StyleMode::Categorical {
                                            property: p.clone(),
                                        };
                                        restyle.push(i);
                                    }
                                }
                                for p in &data_props.1 {
                                    if ui
                                        .selectable_label(false, format!("graduated: {p}"))
                                        .clicked()
                                    {
                                        e.mode = StyleMode::Graduated {
                                            property: p.clone(),
                                        };
                                        restyle.push(i);
                                    }
                                }
                            });
                    });
                    legend_swatches(ui, &e.style, false);
                    ui.checkbox(&mut e.pickable, "Pickable")
                        .on_hover_text("Hover and click pick this layer's features");
                    if let Some(a) = &e.attribution {
                        ui.label(egui::RichText::new(format!("Source: {a}")).small().weak());
                    }
                    ui.horizontal(|ui| {
                        if ui.small_button("▲").on_hover_text("Move up").clicked() && i + 1 < n {
                            move_op = Some((i, i + 1));
                        }
                        if ui.small_button("▼").on_hover_text("Move down").clicked() && i > 0 {
                            move_op = Some((i, i - 1));
                        }
                        if ui.small_button("Zoom to").clicked() {
                            zoom_to = Some(i);
                        }
                        if ui.small_button("Export GeoJSON…").clicked() {
                            export_layer = Some(e.name.clone());
                        }
                        if e.user && ui.small_button("Remove").clicked() {
                            remove = Some(i);
                        }
                    });
                    // on its own line: the row above overflows a narrow panel
                    if e.user
                        && ui
                            .button("Use as inventory…")
                            .on_hover_text(
                                "Map its fields onto the floor-space model: the dashboard, \
                                 chart and timeline then follow this layer",
                            )
                            .clicked()
                    {
                        inventory = Some(e.name.clone());
                    }
                });
                if let Some(note) = db_note {
                    ui.label(egui::RichText::new(note).small().weak());
                }
                let resp = header_resp.response;
                if let Some(from) = resp.dnd_release_payload::<usize>() {
                    move_op = Some((*from, i));
                }
                if resp.dnd_hover_payload::<usize>().is_some() {
                    ui.painter().hline(
                        resp.rect.x_range(),
                        resp.rect.top(),
                        egui::Stroke::new(2.0, ui.visuals().selection.bg_fill),
                    );
                }
            }
        });
    if let Some((from, to)) = move_op {
        move_item(&mut app.layers, from, to);
    }
    for i in restyle {
        app.restyle(i);
    }
    if let Some(name) = export_layer {
        super::menu::export_layer(app, &name, ui.ctx());
    }
    if let Some(i) = zoom_to
        && let Some(name) = app.layers.get(i).map(|e| e.name.clone())
    {
        let b = app.cache.scene().and_then(|s| s.bbox_of(&[name.as_str()]));
        if let Some(b) = b {
            let (w, h) = app.map_size;
            app.view.fly_to_bbox(b, w, h, 19.0);
        }
    }
    if let Some(i) = remove {
        app.remove_layer(i);
    }
    if let Some(name) = inventory {
        app.start_inventory_mapping(&name);
    }
}
