//! Caches built from the state and rebuilt when it changes: the scene (one tessellated mesh per
//! layer, keyed on data revision, style revision and year), the pick index, and the floor-space
//! statistics and series. The caches read the state through [`Inputs`] (borrowed fields of
//! the app), so this module does not depend on the app type.

use super::jobs::Job;
use super::layers::LayerEntry;
use super::pick::{FeatureRef, PickIndex};
use super::time::{TEMPORAL_LAYERS, YEARS};
use crate::core::model::{Dataset, Layer};
use crate::core::zone::ZoneStats;
use crate::core::zone::status_as_of;
use crate::render::LocalOrigin;
use crate::render::lod::{
    DETAIL_MAX_FEATURES, box_contains, detail_name, estimate_in_view, pad_box, split_outlines,
};
use crate::render::tessellate::{Filter, LayerMesh, tessellate_layer, tessellate_subset};
use crate::render::{Scene, SceneLayer};
use std::collections::HashMap;
use std::sync::Arc;

/// Loaded layers of at least this many features are tessellated again (a new style, a new
/// year) on a worker: the map shows the previous mesh until the new one is in.
pub const BACKGROUND_TESSELLATION_FEATURES: usize = 20_000;

/// A tessellation running on a worker, for a layer at `key`.
struct Pending {
    key: MeshKey,
    job: Job<LayerMesh>,
}

/// What a cached layer mesh was built from: data revision, style revision, year.
pub type MeshKey = (u64, u64, Option<i32>);
/// Delivered space by year: (year, SZ m², HK m²).
type YearSeries = Vec<(i32, f64, f64)>;

/// A big layer's detail part ([`crate::render::lod`]): the outlines of the features in
/// `cover` (lon/lat), for the layer at `key`; `None` when `cover` (then exactly the view
/// probed) held too many features for outlines.
struct Detail {
    key: MeshKey,
    cover: [f64; 4],
    mesh: Option<Arc<LayerMesh>>,
}

