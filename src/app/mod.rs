//! The desktop app (eframe 0.37 with the wgpu renderer, egui): pan the zone, inspect, measure,
//! follow the 2035 floor-space target, edit scenarios and export.
//!
//! The state is plain Rust and tested without a window:
//! - [`view`]: the map view (centre, zoom, fly-to), kept apart from the per-frame widget;
//! - [`doc`]: the scenario document with undo/redo and autosave;
//! - [`layers`]: the layer stack (order, visibility, opacity, styles and legends);
//! - [`pick`]: the R-tree for hover, click and box selection and vertex snapping;
//! - [`measure`]: the measure tools (geodesic beside planar);
//! - [`jobs`]: worker threads with progress and cancel;
//! - [`search`]: the search box's index (the core matcher over the current data) and results;
//! - [`dialogs`]: file dialogs on a worker thread (zenity, portal) or an in-app path field;
//! - [`export`]: snapshot, GeoJSON and CSV exports (atomic writes);
//! - [`reach`]: the travel-reach tool (isochrone bands, destination times, dwell sliders).
//!
//! The window: [`state`] ([`HetaoApp`]: document, selection, tools, jobs), [`cache`] (scene,
//! pick index, statistics), [`shell`] (the frame that lays out the panels), [`panels`] (one
//! module per panel), [`map`] (the map widget), [`gpu`] (the `egui_wgpu` paint callback that
//! draws through [`crate::render::MapRenderer`]), [`widgets`] (shared widgets and formatters)
//! and [`screenshot`] (`--screenshot`). Imports go one way: panels, map and shell import the
//! state; the state imports none of them.

pub mod cache;
pub mod dbsync;
pub mod dbview;
pub mod describe;
pub mod dialogs;
pub mod doc;
pub mod export;
pub mod fonts;
pub mod frames;
pub mod gpu;
pub mod jobs;
pub mod layers;
pub mod map;
pub mod measure;
pub mod memory;
pub mod overlay;
pub mod panels;
pub mod pick;
pub mod prepare;
pub mod reach;
pub mod screenshot;
pub mod search;
pub mod shell;
pub mod state;
pub mod time;
pub mod view;
pub mod widgets;

pub use state::HetaoApp;

use eframe::egui;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// How the app starts.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Write a screenshot of the first complete frame to this PNG and exit.
    pub screenshot: Option<PathBuf>,
    /// Initial window size in logical px (default 1440 × 900, made smaller to fit a smaller
    /// screen; a size given here is kept).
    pub size: Option<[f32; 2]>,
    /// GeoJSON files to open as layers once the zone is loaded.
    pub open: Vec<PathBuf>,
    /// Write the Problems panel's lines to this file whenever they change.
    pub problems_log: Option<PathBuf>,
    /// Log every frame to this file ([`frames`]).
    pub frame_log: Option<PathBuf>,
}

/// Install the fonts (egui's defaults, the CJK subset the renderer ships, and the system's
/// Chinese font for the rest: [`fonts`]) and the light theme.
pub fn setup_style(ctx: &egui::Context) {
    ctx.set_fonts(fonts::definitions());
    ctx.set_theme(egui::Theme::Light);
    ctx.global_style_mut(|s| {
        s.spacing.item_spacing = egui::vec2(8.0, 5.0);
        s.spacing.button_padding = egui::vec2(7.0, 3.0);
    });
}

struct Window {
    app: HetaoApp,
    frames: Option<frames::FrameLog>,
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let t0 = std::time::Instant::now();
        self.app.show(ui);
        if let Some(log) = &mut self.frames {
            let v = &self.app.view;
            log.record(frames::FrameRecord {
                start_s: log.since_start(t0),
                ui_ms: t0.elapsed().as_secs_f64() * 1000.0,
                center_lon: v.center_lon,
                center_lat: v.center_lat,
                zoom: v.zoom,
                layers: self.app.layers.len(),
                jobs: self.app.jobs_running(),
            });
            ui.ctx().request_repaint();
        }
    }

    fn on_exit(&mut self) {
        if let Some(log) = &mut self.frames {
            log.flush();
        }
    }
}

/// Start the app window; returns when it closes. With `opts.screenshot`, the first complete
/// frame is written there and the window closes; failing to write it is an error.
pub fn run(opts: AppOptions) -> anyhow::Result<()> {
    let result: Arc<Mutex<Option<Result<String, String>>>> = Arc::new(Mutex::new(None));
    let size = opts.size.unwrap_or([1440.0, 900.0]);
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Hetao Atlas — Hetao Shenzhen–Hong Kong S&T Innovation Cooperation Zone")
            .with_app_id("hetao-atlas")
            .with_inner_size(size)
            .with_min_inner_size([640.0, 480.0]),
        renderer: eframe::Renderer::Wgpu,
        multisampling: gpu::WINDOW_SAMPLES,
        ..Default::default()
    };
    let shot = opts.screenshot.clone();
    let r2 = result.clone();
    let run = eframe::run_native(
        "hetao-atlas",
        native,
        Box::new(move |cc| {
            setup_style(&cc.egui_ctx);
            let mut app = HetaoApp::empty();
            app.fit_to_screen = opts.size.is_none();
            app.pending_open = opts.open.clone();
            let ctx = cc.egui_ctx.clone();
            app.cache.set_waker(Arc::new(move || ctx.request_repaint()));
            app.problems_log = opts.problems_log.clone();
            if let Some(rs) = cc.wgpu_render_state.as_ref() {
                match gpu::install(rs) {
                    Ok(uploaded) => {
                        app.gpu = Some(state::GpuHandle {
                            state: rs.clone(),
                            uploaded,
                        });
                    }
                    Err(e) => app.status = format!("map renderer unavailable: {e}"),
                }
            }
            match shot {
                Some(p) => app.screenshot = Some(screenshot::ScreenshotState::new(p, r2)),
                // a screenshot shows the default layout; a session remembers its own
                None => {
                    if let Some(p) = state::layout::settings_path() {
                        app.layout = state::layout::Layout::load(&p);
                        app.layout_saved = app.layout.clone();
                        app.layout_path = Some(p);
                    }
                }
            }
            app.start_loading(&cc.egui_ctx);
            let frames = opts.frame_log.clone().map(frames::FrameLog::new);
            Ok(Box::new(Window { app, frames }))
        }),
    );
    run.map_err(|e| anyhow::anyhow!("cannot start the window: {e}"))?;
    if opts.screenshot.is_some() {
        let outcome = result
            .lock()
            .map_err(|_| anyhow::anyhow!("screenshot state poisoned"))?
            .take();
        match outcome {
            Some(Ok(msg)) => eprintln!("{msg}"),
            Some(Err(e)) => anyhow::bail!("screenshot failed: {e}"),
            None => anyhow::bail!("the window closed before the screenshot was taken"),
        }
    }
    Ok(())
}
