//! The spatial index agrees with brute-force scans on seeded random data, and its metre distances
//! agree with geodesic distances (GeographicLib, an independent computation).

use geo::{
    BoundingRect, Coord, Distance, Geodesic, Geometry, Intersects, LineString, MultiPolygon, Point,
    Polygon, Rect, Relate,
};
use hetao_atlas::core::index::{Hit, QueryFrame, SpatialIndex, distance_m};
use hetao_atlas::core::model::{Dataset, Feature, Layer};

use hetao_atlas::core::zone::generator::SplitMix64 as Rng;

const W: f64 = 114.02;
const E: f64 = 114.12;
const S: f64 = 22.48;
const N: f64 = 22.54;

fn random_polygon(r: &mut Rng, cx: f64, cy: f64, size: f64) -> Polygon<f64> {
    let k = 3 + (r.next_u64() % 6) as usize;
    let mut pts: Vec<Coord<f64>> = (0..k)
        .map(|i| {
            let a = i as f64 / k as f64 * std::f64::consts::TAU;
            let rad = size * r.range(0.5, 1.0);
            Coord {
                x: cx + rad * a.cos(),
                y: cy + rad * a.sin(),
            }
        })
        .collect();
    if r.next_u64().is_multiple_of(2) {
        pts.reverse(); // either winding
    }
    let hole = if r.next_u64().is_multiple_of(4) {
        let h = size * 0.2;
        vec![LineString::from(vec![
            (cx - h, cy - h),
            (cx + h, cy - h),
            (cx + h, cy + h),
            (cx - h, cy + h),
            (cx - h, cy - h),
        ])]
    } else {
        vec![]
    };
    Polygon::new(LineString(pts), hole)
}

fn random_dataset(seed: u64, n: usize) -> Dataset {
    let mut r = Rng::new(seed);
    let mut layers = Vec::new();
    for li in 0..3 {
        let mut features = Vec::new();
        for _ in 0..n {
            let cx = r.range(W, E);
            let cy = r.range(S, N);
            let size = r.range(0.00005, 0.003);
            let g = match r.next_u64() % 6 {
                0 => Some(Geometry::Point(Point::new(cx, cy))),
                1 => Some(Geometry::LineString(LineString::from(
                    (0..2 + r.next_u64() % 5)
                        .map(|_| (cx + r.range(-size, size), cy + r.range(-size, size)))
                        .collect::<Vec<_>>(),
                ))),
                2 => Some(Geometry::MultiPolygon(MultiPolygon(vec![
                    random_polygon(&mut r, cx, cy, size),
                    random_polygon(&mut r, cx + 3.0 * size, cy, size),
                ]))),
                3 if li == 2 => None,
                _ => Some(Geometry::Polygon(random_polygon(&mut r, cx, cy, size))),
            };
            features.push(Feature {
                geometry: g,
                ..Feature::default()
            });
        }
        layers.push(Layer {
            name: format!("l{li}"),
            features,
            ..Layer::default()
        });
    }
    Dataset { layers }
}

fn all(ds: &Dataset) -> impl Iterator<Item = (usize, usize, &Geometry<f64>)> {
    ds.layers.iter().enumerate().flat_map(|(l, layer)| {
        layer
            .features
            .iter()
            .enumerate()
            .filter_map(move |(f, ft)| ft.geometry.as_ref().map(|g| (l, f, g)))
    })
}

fn sort(h: &mut [Hit]) {
    h.sort_by(|a, b| {
        a.distance_m
            .total_cmp(&b.distance_m)
            .then(a.layer.cmp(&b.layer))
            .then(a.feature.cmp(&b.feature))
    });
}

