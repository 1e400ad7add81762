//! The application state: [`HetaoApp`] owns the document (base data, scenario, undo), the
//! layer stack, the view, the tools and selection ([`tools`]), the background jobs ([`io`]),
//! which layer is the building inventory ([`inventory`]) and the reach tool's state. Actions that change it are in [`actions`]; the caches built
//! from it are in [`super::cache`]. The state never imports a panel: panels
//! ([`super::panels`]) and the frame ([`super::shell`]) import it.

pub mod actions;
pub mod db;
pub mod flow;
pub mod inventory;
pub mod io;
pub mod layout;
pub mod open_choice;
pub mod reach;
pub mod saves;
pub mod tools;

pub use tools::{EditForm, Grid, NewBuilding, Tab, Tool};

use super::cache::{Caches, Inputs};
use super::doc::Document;
use super::jobs::Job;
use super::layers::LayerEntry;
use super::measure::Measurement;
use super::pick::FeatureRef;
use super::screenshot::ScreenshotState;
use super::view::{MapView, ZONE_EXTENT};
use crate::core::crs::Transformer;
use crate::core::model::{Dataset, Feature, Layer};
use crate::core::zone::ZoneStats;
use crate::render::{LocalOrigin, Scene, StyleSet};
use eframe::egui;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// The GPU of the window, when there is one.
pub struct GpuHandle {
    /// eframe's render state (device, queue, format).
    pub state: eframe::egui_wgpu::RenderState,
    /// The last scene generation the renderer uploaded.
    pub uploaded: Arc<AtomicU64>,
}

pub(crate) enum Loaded {
    Zone(Result<(Dataset, StyleSet), String>),
    File(
        PathBuf,
        Result<Vec<crate::app::prepare::PreparedLayer>, FileProblem>,
    ),
}

/// Why an opened file gave no layer.
pub(crate) enum FileProblem {
    /// The user cancelled the load.
    Cancelled,
    /// `hetao check`'s messages for the file (or the loader's, when it could not be read).
    Lines(Vec<String>),
    /// As `Lines`, and the file declares no CRS: the app asks for one.
    NoCrs(Vec<String>),
}

/// The problems of one file, as listed in the Problems panel.
#[derive(Debug, Clone, PartialEq)]
pub struct FileProblems {
    /// The file, as given.
    pub file: String,
    /// One line per problem, as `hetao check` prints it (`file:line:column: error: …`).
    pub lines: Vec<String>,
}

