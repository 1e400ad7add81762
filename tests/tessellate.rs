//! `tessellate_layer` against a straightforward reference tessellation on seeded data.
//!
//! The reference projects every coordinate with `LocalOrigin::offset`, fans rings that are
//! convex and earcuts the rest (holes included) one feature at a time in fresh buffers, and
//! strokes every ring with the public `stroke_path`. The layer's mesh (threads, chunks, reused
//! buffers, cached projections) must match it feature by feature: the same fill area within
//! 1e-9 relative, the same fill vertices (bit for bit), the same stroke triangles (bit for
//! bit), every feature drawn, fills before strokes and in drawing order (feature order; for a
//! layer of 20,000+ features, drawn by parts, the order of `core::index::hilbert_order`), and
//! the same counts.
#![cfg(feature = "gui")]

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use hetao_atlas::core::model::{Feature, Layer};
use hetao_atlas::core::zone::generator::SplitMix64;
use hetao_atlas::render::camera::{lonlat_to_mercator, mercator_to_lonlat};
use hetao_atlas::render::tessellate::{Filter, GeoVertex, stroke_path, tessellate_layer};
use hetao_atlas::render::{LocalOrigin, Rgba, StyleSet};

const W0: f64 = 114.05;
const S0: f64 = 22.505;
/// Grid cell size in degrees; every feature lies inside its own cell.
const STEP: f64 = 0.0002;
const STATUSES: [&str; 6] = [
    "existing",
    "converted",
    "planned",
    "completed",
    "under_construction",
    "unknown_status",
];

fn ring(pts: &[(f64, f64)]) -> LineString<f64> {
    let mut v: Vec<(f64, f64)> = pts.to_vec();
    v.push(pts[0]);
    v.into()
}

/// A seeded shape inside the cell whose lower-left corner is (x, y): rectangles, jittered
/// convex n-gons, L shapes, stars, rings with a hole, two-part multipolygons, repeated points.
fn shape(rnd: &mut SplitMix64, x: f64, y: f64) -> Geometry<f64> {
    let s = STEP;
    let (cx, cy) = (x + 0.5 * s, y + 0.5 * s);
    match rnd.below(7) {
        0 => {
            let (w, h) = (rnd.range(0.2, 0.8) * s, rnd.range(0.2, 0.8) * s);
            let (x0, y0) = (x + 0.1 * s, y + 0.1 * s);
            Polygon::new(
                ring(&[(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)]),
                vec![],
            )
            .into()
        }
        1 => {
            let n = 3 + rnd.below(7) as usize;
            let r = rnd.range(0.2, 0.4) * s;
            let a0 = rnd.range(0.0, 1.0);
            let pts: Vec<_> = (0..n)
                .map(|k| {
                    let a = a0 + k as f64 * std::f64::consts::TAU / n as f64;
                    (cx + r * a.cos(), cy + r * a.sin())
                })
                .collect();
            Polygon::new(ring(&pts), vec![]).into()
        }
        2 => {
            let (w, h) = (rnd.range(0.4, 0.8) * s, rnd.range(0.4, 0.8) * s);
            let (x0, y0) = (x + 0.1 * s, y + 0.1 * s);
            Polygon::new(
                ring(&[
                    (x0, y0),
                    (x0 + w, y0),
                    (x0 + w, y0 + h / 2.0),
                    (x0 + w / 2.0, y0 + h / 2.0),
                    (x0 + w / 2.0, y0 + h),
                    (x0, y0 + h),
                ]),
                vec![],
            )
            .into()
        }
        3 => {
            let n = 5 + rnd.below(4) as usize;
            let pts: Vec<_> = (0..2 * n)
                .map(|k| {
                    let a = k as f64 * std::f64::consts::PI / n as f64;
                    let r = if k % 2 == 0 { 0.4 } else { 0.15 } * s;
                    (cx + r * a.cos(), cy + r * a.sin())
                })
                .collect();
            Polygon::new(ring(&pts), vec![]).into()
        }
        4 => {
            let (a, b) = (0.1 * s, 0.9 * s);
            let h = rnd.range(0.1, 0.25) * s;
            Polygon::new(
                ring(&[
                    (x + a, y + a),
                    (x + b, y + a),
                    (x + b, y + b),
                    (x + a, y + b),
                ]),
                vec![ring(&[
                    (cx - h, cy - h),
                    (cx - h, cy + h),
                    (cx + h, cy + h),
                    (cx + h, cy - h),
                ])],
            )
            .into()
        }
        5 => {
            let sq = |x0: f64, y0: f64| {
                Polygon::new(
                    ring(&[
                        (x0, y0),
                        (x0 + 0.3 * s, y0),
                        (x0 + 0.3 * s, y0 + 0.3 * s),
                        (x0, y0 + 0.3 * s),
                    ]),
                    vec![],
                )
            };
            MultiPolygon(vec![
                sq(x + 0.1 * s, y + 0.1 * s),
                sq(x + 0.55 * s, y + 0.5 * s),
            ])
            .into()
        }
        _ => {
            // a repeated point and a collinear one: still convex once deduplicated
            let (x0, y0, w) = (x + 0.1 * s, y + 0.1 * s, rnd.range(0.3, 0.8) * s);
            Polygon::new(
                ring(&[
                    (x0, y0),
                    (x0 + w / 2.0, y0),
                    (x0 + w, y0),
                    (x0 + w, y0),
                    (x0 + w, y0 + w),
                    (x0, y0 + w),
                ]),
                vec![],
            )
            .into()
        }
    }
}

