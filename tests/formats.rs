//! The formats read through GDAL (issue 13): every fixture of tests/fixtures/formats (made by
//! scripts/make-format-fixtures.sh with ogr2ogr from data/zone) reads to the features of the
//! source GeoJSON — same count, same coordinates within a centimetre, same attribute values
//! and types — and every bad input gives a message naming the file, layer, feature and field.
//! Expected values come from data/zone/*.geojson parsed with serde_json, never from the reader.

use hetao_atlas::core::io::{LoadError, LoadOptions, OpenOptions, open_layers};
use hetao_atlas::core::model::Layer;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/formats").join(name)
}

/// The 40 source buildings of the fixtures, in fixture order (SZ-B001..020, HK-B001..020).
fn source_buildings() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("data/zone/buildings.geojson")).expect("source");
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

fn source_vertices(f: &Value) -> Vec<(f64, f64)> {
    f["geometry"]["coordinates"][0]
        .as_array()
        .expect("ring")
        .iter()
        .map(|p| (p[0].as_f64().expect("x"), p[1].as_f64().expect("y")))
        .collect()
}

/// Every position of a GeoJSON `coordinates` value, whatever its nesting.
fn json_positions(v: &Value, out: &mut Vec<(f64, f64)>) {
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

fn vertices(g: &geo::Geometry<f64>) -> Vec<(f64, f64)> {
    use geo::CoordsIter;
    g.coords_iter().map(|c| (c.x, c.y)).collect()
}

/// Metres between two lon/lat points (equirectangular: plenty for centimetres).
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let dx = (a.0 - b.0) * 111_320.0 * a.1.to_radians().cos();
    let dy = (a.1 - b.1) * 110_574.0;
    (dx * dx + dy * dy).sqrt()
}