/// The application state.
pub struct HetaoApp {
    /// Base data, scenario, undo/redo.
    pub doc: Document,
    /// Shipped styles.
    pub styles: StyleSet,
    /// The layer stack, bottom to top.
    pub layers: Vec<LayerEntry>,
    /// Layers loaded from files.
    pub user_layers: Vec<Arc<Layer>>,
    /// Data revision of each loaded layer: set from [`HetaoApp::touch_layer`] whenever its
    /// features change, so that the caches (meshes, pick index) rebuild exactly that layer.
    pub(crate) user_revs: HashMap<String, u64>,
    pub(crate) next_rev: u64,
    /// Map view.
    pub view: MapView,
    /// Timeline year.
    pub year: i32,
    /// Timeline playing.
    pub playing: bool,
    pub(crate) play_accum: f64,
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
    /// Put the keyboard focus in the search box on the next frame (Ctrl+F).
    pub focus_search: bool,
    /// A text field had the keyboard focus when this frame began: the frame's keys were
    /// typed into it (a slow frame can hold the typing and the Enter that ends it), so the
    /// map must not act on them.
    pub(crate) typing: bool,
    /// Grid shown and used for planar measures.
    pub grid: Grid,
    pub(crate) grids: HashMap<&'static str, Option<Transformer>>,
    /// Pointer position, lon/lat.
    pub cursor: Option<(f64, f64)>,
    /// Right panel tab.
    pub tab: Tab,
    /// Status line (last message).
    pub status: String,
    /// Files that failed to load and their messages (the Problems panel), oldest first.
    pub problems: Vec<FileProblems>,
    /// The Problems panel is folded to its header line.
    pub problems_folded: bool,
    /// Write every problem line to this file whenever the list changes (`--problems-log`).
    pub problems_log: Option<PathBuf>,
    /// Files to open once the zone is loaded (`--open`).
    pub pending_open: Vec<PathBuf>,
    /// Errors of the last edit.
    pub edit_error: Option<String>,
    pub(crate) zone_job: Option<Job<Loaded>>,
    pub(crate) file_jobs: Vec<Job<Loaded>>,
    pub(crate) export_job: Option<Job<Result<String, String>>>,
    pub(crate) snapshot_dialog: Option<crate::app::export::PageDialog>,
    /// Scene, pick index and statistics built from the state.
    pub(crate) cache: Caches,
    /// The window's GPU.
    pub gpu: Option<GpuHandle>,
    /// Screenshot mode.
    pub screenshot: Option<ScreenshotState>,
    /// Unsaved edits found in an autosave (at start, or when a scenario is opened), offered
    /// back: Restore / Discard / Later.
    pub recovery: Option<crate::app::doc::Recovery>,
    /// File dialogs (on a worker thread) and the in-app path field.
    pub dialogs: crate::app::dialogs::Dialogs,
    /// The unsaved-changes prompt, when an action waits for it.
    pub unsaved_prompt: Option<flow::Guarded>,
    /// The action to go on with once the scenario is saved.
    pub(crate) after_save: Option<flow::Guarded>,
    /// The user chose to quit without saving.
    pub(crate) quit_confirmed: bool,
    /// A save that waits because the scenario file changed on disk ([`saves`]).
    pub save_conflict: Option<saves::SaveConflict>,
    /// An export that waits because its file changed since this session wrote it.
    pub export_conflict: Option<saves::ExportConflict>,
    /// The files this session exported, as written (for the "changed since" check).
    pub(crate) exported: HashMap<PathBuf, crate::app::doc::disk::DiskStamp>,
    /// The snapshot export running, and its file.
    pub(crate) snapshot_target: Option<(crate::app::dialogs::Purpose, PathBuf)>,
    /// Why the last autosave failed; shown until an autosave succeeds.
    pub autosave_failure: Option<String>,
    /// Whether the scenario file changed on disk since this instance read or wrote it.
    pub disk_watch: saves::DiskWatch,
    /// The search index, keyed on what it was built from.
    pub(crate) search_index: crate::app::search::SearchCache,
    /// Write unsaved edits to the autosave file after every change (off in tests).
    pub autosave: bool,
    /// Map rectangle size last frame (logical px).
    pub map_size: (f64, f64),
    /// Whether the view is moving (the map canvas defers slow redraws meanwhile).
    pub motion: crate::app::view::Motion,
    /// Map rectangle last frame (screen, logical px).
    pub map_rect: Option<egui::Rect>,
    /// Box-select drag start (screen).
    pub box_start: Option<egui::Pos2>,
    /// The travel-reach tool and its bands.
    pub reach: crate::app::reach::ReachState,
    pub(crate) fitted: bool,
    /// Panels open and their widths, the legend (remembered between runs).
    pub layout: layout::Layout,
    /// Where the layout is remembered (`None`: not remembered, as in tests).
    pub layout_path: Option<PathBuf>,
    /// The layout as last written to `layout_path`.
    pub layout_saved: layout::Layout,
    /// Help › Keyboard shortcuts is open.
    pub shortcuts_open: bool,
    /// The map's full credits are expanded (the ⓘ of the attribution line).
    pub credits_open: bool,
    /// Shrink the window to the screen on the first frame that knows the screen's size.
    pub fit_to_screen: bool,
    /// The loaded layer the floor-space model runs on (`None`: the zone's buildings).
    pub inventory: Option<String>,
    /// The mapping dialog, while open ([`inventory`]).
    pub inventory_draft: Option<inventory::InventoryDraft>,
    /// The "which CRS is this file in?" question, while open ([`open_choice`]).
    pub crs_prompt: Option<open_choice::CrsPrompt>,
    /// The shared scenario in a database, when connected (File › Database).
    pub db: Option<db::DbLink>,
    /// The connect dialog, while open.
    pub db_dialog: Option<db::DbDialog>,
    /// The Database window is shown.
    pub db_window: bool,
    /// A connection to start once the zone is loaded (`HETAO_DB`).
    pub db_pending: Option<db::DbDialog>,
}

/// The local origin of all map geometry: the zone's centre.
pub fn map_origin() -> LocalOrigin {
    LocalOrigin::from_lonlat(
        (ZONE_EXTENT[0] + ZONE_EXTENT[2]) / 2.0,
        (ZONE_EXTENT[1] + ZONE_EXTENT[3]) / 2.0,
    )
}

/// The caches' view of the app, borrowing only the fields they read (so that `self.cache` can
/// be borrowed mutably beside it).
macro_rules! inputs {
    ($app:expr) => {
        Inputs {
            data: $app.doc.current(),
            revision: $app.doc.revision,
            user_layers: &$app.user_layers,
            user_revs: &$app.user_revs,
            layers: &$app.layers,
            year: $app.year,
            origin: map_origin(),
        }
    };
}

fn cache_inputs(app: &HetaoApp) -> Inputs<'_> {
    inputs!(app)
}