#[test]
fn queries_equal_brute_force_on_random_data() {
    let mut ds = random_dataset(42, 400);
    let mut index = SpatialIndex::build(&ds);
    let with_geometry = all(&ds).count();
    assert_eq!(index.len(), with_geometry);
    let mut r = Rng::new(9);
    for round in 0..2 {
        if round == 1 {
            // data changes: the rebuilt index must follow
            ds = random_dataset(43, 300);
            index.rebuild(&ds);
            assert_eq!(index.len(), all(&ds).count());
        }
        for _ in 0..60 {
            let (x0, x1) = (r.range(W, E), r.range(W, E));
            let (y0, y1) = (r.range(S, N), r.range(S, N));
            let min = [x0.min(x1), y0.min(y1)];
            let max = [x0.max(x1), y0.max(y1)];
            // by envelope
            let got = index.in_envelope(min, max);
            let rect = Rect::new(min, max);
            let want: Vec<_> = all(&ds)
                .filter(|(_, _, g)| g.bounding_rect().is_some_and(|b| b.intersects(&rect)))
                .map(|(l, f, _)| (l, f))
                .collect();
            assert_eq!(got, want);
            // exact rect intersection
            let got = index.intersecting_rect(&ds, min, max);
            let want: Vec<_> = all(&ds)
                .filter(|(_, _, g)| g.intersects(&rect))
                .map(|(l, f, _)| (l, f))
                .collect();
            assert_eq!(got, want);
            // picking with a tolerance
            let (lon, lat) = (r.range(W, E), r.range(S, N));
            for tol in [0.0, 5.0, 60.0, 400.0] {
                let got = index.at_point(&ds, lon, lat, tol);
                let mut want: Vec<Hit> = all(&ds)
                    .filter_map(|(l, f, g)| {
                        let d = distance_m(lon, lat, g);
                        (d <= tol).then_some(Hit {
                            layer: l,
                            feature: f,
                            distance_m: d,
                        })
                    })
                    .collect();
                sort(&mut want);
                assert_eq!(got, want, "tolerance {tol}");
            }
            // k nearest
            for k in [1, 7, 50] {
                let got = index.nearest(&ds, lon, lat, k);
                let mut want: Vec<Hit> = all(&ds)
                    .map(|(l, f, g)| Hit {
                        layer: l,
                        feature: f,
                        distance_m: distance_m(lon, lat, g),
                    })
                    .collect();
                sort(&mut want);
                want.truncate(k);
                assert_eq!(got, want, "k {k}");
            }
            // within a polygon
            let sel = random_polygon(&mut r, lon, lat, 0.02);
            let got = index.within_polygon(&ds, &sel);
            let want: Vec<_> = all(&ds)
                .filter(|(_, _, g)| g.relate(&sel).is_within())
                .map(|(l, f, _)| (l, f))
                .collect();
            assert_eq!(got, want);
        }
    }
    // nearest asks for more than there is: everything, sorted
    let small = random_dataset(5, 3);
    let idx = SpatialIndex::build(&small);
    assert_eq!(
        idx.nearest(&small, 0.0, 0.0, 100).len(),
        all(&small).count()
    );
    assert!(
        SpatialIndex::build(&Dataset::default())
            .nearest(&small, 0.0, 0.0, 3)
            .is_empty()
    );
}

