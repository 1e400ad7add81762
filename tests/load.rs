//! The fast GeoJSON loader: fixtures, round trips, legacy crs, positions, errors,
//! cancellation, memory guard, hostile input, and agreement with the reference loader.

mod reference;
use hetao_atlas::core::io::{
    LoadError, LoadOptions, layer_to_geojson, load_path, load_path_with, load_slice,
    load_slice_with, write_layer,
};
use hetao_atlas::core::model::{Feature, Layer};
use reference::load_slice_reference;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("fixture dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "geojson") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn same_z(a: &Option<Vec<f64>>, b: &Option<Vec<f64>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
        }
        _ => false,
    }
}

fn assert_same_feature(a: &Feature, b: &Feature, ctx: &str) {
    assert_eq!(a.id, b.id, "{ctx}: id");
    assert_eq!(a.geometry, b.geometry, "{ctx}: geometry");
    assert_eq!(a.properties, b.properties, "{ctx}: properties");
    assert!(same_z(&a.z, &b.z), "{ctx}: z {:?} vs {:?}", a.z, b.z);
    assert_eq!(a.bbox, b.bbox, "{ctx}: bbox");
    assert_eq!(a.foreign, b.foreign, "{ctx}: foreign");
}

fn assert_same_layer(a: &Layer, b: &Layer, ctx: &str) {
    assert_eq!(a.features.len(), b.features.len(), "{ctx}: feature count");
    assert_eq!(a.bbox, b.bbox, "{ctx}: layer bbox");
    assert_eq!(a.foreign, b.foreign, "{ctx}: layer foreign members");
    assert_eq!(a.source_crs, b.source_crs, "{ctx}: source crs");
    for (i, (fa, fb)) in a.features.iter().zip(&b.features).enumerate() {
        assert_same_feature(fa, fb, &format!("{ctx}: feature {i}"));
    }
}

fn positions(g: &geo::Geometry<f64>) -> usize {
    use geo::CoordsIter;
    g.coords_iter().count()
}

/// Expected (feature count, geometry type of each feature, positions, has z) per fixture,
/// read off the fixture files by hand.
fn expected(name: &str) -> Option<(usize, &'static [&'static str], usize, bool)> {
    Some(match name {
        "feature/one.geojson" => (1, &["Polygon"], 5, false),
        "featurecollection/one.geojson" => (3, &["Point", "LineString", "Polygon"], 10, false),
        "geometry/geometrycollection-xyz.geojson" => (1, &["GeometryCollection"], 3, true),
        "geometry/geometrycollection.geojson" => (1, &["GeometryCollection"], 3, false),
        "geometry/linestring-xyz.geojson" => (1, &["LineString"], 2, true),
        "geometry/linestring.geojson" => (1, &["LineString"], 2, false),
        "geometry/multilinestring-xyz.geojson" => (1, &["MultiLineString"], 4, true),
        "geometry/multilinestring.geojson" => (1, &["MultiLineString"], 4, false),
        "geometry/multipoint-xyz.geojson" => (1, &["MultiPoint"], 2, true),
        "geometry/multipoint.geojson" => (1, &["MultiPoint"], 2, false),
        "geometry/multipolygon-xyz.geojson" => (1, &["MultiPolygon"], 15, true),
        "geometry/multipolygon.geojson" => (1, &["MultiPolygon"], 15, false),
        "geometry/point-xyz.geojson" => (1, &["Point"], 1, true),
        "geometry/point.geojson" => (1, &["Point"], 1, false),
        "geometry/polygon-xyz.geojson" => (1, &["Polygon"], 5, true),
        "geometry/polygon.geojson" => (1, &["Polygon"], 5, false),
        "1.5-featurecollection.geojson" => (3, &["Point", "LineString", "Polygon"], 10, false),
        "3.1.9-antimeridian-multilinestring.geojson" => (1, &["MultiLineString"], 4, false),
        "3.1.9-antimeridian-multipolygon.geojson" => (1, &["MultiPolygon"], 10, false),
        "5-bbox-3d-featurecollection.geojson" => (0, &[], 0, false),
        // the RFC's triangle is written with 4 positions, closed
        "5.1-bbox-feature.geojson" => (1, &["Polygon"], 4, false),
        "A.1-point.geojson" => (1, &["Point"], 1, false),
        "A.2-linestring.geojson" => (1, &["LineString"], 2, false),
        "A.3-polygon-no-holes.geojson" => (1, &["Polygon"], 5, false),
        "A.3-polygon-with-holes.geojson" => (1, &["Polygon"], 10, false),
        "A.4-multipoint.geojson" => (1, &["MultiPoint"], 2, false),
        "A.5-multilinestring.geojson" => (1, &["MultiLineString"], 4, false),
        "A.6-multipolygon.geojson" => (1, &["MultiPolygon"], 15, false),
        "A.7-geometrycollection.geojson" => (1, &["GeometryCollection"], 3, false),
        _ => return None,
    })
}

