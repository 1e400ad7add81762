//! The app's "which coordinate system is this file in?" question (issue 13: the app's Open
//! takes a CRS for files that declare none, as `--crs` does). Driven through egui_kittest on
//! the DXF fixture, a CGCS2000 / 3-degree GK (EPSG:4547) drawing without a CRS: the load
//! fails, the question opens, a code PROJ does not know is refused in the window, and the
//! survey CRS places the drawing's 40 footprints on the zone (the window itself is driven in
//! `tests/e2e_open_crs.rs`).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hetao_atlas::app::HetaoApp;
use hetao_atlas::core::zone::embedded_dataset;
use hetao_atlas::render::StyleSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const DXF: &str = "tests/fixtures/formats/buildings_4547.dxf";

fn harness() -> Harness<'static, HetaoApp> {
    let ds = embedded_dataset().expect("zone");
    let mut a = HetaoApp::with_data(
        ds,
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    a.autosave = false;
    Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .with_context_setup(hetao_atlas::app::setup_style)
        .build_ui_state(|ui, app: &mut HetaoApp| app.show(ui), a)
}

/// Run frames until `done` holds (the loads run on workers), failing after 60 s.
fn run_until(h: &mut Harness<'static, HetaoApp>, what: &str, done: impl Fn(&HetaoApp) -> bool) {
    let t0 = Instant::now();
    while !done(h.state()) {
        assert!(t0.elapsed() < Duration::from_secs(60), "timed out: {what}");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
}

#[test]
fn a_file_without_a_crs_asks_for_one_and_opens_with_the_answer() {
    let mut h = harness();
    h.run();
    let ctx = h.ctx.clone();
    let path = PathBuf::from(DXF);
    h.state_mut().open_file(path.clone(), &ctx);
    run_until(&mut h, "the question", |a| a.crs_prompt.is_some());
    h.step();
    h.step();
    assert!(
        h.query_by_label("Which coordinate system is this file in?")
            .is_some()
    );
    assert_eq!(
        h.state().problems.len(),
        1,
        "the failure is listed meanwhile"
    );
    assert!(h.state().problems[0].lines[0].contains("has no coordinate reference system"));

    // a code PROJ does not know: refused in the window, nothing opened
    h.state_mut().crs_prompt.as_mut().expect("open").crs = "EPSG:999999".into();
    h.run();
    h.get_by_label("Open").click();
    h.run();
    h.run();
    assert!(
        h.query_by_label_contains("not in the PROJ database")
            .is_some()
    );
    assert!(h.state().crs_prompt.is_some(), "the question stays");
    assert!(h.state().user_layers.is_empty());

    // the Shenzhen survey CRS, picked from the list
    h.get_by_label("EPSG:4547  CGCS2000 / 3-degree Gauss-Kruger CM 114E (Shenzhen survey)")
        .click();
    h.run();
    assert_eq!(
        h.state().crs_prompt.as_ref().map(|q| q.crs.as_str()),
        Some("EPSG:4547")
    );
    h.get_by_label("Open").click();
    h.step();
    assert!(h.state().crs_prompt.is_none(), "the question is answered");
    run_until(&mut h, "the layer", |a| !a.user_layers.is_empty());
    let layer = &h.state().user_layers[0];
    assert_eq!(layer.features.len(), 40, "the drawing's 40 footprints");
    // EPSG:4547 is northing-first: read the right way round, the footprints lie on the
    // zone (the fixture's source is the Loop area's OSM buildings, 114.05–114.10 E).
    for f in &layer.features {
        let g = f.geometry.as_ref().expect("a geometry");
        let c = geo::Centroid::centroid(g).expect("a footprint");
        assert!(
            (114.0..114.12).contains(&c.x()) && (22.48..22.56).contains(&c.y()),
            "{:?} is off the zone",
            c
        );
    }
    assert!(
        h.state().problems.is_empty(),
        "the problem is gone once it opened"
    );
}

#[test]
fn cancelling_the_question_leaves_the_problem_listed() {
    let mut h = harness();
    h.run();
    let ctx = h.ctx.clone();
    h.state_mut().open_file(PathBuf::from(DXF), &ctx);
    run_until(&mut h, "the question", |a| a.crs_prompt.is_some());
    h.step();
    h.step();
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.state().crs_prompt.is_none());
    assert!(h.state().user_layers.is_empty());
    assert_eq!(
        h.state().problems.len(),
        1,
        "the file's problem stays listed"
    );
}
