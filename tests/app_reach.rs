//! The app's travel-reach tool: the origin set by the tool (through the real UI under
//! egui_kittest) and by state, the worker putting a `reach` layer with one band per budget,
//! rebuilds only when the network's parameters change, the destinations table, the export.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hetao_atlas::app::HetaoApp;
use hetao_atlas::app::reach::{LAYER, parse_minutes};
use hetao_atlas::app::state::reach::{self, wait_idle};
use hetao_atlas::app::state::{Tab, Tool};
use hetao_atlas::core::measure::geodesic_area_m2;
use hetao_atlas::core::reach::Mode;
use hetao_atlas::core::zone::embedded_dataset;
use hetao_atlas::render::StyleSet;
use std::time::{Duration, Instant};

/// The Lok Ma Chau Loop's centroid (docs/reach.md's example origin).
const LOOP: (f64, f64) = (114.0791154, 22.5214876);
const WAIT: Duration = Duration::from_secs(300);

fn app() -> HetaoApp {
    let ds = embedded_dataset().expect("zone");
    let mut a = HetaoApp::with_data(
        ds,
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    a.autosave = false;
    a
}

fn band_areas(a: &HetaoApp) -> Vec<(f64, f64)> {
    let l = a
        .user_layers
        .iter()
        .find(|l| l.name == LAYER)
        .expect("reach layer");
    let mut v: Vec<(f64, f64)> = l
        .features
        .iter()
        .map(|f| {
            (
                f.prop("minutes").and_then(|v| v.as_f64()).expect("minutes"),
                geodesic_area_m2(f.geometry.as_ref().expect("geometry")),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

#[test]
fn minutes_parse_sorted_and_bad_input_is_named() {
    assert_eq!(parse_minutes("30, 10;20 10"), Ok(vec![10.0, 20.0, 30.0]));
    assert!(
        parse_minutes("10, ten")
            .expect_err("bad")
            .contains("\"ten\"")
    );
    assert!(parse_minutes("0").is_err());
    assert!(parse_minutes("").is_err());
    assert!(parse_minutes("601").is_err());
}

#[test]
fn origin_gives_a_reach_layer_and_only_network_params_rebuild() {
    let mut a = app();
    assert!(!a.reach.dirty, "nothing to compute without an origin");
    a.reach.request(Instant::now());
    assert!(!a.reach.dirty);

    a.reach.set_origin(LOOP, Instant::now());
    assert!(a.reach.dirty, "setting the origin requests a run");
    assert!(wait_idle(&mut a, WAIT), "reach finished");
    assert_eq!(a.reach.error, None);
    assert_eq!(a.reach.builds, 1);

    // the layer: one polygon per budget, areas growing with the minutes
    let entry = a.layers.iter().find(|e| e.name == LAYER).expect("entry");
    assert!(entry.visible && entry.illustrative);
    let attribution = entry.attribution.clone().expect("attribution");
    assert!(
        attribution.starts_with("Modelled travel reach (Hetao Atlas, walk from 09:00)"),
        "{attribution}"
    );
    let bi = a.layers.iter().position(|e| e.name == LAYER).expect("i");
    let buildings = a.layers.iter().position(|e| e.name == "buildings");
    if let Some(b) = buildings {
        assert!(bi < b, "bands are drawn below the buildings");
    }
    let areas = band_areas(&a);
    assert_eq!(
        areas.iter().map(|x| x.0).collect::<Vec<_>>(),
        vec![10.0, 20.0, 30.0]
    );
    assert!(areas[0].1 > 0.0 && areas[0].1 < areas[1].1 && areas[1].1 < areas[2].1);
    // bounded by the circle a straight-line walker covers: (1.3 m/s × 1800 s / 1.25)² π
    let r = 1.3 * 1800.0 / 1.25;
    assert!(areas[2].1 < std::f64::consts::PI * r * r * 1.1, "{areas:?}");
    // the smallest band contains the origin (the Loop is land in the walking grid)
    let l = a.user_layers.iter().find(|l| l.name == LAYER).expect("l");
    let ten = l
        .features
        .iter()
        .find(|f| f.prop("minutes").and_then(|v| v.as_f64()) == Some(10.0))
        .expect("10 min band");
    let Some(geo::Geometry::MultiPolygon(mp)) = &ten.geometry else {
        panic!("a multipolygon band")
    };
    assert!(
        geo::Contains::contains(mp, &geo::Point::new(LOOP.0, LOOP.1)),
        "the 10-minute band does not contain its origin: {areas:?}"
    );
    // each band says which network it used: from the Loop, its streets (issue 16)
    for b in &a.reach.bands {
        assert!(
            b.networks.iter().any(|n| n.starts_with("streets (")),
            "{:?}",
            b.networks
        );
    }
    assert!(
        ten.prop_str("networks")
            .is_some_and(|n| n.contains("hk_loop_area_roads_osm")),
        "{:?}",
        ten.prop("networks")
    );
    // the legend colours by minutes, one class per budget
    match &entry.style.color_by {
        Some(hetao_atlas::render::style::ColorBy::Categorical {
            property,
            categories,
            ..
        }) => {
            assert_eq!(property, "band");
            let labels: Vec<&str> = categories.iter().map(|c| c.2.as_str()).collect();
            assert_eq!(labels, ["≤ 10 min", "≤ 20 min", "≤ 30 min"]);
        }
        other => panic!("one legend class per budget expected, got {other:?}"),
    }
    // the scene draws the new bands
    let scene = a.ensure_scene().expect("scene");
    assert!(scene.layers.iter().any(|l| l.name == LAYER));

    // walking faster: recompute requested, no rebuild, the 30-minute band grows
    a.reach.params.walk_speed_mps = 1.6;
    a.reach.request(Instant::now());
    assert!(a.reach.dirty);
    let gen0 = a.scene_gen();
    assert!(wait_idle(&mut a, WAIT));
    assert_eq!(a.reach.builds, 1, "walking speed is read by the search");
    let faster = band_areas(&a);
    assert!(faster[2].1 > areas[2].1 * 1.2, "{faster:?} vs {areas:?}");
    a.ensure_scene();
    assert!(
        a.scene_gen() > gen0,
        "the scene is rebuilt with the new bands"
    );

    // a dwell time is baked into the network: rebuild
    a.reach.params.control_points[0].dwell_min.hk_to_sz += 10.0;
    a.reach.request(Instant::now());
    assert!(wait_idle(&mut a, WAIT));
    assert_eq!(a.reach.builds, 2);

    // the export writes the bands atomically, labelled as modelled
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("reach.geojson");
    assert_eq!(reach::export_bands(&a, &p), Ok(3));
    let back = hetao_atlas::core::io::load_path(&p).expect("export reloads");
    assert_eq!(back.features.len(), 3);
    let text = std::fs::read_to_string(&p).expect("read");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["illustrative"], true);
    assert!(
        v["attribution"]
            .as_str()
            .is_some_and(|s| s.starts_with("Modelled travel reach"))
    );
    assert_eq!(v["assumptions"]["walk_speed_mps"], 1.6);
}

#[test]
fn destinations_follow_the_dwell_sliders() {
    let mut a = app();
    a.reach.mode = Mode::Transit;
    // Futian, Shenzhen side: reaching Lok Ma Chau station (HK) needs a crossing
    a.reach.set_origin((114.05617, 22.52192), Instant::now());
    assert!(wait_idle(&mut a, WAIT));
    assert_eq!(a.reach.error, None);
    let names = hetao_atlas::core::reach::named_destinations(&a.reach.params);
    assert_eq!(a.reach.destinations.len(), names.len());
    let row = |a: &HetaoApp| {
        a.reach
            .destinations
            .iter()
            .find(|d| d.name == "Lok Ma Chau station")
            .cloned()
            .expect("row")
    };
    let before = row(&a);
    let t0 = before.minutes.expect("Lok Ma Chau station reached");
    assert!(before.crossing.is_some(), "{before:?}");
    // the same figure the core gives
    let net = hetao_atlas::core::reach::Network::build_embedded(&a.reach.params).expect("network");
    let r = hetao_atlas::core::reach::travel_time(
        &net,
        (114.05617, 22.52192),
        before.lonlat,
        Mode::Transit,
        a.reach.depart,
    )
    .expect("route");
    assert!((r.minutes - t0).abs() < 0.05, "{} vs {t0}", r.minutes);

    // every control point 30 minutes slower southbound
    for cp in &mut a.reach.params.control_points {
        cp.dwell_min.sz_to_hk += 30.0;
    }
    a.reach.request(Instant::now());
    assert!(wait_idle(&mut a, WAIT));
    let t1 = row(&a).minutes.expect("still reached");
    assert!(t1 > t0 + 5.0, "{t0} -> {t1}");
}

#[test]
fn reach_tool_click_on_the_map_sets_the_origin() {
    let mut h = Harness::builder()
        .with_size(eframe::egui::vec2(1440.0, 900.0))
        .with_context_setup(hetao_atlas::app::setup_style)
        .build_ui_state(|ui, app: &mut HetaoApp| app.show(ui), app());
    h.run();
    h.get_by_label("◎ Reach").click();
    h.run();
    assert_eq!(h.state().tool, Tool::Reach);
    assert_eq!(h.state().tab, Tab::Reach);
    assert!(h.query_by_label("Origin: not set").is_some());
    // click the middle of the map (between the side panels)
    let pos = eframe::egui::pos2(620.0, 450.0);
    for pressed in [true, false] {
        h.input_mut()
            .events
            .push(eframe::egui::Event::PointerMoved(pos));
        h.input_mut()
            .events
            .push(eframe::egui::Event::PointerButton {
                pos,
                button: eframe::egui::PointerButton::Primary,
                pressed,
                modifiers: Default::default(),
            });
        h.run_steps(3);
    }
    let origin = h.state().reach.origin.expect("origin set by the click");
    assert!(
        h.state().selection.is_empty(),
        "the reach click does not select"
    );
    assert_eq!(h.state().tab, Tab::Reach);
    // the map shows the zone: the origin lies within its extent
    let e = hetao_atlas::app::view::ZONE_EXTENT;
    let pad = 0.05;
    assert!(
        origin.0 > e[0] - pad
            && origin.0 < e[2] + pad
            && origin.1 > e[1] - pad
            && origin.1 < e[3] + pad,
        "{origin:?}"
    );
    assert!(h.state().reach.dirty || h.state().reach.running());
    // the result arrives without blocking the UI: step frames until the worker is done
    let end = Instant::now() + WAIT;
    while (h.state().reach.dirty || h.state().reach.running()) && Instant::now() < end {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(3);
    assert!(
        h.state().reach.error.is_none(),
        "{:?}",
        h.state().reach.error
    );
    assert_eq!(h.state().reach.bands.len(), 3);
    assert!(h.query_by_label("Named destinations").is_some());
    assert!(h.query_by_label("Lok Ma Chau station").is_some());
    assert!(h.query_by_label("Export bands as GeoJSON…").is_some());
    // the dwell sliders, one per control point and direction
    h.get_by_label("Assumptions").click();
    h.run_steps(3);
    let n = h.state().reach.params.control_points.len();
    assert!(n > 0);
    let slider = eframe::egui::accesskit::Role::Slider;
    assert_eq!(h.query_all_by_role_and_label(slider, "HK → SZ").count(), n);
    assert_eq!(h.query_all_by_role_and_label(slider, "SZ → HK").count(), n);
}

/// Picking follows a reach recompute: bands that grew are found where they now reach (the
/// pick index is rebuilt for the new bands, not kept from the first run).
#[test]
fn picking_finds_the_new_bands_after_a_recompute() {
    use geo::{Contains, CoordsIter};
    let mut a = app();
    a.reach.params.walk_speed_mps = 0.5;
    a.reach.set_origin(LOOP, Instant::now());
    assert!(wait_idle(&mut a, WAIT), "slow reach finished");
    // only the bands are pickable
    for e in &mut a.layers {
        e.visible = e.name == LAYER;
    }
    let band = |a: &HetaoApp, minutes: f64| -> geo::MultiPolygon<f64> {
        let l = a
            .user_layers
            .iter()
            .find(|l| l.name == LAYER)
            .expect("layer");
        let f = l
            .features
            .iter()
            .find(|f| f.prop("minutes").and_then(|v| v.as_f64()) == Some(minutes))
            .expect("band");
        match &f.geometry {
            Some(geo::Geometry::MultiPolygon(mp)) => mp.clone(),
            other => panic!("a multipolygon band, got {other:?}"),
        }
    };
    let slow = band(&a, 30.0);
    let merc = |p: geo::Point<f64>| {
        let (x, y) = hetao_atlas::render::camera::lonlat_to_mercator(p.x(), p.y());
        [x, y]
    };
    // build the index on the first bands
    let _ = a.pick_at(merc(geo::Point::new(LOOP.0, LOOP.1)), 1.0);

    a.reach.params.walk_speed_mps = 1.6;
    a.reach.request(Instant::now());
    assert!(wait_idle(&mut a, WAIT), "fast reach finished");
    let fast = band(&a, 30.0);
    // a point the fast 30-minute band covers and the slow one did not
    let far = fast
        .coords_iter()
        .max_by(|p, q| {
            let d = |c: geo::Coord<f64>| (c.x - LOOP.0).hypot(c.y - LOOP.1);
            d(*p).total_cmp(&d(*q))
        })
        .expect("vertices");
    let p = (1..20)
        .map(|k| {
            let t = 1.0 - f64::from(k) * 0.02;
            geo::Point::new(LOOP.0 + (far.x - LOOP.0) * t, LOOP.1 + (far.y - LOOP.1) * t)
        })
        .find(|p| fast.contains(p) && !slow.contains(p))
        .expect("a point newly reached");
    let hit = a.pick_at(merc(p), 1.0);
    assert_eq!(
        hit.map(|h| h.layer),
        Some(LAYER.to_string()),
        "the newly reached point {p:?} does not pick the bands: the pick index is stale"
    );
}
