//! The formats read through GDAL (issue 13): every fixture of tests/fixtures/formats (made by
//! scripts/make-format-fixtures.sh with ogr2ogr from tests/fixtures/formats/source, frozen copies of data/zone) reads to the features of the
//! source GeoJSON — same count, same coordinates within a centimetre, same attribute values
//! and types — and every bad input gives a message naming the file, layer, feature and field.
//! Expected values come from those sources (and data/zone's Loop outline) parsed with serde_json, never from the reader.

mod formats_common;
use formats_common::*;
use hetao_atlas::core::io::{LoadError, LoadOptions, OpenOptions, open_layers};
use serde_json::Value;

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
    let text = std::fs::read_to_string(
        root().join("tests/fixtures/formats/source/research_units.geojson"),
    )
    .expect("units");
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

#[test]
fn gpx_waypoints_and_an_ods_ledger_read() {
    let layers = open("units.gpx", &OpenOptions::default());
    let w = layers
        .iter()
        .find(|l| l.name == "waypoints")
        .expect("waypoints layer");
    let text = std::fs::read_to_string(
        root().join("tests/fixtures/formats/source/research_units.geojson"),
    )
    .expect("units");
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
    let out = std::process::Command::new(hetao_bin())
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
