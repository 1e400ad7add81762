//! Renderer tests: shader validation with naga, pixel checks on the real zone data (fills, river
//! line, markers), the world file, the year filter, the snapshot command, and golden images.
//!
//! Tests that need a GPU adapter (lavapipe/llvmpipe are fine) print that they were skipped when
//! none exists, and fail when `HETAO_REQUIRE_GPU=1`. Set `HETAO_BLESS=1` to (re)write the golden
//! images in `tests/fixtures/golden/`.

use geo::InteriorPoint;
use hetao_atlas::core::io::load_path;
use hetao_atlas::core::model::{Dataset, Feature, Layer};
use hetao_atlas::render::camera::{lonlat_to_mercator, mercator_to_lonlat};
use hetao_atlas::render::offscreen::{OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES};
use hetao_atlas::render::snapshot::{BACKGROUND, SnapshotRequest, View, render_snapshot};
use hetao_atlas::render::{
    Camera, GpuContext, Image, LocalOrigin, MapRenderer, Rgba, Scene, SceneOptions, Style,
    StyleSet, render_image,
};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One shared device for the whole test binary (creating many devices on lavapipe is slow).
fn gpu() -> Option<&'static Mutex<GpuContext>> {
    static CTX: OnceLock<Option<Mutex<GpuContext>>> = OnceLock::new();
    let ctx = CTX.get_or_init(|| match GpuContext::new_headless() {
        Ok(c) => {
            eprintln!("adapter: {}", c.describe());
            Some(Mutex::new(c))
        }
        Err(e) => {
            if std::env::var("HETAO_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("HETAO_REQUIRE_GPU=1 but no adapter: {e}");
            }
            eprintln!("skipped: no GPU adapter ({e})");
            None
        }
    });
    ctx.as_ref()
}

fn layer(rel: &str) -> Layer {
    load_path(&root().join(rel)).expect("load layer")
}

fn render(ctx: &GpuContext, scene: &Scene, cam: &Camera) -> Image {
    let mut r =
        MapRenderer::new(&ctx.device, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES).expect("renderer");
    r.set_scene(&ctx.device, &ctx.queue, scene).expect("upload");
    render_image(ctx, &mut r, cam, None, BACKGROUND).expect("render")
}

fn close(a: [u8; 4], b: [u8; 4], tol: u8) -> bool {
    a.iter().zip(b.iter()).all(|(x, y)| x.abs_diff(*y) <= tol)
}

/// Straight-alpha "over" of `c` on an opaque background, as the blend state computes it.
fn over(c: Rgba, bg: Rgba) -> [u8; 4] {
    let a = f64::from(c.0[3]) / 255.0;
    let mix = |i: usize| (f64::from(c.0[i]) * a + f64::from(bg.0[i]) * (1.0 - a)).round() as u8;
    [mix(0), mix(1), mix(2), 255]
}

#[test]
fn every_shader_validates_with_naga() {
    use hetao_atlas::render::gpu::SHADERS;
    use wgpu::naga;
    // every .wgsl under shaders/ is one of the renderer's pipelines
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("shaders"))
        .expect("shaders/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wgsl"))
        .collect();
    on_disk.sort();
    let mut known: Vec<String> = SHADERS.iter().map(|(n, _)| n.to_string()).collect();
    known.sort();
    assert_eq!(on_disk, known);
    for (name, src) in SHADERS {
        let module = naga::front::wgsl::parse_str(src)
            .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)));
        let mut v = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::empty(),
        );
        v.validate(&module)
            .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)));
        for ep in ["vs_main", "fs_main"] {
            assert!(
                module.entry_points.iter().any(|e| e.name == ep),
                "{name} lacks {ep}"
            );
        }
    }
}