/// The caches of one app.
#[derive(Default)]
pub struct Caches {
    meshes: HashMap<String, (MeshKey, Arc<LayerMesh>)>,
    details: HashMap<String, Detail>,
    scene: Option<Arc<Scene>>,
    scene_key: Vec<(String, u64, u64, Option<i32>)>,
    /// Scene generation (bumped on every rebuild).
    scene_gen: u64,
    pick: PickIndex,
    stats: Option<((u64, i32), ZoneStats)>,
    series: Option<(u64, YearSeries)>,
    /// Research units of each building (indices in `research_units`), per document revision.
    units: Option<(u64, HashMap<String, Vec<usize>>)>,
    /// Big layers being tessellated on a worker.
    pending: HashMap<String, Pending>,
    /// Asks the window for a frame (a worker finished); none in headless tests.
    waker: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl Caches {
    /// Forget everything (the document was replaced).
    pub fn clear(&mut self) {
        let generation = self.scene_gen;
        let waker = self.waker.take();
        *self = Self::default();
        // the generation only grows: the renderer compares it with what it uploaded
        self.scene_gen = generation;
        self.waker = waker;
    }

    /// How a worker that finished asks for a frame (the window's repaint).
    pub fn set_waker(&mut self, waker: Arc<dyn Fn() + Send + Sync>) {
        self.waker = Some(waker);
    }

    /// Tessellations running on workers.
    pub fn tessellating(&self) -> usize {
        self.pending.len()
    }

    /// Take the meshes the workers finished (their scenes are rebuilt); a worker that died
    /// leaves its layer to be tried again.
    fn collect_pending(&mut self) {
        let done: Vec<(String, Result<LayerMesh, ()>)> = self
            .pending
            .iter()
            .filter_map(|(n, p)| p.job.poll().map(|r| (n.clone(), r)))
            .collect();
        for (name, result) in done {
            if let Some(p) = self.pending.remove(&name)
                && let Ok(mesh) = result
            {
                self.meshes.insert(name, (p.key, Arc::new(mesh)));
            }
            self.scene_key.clear();
        }
    }

    /// Drop the mesh of a layer (the layer was removed).
    pub fn forget_layer(&mut self, name: &str) {
        self.meshes.remove(name);
        self.details.remove(name);
        self.pick.remove(name);
        crate::app::memory::give_back();
    }

    /// Take a layer's mesh (when given) and pick tree built elsewhere (on the loading worker,
    /// [`crate::app::prepare`]): `key` is the (data revision, style revision, year) the mesh
    /// stands for, and the tree is for that data revision. Without a mesh the next scene
    /// tessellates the layer.
    pub fn adopt_layer(
        &mut self,
        name: &str,
        key: MeshKey,
        mesh: Option<Arc<LayerMesh>>,
        tree: crate::core::index::SpatialIndex,
    ) {
        if let Some(m) = mesh {
            self.meshes.insert(name.to_string(), (key, m));
        }
        self.pick.insert(name, key.0, tree);
    }

    /// The renderer has uploaded scene generation `uploaded`: when that is the current scene,
    /// its meshes' GPU-bound geometry (vertices, indices, markers) is dropped from the CPU
    /// side — the renderer keeps the buffers by mesh serial and the app needs only the labels,
    /// counts and extent — so a big layer is not held twice (here and in GPU memory, which a
    /// software GPU keeps in RAM). The scene keeps its generation: nothing is re-uploaded.
    /// Returns the bytes given back.
    pub fn release_uploaded(&mut self, uploaded: u64) -> usize {
        if uploaded != self.scene_gen {
            return 0;
        }
        let Some(scene) = &self.scene else {
            return 0;
        };
        if scene.layers.iter().all(|l| l.mesh.geometry_bytes() == 0) {
            return 0;
        }
        let mut freed = 0;
        let mut layers = scene.layers.clone();
        for l in &mut layers {
            let bytes = l.mesh.geometry_bytes();
            if bytes == 0 {
                continue;
            }
            freed += bytes;
            let light = Arc::new(l.mesh.without_geometry());
            for (_, m) in self.meshes.values_mut() {
                if m.serial == light.serial {
                    *m = light.clone();
                }
            }
            for d in self.details.values_mut() {
                if let Some(m) = d.mesh.as_mut()
                    && m.serial == light.serial
                {
                    *m = light.clone();
                }
            }
            l.mesh = light;
        }
        self.scene = Some(Arc::new(Scene {
            origin: scene.origin,
            layers,
        }));
        freed
    }

    /// The last scene built, if any.
    pub fn scene(&self) -> Option<&Arc<Scene>> {
        self.scene.as_ref()
    }
}

/// The key of a layer's mesh: its data revision, style revision and (for the layers the
/// timeline changes) the year.
fn mesh_key(inp: &Inputs<'_>, e: &LayerEntry) -> MeshKey {
    let year = TEMPORAL_LAYERS
        .contains(&e.name.as_str())
        .then_some(inp.year);
    (inp.data_rev(&e.name), e.style_rev, year)
}

/// What the caches are built from (borrowed from the app state).
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// The document's current dataset (base data with the scenario applied).
    pub data: &'a Dataset,
    /// The document revision (bumped on every edit, undo and redo).
    pub revision: u64,
    /// Layers loaded from files (and the reach bands).
    pub user_layers: &'a [Arc<Layer>],
    /// Data revision of each loaded layer (bumped whenever its features change).
    pub user_revs: &'a HashMap<String, u64>,
    /// The layer stack, bottom to top.
    pub layers: &'a [LayerEntry],
    /// The timeline year.
    pub year: i32,
    /// The local origin of the map geometry.
    pub origin: LocalOrigin,
}

impl<'a> Inputs<'a> {
    /// The data of a layer by name (document layers first, then loaded files).
    pub fn layer(&self, name: &str) -> Option<&'a Layer> {
        self.data.layer(name).or_else(|| {
            self.user_layers
                .iter()
                .find(|l| l.name == name)
                .map(|l| &**l)
        })
    }

    /// Whether a feature is drawn in the timeline's year.
    pub fn exists_in_year(&self, r: &FeatureRef) -> bool {
        if !TEMPORAL_LAYERS.contains(&r.layer.as_str()) {
            return true;
        }
        self.layer(&r.layer)
            .and_then(|l| l.features.get(r.index))
            .is_some_and(|f| status_as_of(f, self.year).is_some())
    }

    /// The data revision of a layer: the document revision for the layers edits change, the
    /// layer's own counter for loaded layers, 0 for the zone's fixed layers.
    pub fn data_rev(&self, name: &str) -> u64 {
        if self.data.layer(name).is_some() {
            if TEMPORAL_LAYERS.contains(&name) {
                self.revision
            } else {
                0
            }
        } else {
            self.user_revs.get(name).copied().unwrap_or(0)
        }
    }

    /// Visible, pickable layer names, top first (the picking order).
    pub fn pick_order(&self) -> Vec<&'a str> {
        self.layers
            .iter()
            .rev()
            .filter(|e| e.visible && e.pickable)
            .map(|e| e.name.as_str())
            .collect()
    }

    /// The data of the layers in [`Self::pick_order`].
    fn pick_layers(&self) -> Vec<&'a Layer> {
        self.pick_order()
            .into_iter()
            .filter_map(|n| self.layer(n))
            .collect()
    }
}

