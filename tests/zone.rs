//! The zone dataset and planning model: parks, generated buildings, calibration,
//! reproducibility, `hetao stats` and scenarios.
//!
//! Expected values come from the published figures (seeds/targets.json, the facts file),
//! the OSM data's own recorded geodesic area, and sums computed here directly from the
//! shipped GeoJSON with serde_json (not through the module under test).

use geo::{BoundingRect, Contains, Coord, Intersects, LineString, Point, Polygon, Validation};
use hetao_atlas::cli::run_args;
use hetao_atlas::core::measure::geodesic_area_m2;
use hetao_atlas::core::model::Dataset;
use hetao_atlas::core::zone::{
    self, Edit, LAYER_NAMES, Scenario, ScenarioError, ZoneStats, generator, park, planning,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn json_file(p: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo(p)).expect("read")).expect("json")
}

fn features(p: &str) -> Vec<Value> {
    json_file(p)["features"]
        .as_array()
        .expect("features")
        .clone()
}

fn ds() -> Dataset {
    zone::embedded_dataset().expect("embedded dataset")
}

/// The status of a feature in `year` from its JSON history (independent of status_as_of).
fn status_in(f: &Value, year: i64) -> Option<String> {
    let mut cur = None;
    for e in f["properties"]["history"].as_array().expect("history") {
        if e["year"].as_i64().expect("year") <= year {
            cur = Some(e["status"].as_str().expect("status").to_string());
        }
    }
    cur
}

fn delivered(s: &Option<String>) -> bool {
    matches!(s.as_deref(), Some("converted") | Some("completed"))
}

fn prop<'a>(f: &'a Value, k: &str) -> &'a Value {
    &f["properties"][k]
}

fn target(id: &str) -> f64 {
    let t = json_file("seeds/targets.json");
    t["floor_space"]
        .as_array()
        .expect("floor_space")
        .iter()
        .find(|e| e["id"] == id)
        .and_then(|e| e["value"].as_f64())
        .expect("target")
}

const RESEARCH: [&str; 3] = ["wet_lab", "dry_lab_office", "pilot_production"];
const COUNTED: [&str; 5] = [
    "wet_lab",
    "dry_lab_office",
    "pilot_production",
    "talent_housing",
    "supporting",
];

#[test]
fn embedded_layers_named_ordered_and_attributed() {
    let d = ds();
    let names: Vec<&str> = d.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, LAYER_NAMES);
    for l in &d.layers {
        assert!(!l.features.is_empty(), "{} is empty", l.name);
        let a = l.attribution.as_deref().expect("attribution");
        assert!(!a.is_empty());
    }
    for osm in [
        "futian_district",
        "shenzhen_metro_2016",
        "mtr",
        "lok_ma_chau_loop",
        "shenzhen_river",
        "hk_roads",
        "hk_osm_buildings",
    ] {
        let a = d.layer(osm).and_then(|l| l.attribution.as_deref());
        assert_eq!(a, Some("© OpenStreetMap contributors"), "{osm}");
        assert!(!d.layer(osm).expect("layer").illustrative, "{osm}");
    }
    assert_eq!(
        d.layer("hk_districts")
            .and_then(|l| l.attribution.as_deref()),
        Some("HKSAR Government / Home Affairs Department, via DATA.GOV.HK")
    );
    assert_eq!(
        d.layer("ne_gba").and_then(|l| l.attribution.as_deref()),
        Some("Natural Earth")
    );
    assert!(
        d.layer("places")
            .and_then(|l| l.attribution.as_deref())
            .is_some_and(|a| a.contains("GeoNames"))
    );
    for ill in ["shenzhen_park", "buildings", "research_units"] {
        assert!(d.layer(ill).expect("layer").illustrative, "{ill}");
    }
    assert_eq!(d.layer("hk_districts").expect("had").features.len(), 18);
    // The real OSM data of the Hong Kong side (issue 13): 196 footprints, 802 road fragments;
    // the buildings layer credits OSM for its real footprints.
    assert_eq!(
        d.layer("hk_osm_buildings").expect("osm").features.len(),
        196
    );
    assert_eq!(d.layer("hk_roads").expect("roads").features.len(), 802);
    assert!(
        d.layer("buildings")
            .and_then(|l| l.attribution.as_deref())
            .is_some_and(|a| a.contains("© OpenStreetMap contributors"))
    );
}