#[test]
fn local_origin_keeps_subpixel_precision_at_zoom_20() {
    // The vertex shader computes (pos - centre) * scale in f32, with pos and centre both f32
    // offsets from an f64 origin. Compare with the exact f64 projection 8 km from the origin.
    let origin = LocalOrigin::from_lonlat(114.074, 22.526);
    let cam = Camera::new(114.15, 22.56, 20.0, 1024.0, 768.0);
    let (cx, cy) = cam.center_mercator();
    let centre = [(cx - origin.x) as f32, (cy - origin.y) as f32];
    let mpp = cam.metres_per_pixel();
    let mut worst = 0f64;
    for i in 0..200 {
        let lon = 114.15 + (f64::from(i) - 100.0) * 1.3e-6;
        let lat = 22.56 + (f64::from(i % 17) - 8.0) * 1.1e-6;
        let p = origin.offset(lon, lat);
        let gpu_px = f64::from((p[0] - centre[0]) / mpp as f32) + 512.0;
        let gpu_py = 384.0 - f64::from((p[1] - centre[1]) / mpp as f32);
        let (ex, ey) = cam.lonlat_to_pixel(lon, lat);
        worst = worst.max((gpu_px - ex).abs()).max((gpu_py - ey).abs());
    }
    assert!(worst < 0.1, "f32 error {worst} px at zoom 20");
    // round trip lon/lat ↔ Mercator
    let (x, y) = lonlat_to_mercator(114.0713, 22.5151);
    let (lon, lat) = mercator_to_lonlat(x, y);
    assert!((lon - 114.0713).abs() < 1e-10 && (lat - 22.5151).abs() < 1e-10);
}

#[test]
fn loop_interior_has_the_fill_colour() {
    let Some(ctx) = gpu() else { return };
    let ctx = ctx.lock().expect("gpu");
    let loop_layer = layer("data/zone/lok_ma_chau_loop_osm.geojson");
    let polygon = loop_layer
        .features
        .iter()
        .find_map(|f| match &f.geometry {
            Some(geo::Geometry::Polygon(p)) => Some(p.clone()),
            _ => None,
        })
        .expect("the Loop polygon");
    let mut styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    // the shipped style, without the label so the pixel under test shows the fill
    let mut style = styles.for_layer("lok_ma_chau_loop");
    style.label = None;
    style.layer = "lok_ma_chau_loop_osm".into();
    styles.insert(style.clone());
    let ds = Dataset {
        layers: vec![loop_layer],
    };
    let scene = Scene::build(&ds, &styles, &SceneOptions::default());
    let cam = Camera::fit_bbox([114.068, 22.512, 114.088, 22.533], 320.0, 320.0, 10.0);
    let img = render(&ctx, &scene, &cam);
    let ip = polygon.interior_point().expect("interior point");
    let (px, py) = cam.lonlat_to_pixel(ip.x(), ip.y());
    let fill = style
        .fill
        .expect("fill")
        .with_opacity(style.opacity * style.fill_opacity);
    let want = over(fill, BACKGROUND);
    let got = img.pixel(px as u32, py as u32).expect("in image");
    assert!(
        close(got, want, 2),
        "inside the Loop: {got:?}, want {want:?}"
    );
    // a pixel well outside the Loop (its bbox) is background
    let (ox, oy) = cam.lonlat_to_pixel(114.069, 22.532);
    let bg = img.pixel(ox as u32, oy as u32).expect("in image");
    assert!(close(bg, BACKGROUND.0, 1), "outside: {bg:?}");
}

