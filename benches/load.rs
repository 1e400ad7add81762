//! Load benchmark: seeded FeatureCollections of buildings (5–10 vertices, four properties),
//! loaded end to end by our loader and by the path a Rust GIS writes by default (the peer:
//! the `geojson` crate's `FeatureCollection` → `geo` geometries → an `rstar` bulk load of
//! the envelopes), in the same run:
//!
//! 1. in-process, one child process per loader and run: seconds, MB/s, peak memory (VmHWM)
//!    as a multiple of the file size, and the ratios;
//! 2. whole process: `hetao query FILE --bbox …` against a peer process doing the same
//!    (the peer path, then the same box query), wall time and peak RSS (`wait4`);
//! 3. tessellation (polygons/s) of the render bench's grid buildings and of the loaded ones
//!    (5–10 vertices, often concave, so earcut more often);
//!
//! then criterion on both loaders (first file).
//!
//! `HETAO_BENCH_FEATURES` (default `200000,500000`: about 75 and 188 MB) sets the sizes;
//! `HETAO_BENCH_RUNS` (default 3) the runs per loader (the median is reported). Under
//! `cargo test` the bench runs once on 2,000 buildings as a smoke test.

#[path = "common/mod.rs"]
mod common;
use common::bench_mode;
use criterion::Criterion;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use hetao_atlas::core::zone::generator::SplitMix64 as Rng;

const USES: &[&str] = &["research", "office", "residential", "lab", "mixed"];

/// The box every whole-process run queries (W, S, E, N).
const QUERY_BOX: [f64; 4] = [114.0, 22.5, 114.01, 22.51];

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

type Ours = (
    hetao_atlas::core::model::Dataset,
    hetao_atlas::core::index::SpatialIndex,
);

/// Our loader: file -> model -> spatial index. The result is returned so that freeing it
/// is not timed (an application keeps what it loads).
fn load_ours(path: &Path) -> Ours {
    let layer = hetao_atlas::core::io::load_path(path).expect("our loader");
    let ds = hetao_atlas::core::model::Dataset {
        layers: vec![layer],
    };
    let index = hetao_atlas::core::index::SpatialIndex::build(&ds);
    (ds, index)
}

type PeerItem = rstar::primitives::GeomWithData<rstar::primitives::Rectangle<[f64; 2]>, usize>;

/// What the peer keeps: each feature's `geo` geometry and properties, and the R-tree.
type Peer = (
    Vec<(Option<geo::Geometry<f64>>, Option<geojson::JsonObject>)>,
    rstar::RTree<PeerItem>,
);

/// The peer: the default Rust path, `geojson::FeatureCollection` → `geo` geometries (the
/// `geojson` crate's own conversion) → `rstar` bulk load of the envelopes.
fn load_peer(path: &Path) -> Peer {
    use geo::BoundingRect;
    let fc: geojson::FeatureCollection = std::fs::read_to_string(path)
        .expect("read")
        .parse()
        .expect("geojson crate");
    let features: Vec<_> = fc
        .features
        .into_iter()
        .map(|f| {
            let g = f
                .geometry
                .map(|g| geo::Geometry::<f64>::try_from(g).expect("geo conversion"));
            (g, f.properties)
        })
        .collect();
    let items: Vec<PeerItem> = features
        .iter()
        .enumerate()
        .filter_map(|(i, (g, _))| {
            let r = g.as_ref()?.bounding_rect()?;
            Some(PeerItem::new(
                rstar::primitives::Rectangle::from_corners(
                    [r.min().x, r.min().y],
                    [r.max().x, r.max().y],
                ),
                i,
            ))
        })
        .collect();
    (features, rstar::RTree::bulk_load(items))
}

