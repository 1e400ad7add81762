//! Page layout benchmarks (criterion), on the embedded zone (`core::zone::embedded_dataset`):
//! - `page/png_a4_300dpi`: `hetao snapshot --page A4 --landscape --dpi 300 --out x.png`'s work
//!   (scene, layout, GPU map + furniture overlay at 3508×2480, read back, PNG encoding); its peer
//!   in the same run, `peer/old_snapshot_3508x2480`, is the pre-layout snapshot path
//!   (`render_snapshot` at 1754×1240 logical px × 2) with the same pixels and encoding;
//! - `page/pdf_a4`: scene, layout and the vector PDF (krilla, font subset); its peer,
//!   `peer/gdal_translate_png_to_pdf`, is GDAL turning the 300-dpi page PNG into a (raster) PDF
//!   (skipped when `gdal_translate` is missing);
//! - `page/svg_a4`: the same page as SVG;
//! - `page/gif_19_frames`: the 2017–2035 series at 96 dpi, 19 frames, GIF encoding included.
//!
//! Goals (issue 15, lavapipe): PNG ≤ 1.5 s, PDF ≤ 0.5 s, GIF ≤ 10 s. GPU benches are skipped
//! without an adapter. Under `cargo test --all-targets` each runs once on a small page.

#[path = "common/mod.rs"]
#[allow(dead_code)] // only the smoke-test switch is used here
mod common;
use common::bench_mode;
use criterion::{Criterion, criterion_group, criterion_main};
use hetao_atlas::cli::snapshot::figure::{FigureOptions, page_inputs};
use hetao_atlas::cli::snapshot::page::{PageJob, export};
use hetao_atlas::core::model::Dataset;
use hetao_atlas::render::layout::{Page, PageLayout, layout};
use hetao_atlas::render::offscreen::{OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES};
use hetao_atlas::render::overlay::OverlayOptions;
use hetao_atlas::render::snapshot::{SnapshotRequest, View, render_snapshot};
use hetao_atlas::render::{GpuContext, MapRenderer, Scene, SceneOptions, StyleSet};
use std::hint::black_box;
use std::time::Duration;

fn lay_out(ds: &Dataset, styles: &StyleSet, page: &Page, year: i32) -> (Scene, PageLayout) {
    let scene = Scene::build(
        ds,
        styles,
        &SceneOptions {
            year: Some(year),
            layers: None,
        },
    );
    let fig = FigureOptions {
        title: "Hetao Shenzhen–Hong Kong Science and Technology Innovation Cooperation Zone".into(),
        year: Some(year),
        ..FigureOptions::default()
    };
    let inputs = page_inputs(ds, &scene, &fig);
    let l = layout(page, View::Auto, &scene, ds, &inputs);
    (scene, l)
}

fn bench(c: &mut Criterion) {
    let ds = hetao_atlas::core::zone::embedded_dataset().expect("zone");
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    let full = bench_mode();
    let dpi = if full { 300.0 } else { 48.0 };
    let page = Page::new("A4", true, 10.0, dpi).expect("page");
    let mut g = c.benchmark_group("page");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(if full { 12 } else { 1 }));

    g.bench_function("pdf_a4", |b| {
        b.iter(|| {
            let (_, l) = lay_out(&ds, &styles, &page, 2025);
            black_box(hetao_atlas::render::pdf::write_pdf(&[&l.list]).expect("pdf"))
        })
    });
    g.bench_function("svg_a4", |b| {
        b.iter(|| {
            let (_, l) = lay_out(&ds, &styles, &page, 2025);
            black_box(hetao_atlas::render::svg::write_svg(&l.list))
        })
    });

    let ctx = match GpuContext::shared_headless() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("skipped GPU benches: {e}");
            return;
        }
    };
    let (pw, ph) = page.size_px();
    g.bench_function(format!("png_a4_{dpi:.0}dpi"), |b| {
        b.iter(|| {
            let (scene, l) = lay_out(&ds, &styles, &page, 2025);
            let mut r = MapRenderer::new(&ctx.device, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES)
                .expect("renderer");
            r.set_scene(&ctx.device, &ctx.queue, &scene)
                .expect("upload");
            let img = hetao_atlas::render::page_png::render_page(&ctx, &mut r, &l).expect("page");
            black_box(img.encode_png().expect("png"))
        })
    });
    g.bench_function(format!("peer/old_snapshot_{pw}x{ph}"), |b| {
        let req = SnapshotRequest {
            width: pw.div_ceil(2),
            height: ph.div_ceil(2),
            view: View::Auto,
            scale: 2.0,
            scene: SceneOptions {
                year: Some(2025),
                layers: None,
            },
            overlay: Some(OverlayOptions {
                title: Some("Hetao".into()),
                date: None,
                year: Some(2025),
            }),
        };
        b.iter(|| {
            let snap = render_snapshot(&ctx, &ds, &styles, &req).expect("snapshot");
            black_box(snap.image.encode_png().expect("png"))
        })
    });
    let dir = tempfile::tempdir().expect("tmp");
    let png = dir.path().join("page.png");
    let gdal = std::process::Command::new("gdal_translate")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if gdal {
        let (scene, l) = lay_out(&ds, &styles, &page, 2025);
        let mut r =
            MapRenderer::new(&ctx.device, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES).expect("renderer");
        r.set_scene(&ctx.device, &ctx.queue, &scene)
            .expect("upload");
        let img = hetao_atlas::render::page_png::render_page(&ctx, &mut r, &l).expect("page");
        std::fs::write(&png, img.encode_png().expect("png")).expect("write");
        let out = dir.path().join("page.pdf");
        g.bench_function("peer/gdal_translate_png_to_pdf", |b| {
            b.iter(|| {
                let s = std::process::Command::new("gdal_translate")
                    .args(["-q", "-of", "PDF"])
                    .arg(&png)
                    .arg(&out)
                    .status()
                    .expect("gdal_translate");
                assert!(s.success());
            })
        });
    }
    let (years, gif_dpi) = if full {
        ((2017..=2035).collect::<Vec<_>>(), 96.0)
    } else {
        (vec![2017, 2035], 48.0)
    };
    let job = PageJob {
        out: dir.path().join("series.gif"),
        page: Page::new("A4", true, 10.0, gif_dpi).expect("page"),
        view: View::Auto,
        layers: None,
        figure: FigureOptions {
            title: "Hetao".into(),
            ..FigureOptions::default()
        },
        years: Some(years.clone()),
        world_file: false,
        gif_delay_cs: 80,
    };
    g.bench_function(format!("gif_{}_frames", years.len()), |b| {
        b.iter(|| black_box(export(&ds, &styles, &job, Some(&ctx)).expect("gif")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
