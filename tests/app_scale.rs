//! Big layers in the app's caches, headless (issue 17): a layer of 50,000+ buildings is drawn
//! as fills everywhere and outlines only near a close view (`render::lod`), a file opened
//! through the app is prepared on the worker (mesh and pick index adopted, nothing rebuilt),
//! and a big loaded layer is tessellated again on a worker when restyled, the map keeping the
//! previous mesh meanwhile.

use geo::{BoundingRect, Geometry, LineString, Polygon};
use hetao_atlas::app::HetaoApp;
use hetao_atlas::core::model::{Feature, Layer};
use hetao_atlas::render::StyleSet;
use hetao_atlas::render::lod::detail_name;

/// Side of the square grid of buildings, and the grid step in degrees.
const SIDE: usize = 250;
const STEP: f64 = 1e-4;
const WEST: f64 = 114.05;
const SOUTH: f64 = 22.51;

/// `SIDE²` square buildings (60 % of the step), west to east then south to north.
fn grid() -> Layer {
    let mut features = Vec::with_capacity(SIDE * SIDE);
    for j in 0..SIDE {
        for i in 0..SIDE {
            let (x, y) = (WEST + i as f64 * STEP, SOUTH + j as f64 * STEP);
            let s = STEP * 0.6;
            let ring =
                LineString::from(vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)]);
            features.push(Feature {
                geometry: Some(Geometry::Polygon(Polygon::new(ring, vec![]))),
                ..Default::default()
            });
        }
    }
    Layer {
        name: "grid_buildings".into(),
        features,
        ..Layer::default()
    }
}

