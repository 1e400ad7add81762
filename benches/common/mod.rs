//! Shared by the benches: the smoke-test switch and the generated buildings.

use hetao_atlas::core::model::{Feature, Layer};
use hetao_atlas::core::zone::generator::SplitMix64;

/// True under `cargo bench` (which passes `--bench`); under `cargo test --all-targets` a
/// bench runs once as a smoke test, on small inputs, so the suite stays fast.
pub fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The extent the generated buildings cover (W, S, E, N), over the zone.
pub const BUILDINGS_BBOX: [f64; 4] = [114.05, 22.505, 114.095, 22.55];

/// The statuses the render benches colour their buildings by, in turn.
pub const STATUSES: [&str; 5] = [
    "existing",
    "converted",
    "under_construction",
    "planned",
    "completed",
];

/// `n` seeded buildings of 30–80 % of the grid step on a square grid over
/// [`BUILDINGS_BBOX`], every 8th an L shape (concave), each with a `status` drawn in turn
/// from `statuses`; an illustrative layer named `name`.
pub fn grid_buildings(n: usize, statuses: &[&str], name: &str) -> Layer {
    let mut rnd = SplitMix64::new(0x2545_f491_4f6c_dd1d);
    let side = (n as f64).sqrt().ceil().max(1.0) as usize;
    let (w0, s0) = (BUILDINGS_BBOX[0], BUILDINGS_BBOX[1]);
    let step = (BUILDINGS_BBOX[2] - BUILDINGS_BBOX[0]) / side as f64;
    let features = (0..n)
        .map(|i| {
            let (x, y) = (w0 + (i % side) as f64 * step, s0 + (i / side) as f64 * step);
            let (w, h) = (
                step * (0.3 + 0.5 * rnd.next_f64()),
                step * (0.3 + 0.5 * rnd.next_f64()),
            );
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
            if !statuses.is_empty() {
                props.insert(
                    "status".into(),
                    serde_json::json!(statuses[i % statuses.len()]),
                );
            }
            Feature {
                geometry: Some(geo::Geometry::Polygon(geo::Polygon::new(
                    ring.into(),
                    vec![],
                ))),
                properties: Some(props.into()),
                ..Default::default()
            }
        })
        .collect();
    Layer {
        name: name.into(),
        features,
        illustrative: true,
        ..Default::default()
    }
}
