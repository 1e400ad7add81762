//! Background jobs of the app: loading the zone, opening files, polling workers and the map
//! snapshot export (progress and cancel through [`crate::app::jobs`]).

use super::{FileProblem, HetaoApp, Loaded};
use crate::app::export;
use crate::app::jobs::{Job, JobControl};
use crate::app::prepare::{PreparedLayer, prepare_layer};
use crate::core::io::{LoadError, LoadOptions, OpenOptions, open_layers};
use crate::core::model::Dataset;
use crate::render::{GpuContext, StyleSet};
use eframe::egui;
use std::path::Path;
use std::path::PathBuf;

impl HetaoApp {
    /// Load the embedded zone on a worker thread.
    pub fn start_loading(&mut self, ctx: &egui::Context) {
        let c = ctx.clone();
        self.zone_job = Some(Job::spawn(
            "loading the zone",
            |_: &JobControl| {
                let r = crate::core::zone::embedded_dataset()
                    .map_err(|e| e.to_string())
                    .and_then(|ds| {
                        StyleSet::from_files(crate::core::zone::STYLE_FILES)
                            .map(|s| (ds, s))
                            .map_err(|e| e.to_string())
                    });
                Loaded::Zone(r)
            },
            move || c.request_repaint(),
        ));
    }

    /// Open a file's layers on a worker thread through the core's loader
    /// ([`crate::core::io::open_layers`]: its memory guard, progress and cancel; Cancel in
    /// the status bar stops it), and prepare each layer there too (mesh, pick tree, extent:
    /// [`prepare_layer`]), so that the UI thread only swaps them in. A file that fails is
    /// checked with `hetao check`'s validator and its messages go to the Problems panel
    /// ([`problems_of`]) and to stderr.
    pub fn open_file(&mut self, path: PathBuf, ctx: &egui::Context) {
        self.open_file_with(path, super::open_choice::OpenChoice::default(), ctx);
    }

    /// [`HetaoApp::open_file`] with the CRS and `.dbf` encoding to assume
    /// ([`super::open_choice`]); a file that declares its CRS keeps its own.
    pub fn open_file_with(
        &mut self,
        path: PathBuf,
        choice: super::open_choice::OpenChoice,
        ctx: &egui::Context,
    ) {
        let c = ctx.clone();
        let p = path.clone();
        let styles = self.styles.clone();
        let year = self.year;
        let origin = super::map_origin();
        self.file_jobs.push(Job::spawn(
            format!("loading {}", path.display()),
            move |jc: &JobControl| {
                let progress = |f: f64| jc.set_progress(f as f32);
                let opts = OpenOptions {
                    load: LoadOptions {
                        cancel: Some(jc.cancel_flag()),
                        progress: Some(&progress),
                        ..LoadOptions::default()
                    },
                    crs: choice.crs.as_deref(),
                    encoding: choice.encoding.as_deref(),
                    ..OpenOptions::default()
                };
                let r = match open_layers(&p, &opts) {
                    Ok(layers) => {
                        // parsing is done: the rest is preparation (progress unknown)
                        jc.set_progress(f32::NAN);
                        let mut ready = Vec::with_capacity(layers.len());
                        for l in layers {
                            if jc.is_cancelled() {
                                break;
                            }
                            ready.push(prepare_layer(l, &styles, year, origin));
                        }
                        Ok(ready)
                    }
                    Err(LoadError::Cancelled { .. }) => Err(FileProblem::Cancelled),
                    Err(e @ LoadError::NoCrs { .. }) => {
                        Err(FileProblem::NoCrs(problems_of(&p, &e)))
                    }
                    Err(e) => Err(FileProblem::Lines(problems_of(&p, &e))),
                };
                Loaded::File(p, r)
            },
            move || c.request_repaint(),
        ));
    }

    /// Add a layer prepared on a worker: the layer goes on the stack as
    /// [`HetaoApp::add_user_layer`] adds it, and its mesh and pick tree go straight into the
    /// caches (nothing is tessellated or indexed on this thread). When the layer had to be
    /// renamed and its new name gives it another style, the mesh is left out and rebuilt.
    pub(crate) fn add_prepared_layer(&mut self, p: PreparedLayer) {
        let PreparedLayer {
            layer,
            style,
            mut mesh,
            year,
            tree,
            bbox,
        } = p;
        self.add_user_layer_with_bbox(layer, bbox);
        let Some(e) = self.layers.last() else {
            return;
        };
        let name = e.name.clone();
        let rev = self.user_revs.get(&name).copied().unwrap_or(0);
        if mesh.name != name {
            std::sync::Arc::make_mut(&mut mesh).name = name.clone();
        }
        let mesh = (e.style == style && year == self.year).then_some(mesh);
        self.cache
            .adopt_layer(&name, (rev, e.style_rev, None), mesh, tree);
    }

    /// Background jobs running: the zone load, file loads, the export.
    pub fn jobs_running(&self) -> usize {
        usize::from(self.zone_job.is_some())
            + self.file_jobs.len()
            + usize::from(self.export_job.is_some())
            + self.cache.tessellating()
    }

    /// Nothing is still to be loaded or drawn: the zone and every file given at start are in,
    /// no load runs, the view is not flying, and the scene on the GPU is the current one
    /// (`uploaded`: the generation the renderer uploaded last). The screenshot waits for it.
    pub fn settled(&self, uploaded: Option<u64>) -> bool {
        let generation = self.scene_gen();
        self.is_loaded()
            && self.pending_open.is_empty()
            && self.file_jobs.is_empty()
            && self.cache.tessellating() == 0
            && !self.view.is_flying()
            && !self.motion.is_moving()
            && uploaded.is_some_and(|u| u == generation && generation > 0)
    }

