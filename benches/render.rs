//! Renderer benchmarks (criterion):
//! - `tessellate/zone`: the real context and zone layers (data/context, data/zone);
//! - `tessellate/buildings`: generated buildings (fills + outlines; 1 in 8 concave → earcut);
//! - `frame/zone`, `frame/buildings`: offscreen frame (prepare, paint, 4× MSAA resolve, read back)
//!   at 1024×768;
//! - `png/encode_4096`: PNG encoding of a 4096×4096 snapshot of the zone.
//!
//! Sizes: `HETAO_BENCH_BUILDINGS` (tessellation, default 200000) and
//! `HETAO_BENCH_FRAME_BUILDINGS` (frame, default 50000; 1000000 is the goal on a real GPU).
//! GPU benches are skipped when no adapter exists.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hetao_atlas::core::model::{Dataset, Feature, Layer};
use hetao_atlas::render::offscreen::{OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES};
use hetao_atlas::render::snapshot::BACKGROUND;
use hetao_atlas::render::tessellate::{Filter, tessellate_layer};
use hetao_atlas::render::{
    Camera, GpuContext, MapRenderer, Scene, SceneOptions, StyleSet, render_image,
};
use std::hint::black_box;
use std::path::Path;

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn zone_dataset() -> Dataset {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut ds = Dataset::default();
    for p in [
        "data/context/ne_10m_admin0_gba.geojson",
        "data/context/hk_districts_had.geojson",
        "data/context/futian_district_osm.geojson",
        "data/context/shenzhen_metro_osm_2016.geojson",
        "data/context/mtr_osm.geojson",
        "data/context/huanggang_hk_port_area_osm.geojson",
        "data/zone/lok_ma_chau_loop_osm.geojson",
        "data/context/shenzhen_river_boundary_osm.geojson",
        "data/context/hetao_gba_points.geojson",
    ] {
        if let Ok(l) = hetao_atlas::core::io::load_path(&root.join(p)) {
            ds.layers.push(l);
        }
    }
    ds
}

/// `n` buildings of 20–60 m on a grid over the zone, every 8th an L shape (concave), with a
/// conversion history.
fn buildings(n: usize) -> Layer {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let side = (n as f64).sqrt().ceil() as usize;
    let (w0, s0) = (114.05, 22.505);
    let step = 0.045 / side as f64;
    let statuses = [
        "existing",
        "converted",
        "under_construction",
        "planned",
        "completed",
    ];
    let features = (0..n)
        .map(|i| {
            let (x, y) = (w0 + (i % side) as f64 * step, s0 + (i / side) as f64 * step);
            let (w, h) = (step * (0.3 + 0.5 * rnd()), step * (0.3 + 0.5 * rnd()));
            let ring: Vec<(f64, f64)> = if i % 8 == 0 {
                vec![
                    (x, y),
                    (x + w, y),
                    (x + w, y + h / 2.0),
                    (x + w / 2.0, y + h / 2.0),
                    (x + w / 2.0, y + h),
                    (x, y + h),
                    (x, y),
                ]
            } else {
                vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
            };
            let mut props = serde_json::Map::new();
            props.insert(
                "status".into(),
                serde_json::json!(statuses[i % statuses.len()]),
            );
            Feature {
                geometry: Some(geo::Geometry::Polygon(geo::Polygon::new(
                    ring.into(),
                    vec![],
                ))),
                properties: Some(props),
                ..Default::default()
            }
        })
        .collect();
    Layer {
        name: "buildings".into(),
        features,
        illustrative: true,
        ..Default::default()
    }
}

/// True under `cargo bench` (which passes `--bench`); under `cargo test --all-targets` the
/// bench runs once as a smoke test, on small inputs, so the suite stays fast.
fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn bench(c: &mut Criterion) {
    let styles = StyleSet::embedded().expect("styles");
    let zone = zone_dataset();
    let n_tess = env_count(
        "HETAO_BENCH_BUILDINGS",
        if bench_mode() { 200_000 } else { 500 },
    );
    let n_frame = env_count(
        "HETAO_BENCH_FRAME_BUILDINGS",
        if bench_mode() { 50_000 } else { 200 },
    );

    let mut g = c.benchmark_group("tessellate");
    g.sample_size(10);
    let zone_features: usize = zone.layers.iter().map(|l| l.features.len()).sum();
    g.throughput(Throughput::Elements(zone_features as u64));
    g.bench_function("zone", |b| {
        b.iter(|| {
            black_box(Scene::build(
                &zone,
                &styles,
                &SceneOptions {
                    year: None,
                    layers: None,
                },
            ))
        })
    });
    let bl = buildings(n_tess);
    let style = styles.for_layer("buildings");
    let origin = hetao_atlas::render::LocalOrigin::from_lonlat(114.07, 22.525);
    g.throughput(Throughput::Elements(n_tess as u64));
    g.bench_function(format!("buildings_{n_tess}"), |b| {
        b.iter(|| black_box(tessellate_layer(&bl, &style, Filter::default(), origin)))
    });
    g.finish();

    let ctx = match GpuContext::new_headless() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("GPU benches skipped: {e}");
            return;
        }
    };
    eprintln!("adapter: {}", ctx.describe());
    let mut g = c.benchmark_group("frame");
    g.sample_size(10);
    let cam = Camera::fit_bbox([114.048, 22.505, 114.100, 22.545], 1024.0, 768.0, 10.0);
    let mut r =
        MapRenderer::new(&ctx.device, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES).expect("renderer");
    r.set_scene(
        &ctx.device,
        &Scene::build(&zone, &styles, &SceneOptions::default()),
    )
    .expect("upload");
    g.bench_function("zone_1024x768", |b| {
        b.iter(|| black_box(render_image(&ctx, &mut r, &cam, None, BACKGROUND).expect("render")))
    });
    let ds = Dataset {
        layers: vec![buildings(n_frame)],
    };
    let mut r =
        MapRenderer::new(&ctx.device, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES).expect("renderer");
    r.set_scene(
        &ctx.device,
        &Scene::build(&ds, &styles, &SceneOptions::default()),
    )
    .expect("upload");
    g.throughput(Throughput::Elements(n_frame as u64));
    g.bench_function(format!("buildings_{n_frame}_1024x768"), |b| {
        b.iter(|| black_box(render_image(&ctx, &mut r, &cam, None, BACKGROUND).expect("render")))
    });
    g.finish();

    // PNG encode of a real 4096×4096 snapshot (1024×1024 logical at scale 4)
    let mut big = Camera::fit_bbox([114.048, 22.505, 114.100, 22.545], 1024.0, 1024.0, 10.0);
    big.pixel_ratio = if bench_mode() { 4.0 } else { 0.5 };
    let mut r =
        MapRenderer::new(&ctx.device, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES).expect("renderer");
    r.set_scene(
        &ctx.device,
        &Scene::build(&zone, &styles, &SceneOptions::default()),
    )
    .expect("upload");
    let img = render_image(&ctx, &mut r, &big, None, BACKGROUND).expect("render 4096");
    let mut g = c.benchmark_group("png");
    g.sample_size(10);
    g.bench_function("encode_4096", |b| {
        b.iter(|| black_box(img.encode_png().expect("png")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