impl Caches {
    /// Scene generation: bumped on every scene rebuild.
    pub fn scene_gen(&self) -> u64 {
        self.scene_gen
    }

    /// Rebuild the scene when data, styles, order or year changed; returns it.
    pub fn ensure_scene(&mut self, inp: Inputs<'_>) -> Option<Arc<Scene>> {
        if inp.layers.is_empty() {
            return None;
        }
        self.collect_pending();
        let origin = inp.origin;
        let mut key = Vec::with_capacity(inp.layers.len());
        for e in inp.layers {
            let k = mesh_key(&inp, e);
            key.push((e.name.clone(), k.0, k.1, k.2));
        }
        if self.scene.is_some() && key == self.scene_key {
            return self.scene.clone();
        }
        let mut layers = Vec::with_capacity(inp.layers.len());
        for (e, k) in inp.layers.iter().zip(&key) {
            let mk = (k.1, k.2, k.3);
            let cached = self
                .meshes
                .get(&e.name)
                .filter(|(ck, _)| *ck == mk)
                .map(|(_, m)| m.clone());
            let mesh = match cached {
                Some(m) => m,
                None => {
                    let Some(data) = inp.layer(&e.name) else {
                        continue;
                    };
                    // a big layer's base part has no outlines (they come as its detail)
                    let split = split_outlines(&e.style, data.features.len());
                    let style = split.as_ref().map_or(&e.style, |(base, _)| base);
                    let filter = Filter {
                        year: Some(inp.year),
                    };
                    let big_loaded = inp
                        .user_layers
                        .iter()
                        .find(|l| l.name == e.name)
                        .filter(|l| l.features.len() >= BACKGROUND_TESSELLATION_FEATURES);
                    match big_loaded {
                        Some(layer) => {
                            let layer = layer.clone();
                            self.tessellate_later(&e.name, mk, layer, style, filter, origin);
                            // the previous mesh until the new one is in (none: not drawn yet)
                            match self.meshes.get(&e.name) {
                                Some((_, m)) => m.clone(),
                                None => continue,
                            }
                        }
                        None => {
                            let m = Arc::new(tessellate_layer(data, style, filter, origin));
                            self.meshes.insert(e.name.clone(), (mk, m.clone()));
                            m
                        }
                    }
                }
            };
            layers.push(SceneLayer {
                name: e.name.clone(),
                style: e.style.clone(),
                mesh,
                attribution: e.attribution.clone(),
                illustrative: e.illustrative,
            });
            if let Some(Detail {
                key: dk,
                mesh: Some(m),
                ..
            }) = self.details.get(&e.name)
                && *dk == mk
            {
                layers.push(SceneLayer {
                    name: detail_name(&e.name),
                    style: e.style.clone(),
                    mesh: m.clone(),
                    attribution: None,
                    illustrative: e.illustrative,
                });
            }
        }
        self.scene = Some(Arc::new(Scene { origin, layers }));
        self.scene_key = key;
        self.scene_gen += 1;
        self.scene.clone()
    }

    /// Tessellate `layer` (at `key`) on a worker, unless one already does it for that key (a
    /// worker for an older key is forgotten: its mesh would be stale when it came).
    fn tessellate_later(
        &mut self,
        name: &str,
        key: MeshKey,
        layer: Arc<Layer>,
        style: &crate::render::Style,
        filter: Filter,
        origin: LocalOrigin,
    ) {
        if self.pending.get(name).is_some_and(|p| p.key == key) {
            return;
        }
        let style = style.clone();
        let waker = self.waker.clone();
        let job = Job::spawn(
            format!("drawing {name}"),
            move |_| tessellate_layer(&layer, &style, filter, origin),
            move || {
                if let Some(w) = waker {
                    w();
                }
            },
        );
        self.pending.insert(name.to_string(), Pending { key, job });
    }