#[test]
fn river_line_has_the_river_colour_and_pixel_width() {
    let Some(ctx) = gpu() else { return };
    let ctx = ctx.lock().expect("gpu");
    let river = layer("data/context/shenzhen_river_boundary_osm.geojson");
    let coords: Vec<geo::Coord<f64>> = match &river.features[0].geometry {
        Some(geo::Geometry::LineString(ls)) => ls.0.clone(),
        other => panic!("river is {other:?}"),
    };
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    let style = styles.for_layer(&river.name);
    assert_eq!(
        style.title, "Shenzhen River 深圳河",
        "river style found by alias"
    );
    let colour = style.stroke.expect("stroke");
    let ds = Dataset {
        layers: vec![river],
    };
    let scene = Scene::build(&ds, &styles, &SceneOptions::default());
    let cam = Camera::fit_bbox([114.05, 22.50, 114.10, 22.54], 400.0, 320.0, 0.0);
    let img = render(&ctx, &scene, &cam);
    let mut checked = 0;
    for c in &coords {
        let (px, py) = cam.lonlat_to_pixel(c.x, c.y);
        if !(4.0..396.0).contains(&px) || !(4.0..316.0).contains(&py) {
            continue;
        }
        let got = img.pixel(px as u32, py as u32).expect("pixel");
        assert!(
            close(got, colour.0, 2),
            "river vertex at ({px:.1},{py:.1}): {got:?}"
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} river vertices in view");
    // width: count river-coloured pixels along a vertical scan through a mid-segment point
    // of a near-horizontal stretch; the 4 px line covers 3–5 pixel rows.
    let seg = coords
        .windows(2)
        .map(|w| (w[0], w[1]))
        .find(|(a, b)| {
            let (ax, ay) = cam.lonlat_to_pixel(a.x, a.y);
            let (bx, by) = cam.lonlat_to_pixel(b.x, b.y);
            (bx - ax).abs() > 6.0
                && (by - ay).abs() < 0.25 * (bx - ax).abs()
                && (20.0..380.0).contains(&ax)
                && (20.0..300.0).contains(&ay)
        })
        .expect("a flat river segment in view");
    let (ax, ay) = cam.lonlat_to_pixel(seg.0.x, seg.0.y);
    let (bx, by) = cam.lonlat_to_pixel(seg.1.x, seg.1.y);
    let (mx, my) = ((ax + bx) / 2.0, (ay + by) / 2.0);
    let rows = (my as i32 - 8..=my as i32 + 8)
        .filter(|&y| {
            img.pixel(mx as u32, y as u32)
                .is_some_and(|p| close(p, colour.0, 40))
        })
        .count();
    // a 4 px line at a slope under 0.25 spans 4–4.2 px vertically: 3 to 5 pixel rows
    assert!((3..=5).contains(&rows), "river is {rows} px thick");
}

fn single_point_layer() -> (Layer, Feature) {
    let mut places = layer("data/context/hetao_gba_points.geojson");
    let f = places
        .features
        .iter()
        .find(|f| {
            f.prop_str("name")
                .is_some_and(|n| n.starts_with("Lok Ma Chau Loop"))
        })
        .expect("Lok Ma Chau Loop point")
        .clone();
    places.features = vec![f.clone()];
    (places, f)
}

/// Centroid (px) of the pixels within `tol` of `colour`.
fn colour_centroid(img: &Image, colour: [u8; 4], tol: u8) -> Option<(f64, f64, usize)> {
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0usize);
    for y in 0..img.height {
        for x in 0..img.width {
            if img.pixel(x, y).is_some_and(|p| close(p, colour, tol)) {
                sx += f64::from(x) + 0.5;
                sy += f64::from(y) + 0.5;
                n += 1;
            }
        }
    }
    (n > 0).then(|| (sx / n as f64, sy / n as f64, n))
}

#[test]
fn marker_is_where_its_lonlat_projects_and_world_file_maps_it_back() {
    let Some(ctx) = gpu() else { return };
    let ctx = ctx.lock().expect("gpu");
    let (places, f) = single_point_layer();
    let Some(geo::Geometry::Point(pt)) = f.geometry else {
        panic!("not a point")
    };
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    let style = styles.for_layer(&places.name);
    let colour = style.point_color.expect("marker colour");
    let ds = Dataset {
        layers: vec![places],
    };
    let req = SnapshotRequest {
        width: 300,
        height: 200,
        view: View::Bbox([114.070, 22.515, 114.086, 22.530]),
        scale: 1.0,
        scene: SceneOptions::default(),
        overlay: None,
    };
    let snap = render_snapshot(&ctx, &ds, &styles, &req).expect("snapshot");
    let (px, py) = snap.camera.lonlat_to_pixel(pt.x(), pt.y());
    let (cx, cy, n) = colour_centroid(&snap.image, colour.0, 8).expect("marker pixels");
    assert!(n >= 9, "marker has {n} px");
    assert!(
        (cx - px).abs() < 1.0 && (cy - py).abs() < 1.0,
        "marker at ({cx:.2},{cy:.2}), lon/lat projects to ({px:.2},{py:.2})"
    );
    // the label is drawn to the right of the marker
    assert_eq!(snap.scene.layers[0].mesh.labels[0].text, "Lok Ma Chau Loop");

    // world file: pixel (col,row) → EPSG:3857 → lon/lat within one pixel of the feature
    let wf: Vec<f64> = snap
        .camera
        .world_file()
        .lines()
        .map(|l| l.parse().expect("number"))
        .collect();
    assert_eq!(wf.len(), 6);
    let (col, row) = (cx - 0.5, cy - 0.5); // pixel index space: centre of pixel 0 is 0
    let x = wf[0] * col + wf[2] * row + wf[4];
    let y = wf[1] * col + wf[3] * row + wf[5];
    let (fx, fy) = lonlat_to_mercator(pt.x(), pt.y());
    assert!(
        (x - fx).abs() <= wf[0].abs() && (y - fy).abs() <= wf[3].abs(),
        "world file maps the marker to ({x},{y}), feature at ({fx},{fy})"
    );
    let (lon, lat) = mercator_to_lonlat(x, y);
    assert!((lon - pt.x()).abs() < 1e-4 && (lat - pt.y()).abs() < 1e-4);
}

