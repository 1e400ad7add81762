//! What the user does to the state: scenario edits with undo/redo, selection, fly-to, search,
//! restyling, adding loaded layers and drawing a new building. Every change to the document
//! goes through [`HetaoApp::edit`], [`HetaoApp::undo`] or [`HetaoApp::redo`] (in
//! [`super::flow`], with the selection kept by id and the status-bar messages).

use super::{HetaoApp, NewBuilding, Tab, Tool};
use crate::app::layers::LayerEntry;
use crate::app::pick::FeatureRef;
use crate::core::model::Layer;
use crate::core::zone::{Edit, feature_id};
use std::sync::Arc;

impl HetaoApp {
    pub(crate) fn after_doc_change(&mut self) {
        // The selection was found again by id by the caller (`state::flow`); the hover is
        // re-picked on the next pointer move.
        self.hover = None;
        self.form = None;
        if self.screenshot.is_none() && self.autosave {
            match self.doc.autosave() {
                Ok(_) => self.autosave_failure = None,
                Err(e) => {
                    // stays in the status bar (a badge) until an autosave succeeds
                    let why = format!("{e:#}");
                    self.status = format!("autosave failed: {why}");
                    self.autosave_failure = Some(why);
                }
            }
        }
    }

    /// Select one feature (replacing the selection) and show it in the inspector.
    pub fn select(&mut self, r: Option<FeatureRef>) {
        self.selection = r.into_iter().collect();
        self.form = None;
        if !self.selection.is_empty() {
            self.tab = Tab::Inspector;
        }
    }

    /// Lon/lat box of a feature.
    pub fn feature_bbox(&self, r: &FeatureRef) -> Option<[f64; 4]> {
        let g = self.feature(r)?.geometry.as_ref()?;
        let b = geo::BoundingRect::bounding_rect(g)?;
        Some([b.min().x, b.min().y, b.max().x, b.max().y])
    }

    /// Fly to a feature (not closer than zoom 18).
    pub fn fly_to_feature(&mut self, r: &FeatureRef) {
        if let Some(b) = self.feature_bbox(r) {
            let (w, h) = self.map_size;
            self.view.fly_to_bbox(b, w, h, 18.0);
        }
    }

    /// Restyle a layer after its mode or opacity changed.
    pub fn restyle(&mut self, i: usize) {
        let Some(e) = self.layers.get_mut(i) else {
            return;
        };
        // the layer's data is borrowed, not copied (a loaded layer can be a city's buildings)
        let empty = Layer::default();
        let data = self
            .doc
            .current()
            .layer(&e.name)
            .or_else(|| {
                self.user_layers
                    .iter()
                    .find(|l| l.name == e.name)
                    .map(|l| &**l)
            })
            .unwrap_or(&empty);
        e.restyle(data);
    }

    /// Add a loaded layer on top (renamed if its name is taken) and fly to it.
    pub fn add_user_layer(&mut self, layer: Layer) {
        let bbox = crate::app::prepare::layer_bbox(&layer);
        self.add_user_layer_with_bbox(layer, bbox);
    }

    /// [`HetaoApp::add_user_layer`] with the layer's extent already known (computed on the
    /// loading worker).
    pub(crate) fn add_user_layer_with_bbox(&mut self, mut layer: Layer, bbox: Option<[f64; 4]>) {
        let base = layer.name.clone();
        let mut n = 2;
        while self.layers.iter().any(|e| e.name == layer.name) {
            layer.name = format!("{base} ({n})");
            n += 1;
        }
        let mut e = LayerEntry::new(&layer, &self.styles, true);
        e.visible = true;
        if e.attribution.is_none() {
            e.attribution = layer.source.as_ref().map(|p| {
                format!(
                    "{} (loaded file)",
                    p.file_name().unwrap_or_default().to_string_lossy()
                )
            });
        }
        self.status = format!("loaded {} ({} features)", layer.name, layer.features.len());
        self.layers.push(e);
        self.touch_layer(&layer.name);
        self.user_layers.push(Arc::new(layer));
        if let Some(b) = bbox {
            let (w, h) = self.map_size;
            self.view.fly_to_bbox(b, w, h, 19.0);
        }
    }