#[test]
fn park_areas() {
    let d = ds();
    // Shenzhen: 3.02 km² ± 1 %.
    let sz = zone::park_geometry(&d, "SZ").expect("sz park");
    let a = geodesic_area_m2(&sz.into());
    assert!((a - 3_020_000.0).abs() <= 30_200.0, "SZ park {a} m²");
    // The Loop's administrative face: 1,079,408 m² (recorded in the OSM file) within 1 m².
    let loop_layer = d.layer("lok_ma_chau_loop").expect("loop");
    let poly = loop_layer
        .features
        .iter()
        .find_map(|f| match &f.geometry {
            Some(geo::Geometry::Polygon(p)) => Some(p.clone()),
            _ => None,
        })
        .expect("loop polygon");
    let a = geodesic_area_m2(&poly.into());
    assert!((a - 1_079_408.0).abs() <= 1.0, "Loop {a} m²");
    // The stats report both figures.
    let (code, out) = run_args(&["stats", "--year", "2025"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1,079,408") && out.contains("870,000"),
        "{out}"
    );
}

#[test]
fn schematic_shenzhen_park_construction() {
    let d = ds();
    let layer = d.layer("shenzhen_park").expect("park layer");
    assert_eq!(layer.features.len(), 1);
    let f = &layer.features[0];
    assert_eq!(
        f.prop("illustrative").map(|v| v.to_value()),
        Some(json!(true))
    );
    assert_eq!(f.prop("schematic").map(|v| v.to_value()), Some(json!(true)));
    assert!(f.prop_str("note").is_some_and(|n| n.contains("SCHEMATIC")));
    assert_eq!(layer.foreign.get("schematic"), Some(&json!(true)));
    let Some(geo::Geometry::Polygon(p)) = &f.geometry else {
        panic!("not a polygon")
    };
    assert!(p.is_valid(), "invalid park polygon");
    // Southern edge: every river vertex between the longitudes is a vertex of the park.
    let river: Vec<Coord<f64>> =
        match &d.layer("shenzhen_river").expect("river").features[0].geometry {
            Some(geo::Geometry::LineString(l)) => l.0.clone(),
            _ => panic!("river"),
        };
    let between: Vec<_> = river
        .iter()
        .filter(|c| (park::WEST_LON..=park::EAST_LON).contains(&c.x))
        .collect();
    assert!(between.len() > 50);
    for c in &between {
        assert!(
            p.exterior().0.contains(c),
            "river vertex {c:?} not on the park"
        );
    }
    assert!((between[0].x - 114.0340851).abs() < 1e-9);
    assert!((between[between.len() - 1].x - 114.0845277).abs() < 1e-9);
    // Inside Futian District's outer boundary (the HK Port Area hole is inside the park).
    let futian = match &d.layer("futian_district").expect("futian").features[0].geometry {
        Some(geo::Geometry::MultiPolygon(mp)) => {
            mp.0.iter()
                .max_by_key(|q| q.exterior().0.len())
                .expect("part")
                .clone()
        }
        _ => panic!("futian"),
    };
    let futian_outer = Polygon::new(futian.exterior().clone(), vec![]);
    assert!(futian_outer.contains(p), "park leaves Futian District");
    // Takes in the Huanggang control point, the HK Port Area extent, the Futian control point.
    let places = d.layer("places").expect("places");
    let hg = places
        .features
        .iter()
        .find(|f| {
            f.prop_str("name")
                .is_some_and(|n| n.starts_with("Huanggang Port"))
        })
        .and_then(|f| f.geometry.clone())
        .expect("Huanggang point");
    assert!(p.contains(&hg));
    let port_area = d.layer("huanggang_hk_port_area").expect("port").features[0]
        .geometry
        .clone()
        .expect("bbox");
    assert!(p.contains(&port_area));
    let river_line = LineString::new(river.clone());
    let futian_cp = park::futian_control_point(&river_line).expect("futian cp");
    assert!(p.contains(&Point::from(futian_cp)));
    // Rebuilding it gives the shipped outline.
    let rebuilt = park::schematic_shenzhen_park().expect("rebuild");
    assert_eq!(&rebuilt.polygon, p);
    assert!((rebuilt.area_m2 - park::TARGET_AREA_M2).abs() < 0.01 * park::TARGET_AREA_M2);
}

#[test]
fn buildings_do_not_overlap_and_stay_in_their_park() {
    let d = ds();
    let b = &d.layer("buildings").expect("buildings").features;
    assert!(b.len() > 100);
    let sz = zone::park_geometry(&d, "SZ").expect("sz");
    let hk = zone::park_geometry(&d, "HK").expect("hk");
    let polys: Vec<(String, Polygon<f64>)> = b
        .iter()
        .map(|f| match &f.geometry {
            Some(geo::Geometry::Polygon(p)) => (zone::feature_id(f).expect("id"), p.clone()),
            _ => panic!("building is not a polygon"),
        })
        .collect();
    for (f, (id, p)) in b.iter().zip(&polys) {
        assert!(p.is_valid(), "{id} invalid");
        let park = match f.prop_str("park") {
            Some("SZ") => &sz,
            Some("HK") => &hk,
            other => panic!("{id}: park {other:?}"),
        };
        assert!(park.contains(p), "{id} leaves its park");
    }
    let boxes: Vec<_> = polys
        .iter()
        .map(|(_, p)| p.bounding_rect().expect("bbox"))
        .collect();
    let mut pairs_checked = 0;
    for i in 0..polys.len() {
        for j in i + 1..polys.len() {
            let (a, c) = (boxes[i], boxes[j]);
            if a.max().x < c.min().x
                || c.max().x < a.min().x
                || a.max().y < c.min().y
                || c.max().y < a.min().y
            {
                continue;
            }
            pairs_checked += 1;
            // Real footprints are as OpenStreetMap maps them (neighbours may share a wall);
            // a generated one keeps clear of every other building.
            let real = |k: usize| b[k].prop("osm_id").is_some();
            if real(i) && real(j) {
                continue;
            }
            assert!(
                !polys[i].1.intersects(&polys[j].1),
                "{} overlaps {}",
                polys[i].0,
                polys[j].0
            );
        }
    }
    // Units lie inside their building.
    let units = &d.layer("research_units").expect("units").features;
    assert!(units.len() > 100);
    for u in units {
        let bid = u.prop_str("building_id").expect("building_id");
        let (_, p) = polys
            .iter()
            .find(|(id, _)| id == bid)
            .expect("building exists");
        let g = u.geometry.as_ref().expect("unit geometry");
        assert!(p.contains(g), "{:?} not inside {bid}", zone::feature_id(u));
    }
    let _ = pairs_checked;
}

#[test]
fn generated_features_schema_and_calibration() {
    let bs = features("data/zone/buildings.geojson");
    let us = features("data/zone/research_units.geojson");
    let uses = [
        "wet_lab",
        "dry_lab_office",
        "pilot_production",
        "talent_housing",
        "supporting",
        "port_logistics",
        "factory_warehouse",
    ];
    let statuses = [
        "existing",
        "converting",
        "converted",
        "under_construction",
        "planned",
        "completed",
    ];
    for f in bs.iter().chain(&us) {
        // Real OSM footprints (the Hong Kong park's, issue 13) are not illustrative; every
        // generated building and every research unit is.
        let real = !prop(f, "osm_id").is_null();
        assert_eq!(prop(f, "illustrative"), &json!(!real), "{}", f["id"]);
        assert_eq!(f["id"], *prop(f, "id"));
        let h = prop(f, "history").as_array().expect("history");
        assert!(!h.is_empty());
        let years: Vec<i64> = h.iter().map(|e| e["year"].as_i64().expect("y")).collect();
        assert!(years.windows(2).all(|w| w[0] <= w[1]), "{}", f["id"]);
        for e in h {
            assert!(statuses.contains(&e["status"].as_str().expect("s")));
        }
        assert_eq!(
            prop(f, "status").as_str(),
            status_in(f, 2025).as_deref(),
            "{}",
            f["id"]
        );
    }
    for f in &bs {
        assert!(uses.contains(&prop(f, "use").as_str().expect("use")));
        for k in ["name", "floors", "footprint_m2", "gfa_m2", "year", "park"] {
            assert!(!prop(f, k).is_null(), "{} lacks {k}", f["id"]);
        }
        assert_eq!(
            prop(f, "year"),
            &prop(f, "history").as_array().expect("h").last().expect("e")["year"]
        );
    }
    let gfa = |f: &Value| prop(f, "gfa_m2").as_f64().expect("gfa");
    let is = |f: &Value, k: &str, v: &str| prop(f, k).as_str() == Some(v);
    let use_in = |f: &Value, set: &[&str]| set.contains(&prop(f, "use").as_str().expect("use"));
    // ~800,000 m² of research space converted or renovated in the Shenzhen park by 2023.
    let sz2023: f64 = bs
        .iter()
        .filter(|f| is(f, "park", "SZ") && use_in(f, &RESEARCH) && delivered(&status_in(f, 2023)))
        .map(gfa)
        .sum();
    assert_eq!(sz2023, target("sz_research_space_2023"));
    let units2023: f64 = us
        .iter()
        .filter(|u| is(u, "park", "SZ") && delivered(&status_in(u, 2023)))
        .map(|u| prop(u, "floor_area_m2").as_f64().expect("fa"))
        .sum();
    assert_eq!(units2023, 800_000.0);
    // ~1,000,000 m² of research space planned on the freed Huanggang Port land.
    let hg: f64 = bs
        .iter()
        .filter(|f| {
            is(f, "area", "huanggang_port")
                && use_in(f, &RESEARCH)
                && prop(f, "history")[0]["status"] == "planned"
                && status_in(f, 2025).as_deref() == Some("planned")
                && delivered(&status_in(f, 2035))
        })
        .map(gfa)
        .sum();
    assert_eq!(hg, target("sz_huanggang_research_space_2035"));
    assert_eq!(hg, 1_000_000.0);
    // > 3,000,000 m² of new research and supporting space in the Shenzhen park by 2035.
    let sz2035: f64 = bs
        .iter()
        .filter(|f| is(f, "park", "SZ") && use_in(f, &COUNTED) && delivered(&status_in(f, 2035)))
        .map(gfa)
        .sum();
    assert!(sz2035 >= target("sz_new_space_2035"));
    assert_eq!(sz2035, 3_000_000.0);
    // Hong Kong park Phase 1: ~1,000,000 m² GFA.
    let hk1: f64 = bs
        .iter()
        .filter(|f| is(f, "park", "HK") && prop(f, "phase") == &json!(1))
        .map(gfa)
        .sum();
    assert_eq!(hk1, target("hk_phase1_gfa"));
    // Batch 1: eight buildings, three completed by 2025 (two wet labs, one talent housing).
    let batch1: Vec<&Value> = bs
        .iter()
        .filter(|f| prop(f, "batch") == &json!(1))
        .collect();
    // Since the Loop's buildings are real OSM footprints (issue 13), Batch 1 is six
    // footprints holding the eight buildings ("2-3" and "5-6" are two each).
    let in_batch1: i64 = batch1
        .iter()
        .map(|f| {
            prop(f, "batch_buildings")
                .as_i64()
                .expect("batch_buildings")
        })
        .sum();
    assert_eq!(in_batch1 as f64, target("hk_batch1_buildings"));
    assert_eq!(batch1.len(), 6);
    assert!(batch1.iter().all(|f| !prop(f, "osm_id").is_null()));
    let done: Vec<&&Value> = batch1
        .iter()
        .filter(|f| status_in(f, 2025).as_deref() == Some("completed"))
        .collect();
    assert_eq!(done.len() as f64, target("hk_batch1_completed_2025"));
    let mut done_uses: Vec<&str> = done
        .iter()
        .map(|f| prop(f, "use").as_str().expect("u"))
        .collect();
    done_uses.sort();
    assert_eq!(done_uses, ["talent_housing", "wet_lab", "wet_lab"]);
    for f in batch1
        .iter()
        .filter(|f| status_in(f, 2025).as_deref() != Some("completed"))
    {
        assert!(prop(f, "year").as_i64().expect("year") >= 2027);
    }
    // Named after the real projects, with their published GFAs, still illustrative.
    let named = |s: &str| {
        bs.iter()
            .find(|f| {
                prop(f, "named_after")
                    .as_str()
                    .is_some_and(|n| n.contains(s))
            })
            .expect(s)
    };
    assert_eq!(
        gfa(named("深港开放创新中心")),
        target("sz_open_innovation_centre_gfa")
    );
    assert_eq!(gfa(named("河套壹号")), target("sz_service_centre_gfa"));
    // Research units partition their building's GFA.
    for b in bs.iter().filter(|f| use_in(f, &RESEARCH)) {
        let s: f64 = us
            .iter()
            .filter(|u| prop(u, "building_id") == prop(b, "id"))
            .map(|u| prop(u, "floor_area_m2").as_f64().expect("fa"))
            .sum();
        assert_eq!(s, gfa(b), "units of {}", b["id"]);
    }
    assert!(
        us.iter()
            .all(|u| bs.iter().any(|b| prop(b, "id") == prop(u, "building_id")))
    );
}

#[test]
fn generator_is_reproducible_byte_for_byte() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    let seed = generator::DEFAULT_SEED.to_string();
    for d in [&a, &b] {
        let out = d.path().to_str().expect("utf8");
        let (code, text) = run_args(&["scenario", "generate", "--seed", &seed, "--out", out]);
        assert_eq!(code, 0, "{text}");
    }
    for name in [
        "shenzhen_park_schematic.geojson",
        "buildings.geojson",
        "research_units.geojson",
    ] {
        let x = std::fs::read(a.path().join(name)).expect("a");
        let y = std::fs::read(b.path().join(name)).expect("b");
        let shipped = std::fs::read(repo(&format!("data/zone/{name}"))).expect("shipped");
        assert_eq!(x, y, "{name} differs between runs");
        assert_eq!(x, shipped, "{name} differs from the shipped data/zone file");
    }
    let other = generator::generate(7).expect("seed 7");
    let base = generator::generate(generator::DEFAULT_SEED).expect("default");
    assert_ne!(other.buildings, base.buildings);
    assert_eq!(
        other.park, base.park,
        "the park does not depend on the seed"
    );
    // The PRNG is SplitMix64: first outputs for seed 0 from the reference implementation.
    let mut r = generator::SplitMix64::new(0);
    assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
}

