//! Helpers shared by tests/formats.rs and tests/formats_export.rs: the fixtures of
//! tests/fixtures/formats and the source GeoJSON they were made from (expected values come
//! from the source, parsed with serde_json, never from the reader).
#![allow(dead_code)]

use hetao_atlas::core::io::{OpenOptions, open_layers};
use hetao_atlas::core::model::Layer;
use serde_json::Value;
use std::path::{Path, PathBuf};
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/formats").join(name)
}

/// The 40 source buildings of the fixtures, in fixture order (SZ-B001..020, HK-B001..020).
pub fn source_buildings() -> Vec<Value> {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/formats/source/buildings.geojson"))
            .expect("source");
    let v: Value = serde_json::from_str(&text).expect("json");
    let wanted = |id: &str| -> bool {
        let (park, n) = id.split_at(4);
        let n: u32 = n.trim_start_matches('B').parse().unwrap_or(999);
        (park == "SZ-B" || park == "HK-B") && (1..=20).contains(&n)
    };
    let mut out: Vec<Value> = v["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["id"].as_str().is_some_and(wanted))
        .cloned()
        .collect();
    assert_eq!(out.len(), 40);
    // the fixtures' order: Shenzhen first, then by id
    out.sort_by_key(|f| {
        let id = f["id"].as_str().unwrap_or("").to_string();
        (!id.starts_with("SZ"), id)
    });
    out
}

pub fn source_vertices(f: &Value) -> Vec<(f64, f64)> {
    f["geometry"]["coordinates"][0]
        .as_array()
        .expect("ring")
        .iter()
        .map(|p| (p[0].as_f64().expect("x"), p[1].as_f64().expect("y")))
        .collect()
}

/// Every position of a GeoJSON `coordinates` value, whatever its nesting.
pub fn json_positions(v: &Value, out: &mut Vec<(f64, f64)>) {
    match v.as_array() {
        Some(a) if a.first().is_some_and(Value::is_number) => {
            out.push((
                a[0].as_f64().unwrap_or(f64::NAN),
                a[1].as_f64().unwrap_or(f64::NAN),
            ));
        }
        Some(a) => a.iter().for_each(|c| json_positions(c, out)),
        None => {}
    }
}

pub fn vertices(g: &geo::Geometry<f64>) -> Vec<(f64, f64)> {
    use geo::CoordsIter;
    g.coords_iter().map(|c| (c.x, c.y)).collect()
}

/// Metres between two lon/lat points (equirectangular: plenty for centimetres).
pub fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let dx = (a.0 - b.0) * 111_320.0 * a.1.to_radians().cos();
    let dy = (a.1 - b.1) * 110_574.0;
    (dx * dx + dy * dy).sqrt()
}

/// Every source vertex has a read vertex within `tol_m`, and vice versa (rings may start
/// elsewhere or run the other way in another format).
pub fn assert_same_shape(what: &str, got: &[(f64, f64)], want: &[(f64, f64)], tol_m: f64) {
    let near = |p: &(f64, f64), set: &[(f64, f64)]| {
        set.iter()
            .map(|q| metres(*p, *q))
            .fold(f64::INFINITY, f64::min)
    };
    for p in want {
        let d = near(p, got);
        assert!(
            d < tol_m,
            "{what}: source vertex {p:?} is {d} m from the nearest read one"
        );
    }
    for p in got {
        let d = near(p, want);
        assert!(
            d < tol_m,
            "{what}: read vertex {p:?} is {d} m from the nearest source one"
        );
    }
}

pub fn open(name: &str, opts: &OpenOptions) -> Vec<Layer> {
    open_layers(&fixture(name), opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn open_err(path: &Path, opts: &OpenOptions) -> String {
    match open_layers(path, opts) {
        Ok(l) => panic!(
            "{} opened ({} layers) but should not",
            path.display(),
            l.len()
        ),
        Err(e) => e.to_string(),
    }
}

/// The layer's features against the source buildings, matched in order; `id` is the id
/// field, if the format kept one.
pub fn assert_matches_source(name: &str, layer: &Layer, id: Option<&str>) {
    let src = source_buildings();
    assert_eq!(layer.features.len(), src.len(), "{name}: feature count");
    for (i, f) in layer.features.iter().enumerate() {
        // by id where the format kept one (FlatGeobuf reorders by its spatial index)
        let s = match id {
            Some(k) => src
                .iter()
                .find(|s| s["id"].as_str() == f.prop_str(k))
                .unwrap_or_else(|| panic!("{name}: {:?} is not a source id", f.prop_str(k))),
            None => &src[i],
        };
        let sid = s["id"].as_str().expect("id");
        let g = f
            .geometry
            .as_ref()
            .unwrap_or_else(|| panic!("{name} {sid}: no geometry"));
        assert_same_shape(
            &format!("{name} {sid}"),
            &vertices(g),
            &source_vertices(s),
            0.01,
        );
    }
    if let Some(k) = id {
        let ids: std::collections::HashSet<&str> = layer
            .features
            .iter()
            .filter_map(|f| f.prop_str(k))
            .collect();
        assert_eq!(ids.len(), src.len(), "{name}: every source building once");
    }
}

/// Copies the fixture Shapefile into a fresh folder, leaving out the sidecars named.
pub fn shapefile_copy(dir: &Path, without: &[&str]) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        if !without.contains(&ext) {
            std::fs::copy(
                fixture(&format!("buildings_gbk.{ext}")),
                dir.join(format!("b.{ext}")),
            )
            .expect("copy");
        }
    }
    dir.join("b.shp")
}

pub fn cli(args: &[&str]) -> (i32, String) {
    hetao_atlas::cli::run_args(args)
}

/// The binary to run: `HETAO_BIN` when set (a copy, safe from other builds replacing the
/// shared target's binary), else Cargo's; the rule of `tests/desktop`'s `hetao_bin`.
pub fn hetao_bin() -> PathBuf {
    std::env::var_os("HETAO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_hetao")))
}
