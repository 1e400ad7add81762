//! Exporting in every format (issue 13): each written file is read back by GDAL's own
//! `ogrinfo -al -so` (the real tool) with the same feature count, extent, field types and CRS
//! as the source; Shapefiles get a .cpg and whole-character field names; no file is clobbered.

mod formats_common;
use formats_common::*;
use hetao_atlas::core::io::{OpenOptions, open_layers};
use serde_json::Value;
use std::path::Path;

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
                // A Shapefile holds 10-byte names: export says what each long one became
                // ("field \"footprint_source\" is written as \"footprin_1\""), and the name
                // must be at most 10 bytes.
                let renamed = format!("field {k:?} is written as \"");
                let name = match said
                    .split(&renamed)
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                {
                    Some(n) if fmt == "shp" => {
                        assert!(n.len() <= 10 && !n.is_empty(), "{fmt}: {k} as {n:?}");
                        n
                    }
                    _ => k.as_str(),
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
    // a --format that the --out extension contradicts is refused before anything is read
    let (code, said) = cli(&[
        "export",
        "--format",
        "shp",
        "--out",
        &dir.path().join("y.geojson").display().to_string(),
    ]);
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("names GeoJSON but --format is Shapefile"),
        "{said}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(left.len(), 1, "only x.dbf stays: {left:?}");
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