#[test]
fn every_fixture_loads_with_the_right_geometry_and_matches_the_reference() {
    let mut n = 0;
    for dir in ["geojson-fixtures", "rfc7946"] {
        let base = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(dir);
        for p in fixtures(dir) {
            let rel = p
                .strip_prefix(&base)
                .expect("under base")
                .to_string_lossy()
                .replace('\\', "/");
            let layer = load_path(&p).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let (count, types, npos, has_z) =
                expected(&rel).unwrap_or_else(|| panic!("no expectation for {rel}"));
            assert_eq!(layer.features.len(), count, "{rel}");
            let got: Vec<_> = layer.features.iter().map(Feature::geometry_type).collect();
            assert_eq!(got, types, "{rel}");
            let total: usize = layer
                .features
                .iter()
                .filter_map(|f| f.geometry.as_ref())
                .map(positions)
                .sum();
            assert_eq!(total, npos, "{rel}: positions");
            let z = layer.features.iter().any(|f| f.z.is_some());
            assert_eq!(z, has_z, "{rel}: z");
            for f in &layer.features {
                if let (Some(z), Some(g)) = (&f.z, &f.geometry) {
                    assert_eq!(z.len(), positions(g), "{rel}: one z per position");
                }
            }
            let bytes = std::fs::read(&p).expect("read");
            let r = load_slice_reference(&bytes, "r", &rel).expect("reference loads");
            assert_same_layer(&layer, &r, &rel);
            // round trip
            let text = layer_to_geojson(&layer);
            let back = load_slice(text.as_bytes(), "b", "roundtrip").expect("reloads");
            assert_same_layer(&layer, &back, &format!("{rel} round trip"));
            n += 1;
        }
    }
    assert_eq!(n, 29);
}

#[test]
fn fixture_details_z_bbox_foreign_and_properties() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    // polygon-xyz: the second position has no z -> NaN in its place.
    let l = load_path(&base.join("geojson-fixtures/geometry/polygon-xyz.geojson")).expect("load");
    let z = l.features[0].z.as_ref().expect("z");
    assert_eq!(z.len(), 5);
    assert_eq!(z[0], 1.0);
    assert!(z[1].is_nan());
    assert_eq!(&z[2..], &[1.0, 1.0, 1.0]);
    let l = load_path(&base.join("geojson-fixtures/geometry/multilinestring-xyz.geojson"))
        .expect("load");
    assert_eq!(l.features[0].z.as_deref(), Some(&[5.2, 8.1, 2.3, 7.4][..]));
    // 3-D bbox on the collection (RFC 7946 §5).
    let l = load_path(&base.join("rfc7946/5-bbox-3d-featurecollection.geojson")).expect("load");
    assert_eq!(
        l.bbox.as_deref(),
        Some(&[100.0, 0.0, -100.0, 105.0, 1.0, 0.0][..])
    );
    let l = load_path(&base.join("rfc7946/5.1-bbox-feature.geojson")).expect("load");
    assert_eq!(
        l.features[0].bbox.as_deref(),
        Some(&[-10.0, -10.0, 10.0, 10.0][..])
    );
    let l = load_path(&base.join("geojson-fixtures/feature/one.geojson")).expect("load");
    assert_eq!(
        l.features[0].prop("prop1").and_then(|p| p.as_json()),
        Some(&serde_json::json!({"this": "that"}))
    );
    assert_eq!(l.features[0].pos.line, 1);
    assert_eq!(l.features[0].pos.column, 1);
}