/// Every source vertex has a read vertex within `tol_m`, and vice versa (rings may start
/// elsewhere or run the other way in another format).
fn assert_same_shape(what: &str, got: &[(f64, f64)], want: &[(f64, f64)], tol_m: f64) {
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

fn open(name: &str, opts: &OpenOptions) -> Vec<Layer> {
    open_layers(&fixture(name), opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn open_err(path: &Path, opts: &OpenOptions) -> String {
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
fn assert_matches_source(name: &str, layer: &Layer, id: Option<&str>) {
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

#[test]
fn gbk_shapefile_in_epsg_4547_reads_chinese_fields_and_lon_lat() {
    let layers = open("buildings_gbk.shp", &OpenOptions::default());
    assert_eq!(layers.len(), 1);
    let l = &layers[0];
    assert_eq!(l.name, "buildings_gbk");
    assert_eq!(l.source_crs.as_deref(), Some("EPSG:4547"));
    assert_matches_source("shp", l, Some("编号"));
    let src = source_buildings();
    for (f, s) in l.features.iter().zip(&src) {
        let p = &s["properties"];
        let park = if p["park"] == "SZ" {
            "深圳园区"
        } else {
            "香港园区"
        };
        assert_eq!(f.prop_str("园区"), Some(park));
        assert_eq!(f.prop_str("名称"), p["name"].as_str());
        // types: 建筑面积 a real number, 层数 an integer
        let gfa = f.prop("建筑面积").expect("建筑面积");
        assert!(gfa.is_number() && gfa.as_i64().is_none(), "{gfa:?}");
        assert_eq!(gfa.as_f64(), p["gfa_m2"].as_f64());
        assert_eq!(
            f.prop("层数").and_then(|v| v.as_i64()),
            p["floors"].as_i64()
        );
    }
    let statuses: Vec<&str> = l
        .features
        .iter()
        .filter_map(|f| f.prop_str("状态"))
        .collect();
    assert!(
        statuses.contains(&"已建成") && statuses.contains(&"规划"),
        "{statuses:?}"
    );
}

/// Copies the fixture Shapefile into a fresh folder, leaving out the sidecars named.
fn shapefile_copy(dir: &Path, without: &[&str]) -> PathBuf {
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

#[test]
fn a_gbk_dbf_without_cpg_is_refused_until_the_encoding_is_given() {
    let dir = tempfile::tempdir().expect("tmp");
    let shp = shapefile_copy(dir.path(), &["cpg"]);
    let e = open_err(&shp, &OpenOptions::default());
    assert!(
        e.contains("b.shp") && e.contains("layer b") && e.contains("--encoding"),
        "{e}"
    );
    assert!(
        e.contains("field #") || e.contains("field 名称") || e.contains("field"),
        "{e}"
    );
    let opts = OpenOptions {
        encoding: Some("GBK"),
        ..OpenOptions::default()
    };
    let l = open_layers(&shp, &opts).expect("reads with --encoding GBK");
    assert_eq!(l[0].features[0].prop_str("园区"), Some("深圳园区"));
}

#[test]
fn a_wrong_cpg_names_the_cpg() {
    let dir = tempfile::tempdir().expect("tmp");
    let shp = shapefile_copy(dir.path(), &[]);
    std::fs::write(dir.path().join("b.cpg"), "UTF-8").expect("cpg");
    let e = open_err(&shp, &OpenOptions::default());
    assert!(
        e.contains("b.cpg") && e.contains("UTF-8") && e.contains("--encoding"),
        "{e}"
    );
}

#[test]
fn missing_shapefile_sidecars_are_named() {
    for (ext, says) in [("dbf", "attribute table"), ("shx", "shape index")] {
        let dir = tempfile::tempdir().expect("tmp");
        let shp = shapefile_copy(dir.path(), &[ext]);
        let e = open_err(&shp, &OpenOptions::default());
        assert!(
            e.contains(&format!("b.{ext} is missing")) && e.contains(says),
            "{e}"
        );
    }
    let dir = tempfile::tempdir().expect("tmp");
    let shp = shapefile_copy(dir.path(), &["prj"]);
    let e = open_err(&shp, &OpenOptions::default());
    assert!(
        e.contains("layer b has no coordinate reference system")
            && e.contains("b.prj")
            && e.contains("pass --crs EPSG:n"),
        "{e}"
    );
    let opts = OpenOptions {
        crs: Some("EPSG:4547"),
        ..OpenOptions::default()
    };
    let l = open_layers(&shp, &opts).expect("reads with --crs");
    assert_matches_source("shp without prj", &l[0], Some("编号"));
}

#[test]
fn geopackage_in_hk1980_grid_gives_every_layer_or_the_one_asked_for() {
    let layers = open("zone_2326.gpkg", &OpenOptions::default());
    let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["buildings", "loop"]);
    assert_eq!(layers[0].source_crs.as_deref(), Some("EPSG:2326"));
    assert_matches_source("gpkg", &layers[0], Some("id"));
    // the Loop outline against its source
    let text = std::fs::read_to_string(root().join("data/zone/lok_ma_chau_loop_osm.geojson"))
        .expect("loop");
    let v: Value = serde_json::from_str(&text).expect("json");
    let src = &v["features"][0];
    let mut want = Vec::new();
    json_positions(&src["geometry"]["coordinates"], &mut want);
    assert!(want.len() > 10);
    let got = vertices(
        layers[1].features[0]
            .geometry
            .as_ref()
            .expect("loop geometry"),
    );
    assert_same_shape("loop", &got, &want, 0.01);
    let opts = OpenOptions {
        layer: Some("loop"),
        ..OpenOptions::default()
    };
    let one = open("zone_2326.gpkg", &opts);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].name, "loop");
    let opts = OpenOptions {
        layer: Some("roads"),
        ..OpenOptions::default()
    };
    let e = open_err(&fixture("zone_2326.gpkg"), &opts);
    assert!(e.contains("roads") && e.contains("buildings, loop"), "{e}");
}

#[test]
fn flatgeobuf_in_latitude_first_cgcs2000_reads_as_lon_lat() {
    let layers = open("buildings_4490.fgb", &OpenOptions::default());
    assert_eq!(layers[0].source_crs.as_deref(), Some("EPSG:4490"));
    assert_matches_source("fgb", &layers[0], Some("id"));
    for f in &layers[0].features {
        let s = source_buildings()
            .into_iter()
            .find(|s| s["id"].as_str() == f.prop_str("id"))
            .expect("source");
        assert_eq!(
            f.prop("floors").and_then(|v| v.as_i64()),
            s["properties"]["floors"].as_i64()
        );
    }
}

#[test]
fn kml_reads() {
    let layers = open("buildings.kml", &OpenOptions::default());
    let l = layers
        .iter()
        .find(|l| !l.features.is_empty())
        .expect("a layer");
    assert_matches_source("kml", l, None);
}

#[test]
fn dxf_needs_a_crs_and_reads_with_one() {
    let e = open_err(&fixture("buildings_4547.dxf"), &OpenOptions::default());
    assert!(
        e.contains("buildings_4547.dxf")
            && e.contains("layer entities has no coordinate reference system; pass --crs EPSG:n"),
        "{e}"
    );
    let opts = OpenOptions {
        crs: Some("EPSG:4547"),
        ..OpenOptions::default()
    };
    let l = open("buildings_4547.dxf", &opts);
    assert_matches_source("dxf", &l[0], None);
}

#[test]
fn csv_with_wkt_or_xy_columns() {
    let e = open_err(&fixture("buildings_wkt.csv"), &OpenOptions::default());
    assert!(e.contains("pass --crs EPSG:n"), "{e}");
    let opts = OpenOptions {
        crs: Some("EPSG:4326"),
        ..OpenOptions::default()
    };
    let l = open("buildings_wkt.csv", &opts);
    assert_matches_source("csv", &l[0], Some("id"));
    // types detected: gfa_m2 real, floors integer; rows numbered with the header as row 1
    let f = &l[0].features[0];
    assert!(f.prop("floors").and_then(|v| v.as_i64()).is_some());
    assert_eq!(f.pos.line, 2);
    assert!(
        f.prop("WKT").is_none(),
        "the geometry column is not a field"
    );

    let units = open("units_xy.csv", &opts);
    let text =
        std::fs::read_to_string(root().join("data/zone/research_units.geojson")).expect("units");
    let v: Value = serde_json::from_str(&text).expect("json");
    let mut src: Vec<&Value> = v["features"].as_array().expect("features").iter().collect();
    src.sort_by_key(|f| f["properties"]["id"].as_str().unwrap_or("").to_string());
    assert_eq!(units[0].features.len(), 10);
    for (f, s) in units[0].features.iter().zip(&src) {
        assert_eq!(f.prop_str("id"), s["properties"]["id"].as_str());
        let c = &s["geometry"]["coordinates"];
        let want = (c[0].as_f64().expect("x"), c[1].as_f64().expect("y"));
        match f.geometry {
            Some(geo::Geometry::Point(p)) => assert!(metres((p.x(), p.y()), want) < 0.01),
            ref g => panic!("{g:?}"),
        }
    }
}

#[test]
fn xlsx_ledger_rows_have_no_geometry_and_typed_cells() {
    let l = open("ledger.xlsx", &OpenOptions::default());
    assert_eq!(l.len(), 1);
    let src = source_buildings();
    let want: Vec<(String, i64)> = src
        .iter()
        .flat_map(|b| {
            let id = b["id"].as_str().unwrap_or("").to_string();
            b["properties"]["history"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |h| (id.clone(), h["year"].as_i64().unwrap_or(0)))
        })
        .collect();
    let got: Vec<(String, i64)> = l[0]
        .features
        .iter()
        .map(|f| {
            assert!(f.geometry.is_none());
            (
                f.prop_str("编号").unwrap_or("").to_string(),
                f.prop("年份").and_then(|v| v.as_i64()).unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(l[0].features[0].pos.line, 2, "the first data row is row 2");
    assert_eq!(l[0].features[0].prop_str("状态"), Some("现状"));
}

#[test]
fn a_file_larger_than_the_budget_is_refused_up_front() {
    let opts = OpenOptions {
        load: LoadOptions {
            max_bytes: Some(10_000),
            ..LoadOptions::default()
        },
        ..OpenOptions::default()
    };
    match open_layers(&fixture("buildings_gbk.shp"), &opts) {
        Err(LoadError::TooLarge { file, size, .. }) => {
            assert!(file.ends_with("buildings_gbk.shp"));
            // the .shp, .shx, .dbf, .prj and .cpg together
            let parts: u64 = ["shp", "shx", "dbf", "prj", "cpg"]
                .iter()
                .map(|e| {
                    std::fs::metadata(fixture(&format!("buildings_gbk.{e}")))
                        .expect("m")
                        .len()
                })
                .sum();
            assert_eq!(size, parts);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unreadable_file_names_itself_with_gdals_words() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("broken.gpkg");
    std::fs::write(&p, b"this is not a geopackage").expect("write");
    let e = open_err(&p, &OpenOptions::default());
    assert!(e.contains("broken.gpkg") && e.contains("GDAL"), "{e}");
    let missing = dir.path().join("none.fgb");
    let e = open_err(&missing, &OpenOptions::default());
    assert!(e.contains("none.fgb") && e.contains("cannot read"), "{e}");
}

fn cli(args: &[&str]) -> (i32, String) {
    hetao_atlas::cli::run_args(args)
}

#[test]
fn check_info_measure_query_take_every_format() {
    let f = |n: &str| fixture(n).display().to_string();
    let (code, out) = cli(&["check", &f("buildings_gbk.shp"), &f("ledger.xlsx")]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = cli(&["check", &f("buildings_4547.dxf")]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("layer entities has no coordinate reference system; pass --crs EPSG:n"),
        "{out}"
    );
    let (code, out) = cli(&["check", "--crs", "EPSG:4547", &f("buildings_4547.dxf")]);
    assert_eq!(code, 0, "{out}");
    // the Loop layer holds the outline polygon and three lines: a Shapefile could not
    let (code, out) = cli(&["check", "--layer", "loop", &f("zone_2326.gpkg")]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("layer loop: mixes geometry types (1 polygon, 3 line)"),
        "{out}"
    );
    let dir = tempfile::tempdir().expect("tmp");
    let shp = shapefile_copy(dir.path(), &["dbf"]);
    let (code, out) = cli(&["check", &shp.display().to_string()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("b.dbf is missing"), "{out}");

    let (code, out) = cli(&[
        "info",
        "--json",
        "--layer",
        "buildings",
        &f("zone_2326.gpkg"),
    ]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["layers"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["layers"][0]["features"], 40);
    assert_eq!(v["layers"][0]["source_crs"], "EPSG:2326");

    // SZ-B001's footprint holds this point (inside its L, away from the notch)
    let (code, out) = cli(&[
        "query",
        "--json",
        &f("buildings_gbk.shp"),
        "--point",
        "114.0495,22.5035",
    ]);
    assert_eq!(code, 0, "{out}");
    // named by its 名称 (SZ-B001's name in the source)
    assert!(
        out.contains("Futian FTZ dry_lab_office building 001"),
        "{out}"
    );

    let (code, out) = cli(&["measure", "--json", &f("buildings_4547.dxf")]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("--source-crs EPSG:n"), "{out}");
    let (code, out) = cli(&[
        "measure",
        "--json",
        "--source-crs",
        "EPSG:4547",
        &f("buildings_4547.dxf"),
    ]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["total"]["features"], 40);
}

/// What `ogrinfo -al -so` (GDAL's own tool, run for real) says about a file.
struct OgrInfo {
    count: usize,
    extent: [f64; 4],
    fields: Vec<(String, String)>,
    text: String,
}

fn ogrinfo(path: &Path) -> OgrInfo {
    let out = std::process::Command::new("ogrinfo")
        .args(["-al", "-so"])
        .arg(path)
        .output()
        .expect("ogrinfo runs (gdal-bin, scripts/setup-system.sh)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "ogrinfo {}: {text}", path.display());
    let count = text
        .lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count in {text}"));
    let extent: Vec<f64> = text
        .lines()
        .find_map(|l| l.strip_prefix("Extent: "))
        .map(|e| {
            e.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                .filter(|s| !s.is_empty() && *s != "-")
                .filter_map(|s| s.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(extent.len(), 4, "{text}");
    let types = ["String", "Integer", "Integer64", "Real", "Date", "DateTime"];
    let fields = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| {
            let (name, rest) = l.rsplit_once(": ")?;
            let ty = rest.split(' ').next()?;
            types
                .contains(&ty)
                .then(|| (name.to_string(), ty.to_string()))
        })
        .collect();
    OgrInfo {
        count,
        extent: [extent[0], extent[1], extent[2], extent[3]],
        fields,
        text,
    }
}

/// The OGR type a property's JSON values call for: all integers Integer, all numbers Real,
/// booleans Integer (0/1), anything else (or only nulls) String.
fn expected_type(values: &[&Value]) -> &'static str {
    let present: Vec<&&Value> = values.iter().filter(|v| !v.is_null()).collect();
    if present.is_empty() {
        return "String";
    }
    if present
        .iter()
        .all(|v| v.is_boolean() || v.as_i64().is_some_and(|i| i32::try_from(i).is_ok()))
    {
        return "Integer";
    }
    if present.iter().all(|v| v.is_number() || v.is_boolean()) {
        return "Real";
    }
    "String"
}

#[test]
fn every_export_format_reads_back_in_ogrinfo_with_the_same_count_extent_types_and_crs() {
    let src_path = root().join("data/zone/buildings.geojson");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&src_path).expect("source")).expect("json");
    let feats = v["features"].as_array().expect("features");
    let mut pos = Vec::new();
    for f in feats {
        json_positions(&f["geometry"]["coordinates"], &mut pos);
    }
    let min = |k: fn(&(f64, f64)) -> f64| pos.iter().map(k).fold(f64::INFINITY, f64::min);
    let max = |k: fn(&(f64, f64)) -> f64| pos.iter().map(k).fold(f64::NEG_INFINITY, f64::max);
    let extent = [min(|p| p.0), min(|p| p.1), max(|p| p.0), max(|p| p.1)];
    let mut keys: Vec<String> = Vec::new();
    for f in feats {
        for k in f["properties"].as_object().expect("props").keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let want_types: Vec<(String, &str)> = keys
        .iter()
        .map(|k| {
            let vals: Vec<&Value> = feats.iter().map(|f| &f["properties"][k]).collect();
            (k.clone(), expected_type(&vals))
        })
        .collect();
    let dir = tempfile::tempdir().expect("tmp");
    for fmt in ["geojson", "gpkg", "shp", "fgb", "csv"] {
        let out = dir.path().join(format!("b_{fmt}.{fmt}"));
        let (code, said) = cli(&[
            "export",
            &src_path.display().to_string(),
            "--format",
            fmt,
            "--out",
            &out.display().to_string(),
        ]);
        assert_eq!(code, 0, "{fmt}: {said}");
        let info = ogrinfo(&out);
        assert_eq!(info.count, feats.len(), "{fmt}");
        for (a, b) in info.extent.iter().zip(extent) {
            assert!(
                (a - b).abs() < 1e-6,
                "{fmt}: extent {:?} vs {extent:?}",
                info.extent
            );
        }
        if fmt != "geojson" {
            // GeoJSON is RFC 7946 (always WGS84, no CRS member); the others declare it
            assert!(
                info.text.contains("GEOGCRS[\"WGS 84\"")
                    && info.text.contains("ID[\"EPSG\",4326]]"),
                "{fmt}: {}",
                info.text
            );
            for (k, ty) in &want_types {
                let name = if fmt == "shp" {
                    &k[..k.len().min(10)]
                } else {
                    k.as_str()
                };
                let got = info.fields.iter().find(|(n, _)| n == name);
                assert_eq!(got.map(|(_, t)| t.as_str()), Some(*ty), "{fmt}: field {k}");
            }
        }
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b_shp.cpg")).expect("cpg"),
        "UTF-8"
    );
    // nothing but the outputs is left: no temporary folder
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let want = [
        "b_csv.csv",
        "b_csv.csvt",
        "b_csv.prj",
        "b_fgb.fgb",
        "b_geojson.geojson",
        "b_gpkg.gpkg",
        "b_shp.cpg",
        "b_shp.dbf",
        "b_shp.prj",
        "b_shp.shp",
        "b_shp.shx",
    ];
    assert_eq!(names, want);
}

#[test]
fn a_chinese_shapefile_exports_to_a_utf8_shapefile_with_whole_characters() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("c.shp");
    let (code, said) = cli(&[
        "export",
        &fixture("buildings_gbk.shp").display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(code, 0, "{said}");
    // 建筑面积 is 12 bytes in UTF-8: cut to 建筑面 (9), never mid-character
    assert!(
        said.contains("\"建筑面积\" is written as \"建筑面\""),
        "{said}"
    );
    let l = open_layers(&out, &OpenOptions::default()).expect("reads back");
    let src = source_buildings();
    assert_eq!(l[0].features.len(), src.len());
    let f = &l[0].features[0];
    assert_eq!(f.prop_str("园区"), Some("深圳园区"));
    assert_eq!(
        f.prop("建筑面").and_then(|v| v.as_f64()),
        src[0]["properties"]["gfa_m2"].as_f64()
    );
}

#[test]
fn export_never_clobbers_and_a_shapefile_refuses_mixed_geometry() {
    let dir = tempfile::tempdir().expect("tmp");
    // a .dbf that is there already blocks a Shapefile export (and is left as it was)
    std::fs::write(dir.path().join("x.dbf"), b"keep").expect("dbf");
    let out = dir.path().join("x.shp");
    let (code, said) = cli(&[
        "export",
        &fixture("buildings_gbk.shp").display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("x.dbf exists; use --force"), "{said}");
    assert_eq!(
        std::fs::read(dir.path().join("x.dbf")).expect("dbf"),
        b"keep"
    );
    assert!(!out.exists());
    // the Loop layer has its outline polygon and three lines
    let (code, said) = cli(&[
        "export",
        &fixture("zone_2326.gpkg").display().to_string(),
        "--layers",
        "loop",
        "--out",
        &dir.path().join("m.shp").display().to_string(),
    ]);
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("a Shapefile holds one geometry type per layer")
            && said.contains("has polygon features and feature 2 is a line"),
        "{said}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(left.len(), 1, "only x.dbf stays: {left:?}");
}

#[test]
fn gpx_waypoints_and_an_ods_ledger_read() {
    let layers = open("units.gpx", &OpenOptions::default());
    let w = layers
        .iter()
        .find(|l| l.name == "waypoints")
        .expect("waypoints layer");
    let text =
        std::fs::read_to_string(root().join("data/zone/research_units.geojson")).expect("units");
    let v: Value = serde_json::from_str(&text).expect("json");
    let mut src: Vec<&Value> = v["features"].as_array().expect("features").iter().collect();
    src.sort_by_key(|f| f["properties"]["id"].as_str().unwrap_or("").to_string());
    assert_eq!(w.features.len(), 10);
    for (f, s) in w.features.iter().zip(&src) {
        assert_eq!(f.prop_str("name"), s["properties"]["id"].as_str());
        let c = &s["geometry"]["coordinates"];
        let want = (c[0].as_f64().expect("x"), c[1].as_f64().expect("y"));
        match f.geometry {
            Some(geo::Geometry::Point(p)) => assert!(metres((p.x(), p.y()), want) < 0.01),
            ref g => panic!("{g:?}"),
        }
    }
    let ods = open("ledger.ods", &OpenOptions::default());
    let xlsx = open("ledger.xlsx", &OpenOptions::default());
    assert_eq!(ods[0].features.len(), xlsx[0].features.len());
    for (a, b) in ods[0].features.iter().zip(&xlsx[0].features) {
        assert_eq!(a.prop_str("编号"), b.prop_str("编号"));
        assert_eq!(
            a.prop("年份").and_then(|v| v.as_i64()),
            b.prop("年份").and_then(|v| v.as_i64())
        );
        assert_eq!(a.prop_str("状态"), b.prop_str("状态"));
    }
}

/// GDAL's messages go into ours, never to stderr: the real binary on a file GDAL rejects.
#[test]
fn gdal_says_nothing_on_stderr() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("broken.gpkg");
    std::fs::write(&p, b"this is not a geopackage").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hetao"))
        .arg("check")
        .arg(&p)
        .arg(fixture("buildings_4547.dxf"))
        .output()
        .expect("run hetao");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("not recognized as a supported file format"),
        "{stdout}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn a_ledger_exported_as_a_shapefile_is_its_attribute_table_and_says_so() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("l.shp");
    let (code, said) = cli(&[
        "export",
        &fixture("ledger.xlsx").display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("only the attribute table") && said.contains("l.dbf"),
        "{said}"
    );
    let info = std::process::Command::new("ogrinfo")
        .args(["-al", "-so"])
        .arg(dir.path().join("l.dbf"))
        .output()
        .expect("ogrinfo");
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(
        text.contains("Feature Count: 108") && text.contains("年份: Integer"),
        "{text}"
    );
}
