//! The application: [`HetaoApp`] owns the state (document, layer stack, view, tools, jobs) and
//! lays out the window — menu bar, tool bar, layers panel, map, inspector / measure /
//! dashboard tabs, timeline and status bar. The map widget itself is in [`super::map`].

use super::doc::{Document, pending_autosave};
use super::export::{self, SnapshotJob};
use super::jobs::{Job, JobControl, read_with_progress};
use super::layers::{LayerEntry, StyleMode, move_item, property_names, visible_attributions};
use super::measure::{MeasureKind, Measurement};
use super::pick::{FeatureRef, PickIndex};
use super::view::{MapView, ZONE_EXTENT};
use crate::core::crs::Transformer;
use crate::core::model::{Dataset, Feature, Layer};
use crate::core::zone::{Edit, Scenario, Status, Use, ZoneStats, feature_id, status_as_of};
use crate::render::style::{ColorBy, Rgba};
use crate::render::tessellate::{Filter, LayerMesh, tessellate_layer};
use crate::render::{GpuContext, LocalOrigin, Scene, SceneLayer, StyleSet};
use eframe::egui;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// First and last year of the timeline.
pub const YEARS: std::ops::RangeInclusive<i32> = 2017..=2035;
/// Layers whose drawing depends on the year (they carry a `history`).
pub const TEMPORAL_LAYERS: &[&str] = &["buildings", "research_units"];
/// Seconds per year while the timeline plays.
pub const PLAY_STEP_S: f64 = 0.7;

/// The tool the map's pointer works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Click selects, drag pans, Shift+drag box-selects.
    Select,
    /// Click adds polyline vertices.
    Distance,
    /// Click adds polygon vertices.
    Area,
    /// Click adds the corners of a new building; double-click or Enter finishes.
    DrawBuilding,
}

/// The projected grid shown in the status bar and used for planar measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grid {
    /// Hong Kong 1980 Grid (EPSG:2326).
    Hk1980,
    /// CGCS2000 / 3-degree Gauss–Krüger CM 114°E (EPSG:4547).
    Cgcs2000,
}

impl Grid {
    /// EPSG code.
    pub fn epsg(self) -> &'static str {
        match self {
            Grid::Hk1980 => "EPSG:2326",
            Grid::Cgcs2000 => "EPSG:4547",
        }
    }

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Grid::Hk1980 => "HK1980 Grid",
            Grid::Cgcs2000 => "CGCS2000 GK 114°E",
        }
    }
}

/// The right-hand panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Properties of the selection, and edits.
    Inspector,
    /// Measurement figures.
    Measure,
    /// Floor space toward 2035.
    Dashboard,
    /// Travel reach (isochrones, destination times).
    Reach,
}

/// The edit form of the inspector (values being typed for the selected feature).
#[derive(Debug, Clone, PartialEq)]
pub struct EditForm {
    /// The feature id the form is for.
    pub id: String,
    /// Status to set.
    pub status: String,
    /// Year for the status.
    pub status_year: i32,
    /// Year of the last history entry.
    pub year: i32,
    /// Floor area, m².
    pub m2: f64,
}

/// The new-building form after drawing an outline.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBuilding {
    /// Outline, lon/lat.
    pub ring: Vec<[f64; 2]>,
    /// Id to give.
    pub id: String,
    /// "SZ" or "HK".
    pub park: String,
    /// Use.
    pub use_: String,
    /// GFA, m².
    pub gfa_m2: f64,
    /// Status.
    pub status: String,
    /// Year of the status.
    pub year: i32,
}

/// A screenshot request (`hetao --screenshot FILE.png`).
pub struct ScreenshotState {
    /// Where to write the PNG.
    pub path: PathBuf,
    frames: u32,
    requested: bool,
    started: std::time::Instant,
    image: Arc<Mutex<Option<Arc<egui::ColorImage>>>>,
    /// The outcome, read by `run` after the window closes.
    pub result: Arc<Mutex<Option<Result<String, String>>>>,
}

impl ScreenshotState {
    /// A pending screenshot to `path`.
    pub fn new(path: PathBuf, result: Arc<Mutex<Option<Result<String, String>>>>) -> Self {
        Self {
            path,
            frames: 0,
            requested: false,
            started: std::time::Instant::now(),
            image: Arc::new(Mutex::new(None)),
            result,
        }
    }
}

/// The GPU of the window, when there is one.
pub struct GpuHandle {
    /// eframe's render state (device, queue, format).
    pub state: eframe::egui_wgpu::RenderState,
    /// The last scene generation the renderer uploaded.
    pub uploaded: Arc<AtomicU64>,
}

enum Loaded {
    Zone(Result<(Dataset, StyleSet), String>),
    File(PathBuf, Result<Layer, String>),
}

/// What a cached layer mesh was built from: data revision, style revision, year.
type MeshKey = (u64, u64, Option<i32>);
/// Delivered space by year: (year, SZ m², HK m²).
type YearSeries = Vec<(i32, f64, f64)>;

/// The application state.
pub struct HetaoApp {
    /// Base data, scenario, undo/redo.
    pub doc: Document,
    /// Shipped styles.
    pub styles: StyleSet,
    /// The layer stack, bottom to top.
    pub layers: Vec<LayerEntry>,
    /// Layers loaded from files.
    pub user_layers: Vec<Layer>,
    /// Map view.
    pub view: MapView,
    /// Timeline year.
    pub year: i32,
    /// Timeline playing.
    pub playing: bool,
    play_accum: f64,
    /// Current tool.
    pub tool: Tool,
    /// Feature under the pointer.
    pub hover: Option<FeatureRef>,
    /// Selected features.
    pub selection: Vec<FeatureRef>,
    /// Measurement in progress or done.
    pub measure: Option<Measurement>,
    /// Snap measure and draw vertices to nearby feature vertices.
    pub snapping: bool,
    /// Outline being drawn.
    pub draw: Vec<[f64; 2]>,
    /// New building form.
    pub new_building: Option<NewBuilding>,
    /// Inspector edit form.
    pub form: Option<EditForm>,
    /// Search text.
    pub search: String,
    /// Grid shown and used for planar measures.
    pub grid: Grid,
    grids: HashMap<&'static str, Option<Transformer>>,
    /// Pointer position, lon/lat.
    pub cursor: Option<(f64, f64)>,
    /// Right panel tab.
    pub tab: Tab,
    /// Status line (last message).
    pub status: String,
    /// Files that failed to load: (file, error with line and column).
    pub load_errors: Vec<(String, String)>,
    /// Errors of the last edit.
    pub edit_error: Option<String>,
    zone_job: Option<Job<Loaded>>,
    file_jobs: Vec<Job<Loaded>>,
    export_job: Option<Job<Result<String, String>>>,
    snapshot_dialog: Option<(f64, String)>,
    meshes: HashMap<String, (MeshKey, Arc<LayerMesh>)>,
    scene: Option<Arc<Scene>>,
    scene_key: Vec<(String, u64, u64, Option<i32>)>,
    /// Scene generation (bumped on every rebuild).
    pub scene_gen: u64,
    pick: PickIndex,
    pick_key: (u64, usize),
    stats: Option<((u64, i32), ZoneStats)>,
    series: Option<(u64, YearSeries)>,
    /// The window's GPU.
    pub gpu: Option<GpuHandle>,
    /// Screenshot mode.
    pub screenshot: Option<ScreenshotState>,
    /// An autosave found at start, offered back.
    pub autosave_offer: Option<(PathBuf, Scenario)>,
    /// Write unsaved edits to the autosave file after every change (off in tests).
    pub autosave: bool,
    /// Map rectangle size last frame (logical px).
    pub map_size: (f64, f64),
    /// Box-select drag start (screen).
    pub box_start: Option<egui::Pos2>,
    /// The travel-reach tool and its bands.
    pub reach: super::reach::ReachState,
    fitted: bool,
}

/// The local origin of all map geometry: the zone's centre.
pub fn map_origin() -> LocalOrigin {
    LocalOrigin::from_lonlat(
        (ZONE_EXTENT[0] + ZONE_EXTENT[2]) / 2.0,
        (ZONE_EXTENT[1] + ZONE_EXTENT[3]) / 2.0,
    )
}

