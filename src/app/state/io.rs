//! Background jobs of the app: loading the zone, opening files, polling workers and the map
//! snapshot export (progress and cancel through [`crate::app::jobs`]).

use super::{HetaoApp, Loaded};
use crate::app::export::{self, SnapshotJob};
use crate::app::jobs::{Job, JobControl, read_with_progress};
use crate::core::model::Dataset;
use crate::render::{GpuContext, StyleSet};
use eframe::egui;
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

    /// Whether the zone is loaded.
    /// Load a GeoJSON file on a worker thread (progress in the status bar, Cancel stops it).
    pub fn open_file(&mut self, path: PathBuf, ctx: &egui::Context) {
        let c = ctx.clone();
        let p = path.clone();
        self.file_jobs.push(Job::spawn(
            format!("loading {}", path.display()),
            move |jc: &JobControl| {
                let r = read_with_progress(&p, jc).and_then(|bytes| {
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

    // ---------------------------------------------------------------- frame

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