    /// Bring the big layers' detail parts (their outlines near the view,
    /// [`crate::render::lod`]) up to date for the lon/lat box `view` the map shows: a detail
    /// is kept while its covered area contains the view, and otherwise rebuilt over the view
    /// grown by half its size on every side, from the pick index's candidates, when they
    /// are few enough ([`DETAIL_MAX_FEATURES`]). Returns whether a detail changed (the next
    /// scene then includes it).
    pub fn ensure_details(&mut self, inp: Inputs<'_>, view: [f64; 4]) -> bool {
        let mut changed = false;
        let mut picked = false;
        for e in inp.layers {
            let Some(data) = inp.layer(&e.name) else {
                continue;
            };
            let Some((_, detail_style)) = split_outlines(&e.style, data.features.len()) else {
                changed |= self.details.remove(&e.name).is_some();
                continue;
            };
            if !e.visible {
                continue;
            }
            let key = mesh_key(&inp, e);
            if let Some(d) = self.details.get(&e.name)
                && d.key == key
                && (if d.mesh.is_some() {
                    box_contains(d.cover, view)
                } else {
                    d.cover == view
                })
            {
                continue;
            }
            let cover = pad_box(view, 0.5);
            let extent = self
                .meshes
                .get(&e.name)
                .and_then(|(_, m)| m.bbox)
                .unwrap_or(view);
            let few = estimate_in_view(data.features.len(), extent, cover)
                <= 2.0 * DETAIL_MAX_FEATURES as f64;
            let candidates = if few {
                if !picked {
                    self.ensure_pick(inp);
                    picked = true;
                }
                self.pick
                    .candidates_in(&e.name, [cover[0], cover[1]], [cover[2], cover[3]])
            } else {
                Vec::new()
            };
            let detail = if few && candidates.len() <= DETAIL_MAX_FEATURES {
                let mut m = tessellate_subset(
                    data,
                    &candidates,
                    &detail_style,
                    Filter {
                        year: Some(inp.year),
                    },
                    inp.origin,
                );
                // the renderer keys its layers by mesh name: the detail has its own
                m.name = detail_name(&e.name);
                Detail {
                    key,
                    cover,
                    mesh: Some(Arc::new(m)),
                }
            } else {
                Detail {
                    key,
                    cover: view,
                    mesh: None,
                }
            };
            let had = self.details.get(&e.name).is_some_and(|d| d.mesh.is_some());
            changed |= had || detail.mesh.is_some();
            self.details.insert(e.name.clone(), detail);
        }
        if changed {
            // the scene is rebuilt with the new details (the other layers' meshes are kept)
            self.scene_key.clear();
        }
        changed
    }

    /// Bring the pick index up to date: every layer (document and loaded) at its data
    /// revision; only layers whose revision changed are re-indexed.
    fn ensure_pick(&mut self, inp: Inputs<'_>) {
        let all: Vec<(&Layer, u64)> = inp
            .data
            .layers
            .iter()
            .chain(inp.user_layers.iter().map(|l| &**l))
            .map(|l| (l, inp.data_rev(&l.name)))
            .collect();
        self.pick.update(&all);
    }

    /// The pick index (tests: which revision each layer was indexed at).
    pub fn pick_index(&self) -> &PickIndex {
        &self.pick
    }

    /// The feature under a Mercator point within `tol_m` metres.
    pub fn pick_at(&mut self, inp: Inputs<'_>, merc: [f64; 2], tol_m: f64) -> Option<FeatureRef> {
        self.ensure_pick(inp);
        let keep = |r: &FeatureRef| inp.exists_in_year(r);
        self.pick.pick(&inp.pick_layers(), merc, tol_m, &keep)
    }

    /// Features of visible, pickable layers inside a Mercator box.
    pub fn pick_box(&mut self, inp: Inputs<'_>, b: [f64; 4]) -> Vec<FeatureRef> {
        self.ensure_pick(inp);
        let keep = |r: &FeatureRef| inp.exists_in_year(r);
        self.pick.in_box(&inp.pick_layers(), b, &keep)
    }

    /// The nearest vertex of a visible feature within `tol_m` of a Mercator point (every
    /// visible layer: snapping to a district's edge is useful even when it is not pickable).
    pub fn snap(&mut self, inp: Inputs<'_>, merc: [f64; 2], tol_m: f64) -> Option<[f64; 2]> {
        self.ensure_pick(inp);
        let layers: Vec<&Layer> = inp
            .layers
            .iter()
            .rev()
            .filter(|e| e.visible)
            .filter_map(|e| inp.layer(&e.name))
            .collect();
        self.pick.snap_vertex(&layers, merc, tol_m)
    }

