//! Area of a whole layer of building-sized polygons: the full geodesic (GeographicLib)
//! against the fast tangent-plane formula, plus the spherical and local-frame variants.
//! `cargo bench --bench measure` (a few seconds).

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{Coord, Geometry, LineString, Polygon};
use hetao_atlas::core::measure::{
    AreaM2, Sphere, fast_area_m2, geodesic_area_m2, local_planar_area_m2,
};
use std::hint::black_box;

/// 1000 rotated rectangles of 5–150 m around Hong Kong (deterministic LCG).
fn buildings() -> Vec<Geometry<f64>> {
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..1000)
        .map(|_| {
            let lon0 = 113.85 + 0.55 * next();
            let lat0 = 22.2 + 0.4 * next();
            let (w, h) = (5.0 + 145.0 * next(), 5.0 + 145.0 * next());
            let (s, c) = (std::f64::consts::PI * next()).sin_cos();
            let mlat = 1.0 / 110_574.0;
            let mlon = 1.0 / (111_320.0 * lat0.to_radians().cos());
            let ring: Vec<Coord<f64>> = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h), (0.0, 0.0)]
                .iter()
                .map(|&(x, y)| Coord {
                    x: lon0 + (x * c - y * s) * mlon,
                    y: lat0 + (x * s + y * c) * mlat,
                })
                .collect();
            Geometry::Polygon(Polygon::new(LineString(ring), vec![]))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let b = buildings();
    let mut g = c.benchmark_group("area_1000_buildings");
    g.bench_function("geodesic_wgs84", |bn| {
        bn.iter(|| {
            b.iter()
                .map(|g| geodesic_area_m2(black_box(g)))
                .sum::<f64>()
        })
    });
    g.bench_function("fast_tangent_plane", |bn| {
        bn.iter(|| b.iter().map(|g| fast_area_m2(black_box(g))).sum::<f64>())
    });
    g.bench_function("sphere_turf", |bn| {
        bn.iter(|| {
            b.iter()
                .map(|g| Sphere::TURF.area_m2(black_box(g)))
                .sum::<f64>()
        })
    });
    g.bench_function("local_aeqd_planar", |bn| {
        bn.iter(|| {
            b.iter()
                .map(|g| local_planar_area_m2(black_box(g)))
                .sum::<f64>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