/// The scene once the layer `name` is in it (a big loaded layer is tessellated on a worker).
fn scene_with(a: &mut HetaoApp, name: &str) -> std::sync::Arc<hetao_atlas::render::Scene> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let scene = a.ensure_scene().expect("scene");
        if scene.layer(name).is_some() {
            return scene;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{name} was not drawn within 120 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn app() -> HetaoApp {
    let zone = hetao_atlas::core::zone::embedded_dataset().expect("zone");
    let mut a = HetaoApp::with_data(
        zone,
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    a.autosave = false;
    a
}

#[test]
fn a_big_layer_has_fills_everywhere_and_outlines_only_near_a_close_view() {
    let mut a = app();
    let layer = grid();
    let n = layer.features.len();
    // the features an envelope query of a box must return (brute force over the geometry)
    let meeting = |b: [f64; 4]| {
        layer
            .features
            .iter()
            .filter_map(|f| f.geometry.as_ref()?.bounding_rect())
            .filter(|r| {
                r.min().x <= b[2] && r.max().x >= b[0] && r.min().y <= b[3] && r.max().y >= b[1]
            })
            .count()
    };
    let far = [WEST - 0.01, SOUTH - 0.01, WEST + 0.04, SOUTH + 0.04];
    let near = [WEST + 0.010, SOUTH + 0.010, WEST + 0.0112, SOUTH + 0.0108];
    let cover = hetao_atlas::render::lod::pad_box(near, 0.5);
    let want_outlined = meeting(cover);
    a.add_user_layer(layer);
    let scene = scene_with(&mut a, "grid_buildings");
    let base = scene
        .layer("grid_buildings")
        .expect("the layer")
        .mesh
        .clone();
    // fills only: four corners per convex square, every vertex on the ground (a stroke's
    // vertices carry a pixel offset)
    assert_eq!(base.features_drawn, n);
    assert_eq!(base.vertices.len(), 4 * n);
    assert_eq!(base.indices.len(), 6 * n);
    assert!(base.vertices.iter().all(|v| v.offset == [0.0, 0.0]));
    assert!(scene.layer(&detail_name("grid_buildings")).is_none());

    // the whole layer in view: too many for outlines
    a.ensure_details(far);
    let scene = a.ensure_scene().expect("scene");
    assert!(scene.layer(&detail_name("grid_buildings")).is_none());

    // a close view: the outlines of the features around it, and the base is kept as it was
    assert!(a.ensure_details(near));
    let scene = a.ensure_scene().expect("scene");
    let detail = &scene
        .layer(&detail_name("grid_buildings"))
        .expect("outlines near the view")
        .mesh;
    assert_eq!(detail.features_drawn, want_outlined);
    assert!(
        want_outlined > 0 && want_outlined < n / 50,
        "{want_outlined}"
    );
    assert!(!detail.vertices.is_empty());
    assert!(detail.vertices.iter().any(|v| v.offset != [0.0, 0.0]));
    let base_again = &scene.layer("grid_buildings").expect("the layer").mesh;
    assert_eq!(
        base_again.serial, base.serial,
        "the base is not re-tessellated"
    );
    // the detail sits right above its layer
    let pos = |name: &str| scene.layers.iter().position(|l| l.name == name);
    assert_eq!(
        pos(&detail_name("grid_buildings")),
        pos("grid_buildings").map(|p| p + 1)
    );

    // a small pan inside the covered area keeps the detail; a zoom-out drops it
    let nudged = [near[0] + 0.0002, near[1], near[2] + 0.0002, near[3]];
    assert!(!a.ensure_details(nudged));
    assert!(a.ensure_details(far));
    let scene = a.ensure_scene().expect("scene");
    assert!(scene.layer(&detail_name("grid_buildings")).is_none());
}

#[test]
fn a_small_layer_keeps_its_outlines_in_one_mesh() {
    let mut a = app();
    let mut layer = grid();
    layer.features.truncate(1000);
    a.add_user_layer(layer);
    let scene = a.ensure_scene().expect("scene");
    let mesh = &scene.layer("grid_buildings").expect("the layer").mesh;
    assert_eq!(mesh.features_drawn, 1000);
    // fills (4 vertices each) and outlines (vertices with a pixel offset) together
    assert!(mesh.vertices.len() > 4 * 1000);
    assert!(mesh.vertices.iter().any(|v| v.offset != [0.0, 0.0]));
    let view = [WEST, SOUTH, WEST + 0.001, SOUTH + 0.001];
    assert!(!a.ensure_details(view));
}

#[test]
fn restyling_a_big_layer_tessellates_it_on_a_worker_and_keeps_the_old_mesh_meanwhile() {
    let mut a = app();
    a.add_user_layer(grid());
    // the first mesh of a layer added without one comes from a worker too
    let scene = a.ensure_scene().expect("scene");
    assert!(scene.layer("grid_buildings").is_none());
    assert_eq!(a.jobs_running(), 1);
    let first = scene_with(&mut a, "grid_buildings")
        .layer("grid_buildings")
        .expect("the layer")
        .mesh
        .clone();
    assert_eq!(a.jobs_running(), 0);
    let fill = |m: &hetao_atlas::render::LayerMesh| m.vertices.first().map(|v| v.color);
    // a new fill colour: the frame right after still shows the old mesh, a job draws the new
    let e = a
        .layers
        .iter_mut()
        .find(|e| e.name == "grid_buildings")
        .expect("entry");
    e.style.fill = Some(hetao_atlas::render::Rgba([200, 30, 30, 255]));
    e.style.fill_opacity = 1.0;
    e.style_rev += 1;
    let during = a.ensure_scene().expect("scene");
    let shown = &during.layer("grid_buildings").expect("still drawn").mesh;
    assert_eq!(
        shown.serial, first.serial,
        "the old mesh until the new one is in"
    );
    assert_eq!(a.jobs_running(), 1, "one job draws the layer");
    // asking again does not start a second job for the same style
    a.ensure_scene();
    assert_eq!(a.jobs_running(), 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let new = loop {
        let s = a.ensure_scene().expect("scene");
        let m = s.layer("grid_buildings").expect("drawn").mesh.clone();
        if m.serial != first.serial {
            break m;
        }
        assert!(std::time::Instant::now() < deadline, "no new mesh in 120 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(fill(&new), Some([200, 30, 30, 255]));
    assert_ne!(fill(&first), fill(&new));
    assert_eq!(new.features_drawn, first.features_drawn);
    assert_eq!(a.jobs_running(), 0);
}