fn layer(n: usize, seed: u64) -> Layer {
    let mut rnd = SplitMix64::new(seed);
    let side = (n as f64).sqrt().ceil() as usize;
    let features = (0..n)
        .map(|i| {
            let (x, y) = (W0 + (i % side) as f64 * STEP, S0 + (i / side) as f64 * STEP);
            let mut props = serde_json::Map::new();
            props.insert("id".into(), serde_json::json!(i));
            props.insert(
                "status".into(),
                serde_json::json!(STATUSES[rnd.below(STATUSES.len() as u64) as usize]),
            );
            Feature {
                geometry: Some(shape(&mut rnd, x, y)),
                properties: Some(props.into()),
                ..Default::default()
            }
        })
        .collect();
    Layer {
        name: "buildings".into(),
        features,
        ..Default::default()
    }
}

/// The reference for one polygon: fill triangles as vertex triples, and stroke vertices and
/// indices.
#[derive(Default)]
struct Reference {
    fill: Vec<[GeoVertex; 3]>,
    /// Fill vertices emitted (a fan's ring points, or every point given to earcut).
    fill_vertices: usize,
    stroke_v: Vec<GeoVertex>,
    stroke_i: Vec<u32>,
}

fn projected(origin: LocalOrigin, coords: &[Coord<f64>]) -> Vec<[f32; 2]> {
    let mut out: Vec<[f32; 2]> = Vec::new();
    for c in coords.iter().filter(|c| c.x.is_finite() && c.y.is_finite()) {
        let p = origin.offset(c.x, c.y);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

fn convex(r: &[[f32; 2]]) -> bool {
    let n = r.len();
    let signs: Vec<f32> = (0..n)
        .map(|i| {
            let (a, b, c) = (r[i], r[(i + 1) % n], r[(i + 2) % n]);
            (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
        })
        .filter(|&x| x != 0.0)
        .collect();
    n == 3 || (!signs.is_empty() && signs.iter().all(|&x| (x > 0.0) == (signs[0] > 0.0)))
}

fn reference_polygon(
    origin: LocalOrigin,
    p: &Polygon<f64>,
    fill: [u8; 4],
    stroke: Rgba,
    hw: f32,
    r: &mut Reference,
) {
    let vtx = |pos: [f32; 2]| GeoVertex {
        pos,
        offset: [0.0; 2],
        color: fill,
    };
    let ext = projected(origin, &p.exterior().0);
    let mut open = ext.clone();
    if open.len() > 1 && open.first() == open.last() {
        open.pop();
    }
    if open.len() >= 3 {
        if p.interiors().is_empty() && convex(&open) {
            r.fill_vertices += open.len();
            for k in 1..open.len() - 1 {
                r.fill.push([vtx(open[0]), vtx(open[k]), vtx(open[k + 1])]);
            }
        } else {
            let mut flat = Vec::new();
            let mut holes = Vec::new();
            for (k, ring) in std::iter::once(p.exterior())
                .chain(p.interiors())
                .enumerate()
            {
                if k > 0 {
                    holes.push(flat.len() / 2);
                }
                let start = flat.len();
                for c in &ring.0 {
                    let (x, y) = lonlat_to_mercator(c.x, c.y);
                    flat.extend([x - origin.x, y - origin.y]);
                }
                if flat.len() - start >= 4 && flat[start..start + 2] == flat[flat.len() - 2..] {
                    flat.truncate(flat.len() - 2);
                }
            }
            let tris = earcutr::earcut(&flat, &holes, 2).expect("earcut");
            r.fill_vertices += flat.len() / 2;
            let at = |i: usize| vtx([flat[2 * i] as f32, flat[2 * i + 1] as f32]);
            for t in tris.chunks(3) {
                r.fill.push([at(t[0]), at(t[1]), at(t[2])]);
            }
        }
    }
    stroke_path(&ext, true, hw, stroke, &mut r.stroke_v, &mut r.stroke_i);
    for hole in p.interiors() {
        stroke_path(
            &projected(origin, &hole.0),
            true,
            hw,
            stroke,
            &mut r.stroke_v,
            &mut r.stroke_i,
        );
    }
}

fn area2(t: &[[f32; 2]; 3]) -> f64 {
    let [a, b, c] = t.map(|p| [f64::from(p[0]), f64::from(p[1])]);
    ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])).abs()
}