/// Snapping, layer-filtered picking and the per-layer rebuild agree with brute force; a
/// large layer (parallel envelopes, several tree levels) answers box queries exactly.
#[test]
fn nearest_vertex_filtered_picking_and_layer_rebuild_equal_brute_force() {
    use geo::CoordsIter;
    let mut ds = random_dataset(44, 300);
    let mut index = SpatialIndex::build(&ds);
    let mut r = Rng::new(10);
    for round in 0..2 {
        if round == 1 {
            // only layer 1 changes: rebuilding that layer alone must be enough
            let fresh = random_dataset(45, 500);
            ds.layers[1] = fresh.layers[1].clone();
            index.rebuild_layer(&ds, 1);
            assert_eq!(index.len(), all(&ds).count());
        }
        for _ in 0..40 {
            let (lon, lat) = (r.range(W, E), r.range(S, N));
            for tol in [0.0, 30.0, 300.0] {
                let keep = |l: usize| l != 0;
                let got = index.at_point_where(&ds, lon, lat, tol, keep);
                let mut want: Vec<Hit> = all(&ds)
                    .filter(|(l, _, _)| keep(*l))
                    .filter_map(|(l, f, g)| {
                        let d = distance_m(lon, lat, g);
                        (d <= tol).then_some(Hit {
                            layer: l,
                            feature: f,
                            distance_m: d,
                        })
                    })
                    .collect();
                sort(&mut want);
                assert_eq!(got, want, "tolerance {tol}");
                // nearest vertex within the tolerance
                let frame = QueryFrame::new(lon, lat).0;
                let mut best: Option<(f64, usize, usize, Coord<f64>)> = None;
                for (l, f, g) in all(&ds).filter(|(l, _, _)| keep(*l)) {
                    for c in g.coords_iter() {
                        let m = frame.to_m(c);
                        let d = m.x.hypot(m.y);
                        if d <= tol && best.is_none_or(|b| d < b.0) {
                            best = Some((d, l, f, c));
                        }
                    }
                }
                let got = index.nearest_vertex(&ds, lon, lat, tol, keep);
                assert_eq!(
                    got.map(|v| (v.distance_m, v.layer, v.feature, v.coord)),
                    best,
                    "tolerance {tol}"
                );
            }
        }
    }
    // One big layer: several levels of nodes, envelopes computed in parallel.
    let big = random_dataset(46, 30_000);
    let index = SpatialIndex::build(&big);
    assert_eq!(index.len(), all(&big).count());
    assert_eq!(index.items().count(), index.len());
    for _ in 0..20 {
        let (x0, x1) = (r.range(W, E), r.range(W, E));
        let (y0, y1) = (r.range(S, N), r.range(S, N));
        let (min, max) = ([x0.min(x1), y0.min(y1)], [x0.max(x1), y0.max(y1)]);
        let rect = Rect::new(min, max);
        let want: Vec<_> = all(&big)
            .filter(|(_, _, g)| g.bounding_rect().is_some_and(|b| b.intersects(&rect)))
            .map(|(l, f, _)| (l, f))
            .collect();
        assert_eq!(index.in_envelope(min, max), want);
    }
}

#[test]
fn local_frame_distances_agree_with_geodesic_distances() {
    let mut r = Rng::new(77);
    for _ in 0..500 {
        let (lon, lat) = (r.range(W, E), r.range(S, N));
        let (lon2, lat2) = (lon + r.range(-0.05, 0.05), lat + r.range(-0.05, 0.05));
        let ours = distance_m(lon, lat, &Geometry::Point(Point::new(lon2, lat2)));
        let geodesic = Geodesic.distance(Point::new(lon, lat), Point::new(lon2, lat2));
        assert!(
            (ours - geodesic).abs() <= 1e-3 * geodesic + 1e-6,
            "{ours} vs {geodesic}"
        );
    }
    // Inside a polygon the distance is 0; on the far side of a hole it is not.
    let p = Polygon::new(
        LineString::from(vec![
            (114.0, 22.5),
            (114.01, 22.5),
            (114.01, 22.51),
            (114.0, 22.51),
            (114.0, 22.5),
        ]),
        vec![LineString::from(vec![
            (114.004, 22.504),
            (114.006, 22.504),
            (114.006, 22.506),
            (114.004, 22.506),
            (114.004, 22.504),
        ])],
    );
    let g = Geometry::Polygon(p);
    assert_eq!(distance_m(114.001, 22.501, &g), 0.0);
    let in_hole = distance_m(114.005, 22.505, &g);
    let (kx, ky) = QueryFrame::new(114.005, 22.505).0.metres_per_degree();
    assert!((in_hole - 0.001 * kx.min(ky)).abs() < 1e-6, "{in_hole}");
}

mod cli {
    use hetao_atlas::cli::run_args;
    use serde_json::Value;
    use std::path::Path;

    /// A square building footprint of side `d` degrees at (x, y).
    fn square(x: f64, y: f64, d: f64) -> String {
        format!(
            "[[[{x},{y}],[{x2},{y}],[{x2},{y2}],[{x},{y2}],[{x},{y}]]]",
            x2 = x + d,
            y2 = y + d
        )
    }