fn building(status_history: &[(i32, &str)], ring: &[(f64, f64)]) -> Feature {
    let hist: Vec<serde_json::Value> = status_history
        .iter()
        .map(|(y, s)| serde_json::json!({"year": y, "status": s}))
        .collect();
    let mut props = serde_json::Map::new();
    props.insert("history".into(), serde_json::Value::Array(hist));
    props.insert("gfa_m2".into(), serde_json::json!(12000.0));
    Feature {
        geometry: Some(geo::Geometry::Polygon(geo::Polygon::new(
            geo::LineString::from(ring.to_vec()),
            vec![],
        ))),
        properties: Some(props.into()),
        ..Default::default()
    }
}

#[test]
fn buildings_are_drawn_as_they_stand_in_the_year() {
    let Some(ctx) = gpu() else { return };
    let ctx = ctx.lock().expect("gpu");
    let square = |x: f64| {
        vec![
            (x, 22.52),
            (x + 0.002, 22.52),
            (x + 0.002, 22.522),
            (x, 22.522),
            (x, 22.52),
        ]
    };
    let old = building(&[(2018, "existing"), (2024, "converted")], &square(114.070));
    let new = building(
        &[(2027, "under_construction"), (2029, "completed")],
        &square(114.074),
    );
    let ds = Dataset {
        layers: vec![Layer {
            name: "buildings".into(),
            features: vec![old, new],
            illustrative: true,
            ..Default::default()
        }],
    };
    let mut styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    let mut st = styles.for_layer("buildings");
    st.stroke = None;
    styles.insert(st.clone());
    let cat = |k: &str| match &st.color_by {
        Some(hetao_atlas::render::style::ColorBy::Categorical { categories, .. }) => {
            categories.iter().find(|c| c.0 == k).expect("category").1
        }
        _ => panic!("buildings are categorical"),
    };
    let cam = Camera::fit_bbox([114.069, 22.519, 114.077, 22.523], 200.0, 100.0, 0.0);
    let centre = |x: f64| cam.lonlat_to_pixel(x + 0.001, 22.521);
    for (year, first, second) in [
        (2020, Some("existing"), None),
        (2025, Some("converted"), None),
        (2028, Some("converted"), Some("under_construction")),
        (2030, Some("converted"), Some("completed")),
    ] {
        let scene = Scene::build(
            &ds,
            &styles,
            &SceneOptions {
                year: Some(year),
                layers: None,
            },
        );
        let img = render(&ctx, &scene, &cam);
        for (x, status) in [(114.070, first), (114.074, second)] {
            let (px, py) = centre(x);
            let got = img.pixel(px as u32, py as u32).expect("pixel");
            let want = match status {
                Some(s) => over(
                    cat(s).with_opacity(st.opacity * st.fill_opacity),
                    BACKGROUND,
                ),
                None => BACKGROUND.0,
            };
            assert!(
                close(got, want, 2),
                "{year} at {x}: {got:?}, want {status:?} {want:?}"
            );
        }
    }
}

fn data_args() -> Vec<String> {
    [
        "data/context/hk_districts_had.geojson",
        "data/context/futian_district_osm.geojson",
        "data/zone/lok_ma_chau_loop_osm.geojson",
        "data/context/shenzhen_river_boundary_osm.geojson",
        "data/context/hetao_gba_points.geojson",
    ]
    .iter()
    .map(|p| root().join(p).display().to_string())
    .collect()
}