#[test]
fn foreign_members_ids_null_properties_bom_and_any_key_order() {
    let text = "\u{feff}{\"features\":[\n  {\"properties\":null,\"id\":7,\"title\":\"x\",\
        \"geometry\":{\"coordinates\":[[[0,0],[0,1],[1,1],[1,0],[0,0]]],\"type\":\"Polygon\"},\
        \"type\":\"Feature\"},\n  {\"type\":\"Feature\",\"id\":\"b-1\",\"geometry\":null,\
        \"properties\":{\"a\":[1,2.5,-0,18446744073709551616,\"\\u00e9\\ud83d\\ude00\"]}}\n],\
        \"type\":\"FeatureCollection\",\"name\":\"demo\",\"meta\":{\"k\":[true,null]}}";
    let l = load_slice(text.as_bytes(), "t", "t.geojson").expect("loads");
    let r = load_slice_reference(text.as_bytes(), "t", "t.geojson").expect("reference");
    assert_same_layer(&l, &r, "mixed");
    assert_eq!(l.foreign.get("name"), Some(&serde_json::json!("demo")));
    assert_eq!(l.foreign.len(), 2);
    let f0 = &l.features[0];
    assert_eq!(
        f0.id.as_ref().map(ToString::to_string).as_deref(),
        Some("7")
    );
    assert!(f0.properties.is_none());
    assert_eq!(f0.foreign.get("title"), Some(&serde_json::json!("x")));
    // Clockwise exterior ring (non-conforming winding) is accepted as is.
    assert_eq!(f0.geometry_type(), "Polygon");
    assert_eq!(f0.pos.line, 2);
    assert_eq!(f0.pos.column, 3);
    let f1 = &l.features[1];
    assert_eq!(
        f1.id.as_ref().map(ToString::to_string).as_deref(),
        Some("b-1")
    );
    assert!(f1.geometry.is_none());
    assert_eq!(f1.prop("a").and_then(|a| a[4].as_str()), Some("é😀"));
    assert_eq!((f1.pos.line, f1.pos.column), (3, 3));
    let back = load_slice(layer_to_geojson(&l).as_bytes(), "b", "b").expect("round trip");
    assert_same_layer(&l, &back, "mixed round trip");
}

/// Hong Kong 1980 Grid (EPSG:2326) -> WGS84. Expected values from PROJ:
/// `echo 840000 820000 | cs2cs -f %.7f EPSG:2326 EPSG:4326` -> 22.4995351 114.0187742
/// `echo 836000 834000 | cs2cs -f %.7f EPSG:2326 EPSG:4326` -> 22.4634895 114.1548386
/// (cs2cs takes EPSG:2326 as northing easting and prints latitude longitude.)
#[test]
fn legacy_crs_epsg_2326_is_reprojected_like_cs2cs() {
    for name in ["urn:ogc:def:crs:EPSG::2326", "EPSG:2326"] {
        let text = format!(
            "{{\"type\":\"FeatureCollection\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"{name}\"}}}},\
             \"features\":[{{\"type\":\"Feature\",\"properties\":{{}},\"geometry\":{{\"type\":\"LineString\",\
             \"coordinates\":[[820000,840000],[834000,836000]]}}}}]}}"
        );
        let l = load_slice(text.as_bytes(), "hk", "hk.geojson").expect("loads");
        assert_eq!(l.source_crs.as_deref(), Some("EPSG:2326"));
        assert!(!l.foreign.contains_key("crs"));
        let Some(geo::Geometry::LineString(ls)) = &l.features[0].geometry else {
            panic!("not a line");
        };
        let expect = [(114.0187742, 22.4995351), (114.1548386, 22.4634895)];
        for (c, (lon, lat)) in ls.0.iter().zip(expect) {
            assert!((c.x - lon).abs() < 2e-7, "lon {} vs {lon}", c.x);
            assert!((c.y - lat).abs() < 2e-7, "lat {} vs {lat}", c.y);
        }
        let r = load_slice_reference(text.as_bytes(), "hk", "hk").expect("reference");
        assert_same_layer(&l, &r, "crs");
    }
}

#[test]
fn unknown_or_malformed_crs_is_an_error_with_position() {
    for crs in [
        "{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::999999\"}}",
        "{\"type\":\"name\",\"properties\":{\"name\":\"my-local-grid\"}}",
        "{\"type\":\"link\",\"properties\":{\"href\":\"http://x\"}}",
    ] {
        let text = format!("{{\"type\":\"FeatureCollection\",\n\"crs\": {crs},\n\"features\":[]}}");
        match load_slice(text.as_bytes(), "x", "x.geojson") {
            Err(LoadError::Invalid {
                line,
                column,
                message,
                ..
            }) => {
                assert_eq!((line, column), (2, 8), "{message}");
                assert!(message.contains("crs"), "{message}");
            }
            other => panic!("expected an error for {crs}, got {other:?}"),
        }
    }
}

