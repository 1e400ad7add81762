//! The R-tree agrees with brute-force scans on seeded random data, and its metre distances
//! agree with geodesic distances (GeographicLib, an independent computation).

use geo::{
    BoundingRect, Coord, Distance, Geodesic, Geometry, Intersects, LineString, MultiPolygon, Point,
    Polygon, Rect, Relate,
};
use hetao_atlas::core::index::{Hit, LocalFrame, SpatialIndex, distance_m};
use hetao_atlas::core::model::{Dataset, Feature, Layer};

/// SplitMix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.f()
    }
}

const W: f64 = 114.02;
const E: f64 = 114.12;
const S: f64 = 22.48;
const N: f64 = 22.54;

fn random_polygon(r: &mut Rng, cx: f64, cy: f64, size: f64) -> Polygon<f64> {
    let k = 3 + (r.next() % 6) as usize;
    let mut pts: Vec<Coord<f64>> = (0..k)
        .map(|i| {
            let a = i as f64 / k as f64 * std::f64::consts::TAU;
            let rad = size * r.range(0.5, 1.0);
            Coord {
                x: cx + rad * a.cos(),
                y: cy + rad * a.sin(),
            }
        })
        .collect();
    if r.next() % 2 == 0 {
        pts.reverse(); // either winding
    }
    let hole = if r.next() % 4 == 0 {
        let h = size * 0.2;
        vec![LineString::from(vec![
            (cx - h, cy - h),
            (cx + h, cy - h),
            (cx + h, cy + h),
            (cx - h, cy + h),
            (cx - h, cy - h),
        ])]
    } else {
        vec![]
    };
    Polygon::new(LineString(pts), hole)
}

fn random_dataset(seed: u64, n: usize) -> Dataset {
    let mut r = Rng(seed);
    let mut layers = Vec::new();
    for li in 0..3 {
        let mut features = Vec::new();
        for _ in 0..n {
            let cx = r.range(W, E);
            let cy = r.range(S, N);
            let size = r.range(0.00005, 0.003);
            let g = match r.next() % 6 {
                0 => Some(Geometry::Point(Point::new(cx, cy))),
                1 => Some(Geometry::LineString(LineString::from(
                    (0..2 + r.next() % 5)
                        .map(|_| (cx + r.range(-size, size), cy + r.range(-size, size)))
                        .collect::<Vec<_>>(),
                ))),
                2 => Some(Geometry::MultiPolygon(MultiPolygon(vec![
                    random_polygon(&mut r, cx, cy, size),
                    random_polygon(&mut r, cx + 3.0 * size, cy, size),
                ]))),
                3 if li == 2 => None,
                _ => Some(Geometry::Polygon(random_polygon(&mut r, cx, cy, size))),
            };
            features.push(Feature {
                geometry: g,
                ..Feature::default()
            });
        }
        layers.push(Layer {
            name: format!("l{li}"),
            features,
            ..Layer::default()
        });
    }
    Dataset { layers }
}

fn all(ds: &Dataset) -> impl Iterator<Item = (usize, usize, &Geometry<f64>)> {
    ds.layers.iter().enumerate().flat_map(|(l, layer)| {
        layer
            .features
            .iter()
            .enumerate()
            .filter_map(move |(f, ft)| ft.geometry.as_ref().map(|g| (l, f, g)))
    })
}

fn sort(h: &mut [Hit]) {
    h.sort_by(|a, b| {
        a.distance_m
            .total_cmp(&b.distance_m)
            .then(a.layer.cmp(&b.layer))
            .then(a.feature.cmp(&b.feature))
    });
}