/// The grid cell (feature index) that a point in local metres falls in.
fn cell(origin: LocalOrigin, p: [f64; 2], side: usize) -> usize {
    let (lon, lat) = mercator_to_lonlat(p[0] + origin.x, p[1] + origin.y);
    let (i, j) = (((lon - W0) / STEP).floor(), ((lat - S0) / STEP).floor());
    assert!(
        i >= 0.0 && j >= 0.0 && (i as usize) < side,
        "point {lon},{lat} off the grid"
    );
    j as usize * side + i as usize
}

fn key(v: &GeoVertex) -> [u32; 5] {
    [
        v.pos[0].to_bits(),
        v.pos[1].to_bits(),
        v.offset[0].to_bits(),
        v.offset[1].to_bits(),
        u32::from_le_bytes(v.color),
    ]
}

fn check(n: usize, seed: u64) {
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    let style = styles.for_layer("buildings");
    let origin = LocalOrigin::from_lonlat(114.07, 22.525);
    let layer = layer(n, seed);
    let side = (n as f64).sqrt().ceil() as usize;
    let mesh = tessellate_layer(&layer, &style, Filter::default(), origin);

    // the reference, feature by feature, in fresh buffers
    let stroke = style
        .stroke
        .expect("buildings have an outline")
        .with_opacity(style.opacity);
    let hw = style.width / 2.0;
    let mut refs: Vec<Reference> = Vec::with_capacity(n);
    let mut class_counts = vec![0usize; 16];
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for f in &layer.features {
        let (class, colour) = style
            .classify(f, f.prop_str("status"))
            .expect("every status is drawn (unknown ones as 'other')")
            .expect("buildings are coloured by status");
        class_counts[class] += 1;
        let fill = colour.with_opacity(style.opacity * style.fill_opacity).0;
        let mut r = Reference::default();
        let polys: Vec<&Polygon<f64>> = match f.geometry.as_ref().expect("geometry") {
            Geometry::Polygon(p) => vec![p],
            Geometry::MultiPolygon(m) => m.0.iter().collect(),
            g => panic!("unexpected {g:?}"),
        };
        for p in polys {
            reference_polygon(origin, p, fill, stroke, hw, &mut r);
            for c in &p.exterior().0 {
                bbox = [
                    bbox[0].min(c.x),
                    bbox[1].min(c.y),
                    bbox[2].max(c.x),
                    bbox[3].max(c.y),
                ];
            }
        }
        refs.push(r);
    }
    while class_counts.last() == Some(&0) {
        class_counts.pop();
    }
    assert_eq!(mesh.features_drawn, n);
    assert_eq!(mesh.class_counts, class_counts);
    assert_eq!(mesh.bbox, Some(bbox));

    // the order the fills must come in: the features', or along the Hilbert curve for a layer
    // drawn by parts (20,000+ features)
    let mut rank: Vec<usize> = (0..n).collect();
    if n >= 20_000 {
        let order = hetao_atlas::core::index::hilbert_order(&layer.features);
        assert_eq!(order.len(), n, "every feature is in the order once");
        for (k, &f) in order.iter().enumerate() {
            rank[f as usize] = k;
        }
        assert!(mesh.chunks.len() > 1, "a big layer is drawn by parts");
    } else {
        assert!(mesh.chunks.is_empty());
    }

    // the mesh's triangles, attributed to features by where they lie
    let mut fill_area = vec![0.0f64; n];
    let mut fill_vertices: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut stroke_tris: Vec<Vec<[[u32; 5]; 3]>> = vec![Vec::new(); n];
    let mut last_fill_feature = 0;
    let mut strokes_started = false;
    assert_eq!(mesh.indices.len() % 3, 0);
    for t in mesh.indices.chunks_exact(3) {
        let v = [0, 1, 2].map(|k| mesh.vertices[t[k] as usize]);
        if v.iter().all(|v| v.offset == [0.0, 0.0]) {
            assert!(!strokes_started, "a fill after the first stroke");
            let c = [0, 1].map(|d| v.iter().map(|v| f64::from(v.pos[d])).sum::<f64>() / 3.0);
            let fi = cell(origin, c, side);
            assert!(fi < n, "fill of no feature");
            assert!(rank[fi] >= last_fill_feature, "fills out of drawing order");
            last_fill_feature = rank[fi];
            fill_area[fi] += area2(&v.map(|v| v.pos));
            fill_vertices[fi].extend_from_slice(t);
        } else {
            strokes_started = true;
            let pos = [f64::from(v[0].pos[0]), f64::from(v[0].pos[1])];
            let fi = cell(origin, pos, side);
            assert!(fi < n, "stroke of no feature");
            let mut k = v.map(|v| key(&v));
            k.sort_unstable();
            stroke_tris[fi].push(k);
        }
    }

    let (mut ref_fill_v, mut ref_stroke_v, mut ref_i) = (0, 0, 0);
    for (i, r) in refs.iter().enumerate() {
        let want: f64 = r.fill.iter().map(|t| area2(&t.map(|v| v.pos))).sum();
        assert!(want > 0.0 && fill_area[i] > 0.0, "feature {i} not filled");
        assert!(
            ((fill_area[i] - want) / want).abs() < 1e-9,
            "feature {i}: fill area {} vs {want}",
            fill_area[i]
        );
        // the same fill vertices, bit for bit (each earcut/fan vertex is used by a triangle)
        let mut got: Vec<u32> = fill_vertices[i].clone();
        got.sort_unstable();
        got.dedup();
        let mut got: Vec<[u32; 5]> = got
            .iter()
            .map(|&k| key(&mesh.vertices[k as usize]))
            .collect();
        got.sort_unstable();
        let mut want: Vec<[u32; 5]> = r.fill.iter().flatten().map(key).collect();
        want.sort_unstable();
        want.dedup();
        got.dedup();
        assert_eq!(got, want, "feature {i}: fill vertices");
        // the same stroke triangles, bit for bit
        let mut want: Vec<[[u32; 5]; 3]> = r
            .stroke_i
            .chunks_exact(3)
            .map(|t| {
                let mut k = [0, 1, 2].map(|j| key(&r.stroke_v[t[j] as usize]));
                k.sort_unstable();
                k
            })
            .collect();
        want.sort_unstable();
        let mut got = stroke_tris[i].clone();
        got.sort_unstable();
        assert_eq!(got, want, "feature {i}: stroke triangles");
        ref_fill_v += r.fill_vertices;
        ref_stroke_v += r.stroke_v.len();
        ref_i += r.fill.len() * 3 + r.stroke_i.len();
    }
    // the same number of vertices: a fan or earcut vertex per ring point, and the strokes'
    assert_eq!(
        mesh.vertices.len(),
        ref_fill_v + ref_stroke_v,
        "vertex count"
    );
    assert_eq!(mesh.indices.len(), ref_i, "index count");
}

#[test]
fn small_layer_matches_the_reference() {
    check(600, 7);
}

#[test]
fn large_layer_on_every_core_matches_the_reference() {
    // above the parallel threshold (20,000 features): several chunks and threads
    check(30_000, 11);
}
