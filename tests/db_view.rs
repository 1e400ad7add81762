//! The app on a database layer too big to pull whole (File › Database, `app::dbview`), against
//! a real server (tests/db_common), without a window: a pushed layer of 300,000 generated
//! buildings is not pulled but loaded by viewport, a bounded number at a time, through the
//! GiST index; panning brings the features of the new area and drops the old ones; a view of
//! the whole layer stops at the cap and says "zoom in for more"; removed from the stack it
//! is not loaded any more; a small extra layer a planner pushed is listed and loaded whole as
//! a user layer.

mod db_common;

use db_common::server;
use hetao_atlas::app::dbview::{CAP, DbView, ViewLayer};
use hetao_atlas::app::state::HetaoApp;
use hetao_atlas::app::state::db::{DbDialog, LinkState};
use hetao_atlas::app::view::MapView;
use hetao_atlas::core::db::layers;
use hetao_atlas::core::model::{Feature, Layer};
use hetao_atlas::core::zone::embedded_dataset;
use hetao_atlas::render::StyleSet;
use std::time::{Duration, Instant};

/// The generated layer covers this box (W, S, E, N) with a `SIDE × SIDE` grid of buildings.
const EXTENT: [f64; 4] = [114.0, 22.45, 114.2, 22.65];
const SIDE: usize = 548; // 548² = 300,304
const BIG: &str = "city_buildings";

fn city() -> Layer {
    let step = (EXTENT[2] - EXTENT[0]) / SIDE as f64;
    let features = (0..SIDE * SIDE)
        .map(|i| {
            let (x, y) = (
                EXTENT[0] + (i % SIDE) as f64 * step,
                EXTENT[1] + (i / SIDE) as f64 * step,
            );
            let w = step * 0.6;
            let ring = vec![(x, y), (x + w, y), (x + w, y + w), (x, y + w), (x, y)];
            let mut f = Feature {
                geometry: Some(geo::Geometry::Polygon(geo::Polygon::new(
                    ring.into(),
                    vec![],
                ))),
                ..Default::default()
            };
            f.set_prop("id", serde_json::json!(format!("C-{i:06}")));
            f.set_prop("status", serde_json::json!("existing"));
            f
        })
        .collect();
    Layer {
        name: BIG.into(),
        features,
        illustrative: true,
        ..Default::default()
    }
}

fn view_layer(app: &HetaoApp) -> Option<ViewLayer> {
    let v: &DbView = app.db.as_ref()?.view.as_ref()?;
    v.layers.iter().find(|l| l.db_name == BIG).cloned()
}

fn shown(app: &HetaoApp) -> Option<&Layer> {
    app.user_layers.iter().find(|l| l.name == BIG).map(|l| &**l)
}

