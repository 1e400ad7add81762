//! Exports: GeoJSON of features, CSV of the dashboard table, and the map page (the same page
//! layout as `hetao snapshot --page`: PDF, SVG or PNG with its world file) or timeline (GIF or
//! multi-page PDF), set up in the Export dialog ([`PageDialog`]). Every file is written
//! atomically (`core::atomic`).

use crate::core::atomic::write_atomic;
use crate::core::io::{Collection, WriteOptions, write_text};
use crate::core::model::{Dataset, Feature};
use crate::core::zone::ZoneStats;
use crate::render::snapshot::View;
use crate::render::{GpuContext, StyleSet};
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

/// The papers the Export dialog offers.
pub const PAPERS: &[&str] = &["A4", "A3", "A2", "Letter"];

/// The DPIs the Export dialog offers for raster output.
pub const DPIS: &[f64] = &[96.0, 150.0, 300.0, 600.0];

/// What the Export dialog writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFormat {
    /// PNG at the DPI, with a world file.
    Png,
    /// Vector PDF (a timeline: one page per year).
    Pdf,
    /// Vector SVG.
    Svg,
    /// Animated GIF (timeline).
    Gif,
}

impl PageFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            PageFormat::Png => "png",
            PageFormat::Pdf => "pdf",
            PageFormat::Svg => "svg",
            PageFormat::Gif => "gif",
        }
    }
}

/// The Export dialog's choices (File › Export › Map page… and › Timeline animation…), the
/// same options as `hetao snapshot --page`, independent of the window's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct PageDialog {
    /// Index into [`PAPERS`].
    pub paper: usize,
    /// Landscape.
    pub landscape: bool,
    /// Raster DPI (PNG, GIF).
    pub dpi: f64,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Output format.
    pub format: PageFormat,
    /// The visible layers with a legend: (name, legend title, shown in the legend).
    pub legend: Vec<(String, String, bool)>,
    /// The map shows the current view's area (else the whole zone).
    pub current_view: bool,
    /// Legend in the map's emptiest corner (else in the margin column).
    pub legend_corner: bool,
    /// Grid ticks.
    pub grid: Option<crate::cli::snapshot::figure::GridKind>,
    /// A timeline: one frame per year from `first` to `last`.
    pub timeline: bool,
    /// First year of a timeline.
    pub first: i32,
    /// Last year of a timeline.
    pub last: i32,
}

impl PageDialog {
    /// The dialog's defaults: A4 landscape, 150 dpi (GIF 96), PDF (timeline: GIF 2017–2035).
    pub fn new(title: &str, legend: Vec<(String, String, bool)>, timeline: bool) -> Self {
        PageDialog {
            paper: 0,
            landscape: true,
            dpi: if timeline { 96.0 } else { 150.0 },
            title: title.to_string(),
            subtitle: String::new(),
            format: if timeline {
                PageFormat::Gif
            } else {
                PageFormat::Pdf
            },
            legend,
            current_view: false,
            legend_corner: false,
            grid: None,
            timeline,
            first: crate::core::zone::BASE_YEAR,
            last: 2035,
        }
    }

    /// The formats this dialog offers.
    pub fn formats(&self) -> &'static [PageFormat] {
        if self.timeline {
            &[PageFormat::Gif, PageFormat::Pdf]
        } else {
            &[PageFormat::Pdf, PageFormat::Png, PageFormat::Svg]
        }
    }

    /// The page (checked).
    pub fn page(&self) -> Result<crate::render::layout::Page, String> {
        crate::render::layout::Page::new(
            PAPERS.get(self.paper).copied().unwrap_or("A4"),
            self.landscape,
            10.0,
            self.dpi,
        )
        .map_err(|e| e.to_string())
    }

    /// Pixel size of a raster page, for the dialog's hint.
    pub fn pixels(&self) -> Option<(u32, u32)> {
        self.page().ok().map(|p| p.size_px())
    }

    /// The job for `path`, showing `view_box` (the window's lon/lat box) when the dialog says
    /// so, as of `year` (a single page).
    pub fn job(
        &self,
        path: PathBuf,
        view_box: [f64; 4],
        year: i32,
    ) -> Result<crate::cli::snapshot::page::PageJob, String> {
        use crate::cli::snapshot::figure::FigureOptions;
        let view = if self.current_view {
            View::Bbox(view_box)
        } else {
            View::Auto
        };
        Ok(crate::cli::snapshot::page::PageJob {
            out: path,
            page: self.page()?,
            view,
            layers: None,
            figure: FigureOptions {
                title: self.title.clone(),
                subtitle: Some(self.subtitle.clone()).filter(|s| !s.trim().is_empty()),
                date: Some(crate::render::overlay::today_utc()),
                year: (!self.timeline).then_some(year),
                big_year: false,
                grid: self.grid,
                legend_at: if self.legend_corner {
                    crate::render::layout::LegendAt::Corner
                } else {
                    crate::render::layout::LegendAt::Column
                },
                legend_layers: Some(
                    self.legend
                        .iter()
                        .filter(|(_, _, on)| *on)
                        .map(|(n, _, _)| n.clone())
                        .collect(),
                ),
            },
            years: self
                .timeline
                .then(|| (self.first.min(self.last)..=self.last.max(self.first)).collect()),
            world_file: self.format == PageFormat::Png,
            gif_delay_cs: 80,
        })
    }
}

/// Lay out and write a page (or a timeline) of the visible layers with the app's GPU
/// device; returns a line for the status bar.
pub fn run_page(
    ctx: &GpuContext,
    dataset: &Dataset,
    styles: &StyleSet,
    job: &crate::cli::snapshot::page::PageJob,
) -> Result<String, String> {
    crate::cli::snapshot::page::export(dataset, styles, job, Some(ctx))
        .map(|lines| lines.join("; "))
        .map_err(|e| format!("{e:#}"))
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
    fn page_dialog_makes_the_same_job_as_the_cli() {
        let legend = vec![
            ("mtr".to_string(), "MTR".to_string(), true),
            ("hk_roads".to_string(), "Roads".to_string(), false),
        ];
        let mut d = PageDialog::new("T", legend, true);
        assert_eq!(d.format, PageFormat::Gif);
        let view_box = [114.0, 22.5, 114.1, 22.55];
        let j = d
            .job(PathBuf::from("t.gif"), view_box, 2025)
            .expect("timeline job");
        let years = j.years.clone().expect("years");
        assert_eq!(
            (years[0], years[years.len() - 1], years.len()),
            (2017, 2035, 19)
        );
        assert_eq!(j.figure.legend_layers, Some(vec!["mtr".to_string()]));
        assert_eq!(j.view, View::Auto);
        assert_eq!(j.figure.year, None);
        d.timeline = false;
        d.current_view = true;
        d.paper = 1;
        d.landscape = false;
        d.dpi = 300.0;
        d.format = PageFormat::Png;
        let j = d
            .job(PathBuf::from("m.png"), view_box, 2025)
            .expect("page job");
        // A3 portrait at 300 dpi
        assert_eq!(j.page.size_px(), (3508, 4961));
        assert_eq!(j.view, View::Bbox(view_box));
        assert_eq!(j.figure.year, Some(2025));
        assert!(j.world_file && j.years.is_none());
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