impl HetaoApp {
    /// An app with no data yet (the zone loads in the background: [`HetaoApp::start_loading`]).
    pub fn empty() -> Self {
        Self {
            doc: Document::default(),
            styles: StyleSet::default(),
            layers: Vec::new(),
            user_layers: Vec::new(),
            view: MapView::default(),
            year: crate::core::zone::DATA_YEAR,
            playing: false,
            play_accum: 0.0,
            tool: Tool::Select,
            hover: None,
            selection: Vec::new(),
            measure: None,
            snapping: true,
            draw: Vec::new(),
            new_building: None,
            form: None,
            search: String::new(),
            grid: Grid::Hk1980,
            grids: HashMap::new(),
            cursor: None,
            tab: Tab::Dashboard,
            status: String::new(),
            load_errors: Vec::new(),
            edit_error: None,
            zone_job: None,
            file_jobs: Vec::new(),
            export_job: None,
            snapshot_dialog: None,
            meshes: HashMap::new(),
            scene: None,
            scene_key: Vec::new(),
            scene_gen: 0,
            pick: PickIndex::default(),
            pick_key: (u64::MAX, 0),
            stats: None,
            series: None,
            gpu: None,
            screenshot: None,
            autosave_offer: None,
            autosave: true,
            map_size: (1000.0, 700.0),
            box_start: None,
            reach: super::reach::ReachState::default(),
            fitted: false,
        }
    }

    /// An app over an already loaded dataset (tests, or after the background load).
    pub fn with_data(ds: Dataset, styles: StyleSet) -> Self {
        let mut a = Self::empty();
        a.set_zone(ds, styles);
        a
    }

    fn set_zone(&mut self, ds: Dataset, styles: StyleSet) {
        self.layers = ds
            .layers
            .iter()
            .map(|l| LayerEntry::new(l, &styles, false))
            .collect();
        // the research units sit inside the buildings: off at start, one click away
        for e in &mut self.layers {
            if e.name == "research_units" {
                e.visible = false;
            }
        }
        self.styles = styles;
        self.doc = Document::new(ds);
        // every cache was keyed on the empty document
        self.meshes.clear();
        self.scene = None;
        self.scene_key.clear();
        self.stats = None;
        self.series = None;
        self.pick_key = (u64::MAX, usize::MAX);
        self.fitted = false;
        self.status = format!(
            "zone loaded: {} layers, {} features",
            self.layers.len(),
            self.doc.current().feature_count()
        );
    }

    /// Load the embedded zone on a worker thread.
    pub fn start_loading(&mut self, ctx: &egui::Context) {
        let c = ctx.clone();
        self.zone_job = Some(Job::spawn(
            "loading the zone",
            |_: &JobControl| {
                let r = crate::core::zone::embedded_dataset()
                    .map_err(|e| e.to_string())
                    .and_then(|ds| {
                        StyleSet::embedded()
                            .map(|s| (ds, s))
                            .map_err(|e| e.to_string())
                    });
                Loaded::Zone(r)
            },
            move || c.request_repaint(),
        ));
    }

    /// Whether the zone is loaded.
    pub fn is_loaded(&self) -> bool {
        !self.layers.is_empty()
    }

    /// The data of a layer by name (zone layers from the document, then loaded files).
    pub fn layer_data(&self, name: &str) -> Option<&Layer> {
        self.doc
            .current()
            .layer(name)
            .or_else(|| self.user_layers.iter().find(|l| l.name == name))
    }

    /// The feature a reference points at.
    pub fn feature(&self, r: &FeatureRef) -> Option<&Feature> {
        self.layer_data(&r.layer)?.features.get(r.index)
    }

    /// Whether a feature is drawn in the timeline's year.
    pub fn exists_in_year(&self, r: &FeatureRef) -> bool {
        if !TEMPORAL_LAYERS.contains(&r.layer.as_str()) {
            return true;
        }
        self.feature(r)
            .is_some_and(|f| status_as_of(f, self.year).is_some())
    }

    /// A transform from WGS84 to the chosen grid (cached; `None` when PROJ lacks it).
    pub fn grid_transformer(&mut self, grid: Grid) -> Option<&Transformer> {
        self.grids
            .entry(grid.epsg())
            .or_insert_with(|| Transformer::new("EPSG:4326", grid.epsg()).ok())
            .as_ref()
    }

    // ---------------------------------------------------------------- caches

    fn data_rev(&self, name: &str) -> u64 {
        if self.doc.current().layer(name).is_some() && TEMPORAL_LAYERS.contains(&name) {
            self.doc.revision
        } else {
            0
        }
    }

    /// Rebuild the scene when data, styles, order or year changed; returns it.
    pub fn ensure_scene(&mut self) -> Option<Arc<Scene>> {
        if self.layers.is_empty() {
            return None;
        }
        let origin = map_origin();
        let mut key = Vec::with_capacity(self.layers.len());
        for e in &self.layers {
            let year = TEMPORAL_LAYERS
                .contains(&e.name.as_str())
                .then_some(self.year);
            key.push((e.name.clone(), self.data_rev(&e.name), e.style_rev, year));
        }
        if self.scene.is_some() && key == self.scene_key {
            return self.scene.clone();
        }
        let mut layers = Vec::with_capacity(self.layers.len());
        for (e, k) in self.layers.iter().zip(&key) {
            let mk = (k.1, k.2, k.3);
            let cached = self
                .meshes
                .get(&e.name)
                .filter(|(ck, _)| *ck == mk)
                .map(|(_, m)| m.clone());
            let mesh = match cached {
                Some(m) => m,
                None => {
                    let Some(data) = self.layer_data(&e.name) else {
                        continue;
                    };
                    let m = Arc::new(tessellate_layer(
                        data,
                        &e.style,
                        Filter {
                            year: Some(self.year),
                        },
                        origin,
                    ));
                    self.meshes.insert(e.name.clone(), (mk, m.clone()));
                    m
                }
            };
            layers.push(SceneLayer {
                name: e.name.clone(),
                style: e.style.clone(),
                mesh: (*mesh).clone(),
                attribution: e.attribution.clone(),
                illustrative: e.illustrative,
            });
        }
        self.scene = Some(Arc::new(Scene { origin, layers }));
        self.scene_key = key;
        self.scene_gen += 1;
        self.scene.clone()
    }

    fn ensure_pick(&mut self) {
        let key = (self.doc.revision, self.user_layers.len());
        if key == self.pick_key {
            return;
        }
        let mut all: Vec<(&str, &[Feature])> = self
            .doc
            .current()
            .layers
            .iter()
            .map(|l| (l.name.as_str(), l.features.as_slice()))
            .collect();
        all.extend(
            self.user_layers
                .iter()
                .map(|l| (l.name.as_str(), l.features.as_slice())),
        );
        self.pick = PickIndex::build(all);
        self.pick_key = key;
    }

    /// Visible layer names, top first (the picking order).
    pub fn pick_order(&self) -> Vec<String> {
        self.layers
            .iter()
            .rev()
            .filter(|e| e.visible)
            .map(|e| e.name.clone())
            .collect()
    }

    /// The feature under a Mercator point within `tol_m` metres.
    pub fn pick_at(&mut self, merc: [f64; 2], tol_m: f64) -> Option<FeatureRef> {
        self.ensure_pick();
        let order = self.pick_order();
        let names: Vec<&str> = order.iter().map(String::as_str).collect();
        let keep = |r: &FeatureRef| self.exists_in_year(r);
        self.pick.pick(merc, tol_m, &names, &keep)
    }

    /// Features of visible layers inside a Mercator box.
    pub fn pick_box(&mut self, b: [f64; 4]) -> Vec<FeatureRef> {
        self.ensure_pick();
        let order = self.pick_order();
        let names: Vec<&str> = order.iter().map(String::as_str).collect();
        let keep = |r: &FeatureRef| self.exists_in_year(r);
        self.pick.in_box(b, &names, &keep)
    }