/// (park, status or use, m²) sums.
type Sums = Vec<(String, String, f64)>;

/// Independent sums over the shipped JSON for one year.
fn direct_sums(year: i64) -> (Sums, Sums, [f64; 2]) {
    let bs = features("data/zone/buildings.geojson");
    let mut by_status = Vec::new();
    let mut by_use = Vec::new();
    let mut deliv = [0.0; 2];
    for f in &bs {
        let Some(s) = status_in(f, year) else {
            continue;
        };
        let park = prop(f, "park").as_str().expect("park").to_string();
        let u = prop(f, "use").as_str().expect("use").to_string();
        let g = prop(f, "gfa_m2").as_f64().expect("gfa");
        match by_status
            .iter_mut()
            .find(|e: &&mut (String, String, f64)| e.0 == park && e.1 == s)
        {
            Some(e) => e.2 += g,
            None => by_status.push((park.clone(), s.clone(), g)),
        }
        match by_use
            .iter_mut()
            .find(|e: &&mut (String, String, f64)| e.0 == park && e.1 == u)
        {
            Some(e) => e.2 += g,
            None => by_use.push((park.clone(), u.clone(), g)),
        }
        if COUNTED.contains(&u.as_str()) && delivered(&Some(s)) {
            deliv[usize::from(park == "HK")] += g;
        }
    }
    (by_status, by_use, deliv)
}

