//! `hetao snapshot`: render the map to a PNG (legend, scale bar, north arrow, title, date,
//! attribution), optionally with a `.pgw` world file in EPSG:3857 metres; with `--page` (or
//! an output named `.pdf`, `.svg` or `.gif`, or `--years`) a report-ready page laid out on
//! paper ([`page`]).

pub mod figure;
pub mod page;

use crate::core::atomic::write_atomic;
use crate::render::gpu::GpuContext;
use crate::render::overlay::{OverlayOptions, today_utc};
use crate::render::snapshot::{SnapshotRequest, View, render_snapshot};
use crate::render::{SceneOptions, StyleSet};
use anyhow::{Context, bail};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao snapshot` (boxed, so the command enum stays small).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The options.
    #[command(flatten)]
    pub opts: Box<Options>,
}

/// The options of `hetao snapshot`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Output file, written atomically: .png, or with a page .pdf, .svg, .gif (year series);
    /// numbered PNGs of a series: a name with %04d (the year) or a folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Lay the map out on paper: A4, A3, A2, Letter or WxHmm (default A4 when the output is
    /// .pdf, .svg, .gif or with --years).
    #[arg(long, value_name = "PAPER")]
    pub page: Option<String>,
    /// Landscape orientation (the default without --page).
    #[arg(long, conflicts_with = "portrait")]
    pub landscape: bool,
    /// Portrait orientation.
    #[arg(long)]
    pub portrait: bool,
    /// Raster density of a page (PNG, GIF), 48–600 dots per inch (default 150; GIF 96).
    #[arg(long)]
    pub dpi: Option<f64>,
    /// Page margin, mm.
    #[arg(long, default_value_t = 10.0)]
    pub margin: f64,
    /// Subtitle under the title (pages).
    #[arg(long)]
    pub subtitle: Option<String>,
    /// Grid ticks on the map frame (pages).
    #[arg(long, value_enum)]
    pub grid: Option<figure::GridKind>,
    /// Where the legend goes on a page: the margin column (never over data) or the emptiest
    /// corner of the map.
    #[arg(long, value_enum, default_value_t = LegendPlace::Column)]
    pub legend: LegendPlace,
    /// Only these layers in the legend, comma separated (pages).
    #[arg(long, value_delimiter = ',')]
    pub legend_layers: Option<Vec<String>>,
    /// A year series, e.g. 2017..2035: one page per year (GIF, multi-page PDF, numbered PNGs).
    #[arg(long, value_name = "FIRST..LAST", conflicts_with = "year")]
    pub years: Option<String>,
    /// Time each GIF frame is shown, seconds.
    #[arg(long, default_value_t = 0.8)]
    pub frame_seconds: f64,
    /// Image width in logical pixels.
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
    /// Image height in logical pixels.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
    /// View box as W,S,E,N in degrees (lon/lat).
    #[arg(
        long,
        value_name = "W,S,E,N",
        conflicts_with_all = ["center", "zoom"],
        allow_hyphen_values = true
    )]
    pub bbox: Option<String>,
    /// View centre as LON,LAT in degrees (needs --zoom).
    #[arg(
        long,
        value_name = "LON,LAT",
        requires = "zoom",
        allow_hyphen_values = true
    )]
    pub center: Option<String>,
    /// Web Mercator zoom level (with --center).
    #[arg(long, requires = "center")]
    pub zoom: Option<f64>,
    /// Only these layers, comma separated (default: every layer whose style is visible).
    #[arg(long, value_delimiter = ',')]
    pub layers: Option<Vec<String>>,
    /// Draw features as they stood in this year (buildings by their status then).
    #[arg(long)]
    pub year: Option<i32>,
    /// Title drawn at the top left.
    #[arg(long)]
    pub title: Option<String>,
    /// Also write a world file (.pgw) beside the PNG, in EPSG:3857 metres.
    #[arg(long)]
    pub world_file: bool,
    /// Pixel density: 2 renders twice the pixels for the same map.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// GeoJSON files to draw instead of the embedded data (each a layer named by its file stem).
    #[arg(long, num_args = 1..)]
    pub data: Vec<PathBuf>,
    /// Folder of style files (`<layer>.json`) overriding the shipped styles.
    #[arg(long)]
    pub styles: Option<PathBuf>,
    /// The building inventory drawn with the zone (`--buildings FILE [--mapping M.toml]`).
    #[command(flatten)]
    pub inventory: crate::cli::InventoryArgs,
}

/// Where the legend of a page goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LegendPlace {
    /// The margin column (landscape) or band (portrait).
    Column,
    /// The emptiest corner of the map frame.
    Corner,
}

/// Whether the options ask for a page layout rather than the plain snapshot.
fn wants_page(args: &Options) -> bool {
    args.page.is_some()
        || args.years.is_some()
        || !matches!(page::Format::of(&args.out), Some(page::Format::Png))
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let args = &*args.opts;
    if wants_page(args) {
        return run_page(args, out);
    }
    let world_file = if args.world_file {
        Some(
            crate::render::snapshot::world_file_path(&args.out).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: a snapshot named *.pgw would be replaced by its own world file; name the PNG *.png",
                    args.out.display()
                )
            })?,
        )
    } else {
        None
    };
    if args.width == 0 || args.height == 0 || args.width > 16384 || args.height > 16384 {
        bail!("--width and --height must be between 1 and 16384 pixels");
    }
    if !(args.scale.is_finite() && (0.25..=8.0).contains(&args.scale)) {
        bail!("--scale must be between 0.25 and 8");
    }
    let (view, dataset, styles) = inputs(args)?;
    let req = SnapshotRequest {
        width: args.width,
        height: args.height,
        view,
        scale: args.scale,
        scene: SceneOptions {
            year: args.year,
            layers: args.layers.clone(),
        },
        overlay: Some(OverlayOptions {
            title: Some(args.title.clone().unwrap_or_else(default_title)),
            date: Some(today_utc()),
            year: args.year,
        }),
    };
    let ctx = GpuContext::shared_headless()?;
    let snap = render_snapshot(&ctx, &dataset, &styles, &req);
    // The renderer of the snapshot is dropped: let the shared context free it now.
    ctx.settle();
    let snap = snap?;
    let png = snap.image.encode_png()?;
    write_atomic(&args.out, &png)?;
    writeln!(
        out,
        "wrote {} ({}×{} px, zoom {:.2}, centre {:.6},{:.6}, {} layers, {} features; {})",
        args.out.display(),
        snap.image.width,
        snap.image.height,
        snap.camera.zoom,
        snap.camera.center_lon,
        snap.camera.center_lat,
        snap.scene.layers.len(),
        snap.scene
            .layers
            .iter()
            .map(|l| l.mesh.features_drawn)
            .sum::<usize>(),
        snap.adapter
    )?;
    if let Some(pgw) = world_file {
        write_atomic(&pgw, snap.camera.world_file().as_bytes())?;
        writeln!(out, "wrote {} (EPSG:3857)", pgw.display())?;
    }
    Ok(0)
}

/// The view, the dataset and the styles the options name (checked).
fn inputs(args: &Options) -> anyhow::Result<(View, crate::core::model::Dataset, StyleSet)> {
    let view = match (&args.bbox, &args.center, args.zoom) {
        (Some(b), _, _) => View::Bbox(crate::core::lonlat::parse_bbox(b).context("--bbox")?),
        (None, Some(c), Some(z)) => {
            let c = crate::core::lonlat::parse_lonlat(c).context("--center")?;
            if !(0.0..=24.0).contains(&z) {
                bail!("--zoom must be within 0..24");
            }
            View::Center {
                lon: c.x,
                lat: c.y,
                zoom: z,
            }
        }
        _ => View::Auto,
    };
    if !args.data.is_empty() && args.inventory.is_set() {
        // one source of data: never let --data win silently over the other
        let (flag, what) = if args.inventory.db.is_some() {
            ("--db", "the database's layers")
        } else {
            ("--buildings", "the zone with your inventory")
        };
        bail!(
            "{flag} draws {what}; it does not go with --data (files drawn instead of the zone): \
             give one or the other"
        );
    }
    let dataset = if args.data.is_empty() {
        args.inventory.dataset().context("zone data")?
    } else {
        let mut ds = crate::core::model::Dataset::default();
        for p in &args.data {
            let layer = crate::core::io::load_path(p)
                .with_context(|| format!("loading {}", p.display()))?;
            ds.layers.push(layer);
        }
        ds
    };
    if let Some(names) = &args.layers {
        for n in names {
            if dataset.layer(n).is_none() {
                let have: Vec<_> = dataset.layers.iter().map(|l| l.name.as_str()).collect();
                bail!("--layers: no layer {n:?} (layers: {})", have.join(", "));
            }
        }
    }
    let mut styles = StyleSet::from_files(crate::core::zone::STYLE_FILES)?;
    if let Some(dir) = &args.styles {
        styles.load_dir(dir)?;
    }
    Ok((view, dataset, styles))
}

fn default_title() -> String {
    "Hetao Shenzhen–Hong Kong Science and Technology Innovation Cooperation Zone".into()
}

/// `hetao snapshot` with a page layout.
fn run_page(args: &Options, out: &mut dyn Write) -> anyhow::Result<i32> {
    let (view, dataset, styles) = inputs(args)?;
    let years = args.years.as_deref().map(page::parse_years).transpose()?;
    let format = page::Format::of(&args.out);
    let dpi = args.dpi.unwrap_or(if format == Some(page::Format::Gif) {
        96.0
    } else {
        150.0
    });
    let landscape = if args.page.is_none() {
        !args.portrait
    } else {
        args.landscape
    };
    let paper = crate::render::layout::Page::new(
        args.page.as_deref().unwrap_or("A4"),
        landscape,
        args.margin,
        dpi,
    )?;
    if args.world_file && format != Some(page::Format::Png) {
        bail!("--world-file goes with a PNG");
    }
    if !(args.frame_seconds.is_finite() && (0.05..=60.0).contains(&args.frame_seconds)) {
        bail!("--frame-seconds must be between 0.05 and 60");
    }
    if let Some(names) = &args.legend_layers {
        for n in names {
            if dataset.layer(n).is_none() {
                bail!("--legend-layers: no layer {n:?}");
            }
        }
    }
    let job = page::PageJob {
        out: args.out.clone(),
        page: paper,
        view,
        layers: args.layers.clone(),
        figure: figure::FigureOptions {
            title: args.title.clone().unwrap_or_else(default_title),
            subtitle: args.subtitle.clone(),
            date: Some(today_utc()),
            year: args.year,
            big_year: false,
            grid: args.grid,
            legend_at: match args.legend {
                LegendPlace::Column => crate::render::layout::LegendAt::Column,
                LegendPlace::Corner => crate::render::layout::LegendAt::Corner,
            },
            legend_layers: args.legend_layers.clone(),
        },
        years,
        world_file: args.world_file,
        gif_delay_cs: (args.frame_seconds * 100.0).round() as u16,
    };
    for line in page::export(&dataset, &styles, &job, None)? {
        writeln!(out, "{line}")?;
    }
    Ok(0)
}
