//! `hetao measure`: geodesic area, perimeter, length and centroid of every feature, the
//! planar area in the feature's own local frame beside it, optionally the grid area in a
//! projected CRS, and totals.

use crate::core::measure::{Measurement, Model, ProjectedGrid, Sphere, measure_geometry};
use crate::core::model::{Feature, Layer};
use anyhow::Context;
use geo::Geometry;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao measure`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Layer file to measure (any format `hetao info` reads; every layer of it); without
    /// one, every layer of the embedded zone dataset.
    pub file: Option<PathBuf>,
    /// Only this layer of a multi-layer file.
    #[arg(long, value_name = "NAME")]
    pub layer: Option<String>,
    /// The CRS of a file that declares none (CSV, DXF, a Shapefile without .prj); --crs
    /// here is the grid to measure in.
    #[arg(long, value_name = "EPSG:n")]
    pub source_crs: Option<String>,
    /// The text encoding of a Shapefile's .dbf (e.g. GBK), overriding its .cpg.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Print JSON: {"features":[...],"total":{...}}.
    #[arg(long)]
    pub json: bool,
    /// Measure on a sphere of this radius in metres (spherical-excess areas, haversine
    /// lengths): 6371008.8 agrees with turf, 6378137 with mapbox geojson-area.
    #[arg(long, value_name = "RADIUS_M", allow_hyphen_values = true)]
    pub sphere: Option<f64>,
    /// Also give the planar area and length in this projected CRS (e.g. EPSG:2326,
    /// Hong Kong 1980 Grid), the figure a grid-based plan shows.
    #[arg(long, value_name = "EPSG:nnnn")]
    pub crs: Option<String>,
}

/// One feature's row of the JSON output.
#[derive(Debug, Serialize)]
struct FeatureRow {
    index: usize,
    layer: String,
    id: serde_json::Value,
    geometry_type: &'static str,
    area_m2: f64,
    perimeter_m: f64,
    length_m: f64,
    centroid: Option<[f64; 2]>,
    planar_area_m2: f64,
    planar_diff_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crs_area_m2: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crs_perimeter_m: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crs_length_m: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crs_error: Option<String>,
    /// Why the feature could not be measured (coordinates off the ellipsoid).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The totals of the JSON output.
#[derive(Debug, Serialize, Default)]
struct Totals {
    area_m2: f64,
    length_m: f64,
    perimeter_m: f64,
    planar_area_m2: f64,
    features: usize,
    model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    crs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crs_area_m2: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crs_length_m: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Report {
    features: Vec<FeatureRow>,
    total: Totals,
}

fn row(
    layer: &str,
    index: usize,
    f: &Feature,
    model: Model,
    grid: Option<&ProjectedGrid>,
) -> (FeatureRow, Measurement) {
    let bad = f.geometry.as_ref().and_then(bad_coordinate);
    let m = match (&f.geometry, &bad) {
        (Some(g), None) => measure_geometry(g, model),
        _ => Measurement {
            area_m2: 0.0,
            perimeter_m: 0.0,
            length_m: 0.0,
            centroid: None,
            planar_area_m2: 0.0,
        },
    };
    let mut r = FeatureRow {
        index,
        layer: layer.to_string(),
        id: f
            .id
            .as_ref()
            .map_or(serde_json::Value::Null, |id| id.to_json()),
        geometry_type: f.geometry_type(),
        area_m2: m.area_m2,
        perimeter_m: m.perimeter_m,
        length_m: m.length_m,
        centroid: m.centroid.map(|c| [c.x, c.y]),
        planar_area_m2: m.planar_area_m2,
        planar_diff_pct: m.planar_diff_pct(),
        crs_area_m2: None,
        crs_perimeter_m: None,
        crs_length_m: None,
        crs_error: None,
        error: bad.map(|(x, y)| {
            let at = if f.pos.line > 0 {
                format!("feature at line {}, column {}", f.pos.line, f.pos.column)
            } else {
                format!("feature {index}")
            };
            format!(
                "{at}: coordinate ({x}, {y}) is not a longitude, latitude pair \
                 (latitude must be within [-90, 90]); not measured"
            )
        }),
    };
    if let (Some(grid), Some(g), None) = (grid, &f.geometry, &r.error) {
        match grid.measure(g) {
            Ok(fig) => {
                r.crs_area_m2 = Some(fig.area_m2);
                r.crs_perimeter_m = Some(fig.perimeter_m);
                r.crs_length_m = Some(fig.length_m);
            }
            Err(e) => r.crs_error = Some(format!("{e:#}")),
        }
    }
    (r, m)
}

/// The first coordinate that is not finite or has a latitude beyond ±90°.
fn bad_coordinate(g: &Geometry<f64>) -> Option<(f64, f64)> {
    use geo::CoordsIter;
    g.coords_iter()
        .find(|c| !(c.x.is_finite() && c.y.is_finite() && (-90.0..=90.0).contains(&c.y)))
        .map(|c| (c.x, c.y))
}

fn layers(args: &Args) -> anyhow::Result<Vec<Layer>> {
    match &args.file {
        Some(path) => {
            let opts = crate::core::io::OpenOptions {
                layer: args.layer.as_deref(),
                crs: args.source_crs.as_deref(),
                encoding: args.encoding.as_deref(),
                ..crate::core::io::OpenOptions::default()
            };
            crate::core::io::open_layers(path, &opts).map_err(|e| match e {
                // here --crs is the measuring grid: say which flag gives the file's CRS
                crate::core::io::LoadError::NoCrs { .. } => {
                    anyhow::anyhow!("{e} (for hetao measure: --source-crs EPSG:n)")
                }
                e => anyhow::anyhow!(e.to_string()),
            })
        }
        None => Ok(crate::core::zone::embedded_dataset()
            .context("loading the embedded zone dataset")?
            .layers),
    }
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let model = match args.sphere {
        None => Model::Wgs84,
        Some(r) if r.is_finite() && r > 0.0 => Model::Sphere(Sphere::new(r)),
        Some(r) => anyhow::bail!("--sphere needs a positive radius in metres, got {r}"),
    };
    let grid = args.crs.as_deref().map(ProjectedGrid::new).transpose()?;
    let layers = layers(args)?;

    let mut rows = Vec::new();
    let mut total = Totals {
        model: match model {
            Model::Wgs84 => "WGS84 ellipsoid, geodesic (GeographicLib)".to_string(),
            Model::Sphere(s) => {
                format!("sphere R = {} m, spherical excess / haversine", s.radius_m)
            }
        },
        crs: grid.as_ref().map(|g| g.name.clone()),
        crs_area_m2: grid.as_ref().map(|_| 0.0),
        crs_length_m: grid.as_ref().map(|_| 0.0),
        ..Totals::default()
    };
    for layer in &layers {
        for (i, f) in layer.features.iter().enumerate() {
            let (r, m) = row(&layer.name, i, f, model, grid.as_ref());
            total.area_m2 += m.area_m2;
            total.length_m += m.length_m;
            total.perimeter_m += m.perimeter_m;
            total.planar_area_m2 += m.planar_area_m2;
            total.features += 1;
            if let (Some(ta), Some(a)) = (total.crs_area_m2.as_mut(), r.crs_area_m2) {
                *ta += a;
            }
            if let (Some(tl), Some(l)) = (total.crs_length_m.as_mut(), r.crs_length_m) {
                *tl += l;
            }
            rows.push(r);
        }
    }

    let report = Report {
        features: rows,
        total,
    };
    if args.json {
        serde_json::to_writer(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        write_text(&report, out)?;
    }
    Ok(0)
}

fn opt(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.prec$}"))
}

fn write_text(r: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let has_crs = r.total.crs.is_some();
    writeln!(out, "model: {}", r.total.model)?;
    write!(
        out,
        "{:<20} {:>4} {:<18} {:<16} {:>16} {:>12} {:>12} {:>25} {:>16} {:>10}",
        "layer",
        "#",
        "id",
        "type",
        "area_m2",
        "perimeter_m",
        "length_m",
        "centroid(lon,lat)",
        "planar_area_m2",
        "diff_%"
    )?;
    if let Some(c) = &r.total.crs {
        write!(
            out,
            " {:>16} {:>12} {:>12}",
            format!("{c}_area_m2"),
            "crs_perim_m",
            "crs_length_m"
        )?;
    }
    writeln!(out)?;
    for f in &r.features {
        let id = match &f.id {
            serde_json::Value::Null => "-".to_string(),
            serde_json::Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let centroid = f
            .centroid
            .map_or_else(|| "-".to_string(), |c| format!("{:.7},{:.7}", c[0], c[1]));
        write!(
            out,
            "{:<20} {:>4} {:<18} {:<16} {:>16.1} {:>12.2} {:>12.2} {:>25} {:>16.1} {:>10}",
            f.layer,
            f.index,
            id,
            f.geometry_type,
            f.area_m2,
            f.perimeter_m,
            f.length_m,
            centroid,
            f.planar_area_m2,
            f.planar_diff_pct
                .map_or_else(|| "-".to_string(), |d| format!("{d:.2e}"))
        )?;
        if let Some(e) = &f.error {
            write!(out, " error: {e}")?;
        } else if has_crs {
            match &f.crs_error {
                Some(e) => write!(out, " error: {e}")?,
                None => write!(
                    out,
                    " {:>16} {:>12} {:>12}",
                    opt(f.crs_area_m2, 1),
                    opt(f.crs_perimeter_m, 2),
                    opt(f.crs_length_m, 2)
                )?,
            }
        }
        writeln!(out)?;
    }
    let t = &r.total;
    write!(
        out,
        "total: {} features, area {:.1} m2 ({:.6} km2), perimeter {:.2} m, length {:.2} m, planar area {:.1} m2",
        t.features,
        t.area_m2,
        t.area_m2 / 1e6,
        t.perimeter_m,
        t.length_m,
        t.planar_area_m2
    )?;
    if let (Some(c), Some(a)) = (&t.crs, t.crs_area_m2) {
        write!(out, ", {c} area {a:.1} m2")?;
    }
    writeln!(out)?;
    Ok(())
}
