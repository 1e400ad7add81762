//! PostGIS benchmarks (a real server: `HETAO_TEST_DB`, or the throwaway cluster of
//! scripts/pg-cluster.sh, as the database tests start it):
//!
//! - push 1,000,000 generated buildings by binary COPY (`core::db::layers::push`: EWKB,
//!   indexes built after the COPY), beside the peer `ogr2ogr -f PostgreSQL` loading the same
//!   buildings from a GeoJSON file (its COPY path, GiST index), in the same run; each timed
//!   once and printed first (`push: ...` lines), as one push is tens of seconds;
//! - a viewport query returning 10,000 of those buildings through the GiST index, decoded
//!   into model features (`core::db::layers::features_in_bbox`), with criterion; then, in
//!   the same run (`viewport: ...` lines, median of 9), the same rows read by this client
//!   as a binary COPY without decoding (the server's and the wire's part), and by two peer
//!   processes: `ogr2ogr -f GeoJSON /vsistdout/` (GDAL decoding them into OGR features and
//!   writing GeoJSON) and `psql` `COPY ... TO STDOUT (FORMAT binary)` (no decoding), each
//!   also with the same query returning no rows (its start-up, connection and catalogue
//!   reads), and the load average.
//!
//! `cargo bench --bench db` (sizes with `HETAO_BENCH_DB_BUILDINGS=200000`); under
//! `cargo test --all-targets` it runs once on 10,000 buildings as a smoke test.

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/db_common/mod.rs"]
mod db_common;

use criterion::{Criterion, criterion_group, criterion_main};
use hetao_atlas::core::db::layers;
use hetao_atlas::core::model::Layer;
use std::hint::black_box;
use std::time::{Duration, Instant};

const LAYER: &str = "bench_buildings";

fn buildings(n: usize) -> Layer {
    let mut l = common::grid_buildings(n, &common::STATUSES, LAYER);
    for (i, f) in l.features.iter_mut().enumerate() {
        f.set_prop("id", serde_json::json!(format!("G-{i:07}")));
        f.set_prop("use", serde_json::json!("office"));
        f.set_prop("gfa_m2", serde_json::json!(1000 + (i % 50) * 100));
    }
    l
}