#[test]
fn snapshot_command_writes_png_and_world_file() {
    if gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("zone.png");
    let out_s = out.display().to_string();
    let data = data_args();
    let mut args = vec![
        "snapshot",
        "--out",
        &out_s,
        "--width",
        "400",
        "--height",
        "300",
        "--scale",
        "2",
        "--world-file",
        "--title",
        "河套 test",
        "--data",
    ];
    args.extend(data.iter().map(String::as_str));
    let (code, text) = hetao_atlas::cli::run_args(&args);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("800×600"), "{text}");
    let img = Image::decode_png(&std::fs::read(&out).expect("png")).expect("decode");
    assert_eq!((img.width, img.height), (800, 600));
    let pgw = std::fs::read_to_string(dir.path().join("zone.pgw")).expect("pgw");
    let v: Vec<f64> = pgw.lines().map(|l| l.parse().expect("num")).collect();
    assert_eq!(v.len(), 6);
    assert!(v[0] > 0.0 && (v[0] + v[3]).abs() < 1e-9 && v[1] == 0.0 && v[2] == 0.0);
    // the upper-left pixel centre lies west and north of the Loop (zone view)
    let (lx, ly) = lonlat_to_mercator(114.0715, 22.530);
    assert!(v[4] < lx && v[5] > ly, "{pgw}");
    // the overlay: the attribution band at the bottom right is the light panel, not the map
    let p = img.pixel(img.width - 3, img.height - 3).expect("corner");
    assert!(
        p[0] > 240 && p[1] > 240 && p[2] > 240,
        "attribution panel {p:?}"
    );

    // bad arguments are clear errors; an image beyond the device limit is refused up front
    let (code, text) = hetao_atlas::cli::run_args(&[
        "snapshot", "--out", &out_s, "--width", "16384", "--height", "100", "--scale", "4",
        "--data", &data[0],
    ]);
    assert_eq!(code, 2);
    assert!(
        text.contains("65536×400") && text.contains("exceeds"),
        "{text}"
    );
    let (code, text) = hetao_atlas::cli::run_args(&[
        "snapshot",
        "--out",
        &out_s,
        "--bbox",
        "114.1,22.5,114.0,22.6",
    ]);
    assert_eq!(code, 2);
    assert!(text.contains("W < E"), "{text}");
    let (code, text) = hetao_atlas::cli::run_args(&[
        "snapshot", "--out", &out_s, "--layers", "nope", "--data", &data[0],
    ]);
    assert_eq!(code, 2);
    assert!(text.contains("no layer \"nope\""), "{text}");
}

#[test]
fn bad_style_file_reports_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("bad.json"),
        "{\n  \"layer\": \"shenzhen_river\",\n  \"width\": \"wide\"\n}\n",
    )
    .expect("write");
    let err = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES)
        .expect("styles")
        .load_dir(dir.path())
        .expect_err("bad style");
    let msg = err.to_string();
    assert!(msg.contains("bad.json:3:"), "{msg}");
    // an unknown key is an error too (typos do not pass silently)
    let err = Style::from_json("{\"layer\": \"x\",\n \"fil\": \"#fff\"}", "t.json")
        .expect_err("unknown key");
    assert!(err.to_string().contains("t.json:2:"), "{err}");
}

#[test]
fn legend_and_attribution_cover_the_visible_layers() {
    use hetao_atlas::render::overlay::{attributions, legend};
    let mut ds = Dataset::default();
    for p in [
        "data/context/hk_districts_had.geojson",
        "data/zone/lok_ma_chau_loop_osm.geojson",
        "data/context/shenzhen_river_boundary_osm.geojson",
    ] {
        ds.layers.push(layer(p));
    }
    ds.layers[0].attribution =
        Some("HKSAR Government / Home Affairs Department, via DATA.GOV.HK".into());
    let mut b = Layer {
        name: "buildings".into(),
        illustrative: true,
        ..Default::default()
    };
    b.features.push(building(
        &[(2020, "converted")],
        &[
            (114.07, 22.52),
            (114.071, 22.52),
            (114.071, 22.521),
            (114.07, 22.52),
        ],
    ));
    ds.layers.push(b);
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    let scene = Scene::build(&ds, &styles, &SceneOptions::default());
    let blocks = legend(&scene);
    // the buildings block lists only the statuses present (one building, converted)
    let labels: Vec<&str> = blocks[0].entries.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(labels, ["converted to R&D"]);
    let titles: Vec<String> = blocks.into_iter().map(|b| b.title).collect();
    assert_eq!(
        titles,
        [
            "Buildings by status (illustrative)",
            "Shenzhen River 深圳河",
            "Hong Kong Park (Lok Ma Chau Loop) 港深创新及科技园"
        ]
    );
    let attr = attributions(&scene);
    assert!(
        attr.iter().any(|a| a.starts_with("HKSAR Government")),
        "{attr:?}"
    );
    assert!(
        attr.iter()
            .any(|a| a.contains("OpenStreetMap contributors")),
        "{attr:?}"
    );
    assert!(
        attr.iter().any(|a| a.starts_with("illustrative data")),
        "{attr:?}"
    );
    assert_eq!(
        attr.iter().filter(|a| a.contains("OpenStreetMap")).count(),
        1,
        "{attr:?}"
    );
}