    /// Floor-space statistics as of the year (cached per document revision and year).
    pub fn stats(&mut self, inp: Inputs<'_>) -> &ZoneStats {
        let key = (inp.revision, inp.year);
        if self.stats.as_ref().is_none_or(|s| s.0 != key) {
            self.stats = Some((key, ZoneStats::compute(inp.data, inp.year)));
        }
        match &self.stats {
            Some((_, s)) => s,
            None => unreachable!("set above"),
        }
    }

    /// Delivered new space by year for each park: (year, SZ m², HK m²), 2017–2035.
    pub fn series(&mut self, inp: Inputs<'_>) -> &[(i32, f64, f64)] {
        let rev = inp.revision;
        if self.series.as_ref().is_none_or(|s| s.0 != rev) {
            let ds = inp.data;
            let v = YEARS
                .map(|y| {
                    (
                        y,
                        crate::core::zone::planning::delivered_m2(ds, "SZ", y),
                        crate::core::zone::planning::delivered_m2(ds, "HK", y),
                    )
                })
                .collect();
            self.series = Some((rev, v));
        }
        match &self.series {
            Some((_, v)) => v,
            None => unreachable!("set above"),
        }
    }

    /// The research units of building `id` (indices in the `research_units` layer), from a
    /// table built once per document revision (not a scan of every unit each frame).
    pub fn units_of(&mut self, inp: Inputs<'_>, id: &str) -> &[usize] {
        if self.units.as_ref().is_none_or(|u| u.0 != inp.revision) {
            let mut m: HashMap<String, Vec<usize>> = HashMap::new();
            if let Some(l) = inp.data.layer("research_units") {
                for (i, u) in l.features.iter().enumerate() {
                    if let Some(b) = u.prop_str("building_id") {
                        m.entry(b.to_string()).or_default().push(i);
                    }
                }
            }
            self.units = Some((inp.revision, m));
        }
        match &self.units {
            Some((_, m)) => m.get(id).map_or(&[], Vec::as_slice),
            None => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::StyleSet;

    #[test]
    fn an_uploaded_scene_drops_its_cpu_geometry_and_keeps_what_the_cpu_reads() {
        let ds = crate::core::zone::embedded_dataset().expect("zone");
        let styles = StyleSet::from_files(crate::core::zone::STYLE_FILES).expect("styles");
        let layers: Vec<LayerEntry> = ds
            .layers
            .iter()
            .map(|l| LayerEntry::new(l, &styles, false))
            .collect();
        let revs = HashMap::new();
        let inp = Inputs {
            data: &ds,
            revision: 0,
            user_layers: &[],
            user_revs: &revs,
            layers: &layers,
            year: 2025,
            origin: crate::app::state::map_origin(),
        };
        let mut c = Caches::default();
        let full = c.ensure_scene(inp).expect("scene");
        let generation = c.scene_gen();
        let bytes: usize = full.layers.iter().map(|l| l.mesh.geometry_bytes()).sum();
        assert!(bytes > 0);
        // an older generation on the GPU: nothing is dropped
        assert_eq!(c.release_uploaded(generation - 1), 0);
        assert_eq!(c.release_uploaded(generation), bytes);
        let light = c.scene().expect("scene").clone();
        assert_eq!(c.scene_gen(), generation, "nothing to upload again");
        assert_eq!(light.layers.len(), full.layers.len());
        for (a, b) in full.layers.iter().zip(&light.layers) {
            assert_eq!(b.mesh.geometry_bytes(), 0);
            assert_eq!(a.mesh.serial, b.mesh.serial);
            assert_eq!(a.mesh.labels, b.mesh.labels);
            assert_eq!(a.mesh.bbox, b.mesh.bbox);
            assert_eq!(a.mesh.features_drawn, b.mesh.features_drawn);
        }
        // the same inputs again: the light scene stands, nothing is re-tessellated
        let again = c.ensure_scene(inp).expect("scene");
        assert_eq!(c.scene_gen(), generation);
        assert!(Arc::ptr_eq(&again, &light));
        assert_eq!(c.release_uploaded(generation), 0);
    }
}