fn size() -> usize {
    if !common::bench_mode() {
        return 10_000;
    }
    std::env::var("HETAO_BENCH_DB_BUILDINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// The box holding exactly the first 100 × 100 grid cells (10,000 buildings at any size of
/// at least 10,000: each building lies inside its cell).
fn viewport(n: usize) -> [f64; 4] {
    let side = (n as f64).sqrt().ceil().max(1.0);
    let b = common::BUILDINGS_BBOX;
    let step = (b[2] - b[0]) / side;
    let k = side.min(100.0);
    [b[0], b[1], b[0] + (k - 0.1) * step, b[1] + (k - 0.1) * step]
}

fn bench(c: &mut Criterion) {
    let Some(s) = db_common::server() else {
        return;
    };
    let n = size();
    let name = s.fresh_db("bench");
    let mut db = s.db(&name);
    hetao_atlas::core::db::schema::init(&mut db).expect("init");
    let layer = buildings(n);

    let t = Instant::now();
    let pushed = layers::push(&mut db, &[&layer], None).expect("push");
    let ours = t.elapsed();
    assert_eq!(pushed[0].features, n);
    println!(
        "push: {n} buildings by binary COPY (hetao db push): {:.1} s ({:.0} features/s)",
        ours.as_secs_f64(),
        n as f64 / ours.as_secs_f64()
    );

    // the peer: GDAL's PostgreSQL driver loading the same buildings from GeoJSON
    // (HETAO_BENCH_DB_PEER=0 leaves it out)
    let peer_wanted = std::env::var("HETAO_BENCH_DB_PEER").map_or(true, |v| v != "0");
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("buildings.geojson");
    if peer_wanted {
        hetao_atlas::core::io::write_layer(&file, &layer).expect("write");
    }
    let t = Instant::now();
    let pg = format!(
        "PG:host={} port={} dbname={name} user={}",
        s.host, s.port, s.user
    );
    let status = if !peer_wanted {
        Err(std::io::Error::other("HETAO_BENCH_DB_PEER=0"))
    } else {
        std::process::Command::new("ogr2ogr")
            .args(["-f", "PostgreSQL", &pg])
            .arg(&file)
            .args([
                "-nln",
                "public.peer_buildings",
                "-lco",
                "GEOMETRY_NAME=geom",
            ])
            .args(["-lco", "SPATIAL_INDEX=GIST", "-a_srs", "EPSG:4326"])
            .args(["--config", "PG_USE_COPY", "YES"])
            .env("PGPASSFILE", &s.pgpass)
            .status()
    };
    match status {
        Ok(st) if st.success() => {
            let peer = t.elapsed();
            println!(
                "push: {n} buildings by ogr2ogr -f PostgreSQL (GDAL COPY) from GeoJSON: {:.1} s ({:.0} features/s)",
                peer.as_secs_f64(),
                n as f64 / peer.as_secs_f64()
            );
        }
        other => println!("push: the ogr2ogr peer did not run ({other:?})"),
    }

    let bbox = viewport(n);
    let got = layers::features_in_bbox(&mut db, LAYER, bbox, None).expect("viewport");
    assert_eq!(
        got.len(),
        10_000.min(n),
        "the viewport holds 100 x 100 cells"
    );
    let mut g = c.benchmark_group("db");
    g.sample_size(20);
    g.bench_function("viewport_query_10000_buildings", |b| {
        b.iter(|| {
            let fs =
                layers::features_in_bbox(&mut db, LAYER, black_box(bbox), None).expect("viewport");
            black_box(fs.len())
        })
    });
    g.finish();
    // not in the smoke test: the peers are processes run 36 times
    if common::bench_mode() {
        viewport_peers(s, &name, &mut db, bbox);
    }
}

/// Median of `runs` timings of `f` (None when one of them fails).
fn median(runs: usize, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let mut t = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        if !f() {
            return None;
        }
        t.push(start.elapsed());
    }
    t.sort();
    t.get(runs / 2).copied()
}

fn ms(d: Option<Duration>) -> String {
    d.map_or("did not run".into(), |d| {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    })
}

/// The same 10,000 rows read without decoding (our client, COPY) and by peer processes.
fn viewport_peers(
    s: &db_common::Server,
    name: &str,
    db: &mut hetao_atlas::core::db::Db,
    bbox: [f64; 4],
) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "viewport: load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let table = format!("hetao.\"layer:{LAYER}\"");
    let envelope = format!(
        "geom && ST_MakeEnvelope({}, {}, {}, {}, 4326)",
        bbox[0], bbox[1], bbox[2], bbox[3]
    );
    let select = |filter: &str| {
        format!(
            "SELECT ord, fid::text, line, col, props::text, extra::text, ST_AsBinary(geom) \
             FROM {table} WHERE {filter}"
        )
    };
    let copy = |filter: &str| format!("COPY ({}) TO STDOUT (FORMAT binary)", select(filter));
    let sql = copy(&envelope);
    let ours = median(9, || {
        use std::io::Read;
        let mut buf = Vec::new();
        let read = match db.client().copy_out(sql.as_str()) {
            Ok(mut r) => r.read_to_end(&mut buf).is_ok(),
            Err(_) => false,
        };
        read && buf.len() > 100_000
    });
    println!(
        "viewport: the same rows by binary COPY in this client, not decoded: {}",
        ms(ours)
    );
    let conn = format!(
        "host={} port={} dbname={name} user={}",
        s.host, s.port, s.user
    );
    let run = |cmd: &mut std::process::Command| {
        cmd.env("PGPASSFILE", &s.pgpass)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|st| st.success())
    };
    let ogr = |filter: &str| {
        let sql = format!("SELECT ord, props, geom FROM {table} WHERE {filter}");
        median(9, || {
            run(std::process::Command::new("ogr2ogr")
                .args(["-f", "GeoJSON", "/vsistdout/"])
                .arg(format!("PG:{conn}"))
                .args(["-sql", &sql]))
        })
    };
    println!(
        "viewport: peer ogr2ogr -f GeoJSON /vsistdout/ PG:... -sql (the same box): {}; \
         the same with no rows: {}",
        ms(ogr(&envelope)),
        ms(ogr("false"))
    );
    let psql = |filter: &str| {
        let sql = copy(filter);
        median(9, || {
            run(std::process::Command::new("psql").args(["-X", "-q", "-d", &conn, "-c", &sql]))
        })
    };
    println!(
        "viewport: peer psql -c 'COPY (the same box) TO STDOUT (FORMAT binary)': {}; \
         the same with no rows: {}",
        ms(psql(&envelope)),
        ms(psql("false"))
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
