//! Reach benchmarks: a 30-minute walk isochrone from the Lok Ma Chau Loop on the street
//! network (the shipped OSM streets, the default) side by side with the grid-only one, a
//! 30-minute transit isochrone (request to polygons, embedded network), and a 30-minute
//! drive on a generated road network of about one million directed edges.
//!
//! Run briefly: `cargo bench --bench reach -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{Geometry, LineString};
use hetao_atlas::core::model::{Dataset, Feature, Layer};
use hetao_atlas::core::reach::{Mode, Network, ReachParams, reach};
use std::hint::black_box;

const LOOP: (f64, f64) = (114.0791154, 22.5214876);
const NINE_AM: f64 = 540.0;

/// True under `cargo bench` (which passes `--bench`); under `cargo test --all-targets` the
/// bench runs once as a smoke test, on small inputs, so the suite stays fast.
fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// A 501 x 501 lattice of roads, 100 m apart, centred on the Loop: 1,002,000 directed edges.
/// Every tenth road is primary, the rest residential.
fn generated_roads() -> Dataset {
    let n = if bench_mode() { 501usize } else { 51 };
    let step_lat = 100.0 / 110_750.0;
    let step_lon = 100.0 / 102_900.0;
    let lon0 = LOOP.0 - step_lon * (n / 2) as f64;
    let lat0 = LOOP.1 - step_lat * (n / 2) as f64;
    let mut layer = Layer {
        name: "generated_roads".into(),
        illustrative: true,
        ..Layer::default()
    };
    let mk = |coords: Vec<(f64, f64)>, hw: &str| {
        let mut props = serde_json::Map::new();
        props.insert("highway".into(), hw.into());
        Feature {
            geometry: Some(Geometry::LineString(LineString::from(coords))),
            properties: Some(props.into()),
            ..Feature::default()
        }
    };
    for k in 0..n {
        let hw = if k % 10 == 0 {
            "primary"
        } else {
            "residential"
        };
        let row = (0..n)
            .map(|i| (lon0 + i as f64 * step_lon, lat0 + k as f64 * step_lat))
            .collect();
        layer.features.push(mk(row, hw));
        let col = (0..n)
            .map(|j| (lon0 + k as f64 * step_lon, lat0 + j as f64 * step_lat))
            .collect();
        layer.features.push(mk(col, hw));
    }
    Dataset {
        layers: vec![layer],
    }
}

fn bench(c: &mut Criterion) {
    let params = ReachParams::default();
    let net = Network::build_embedded(&params).expect("network");
    c.bench_function("walk_30min_from_loop_streets", |b| {
        b.iter(|| {
            black_box(reach(&net, LOOP, Mode::Walk, &[10.0, 20.0, 30.0], NINE_AM).expect("reach"))
        })
    });
    let grid_only = Network::build_embedded(&ReachParams {
        shipped_roads: false,
        ..params.clone()
    })
    .expect("grid-only network");
    c.bench_function("walk_30min_from_loop_grid_only", |b| {
        b.iter(|| {
            black_box(
                reach(&grid_only, LOOP, Mode::Walk, &[10.0, 20.0, 30.0], NINE_AM).expect("reach"),
            )
        })
    });
    c.bench_function("transit_30min_from_loop", |b| {
        b.iter(|| {
            black_box(
                reach(&net, LOOP, Mode::Transit, &[10.0, 20.0, 30.0], NINE_AM).expect("reach"),
            )
        })
    });
    let roads = Network::build(&generated_roads(), &params).expect("road network");
    eprintln!(
        "generated road network: {} road nodes, {} edges in all",
        roads.streets.xy.len(),
        roads.edges.len()
    );
    c.bench_function("drive_30min_1M_edges", |b| {
        b.iter(|| {
            black_box(
                reach(&roads, LOOP, Mode::Drive, &[10.0, 20.0, 30.0], NINE_AM).expect("reach"),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
