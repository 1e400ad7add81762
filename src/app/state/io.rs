//! Background jobs of the app: loading the zone, opening files, polling workers and the map
//! snapshot export (progress and cancel through [`crate::app::jobs`]).

use super::{FileProblem, HetaoApp, Loaded};
use crate::app::export::{self, SnapshotJob};
use crate::app::jobs::{Job, JobControl};
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
                        StyleSet::embedded()
                            .map(|s| (ds, s))
                            .map_err(|e| e.to_string())
                    });
                Loaded::Zone(r)
            },
            move || c.request_repaint(),
        ));
    }

    /// Load a layer file (GeoJSON, or any format GDAL reads: docs/formats.md) on a worker
    /// thread through [`crate::core::io::open_layers`] (its memory guard, progress and
    /// cancel; Cancel in the status bar stops it), adding every layer it holds. A file that
    /// fails is checked with `hetao check`'s validator and its messages go to the Problems
    /// panel ([`problems_of`]).
    pub fn open_file(&mut self, path: PathBuf, ctx: &egui::Context) {
        let c = ctx.clone();
        let p = path.clone();
        self.file_jobs.push(Job::spawn(
            format!("loading {}", path.display()),
            move |jc: &JobControl| {
                let progress = |f: f64| jc.set_progress(f as f32);
                let opts = LoadOptions {
                    cancel: Some(jc.cancel_flag()),
                    progress: Some(&progress),
                    ..LoadOptions::default()
                };
                let opts = OpenOptions {
                    load: opts,
                    ..OpenOptions::default()
                };
                let r = match open_layers(&p, &opts) {
                    Ok(l) => Ok(l),
                    Err(LoadError::Cancelled { .. }) => Err(FileProblem::Cancelled),
                    Err(e) => Err(FileProblem::Lines(problems_of(&p, &e))),
                };
                Loaded::File(p, r)
            },
            move || c.request_repaint(),
        ));
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
                Ok(Loaded::File(_, Ok(ls))) if !cancelled => {
                    ls.into_iter().for_each(|l| self.add_user_layer(l))
                }
                Ok(Loaded::File(p, Err(FileProblem::Lines(lines)))) if !cancelled => {
                    self.status = format!("{} failed to load: see Problems", p.display());
                    self.add_problems(&p.display().to_string(), lines);
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

    // ---------------------------------------------------------------- frame

    /// Start writing a snapshot PNG of the current view at `scale` on a worker.
    pub fn start_snapshot(
        &mut self,
        scale: f64,
        title: String,
        path: PathBuf,
        ctx: &egui::Context,
    ) {
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
