//! The mapping dialog (Layers › "Use as inventory…"), shown in the right panel's Floor space
//! tab while a draft is open: pick which of a loaded layer's fields
//! are the model's, map the distinct values of park, use and status onto the model's, see
//! the first rows and the totals it gives, start from a saved TOML, take the status by year
//! from a ledger (a spreadsheet), save the TOML (atomically) and make the layer
//! the inventory ([`crate::app::state::inventory`]).

use crate::app::state::HetaoApp;
use crate::app::state::inventory::LedgerFields;
use crate::core::zone::inventory::apply::distinct_values;
use crate::core::zone::inventory::mapping::{MODEL_FIELDS, VALUE_FIELDS, model_values};
use crate::core::zone::planning::thousands;
use eframe::egui;
use std::path::Path;

/// At most this many distinct values are listed per field.
const MAX_VALUES: usize = 40;

/// Show the dialog in `ui` (the right panel's Floor space tab, while a draft is open).
pub fn panel(app: &mut HetaoApp, ui: &mut egui::Ui) {
    app.refresh_inventory_preview();
    let Some(mut d) = app.inventory_draft.take() else {
        return;
    };
    let Some(layer) = app.user_layers.iter().find(|l| l.name == d.layer) else {
        return;
    };
    let (text, num) = crate::app::layers::property_names(layer);
    let mut fields: Vec<String> = text.into_iter().chain(num).collect();
    fields.sort();
    fields.dedup();
    let mut distinct: Vec<(&str, Vec<String>)> = Vec::new();
    for model in VALUE_FIELDS {
        distinct.push((
            model,
            distinct_values(layer, d.mapping.field(model), MAX_VALUES),
        ));
    }
    let mut save = false;
    let mut close = false;
    let mut load = false;
    let title = format!("Use {} as the building inventory", d.layer);
    {
        {
            ui.heading(title);
            // the figures scroll; the save line below them stays in view
            let scroll_h = (ui.available_height() - 110.0).max(160.0);
            egui::ScrollArea::vertical().max_height(scroll_h).show(ui, |ui| {
                load = load_row(ui, &mut d.load_path);
                ui.add_space(4.0);
                ui.strong("Fields (model field ← the layer's field)");
                egui::Grid::new("inventory-fields")
                    .num_columns(2)
                    .show(ui, |ui| {
                        for (model, required) in MODEL_FIELDS {
                            let label = ui
                                .label(if required {
                                    model.to_string()
                                } else {
                                    format!("{model} (optional)")
                                })
                                .id;
                            let current = d.mapping.fields.get(model).cloned();
                            let shown = current
                                .clone()
                                .unwrap_or_else(|| format!("— same name ({model})"));
                            let mut pick = current.clone();
                            egui::ComboBox::from_id_salt(("inv-field", model))
                                .selected_text(shown)
                                .width((ui.available_width() * 0.55).max(120.0))
                                .show_ui(ui, |ui| {
                                    ui.selectable_value(
                                        &mut pick,
                                        None,
                                        format!("— same name ({model})"),
                                    );
                                    for f in &fields {
                                        ui.selectable_value(&mut pick, Some(f.clone()), f);
                                    }
                                })
                                .response
                                .labelled_by(label);
                            if pick != current {
                                match pick {
                                    Some(f) => d.mapping.fields.insert(model.to_string(), f),
                                    None => d.mapping.fields.remove(model),
                                };
                            }
                            ui.end_row();
                        }
                    });
                for (model, values) in &distinct {
                    if values.is_empty() {
                        continue;
                    }
                    ui.add_space(6.0);
                    ui.strong(format!(
                        "Values of {} ({model})",
                        d.mapping.field(model)
                    ));
                    let allowed = model_values(model);
                    egui::Grid::new(("inventory-values", *model))
                        .num_columns(2)
                        .show(ui, |ui| {
                            for v in values {
                                let label = ui.label(v).id;
                                let table = d.mapping.values.get(*model);
                                let current = table.and_then(|t| t.get(v).cloned()).or_else(|| {
                                    (table.is_none() && allowed.contains(&v.as_str()))
                                        .then(|| v.clone())
                                });
                                let mut pick = current.clone();
                                egui::ComboBox::from_id_salt(("inv-value", *model, v))
                                    .selected_text(
                                        current.clone().unwrap_or_else(|| "— unmapped".into()),
                                    )
                                    .show_ui(ui, |ui| {
                                        for a in &allowed {
                                            ui.selectable_value(
                                                &mut pick,
                                                Some(a.to_string()),
                                                *a,
                                            );
                                        }
                                    })
                                    .response
                                    .labelled_by(label);
                                if pick != current
                                    && let Some(p) = pick
                                {
                                    let table =
                                        d.mapping.values.entry(model.to_string()).or_default();
                                    // the values already in the model's form stay mapped
                                    for w in values {
                                        if allowed.contains(&w.as_str()) {
                                            table.entry(w.clone()).or_insert_with(|| w.clone());
                                        }
                                    }
                                    table.insert(v.clone(), p);
                                }
                                ui.end_row();
                            }
                        });
                }
                ui.add_space(6.0);
                ledger_section(ui, &mut d.ledger);
                if let Some(why) = d.sync_ledger() {
                    ui.colored_label(ui.visuals().warn_fg_color, why);
                }
                ui.add_space(6.0);
                ui.strong(format!("Preview as of {}", app.year));
                match d.preview.as_ref().map(|p| &p.2) {
                    Some(Ok(p)) => {
                        egui::Grid::new("inventory-preview")
                            .num_columns(5)
                            .striped(true)
                            .show(ui, |ui| {
                                for h in ["id", "park", "use", "status", "GFA m²"] {
                                    ui.strong(h);
                                }
                                ui.end_row();
                                for r in &p.rows {
                                    for c in r {
                                        ui.label(c);
                                    }
                                    ui.end_row();
                                }
                            });
                        ui.label(format!("{} buildings in all", p.count));
                        for (park, n, total, delivered) in &p.totals {
                            ui.label(format!(
                                "{park}: {n} buildings, {} m² GFA, {} m² delivered (research + supporting)",
                                thousands(*total),
                                thousands(*delivered)
                            ));
                        }
                    }
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    None => {}
                }
            });
            ui.separator();
            {
                ui.horizontal(|ui| {
                    let label = ui.label("Save mapping to").id;
                    ui.add(egui::TextEdit::singleline(&mut d.path).desired_width(f32::INFINITY))
                        .labelled_by(label);
                });
                if let Some(e) = &d.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                let ok = matches!(d.preview.as_ref().map(|p| &p.2), Some(Ok(_)));
                ui.horizontal(|ui| {
                    save = ui
                        .add_enabled(ok, egui::Button::new("Save and use as inventory"))
                        .on_hover_text("Writes the TOML (atomically); the dashboard, chart and timeline then follow this layer; scenario edits start again")
                        .clicked();
                    close = ui.button("Cancel").clicked();
                });
            }
        }
    }
    if close {
        return;
    }
    if save {
        let path = Path::new(d.path.trim()).to_path_buf();
        let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let text = d.mapping.to_toml(&base);
        let result = crate::core::atomic::write_atomic(&path, text.as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|()| {
                let mut m = d.mapping.clone();
                m.source = Some(path.clone());
                app.use_as_inventory(&d.layer, &m)
            });
        match result {
            Ok(()) => {
                app.status = format!("{} (mapping saved to {})", app.status, path.display());
                return;
            }
            Err(e) => d.error = Some(e),
        }
    }
    let load_path = load.then(|| std::path::PathBuf::from(d.load_path.trim()));
    app.inventory_draft = Some(d);
    if let Some(p) = load_path {
        app.load_inventory_mapping(&p);
    }
}