/// Child mode (`HETAO_BENCH_CHILD`): `ours` / `peer` load once and print
/// "seconds features vmhwm_kb"; `peer_query` is the peer's whole process (load, then the
/// box query, printing the count).
fn child(which: &str, path: &Path) {
    let t = Instant::now();
    let n = match which {
        "ours" => {
            let (ds, index) = load_ours(path);
            assert_eq!(index.len(), ds.feature_count());
            let n = ds.feature_count();
            std::mem::forget((ds, index));
            n
        }
        "peer" => {
            let (features, tree) = load_peer(path);
            assert_eq!(tree.size(), features.len());
            let n = features.len();
            std::mem::forget((features, tree));
            n
        }
        "peer_query" => {
            let (features, tree) = load_peer(path);
            let env = rstar::AABB::from_corners(
                [QUERY_BOX[0], QUERY_BOX[1]],
                [QUERY_BOX[2], QUERY_BOX[3]],
            );
            let hits = tree.locate_in_envelope_intersecting(&env).count();
            println!("{hits} feature(s) of {}", features.len());
            std::mem::forget((features, tree));
            return;
        }
        other => panic!("unknown child mode {other}"),
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

/// Run a whole process to its end: (wall seconds, peak RSS in kB from `wait4`, success).
// The child is reaped by `wait4`, which std's `Child::wait` cannot replace (no rusage).
#[allow(clippy::zombie_processes)]
fn run_process(mut cmd: Command) -> (f64, u64, bool) {
    let t = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain FFI call on a child of this process, with valid out-pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = t.elapsed().as_secs_f64();
    let ok = r == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (secs, usage.ru_maxrss.max(0) as u64, ok)
}

fn median<T: Copy>(mut v: Vec<T>, key: impl Fn(&T) -> f64) -> T {
    v.sort_by(|a, b| key(a).total_cmp(&key(b)));
    v[v.len() / 2]
}

fn compare_in_process(path: &Path, size: u64, runs: usize) {
    let mb = size as f64 / 1e6;
    let mut res = Vec::new();
    for (which, label) in [
        ("ours", "hetao load_path + SpatialIndex"),
        ("peer", "peer geojson FC -> geo -> rstar"),
    ] {
        let (secs, feats, kb) =
            median((0..runs).map(|_| run_child(which, path)).collect(), |r| r.0);
        let peak = kb as f64 * 1024.0 / size as f64;
        println!(
            "  {label:34} {secs:.3} s  {:6.1} MB/s  {:.0} features/s  peak {:.1} MB = {peak:.2}x file  [{feats} features]",
            mb / secs,
            feats as f64 / secs,
            kb as f64 / 1024.0,
        );
        res.push((secs, peak));
    }
    println!(
        "  end to end: hetao {:.2}x the peer's speed; peak {:.2}x file (peer {:.2}x)",
        res[1].0 / res[0].0,
        res[0].1,
        res[1].1
    );
}

fn compare_processes(path: &Path, size: u64, runs: usize) {
    let Some(hetao) = option_env!("CARGO_BIN_EXE_hetao") else {
        println!("  (whole-process comparison skipped: the hetao binary is not built)");
        return;
    };
    let mb = size as f64 / 1e6;
    let bbox = format!(
        "{},{},{},{}",
        QUERY_BOX[0], QUERY_BOX[1], QUERY_BOX[2], QUERY_BOX[3]
    );
    let exe = std::env::current_exe().expect("current exe");
    let mut ours = Vec::new();
    let mut peer = Vec::new();
    for _ in 0..runs {
        let mut c = Command::new(hetao);
        c.arg("query").arg(path).arg("--bbox").arg(&bbox);
        ours.push(run_process(c));
        let mut c = Command::new(&exe);
        c.env("HETAO_BENCH_CHILD", "peer_query")
            .env("HETAO_BENCH_FILE", path);
        peer.push(run_process(c));
    }
    let mut res = Vec::new();
    for (label, v) in [
        (format!("hetao query FILE --bbox {bbox}"), ours),
        ("peer process (same path, same query)".to_string(), peer),
    ] {
        let ok = v.iter().all(|r| r.2);
        let (secs, kb, _) = median(v, |r| r.0);
        let peak = kb as f64 * 1024.0 / size as f64;
        println!(
            "  {label:44} {secs:.3} s  {:6.1} MB/s  peak {:.1} MB = {peak:.2}x file{}",
            mb / secs,
            kb as f64 / 1024.0,
            if ok { "" } else { "  (FAILED)" }
        );
        res.push((secs, peak));
    }
    println!(
        "  whole process: hetao {:.2}x the peer's speed; peak {:.2}x file (peer {:.2}x)",
        res[1].0 / res[0].0,
        res[0].1,
        res[1].1
    );
}

/// Tessellation (fills + outlines, as the map draws the `buildings` layer) of `layer`:
/// median seconds over `runs`, printed as polygons/s.
#[cfg(feature = "gui")]
fn tessellation(what: &str, layer: &hetao_atlas::core::model::Layer, runs: usize) {
    use hetao_atlas::render::tessellate::{Filter, tessellate_layer};
    let styles = hetao_atlas::render::StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES)
        .expect("styles");
    let style = styles.for_layer("buildings");
    let origin = hetao_atlas::render::LocalOrigin::from_lonlat(114.07, 22.525);
    let secs = median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(tessellate_layer(layer, &style, Filter::default(), origin));
                t.elapsed().as_secs_f64()
            })
            .collect(),
        |s| *s,
    );
    let n = layer.features.len();
    println!(
        "  tessellation, {what}: {n} polygons in {secs:.3} s = {:.2} M polygons/s",
        n as f64 / secs / 1e6
    );
}