/// Compare with a golden PNG: at most 0.5 % of pixels may differ by more than 40 in a channel
/// (edge rasterization differs between GPUs), and the mean absolute difference stays < 1.5.
fn check_golden(img: &Image, name: &str) {
    let path: PathBuf = root().join("tests/fixtures/golden").join(name);
    if std::env::var("HETAO_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, img.encode_png().expect("png")).expect("write golden");
        eprintln!("wrote {}", path.display());
        return;
    }
    let golden = Image::decode_png(
        &std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with HETAO_BLESS=1)", path.display())),
    )
    .expect("golden png");
    assert_eq!((golden.width, golden.height), (img.width, img.height));
    let mut bad = 0usize;
    let mut sum = 0u64;
    for (a, b) in img.pixels.chunks(4).zip(golden.pixels.chunks(4)) {
        let d = a
            .iter()
            .zip(b)
            .map(|(x, y)| x.abs_diff(*y))
            .max()
            .unwrap_or(0);
        sum += a
            .iter()
            .zip(b)
            .map(|(x, y)| u64::from(x.abs_diff(*y)))
            .sum::<u64>();
        if d > 40 {
            bad += 1;
        }
    }
    let n = (img.width * img.height) as usize;
    let mean = sum as f64 / (n * 4) as f64;
    if bad * 200 > n || mean >= 1.5 {
        let dump = std::env::temp_dir().join(format!("actual-{name}"));
        let _ = std::fs::write(&dump, img.encode_png().expect("png"));
        panic!(
            "{name}: {bad} of {n} pixels differ, mean {mean:.3}; actual in {}",
            dump.display()
        );
    }
}

#[test]
fn golden_zone_map() {
    let Some(ctx) = gpu() else { return };
    let ctx = ctx.lock().expect("gpu");
    let mut ds = Dataset::default();
    for p in [
        "data/context/hk_districts_had.geojson",
        "data/context/futian_district_osm.geojson",
        "data/context/mtr_osm.geojson",
        "data/zone/lok_ma_chau_loop_osm.geojson",
        "data/context/shenzhen_river_boundary_osm.geojson",
    ] {
        ds.layers.push(layer(p));
    }
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    let mut styles_nolabel = styles.clone();
    let mut s = styles.for_layer("lok_ma_chau_loop_osm");
    s.label = None;
    styles_nolabel.insert(s);
    let scene = Scene::build(&ds, &styles_nolabel, &SceneOptions::default());
    let cam = Camera::fit_bbox([114.055, 22.505, 114.095, 22.535], 256.0, 192.0, 4.0);
    let img = render(&ctx, &scene, &cam);
    check_golden(&img, "zone_256x192.png");
}

#[test]
fn golden_markers_and_labels() {
    let Some(ctx) = gpu() else { return };
    let ctx = ctx.lock().expect("gpu");
    let ds = Dataset {
        layers: vec![
            layer("data/context/hetao_gba_points.geojson"),
            layer("data/context/mtr_osm.geojson"),
        ],
    };
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    let scene = Scene::build(&ds, &styles, &SceneOptions::default());
    let cam = Camera::fit_bbox([114.04, 22.49, 114.11, 22.54], 320.0, 240.0, 4.0);
    let img = render(&ctx, &scene, &cam);
    check_golden(&img, "places_320x240.png");
}

#[test]
fn png_round_trip() {
    let img = Image {
        width: 3,
        height: 2,
        pixels: (0..24).map(|i| (i * 10) as u8).collect(),
    };
    let back = Image::decode_png(&img.encode_png().expect("encode")).expect("decode");
    assert_eq!(back, img);
}
