//! Exports: GeoJSON of features, CSV of the dashboard table, and the map snapshot (PNG with
//! legend, scale bar, north arrow, title and attribution, plus its world file). Every file is
//! written atomically (`core::atomic`).

use crate::core::atomic::write_atomic;
use crate::core::io::{Collection, WriteOptions, write_text};
use crate::core::model::{Dataset, Feature};
use crate::core::zone::ZoneStats;
use crate::render::overlay::OverlayOptions;
use crate::render::snapshot::{SnapshotRequest, View, render_snapshot};
use crate::render::{GpuContext, SceneOptions, StyleSet};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// Write `features` as a FeatureCollection named `name` to `path` atomically, through the
/// core's one writer; returns how many features were written.
pub fn write_geojson<'a>(
    path: &Path,
    name: &str,
    features: impl IntoIterator<Item = &'a Feature>,
) -> Result<usize, String> {
    let mut members = Map::new();
    members.insert("name".into(), json!(name));
    write_collection(path, &members, features)
}

/// Write `features` as a FeatureCollection with these top-level members, atomically.
pub fn write_collection<'a>(
    path: &Path,
    members: &Map<String, Value>,
    features: impl IntoIterator<Item = &'a Feature>,
) -> Result<usize, String> {
    let mut c = Collection::new(members, None, WriteOptions::default());
    for f in features {
        c.push_feature(f);
    }
    let n = c.len();
    write_text(path, &c.finish()).map_err(|e| e.to_string())?;
    Ok(n)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The dashboard table as CSV: one row per park and breakdown (`status` or `use`) and value,
/// then the progress rows. Areas in m².
pub fn dashboard_csv(stats: &ZoneStats) -> String {
    let mut s = String::from("year,park,breakdown,key,value_m2\n");
    for p in &stats.parks {
        for (k, v) in &p.gfa_by_status {
            s += &format!(
                "{},{},status,{},{:.0}\n",
                stats.year,
                p.park,
                csv_field(k),
                v
            );
        }
        for (k, v) in &p.gfa_by_use {
            s += &format!("{},{},use,{},{:.0}\n", stats.year, p.park, csv_field(k), v);
        }
        s += &format!(
            "{},{},total,gfa,{:.0}\n",
            stats.year, p.park, p.total_gfa_m2
        );
        if let Some(pr) = &p.progress {
            s += &format!(
                "{},{},progress,delivered ({}),{:.0}\n",
                stats.year,
                p.park,
                csv_field(&pr.target_id),
                pr.delivered_m2
            );
            s += &format!(
                "{},{},progress,target {},{:.0}\n",
                stats.year, p.park, pr.target_year, pr.target_m2
            );
            if let Some(n) = pr.needed_per_year_m2 {
                s += &format!(
                    "{},{},progress,needed per year,{:.0}\n",
                    stats.year, p.park, n
                );
            }
        }
    }
    s
}

/// Write the dashboard CSV atomically.
pub fn write_dashboard_csv(path: &Path, stats: &ZoneStats) -> Result<(), String> {
    write_atomic(path, dashboard_csv(stats).as_bytes()).map_err(|e| e.to_string())
}

/// What a snapshot export needs (all owned, to move to a worker thread).
#[derive(Debug, Clone)]
pub struct SnapshotJob {
    /// Output PNG path; the world file goes next to it (`.pgw`).
    pub path: PathBuf,
    /// The visible layers, bottom to top.
    pub dataset: Dataset,
    /// Their styles as shown (opacity and colouring included).
    pub styles: StyleSet,
    /// The view.
    pub center: (f64, f64, f64),
    /// Size in logical px (the map view's size).
    pub size: (u32, u32),
    /// Pixel density (1, 2, 4: the image has that many times the pixels).
    pub scale: f64,
    /// Year shown ("as of").
    pub year: Option<i32>,
    /// Title.
    pub title: String,
}

/// Render and write a snapshot (PNG and world file), returning a line for the status bar.
pub fn run_snapshot(ctx: &GpuContext, job: &SnapshotJob) -> Result<String, String> {
    let req = SnapshotRequest {
        width: job.size.0.max(16),
        height: job.size.1.max(16),
        view: View::Center {
            lon: job.center.0,
            lat: job.center.1,
            zoom: job.center.2,
        },
        scale: job.scale,
        scene: SceneOptions {
            year: job.year,
            layers: Some(job.dataset.layers.iter().map(|l| l.name.clone()).collect()),
        },
        overlay: Some(OverlayOptions {
            title: Some(job.title.clone()),
            date: Some(crate::render::overlay::today_utc()),
            year: job.year,
        }),
    };
    let pgw = crate::render::snapshot::world_file_path(&job.path).ok_or_else(|| {
        format!(
            "{}: a snapshot named *.pgw would be replaced by its own world file; name the PNG *.png",
            job.path.display()
        )
    })?;
    let snap = render_snapshot(ctx, &job.dataset, &job.styles, &req).map_err(|e| e.to_string())?;
    let png = snap.image.encode_png().map_err(|e| e.to_string())?;
    write_atomic(&job.path, &png).map_err(|e| e.to_string())?;
    write_atomic(&pgw, snap.camera.world_file().as_bytes()).map_err(|e| e.to_string())?;
    Ok(format!(
        "wrote {} ({}×{} px) and {}",
        job.path.display(),
        snap.image.width,
        snap.image.height,
        pgw.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geojson_round_trips_through_the_loader() {
        let ds = crate::core::zone::embedded_dataset().expect("zone");
        let b = ds.layer("buildings").expect("buildings");
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("sel.geojson");
        let n = write_geojson(&p, "selection", b.features.iter().take(3)).expect("write");
        assert_eq!(n, 3);
        let back = crate::core::io::load_path(&p).expect("reload");
        assert_eq!(back.features.len(), 3);
        for (a, z) in b.features.iter().zip(&back.features) {
            assert_eq!(a.id, z.id);
            assert_eq!(a.geometry, z.geometry);
            assert_eq!(a.prop("gfa_m2"), z.prop("gfa_m2"));
        }
    }

    #[test]
    fn dashboard_csv_sums_match_the_stats() {
        let ds = crate::core::zone::embedded_dataset().expect("zone");
        let st = ZoneStats::compute(&ds, 2025);
        let csv = dashboard_csv(&st);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("year,park,breakdown,key,value_m2"));
        // the status rows of each park add up to its total
        for p in &st.parks {
            let sum: f64 = csv
                .lines()
                .filter(|l| l.starts_with(&format!("2025,{},status,", p.park)))
                .filter_map(|l| l.rsplit(',').next()?.parse::<f64>().ok())
                .sum();
            assert!(
                (sum - p.total_gfa_m2).abs() <= 6.0,
                "{sum} vs {}",
                p.total_gfa_m2
            );
        }
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