/// Line and column of byte offset `off`, computed naively.
fn naive_pos(text: &str, off: usize) -> (u32, u32) {
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = off - before.rfind('\n').map_or(0, |p| p + 1) + 1;
    (line as u32, col as u32)
}

#[test]
fn errors_carry_file_line_and_column() {
    let cases: &[(&str, &str)] = &[
        // (document, the text at which the error must point)
        (
            "{\"type\":\"FeatureCollection\",\"features\":[\n {\"type\":\"Feature\",\"properties\":null,\n  \"geometry\":{\"type\":\"Point\",\"coordinates\":[1,\"a\"]}}]}",
            "\"a\"",
        ),
        (
            "{\"type\":\"FeatureCollection\",\"features\":[\n {\"type\":\"Feature\",\"properties\":null,\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,1e999]}}]}",
            "1e999",
        ),
        (
            "{\"type\":\"Feature\",\"properties\":null,\n\"geometry\":{\"type\":\"Hexagon\",\"coordinates\":[]}}",
            "\"Hexagon\"",
        ),
        (
            "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{\"a\":NaN},\"geometry\":null}]}",
            "NaN",
        ),
        (
            "{\"type\":\"FeatureCollection\",\"features\":[]}\n\n  x",
            "x",
        ),
    ];
    for (doc, at) in cases {
        let off = doc.rfind(at).expect("marker");
        let (line, column) = naive_pos(doc, off);
        match load_slice(doc.as_bytes(), "e", "bad.geojson") {
            Err(e @ LoadError::Invalid { .. }) => {
                let LoadError::Invalid {
                    line: l,
                    column: c,
                    file,
                    ..
                } = &e
                else {
                    unreachable!()
                };
                assert_eq!(file, "bad.geojson");
                assert_eq!((*l, *c), (line, column), "{e}");
                assert!(
                    e.to_string()
                        .starts_with(&format!("bad.geojson:{line}:{column}: "))
                );
            }
            other => panic!("expected an error for {doc}, got {other:?}"),
        }
    }
}

/// A file that is not JSON gets, from the loader, exactly the message and position
/// `hetao check` gives (one lexer, one reader for syntax errors): truncated, NaN, Infinity,
/// a huge number, invalid UTF-8, empty, and broken variants of a valid document.
#[test]
fn syntax_errors_read_exactly_as_the_validators() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile");
    let mut docs: Vec<(String, Vec<u8>)> = Vec::new();
    for name in [
        "truncated.geojson",
        "nan.geojson",
        "infinity.geojson",
        "huge-number.geojson",
        "invalid-utf8.geojson",
        "empty.geojson",
    ] {
        docs.push((name.into(), std::fs::read(dir.join(name)).expect("fixture")));
    }
    let good = "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"id\":1,\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.1,22.5]},\"properties\":{\"a\":\"b\"}}]}";
    for (from, to) in [
        ("22.5]", "22.5 1]"),
        ("\"b\"", "'b'"),
        ("\"b\"", "tru"),
        ("114.1", "+114.1"),
        ("[114.1", "[114.1,"),
        ("\"a\":", "\"a\""),
        ("\"b\"}", "\"b\",}"),
        ("]}", "]}x"),
    ] {
        docs.push((
            format!("{from} -> {to}"),
            good.replacen(from, to, 1).into_bytes(),
        ));
    }
    for n in [10, 45, 80, good.len() - 1] {
        docs.push((format!("cut at {n}"), good.as_bytes()[..n].to_vec()));
    }
    for (name, bytes) in &docs {
        let report = hetao_atlas::core::validate::validate(bytes, "f");
        let want = report
            .errors
            .iter()
            .find(|e| e.code == "json")
            .unwrap_or_else(|| panic!("{name}: check finds no JSON error"));
        match load_slice(bytes, "f", "f") {
            Err(LoadError::Invalid {
                line,
                column,
                message,
                ..
            }) => assert_eq!(
                (line, column, message.as_str()),
                (want.line, want.column, want.message.as_str()),
                "{name}"
            ),
            other => panic!("{name}: expected an error, got {other:?}"),
        }
    }
    // Seeded random corruptions of a generated file: whenever the bytes are not JSON, the
    // loader's message and position are the validator's.
    let (text, _) = generated(3, 40);
    let mut r = Rng::new(99);
    let mut not_json = 0;
    for _ in 0..1500 {
        let mut b = text.clone().into_bytes();
        for _ in 0..1 + r.below(3) {
            let at = r.below(b.len() as u64) as usize;
            match r.below(3) {
                0 => {
                    let set = b"{}[],:\"0-.eE \\nutfx";
                    b[at] = set[r.below(set.len() as u64) as usize];
                }
                1 => {
                    b.remove(at);
                }
                _ => b.insert(at, b",]}\"1"[r.below(5) as usize]),
            }
        }
        let Err(want) = hetao_atlas::core::json::parse(&b) else {
            continue;
        };
        not_json += 1;
        match load_slice(&b, "c", "c") {
            Err(LoadError::Invalid {
                line,
                column,
                message,
                ..
            }) => assert_eq!(
                (line, column, message),
                (
                    want.line,
                    want.column,
                    format!("not valid JSON: {}", want.message)
                ),
                "{}",
                String::from_utf8_lossy(&b)
            ),
            other => panic!(
                "not JSON ({want}) but the loader says {other:?}: {}",
                String::from_utf8_lossy(&b)
            ),
        }
    }
    assert!(not_json > 500, "{not_json}");
    // The messages the app shows for the two files people meet most.
    let truncated = load_slice(&docs[0].1, "t", "t")
        .expect_err("truncated")
        .to_string();
    assert!(
        truncated.contains("unexpected end of file") && truncated.contains("seems truncated"),
        "{truncated}"
    );
    let nan = load_slice(&docs[1].1, "n", "n")
        .expect_err("nan")
        .to_string();
    assert!(nan.contains("NaN is not a valid JSON value"), "{nan}");
}

