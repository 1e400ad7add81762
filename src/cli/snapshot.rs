//! `hetao snapshot`: render the map to a PNG (legend, scale bar, north arrow, title, date,
//! attribution), optionally with a `.pgw` world file in EPSG:3857 metres.

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
    /// Output PNG file (written atomically).
    #[arg(long)]
    pub out: PathBuf,
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

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let args = &*args.opts;
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
    if !args.data.is_empty() && args.inventory.buildings.is_some() {
        bail!("--buildings draws the zone with your inventory; it does not go with --data");
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
    let mut styles = StyleSet::embedded()?;
    if let Some(dir) = &args.styles {
        styles.load_dir(dir)?;
    }
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
            title: Some(args.title.clone().unwrap_or_else(|| {
                "Hetao Shenzhen–Hong Kong Science and Technology Innovation Cooperation Zone".into()
            })),
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
