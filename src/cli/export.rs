//! `hetao export`: write the features of named layers that intersect a box to one GeoJSON
//! FeatureCollection, atomically. Layer names only select layers; they never become paths.

use crate::cli::info::load_dataset;
use crate::cli::query::parse_bbox;
use crate::core::index::SpatialIndex;
use crate::core::model::Layer;
use anyhow::{Context, bail};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// GeoJSON files; with none, the embedded zone dataset.
    pub files: Vec<PathBuf>,
    /// Comma-separated layer names to export (default: every layer).
    #[arg(long, value_delimiter = ',')]
    pub layers: Vec<String>,
    /// Only features intersecting this box: W,S,E,N degrees (default: everything).
    #[arg(long, allow_hyphen_values = true)]
    pub bbox: Option<String>,
    /// Output GeoJSON file.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The building inventory in the zone (`--buildings FILE [--mapping M.toml]`).
    #[command(flatten)]
    pub inventory: crate::cli::InventoryArgs,
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    if args.out.exists() && !args.force {
        bail!("{} exists; use --force to replace it", args.out.display());
    }
    if args.out.is_dir() {
        bail!("{} is a directory", args.out.display());
    }
    let ds = if args.inventory.buildings.is_some() {
        if !args.files.is_empty() {
            bail!(
                "--buildings exports the zone with your inventory; it does not go with FILE arguments"
            );
        }
        args.inventory.dataset()?
    } else {
        load_dataset(&args.files)?
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
    if args.force {
        crate::core::io::write_layer(&args.out, &result)?;
    } else {
        // Checked above, and again at the rename: a file that appears meanwhile is kept.
        let text = crate::core::io::layer_to_geojson(&result);
        crate::core::atomic::write_atomic_new_with(&args.out, |w| w.write_all(text.as_bytes()))?;
    }
    let names: Vec<&str> = chosen.iter().map(|&l| ds.layers[l].name.as_str()).collect();
    writeln!(
        out,
        "wrote {} feature(s) from {} to {}",
        result.features.len(),
        names.join(", "),
        args.out.display()
    )?;
    Ok(0)
}
