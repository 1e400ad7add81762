//! Load benchmark: a seeded FeatureCollection of buildings (5–10 vertices, four properties),
//! loaded by our loader (model + R-tree) and by the `geojson` crate's FeatureCollection
//! parser (baseline). Prints MB/s, features/s, peak memory (VmHWM of a child process per
//! loader) and the ratio, then runs criterion on both.
//!
//! `HETAO_BENCH_FEATURES` (default 500000, about 170 MB) sets the size;
//! `HETAO_BENCH_RUNS` (default 3) the child runs per loader (the median is reported).

use criterion::Criterion;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use hetao_atlas::core::zone::generator::SplitMix64 as Rng;

const USES: &[&str] = &["research", "office", "residential", "lab", "mixed"];

fn generate(path: &Path, n: usize) -> std::io::Result<u64> {
    let mut r = Rng::new(20_260_101);
    let f = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    w.write_all(b"{\"type\":\"FeatureCollection\",\"name\":\"bench_buildings\",\"features\":[\n")?;
    for i in 0..n {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        let cx = 113.80 + r.next_f64() * 0.45;
        let cy = 22.45 + r.next_f64() * 0.30;
        let k = 5 + (r.next_u64() % 6) as usize; // 5..=10 vertices
        let size = 0.0001 + r.next_f64() * 0.0004;
        write!(
            w,
            "{{\"type\":\"Feature\",\"id\":{i},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[["
        )?;
        let mut first = (0.0, 0.0);
        for j in 0..k {
            let a = j as f64 / k as f64 * std::f64::consts::TAU;
            let rad = size * (0.6 + 0.4 * r.next_f64());
            let (x, y) = (cx + rad * a.cos(), cy + rad * a.sin());
            if j == 0 {
                first = (x, y);
            }
            write!(w, "[{x:.7},{y:.7}],")?;
        }
        write!(w, "[{:.7},{:.7}]]]}},", first.0, first.1)?;
        write!(
            w,
            "\"properties\":{{\"name\":\"Building {i}\",\"floors\":{},\"height_m\":{:.1},\"use\":\"{}\"}}}}",
            1 + r.next_u64() % 60,
            3.0 + r.next_f64() * 200.0,
            USES[(r.next_u64() % USES.len() as u64) as usize]
        )?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Our loader: file -> model -> R-tree. The result is returned so that freeing it is not
/// timed (an application keeps what it loads).
fn load_ours(
    path: &Path,
) -> (
    hetao_atlas::core::model::Dataset,
    hetao_atlas::core::index::SpatialIndex,
) {
    let layer = hetao_atlas::core::io::load_path(path).expect("our loader");
    let ds = hetao_atlas::core::model::Dataset {
        layers: vec![layer],
    };
    let index = hetao_atlas::core::index::SpatialIndex::build(&ds);
    (ds, index)
}

/// The baseline: file -> `geojson::FeatureCollection` (no model conversion, no index).
fn load_geojson(path: &Path) -> geojson::FeatureCollection {
    let text = std::fs::read_to_string(path).expect("read");
    text.parse().expect("geojson crate")
}

/// Breakdown mode (`HETAO_BENCH_CHILD=breakdown`): parse the same bytes repeatedly (warm
/// allocator) with 1 and all threads, the geojson crate, and the R-tree build.
fn breakdown(path: &Path) {
    let bytes = std::fs::read(path).expect("read");
    let text = std::str::from_utf8(&bytes).expect("utf8");
    let mb = bytes.len() as f64 / 1e6;
    for round in 0..3 {
        for threads in [1, 2] {
            let opts = hetao_atlas::core::io::LoadOptions {
                threads: Some(threads),
                ..Default::default()
            };
            let t = Instant::now();
            let l = hetao_atlas::core::io::load_slice_with(&bytes, "b", "b", &opts).expect("load");
            let s = t.elapsed().as_secs_f64();
            println!(
                "round {round}: hetao parse, {threads} thread(s): {s:.3} s = {:.0} MB/s",
                mb / s
            );
            if threads == 2 {
                let ds = hetao_atlas::core::model::Dataset { layers: vec![l] };
                let t = Instant::now();
                let idx = hetao_atlas::core::index::SpatialIndex::build(&ds);
                println!(
                    "round {round}: R-tree over {} features: {:.3} s",
                    idx.len(),
                    t.elapsed().as_secs_f64()
                );
            }
        }
        let t = Instant::now();
        let fc: geojson::FeatureCollection = text.parse().expect("geojson");
        let s = t.elapsed().as_secs_f64();
        println!(
            "round {round}: geojson crate parse ({} features): {s:.3} s = {:.0} MB/s",
            fc.features.len(),
            mb / s
        );
    }
}

/// Child mode: load once, print "seconds features vmhwm_kb".
fn child(which: &str, path: &Path) {
    if which == "breakdown" {
        breakdown(path);
        return;
    }
    if which == "parse1" || which == "geojson_parse" {
        // CPU-time probes for `perf stat`: parse from memory, one thread.
        let bytes = std::fs::read(path).expect("read");
        let text = std::str::from_utf8(&bytes).expect("utf8");
        let t = Instant::now();
        let n = if which == "parse1" {
            let opts = hetao_atlas::core::io::LoadOptions {
                threads: Some(1),
                ..Default::default()
            };
            hetao_atlas::core::io::load_slice_with(&bytes, "b", "b", &opts)
                .expect("load")
                .features
                .len()
        } else {
            text.parse::<geojson::FeatureCollection>()
                .expect("geojson")
                .features
                .len()
        };
        println!(
            "{which}: {n} features in {:.3} s",
            t.elapsed().as_secs_f64()
        );
        return;
    }
    let t = Instant::now();
    let n = match which {
        "ours" => {
            let (ds, index) = load_ours(path);
            assert_eq!(index.len(), ds.feature_count());
            let n = ds.feature_count();
            std::mem::forget((ds, index));
            n
        }
        _ => {
            let fc = load_geojson(path);
            let n = fc.features.len();
            std::mem::forget(fc);
            n
        }
    };
    let secs = t.elapsed().as_secs_f64();
    println!("{secs} {n} {}", vm_hwm_kb());
}

fn run_child(which: &str, path: &Path) -> (f64, usize, u64) {
    let exe = std::env::current_exe().expect("current exe");
    let out = Command::new(exe)
        .env("HETAO_BENCH_CHILD", which)
        .env("HETAO_BENCH_FILE", path)
        .output()
        .expect("spawn child");
    let s = String::from_utf8_lossy(&out.stdout);
    let mut it = s.split_whitespace();
    let secs = it.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    let n = it.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    let kb = it.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    (secs, n, kb)
}

/// True under `cargo bench` (which passes `--bench`); under `cargo test --all-targets` the
/// bench runs once as a smoke test, on small inputs, so the suite stays fast.
fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn main() {
    if let (Ok(which), Ok(file)) = (
        std::env::var("HETAO_BENCH_CHILD"),
        std::env::var("HETAO_BENCH_FILE"),
    ) {
        child(&which, Path::new(&file));
        return;
    }
    let n: usize = std::env::var("HETAO_BENCH_FEATURES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench_mode() { 500_000 } else { 2_000 });
    let runs: usize = std::env::var("HETAO_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench_mode() { 3 } else { 1 })
        .max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let path: PathBuf = dir.path().join("bench_buildings.geojson");
    let size = generate(&path, n).expect("generate");
    let mb = size as f64 / 1e6;
    println!("benchmark file: {n} buildings, {mb:.1} MB ({size} bytes)");
    let mut results = Vec::new();
    for which in ["ours", "geojson"] {
        let mut v: Vec<(f64, usize, u64)> = (0..runs).map(|_| run_child(which, &path)).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (secs, feats, kb) = v[v.len() / 2];
        let label = if which == "ours" {
            "hetao loader (model + R-tree)"
        } else {
            "geojson crate FeatureCollection"
        };
        println!(
            "{label:34} median of {runs}: {secs:.3} s  {:.1} MB/s  {:.0} features/s  peak {:.1} MB ({:.2}x file)  [{feats} features]",
            mb / secs,
            feats as f64 / secs,
            kb as f64 / 1024.0,
            kb as f64 * 1024.0 / size as f64,
        );
        results.push(secs);
    }
    println!(
        "speed ratio (geojson time / hetao time): {:.2}x",
        results[1] / results[0]
    );

    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(5))
        .configure_from_args();
    let mut g = c.benchmark_group("load");
    g.throughput(criterion::Throughput::Bytes(size));
    g.bench_function("hetao_model_and_rtree", |b| {
        b.iter_with_large_drop(|| load_ours(&path))
    });
    g.bench_function("geojson_crate_feature_collection", |b| {
        b.iter_with_large_drop(|| load_geojson(&path))
    });
    g.finish();
    c.final_summary();
}