#[cfg(not(feature = "gui"))]
fn tessellation(_what: &str, _layer: &hetao_atlas::core::model::Layer, _runs: usize) {}

fn main() {
    if let (Ok(which), Ok(file)) = (
        std::env::var("HETAO_BENCH_CHILD"),
        std::env::var("HETAO_BENCH_FILE"),
    ) {
        child(&which, Path::new(&file));
        return;
    }
    let sizes: Vec<usize> = std::env::var("HETAO_BENCH_FEATURES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| {
            if bench_mode() {
                vec![200_000, 500_000]
            } else {
                vec![2_000]
            }
        });
    let runs: usize = std::env::var("HETAO_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench_mode() { 3 } else { 1 })
        .max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files: Vec<(usize, PathBuf, u64)> = Vec::new();
    for &n in &sizes {
        let path: PathBuf = dir.path().join(format!("bench_buildings_{n}.geojson"));
        let size = generate(&path, n).expect("generate");
        println!(
            "benchmark file: {n} buildings, {:.1} MB ({size} bytes); median of {runs} run(s), {} core(s)",
            size as f64 / 1e6,
            std::thread::available_parallelism().map_or(1, |c| c.get())
        );
        compare_in_process(&path, size, runs);
        compare_processes(&path, size, runs);
        files.push((n, path, size));
    }
    // In this process, after every child has run: a forked child's peak RSS (`wait4`)
    // would otherwise include what this process had resident when it forked.
    let grid = if bench_mode() { 200_000 } else { 500 };
    tessellation(
        &format!("render bench's grid buildings ({grid})"),
        &common::grid_buildings(grid, &common::STATUSES, "buildings"),
        runs,
    );
    for (n, path, _) in &files {
        let layer = hetao_atlas::core::io::load_path(path).expect("load");
        tessellation(&format!("the {n} loaded buildings"), &layer, runs);
    }
    let Some((_, path, size)) = files.into_iter().next() else {
        return;
    };

    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(5))
        .configure_from_args();
    let mut g = c.benchmark_group("load");
    g.throughput(criterion::Throughput::Bytes(size));
    g.bench_function("hetao_model_and_index", |b| {
        b.iter_with_large_drop(|| load_ours(&path))
    });
    g.bench_function("peer_geojson_geo_rstar", |b| {
        b.iter_with_large_drop(|| load_peer(&path))
    });
    g.finish();
    c.final_summary();
}