#[test]
fn hostile_input_gives_errors_not_panics() {
    let deep_arrays = format!(
        "{{\"type\":\"Feature\",\"geometry\":null,\"properties\":{{\"a\":{}{}}}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let deep_gc = format!(
        "{}{{\"type\":\"Point\",\"coordinates\":[0,0]}}{}",
        "{\"type\":\"GeometryCollection\",\"geometries\":[".repeat(10_000),
        "]}".repeat(10_000)
    );
    let deep_coords = format!(
        "{{\"type\":\"Point\",\"coordinates\":{}0{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let mut bad: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"   ".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"{".to_vec(),
        b"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",".to_vec(),
        b"{\"type\":\"Point\",\"coordinates\":[NaN,1]}".to_vec(),
        b"{\"type\":\"Point\",\"coordinates\":[1e999,1]}".to_vec(),
        b"{\"type\":\"Point\",\"coordinates\":[\"1\",\"2\"]}".to_vec(),
        b"{\"type\":\"Point\",\"coordinates\":[1]}".to_vec(),
        b"{\"type\":\"Point\",\"coordinates\":[[1,2]]}".to_vec(),
        b"{\"type\":\"LineString\",\"coordinates\":[[1,2],[[1,2]]]}".to_vec(),
        b"{\"type\":\"Polygon\",\"coordinates\":[[1,2]]}".to_vec(),
        b"{\"type\":\"Point\",\"coordinates\":[01,2]}".to_vec(),
        b"{\"type\":\"Point\",\"coordinates\":[1.,2]}".to_vec(),
        b"{\"type\":\"Point\",\"coordinates\":[-,2]}".to_vec(),
        b"{\"type\":\"Point\"}".to_vec(),
        b"{\"type\":\"Feature\",\"properties\":{\"a\":\"\\ud800\"},\"geometry\":null}".to_vec(),
        b"{\"type\":\"Feature\",\"properties\":{\"a\":\"\xff\xfe\"},\"geometry\":null}".to_vec(),
        b"{\"type\":\"Feature\",\"properties\":{\"a\":\"x\ny\"},\"geometry\":null}".to_vec(),
        b"{\"type\":\"Feature\",\"properties\":{\"a\":tru},\"geometry\":null}".to_vec(),
        b"{\"type\":\"Feature\",\"properties\":7,\"geometry\":null}".to_vec(),
        b"{\"type\":\"Feature\",\"id\":[1],\"geometry\":null}".to_vec(),
        b"{\"type\":\"Topology\"}".to_vec(),
        b"{\"type\":\"FeatureCollection\"}".to_vec(),
        b"{\"type\":\"FeatureCollection\",\"features\":[1]}".to_vec(),
        b"{\"type\":\"FeatureCollection\",\"features\":[]}}".to_vec(),
        b"\xef\xbb\xbf".to_vec(),
        b"\xff\xff\xff".to_vec(),
        deep_arrays.into_bytes(),
        deep_gc.into_bytes(),
        deep_coords.into_bytes(),
    ];
    // Every truncation of a valid document is an error too.
    let good = b"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"id\":1,\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]},\"properties\":{\"n\":\"\\u00e9\",\"v\":[1.5e3]}}]}";
    load_slice(good, "g", "g").expect("the untruncated document loads");
    for n in 0..good.len() {
        bad.push(good[..n].to_vec());
    }
    for b in &bad {
        match load_slice(b, "h", "hostile") {
            Err(LoadError::Invalid { message, .. }) => assert!(!message.is_empty()),
            other => panic!(
                "{:?}: expected an error, got {other:?}",
                String::from_utf8_lossy(b)
            ),
        }
    }
}

use hetao_atlas::core::zone::generator::SplitMix64 as Rng;

/// A seeded FeatureCollection with every geometry type, z on some features, awkward
/// properties (escapes, unicode, nested values, strings that look like features) and
/// varied layout, about `n` features. Returns the text and each feature's start offset.
fn generated(seed: u64, n: usize) -> (String, Vec<usize>) {
    use std::fmt::Write;
    let mut r = Rng::new(seed);
    let mut s =
        String::from("{\"type\": \"FeatureCollection\", \"name\": \"gen\",\n\"features\": [\n");
    let mut starts = Vec::new();
    for i in 0..n {
        if i > 0 {
            s.push_str(if r.below(3) == 0 { ",\n" } else { ", " });
        }
        starts.push(s.len());
        let pos = |r: &mut Rng, z: bool| {
            let lon = 113.9 + r.next_f64() * 0.3;
            let lat = 22.4 + r.next_f64() * 0.2;
            if z {
                format!("[{lon}, {lat}, {}]", (r.next_f64() * 100.0).round())
            } else if r.below(2) == 0 {
                // short decimals (the loader's fast path), sometimes negative / integral
                let sign = if r.below(8) == 0 { "-" } else { "" };
                format!("[{sign}{lon:.7},{lat:.3}]")
            } else {
                format!("[{lon},{lat}]")
            }
        };
        let z = r.below(5) == 0;
        let ring = |r: &mut Rng| {
            let k = 3 + r.below(6) as usize;
            let first = pos(r, z);
            let mut v = vec![first.clone()];
            for _ in 1..k {
                v.push(pos(r, z));
            }
            v.push(first);
            format!("[{}]", v.join(","))
        };
        let line = |r: &mut Rng| {
            let k = 2 + r.below(5) as usize;
            format!(
                "[{}]",
                (0..k).map(|_| pos(r, z)).collect::<Vec<_>>().join(",")
            )
        };
        let geom = match r.below(8) {
            0 => format!("{{\"type\":\"Point\",\"coordinates\":{}}}", pos(&mut r, z)),
            1 => format!(
                "{{\"type\":\"MultiPoint\",\"coordinates\":{}}}",
                line(&mut r)
            ),
            2 => format!(
                "{{\"coordinates\":{},\"type\":\"LineString\"}}",
                line(&mut r)
            ),
            3 => format!(
                "{{\"type\":\"MultiLineString\",\"coordinates\":[{},{}]}}",
                line(&mut r),
                line(&mut r)
            ),
            4 => format!(
                "{{\"type\":\"MultiPolygon\",\"coordinates\":[[{}],[{},{}]]}}",
                ring(&mut r),
                ring(&mut r),
                ring(&mut r)
            ),
            5 => format!(
                "{{\"type\":\"GeometryCollection\",\"geometries\":[{{\"type\":\"Point\",\"coordinates\":{}}},{{\"type\":\"Polygon\",\"coordinates\":[{}]}}]}}",
                pos(&mut r, z),
                ring(&mut r)
            ),
            6 => "null".to_string(),
            _ => format!(
                "{{\"type\":\"Polygon\",\"coordinates\":[{}]}}",
                ring(&mut r)
            ),
        };
        let mut props = format!(
            "{{\"name\":\"B{i} \\\"quoted\\\" \\u00e9\u{4e2d}\",\"floors\":{},\"h\":{},\"ok\":{}",
            r.below(60),
            r.next_f64() * 200.0,
            r.below(2) == 0
        );
        match r.below(6) {
            0 => props.push_str(",\"note\":\",{\\\"type\\\":\\\"Feature\\\"}\""),
            1 => props.push_str(
                ",\"nested\":[1,{\"type\":\"Feature\",\"geometry\":null,\"properties\":null}]",
            ),
            2 => props.push_str(",\"big\":12345678901234567890123,\"neg\":-42,\"e\":1.5E-7"),
            _ => {}
        }
        props.push('}');
        let id = if r.below(2) == 0 {
            format!("\"id\":\"f-{i}\",")
        } else {
            format!("\"id\":{i},")
        };
        let extra = if r.below(10) == 0 {
            ",\"layer\":\"x\""
        } else {
            ""
        };
        if r.below(4) == 0 {
            let _ = write!(
                s,
                "{{\n  \"type\": \"Feature\", {id}\n  \"geometry\": {geom},\n  \"properties\": {props}{extra}\n}}"
            );
        } else {
            let _ = write!(
                s,
                "{{\"type\":\"Feature\",{id}\"geometry\":{geom},\"properties\":{props}{extra}}}"
            );
        }
    }
    s.push_str("\n]}\n");
    (s, starts)
}

#[test]
fn generated_file_matches_reference_in_parallel_and_keeps_positions() {
    let (text, starts) = generated(7, 25_000);
    assert!(text.len() > 5 << 20, "big enough to split: {}", text.len());
    // Expected positions, by walking the text once.
    let mut expected_pos = Vec::new();
    let (mut line, mut line_start, mut at) = (1u32, 0usize, 0usize);
    for &off in &starts {
        for (k, c) in text.as_bytes()[at..off].iter().enumerate() {
            if *c == b'\n' {
                line += 1;
                line_start = at + k + 1;
            }
        }
        at = off;
        expected_pos.push((line, (off - line_start + 1) as u32));
    }
    let reference = load_slice_reference(text.as_bytes(), "g", "g").expect("reference");
    for threads in [1, 2, 3, 8] {
        let opts = LoadOptions {
            threads: Some(threads),
            ..LoadOptions::default()
        };
        let l = load_slice_with(text.as_bytes(), "g", "g", &opts).expect("fast");
        assert_same_layer(&l, &reference, &format!("{threads} threads"));
        for (f, want) in l.features.iter().zip(&expected_pos) {
            assert_eq!((f.pos.line, f.pos.column), *want);
        }
    }
    let l = load_slice(text.as_bytes(), "g", "g").expect("fast");
    let back = load_slice(layer_to_geojson(&l).as_bytes(), "b", "b").expect("round trip");
    assert_same_layer(&l, &back, "generated round trip");
}

/// A file big enough to be mapped and given back in steps while it is parsed loads exactly
/// as the same bytes from memory on one thread (features and positions), and an error near
/// its end (after most of the file was given back) has the same line and column.
#[test]
fn a_mapped_file_released_while_parsing_loads_like_the_bytes() {
    let (text, _) = generated(11, 60_000);
    assert!(
        text.len() > 12 << 20,
        "several release steps: {}",
        text.len()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.geojson");
    std::fs::write(&path, &text).expect("write");
    let one = LoadOptions {
        threads: Some(1),
        ..LoadOptions::default()
    };
    let want = load_slice_with(text.as_bytes(), "big", "big", &one).expect("from memory");
    for threads in [1, 2, 4] {
        let opts = LoadOptions {
            threads: Some(threads),
            ..LoadOptions::default()
        };
        let got = load_path_with(&path, &opts).expect("mapped");
        assert_same_layer(&got, &want, &format!("mapped, {threads} threads"));
        for (a, b) in got.features.iter().zip(&want.features) {
            assert_eq!(a.pos, b.pos);
        }
    }
    // A broken number near the end.
    let at = text.len() - 2000 + text[text.len() - 2000..].find("22.").expect("a latitude");
    let mut broken = text.clone().into_bytes();
    broken[at] = b'x';
    std::fs::write(&path, &broken).expect("write");
    let want = load_slice_with(&broken, "big", &path.display().to_string(), &one)
        .expect_err("broken")
        .to_string();
    let got = load_path(&path).expect_err("broken").to_string();
    assert_eq!(got, want);
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |p| p + 1) + 1;
    assert!(got.contains(&format!(":{line}:{column}:")), "{got}");
}

/// A repeated property key keeps its first place and its last value, as `serde_json` (the
/// reference loader) reads it, in small objects (scanned) and large ones (hashed).
#[test]
fn repeated_property_keys_keep_first_place_and_last_value() {
    for n in [3, 31, 32, 33, 100] {
        let mut props: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
        props.push("\"k1\":\"again\"".into());
        props.push(format!("\"k{}\":[true]", n - 1));
        props.push("\"new\":null".into());
        let doc = format!(
            "{{\"type\":\"Feature\",\"geometry\":null,\"properties\":{{{}}}}}",
            props.join(",")
        );
        let ours = load_slice(doc.as_bytes(), "d", "d").expect("loads");
        let reference = load_slice_reference(doc.as_bytes(), "d", "d").expect("reference");
        assert_same_layer(&ours, &reference, &format!("{n} keys"));
        let f = &ours.features[0];
        assert_eq!(f.properties.as_ref().map(|p| p.len()), Some(n + 1));
        assert_eq!(f.prop_str("k1"), Some("again"));
        assert_eq!(f.props().nth(1).map(|(k, _)| k), Some("k1"));
        assert_eq!(f.props().last().map(|(k, _)| k), Some("new"));
    }
}

#[test]
fn write_layer_round_trips_through_a_file() {
    let (text, _) = generated(11, 300);
    let l = load_slice(text.as_bytes(), "g", "g").expect("load");
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("out.geojson");
    write_layer(&p, &l).expect("write");
    let back = load_path(&p).expect("reload");
    assert_eq!(back.name, "out");
    assert_same_layer(&l, &back, "file round trip");
}

#[test]
fn cancellation_and_progress() {
    let (text, _) = generated(3, 20_000);
    // Cancelled before starting.
    let cancel = AtomicBool::new(true);
    let opts = LoadOptions {
        cancel: Some(&cancel),
        ..LoadOptions::default()
    };
    assert!(matches!(
        load_slice_with(text.as_bytes(), "c", "c", &opts),
        Err(LoadError::Cancelled { .. })
    ));
    // Cancelled from the progress callback part-way.
    let cancel = AtomicBool::new(false);
    let seen = Mutex::new(Vec::new());
    let progress = |f: f64| {
        seen.lock().expect("lock").push(f);
        if f > 0.3 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let opts = LoadOptions {
        cancel: Some(&cancel),
        progress: Some(&progress),
        ..LoadOptions::default()
    };
    assert!(matches!(
        load_slice_with(text.as_bytes(), "c", "c", &opts),
        Err(LoadError::Cancelled { .. })
    ));
    // Uncancelled: progress rises to 1.
    let seen = Mutex::new(Vec::new());
    let progress = |f: f64| seen.lock().expect("lock").push(f);
    let opts = LoadOptions {
        progress: Some(&progress),
        threads: Some(1),
        ..LoadOptions::default()
    };
    load_slice_with(text.as_bytes(), "c", "c", &opts).expect("loads");
    let seen = seen.into_inner().expect("lock");
    assert!(seen.len() > 3, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.last().copied(), Some(1.0));
    assert!(seen.iter().all(|f| (0.0..=1.0).contains(f)));
}

#[test]
fn a_file_too_large_for_the_memory_budget_is_refused_before_reading() {
    let (text, _) = generated(5, 100);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("big.geojson");
    std::fs::write(&p, &text).expect("write");
    let opts = LoadOptions {
        max_bytes: Some(text.len() as u64),
        ..LoadOptions::default()
    };
    match load_path_with(&p, &opts) {
        Err(e @ LoadError::TooLarge { .. }) => {
            assert!(e.to_string().contains("too large"), "{e}");
            assert!(e.to_string().contains("big.geojson"), "{e}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let opts = LoadOptions {
        max_bytes: Some(text.len() as u64 * 10),
        ..LoadOptions::default()
    };
    assert_eq!(load_path_with(&p, &opts).expect("fits").features.len(), 100);
    assert!(matches!(
        load_path(&dir.path().join("missing.geojson")),
        Err(LoadError::Io { .. })
    ));
}