    /// The nearest vertex of a visible feature within `tol_m` of a Mercator point.
    pub fn snap(&mut self, merc: [f64; 2], tol_m: f64) -> Option<[f64; 2]> {
        if !self.snapping {
            return None;
        }
        self.ensure_pick();
        let order = self.pick_order();
        let names: Vec<&str> = order.iter().map(String::as_str).collect();
        self.pick.snap_vertex(merc, tol_m, &names)
    }

    /// Floor-space statistics as of the timeline year (cached per document revision and year).
    pub fn stats(&mut self) -> &ZoneStats {
        let key = (self.doc.revision, self.year);
        if self.stats.as_ref().is_none_or(|s| s.0 != key) {
            self.stats = Some((key, ZoneStats::compute(self.doc.current(), self.year)));
        }
        match &self.stats {
            Some((_, s)) => s,
            None => unreachable!("set above"),
        }
    }

    /// Delivered new space by year for each park: (year, SZ m², HK m²), 2017–2035.
    pub fn series(&mut self) -> &[(i32, f64, f64)] {
        let rev = self.doc.revision;
        if self.series.as_ref().is_none_or(|s| s.0 != rev) {
            let ds = self.doc.current();
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

    // ---------------------------------------------------------------- actions

    /// Apply a scenario edit (undoable); the map and dashboard follow on the next frame.
    pub fn edit(&mut self, e: Edit) {
        let what = format!("{} {}", e.op(), e.id());
        match self.doc.apply(e) {
            Ok(()) => {
                self.edit_error = None;
                self.status = format!("edit: {what}");
                self.after_doc_change();
            }
            Err(err) => self.edit_error = Some(err.to_string()),
        }
    }

    /// Undo the last edit.
    pub fn undo(&mut self) {
        if self.doc.undo() {
            self.status = "undone".into();
            self.after_doc_change();
        }
    }

    /// Redo the last undone edit.
    pub fn redo(&mut self) {
        if self.doc.redo() {
            self.status = "redone".into();
            self.after_doc_change();
        }
    }

    fn after_doc_change(&mut self) {
        // features may have moved: drop references that no longer resolve
        self.selection.retain(|r| {
            self.doc
                .current()
                .layer(&r.layer)
                .is_some_and(|l| r.index < l.features.len())
                || self.user_layers.iter().any(|l| l.name == r.layer)
        });
        self.hover = None;
        self.form = None;
        if self.screenshot.is_none() && self.autosave {
            match self.doc.autosave() {
                Ok(_) => {}
                Err(e) => self.status = format!("autosave failed: {e}"),
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

    /// Search ids and names of every layer; up to `limit` hits (exact id first).
    pub fn search_hits(&self, q: &str, limit: usize) -> Vec<(FeatureRef, String)> {
        let q = q.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let mut exact = Vec::new();
        let mut hits = Vec::new();
        for e in self.layers.iter().rev() {
            let Some(l) = self.layer_data(&e.name) else {
                continue;
            };
            for (i, f) in l.features.iter().enumerate() {
                let id = feature_id(f);
                let name = [
                    "name", "name_en", "name_zh", "platform", "NAME_EN", "NAME_TC",
                ]
                .iter()
                .find_map(|k| f.prop_str(k))
                .unwrap_or("");
                let r = FeatureRef {
                    layer: e.name.clone(),
                    index: i,
                };
                let text = match (&id, name.is_empty()) {
                    (Some(id), true) => format!("{id} · {}", e.title),
                    (None, true) => format!("? · {}", e.title),
                    (None, false) => format!("{name} · {}", e.title),
                    (Some(id), false) => format!("{name} ({id}) · {}", e.title),
                };
                let id = id.map(|s| s.to_lowercase());
                if id.as_deref() == Some(q.as_str()) {
                    exact.push((r, text));
                } else if id.is_some_and(|i| i.contains(&q)) || name.to_lowercase().contains(&q) {
                    hits.push((r, text));
                }
                if exact.len() + hits.len() >= limit * 4 {
                    break;
                }
            }
        }
        exact.extend(hits);
        exact.truncate(limit);
        exact
    }

    /// Restyle a layer after its mode or opacity changed.
    pub fn restyle(&mut self, i: usize) {
        let Some(name) = self.layers.get(i).map(|e| e.name.clone()) else {
            return;
        };
        let data = self.layer_data(&name).cloned().unwrap_or_default();
        if let Some(e) = self.layers.get_mut(i) {
            e.restyle(&data);
        }
    }

    /// Load a GeoJSON file on a worker thread (progress in the status bar, Cancel stops it).
    pub fn open_file(&mut self, path: PathBuf, ctx: &egui::Context) {
        let c = ctx.clone();
        let p = path.clone();
        self.file_jobs.push(Job::spawn(
            format!("loading {}", path.display()),
            move |jc: &JobControl| {
                let r = read_with_progress(&p, jc)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| {
                        let name = p
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "layer".into());
                        let file = p.display().to_string();
                        let mut l = crate::core::io::load_slice(&bytes, &name, &file)
                            .map_err(|e| e.to_string())?;
                        l.source = Some(p.clone());
                        jc.set_progress(1.0);
                        Ok(l)
                    });
                Loaded::File(p, r)
            },
            move || c.request_repaint(),
        ));
    }

    /// Add a loaded layer on top (renamed if its name is taken) and fly to it.
    pub fn add_user_layer(&mut self, mut layer: Layer) {
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
        let bbox = crate::core::measure::bbox_of_all(
            layer.features.iter().filter_map(|f| f.geometry.as_ref()),
        );
        self.layers.push(e);
        self.user_layers.push(layer);
        if let Some(b) = bbox {
            let (w, h) = self.map_size;
            self.view.fly_to_bbox(b, w, h, 19.0);
        }
    }

    fn poll_jobs(&mut self) {
        if let Some(j) = &self.zone_job
            && let Some(r) = j.poll()
        {
            self.zone_job = None;
            match r {
                Ok(Loaded::Zone(Ok((ds, st)))) => {
                    self.set_zone(ds, st);
                    self.check_autosave();
                }
                Ok(Loaded::Zone(Err(e))) => self.status = format!("cannot load the zone: {e}"),
                _ => self.status = "the zone loader stopped".into(),
            }
        }
        let mut done = Vec::new();
        for (i, j) in self.file_jobs.iter().enumerate() {
            if let Some(r) = j.poll() {
                let cancelled = j.control.is_cancelled();
                done.push((i, r, cancelled));
            }
        }
        for (i, r, cancelled) in done.into_iter().rev() {
            self.file_jobs.remove(i);
            match r {
                Ok(Loaded::File(_, Ok(l))) if !cancelled => self.add_user_layer(l),
                Ok(Loaded::File(p, Err(e))) if !cancelled => {
                    self.status = format!("{} failed to load", p.display());
                    self.load_errors.push((p.display().to_string(), e));
                }
                _ => self.status = "load cancelled".into(),
            }
        }
        if let Some(j) = &self.export_job
            && let Some(r) = j.poll()
        {
            self.export_job = None;
            self.status = match r {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => format!("export failed: {e}"),
                Err(()) => "export stopped".into(),
            };
        }
    }

    fn check_autosave(&mut self) {
        if self.screenshot.is_some() || !self.autosave {
            return;
        }
        if let Some(p) = self.doc.autosave_path()
            && let Some(s) = pending_autosave(&p)
        {
            self.autosave_offer = Some((p, s));
        }
    }

    // ---------------------------------------------------------------- frame

    /// Lay out one frame of the whole window.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll_jobs();
        super::reach::tick(self, std::time::Instant::now(), Some(&ctx));
        self.handle_dropped_files(&ctx);
        self.handle_shortcuts(&ctx);
        self.tick_timeline(&ctx);
        let dt = f64::from(ctx.input(|i| i.stable_dt)).min(0.1);
        if self.view.is_flying() {
            self.view.step(dt);
            ctx.request_repaint();
        }

        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::top("toolbar").show(ui, |ui| self.tool_bar(ui));
        egui::Panel::bottom("status")
            .resizable(false)
            .show(ui, |ui| self.status_bar(ui));
        egui::Panel::bottom("timeline")
            .resizable(false)
            .show(ui, |ui| self.timeline(ui));
        egui::Panel::left("layers")
            .resizable(true)
            .default_size(290.0)
            .show(ui, |ui| self.layers_panel(ui));
        egui::Panel::right("side")
            .resizable(true)
            .default_size(380.0)
            .show(ui, |ui| self.side_panel(ui));
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                if self.is_loaded() {
                    if !self.fitted {
                        let r = ui.available_rect_before_wrap();
                        let bbox = self
                            .ensure_scene()
                            .and_then(|s| s.bbox_of(crate::render::snapshot::DEFAULT_VIEW_LAYERS))
                            .unwrap_or(ZONE_EXTENT);
                        self.view =
                            MapView::fit(bbox, f64::from(r.width()), f64::from(r.height()), 24.0);
                        self.fitted = true;
                    }
                    self.reach_map_hook(ui);
                } else {
                    ui.centered_and_justified(|ui| {
                        ui.add(egui::Spinner::new().size(32.0));
                        ui.label("Loading the zone…");
                    });
                }
            });
        self.windows(&ctx);
        self.screenshot_step(&ctx);
    }

