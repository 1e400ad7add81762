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

#[path = "common/mod.rs"]
mod common;
use common::bench_mode;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hetao_atlas::core::model::{Dataset, Layer};
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

fn bench(c: &mut Criterion) {
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
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
        &ctx.queue,
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
        &ctx.queue,
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
        &ctx.queue,
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

/// The render benches' buildings: grid buildings coloured by conversion status.
fn buildings(n: usize) -> Layer {
    common::grid_buildings(n, &common::STATUSES, "buildings")
}