    /// Take the results of finished workers: the zone, opened files, exports.
    pub(crate) fn poll_jobs(&mut self) {
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
                Ok(Loaded::File(_, Ok(layers))) if !cancelled => {
                    for l in layers {
                        self.add_prepared_layer(l);
                    }
                }
                Ok(Loaded::File(p, Err(FileProblem::Lines(lines)))) if !cancelled => {
                    self.status = format!("{} failed to load: see Problems", p.display());
                    for l in &lines {
                        eprintln!("{l}");
                    }
                    self.add_problems(&p.display().to_string(), lines);
                }
                Ok(Loaded::File(p, Err(FileProblem::NoCrs(lines)))) if !cancelled => {
                    self.status = format!("{} declares no CRS: choose one", p.display());
                    for l in &lines {
                        eprintln!("{l}");
                    }
                    self.add_problems(&p.display().to_string(), lines);
                    self.ask_crs(p);
                }
                _ => {
                    self.status = "load cancelled".into();
                    // what the cancelled load had parsed is freed: give it back
                    crate::app::memory::give_back();
                }
            }
        }
        if let Some(j) = &self.export_job
            && let Some(r) = j.poll()
        {
            self.export_job = None;
            self.status = match r {
                Ok(Ok(s)) => {
                    self.snapshot_written();
                    s
                }
                Ok(Err(e)) => format!("export failed: {e}"),
                Err(()) => "export stopped".into(),
            };
        }
    }

    // ---------------------------------------------------------------- frame

    /// Start writing the Export dialog's page (or timeline) on a worker.
    pub fn start_page_export(
        &mut self,
        dialog: &crate::app::export::PageDialog,
        path: PathBuf,
        ctx: &egui::Context,
    ) {
        let mut styles = self.styles.clone();
        // the layers shown: a loaded one is shared with the worker (it can be a city's
        // buildings: the copy the export's dataset needs is made there, not in this frame)
        let mut shown: Vec<std::sync::Arc<crate::core::model::Layer>> = Vec::new();
        for e in self.layers.iter().filter(|e| e.visible) {
            // (the document's layers first, as everywhere: `HetaoApp::layer_data`)
            let layer = match self.doc.current().layer(&e.name) {
                Some(l) => Some(std::sync::Arc::new(l.clone())),
                None => self.user_layers.iter().find(|l| l.name == e.name).cloned(),
            };
            if let Some(l) = layer {
                shown.push(l);
                styles.insert(e.style.clone());
            }
        }
        let cam = self.view.camera(self.map_size.0, self.map_size.1, 1.0);
        let (w0, n0) = cam.pixel_to_lonlat(0.0, 0.0);
        let (e0, s0) = cam.pixel_to_lonlat(self.map_size.0, self.map_size.1);
        let job = match dialog.job(path, [w0, s0, e0, n0], self.year) {
            Ok(mut j) => {
                // exactly the layers shown in the window
                j.layers = Some(shown.iter().map(|l| l.name.clone()).collect());
                j
            }
            Err(e) => {
                self.status = format!("export failed: {e}");
                return;
            }
        };
        let gpu = self.gpu.as_ref().map(|g| GpuContext {
            instance: g.state.instance.clone(),
            adapter: g.state.adapter.clone(),
            device: g.state.device.clone(),
            queue: g.state.queue.clone(),
        });
        let c = ctx.clone();
        self.export_job = Some(Job::spawn(
            "exporting the map page",
            move |jc: &JobControl| {
                jc.set_progress(f32::NAN);
                let ctx = match gpu {
                    Some(g) => g,
                    None => GpuContext::new_headless().map_err(|e| e.to_string())?,
                };
                let ds = Dataset {
                    layers: shown
                        .into_iter()
                        .map(std::sync::Arc::unwrap_or_clone)
                        .collect(),
                };
                export::run_page(&ctx, &ds, &styles, &job)
            },
            move || c.request_repaint(),
        ));
    }
}

/// The messages for a file that failed to load, exactly as `hetao check` prints them: the
/// validator's report of the file ([`crate::core::validate::validate`],
/// [`crate::core::validate::Report::lines`]) when the loader found it invalid; the loader's
/// own message when the file could not be read or is too large to read.
pub fn problems_of(path: &Path, err: &LoadError) -> Vec<String> {
    let file = path.display().to_string();
    let own = || vec![format!("{file}: error: {err}")];
    match err {
        LoadError::Io { .. } | LoadError::TooLarge { .. } | LoadError::Cancelled { .. } => own(),
        // read through GDAL: the reader's message names file, layer, feature and field
        _ if !crate::core::io::is_geojson(path) => {
            let text = err.to_string();
            let rest = text.strip_prefix(&format!("{file}: ")).unwrap_or(&text);
            vec![format!("{file}: error: {rest}")]
        }
        _ => match std::fs::read(path) {
            Ok(bytes) => {
                let report = crate::core::validate::validate(&bytes, &file);
                if report.errors.is_empty() {
                    // the validator accepts what the loader refused: show the loader's reason
                    own()
                } else {
                    report.lines()
                }
            }
            Err(_) => own(),
        },
    }
}
