//! `hetao export`: write the features of named layers that intersect a box to one layer
//! in GeoJSON (a FeatureCollection), GeoPackage, Shapefile, FlatGeobuf or CSV, atomically
//! and without replacing files unless `--force` ([`crate::core::io::export_layer`]). Layer
//! names only select layers; they never become paths.

use crate::cli::info::load_dataset;
use crate::cli::query::parse_bbox;
use crate::core::index::SpatialIndex;
use crate::core::io::Format;
use crate::core::model::Layer;
use anyhow::{Context, bail};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Layer files in any format `hetao info` reads; with none, the embedded zone dataset.
    pub files: Vec<PathBuf>,
    /// How non-GeoJSON files are opened.
    #[command(flatten)]
    pub open: crate::cli::OpenArgs,
    /// Comma-separated layer names to export (default: every layer).
    #[arg(long, value_delimiter = ',')]
    pub layers: Vec<String>,
    /// Only features intersecting this box: W,S,E,N degrees (default: everything).
    #[arg(long, allow_hyphen_values = true)]
    pub bbox: Option<String>,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
    /// Output format: geojson, gpkg, shp, fgb or csv (default: from the --out extension,
    /// else geojson).
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The building inventory in the zone (`--buildings FILE [--mapping M.toml]`), or the
    /// database's data (`--db URL [--scenario-name NAME]`).
    #[command(flatten)]
    pub inventory: crate::cli::InventoryArgs,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("{s:?} is not one of {}", names.join(", "))
    })
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    if args.out.exists() && !args.force {
        bail!("{} exists; use --force to replace it", args.out.display());
    }
    if args.out.is_dir() {
        bail!("{} is a directory", args.out.display());
    }
    let format = args
        .format
        .or_else(|| Format::from_path(&args.out))
        .unwrap_or(Format::GeoJson);
    if let Some(named) = Format::from_path(&args.out)
        && named != format
    {
        bail!(
            "--out {} names {} but --format is {}: use a .{} file",
            args.out.display(),
            named.label(),
            format.label(),
            format.extension()
        );
    }
    let ds = if args.inventory.is_set() {
        if !args.files.is_empty() {
            bail!(
                "--buildings and --db export the zone with your inventory; they do not go with FILE arguments"
            );
        }
        args.inventory.dataset()?
    } else {
        load_dataset(&args.files, &args.open.options(None))?
    };
    let mut chosen: Vec<usize> = Vec::new();
    if args.layers.is_empty() {
        chosen.extend(0..ds.layers.len());
    } else {
        for name in &args.layers {
            let name = name.trim();
            let i = ds
                .layers
                .iter()
                .position(|l| l.name == name)
                .with_context(|| {
                    let names: Vec<&str> = ds.layers.iter().map(|l| l.name.as_str()).collect();
                    format!("no layer {name:?} (layers: {})", names.join(", "))
                })?;
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
    }
    let selected: Vec<(usize, usize)> = match &args.bbox {
        Some(b) => {
            let (min, max) = parse_bbox(b)?;
            SpatialIndex::build(&ds)
                .intersecting_rect(&ds, min, max)
                .into_iter()
                .filter(|(l, _)| chosen.contains(l))
                .collect()
        }
        None => chosen
            .iter()
            .flat_map(|&l| (0..ds.layers[l].features.len()).map(move |f| (l, f)))
            .collect(),
    };
    let mut result = Layer::default();
    let multi = chosen.len() > 1;
    // Keep the chosen layers' order, then source order.
    for &l in &chosen {
        for &(sl, f) in selected.iter().filter(|(sl, _)| *sl == l) {
            let layer = &ds.layers[sl];
            let mut feat = layer.features[f].clone();
            if multi && !feat.foreign.contains_key("layer") {
                feat.foreign
                    .insert("layer".into(), Value::String(layer.name.clone()));
            }
            result.features.push(feat);
        }
    }
    let attributions: Vec<String> = chosen
        .iter()
        .filter_map(|&l| ds.layers[l].attribution.clone())
        .collect();
    if !attributions.is_empty() {
        result
            .foreign
            .insert("attribution".into(), Value::from(attributions.join("; ")));
    }
    if multi && format != Format::GeoJson {
        // other formats have no foreign members: the source layer becomes a field
        for f in &mut result.features {
            if let Some(Value::String(l)) = f.foreign.get("layer").cloned() {
                f.set_prop("layer", Value::String(l));
            }
        }
    }
    result.name = args
        .out
        .file_stem()
        .map_or_else(|| "export".into(), |s| s.to_string_lossy().into_owned());
    // Checked above, and again at the rename: a file that appears meanwhile is kept.
    let report = crate::core::io::export_layer(&result, &args.out, format, args.force)?;
    let names: Vec<&str> = chosen.iter().map(|&l| ds.layers[l].name.as_str()).collect();
    writeln!(
        out,
        "wrote {} feature(s) from {} to {}{}",
        report.features,
        names.join(", "),
        args.out.display(),
        if format == Format::GeoJson {
            String::new()
        } else {
            format!(" ({})", format.label())
        }
    )?;
    for w in &report.warnings {
        writeln!(out, "  note: {w}")?;
    }
    Ok(0)
}
