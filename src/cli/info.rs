//! `hetao info`: summarise layer files in any format `core::io::open_layers` reads (or the
//! embedded zone dataset): per layer the
//! feature counts by geometry type, bbox, property names and types, 3-D, foreign members,
//! source CRS and total geodesic area.

use crate::core::measure::geodesic_area_m2;
use crate::core::model::{Dataset, Layer};
use anyhow::Context;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Layer files (GeoJSON, Shapefile, GeoPackage, FlatGeobuf, KML, GPX, DXF, CSV, XLSX,
    /// ODS); with none, the embedded zone dataset.
    pub files: Vec<PathBuf>,
    /// Only this layer of a multi-layer file (a GeoPackage's table, a sheet).
    #[arg(long, value_name = "NAME")]
    pub layer: Option<String>,
    /// How non-GeoJSON files are opened.
    #[command(flatten)]
    pub open: crate::cli::OpenArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Load the layers of the named files (every layer of each, through
/// [`crate::core::io::open_layers`]), or the embedded zone dataset when none.
pub fn load_dataset(
    files: &[PathBuf],
    opts: &crate::core::io::OpenOptions,
) -> anyhow::Result<Dataset> {
    if files.is_empty() {
        return crate::core::zone::embedded_dataset().context("loading the embedded zone dataset");
    }
    let mut ds = Dataset::default();
    for f in files {
        // The message already names the cause: flatten it so it is not printed twice.
        ds.layers.extend(
            crate::core::io::open_layers(f, opts).map_err(|e| anyhow::anyhow!(e.to_string()))?,
        );
    }
    Ok(ds)
}

/// The JSON type name of a value.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The summary of one layer, as JSON.
pub fn layer_summary(l: &Layer) -> Value {
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    let mut props: Vec<(String, Vec<&'static str>)> = Vec::new();
    let mut bbox: Option<[f64; 4]> = None;
    let mut area = 0.0;
    let mut has_z = false;
    for f in &l.features {
        *types.entry(f.geometry_type()).or_default() += 1;
        has_z |= f.z.is_some();
        if let Some(g) = &f.geometry {
            area += geodesic_area_m2(g);
            if let Some(b) = crate::core::measure::bbox_of(g) {
                bbox = Some(crate::core::measure::bbox_union(bbox, b));
            }
        }
        for (k, v) in f.props() {
            let t = type_name(&v.to_value());
            match props.iter_mut().find(|(n, _)| n == k) {
                Some((_, ts)) if !ts.contains(&t) => ts.push(t),
                Some(_) => {}
                None => props.push((k.to_string(), vec![t])),
            }
        }
    }
    json!({
        "name": l.name,
        "source": l.source.as_ref().map(|p| p.display().to_string()),
        "features": l.features.len(),
        "geometry_types": types,
        "bbox": bbox,
        "declared_bbox": l.bbox,
        "has_z": has_z,
        "source_crs": l.source_crs.clone().unwrap_or_else(|| "EPSG:4326".into()),
        "foreign_members": l.foreign.keys().collect::<Vec<_>>(),
        "properties": props.iter().map(|(n, t)| json!({"name": n, "types": t})).collect::<Vec<_>>(),
        "geodesic_area_m2": area,
        "attribution": l.attribution,
        "illustrative": l.illustrative,
    })
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let ds = load_dataset(&args.files, &args.open.options(args.layer.as_deref()))?;
    let layers: Vec<Value> = ds.layers.iter().map(layer_summary).collect();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json!({ "layers": layers }))?
        )?;
        return Ok(0);
    }
    if layers.is_empty() {
        writeln!(out, "no layers")?;
    }
    for s in &layers {
        let src = s["source"].as_str().unwrap_or("embedded");
        writeln!(out, "layer {} ({src})", s["name"].as_str().unwrap_or(""))?;
        let types: Vec<String> = s["geometry_types"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| format!("{k} {v}")).collect())
            .unwrap_or_default();
        writeln!(out, "  features: {} ({})", s["features"], types.join(", "))?;
        let bbox = match s["bbox"].as_array() {
            Some(b) => b
                .iter()
                .map(|v| format!("{:.6}", v.as_f64().unwrap_or(f64::NAN)))
                .collect::<Vec<_>>()
                .join(","),
            None => "none".into(),
        };
        writeln!(out, "  bbox (W,S,E,N): {bbox}")?;
        if let Some(d) = s["declared_bbox"].as_array() {
            writeln!(out, "  declared bbox: {}", Value::Array(d.clone()))?;
        }
        writeln!(
            out,
            "  3-D: {}",
            if s["has_z"].as_bool() == Some(true) {
                "yes"
            } else {
                "no"
            }
        )?;
        writeln!(
            out,
            "  source crs: {}",
            s["source_crs"].as_str().unwrap_or("")
        )?;
        let foreign: Vec<&str> = s["foreign_members"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !foreign.is_empty() {
            writeln!(out, "  foreign members: {}", foreign.join(", "))?;
        }
        writeln!(out, "  properties:")?;
        for p in s["properties"].as_array().into_iter().flatten() {
            let ts: Vec<&str> = p["types"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            writeln!(
                out,
                "    {}: {}",
                p["name"].as_str().unwrap_or(""),
                ts.join("|")
            )?;
        }
        let a = s["geodesic_area_m2"].as_f64().unwrap_or(0.0);
        writeln!(out, "  geodesic area: {a:.1} m² ({:.4} km²)", a / 1e6)?;
        if let Some(at) = s["attribution"].as_str() {
            writeln!(out, "  attribution: {at}")?;
        }
    }
    Ok(0)
}
