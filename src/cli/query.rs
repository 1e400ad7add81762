//! `hetao query`: find features with the R-tree — in a box, at a point (with a tolerance in
//! metres), or the k nearest to a point. Buildings are listed with their research-space
//! units (features of layer `research_units` whose `building_id` equals the building's id).

use crate::cli::info::load_dataset;
use crate::core::index::{Hit, SpatialIndex};
use crate::core::lonlat;
use crate::core::model::{Dataset, Feature};
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao query`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Layer files in any format `hetao info` reads; with none, the embedded zone dataset.
    pub files: Vec<PathBuf>,
    /// How non-GeoJSON files are opened.
    #[command(flatten)]
    pub open: crate::cli::OpenArgs,
    /// Features intersecting this box: W,S,E,N in degrees.
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true, conflicts_with_all = ["point", "nearest"])]
    pub bbox: Option<String>,
    /// Features at this point (LON,LAT degrees): polygons containing it, anything within
    /// --radius-m.
    #[arg(long, allow_hyphen_values = true)]
    pub point: Option<String>,
    /// Tolerance around --point, metres.
    #[arg(long, default_value_t = 0.0)]
    pub radius_m: f64,
    /// The K features nearest to --point (distance to the geometry, metres).
    #[arg(long, requires = "point")]
    pub nearest: Option<usize>,
    /// Only features of this layer.
    #[arg(long)]
    pub layer: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Query the zone with this inventory or database instead (`--buildings FILE
    /// [--mapping M.toml]`, `--db URL [--scenario-name NAME]`).
    #[command(flatten)]
    pub inventory: crate::cli::InventoryArgs,
}

/// Parse W,S,E,N (the core's one rule, [`crate::core::lonlat::parse_bbox`]) as the index's
/// (min, max) corners.
pub fn parse_bbox(s: &str) -> anyhow::Result<([f64; 2], [f64; 2])> {
    let b = lonlat::parse_bbox(s).context("--bbox")?;
    Ok(([b[0], b[1]], [b[2], b[3]]))
}

fn parse_point(s: &str) -> anyhow::Result<(f64, f64)> {
    let c = lonlat::parse_lonlat(s).context("--point")?;
    Ok((c.x, c.y))
}

/// Hits as (layer, feature, distance) rows.
fn with_distance(hits: Vec<Hit>) -> Vec<(usize, usize, Option<f64>)> {
    hits.into_iter()
        .map(|h| (h.layer, h.feature, Some(h.distance_m)))
        .collect()
}

fn id_string(f: &Feature) -> Option<String> {
    f.id.as_ref().map(ToString::to_string)
}

fn name_of(f: &Feature) -> Option<String> {
    ["name", "name_en", "NAME", "Name", "title", "名称"]
        .iter()
        .find_map(|k| f.prop(k))
        .map(|v| match v.as_str() {
            Some(s) => s.to_string(),
            None => v.to_string(),
        })
}

/// The research-space units of a building: features of layer `research_units` whose
/// `building_id` property (string or number) equals the building's `id` (the Feature `id`
/// member, or else an `id` property).
pub fn units_of<'a>(ds: &'a Dataset, building: &Feature) -> Vec<(usize, &'a Feature)> {
    let id = id_string(building).or_else(|| match building.prop("id").map(|v| v.to_value()) {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    });
    let Some(id) = id else {
        return Vec::new();
    };
    let Some(units) = ds.layer("research_units") else {
        return Vec::new();
    };
    units
        .features
        .iter()
        .enumerate()
        .filter(|(_, u)| match u.prop("building_id").map(|v| v.to_value()) {
            Some(Value::String(s)) => s == id,
            Some(Value::Number(n)) => n.to_string() == id,
            _ => false,
        })
        .collect()
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let ds = if args.inventory.is_set() {
        if !args.files.is_empty() {
            bail!("--buildings and --db query the zone's data; they do not go with FILE arguments");
        }
        args.inventory.dataset()?
    } else {
        load_dataset(&args.files, &args.open.options(None))?
    };
    let layer_filter = match &args.layer {
        Some(name) => Some(
            ds.layers
                .iter()
                .position(|l| &l.name == name)
                .with_context(|| {
                    let names: Vec<&str> = ds.layers.iter().map(|l| l.name.as_str()).collect();
                    format!("no layer {name:?} (layers: {})", names.join(", "))
                })?,
        ),
        None => None,
    };
    let keep = |l: usize| layer_filter.is_none_or(|k| k == l);
    let index = SpatialIndex::build(&ds);
    let (hits, query): (Vec<(usize, usize, Option<f64>)>, Value) =
        match (&args.bbox, &args.point, args.nearest) {
            (Some(b), _, _) => {
                let (min, max) = parse_bbox(b)?;
                let h = index
                    .intersecting_rect(&ds, min, max)
                    .into_iter()
                    .filter(|&(l, _)| keep(l))
                    .map(|(l, f)| (l, f, None))
                    .collect();
                (h, json!({"bbox": [min[0], min[1], max[0], max[1]]}))
            }
            (None, Some(p), Some(k)) => {
                let (lon, lat) = parse_point(p)?;
                let h = with_distance(index.nearest_where(&ds, lon, lat, k, keep));
                (h, json!({"point": [lon, lat], "nearest": k}))
            }
            (None, Some(p), None) => {
                let (lon, lat) = parse_point(p)?;
                if !(args.radius_m >= 0.0 && args.radius_m.is_finite()) {
                    bail!("--radius-m must be a finite number >= 0");
                }
                let mut hits = index.at_point(&ds, lon, lat, args.radius_m);
                hits.retain(|h| keep(h.layer));
                let h = with_distance(hits);
                (h, json!({"point": [lon, lat], "radius_m": args.radius_m}))
            }
            (None, None, _) => {
                bail!("give --bbox W,S,E,N, or --point LON,LAT (with --radius-m M or --nearest K)")
            }
        };
    let mut results = Vec::new();
    for (l, fi, d) in hits {
        let layer = &ds.layers[l];
        let f = &layer.features[fi];
        let mut r = json!({
            "layer": layer.name,
            "index": fi,
            "id": f.id.as_ref().map(|i| i.to_json()),
            "name": name_of(f),
            "geometry_type": f.geometry_type(),
            "distance_m": d,
        });
        if layer.name == "buildings" {
            let units: Vec<Value> = units_of(&ds, f)
                .into_iter()
                .map(|(ui, u)| {
                    json!({
                        "layer": "research_units",
                        "index": ui,
                        "id": u.id.as_ref().map(|i| i.to_json()),
                        "name": name_of(u),
                    })
                })
                .collect();
            r["units"] = Value::Array(units);
        }
        results.push(r);
    }
    if args.json {
        let doc = json!({"query": query, "count": results.len(), "results": results});
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(0);
    }
    writeln!(out, "{} feature(s)", results.len())?;
    for r in &results {
        let s = |k: &str| match &r[k] {
            Value::Null => "-".to_string(),
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let dist = r["distance_m"]
            .as_f64()
            .map(|d| format!("  {d:.1} m"))
            .unwrap_or_default();
        writeln!(
            out,
            "{}#{}  id={}  {}  {}{dist}",
            s("layer"),
            s("index"),
            s("id"),
            s("geometry_type"),
            s("name"),
        )?;
        for u in r["units"].as_array().into_iter().flatten() {
            writeln!(
                out,
                "    unit research_units#{}  id={}  {}",
                u["index"],
                match &u["id"] {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                },
                u["name"].as_str().unwrap_or("-")
            )?;
        }
    }
    Ok(0)
}