    /// The map widget, with the reach tool's click: while picking, a click on the map sets the
    /// reach origin instead of selecting, and the origin is marked.
    fn reach_map_hook(&mut self, ui: &mut egui::Ui) {
        let picking = self.reach.picking;
        let before = picking.then(|| (self.selection.clone(), self.form.clone(), self.tab));
        let rect = ui.available_rect_before_wrap();
        super::map::map_widget(self, ui);
        let clicked = ui.input(|i| i.pointer.primary_clicked());
        if let Some((sel, form, tab)) = before
            && clicked
            && let Some(c) = self.cursor
        {
            self.selection = sel;
            self.form = form;
            self.tab = tab;
            self.reach.set_origin(c, std::time::Instant::now());
            self.tab = Tab::Reach;
        }
        if let Some((lon, lat)) = self.reach.origin {
            let cam = self
                .view
                .camera(f64::from(rect.width()), f64::from(rect.height()), 1.0);
            let (x, y) = cam.lonlat_to_pixel(lon, lat);
            let p = rect.min + egui::vec2(x as f32, y as f32);
            if rect.contains(p) {
                let painter = ui.painter_at(rect);
                painter.circle(
                    p,
                    6.0,
                    egui::Color32::from_rgb(230, 60, 30),
                    egui::Stroke::new(2.0, egui::Color32::WHITE),
                );
            }
        }
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        for p in dropped {
            self.open_file(p, ctx);
        }
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let (undo, redo, esc, enter, del) = ctx.input(|i| {
            let cmd = i.modifiers.command;
            (
                cmd && !i.modifiers.shift && i.key_pressed(egui::Key::Z),
                cmd && (i.key_pressed(egui::Key::Y)
                    || (i.modifiers.shift && i.key_pressed(egui::Key::Z))),
                i.key_pressed(egui::Key::Escape),
                i.key_pressed(egui::Key::Enter),
                i.key_pressed(egui::Key::Delete),
            )
        });
        if undo {
            self.undo();
        }
        if redo {
            self.redo();
        }
        if esc {
            self.draw.clear();
            self.box_start = None;
            if self.reach.picking {
                self.reach.picking = false;
            } else if self.tool != Tool::Select {
                self.tool = Tool::Select;
            } else {
                self.selection.clear();
            }
        }
        if enter && self.tool == Tool::DrawBuilding {
            self.finish_drawing();
        }
        if del && self.tool == Tool::Select {
            let ids: Vec<String> = self
                .selection
                .iter()
                .filter(|r| TEMPORAL_LAYERS.contains(&r.layer.as_str()))
                .filter_map(|r| self.feature(r).and_then(feature_id))
                .collect();
            if let [id] = ids.as_slice() {
                self.edit(Edit::Remove { id: id.clone() });
            }
        }
    }

