//! Validation of the travel-reach model (`hetao_atlas::core::reach`): rail times against
//! published ones, walking geometry against circles and an independent octile-distance
//! computation, symmetry, and the rule that the boundary is crossed only at control points.

use geo::{Area, BooleanOps, Geometry, LineString, MultiPolygon};
use hetao_atlas::cli::run_args;
use hetao_atlas::core::model::{Dataset, Feature, Layer};
use hetao_atlas::core::reach::{Mode, Network, ReachParams, Route, reach, travel_time};
use std::sync::OnceLock;

fn net() -> &'static Network {
    static NET: OnceLock<Network> = OnceLock::new();
    NET.get_or_init(|| Network::build_embedded(&ReachParams::default()).expect("network builds"))
}

const NINE_AM: f64 = 9.0 * 60.0;

/// Station positions from data/context/mtr_osm.geojson and data/transit/intercity.json.
const SHEUNG_SHUI: (f64, f64) = (114.12806166153848, 22.50113452307692);
const LOK_MA_CHAU: (f64, f64) = (114.06567659999999, 22.51444996);
const ADMIRALTY: (f64, f64) = (114.16599002500003, 22.278604260714282);
const FUTIAN_HSR: (f64, f64) = (114.0553, 22.5381);
const WEST_KOWLOON: (f64, f64) = (114.1650, 22.3040);

/// In-vehicle minutes of a route (its `rail` legs).
fn ride_minutes(r: &Route) -> f64 {
    r.legs
        .iter()
        .filter(|l| l.kind == "rail")
        .map(|l| l.minutes)
        .sum()
}

/// Published time within ±10 % or ±2 minutes, whichever is larger.
fn within(published: f64, got: f64) -> bool {
    (got - published).abs() <= (0.1 * published).max(2.0)
}