fn tick_until(app: &mut HetaoApp, what: &str, ok: impl Fn(&HetaoApp) -> bool) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(60) {
        app.db_tick(|| {});
        if ok(app) {
            return;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    let st = app.db.as_ref().map(|l| (l.state.clone(), l.recent.clone()));
    panic!("{what}: not within 60 s ({st:?}, {:?})", view_layer(app));
}

/// Every shown feature's bounding box meets `b`.
fn all_meet(layer: &Layer, b: [f64; 4]) -> bool {
    layer.features.iter().all(|f| {
        let r = f
            .geometry
            .as_ref()
            .and_then(geo::BoundingRect::bounding_rect)
            .expect("a geometry");
        r.min().x <= b[2] && r.max().x >= b[0] && r.min().y <= b[3] && r.max().y >= b[1]
    })
}

fn loaded_after(app: &mut HetaoApp, what: &str, seq_before: Option<u64>) -> ViewLayer {
    tick_until(app, what, |a| {
        view_layer(a).is_some_and(|l| {
            let answered = l.asked.is_some_and(|(_, r)| l.loaded == Some(r));
            answered && l.asked.map(|x| x.0) != seq_before
        })
    });
    view_layer(app).expect("view layer")
}

#[test]
fn a_big_layer_is_loaded_by_viewport_as_the_planner_pans() {
    let Some(s) = server() else { return };
    let url = s.zone_db("view");
    let name = url.rsplit('/').next().expect("db name").to_string();
    let mut db = s.db(&name);
    let big = city();
    let total = big.features.len();
    layers::push(&mut db, &[&big], None).expect("push the big layer");
    drop(big);
    let mut small = Layer {
        name: "survey_points".into(),
        ..Default::default()
    };
    for k in 0..3 {
        let mut f = Feature {
            geometry: Some(geo::Geometry::Point(geo::Point::new(
                114.08 + 0.001 * k as f64,
                22.52,
            ))),
            ..Default::default()
        };
        f.set_prop("n", serde_json::json!(k));
        small.features.push(f);
    }
    layers::push(&mut db, &[&small], None).expect("push the small layer");

    let mut app = HetaoApp::with_data(
        embedded_dataset().expect("zone"),
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    app.autosave = false;
    app.map_size = (1000.0, 700.0);
    // a close view in the middle of the generated layer
    app.view = MapView::new(114.1, 22.55, 16.0);
    app.db_connect(
        &DbDialog {
            url: url.clone(),
            password: s.password.clone(),
            scenario: "shared".into(),
            error: None,
        },
        || {},
    );
    tick_until(&mut app, "online", |a| {
        a.db.as_ref().is_some_and(|l| l.state == LinkState::Online)
    });
    // the small extra layer is a user layer, whole; the big one is not in the document
    let extra = app.user_layers.iter().find(|l| l.name == "survey_points");
    assert_eq!(extra.map(|l| l.features.len()), Some(3));
    assert!(
        app.layers
            .iter()
            .any(|e| e.user && e.name == "survey_points")
    );
    assert!(app.doc.current().layer(BIG).is_none(), "pulled whole");
    assert!(app.doc.current().layer("buildings").is_some(), "the zone");

    let first = loaded_after(&mut app, "the first view", None);
    let got = shown(&app).expect("the big layer is on the stack");
    let region = first.loaded.expect("a region");
    let n = got.features.len();
    assert_eq!(n, first.shown);
    assert!(
        n > 1000 && n < 20_000,
        "{n} of {total} features in a close view"
    );
    assert!(!first.capped);
    assert!(
        all_meet(got, region),
        "a feature outside the region asked for"
    );
    let view = app.view_bbox();
    assert!(
        region[0] < view[0] && region[2] > view[2] && region[1] < view[1] && region[3] > view[3],
        "the region {region:?} holds the view {view:?} with a margin"
    );
    let note = app.dbview_note(BIG).expect("a panel line");
    assert!(
        note.starts_with(&format!(
            "showing {}",
            hetao_atlas::core::format::group_digits(n as f64)
        )),
        "{note}"
    );
    assert!(note.contains("of 300,304"), "{note}");

    // pan east by three view widths: the features of the new area arrive, the old go
    let east_before = got
        .features
        .iter()
        .filter_map(|f| geo::BoundingRect::bounding_rect(f.geometry.as_ref()?))
        .map(|r| r.max().x)
        .fold(f64::MIN, f64::max);
    for _ in 0..3 {
        app.view.pan_pixels(-1000.0, 0.0);
        app.db_tick(|| {});
    }
    let second = loaded_after(&mut app, "after panning", first.asked.map(|a| a.0));
    let got = shown(&app).expect("big layer");
    let region2 = second.loaded.expect("region");
    assert!(region2[0] > region[2], "a new region east of the first");
    assert!(all_meet(got, region2));
    let west_now = got
        .features
        .iter()
        .filter_map(|f| geo::BoundingRect::bounding_rect(f.geometry.as_ref()?))
        .map(|r| r.min().x)
        .fold(f64::MAX, f64::min);
    assert!(
        west_now > east_before,
        "the features are those of the new area"
    );
    let layers_before = app.user_layers.len();

    // across the whole layer in steps: never more than one view's worth held
    let mut most = 0;
    for k in 0..6 {
        app.view = MapView::new(
            114.0 + 0.2 * k as f64 / 5.0,
            22.46 + 0.18 * k as f64 / 5.0,
            16.0,
        );
        let before = view_layer(&app).and_then(|l| l.asked.map(|a| a.0));
        app.db_tick(|| {});
        let l = loaded_after(&mut app, "a step across", before);
        most = most.max(shown(&app).map_or(0, |x| x.features.len()));
        assert!(l.shown <= CAP);
    }
    assert!(most < 20_000, "at most {most} held at once");
    assert_eq!(app.user_layers.len(), layers_before, "swapped, not added");

    // the whole layer in view: stops at the cap and says so
    app.view = MapView::fit(EXTENT, 1000.0, 700.0, 0.0);
    let before = view_layer(&app).and_then(|l| l.asked.map(|a| a.0));
    app.db_tick(|| {});
    let all = loaded_after(&mut app, "the whole layer", before);
    assert!(all.capped, "{all:?}");
    assert_eq!(shown(&app).map(|l| l.features.len()), Some(CAP));
    let note = app.dbview_note(BIG).expect("a panel line");
    assert_eq!(note, "showing 50,000 of 300,304 in view — zoom in for more");

    // removed from the stack by the planner: not loaded any more
    let i = app
        .layers
        .iter()
        .position(|e| e.name == BIG)
        .expect("on the stack");
    app.remove_layer(i);
    app.db_tick(|| {});
    assert!(
        view_layer(&app).is_none(),
        "a removed layer is still loaded"
    );
    assert!(shown(&app).is_none());
}