    fn tick_timeline(&mut self, ctx: &egui::Context) {
        if !self.playing {
            return;
        }
        self.play_accum += f64::from(ctx.input(|i| i.stable_dt)).min(0.2);
        if self.play_accum >= PLAY_STEP_S {
            self.play_accum = 0.0;
            if self.year >= *YEARS.end() {
                self.playing = false;
            } else {
                self.year += 1;
            }
        }
        ctx.request_repaint();
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
            year: self.year.max(2026),
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

    // ---------------------------------------------------------------- panels

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open GeoJSON layer…").clicked() {
                    ui.close();
                    if let Some(p) = rfd::FileDialog::new()
                        .add_filter("GeoJSON", &["geojson", "json"])
                        .pick_file()
                    {
                        self.open_file(p, ui.ctx());
                    }
                }
                ui.separator();
                if ui.button("Open scenario…").clicked() {
                    ui.close();
                    if let Some(p) = rfd::FileDialog::new()
                        .add_filter("Scenario", &["json"])
                        .pick_file()
                    {
                        match self.doc.open(&p) {
                            Ok(()) => {
                                self.status = format!("opened {}", p.display());
                                self.after_doc_change();
                            }
                            Err(e) => self.edit_error = Some(e.to_string()),
                        }
                    }
                }
                if ui.button("Save scenario").clicked() {
                    ui.close();
                    let p = self.doc.path.clone().or_else(|| {
                        rfd::FileDialog::new()
                            .set_file_name("scenario.json")
                            .save_file()
                    });
                    if let Some(p) = p {
                        self.save_scenario(&p);
                    }
                }
                if ui.button("Save scenario as…").clicked() {
                    ui.close();
                    if let Some(p) = rfd::FileDialog::new()
                        .set_file_name("scenario.json")
                        .save_file()
                    {
                        self.save_scenario(&p);
                    }
                }
                ui.separator();
                ui.menu_button("Export", |ui| self.export_menu(ui));
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                if ui
                    .add_enabled(self.doc.can_undo(), egui::Button::new("Undo  (Ctrl+Z)"))
                    .clicked()
                {
                    self.undo();
                    ui.close();
                }
                if ui
                    .add_enabled(self.doc.can_redo(), egui::Button::new("Redo  (Ctrl+Y)"))
                    .clicked()
                {
                    self.redo();
                    ui.close();
                }
                ui.separator();
                if ui.button("Clear selection").clicked() {
                    self.selection.clear();
                    ui.close();
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Zoom to the zone  (Home)").clicked() {
                    let (w, h) = self.map_size;
                    self.view.fly_to_bbox(ZONE_EXTENT, w, h, 20.0);
                    ui.close();
                }
                for (tab, name) in [
                    (Tab::Inspector, "Inspector"),
                    (Tab::Measure, "Measure"),
                    (Tab::Dashboard, "Dashboard"),
                    (Tab::Reach, "Reach"),
                ] {
                    if ui.button(name).clicked() {
                        self.tab = tab;
                        ui.close();
                    }
                }
            });
        });
    }

    fn save_scenario(&mut self, p: &Path) {
        match self.doc.save_as(p) {
            Ok(()) => self.status = format!("saved {}", p.display()),
            Err(e) => self.edit_error = Some(e.to_string()),
        }
    }

    fn export_menu(&mut self, ui: &mut egui::Ui) {
        if ui.button("Map snapshot (PNG + world file)…").clicked() {
            self.snapshot_dialog =
                Some((2.0, "Hetao Shenzhen–Hong Kong S&T Cooperation Zone".into()));
            ui.close();
        }
        if ui
            .add_enabled(
                !self.selection.is_empty(),
                egui::Button::new("Selection as GeoJSON…"),
            )
            .clicked()
        {
            ui.close();
            if let Some(p) = rfd::FileDialog::new()
                .set_file_name("selection.geojson")
                .save_file()
            {
                let feats: Vec<&Feature> = self
                    .selection
                    .iter()
                    .filter_map(|r| self.feature(r))
                    .collect();
                self.status = match export::write_geojson(&p, "selection", feats) {
                    Ok(n) => format!("wrote {n} features to {}", p.display()),
                    Err(e) => format!("export failed: {e}"),
                };
            }
        }
        if ui.button("Dashboard table as CSV…").clicked() {
            ui.close();
            if let Some(p) = rfd::FileDialog::new()
                .set_file_name(format!("hetao-floor-space-{}.csv", self.year))
                .save_file()
            {
                let st = self.stats().clone();
                self.status = match export::write_dashboard_csv(&p, &st) {
                    Ok(()) => format!("wrote {}", p.display()),
                    Err(e) => format!("export failed: {e}"),
                };
            }
        }
    }

    fn export_layer(&mut self, name: &str) {
        if let Some(p) = rfd::FileDialog::new()
            .set_file_name(format!("{name}.geojson"))
            .save_file()
            && let Some(l) = self.layer_data(name)
        {
            self.status = match export::write_geojson(&p, name, &l.features) {
                Ok(n) => format!("wrote {n} features to {}", p.display()),
                Err(e) => format!("export failed: {e}"),
            };
        }
    }

    fn start_snapshot(&mut self, scale: f64, title: String, path: PathBuf, ctx: &egui::Context) {
        let mut styles = self.styles.clone();
        let mut ds = Dataset::default();
        for e in self.layers.iter().filter(|e| e.visible) {
            if let Some(l) = self.layer_data(&e.name) {
                ds.layers.push(l.clone());
                styles.insert(e.style.clone());
            }
        }
        let job = SnapshotJob {
            path,
            dataset: ds,
            styles,
            center: (self.view.center_lon, self.view.center_lat, self.view.zoom),
            size: (self.map_size.0 as u32, self.map_size.1 as u32),
            scale,
            year: Some(self.year),
            title,
        };
        let gpu = self.gpu.as_ref().map(|g| GpuContext {
            instance: g.state.instance.clone(),
            adapter: g.state.adapter.clone(),
            device: g.state.device.clone(),
            queue: g.state.queue.clone(),
        });
        let c = ctx.clone();
        self.export_job = Some(Job::spawn(
            "exporting the snapshot",
            move |jc: &JobControl| {
                jc.set_progress(f32::NAN);
                let ctx = match gpu {
                    Some(g) => g,
                    None => GpuContext::new_headless().map_err(|e| e.to_string())?,
                };
                export::run_snapshot(&ctx, &job)
            },
            move || c.request_repaint(),
        ));
    }

    fn tool_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 6.0;
            for (tool, label, tip) in [
                (
                    Tool::Select,
                    "⬉ Select",
                    "Click to select, drag to pan, Shift+drag to box-select",
                ),
                (
                    Tool::Distance,
                    "📏 Distance",
                    "Click points of a polyline; double-click ends",
                ),
                (
                    Tool::Area,
                    "⬟ Area",
                    "Click corners of a polygon; double-click ends",
                ),
                (
                    Tool::DrawBuilding,
                    "✚ Draw building",
                    "Click the corners of a new building; Enter or double-click ends",
                ),
            ] {
                if ui
                    .selectable_label(self.tool == tool && !self.reach.picking, label)
                    .on_hover_text(tip)
                    .clicked()
                {
                    self.tool = tool;
                    self.reach.picking = false;
                    self.draw.clear();
                    match tool {
                        Tool::Distance => {
                            self.measure = Some(Measurement::new(MeasureKind::Distance));
                            self.tab = Tab::Measure;
                        }
                        Tool::Area => {
                            self.measure = Some(Measurement::new(MeasureKind::Area));
                            self.tab = Tab::Measure;
                        }
                        _ => {}
                    }
                }
            }
            if ui
                .selectable_label(self.reach.picking, "◎ Reach")
                .on_hover_text("Click the map to set the origin of the travel reach")
                .clicked()
            {
                self.tool = Tool::Select;
                self.draw.clear();
                self.reach.picking = true;
                self.tab = Tab::Reach;
            }
            ui.checkbox(&mut self.snapping, "Snap")
                .on_hover_text("Snap measure and drawing vertices to nearby feature vertices");
            ui.separator();
            if ui
                .add_enabled(self.doc.can_undo(), egui::Button::new("⟲ Undo"))
                .on_hover_text("Undo the last edit (Ctrl+Z)")
                .clicked()
            {
                self.undo();
            }
            if ui
                .add_enabled(self.doc.can_redo(), egui::Button::new("⟳ Redo"))
                .on_hover_text("Redo (Ctrl+Y)")
                .clicked()
            {
                self.redo();
            }
            ui.separator();
            if ui
                .button("🏠 Zone")
                .on_hover_text("Zoom to the whole zone (Home)")
                .clicked()
            {
                let (w, h) = self.map_size;
                self.view.fly_to_bbox(ZONE_EXTENT, w, h, 20.0);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let scenario = match (&self.doc.path, self.doc.dirty) {
                    (Some(p), d) => format!(
                        "Scenario: {}{}",
                        p.file_name().unwrap_or_default().to_string_lossy(),
                        if d { " •" } else { "" }
                    ),
                    (None, true) => "Scenario: unsaved edits •".into(),
                    (None, false) => "Base data (no edits)".into(),
                };
                ui.label(egui::RichText::new(scenario).weak());
            });
        });
    }

    fn layers_panel(&mut self, ui: &mut egui::Ui) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label("🔍");
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("Find a building, unit or place…")
                    .desired_width(f32::INFINITY),
            );
        });
        let hits = self.search_hits(&self.search, 12);
        if !self.search.trim().is_empty() {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                if hits.is_empty() {
                    ui.label(egui::RichText::new("no match").weak());
                }
                for (r, text) in hits {
                    if ui.selectable_label(false, text).clicked() {
                        self.fly_to_feature(&r);
                        self.select(Some(r));
                    }
                }
            });
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.heading("Layers");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .small_button("📂 Open…")
                    .on_hover_text("Open a GeoJSON file (or drop files on the window)")
                    .clicked()
                    && let Some(p) = rfd::FileDialog::new()
                        .add_filter("GeoJSON", &["geojson", "json"])
                        .pick_file()
                {
                    self.open_file(p, ui.ctx());
                }
            });
        });
        ui.separator();
        let mut move_op: Option<(usize, usize)> = None;
        let mut restyle: Vec<usize> = Vec::new();
        let mut remove: Option<usize> = None;
        let mut export_layer: Option<String> = None;
        let mut zoom_to: Option<usize> = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let n = self.layers.len();
                for i in (0..n).rev() {
                    let data_props = self
                        .layer_data(&self.layers[i].name)
                        .map(property_names)
                        .unwrap_or_default();
                    let e = &mut self.layers[i];
                    let id = ui.make_persistent_id(("layer-details", &e.name));
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
                        ui.checkbox(&mut e.visible, title)
                            .on_hover_text("Show or hide the layer");
                        if e.illustrative {
                            ui.label(
                                egui::RichText::new("illustrative")
                                    .small()
                                    .color(egui::Color32::from_rgb(176, 96, 0)),
                            )
                            .on_hover_text("Generated or schematic data, not surveyed");
                        }
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
                        if let Some(a) = &e.attribution {
                            ui.label(egui::RichText::new(format!("Source: {a}")).small().weak());
                        }
                        ui.horizontal(|ui| {
                            if ui.small_button("▲").on_hover_text("Move up").clicked() && i + 1 < n
                            {
                                move_op = Some((i, i + 1));
                            }
                            if ui.small_button("▼").on_hover_text("Move down").clicked() && i > 0
                            {
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
                    });
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
            move_item(&mut self.layers, from, to);
        }
        for i in restyle {
            self.restyle(i);
        }
        if let Some(name) = export_layer {
            self.export_layer(&name);
        }
        if let Some(i) = zoom_to
            && let Some(name) = self.layers.get(i).map(|e| e.name.clone())
        {
            let b = self
                .scene
                .as_ref()
                .and_then(|s| s.bbox_of(&[name.as_str()]));
            if let Some(b) = b {
                let (w, h) = self.map_size;
                self.view.fly_to_bbox(b, w, h, 19.0);
            }
        }
        if let Some(i) = remove {
            let e = self.layers.remove(i);
            self.user_layers.retain(|l| l.name != e.name);
            self.selection.retain(|r| r.layer != e.name);
            self.meshes.remove(&e.name);
        }
    }

    fn side_panel(&mut self, ui: &mut egui::Ui) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            for (tab, name) in [
                (Tab::Inspector, "Inspector"),
                (Tab::Measure, "Measure"),
                (Tab::Dashboard, "Floor space 2035"),
                (Tab::Reach, "Reach"),
            ] {
                ui.selectable_value(&mut self.tab, tab, name);
            }
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| match self.tab {
                Tab::Inspector => self.inspector(ui),
                Tab::Measure => self.measure_panel(ui),
                Tab::Dashboard => super::dashboard::dashboard(self, ui),
                Tab::Reach => super::reach::panel(self, ui),
            });
    }

    fn inspector(&mut self, ui: &mut egui::Ui) {
        if let Some(e) = &self.edit_error {
            ui.colored_label(egui::Color32::from_rgb(200, 40, 40), format!("⚠ {e}"));
        }
        if self.new_building.is_some() {
            self.new_building_form(ui);
            ui.separator();
        }
        match self.selection.len() {
            0 => {
                ui.label(
                    egui::RichText::new(
                        "Click a feature on the map to inspect it. Shift+drag selects every \
                         feature inside a box.",
                    )
                    .weak(),
                );
            }
            1 => {
                let r = self.selection[0].clone();
                self.inspect_one(ui, &r);
            }
            n => {
                ui.heading(format!("{n} features selected"));
                let mut by_layer: Vec<(String, usize, f64)> = Vec::new();
                for r in &self.selection {
                    let g = self
                        .feature(r)
                        .map_or(0.0, |f| f.prop_f64("gfa_m2").unwrap_or(0.0));
                    match by_layer.iter_mut().find(|b| b.0 == r.layer) {
                        Some(b) => {
                            b.1 += 1;
                            b.2 += g;
                        }
                        None => by_layer.push((r.layer.clone(), 1, g)),
                    }
                }
                egui::Grid::new("multi").striped(true).show(ui, |ui| {
                    ui.strong("layer");
                    ui.strong("features");
                    ui.strong("GFA m²");
                    ui.end_row();
                    for (l, c, g) in by_layer {
                        ui.label(l);
                        ui.label(c.to_string());
                        ui.label(crate::core::zone::planning::thousands(g));
                        ui.end_row();
                    }
                });
                let mut pick = None;
                egui::CollapsingHeader::new("Features").show(ui, |ui| {
                    for r in self.selection.iter().take(200) {
                        let name = self.feature(r).and_then(feature_id).unwrap_or_default();
                        if ui.link(format!("{} · {name}", r.layer)).clicked() {
                            pick = Some(r.clone());
                        }
                    }
                });
                if let Some(r) = pick {
                    self.fly_to_feature(&r);
                    self.select(Some(r));
                }
            }
        }
    }

    fn inspect_one(&mut self, ui: &mut egui::Ui, r: &FeatureRef) {
        let Some(f) = self.feature(r).cloned() else {
            ui.label("The selected feature no longer exists.");
            return;
        };
        let id = feature_id(&f).unwrap_or_else(|| "(no id)".into());
        let title = f
            .prop_str("name")
            .or_else(|| f.prop_str("platform"))
            .map(str::to_string)
            .unwrap_or_else(|| id.clone());
        ui.heading(title);
        let layer_title = self
            .layers
            .iter()
            .find(|e| e.name == r.layer)
            .map_or(r.layer.clone(), |e| e.title.clone());
        ui.label(
            egui::RichText::new(format!("{layer_title} · {} · id {id}", f.geometry_type())).weak(),
        );
        ui.horizontal(|ui| {
            if ui.button("Zoom to").clicked() {
                self.fly_to_feature(r);
            }
            if ui
                .button("📏 Measure")
                .on_hover_text("Measure this feature (area and perimeter, or length)")
                .clicked()
                && let Some(g) = &f.geometry
                && let Some(m) = super::measure::from_geometry(g, &id)
            {
                self.measure = Some(m);
                self.tab = Tab::Measure;
            }
        });
        let editable = TEMPORAL_LAYERS.contains(&r.layer.as_str());
        if editable {
            let st = status_as_of(&f, self.year).unwrap_or("not yet planned");
            ui.label(format!("Status in {}: {st}", self.year));
        }
        egui::CollapsingHeader::new("Properties")
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("props")
                    .striped(true)
                    .num_columns(2)
                    .show(ui, |ui| {
                        if let Some(p) = &f.properties {
                            for (k, v) in &p.to_map() {
                                if k == "history" {
                                    continue;
                                }
                                ui.label(egui::RichText::new(k).strong());
                                let text = match v {
                                    serde_json::Value::String(s) => s.clone(),
                                    serde_json::Value::Number(n) => match n.as_f64() {
                                        Some(x) if k.ends_with("m2") => {
                                            format!(
                                                "{} m²",
                                                crate::core::zone::planning::thousands(x)
                                            )
                                        }
                                        _ => n.to_string(),
                                    },
                                    other => other.to_string(),
                                };
                                ui.add(egui::Label::new(text).wrap());
                                ui.end_row();
                            }
                        }
                    });
            });
        if let Some(h) = f.prop("history").and_then(|h| h.as_array()) {
            egui::CollapsingHeader::new("Conversion history")
                .default_open(true)
                .show(ui, |ui| {
                    egui::Grid::new("history").striped(true).show(ui, |ui| {
                        ui.strong("year");
                        ui.strong("status");
                        ui.end_row();
                        for e in h {
                            ui.label(e.get("year").map(|y| y.to_string()).unwrap_or_default());
                            ui.label(e.get("status").and_then(|s| s.as_str()).unwrap_or("?"));
                            ui.end_row();
                        }
                    });
                });
        }
        if r.layer == "buildings" {
            let units: Vec<(usize, Feature)> = self
                .doc
                .current()
                .layer("research_units")
                .map(|l| {
                    l.features
                        .iter()
                        .enumerate()
                        .filter(|(_, u)| u.prop_str("building_id") == Some(id.as_str()))
                        .map(|(i, u)| (i, u.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let mut pick = None;
            egui::CollapsingHeader::new(format!("Research-space units ({})", units.len()))
                .default_open(true)
                .show(ui, |ui| {
                    egui::Grid::new("units").striped(true).show(ui, |ui| {
                        ui.strong("unit");
                        ui.strong("kind");
                        ui.strong("m²");
                        ui.strong(format!("status {}", self.year));
                        ui.end_row();
                        for (i, u) in &units {
                            if ui
                                .link(feature_id(u).unwrap_or_else(|| format!("unit {i}")))
                                .clicked()
                            {
                                pick = Some(FeatureRef {
                                    layer: "research_units".into(),
                                    index: *i,
                                });
                            }
                            ui.label(u.prop_str("kind").unwrap_or(""));
                            ui.label(crate::core::zone::planning::thousands(
                                u.prop_f64("floor_area_m2").unwrap_or(0.0),
                            ));
                            ui.label(status_as_of(u, self.year).unwrap_or("—"));
                            ui.end_row();
                        }
                    });
                });
            if let Some(p) = pick {
                self.select(Some(p));
            }
        }
        if editable {
            ui.separator();
            self.edit_controls(ui, &f, &id, &r.layer);
        }
    }

    fn edit_controls(&mut self, ui: &mut egui::Ui, f: &Feature, id: &str, layer: &str) {
        ui.heading("Edit (scenario)");
        let area_key = if layer == "buildings" {
            "gfa_m2"
        } else {
            "floor_area_m2"
        };
        if self.form.as_ref().is_none_or(|fm| fm.id != id) {
            let last_year = f
                .prop("history")
                .and_then(|h| h.as_array())
                .and_then(|h| h.last())
                .and_then(|e| e.get("year"))
                .and_then(serde_json::Value::as_i64)
                .and_then(|y| i32::try_from(y).ok())
                .unwrap_or(self.year);
            self.form = Some(EditForm {
                id: id.to_string(),
                status: status_as_of(f, self.year).unwrap_or("planned").to_string(),
                status_year: self.year,
                year: last_year,
                m2: f.prop_f64(area_key).unwrap_or(0.0),
            });
        }
        let Some(mut form) = self.form.clone() else {
            return;
        };
        let mut edit = None;
        egui::Grid::new("edit").num_columns(3).show(ui, |ui| {
            ui.label("Status");
            ui.horizontal(|ui| {
                egui::ComboBox::from_id_salt("edit-status")
                    .selected_text(form.status.clone())
                    .show_ui(ui, |ui| {
                        for s in Status::ALL {
                            ui.selectable_value(
                                &mut form.status,
                                s.as_str().to_string(),
                                s.as_str(),
                            );
                        }
                    });
                ui.label("from");
                ui.add(egui::DragValue::new(&mut form.status_year).range(2000..=2060));
            });
            if ui.button("Set status").clicked() {
                edit = Some(Edit::SetStatus {
                    id: id.to_string(),
                    status: form.status.clone(),
                    year: form.status_year,
                });
            }
            ui.end_row();
            ui.label("Year of last step");
            ui.add(egui::DragValue::new(&mut form.year).range(2000..=2060));
            if ui.button("Set year").clicked() {
                edit = Some(Edit::SetYear {
                    id: id.to_string(),
                    year: form.year,
                });
            }
            ui.end_row();
            ui.label("Floor area");
            ui.add(
                egui::DragValue::new(&mut form.m2)
                    .range(0.0..=2_000_000.0)
                    .speed(100.0)
                    .suffix(" m²"),
            );
            if ui.button("Set area").clicked() {
                edit = Some(Edit::SetFloorArea {
                    id: id.to_string(),
                    m2: form.m2,
                });
            }
            ui.end_row();
        });
        if ui
            .button(egui::RichText::new("🗑 Delete").color(egui::Color32::from_rgb(190, 40, 40)))
            .on_hover_text("Remove from the scenario (a building takes its units with it)")
            .clicked()
        {
            edit = Some(Edit::Remove { id: id.to_string() });
        }
        self.form = Some(form);
        if let Some(e) = edit {
            self.edit(e);
        }
    }

    fn new_building_form(&mut self, ui: &mut egui::Ui) {
        let Some(mut nb) = self.new_building.clone() else {
            return;
        };
        let mut add = false;
        let mut cancel = false;
        ui.heading("New building");
        egui::Grid::new("newb").num_columns(2).show(ui, |ui| {
            ui.label("Id");
            ui.text_edit_singleline(&mut nb.id);
            ui.end_row();
            ui.label("Park");
            ui.horizontal(|ui| {
                ui.selectable_value(&mut nb.park, "SZ".to_string(), "Shenzhen");
                ui.selectable_value(&mut nb.park, "HK".to_string(), "Hong Kong");
            });
            ui.end_row();
            ui.label("Use");
            egui::ComboBox::from_id_salt("nb-use")
                .selected_text(nb.use_.clone())
                .show_ui(ui, |ui| {
                    for u in Use::ALL {
                        ui.selectable_value(&mut nb.use_, u.as_str().to_string(), u.as_str());
                    }
                });
            ui.end_row();
            ui.label("GFA");
            ui.add(
                egui::DragValue::new(&mut nb.gfa_m2)
                    .range(0.0..=2_000_000.0)
                    .speed(100.0)
                    .suffix(" m²"),
            );
            ui.end_row();
            ui.label("Status");
            ui.horizontal(|ui| {
                egui::ComboBox::from_id_salt("nb-status")
                    .selected_text(nb.status.clone())
                    .show_ui(ui, |ui| {
                        for s in Status::ALL {
                            ui.selectable_value(&mut nb.status, s.as_str().to_string(), s.as_str());
                        }
                    });
                ui.label("in");
                ui.add(egui::DragValue::new(&mut nb.year).range(2000..=2060));
            });
            ui.end_row();
        });
        ui.horizontal(|ui| {
            add = ui.button("Add building").clicked();
            cancel = ui.button("Cancel").clicked();
        });
        self.new_building = Some(nb);
        if add {
            self.add_new_building();
        }
        if cancel {
            self.new_building = None;
            self.edit_error = None;
        }
    }

    fn measure_panel(&mut self, ui: &mut egui::Ui) {
        let grid = self.grid;
        let Some(m) = self.measure.clone() else {
            ui.label(
                egui::RichText::new(
                    "Choose Distance or Area in the tool bar and click on the map, or press \
                     Measure in the inspector to measure a selected feature.",
                )
                .weak(),
            );
            return;
        };
        let fig = {
            let t = self.grid_transformer(grid);
            m.figures(t)
        };
        ui.heading(match m.kind {
            MeasureKind::Distance => "Distance",
            MeasureKind::Area => "Area",
        });
        ui.label(egui::RichText::new(format!("{} · {} vertices", m.label, m.points.len())).weak());
        egui::Grid::new("fig")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                ui.label("");
                ui.strong("geodesic (WGS84)");
                ui.strong(format!("planar ({})", grid.name()));
                ui.end_row();
                match m.kind {
                    MeasureKind::Distance => {
                        ui.label("length");
                        ui.label(fmt_len(fig.geodesic_length_m));
                        ui.label(fmt_len(fig.planar_length_m));
                        ui.end_row();
                    }
                    MeasureKind::Area => {
                        ui.label("area");
                        ui.label(fmt_area(fig.geodesic_area_m2));
                        ui.label(fmt_area(fig.planar_area_m2));
                        ui.end_row();
                        ui.label("perimeter");
                        ui.label(fmt_len(fig.geodesic_length_m));
                        ui.label(fmt_len(fig.planar_length_m));
                        ui.end_row();
                    }
                }
            });
        if fig.geodesic_length_m > 0.0 && fig.planar_length_m > 0.0 {
            ui.label(
                egui::RichText::new(format!(
                    "grid / ellipsoid length ratio {:.6}",
                    fig.planar_length_m / fig.geodesic_length_m
                ))
                .small()
                .weak(),
            );
        }
        ui.horizontal(|ui| {
            if ui.button("📋 Copy").clicked() {
                ui.ctx().copy_text(m.to_clipboard(grid.name(), &fig));
                self.status = "measurement copied to the clipboard".into();
            }
            if ui.button("Clear").clicked() {
                self.measure = Some(Measurement::new(m.kind));
            }
        });
        ui.label(
            egui::RichText::new(format!(
                "Planar figures in {} (change it in the status bar).",
                grid.name()
            ))
            .small()
            .weak(),
        );
    }

    fn timeline(&mut self, ui: &mut egui::Ui) {
        ui.add_space(2.0);
        ui.horizontal(|ui| {
            let play = if self.playing {
                "⏸ Pause"
            } else {
                "▶ Play"
            };
            if ui
                .button(play)
                .on_hover_text("Play the years 2017–2035")
                .clicked()
            {
                if !self.playing && self.year >= *YEARS.end() {
                    self.year = *YEARS.start();
                }
                self.playing = !self.playing;
                self.play_accum = 0.0;
            }
            if ui.small_button("⏮").clicked() {
                self.year = *YEARS.start();
            }
            if ui.small_button("◀").clicked() {
                self.year = (self.year - 1).max(*YEARS.start());
            }
            if ui.small_button("▶").clicked() {
                self.year = (self.year + 1).min(*YEARS.end());
            }
            let year_label = ui
                .label(egui::RichText::new(format!("As of {}", self.year)).strong())
                .id;
            ui.spacing_mut().slider_width = (ui.available_width() - 20.0).max(100.0);
            ui.add(
                egui::Slider::new(&mut self.year, YEARS)
                    .show_value(false)
                    .step_by(1.0),
            )
            .labelled_by(year_label)
            .on_hover_text("Timeline year: the map and the dashboard show the zone as of it");
        });
        ui.add_space(2.0);
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        let grid = self.grid;
        let projected = self.cursor.and_then(|(lon, lat)| {
            self.grid_transformer(grid)
                .and_then(|t| t.transform(lon, lat).ok())
        });
        ui.horizontal(|ui| {
            match self.cursor {
                Some((lon, lat)) => {
                    ui.monospace(format!("WGS84 {lat:.6}°N {lon:.6}°E"));
                }
                None => {
                    ui.monospace("WGS84 —");
                }
            }
            ui.separator();
            let grid_label = ui.label("Grid").id;
            egui::ComboBox::from_id_salt("grid")
                .selected_text(grid.name())
                .width(150.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.grid, Grid::Hk1980, "HK1980 Grid (EPSG:2326)");
                    ui.selectable_value(
                        &mut self.grid,
                        Grid::Cgcs2000,
                        "CGCS2000 GK 114°E (EPSG:4547)",
                    );
                })
                .response
                .labelled_by(grid_label);
            match projected {
                Some((e, n)) => ui.monospace(format!("E {e:.2}  N {n:.2} m")),
                None => ui.monospace("E —  N —"),
            };
            ui.separator();
            let cam = self.view.camera(self.map_size.0, self.map_size.1, 1.0);
            ui.monospace(format!(
                "1:{}  z{:.2}",
                crate::core::zone::planning::thousands(super::view::scale_denominator(&cam)),
                self.view.zoom
            ));
            ui.separator();
            let jobs: Vec<(String, JobControl)> = self
                .zone_job
                .iter()
                .map(|j| (j.label.clone(), j.control.clone()))
                .chain(
                    self.file_jobs
                        .iter()
                        .map(|j| (j.label.clone(), j.control.clone())),
                )
                .chain(
                    self.export_job
                        .iter()
                        .map(|j| (j.label.clone(), j.control.clone())),
                )
                .chain(self.reach.job_control())
                .collect();
            for (label, c) in jobs {
                let p = c.progress();
                let bar = if p.is_finite() && p > 0.0 {
                    egui::ProgressBar::new(p).show_percentage()
                } else {
                    egui::ProgressBar::new(0.0).animate(true)
                };
                ui.add(bar.desired_width(120.0).text(label));
                if ui.small_button("Cancel").clicked() {
                    c.cancel();
                }
                ui.ctx().request_repaint();
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(egui::RichText::new(&self.status).weak());
            });
        });
    }

    fn windows(&mut self, ctx: &egui::Context) {
        if !self.load_errors.is_empty() {
            let mut open = true;
            egui::Window::new("⚠ Files that failed to load")
                .open(&mut open)
                .default_width(520.0)
                .show(ctx, |ui| {
                    ui.label("Nothing else was changed. The first error of each file:");
                    for (f, e) in &self.load_errors {
                        ui.separator();
                        ui.strong(f);
                        ui.monospace(e);
                    }
                });
            if !open {
                self.load_errors.clear();
            }
        }
        if let Some((scale, mut title)) = self.snapshot_dialog.clone() {
            let mut scale = scale;
            let mut go = false;
            let mut close = false;
            egui::Window::new("Export map snapshot")
                .collapsible(false)
                .resizable(false)
                .show(ctx, |ui| {
                    ui.horizontal(|ui| {
                        ui.label("Title");
                        ui.text_edit_singleline(&mut title);
                    });
                    ui.horizontal(|ui| {
                        ui.label("Resolution");
                        for s in [1.0, 2.0, 4.0] {
                            let (w, h) = (self.map_size.0 * s, self.map_size.1 * s);
                            ui.selectable_value(&mut scale, s, format!("{w:.0}×{h:.0}"));
                        }
                    });
                    ui.label(
                        egui::RichText::new(
                            "The current view with legend, scale bar, north arrow, title and \
                             attribution; a world file (.pgw, EPSG:3857) is written beside it.",
                        )
                        .small()
                        .weak(),
                    );
                    ui.horizontal(|ui| {
                        go = ui.button("Save as…").clicked();
                        close = ui.button("Cancel").clicked();
                    });
                });
            self.snapshot_dialog = Some((scale, title.clone()));
            if close {
                self.snapshot_dialog = None;
            }
            if go {
                self.snapshot_dialog = None;
                if let Some(p) = rfd::FileDialog::new()
                    .add_filter("PNG", &["png"])
                    .set_file_name("hetao-map.png")
                    .save_file()
                {
                    self.start_snapshot(scale, title, p, ctx);
                }
            }
        }
        if let Some((p, s)) = self.autosave_offer.clone() {
            let mut restore = false;
            let mut discard = false;
            egui::Modal::new(egui::Id::unique("autosave")).show(ctx, |ui| {
                ui.heading("Restore unsaved edits?");
                ui.label(format!(
                    "{} edits from an earlier session were kept in {}.",
                    s.edits.len(),
                    p.display()
                ));
                ui.horizontal(|ui| {
                    restore = ui.button("Restore").clicked();
                    discard = ui.button("Discard").clicked();
                });
            });
            if restore {
                self.autosave_offer = None;
                match self.doc.replace_scenario(s) {
                    Ok(()) => {
                        self.status = "unsaved edits restored".into();
                        self.after_doc_change();
                    }
                    Err(e) => self.edit_error = Some(e.to_string()),
                }
            }
            if discard {
                self.autosave_offer = None;
                let _ = std::fs::remove_file(&p);
            }
        }
    }

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let uploaded = self
            .gpu
            .as_ref()
            .map(|g| g.uploaded.load(Ordering::Acquire));
        let generation = self.scene_gen;
        let Some(shot) = &mut self.screenshot else {
            return;
        };
        ctx.request_repaint();
        shot.frames += 1;
        let ready = uploaded.is_some_and(|u| u == generation && generation > 0);
        if !shot.requested && ready && shot.frames >= 10 {
            let slot = shot.image.clone();
            ctx.request_screenshot(move |img| {
                if let Ok(mut s) = slot.lock() {
                    *s = Some(img);
                }
            });
            shot.requested = true;
        }
        let img = shot.image.lock().ok().and_then(|mut s| s.take());
        let timed_out = shot.started.elapsed().as_secs() > 90;
        if img.is_none() && !timed_out {
            return;
        }
        let outcome = match img {
            Some(img) => write_png(&shot.path, &img).map(|()| {
                format!(
                    "wrote {} ({}×{} px)",
                    shot.path.display(),
                    img.size[0],
                    img.size[1]
                )
            }),
            None => Err(format!(
                "no screenshot after 90 s (frames {}, scene uploaded: {ready})",
                shot.frames
            )),
        };
        if let Ok(mut r) = shot.result.lock() {
            *r = Some(outcome);
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

/// Write an egui image as an RGBA PNG, atomically.
pub fn write_png(path: &Path, img: &egui::ColorImage) -> Result<(), String> {
    let pixels: Vec<u8> = img
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let im = crate::render::Image {
        width: u32::try_from(img.size[0]).map_err(|e| e.to_string())?,
        height: u32::try_from(img.size[1]).map_err(|e| e.to_string())?,
        pixels,
    };
    let png = im.encode_png().map_err(|e| e.to_string())?;
    crate::core::atomic::write_atomic(path, &png).map_err(|e| e.to_string())
}

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
            for (k, (_, c)) in classes.iter().enumerate() {
                let text = crate::render::overlay::class_label(classes, k, unit);
                ui.horizontal(|ui| {
                    swatch(ui, Some(*c), style.stroke, is_line);
                    ui.label(egui::RichText::new(text).small());
                });
            }
        }
        Some(ColorBy::Categorical { categories, .. }) => {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 1.0;
                for (_, c, _) in categories.iter().take(8) {
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(9.0, 10.0), egui::Sense::hover());
                    ui.painter().rect_filled(rect, 1.0, c32(*c));
                }
            });
        }
        Some(ColorBy::Graduated { classes, .. }) => {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 0.0;
                for (_, c) in classes {
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(9.0, 10.0), egui::Sense::hover());
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