#[test]
fn embedded_tables_parse_and_validate() {
    let p = ReachParams::embedded().expect("tables parse");
    p.validate().expect("defaults validate");
    assert_eq!(p.walk_speed_mps, 1.3);
    assert_eq!(p.cycle_speed_kmh, 15.0);
    assert_eq!(p.circuity, 1.25);
    assert!(
        p.control_points
            .iter()
            .any(|c| c.id == "lmc_huanggang" && c.hours == "00:00-24:00")
    );
    assert!(
        p.control_points
            .iter()
            .any(|c| c.id == "lmc_spur_futian" && c.hours == "06:30-22:30")
    );
    // Every line of the table is in the OSM layer (build fails otherwise) and every link has a source.
    assert!(p.intercity.links.iter().all(|l| !l.source.is_empty()));
    let json = serde_json::to_string(&p).expect("serialises");
    let back: ReachParams = serde_json::from_str(&json).expect("round-trips");
    assert_eq!(back, p);
    // A partial file keeps the other defaults.
    let partial: ReachParams = serde_json::from_str(r#"{"walk_speed_mps": 1.0}"#).expect("partial");
    assert_eq!(partial.walk_speed_mps, 1.0);
    assert_eq!(partial.circuity, 1.25);
}

#[test]
fn rail_sheung_shui_to_lok_ma_chau_is_6_min() {
    let r = travel_time(net(), SHEUNG_SHUI, LOK_MA_CHAU, Mode::Transit, NINE_AM).expect("route");
    let ride = ride_minutes(&r);
    assert!(within(6.0, ride), "SHS -> LMC ride {ride} min, route {r:?}");
    assert!(
        r.legs
            .iter()
            .any(|l| l.kind == "board" && l.name == "East Rail Line (Lok Ma Chau branch)")
    );
    assert_eq!(r.crossing_used, None);
    // Door to door adds access and half the branch's own headway (10-14.5 min at weekends:
    // 12.25 in data/transit/mtr_lines.json), not the line-wide 5 minutes.
    assert!(r.minutes >= ride + 2.0 + 12.25 / 2.0 - 1e-9, "{r:?}");
}

#[test]
fn rail_lok_ma_chau_to_admiralty_is_about_45_min() {
    let r = travel_time(net(), LOK_MA_CHAU, ADMIRALTY, Mode::Transit, NINE_AM).expect("route");
    let ride = ride_minutes(&r);
    assert!(
        within(45.0, ride),
        "LMC -> ADM ride {ride} min, route {r:?}"
    );
}

#[test]
fn xrl_futian_to_west_kowloon_is_14_to_19_min() {
    let r = travel_time(net(), FUTIAN_HSR, WEST_KOWLOON, Mode::Transit, NINE_AM).expect("route");
    let ride = ride_minutes(&r);
    assert!(
        (14.0 - 2.0..=19.0 + 2.0).contains(&ride),
        "Futian -> WK ride {ride}, {r:?}"
    );
    assert!(
        r.crossing_used.is_some(),
        "the XRL crosses the boundary: {r:?}"
    );
    let back = travel_time(net(), WEST_KOWLOON, FUTIAN_HSR, Mode::Transit, NINE_AM).expect("route");
    assert!((ride_minutes(&back) - ride).abs() < 1e-9);
}

#[test]
fn walk_30_min_area_against_circle() {
    // Fanling, inland, > 4 km from the boundary and the sea.
    let from = (114.13868, 22.49211);
    let iso = reach(net(), from, Mode::Walk, &[20.0, 30.0], NINE_AM).expect("reach");
    let v = 1.3;
    let circle = std::f64::consts::PI * (v * 30.0 * 60.0_f64).powi(2);
    let ratio = iso[1].area_m2 / circle;
    assert!((0.5..=0.9).contains(&ratio), "30-min area ratio {ratio}");
    // Area is the geodesic area of the geometry itself.
    let g = Geometry::MultiPolygon(iso[1].geometry.clone());
    let a = hetao_atlas::core::measure::geodesic_area_m2(&g);
    assert!((a - iso[1].area_m2).abs() < 1e-6 * a);
    // 20 within 30: what of the 20-minute polygon lies outside the 30-minute one is
    // only simplification noise.
    let outside: MultiPolygon<f64> = iso[0].geometry.difference(&iso[1].geometry);
    let frac = outside.unsigned_area() / iso[0].geometry.unsigned_area();
    assert!(
        frac < 0.002,
        "{frac} of the 20-min polygon is outside the 30-min one"
    );
    assert!(iso[0].area_m2 < iso[1].area_m2);
}

#[test]
fn walk_time_matches_octile_distance() {
    // On an open grid, the 8-neighbour shortest path is the octile distance between cells.
    let n = net();
    let a = (114.13868, 22.49211);
    let b = (114.15, 22.485);
    let r = travel_time(n, a, b, Mode::Walk, NINE_AM).expect("route");
    let (ax, ay) = n.proj.xy(a.0, a.1);
    let (bx, by) = n.proj.xy(b.0, b.1);
    let (ca, da) = n.snap_to_grid(ax, ay).expect("a on land");
    let (cb, db) = n.snap_to_grid(bx, by).expect("b on land");
    let ((pax, pay), (pbx, pby)) = (n.grid.centre(ca), n.grid.centre(cb));
    let (dx, dy) = (
        ((pbx - pax) / n.grid.cell).abs().round(),
        ((pby - pay) / n.grid.cell).abs().round(),
    );
    let octile = (dx.max(dy) - dx.min(dy)) + dx.min(dy) * std::f64::consts::SQRT_2;
    let p = &n.params;
    let expect_s = (octile * n.grid.cell + da + db) * p.circuity / p.walk_speed_mps;
    assert!(
        (r.minutes * 60.0 - expect_s).abs() < 2.0,
        "{} min vs {} s",
        r.minutes,
        expect_s
    );
    // Cycling takes the same path at 15 km/h.
    let c = travel_time(n, a, b, Mode::Cycle, NINE_AM).expect("cycle");
    let expect_c = expect_s * p.walk_speed_mps / (p.cycle_speed_kmh / 3.6);
    assert!(
        (c.minutes * 60.0 - expect_c).abs() < 2.0,
        "{} min vs {} s",
        c.minutes,
        expect_c
    );
}

#[test]
fn walking_is_symmetric() {
    let pairs = [
        ((114.0791, 22.5215), (114.0553, 22.5381)),
        ((114.13868, 22.49211), (114.065677, 22.51445)),
        ((114.1000, 22.4800), (114.1200, 22.5000)),
    ];
    for (a, b) in pairs {
        let ab = travel_time(net(), a, b, Mode::Walk, NINE_AM).expect("a->b");
        let ba = travel_time(net(), b, a, Mode::Walk, NINE_AM).expect("b->a");
        let dwell_asym = ab.crossing_used.is_some();
        if !dwell_asym {
            assert!(
                (ab.minutes - ba.minutes).abs() < 1e-9,
                "{a:?} {b:?}: {} vs {}",
                ab.minutes,
                ba.minutes
            );
        } else {
            // Default dwell is the same both ways.
            assert!((ab.minutes - ba.minutes).abs() < 1e-9);
        }
    }
}

#[test]
fn across_the_river_only_through_a_control_point() {
    // A vertex of the boundary line next to the Spur Line bridge is (114.0666597, 22.5170793);
    // these two points are about 15 m south and north of it.
    let south = (114.06666, 22.51694);
    let north = (114.06666, 22.51722);
    let n = net();
    let min_dwell = n
        .params
        .control_points
        .iter()
        .map(|c| c.dwell_min.hk_to_sz)
        .fold(f64::INFINITY, f64::min);
    let r = travel_time(n, south, north, Mode::Walk, NINE_AM).expect("route");
    assert!(r.crossing_used.is_some(), "{r:?}");
    assert!(
        r.minutes >= min_dwell,
        "{} min < dwell {min_dwell}",
        r.minutes
    );
    let crossing = r
        .legs
        .iter()
        .find(|l| l.kind == "crossing")
        .expect("crossing leg");
    let cp = n
        .params
        .control_points
        .iter()
        .find(|c| c.name == crossing.name)
        .expect("cp");
    assert!((crossing.minutes - cp.dwell_min.hk_to_sz).abs() < 1e-9);
    // At 03:00 only the 24-hour Lok Ma Chau - Huanggang control point is open.
    let night = travel_time(n, south, north, Mode::Walk, 3.0 * 60.0).expect("night route");
    assert_eq!(
        night.crossing_used.as_deref(),
        Some("Lok Ma Chau - Huanggang Control Point")
    );
    // A longer dwell there shows up one for one.
    let mut p = ReachParams::default();
    for c in &mut p.control_points {
        if c.id == "lmc_huanggang" {
            c.dwell_min.hk_to_sz += 30.0;
        }
    }
    let n2 = Network::build_embedded(&p).expect("builds");
    let night2 = travel_time(&n2, south, north, Mode::Walk, 3.0 * 60.0).expect("night route");
    assert!((night2.minutes - night.minutes - 30.0).abs() < 1e-6);
    // The straight 30 m walk is never possible: a walk isochrone of 10 min from the south
    // point does not reach the north point.
    let iso = reach(n, south, Mode::Walk, &[10.0], NINE_AM).expect("reach");
    use geo::Contains;
    assert!(!iso[0].geometry.contains(&geo::Point::new(north.0, north.1)));
    assert!(
        iso[0]
            .geometry
            .contains(&geo::Point::new(south.0, south.1 - 0.001))
    );
}

fn road_layer() -> Layer {
    // A straight 5 km east-west primary road in Fanling and a crossing residential street.
    let mut layer = Layer {
        name: "roads".into(),
        ..Layer::default()
    };
    let mk = |coords: Vec<(f64, f64)>, hw: &str| {
        let mut props = serde_json::Map::new();
        props.insert("highway".into(), hw.into());
        Feature {
            geometry: Some(Geometry::LineString(LineString::from(coords))),
            properties: Some(props.into()),
            ..Feature::default()
        }
    };
    layer.features.push(mk(
        (0..=50)
            .map(|i| (114.10 + i as f64 * 0.001, 22.49))
            .collect(),
        "primary",
    ));
    layer.features.push(mk(
        vec![(114.125, 22.48), (114.125, 22.49), (114.125, 22.50)],
        "residential",
    ));
    layer
}

#[test]
fn driving_needs_roads_and_follows_them() {
    let err = travel_time(
        net(),
        (114.10, 22.49),
        (114.15, 22.49),
        Mode::Drive,
        NINE_AM,
    );
    assert!(err.is_err());
    let ds = Dataset {
        layers: vec![road_layer()],
    };
    let n = Network::build(&ds, &ReachParams::default()).expect("builds");
    let a = (114.10, 22.49);
    let b = (114.15, 22.49);
    let r = travel_time(&n, a, b, Mode::Drive, NINE_AM).expect("drive");
    let len = hetao_atlas::core::measure::geodesic_length_m(&Geometry::LineString(
        LineString::from(vec![a, b]),
    ));
    let expect = len / (35.0 / 3.6) / 60.0;
    assert!(
        (r.minutes - expect).abs() / expect < 0.01,
        "{} vs {expect}",
        r.minutes
    );
    let iso = reach(&n, a, Mode::Drive, &[3.0, 6.0], NINE_AM).expect("reach");
    assert!(iso[0].area_m2 > 0.0 && iso[0].area_m2 < iso[1].area_m2);
}

#[test]
fn cli_reach_and_travel_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reach.geojson");
    let out_s = out.to_string_lossy().to_string();
    let (code, text) = run_args(&[
        "reach",
        "--from",
        "114.0791,22.5215",
        "--mode",
        "walk",
        "--minutes",
        "10,20",
        "--out",
        &out_s,
        "--json",
    ]);
    assert_eq!(code, 0, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["modelled"], true);
    assert_eq!(v["isochrones"].as_array().map(Vec::len), Some(2));
    let layer = hetao_atlas::core::io::load_path(&out).expect("output is GeoJSON");
    let polys: Vec<_> = layer
        .features
        .iter()
        .filter(|f| f.prop_f64("area_m2").is_some())
        .collect();
    assert_eq!(polys.len(), 2);
    for f in &polys {
        assert_eq!(f.prop("modelled").and_then(|v| v.as_bool()), Some(true));
        assert!(f.prop("assumptions").is_some_and(|a| a.is_object()));
        // labelled as what it is (one categorical style draws the app's and the CLI's bands)
        let m = f.prop_f64("minutes").expect("minutes");
        assert_eq!(f.prop_str("band"), Some(format!("≤ {m} min").as_str()));
    }
    // Named destinations carry their times.
    assert!(
        layer
            .features
            .iter()
            .any(|f| f.prop_str("name") == Some("Lok Ma Chau station")
                && f.prop_f64("minutes").is_some())
    );

    let (code, text) = run_args(&[
        "travel-time",
        "--from",
        "114.06666,22.51694",
        "--to",
        "114.06666,22.51722",
        "--mode",
        "walk",
        "--dwell",
        "lmc_spur_futian=40",
        "--dwell",
        "lmc_huanggang=40",
        "--json",
    ]);
    assert_eq!(code, 0, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert!(v["crossing_used"].is_string());
    assert!(v["minutes"].as_f64().is_some_and(|m| m >= 15.0));
    let (code, text) = run_args(&[
        "travel-time",
        "--from",
        "200,1",
        "--to",
        "114,22",
        "--mode",
        "walk",
    ]);
    assert_ne!(code, 0, "{text}");
    // Driving works on the shipped streets of the Hong Kong side; a point in Fanling, some
    // 3 km from the nearest of them, is told so (not "outside the modelled area").
    let (code, text) = run_args(&["reach", "--from", "114.0750,22.5100", "--mode", "drive"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = run_args(&["reach", "--from", "114.13868,22.49211", "--mode", "drive"]);
    assert_ne!(code, 0);
    assert!(
        text.contains("from the nearest loaded road") && text.contains("road layer"),
        "{text}"
    );
    assert!(!text.contains("not on land"), "{text}");
    let (code, text) = run_args(&["reach", "--from", "114.1,22.5", "--dwell", "nowhere=5"]);
    assert_ne!(code, 0);
    assert!(text.contains("unknown control point"), "{text}");
}

#[test]
fn cli_params_file_and_flags_change_the_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("params.json");
    std::fs::write(&f, r#"{"walk_speed_mps": 0.65}"#).expect("write");
    let f_s = f.to_string_lossy().to_string();
    let args = [
        "travel-time",
        "--from",
        "114.13868,22.49211",
        "--to",
        "114.15,22.485",
        "--json",
    ];
    let minutes = |extra: &[&str]| {
        let mut a: Vec<&str> = args.to_vec();
        a.extend_from_slice(extra);
        let (code, text) = run_args(&a);
        assert_eq!(code, 0, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        v["minutes"].as_f64().expect("minutes")
    };
    let base = minutes(&[]);
    let slow = minutes(&["--params", &f_s]);
    assert!((slow / base - 2.0).abs() < 0.01, "{slow} vs {base}");
    let fast = minutes(&["--params", &f_s, "--walk-speed", "2.6"]);
    assert!((fast / base - 0.5).abs() < 0.01, "{fast} vs {base}");
    let circ = minutes(&["--circuity", "1.5"]);
    assert!((circ / base - 1.2).abs() < 0.01, "{circ} vs {base}");
    std::fs::write(&f, "{\n  \"walk_speed_mps\": \"fast\"\n}").expect("write");
    let (code, text) = run_args(&["reach", "--from", "114.1,22.5", "--params", &f_s]);
    assert_ne!(code, 0);
    assert!(text.contains("params.json:2:"), "{text}");
}

/// The Loop is land (Natural Earth 1:10m misses it; the OSM outline fills it in) with streets:
/// a walk inside it follows them, no faster than the straight line and with no crossing.
#[test]
fn walking_inside_the_loop_follows_its_streets() {
    use geographiclib_rs::{Geodesic, InverseGeodesic};
    let from = (114.0791154, 22.5214876); // the Loop's centroid
    let to = (114.0800, 22.5220); // inside the Loop, about 110 m north-east
    let route = travel_time(net(), from, to, Mode::Walk, NINE_AM).expect("route");
    let d_m: f64 = Geodesic::wgs84().inverse(from.1, from.0, to.1, to.0);
    let p = ReachParams::default();
    let straight_min = d_m / p.walk_speed_mps / 60.0;
    assert!(route.crossing_used.is_none(), "{route:?}");
    assert!(route.crossings.is_empty(), "{route:?}");
    assert!(
        route.minutes >= straight_min && route.minutes < 30.0,
        "{:.2} min modelled against {straight_min:.2} min in a straight line",
        route.minutes
    );
}

/// The cross-boundary direct bus (data/transit/bus_links.json: 45 min via Huanggang, Ming Pao
/// 2023-11-10) carries Science Park -> Shenzhen park trips in its service hours only, and the
/// route names the crossing made on board.
#[test]
fn direct_bus_science_park_to_shenzhen_park_in_its_hours() {
    let p = ReachParams::default();
    let bus = p
        .bus_links
        .iter()
        .find(|l| l.id == "hsitp_sz_direct_bus")
        .expect("the direct bus");
    assert_eq!(bus.minutes, 45.0);
    assert!(bus.source.contains("Ming Pao"));
    assert!(bus.verify.iter().any(|v| v == "headway_min"));
    let from = (bus.from.lonlat[0], bus.from.lonlat[1]);
    let to = (bus.to.lonlat[0], bus.to.lonlat[1]);
    let r = travel_time(net(), from, to, Mode::Transit, NINE_AM).expect("route");
    let ride: f64 = r
        .legs
        .iter()
        .filter(|l| l.kind == "bus" && l.name == bus.name)
        .map(|l| l.minutes)
        .sum();
    assert!((ride - 45.0).abs() < 1e-6, "{r:?}");
    assert!(
        r.crossings
            .iter()
            .any(|c| Some(&c.name) == bus.crossing.as_ref()),
        "{r:?}"
    );
    // Boarding waits the stop time plus half the headway.
    assert!(r.minutes >= 45.0 + bus.boarding_min + bus.headway_min / 2.0 - 1e-6);
    // At 21:00 the bus has stopped running (07:00-20:00).
    let late = travel_time(net(), from, to, Mode::Transit, 21.0 * 60.0).expect("late route");
    assert!(!late.legs.iter().any(|l| l.name == bus.name), "{late:?}");
}

/// Noding (core::reach::streets): a T-junction 0.5 m off the middle of a segment splits it,
/// a dead end 3 m from a street is joined by a link, crossing ways without a shared vertex
/// (a bridge) stay apart, and a segment across a barrier is dropped.
#[test]
fn street_noding_joins_t_junctions_and_loose_ends_only() {
    use hetao_atlas::core::reach::streets::{Streets, Way};
    let way = |pts: Vec<(f64, f64)>| Way {
        pts,
        class: 0,
        walkable: true,
        oneway: false,
    };
    let ways = vec![
        way(vec![(0.0, 0.0), (100.0, 0.0)]),     // the main street
        way(vec![(50.0, 0.5), (50.0, 80.0)]),    // T-junction, 0.5 m off
        way(vec![(20.0, -3.0), (20.0, -60.0)]),  // dead end 3 m short
        way(vec![(80.0, -40.0), (80.0, 40.0)]),  // a bridge over the street
        way(vec![(0.0, 200.0), (100.0, 200.0)]), // across the wall below
    ];
    let wall = ((-10.0, 190.0), (110.0, 210.0));
    let st = Streets::node(&ways, 0.75, 5.0, |a, b| {
        let o = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
            (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
        };
        o(a, b, wall.0) * o(a, b, wall.1) < 0.0 && o(wall.0, wall.1, a) * o(wall.0, wall.1, b) < 0.0
    });
    assert_eq!(st.stats.t_junctions, 1, "{:?}", st.stats);
    assert_eq!(st.stats.joined_ends, 1, "{:?}", st.stats);
    assert_eq!(st.stats.cut_by_barrier, 1, "{:?}", st.stats);
    // The T-junction node is on the street: the street is two segments of 50 m meeting it.
    let t = st
        .xy
        .iter()
        .position(|p| (p.0 - 50.0).abs() < 1e-9 && (p.1 - 0.5).abs() < 1e-9)
        .expect("T node");
    assert_eq!(st.degree[t], 3);
    // The bridge shares no node with the street: its ends are its only nodes.
    let bridge: Vec<usize> = (0..st.xy.len())
        .filter(|&i| (st.xy[i].0 - 80.0).abs() < 1e-9)
        .collect();
    assert_eq!(bridge.len(), 2);
    assert!(bridge.iter().all(|&i| st.degree[i] == 1));
    // One connected piece holds the street, the T and the joined dead end.
    let c = st.component[t];
    let end = st
        .xy
        .iter()
        .position(|p| (p.0 - 20.0).abs() < 1e-9 && (p.1 + 60.0).abs() < 1e-9)
        .expect("dead end's far node");
    assert_eq!(st.component[end], c);
    // A point snaps onto the middle of the nearest segment.
    // (The dead end's link split the street at x = 20.)
    let sn = st.snap(10.0, 10.0, 50.0, |_, _| true).expect("snap");
    assert!(
        (sn.off_m - 10.0).abs() < 1e-9 && (sn.along_m - 10.0).abs() < 1e-9,
        "{sn:?}"
    );
}

/// The old meander round the Loop is a barrier: on the grid alone (no streets), the Innohub
/// to the Lok Ma Chau dragon fruit farm (south-east, across the east meander, a kilometre from
/// either gate) goes round by a gate, so it takes much longer with the barriers.
#[test]
fn the_meander_is_crossed_only_at_its_gates() {
    let b1 = (114.077532, 22.524834);
    let lmc = (114.08795, 22.507895);
    let grid = |barriers: bool| {
        let p = ReachParams {
            shipped_roads: false,
            shipped_barriers: barriers,
            ..ReachParams::default()
        };
        let n = Network::build_embedded(&p).expect("builds");
        travel_time(&n, b1, lmc, Mode::Walk, NINE_AM)
            .expect("route")
            .minutes
    };
    let (open, fenced) = (grid(false), grid(true));
    assert!(
        fenced > open + 5.0,
        "{fenced} with the barriers vs {open} without"
    );
    let n = net();
    assert!(!n.gates.is_empty() && !n.access_barriers.is_empty());
    // A straight line from inside the Loop to the station crosses the barrier; one through
    // a gate's middle does not cross it there.
    let (x, y) = n.proj.xy(b1.0, b1.1);
    let (sx, sy) = n.proj.xy(lmc.0, lmc.1);
    assert!(n.crosses_barrier((x, y), (sx, sy)));
    let g = n.gates[0].xy;
    let across = |d: f64| ((g.0 - d, g.1 - d), (g.0 + d, g.1 + d));
    let (a, b) = across(5.0);
    assert!(!n.barriers.crosses(a, b), "the gate at {g:?} is closed");
}

/// `--roads FILE` takes any format the loader reads: the shipped OSM streets written as a
/// GeoPackage route the same trip as the shipped GeoJSON (the default), and the output says
/// which street network was used.
#[test]
fn cli_roads_from_a_geopackage_route_like_the_shipped_streets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("roads.gpkg");
    let gpkg_s = gpkg.to_string_lossy().to_string();
    let (code, text) = run_args(&[
        "export",
        "data/context/hk_loop_area_roads_osm.geojson",
        "--format",
        "gpkg",
        "--out",
        &gpkg_s,
    ]);
    assert_eq!(code, 0, "{text}");
    let trip = |extra: &[&str]| {
        let mut a = vec![
            "travel-time",
            "--from",
            "114.074807,22.517597",
            "--to",
            "114.065694,22.514389",
            "--mode",
            "walk",
            "--json",
        ];
        a.extend_from_slice(extra);
        let (code, text) = run_args(&a);
        assert_eq!(code, 0, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        (
            v["minutes"].as_f64().expect("minutes"),
            v["assumptions"]["streets"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    };
    let (shipped, shipped_src) = trip(&[]);
    assert!(
        shipped_src.contains("hk_loop_area_roads_osm"),
        "{shipped_src}"
    );
    let (loaded, src) = trip(&["--roads", &gpkg_s]);
    assert!(!src.is_empty() && src != shipped_src, "{src}");
    assert!(
        (loaded - shipped).abs() < 0.1,
        "{loaded} min on the GeoPackage vs {shipped} on the shipped streets"
    );
}