    fn write_zone(dir: &Path) -> (String, String) {
        let buildings = format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\
             {{\"type\":\"Feature\",\"id\":\"B1\",\"properties\":{{\"name\":\"Tower One\",\"floors\":30}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{}}}}},\
             {{\"type\":\"Feature\",\"id\":\"B2\",\"properties\":{{\"name\":\"Lab Two\",\"floors\":6}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{}}}}},\
             {{\"type\":\"Feature\",\"properties\":{{\"id\":3,\"name\":\"Hall 3\",\"floors\":null}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{}}}}}]}}",
            square(114.070, 22.520, 0.001),
            square(114.080, 22.520, 0.001),
            square(114.090, 22.520, 0.001)
        );
        let units = "{\"type\":\"FeatureCollection\",\"features\":[\
             {\"type\":\"Feature\",\"id\":\"U1\",\"properties\":{\"name\":\"Unit 1\",\"building_id\":\"B1\"},\"geometry\":null},\
             {\"type\":\"Feature\",\"id\":\"U2\",\"properties\":{\"name\":\"Unit 2\",\"building_id\":\"B2\"},\"geometry\":null},\
             {\"type\":\"Feature\",\"id\":\"U3\",\"properties\":{\"name\":\"Unit 3\",\"building_id\":\"B1\"},\"geometry\":null},\
             {\"type\":\"Feature\",\"id\":\"U4\",\"properties\":{\"name\":\"Unit 4\",\"building_id\":3},\"geometry\":null}]}";
        let b = dir.join("buildings.geojson");
        let u = dir.join("research_units.geojson");
        std::fs::write(&b, buildings).expect("write");
        std::fs::write(&u, units).expect("write");
        (b.display().to_string(), u.display().to_string())
    }

    #[test]
    fn query_lists_buildings_with_their_research_units() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (b, u) = write_zone(dir.path());
        // Inside B1 (its square spans 114.070..114.071, 22.520..22.521).
        let (code, out) = run_args(&["query", &b, &u, "--point", "114.0705,22.5205", "--json"]);
        assert_eq!(code, 0, "{out}");
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["count"], 1);
        let r = &v["results"][0];
        assert_eq!(r["layer"], "buildings");
        assert_eq!(r["id"], "B1");
        assert_eq!(r["name"], "Tower One");
        assert_eq!(r["distance_m"], 0.0);
        let ids: Vec<&str> = r["units"]
            .as_array()
            .expect("units")
            .iter()
            .filter_map(|u| u["id"].as_str())
            .collect();
        assert_eq!(ids, ["U1", "U3"]);
        // A numeric `id` property (no Feature id) matches a numeric building_id.
        let (_, out) = run_args(&["query", &b, &u, "--point", "114.0905,22.5205", "--json"]);
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["results"][0]["units"][0]["id"], "U4");
        // Two nearest buildings to a point just east of B2: B2 then B3 (or B1), distances
        // in metres: 0.0005 deg of longitude east of B2's edge.
        let (_, out) = run_args(&[
            "query",
            &b,
            &u,
            "--nearest",
            "2",
            "--point",
            "114.0815,22.5205",
            "--json",
        ]);
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["results"][0]["id"], "B2");
        let d = v["results"][0]["distance_m"].as_f64().expect("distance");
        let geodesic = geo::Distance::distance(
            &geo::Geodesic,
            geo::Point::new(114.081, 22.5205),
            geo::Point::new(114.0815, 22.5205),
        );
        assert!((d - geodesic).abs() < 0.01 * geodesic, "{d} vs {geodesic}");
        assert_eq!(v["results"].as_array().map(Vec::len), Some(2));
        // A radius that reaches nothing.
        let (_, out) = run_args(&[
            "query",
            &b,
            "--point",
            "114.0755,22.5205",
            "--radius-m",
            "10",
        ]);
        assert!(out.starts_with("0 feature(s)"), "{out}");
        // A box over B1 and B2 only, text output names both with their units.
        let (code, out) = run_args(&[
            "query",
            &b,
            &u,
            "--bbox",
            "114.0695,22.5195,114.0805,22.5215",
            "--layer",
            "buildings",
        ]);
        assert_eq!(code, 0);
        assert!(out.starts_with("2 feature(s)"), "{out}");
        assert!(
            out.contains("id=B1") && out.contains("id=B2") && !out.contains("id=3"),
            "{out}"
        );
        assert!(out.contains("unit research_units#2  id=U3"), "{out}");
        // Bad input is an error, not a panic.
        let (code, out) = run_args(&["query", &b, "--bbox", "1,2,3"]);
        assert_ne!(code, 0, "{out}");
        let (code, _) = run_args(&["query", &b, "--point", "114,22", "--layer", "nope"]);
        assert_ne!(code, 0);
    }

    #[test]
    fn info_reports_counts_types_and_area() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (b, _) = write_zone(dir.path());
        let (code, out) = run_args(&["info", &b, "--json"]);
        assert_eq!(code, 0, "{out}");
        let v: Value = serde_json::from_str(&out).expect("json");
        let l = &v["layers"][0];
        assert_eq!(l["name"], "buildings");
        assert_eq!(l["features"], 3);
        assert_eq!(l["geometry_types"]["Polygon"], 3);
        assert_eq!(l["has_z"], false);
        assert_eq!(l["bbox"][0], 114.07);
        assert_eq!(l["bbox"][2], 114.090 + 0.001); // as the fixture writes it
        let floors = l["properties"]
            .as_array()
            .expect("props")
            .iter()
            .find(|p| p["name"] == "floors")
            .expect("floors");
        assert_eq!(floors["types"], serde_json::json!(["number", "null"]));
        // Independent area: three 0.001° squares, each about (0.001 * 102.8 km) x (0.001 * 110.7 km).
        let area = l["geodesic_area_m2"].as_f64().expect("area");
        let (kx, ky) =
            hetao_atlas::core::measure::TangentFrame::new(114.08, 22.5205).metres_per_degree();
        let approx = 3.0 * (0.001 * kx) * (0.001 * ky);
        assert!((area - approx).abs() < 1e-3 * approx, "{area} vs {approx}");
        let (code, out) = run_args(&["info", &b]);
        assert_eq!(code, 0);
        assert!(out.contains("features: 3 (Polygon 3)"), "{out}");
        assert!(out.contains("floors: number|null"), "{out}");
    }

    #[test]
    fn export_writes_selected_layers_atomically_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (b, u) = write_zone(dir.path());
        let out_path = dir.path().join("out.geojson");
        let o = out_path.display().to_string();
        let (code, out) = run_args(&[
            "export",
            &b,
            &u,
            "--layers",
            "buildings",
            "--bbox",
            "114.0695,22.5195,114.0805,22.5215",
            "--out",
            &o,
        ]);
        assert_eq!(code, 0, "{out}");
        let l = hetao_atlas::core::io::load_path(&out_path).expect("exported file loads");
        let ids: Vec<String> = l
            .features
            .iter()
            .filter_map(|f| f.id.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(ids, ["B1", "B2"]);
        assert_eq!(l.features[0].prop_str("name"), Some("Tower One"));
        // No overwrite without --force; the file is unchanged.
        let before = std::fs::read(&out_path).expect("read");
        let (code, out) = run_args(&["export", &b, "--layers", "buildings", "--out", &o]);
        assert_ne!(code, 0);
        assert!(out.contains("--force"), "{out}");
        assert_eq!(std::fs::read(&out_path).expect("read"), before);
        let (code, _) = run_args(&[
            "export",
            &b,
            "--layers",
            "buildings",
            "--out",
            &o,
            "--force",
        ]);
        assert_eq!(code, 0);
        assert_eq!(
            hetao_atlas::core::io::load_path(&out_path)
                .expect("load")
                .features
                .len(),
            3
        );
        // A layer name is only a name: a path-like one is simply unknown, nothing is written.
        let evil = dir.path().join("evil.geojson");
        let (code, out) = run_args(&[
            "export",
            &b,
            "--layers",
            "../../etc/passwd",
            "--out",
            &evil.display().to_string(),
        ]);
        assert_ne!(code, 0);
        assert!(out.contains("no layer"), "{out}");
        assert!(!evil.exists());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(".hetao-")),
            "temporary left: {names:?}"
        );
    }
}