#[test]
fn stats_equal_direct_sums() {
    let d = ds();
    for year in [2017, 2020, 2023, 2025, 2030, 2035, 2040] {
        let st = ZoneStats::compute(&d, year);
        let (by_status, by_use, deliv) = direct_sums(i64::from(year));
        for (pi, ps) in st.parks.iter().enumerate() {
            for (s, v) in &ps.gfa_by_status {
                let want = by_status
                    .iter()
                    .find(|e| e.0 == ps.park && &e.1 == s)
                    .map_or(0.0, |e| e.2);
                assert_eq!(*v, want, "{year} {} {s}", ps.park);
            }
            for (u, v) in &ps.gfa_by_use {
                let want = by_use
                    .iter()
                    .find(|e| e.0 == ps.park && &e.1 == u)
                    .map_or(0.0, |e| e.2);
                assert_eq!(*v, want, "{year} {} {u}", ps.park);
            }
            let p = ps.progress.as_ref().expect("progress");
            assert_eq!(p.delivered_m2, deliv[pi], "{year} {}", ps.park);
            assert!((p.percent - 100.0 * deliv[pi] / p.target_m2).abs() < 1e-9);
            let (_, _, before) = direct_sums(i64::from(year) - 3);
            assert!((p.pace_per_year_m2 - (deliv[pi] - before[pi]) / 3.0).abs() < 1e-6);
            if year < 2035 {
                let need = (p.target_m2 - deliv[pi]).max(0.0) / f64::from(2035 - year);
                assert!((p.needed_per_year_m2.expect("needed") - need).abs() < 1e-6);
            }
        }
    }
    // The CLI's JSON carries the same figures.
    let (code, out) = run_args(&["stats", "--year", "2030", "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let (_, _, deliv) = direct_sums(2030);
    assert_eq!(
        v["parks"][0]["progress"]["delivered_m2"].as_f64(),
        Some(deliv[0])
    );
    assert_eq!(
        v["parks"][1]["progress"]["delivered_m2"].as_f64(),
        Some(deliv[1])
    );
}

#[test]
fn stats_table_2035_is_readable() {
    let (code, out) = run_args(&["stats", "--year", "2035"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("as of 2035"));
    assert!(out.contains("Progress toward the 2035 targets"));
    let target_line = out
        .lines()
        .find(|l| l.trim_start().starts_with("target (m²)"))
        .expect("target line");
    assert!(target_line.contains("3,000,000") && target_line.contains("1,000,000"));
    assert!(target_line.contains("4,000,000"));
    // Aligned: every row of a section has the same width.
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(','))
        .collect();
    assert!(rows.len() > 10);
    let w = rows[0].chars().count();
    assert!(rows.iter().all(|r| r.chars().count() == w), "{out}");
    // Bad year: a clear error.
    let (code, out) = run_args(&["stats", "--year", "99999"]);
    assert_ne!(code, 0);
    assert!(out.contains("--year"));
}

/// A small square inside the park, clear of every building, for add_building.
fn free_square(d: &Dataset, park: &str) -> Polygon<f64> {
    let outline = zone::park_geometry(d, park).expect("outline");
    let r = outline.bounding_rect().expect("bbox");
    let bs = &d.layer("buildings").expect("b").features;
    let s = 0.0001; // ~10 m
    let mut y = r.min().y;
    while y < r.max().y {
        let mut x = r.min().x;
        while x < r.max().x {
            let sq = geo::Rect::new(Coord { x, y }, Coord { x: x + s, y: y + s }).to_polygon();
            if outline.contains(&sq)
                && !bs
                    .iter()
                    .any(|f| f.geometry.as_ref().is_some_and(|g| g.intersects(&sq)))
            {
                return sq;
            }
            x += 0.0002;
        }
        y += 0.0002;
    }
    panic!("no free square");
}

fn polygon_json(p: &Polygon<f64>) -> Value {
    let ring: Vec<Value> = p.exterior().0.iter().map(|c| json!([c.x, c.y])).collect();
    json!({"type": "Polygon", "coordinates": [ring]})
}

#[test]
fn scenario_round_trip_and_exact_effect() {
    let base = ds();
    let bs = &base.layer("buildings").expect("b").features;
    let delivered_sz = bs
        .iter()
        .find(|f| {
            f.prop_str("park") == Some("SZ")
                && f.prop_str("use") == Some("wet_lab")
                && f.prop_str("status") == Some("converted")
        })
        .expect("a converted SZ wet lab");
    let planned_hk = bs
        .iter()
        .find(|f| f.prop_str("park") == Some("HK") && f.prop_str("status") == Some("planned"))
        .expect("a planned HK building");
    let sz_id = zone::feature_id(delivered_sz).expect("id");
    let hk_id = zone::feature_id(planned_hk).expect("id");
    let sz_gfa = planning::gfa(delivered_sz);
    let hk_gfa = planning::gfa(planned_hk);
    let sq = free_square(&base, "SZ");
    let sc = Scenario {
        name: "test".into(),
        description: "every kind of edit".into(),
        edits: vec![
            Edit::SetFloorArea {
                id: sz_id.clone(),
                m2: sz_gfa + 12_345.0,
            },
            Edit::SetStatus {
                id: hk_id.clone(),
                status: "completed".into(),
                year: 2026,
            },
            Edit::AddBuilding {
                feature: json!({"type": "Feature", "id": "SZ-NEW1",
                    "properties": {"park": "SZ", "use": "supporting", "gfa_m2": 777,
                        "history": [{"year": 2024, "status": "planned"},
                                    {"year": 2027, "status": "completed"}]},
                    "geometry": polygon_json(&sq)}),
            },
        ],
    };
    // save → load → equal
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("s.json");
    sc.save(&path).expect("save");
    let back = Scenario::load(&path).expect("load");
    assert_eq!(back, sc);
    // Apply: the stats change by exactly the edits.
    let mut edited = base.clone();
    back.apply(&mut edited).expect("apply");
    let b0 = |y| planning::delivered_m2(&base, "SZ", y);
    let b1 = |y| planning::delivered_m2(&edited, "SZ", y);
    let h0 = |y| planning::delivered_m2(&base, "HK", y);
    let h1 = |y| planning::delivered_m2(&edited, "HK", y);
    assert_eq!(b1(2025) - b0(2025), 12_345.0);
    assert_eq!(b1(2027) - b0(2027), 12_345.0 + 777.0);
    assert_eq!(h1(2025) - h0(2025), 0.0);
    assert_eq!(h1(2026) - h0(2026), hk_gfa);
    let s0 = ZoneStats::compute(&base, 2030);
    let s1 = ZoneStats::compute(&edited, 2030);
    assert_eq!(
        s1.parks[0].total_gfa_m2 - s0.parks[0].total_gfa_m2,
        12_345.0 + 777.0
    );
    assert_eq!(
        edited.layer("buildings").expect("b").features.len(),
        bs.len() + 1
    );
    // The CLI applies the saved file the same way.
    let (code, out) = run_args(&[
        "stats",
        "--year",
        "2027",
        "--json",
        "--scenario",
        path.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["parks"][0]["progress"]["delivered_m2"].as_f64(),
        Some(b1(2027))
    );
    // remove takes the building and its units away.
    let rm = Scenario {
        edits: vec![Edit::Remove { id: sz_id.clone() }],
        ..Scenario::default()
    };
    let mut removed = base.clone();
    rm.apply(&mut removed).expect("remove");
    assert_eq!(
        b0(2025) - planning::delivered_m2(&removed, "SZ", 2025),
        sz_gfa
    );
    assert!(
        !removed
            .layer("research_units")
            .expect("u")
            .features
            .iter()
            .any(|u| u.prop_str("building_id") == Some(sz_id.as_str()))
    );
    // apply --out writes files that load back.
    let out_dir = dir.path().join("applied");
    let (code, text) = run_args(&[
        "scenario",
        "apply",
        "--scenario",
        path.to_str().expect("utf8"),
        "--out",
        out_dir.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0, "{text}");
    let l = hetao_atlas::core::io::load_path(&out_dir.join("buildings.geojson")).expect("load");
    assert_eq!(l.features.len(), bs.len() + 1);
}

#[test]
fn scenario_errors_name_edit_and_feature() {
    let base = ds();
    let bad = Scenario {
        edits: vec![
            Edit::SetYear {
                id: "SZ-B001".into(),
                year: 2030,
            },
            Edit::SetStatus {
                id: "NO-SUCH-ID".into(),
                status: "completed".into(),
                year: 2030,
            },
        ],
        ..Scenario::default()
    };
    let mut d = base.clone();
    let e = bad.apply(&mut d).expect_err("must fail");
    let msg = e.to_string();
    assert!(matches!(e, ScenarioError::Edit { index: 1, .. }), "{msg}");
    assert!(
        msg.contains("edit 1") && msg.contains("NO-SUCH-ID"),
        "{msg}"
    );
    // The dataset is unchanged after a failed apply.
    assert_eq!(
        ZoneStats::compute(&d, 2035),
        ZoneStats::compute(&base, 2035)
    );
    // Unknown status.
    let e = Scenario {
        edits: vec![Edit::SetStatus {
            id: "SZ-B001".into(),
            status: "demolished".into(),
            year: 2030,
        }],
        ..Scenario::default()
    }
    .apply(&mut d)
    .expect_err("unknown status");
    assert!(e.to_string().contains("demolished"));
    // Overlap: adding a copy of an existing footprint names the other building.
    let b = &base.layer("buildings").expect("b").features[0];
    let Some(geo::Geometry::Polygon(p)) = &b.geometry else {
        panic!()
    };
    let e = Scenario {
        edits: vec![Edit::AddBuilding {
            feature: json!({"type": "Feature", "id": "X1",
                "properties": {"park": b.prop_str("park"), "use": "supporting", "gfa_m2": 1, "status": "planned"},
                "geometry": polygon_json(p)}),
        }],
        ..Scenario::default()
    }
    .apply(&mut d)
    .expect_err("overlap");
    let msg = e.to_string();
    assert!(msg.contains("edit 0") && msg.contains("X1"), "{msg}");
    assert!(msg.contains(&zone::feature_id(b).expect("id")), "{msg}");
    // Malformed file: file:line:column.
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("bad.json");
    std::fs::write(
        &f,
        "{\n  \"edits\": [\n    {\"op\": \"set_year\", \"id\": 5}\n  ]\n}\n",
    )
    .expect("write");
    let e = Scenario::load(&f).expect_err("malformed");
    match &e {
        ScenarioError::Parse { line, column, .. } => {
            assert_eq!(*line, 3);
            assert!(*column > 1);
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().starts_with(&format!("{}:3:", f.display())));
    let (code, out) = run_args(&["stats", "--scenario", f.to_str().expect("utf8")]);
    assert_ne!(code, 0);
    assert!(out.contains("bad.json:3:"), "{out}");
}

#[test]
fn official_outline_replaces_the_schematic_one() {
    let mut d = ds();
    // A stand-in "official" outline: a rectangle around the FTZ, written to a file.
    let rect = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"name": "official"},
        "geometry": {"type": "Polygon", "coordinates": [[[114.035, 22.500], [114.062, 22.500],
            [114.062, 22.516], [114.035, 22.516], [114.035, 22.500]]]}}]});
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("official.geojson");
    std::fs::write(&f, rect.to_string()).expect("write");
    let layer = hetao_atlas::core::io::load_path(&f).expect("load");
    zone::replace_shenzhen_park(&mut d, layer).expect("replace");
    let names: Vec<&str> = d.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, LAYER_NAMES, "the layer keeps its place");
    let l = d.layer("shenzhen_park").expect("park");
    assert!(!l.illustrative);
    let want = geodesic_area_m2(
        &geo::Rect::new(
            Coord {
                x: 114.035,
                y: 22.5,
            },
            Coord {
                x: 114.062,
                y: 22.516,
            },
        )
        .to_polygon()
        .into(),
    );
    let st = ZoneStats::compute(&d, 2025);
    assert!((st.parks[0].outline_area_m2 - want).abs() < 1e-6);
    assert!(!st.parks[0].outline_illustrative);
    assert!(!zone::buildings_outside_park(&d).is_empty());
    let (code, out) = run_args(&["stats", "--sz-park", f.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("supplied") && out.contains("outside the supplied park outline"));
    // A file with no polygon is refused.
    let empty = hetao_atlas::core::model::Layer::default();
    assert!(zone::replace_shenzhen_park(&mut d, empty).is_err());
}

/// The zone's shipped styles (`core::zone::STYLE_FILES`, given to the renderer, which knows
/// no zone) parse, cover every embedded layer, and say which layers make the default view:
/// the parks, the buildings and the research units.
#[test]
fn the_zone_styles_cover_every_layer_and_name_the_default_view() {
    use hetao_atlas::render::StyleSet;
    let set = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    for name in hetao_atlas::core::zone::LAYER_NAMES {
        assert_eq!(set.for_layer(name).layer, *name, "no style for {name}");
    }
    let mut fit: Vec<&str> = hetao_atlas::core::zone::LAYER_NAMES
        .iter()
        .copied()
        .filter(|n| set.for_layer(n).fit)
        .collect();
    fit.sort();
    assert_eq!(
        fit,
        [
            "buildings",
            "lok_ma_chau_loop",
            "research_units",
            "shenzhen_park"
        ]
    );
}
