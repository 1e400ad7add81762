//! Which building layer the floor-space model runs on in the app: the zone's own, or a
//! loaded layer made the inventory through a mapping (Layers › "Use as inventory…", the
//! dialog is [`crate::app::panels::mapping`]). Making a layer the inventory replaces the
//! document's `buildings` (through [`crate::core::zone::inventory`]), so the dashboard,
//! the chart, the timeline colours and scenario edits follow it.

use super::HetaoApp;
use crate::app::doc::Document;
use crate::core::model::Layer;
use crate::core::zone::inventory::mapping::LedgerSpec;
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
    /// The mapping file typed in "Load mapping" (a saved TOML to start from).
    pub load_path: String,
    /// The ledger section as typed; the mapping's ledger follows it once its file exists.
    pub ledger: LedgerFields,
    /// The ledger the section last gave the mapping (to tell a mapping set from elsewhere).
    pub ledger_applied: Option<LedgerSpec>,
}

impl InventoryDraft {
    /// Bring the mapping's ledger and the ledger section into step: a mapping whose ledger
    /// was set from elsewhere (loaded, or by a test) shows it in the section; otherwise the
    /// section, once complete, is the mapping's ledger. Returns why the section gives no
    /// ledger yet (a missing file, an empty field name).
    pub fn sync_ledger(&mut self) -> Option<String> {
        if self.mapping.ledger != self.ledger_applied {
            self.ledger = LedgerFields::of(&self.mapping);
            self.ledger_applied = self.mapping.ledger.clone();
            return None;
        }
        let (spec, why) = match self.ledger.spec() {
            Ok(s) => (s, None),
            Err(e) => (None, Some(e)),
        };
        if spec != self.ledger_applied {
            self.mapping.ledger = spec.clone();
            self.ledger_applied = spec;
        }
        why
    }
}

/// The ledger section of the mapping dialog, as typed: the status-by-year table and the
/// names of its id, year and status fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerFields {
    /// The section is on.
    pub on: bool,
    /// The ledger file (XLSX, ODS, CSV, GeoJSON, ... anything `open_layers` reads).
    pub file: String,
    /// Its sheet (layer), when it has several (`""`: the only one).
    pub layer: String,
    /// The ledger's field of the building id.
    pub id: String,
    /// The ledger's field of the year.
    pub year: String,
    /// The ledger's field of the status.
    pub status: String,
}

impl Default for LedgerFields {
    fn default() -> Self {
        Self {
            on: false,
            file: String::new(),
            layer: String::new(),
            id: "id".into(),
            year: "year".into(),
            status: "status".into(),
        }
    }
}

impl LedgerFields {
    /// The fields of a mapping's ledger (the section off when it has none).
    pub fn of(mapping: &Mapping) -> Self {
        match &mapping.ledger {
            Some(l) => Self {
                on: true,
                file: l.file.display().to_string(),
                layer: l.layer.clone().unwrap_or_default(),
                id: l.id.clone(),
                year: l.year.clone(),
                status: l.status.clone(),
            },
            None => Self::default(),
        }
    }

    /// The ledger these fields name: `Ok(None)` when off, an error while the file is not
    /// there or a field name is empty (the mapping keeps no ledger meanwhile).
    pub fn spec(&self) -> Result<Option<LedgerSpec>, String> {
        if !self.on {
            return Ok(None);
        }
        let file = std::path::PathBuf::from(self.file.trim());
        if self.file.trim().is_empty() {
            return Err("name the ledger file".into());
        }
        if !file.is_file() {
            return Err(format!("{}: no such file", file.display()));
        }
        for (what, v) in [
            ("id", &self.id),
            ("year", &self.year),
            ("status", &self.status),
        ] {
            if v.trim().is_empty() {
                return Err(format!("name the ledger's {what} field"));
            }
        }
        Ok(Some(LedgerSpec {
            file,
            layer: (!self.layer.trim().is_empty()).then(|| self.layer.trim().to_string()),
            id: self.id.trim().to_string(),
            year: self.year.trim().to_string(),
            status: self.status.trim().to_string(),
        }))
    }
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
            load_path: String::new(),
            ledger: LedgerFields::default(),
            ledger_applied: None,
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

    /// Start the open draft from the mapping file `path` (its fields, values and ledger);
    /// the error, if it cannot be read, is the draft's.
    pub fn load_inventory_mapping(&mut self, path: &std::path::Path) {
        let Some(d) = &mut self.inventory_draft else {
            return;
        };
        match Mapping::load(path) {
            Ok(mut m) => {
                // the dialog maps the layer it was opened for, whatever layer the file names
                m.layer = None;
                d.ledger = LedgerFields::of(&m);
                d.ledger_applied = m.ledger.clone();
                d.mapping = m;
                d.path = path.display().to_string();
                d.error = None;
            }
            Err(e) => d.error = Some(e.to_string()),
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
