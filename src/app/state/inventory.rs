//! Which building layer the floor-space model runs on in the app: the zone's own, or a
//! loaded layer made the inventory through a mapping (Layers › "Use as inventory…", the
//! dialog is [`crate::app::panels::mapping`]). Making a layer the inventory replaces the
//! document's `buildings` (through [`crate::core::zone::inventory`]), so the dashboard,
//! the chart, the timeline colours and scenario edits follow it.

use super::HetaoApp;
use crate::app::doc::Document;
use crate::core::model::Layer;
use crate::core::zone::inventory::{self, Mapping};

/// The mapping dialog's draft: the layer it maps and the mapping so far.
#[derive(Debug, Clone)]
pub struct InventoryDraft {
    /// The loaded layer being mapped.
    pub layer: String,
    /// The mapping being built.
    pub mapping: Mapping,
    /// Where Save writes the TOML.
    pub path: String,
    /// The last save's error, if any.
    pub error: Option<String>,
    /// The preview of `mapping` (recomputed when the mapping or year changes).
    pub preview: Option<(Mapping, i32, Result<Preview, String>)>,
}

/// What the mapping gives: the first rows and the totals.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// The first rows: id, park, use, status, GFA (m²).
    pub rows: Vec<[String; 5]>,
    /// Per park ("SZ", "HK"): buildings, total GFA, delivered research + supporting (m²)
    /// in the timeline year.
    pub totals: Vec<(String, usize, f64, f64)>,
    /// How many buildings in all.
    pub count: usize,
}

/// How many rows the preview lists.
pub const PREVIEW_ROWS: usize = 6;

fn preview(buildings: Layer, year: i32) -> Preview {
    let text = |f: &crate::core::model::Feature, k: &str| f.prop_str(k).unwrap_or("").to_string();
    let rows = buildings
        .features
        .iter()
        .take(PREVIEW_ROWS)
        .map(|f| {
            [
                text(f, "id"),
                text(f, "park"),
                text(f, "use"),
                crate::core::zone::status_as_of(f, year)
                    .unwrap_or("(not yet)")
                    .to_string(),
                crate::core::zone::planning::thousands(crate::core::zone::planning::gfa(f)),
            ]
        })
        .collect();
    let count = buildings.features.len();
    let ds = crate::core::model::Dataset {
        layers: vec![buildings],
    };
    let stats = crate::core::zone::ZoneStats::compute(&ds, year);
    let totals = stats
        .parks
        .iter()
        .map(|p| {
            (
                p.park.clone(),
                p.buildings,
                p.total_gfa_m2,
                p.progress.as_ref().map_or(0.0, |x| x.delivered_m2),
            )
        })
        .collect();
    Preview {
        rows,
        totals,
        count,
    }
}

impl HetaoApp {
    /// Open the mapping dialog for the loaded layer `name`.
    pub fn start_inventory_mapping(&mut self, name: &str) {
        let Some(layer) = self.user_layers.iter().find(|l| l.name == name) else {
            return;
        };
        let path = match &layer.source {
            Some(p) => p.with_extension("mapping.toml").display().to_string(),
            None => format!("{name}.mapping.toml"),
        };
        // the dialog takes the Floor space tab's place until saved or cancelled
        self.tab = super::Tab::Dashboard;
        self.inventory_draft = Some(InventoryDraft {
            layer: name.to_string(),
            mapping: Mapping::default(),
            path,
            error: None,
            preview: None,
        });
    }

    /// Bring the open draft's preview up to date with its mapping and the timeline year.
    pub fn refresh_inventory_preview(&mut self) {
        let Some(d) = &self.inventory_draft else {
            return;
        };
        if d.preview
            .as_ref()
            .is_some_and(|(m, y, _)| *m == d.mapping && *y == self.year)
        {
            return;
        }
        let (name, mapping, year) = (d.layer.clone(), d.mapping.clone(), self.year);
        let result = self
            .map_inventory(&name, &mapping)
            .map(|b| preview(b, year));
        if let Some(d) = &mut self.inventory_draft {
            d.preview = Some((mapping, year, result));
        }
    }

    /// The loaded layer `name` through `mapping`, as the model's buildings (for the preview).
    pub fn map_inventory(&self, name: &str, mapping: &Mapping) -> Result<Layer, String> {
        let layer = self
            .user_layers
            .iter()
            .find(|l| l.name == name)
            .ok_or_else(|| format!("no loaded layer {name:?}"))?;
        inventory::from_layer(layer, mapping).map_err(|e| e.to_string())
    }

    /// Make the loaded layer `name` the inventory: its mapped buildings replace the zone's
    /// (the document starts again on them; the scenario's edits are dropped), and the raw
    /// layer is hidden beneath them.
    pub fn use_as_inventory(&mut self, name: &str, mapping: &Mapping) -> Result<(), String> {
        let buildings = self.map_inventory(name, mapping)?;
        let count = buildings.features.len();
        let attribution = buildings.attribution.clone();
        let illustrative = buildings.illustrative;
        let mut ds = self.doc.base().clone();
        inventory::install(&mut ds, buildings);
        self.doc = Document::new(ds);
        self.cache.clear();
        for e in &mut self.layers {
            if e.name == "buildings" {
                e.attribution = attribution.clone();
                e.illustrative = illustrative;
            }
            if e.name == name {
                e.visible = false;
            }
        }
        self.selection.clear();
        self.hover = None;
        self.inventory = Some(name.to_string());
        self.status = format!("inventory: {count} buildings from {name}");
        Ok(())
    }
}