impl HetaoApp {
    /// An app with no data yet (the zone loads in the background: [`HetaoApp::start_loading`]).
    pub fn empty() -> Self {
        Self {
            doc: Document::default(),
            styles: StyleSet::default(),
            layers: Vec::new(),
            user_layers: Vec::new(),
            user_revs: HashMap::new(),
            next_rev: 0,
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
            focus_search: false,
            typing: false,
            grid: Grid::Hk1980,
            grids: HashMap::new(),
            cursor: None,
            tab: Tab::Dashboard,
            status: String::new(),
            problems: Vec::new(),
            problems_folded: false,
            problems_log: None,
            pending_open: Vec::new(),
            edit_error: None,
            zone_job: None,
            file_jobs: Vec::new(),
            export_job: None,
            snapshot_dialog: None,
            cache: Caches::default(),
            gpu: None,
            screenshot: None,
            recovery: None,
            dialogs: crate::app::dialogs::Dialogs::default(),
            unsaved_prompt: None,
            after_save: None,
            quit_confirmed: false,
            save_conflict: None,
            export_conflict: None,
            exported: HashMap::new(),
            snapshot_target: None,
            autosave_failure: None,
            disk_watch: saves::DiskWatch::default(),
            search_index: Default::default(),
            autosave: true,
            map_size: (1000.0, 700.0),
            motion: Default::default(),
            map_rect: None,
            box_start: None,
            reach: crate::app::reach::ReachState::default(),
            fitted: false,
            layout: layout::Layout::default(),
            layout_path: None,
            layout_saved: layout::Layout::default(),
            shortcuts_open: false,
            credits_open: false,
            fit_to_screen: false,
            inventory: None,
            inventory_draft: None,
            crs_prompt: None,
            db: None,
            db_dialog: None,
            db_window: false,
            db_pending: db::from_env(),
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
        self.cache.clear();
        self.fitted = false;
        self.status = format!(
            "zone loaded: {} layers, {} features",
            self.layers.len(),
            self.doc.current().feature_count()
        );
    }

    /// Whether the zone is loaded.
    pub fn is_loaded(&self) -> bool {
        !self.layers.is_empty()
    }

    /// The data of a layer by name (zone layers from the document, then loaded files).
    pub fn layer_data(&self, name: &str) -> Option<&Layer> {
        cache_inputs(self).layer(name)
    }

    /// The feature a reference points at.
    pub fn feature(&self, r: &FeatureRef) -> Option<&Feature> {
        self.layer_data(&r.layer)?.features.get(r.index)
    }

    /// Whether a feature is drawn in the timeline's year.
    pub fn exists_in_year(&self, r: &FeatureRef) -> bool {
        cache_inputs(self).exists_in_year(r)
    }

    /// Visible layer names, top first (the picking order).
    pub fn pick_order(&self) -> Vec<String> {
        cache_inputs(self)
            .pick_order()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Scene generation: bumped on every scene rebuild.
    pub fn scene_gen(&self) -> u64 {
        self.cache.scene_gen()
    }

    /// Rebuild the scene when data, styles, order or year changed; returns it.
    pub fn ensure_scene(&mut self) -> Option<Arc<Scene>> {
        let inp = inputs!(self);
        self.cache.ensure_scene(inp)
    }

    /// Bring the big layers' outlines near the view up to date for the lon/lat box `view`
    /// ([`Caches::ensure_details`]); true when they changed.
    pub fn ensure_details(&mut self, view: [f64; 4]) -> bool {
        let inp = inputs!(self);
        self.cache.ensure_details(inp, view)
    }

    /// The feature under a Mercator point within `tol_m` metres.
    pub fn pick_at(&mut self, merc: [f64; 2], tol_m: f64) -> Option<FeatureRef> {
        let inp = inputs!(self);
        self.cache.pick_at(inp, merc, tol_m)
    }

    /// Features of visible layers inside a Mercator box.
    pub fn pick_box(&mut self, b: [f64; 4]) -> Vec<FeatureRef> {
        let inp = inputs!(self);
        self.cache.pick_box(inp, b)
    }

    /// The nearest vertex of a visible feature within `tol_m` of a Mercator point (when
    /// snapping is on).
    pub fn snap(&mut self, merc: [f64; 2], tol_m: f64) -> Option<[f64; 2]> {
        if !self.snapping {
            return None;
        }
        let inp = inputs!(self);
        self.cache.snap(inp, merc, tol_m)
    }

    /// Floor-space statistics as of the timeline year (cached per document revision and year).
    pub fn stats(&mut self) -> &ZoneStats {
        let inp = inputs!(self);
        self.cache.stats(inp)
    }

    /// The research units of building `id` (indices in the `research_units` layer).
    pub fn units_of(&mut self, id: &str) -> Vec<usize> {
        let inp = inputs!(self);
        self.cache.units_of(inp, id).to_vec()
    }

    /// Delivered new space by year for each park: (year, SZ m², HK m²), 2017–2035.
    pub fn series(&mut self) -> &[(i32, f64, f64)] {
        let inp = inputs!(self);
        self.cache.series(inp)
    }

    /// A transform from WGS84 to the chosen grid (cached; `None` when PROJ lacks it).
    pub fn grid_transformer(&mut self, grid: Grid) -> Option<&Transformer> {
        self.grids
            .entry(grid.epsg())
            .or_insert_with(|| Transformer::new("EPSG:4326", grid.epsg()).ok())
            .as_ref()
    }
}