/// "Start from a saved mapping": a path and Load; true when Load was pressed (or Enter).
fn load_row(ui: &mut egui::Ui, path: &mut String) -> bool {
    let mut load = false;
    let label = ui.label("Start from a saved mapping").id;
    ui.horizontal(|ui| {
        let r = ui
            .add(
                egui::TextEdit::singleline(path)
                    .hint_text("mapping.toml")
                    .desired_width((ui.available_width() - 80.0).max(80.0)),
            )
            .labelled_by(label);
        load = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        load |= ui
            .add_enabled(!path.trim().is_empty(), egui::Button::new("Load"))
            .on_hover_text("Read its fields, values and ledger into this dialog")
            .clicked();
    });
    load
}

/// The ledger: a table of (building id, year, status) rows that gives each building its
/// history (a spreadsheet of the conversion by year); saved in the mapping's `[ledger]`.
fn ledger_section(ui: &mut egui::Ui, l: &mut LedgerFields) {
    ui.checkbox(
        &mut l.on,
        "Status by year from a ledger (XLSX, ODS, CSV, ... one row per building and year)",
    );
    if !l.on {
        return;
    }
    egui::Grid::new("inventory-ledger")
        .num_columns(2)
        .show(ui, |ui| {
            for (name, hint, v) in [
                ("Ledger file", "ledger.xlsx", &mut l.file),
                ("Sheet (if several)", "", &mut l.layer),
                ("Its building id field", "id", &mut l.id),
                ("Its year field", "year", &mut l.year),
                ("Its status field", "status", &mut l.status),
            ] {
                let label = ui.label(name).id;
                ui.add(
                    egui::TextEdit::singleline(v)
                        .hint_text(hint)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label);
                ui.end_row();
            }
        });
}