    /// Finish the outline being drawn: open the new-building form.
    pub fn finish_drawing(&mut self) {
        if self.draw.len() < 3 {
            self.status = "a building needs at least three corners".into();
            return;
        }
        let ring = std::mem::take(&mut self.draw);
        let (cx, cy) = ring
            .iter()
            .fold((0.0, 0.0), |a, p| (a.0 + p[0], a.1 + p[1]));
        let n = ring.len() as f64;
        let c = geo::Point::new(cx / n, cy / n);
        let park = if crate::core::zone::park_geometry(self.doc.current(), "HK")
            .is_some_and(|g| geo::Contains::contains(&g, &c))
        {
            "HK"
        } else {
            "SZ"
        };
        let existing: Vec<String> = self
            .doc
            .current()
            .layer("buildings")
            .map(|l| l.features.iter().filter_map(feature_id).collect())
            .unwrap_or_default();
        let id = (1..10000)
            .map(|k| format!("{park}-N{k:03}"))
            .find(|id| !existing.contains(id))
            .unwrap_or_else(|| format!("{park}-N"));
        self.new_building = Some(NewBuilding {
            ring,
            id,
            park: park.into(),
            use_: "dry_lab_office".into(),
            gfa_m2: 20000.0,
            status: "planned".into(),
            // the year being viewed, so that the new building shows at once
            year: self.year,
        });
        self.tool = Tool::Select;
        self.tab = Tab::Inspector;
    }

    /// Add the building of the new-building form (an undoable edit).
    pub fn add_new_building(&mut self) {
        let Some(nb) = self.new_building.clone() else {
            return;
        };
        let mut coords: Vec<serde_json::Value> = nb
            .ring
            .iter()
            .map(|p| serde_json::json!([p[0], p[1]]))
            .collect();
        if let Some(first) = coords.first().cloned() {
            coords.push(first);
        }
        let feature = serde_json::json!({
            "type": "Feature",
            "id": nb.id,
            "properties": {
                "id": nb.id,
                "park": nb.park,
                "name": format!("New building {}", nb.id),
                "use": nb.use_,
                "gfa_m2": nb.gfa_m2,
                "history": [{"year": nb.year, "status": nb.status}],
                "illustrative": true
            },
            "geometry": {"type": "Polygon", "coordinates": [coords]}
        });
        let before = self.doc.revision;
        self.edit(Edit::AddBuilding { feature });
        if self.doc.revision != before {
            self.new_building = None;
        }
    }

    /// Remove the layer at `i` of the stack (a loaded file's layer), its selection and mesh.
    pub fn remove_layer(&mut self, i: usize) {
        if i >= self.layers.len() {
            return;
        }
        let e = self.layers.remove(i);
        self.user_layers.retain(|l| l.name != e.name);
        self.user_revs.remove(&e.name);
        self.selection.retain(|r| r.layer != e.name);
        self.cache.forget_layer(&e.name);
    }

    /// List the problems of `file` in the Problems panel (replacing an earlier entry for the
    /// same file) and open the panel.
    pub fn add_problems(&mut self, file: &str, lines: Vec<String>) {
        self.problems.retain(|p| p.file != file);
        self.problems.push(super::FileProblems {
            file: file.to_string(),
            lines,
        });
        self.problems_folded = false;
        self.write_problems_log();
    }

    /// Take `file` off the Problems panel (it is being opened again).
    pub fn remove_problems(&mut self, file: &str) {
        let before = self.problems.len();
        self.problems.retain(|p| p.file != file);
        if self.problems.len() != before {
            self.write_problems_log();
        }
    }

    /// Forget every file's problems.
    pub fn clear_problems(&mut self) {
        self.problems.clear();
        self.write_problems_log();
    }

    fn write_problems_log(&mut self) {
        let Some(p) = &self.problems_log else {
            return;
        };
        let mut text = String::new();
        for f in &self.problems {
            for l in &f.lines {
                text.push_str(l);
                text.push('\n');
            }
        }
        if let Err(e) = crate::core::atomic::write_atomic(p, text.as_bytes()) {
            self.status = format!("cannot write {}: {e}", p.display());
        }
    }

    /// Record that the features of the loaded layer `name` changed (a new revision: its mesh
    /// and its pick index are rebuilt on next use).
    pub fn touch_layer(&mut self, name: &str) {
        self.next_rev += 1;
        self.user_revs.insert(name.to_string(), self.next_rev);
    }
}