#[test]
fn queries_equal_brute_force_on_random_data() {
    let mut ds = random_dataset(42, 400);
    let mut index = SpatialIndex::build(&ds);
    let with_geometry = all(&ds).count();
    assert_eq!(index.len(), with_geometry);
    let mut r = Rng(9);
    for round in 0..2 {
        if round == 1 {
            // data changes: the rebuilt index must follow
            ds = random_dataset(43, 300);
            index.rebuild(&ds);
            assert_eq!(index.len(), all(&ds).count());
        }
        for _ in 0..60 {
            let (x0, x1) = (r.range(W, E), r.range(W, E));
            let (y0, y1) = (r.range(S, N), r.range(S, N));
            let min = [x0.min(x1), y0.min(y1)];
            let max = [x0.max(x1), y0.max(y1)];
            // by envelope
            let got = index.in_envelope(min, max);
            let rect = Rect::new(min, max);
            let want: Vec<_> = all(&ds)
                .filter(|(_, _, g)| g.bounding_rect().is_some_and(|b| b.intersects(&rect)))
                .map(|(l, f, _)| (l, f))
                .collect();
            assert_eq!(got, want);
            // exact rect intersection
            let got = index.intersecting_rect(&ds, min, max);
            let want: Vec<_> = all(&ds)
                .filter(|(_, _, g)| g.intersects(&rect))
                .map(|(l, f, _)| (l, f))
                .collect();
            assert_eq!(got, want);
            // picking with a tolerance
            let (lon, lat) = (r.range(W, E), r.range(S, N));
            for tol in [0.0, 5.0, 60.0, 400.0] {
                let got = index.at_point(&ds, lon, lat, tol);
                let mut want: Vec<Hit> = all(&ds)
                    .filter_map(|(l, f, g)| {
                        let d = distance_m(lon, lat, g);
                        (d <= tol).then_some(Hit {
                            layer: l,
                            feature: f,
                            distance_m: d,
                        })
                    })
                    .collect();
                sort(&mut want);
                assert_eq!(got, want, "tolerance {tol}");
            }
            // k nearest
            for k in [1, 7, 50] {
                let got = index.nearest(&ds, lon, lat, k);
                let mut want: Vec<Hit> = all(&ds)
                    .map(|(l, f, g)| Hit {
                        layer: l,
                        feature: f,
                        distance_m: distance_m(lon, lat, g),
                    })
                    .collect();
                sort(&mut want);
                want.truncate(k);
                assert_eq!(got, want, "k {k}");
            }
            // within a polygon
            let sel = random_polygon(&mut r, lon, lat, 0.02);
            let got = index.within_polygon(&ds, &sel);
            let want: Vec<_> = all(&ds)
                .filter(|(_, _, g)| g.relate(&sel).is_within())
                .map(|(l, f, _)| (l, f))
                .collect();
            assert_eq!(got, want);
        }
    }
    // nearest asks for more than there is: everything, sorted
    let small = random_dataset(5, 3);
    let idx = SpatialIndex::build(&small);
    assert_eq!(
        idx.nearest(&small, 0.0, 0.0, 100).len(),
        all(&small).count()
    );
    assert!(
        SpatialIndex::build(&Dataset::default())
            .nearest(&small, 0.0, 0.0, 3)
            .is_empty()
    );
}

#[test]
fn local_frame_distances_agree_with_geodesic_distances() {
    let mut r = Rng(77);
    for _ in 0..500 {
        let (lon, lat) = (r.range(W, E), r.range(S, N));
        let (lon2, lat2) = (lon + r.range(-0.05, 0.05), lat + r.range(-0.05, 0.05));
        let ours = distance_m(lon, lat, &Geometry::Point(Point::new(lon2, lat2)));
        let geodesic = Geodesic.distance(Point::new(lon, lat), Point::new(lon2, lat2));
        assert!(
            (ours - geodesic).abs() <= 1e-3 * geodesic + 1e-6,
            "{ours} vs {geodesic}"
        );
    }
    // Inside a polygon the distance is 0; on the far side of a hole it is not.
    let p = Polygon::new(
        LineString::from(vec![
            (114.0, 22.5),
            (114.01, 22.5),
            (114.01, 22.51),
            (114.0, 22.51),
            (114.0, 22.5),
        ]),
        vec![LineString::from(vec![
            (114.004, 22.504),
            (114.006, 22.504),
            (114.006, 22.506),
            (114.004, 22.506),
            (114.004, 22.504),
        ])],
    );
    let g = Geometry::Polygon(p);
    assert_eq!(distance_m(114.001, 22.501, &g), 0.0);
    let in_hole = distance_m(114.005, 22.505, &g);
    let f = LocalFrame::new(114.005, 22.505);
    assert!((in_hole - 0.001 * f.kx.min(f.ky)).abs() < 1e-6, "{in_hole}");
}
