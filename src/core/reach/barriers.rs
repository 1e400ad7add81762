//! Barriers to walking, cycling and driving: the HK–Shenzhen boundary (crossed only at
//! control points) and the access barriers of `data/barriers/` — water (the old Shenzhen
//! River meander) and fenced sites — with their gates, where the barrier is open.
//!
//! A barrier is a set of straight segments in the network's metric frame, bucketed for
//! fast "does this straight line cross a barrier" queries ([`Barriers::crosses`]). Gates
//! cut a gap of their `width_m` out of the barrier line around their point.

use super::ReachError;
use super::grid::{point_segment_dist, seg_intersect};
use crate::core::measure::TangentFrame;
use crate::core::model::Layer;
use geo::Geometry;
use std::collections::HashMap;

/// Embedded access barriers and gates around the Loop (`data/barriers/`).
pub const BARRIERS_GEOJSON: &[u8] =
    include_bytes!("../../../data/barriers/hk_loop_area_barriers.geojson");

/// Bucket size of the segment index, metres.
const BUCKET_M: f64 = 250.0;

/// Barrier segments with a bucket index.
#[derive(Debug, Clone, Default)]
pub struct Barriers {
    /// Segments, metres.
    pub segments: Vec<[(f64, f64); 2]>,
    buckets: HashMap<(i32, i32), Vec<u32>>,
}

fn bucket(v: f64) -> i32 {
    (v / BUCKET_M).floor() as i32
}

impl Barriers {
    /// Add a segment.
    pub fn push(&mut self, a: (f64, f64), b: (f64, f64)) {
        let k = self.segments.len() as u32;
        self.segments.push([a, b]);
        for j in bucket(a.1.min(b.1))..=bucket(a.1.max(b.1)) {
            for i in bucket(a.0.min(b.0))..=bucket(a.0.max(b.0)) {
                self.buckets.entry((i, j)).or_default().push(k);
            }
        }
    }

    /// True when the straight segment a–b crosses (or touches) a barrier segment.
    pub fn crosses(&self, a: (f64, f64), b: (f64, f64)) -> bool {
        let (i0, i1) = (bucket(a.0.min(b.0)), bucket(a.0.max(b.0)));
        let (j0, j1) = (bucket(a.1.min(b.1)), bucket(a.1.max(b.1)));
        if (i1 - i0 + 1) as i64 * (j1 - j0 + 1) as i64 > 4096 {
            // A very long query: scan.
            return self
                .segments
                .iter()
                .any(|s| seg_intersect(a, b, s[0], s[1]));
        }
        for j in j0..=j1 {
            for i in i0..=i1 {
                if let Some(v) = self.buckets.get(&(i, j))
                    && v.iter().any(|&k| {
                        let s = self.segments[k as usize];
                        seg_intersect(a, b, s[0], s[1])
                    })
                {
                    return true;
                }
            }
        }
        false
    }
}

/// An access barrier line as loaded, with its kind (`water`, `fence`).
#[derive(Debug, Clone)]
pub struct AccessBarrier {
    /// Name for messages and the app.
    pub name: String,
    /// `water` or `fence`.
    pub kind: String,
    /// Polyline, metres.
    pub line: Vec<(f64, f64)>,
}

/// A gate: a gap in the barriers around a point.
#[derive(Debug, Clone)]
pub struct Gate {
    /// Name.
    pub name: String,
    /// Position, metres.
    pub xy: (f64, f64),
    /// Width of the gap, metres.
    pub width_m: f64,
}

/// Read barrier lines (`kind` `water` or `fence`; LineStrings, or Polygon outlines) and gates
/// (`kind` `gate` Points with `width_m`) from a layer.
pub fn read_layer(layer: &Layer, proj: &TangentFrame) -> (Vec<AccessBarrier>, Vec<Gate>) {
    let mut lines = Vec::new();
    let mut gates = Vec::new();
    for f in &layer.features {
        let kind = f.prop_str("kind").unwrap_or("");
        let name = f.prop_str("name").unwrap_or(kind).to_string();
        let to_m = |l: &geo::LineString<f64>| -> Vec<(f64, f64)> {
            l.0.iter().map(|c| proj.xy(c.x, c.y)).collect()
        };
        match (&f.geometry, kind) {
            (Some(Geometry::Point(p)), "gate") => gates.push(Gate {
                name,
                xy: proj.xy(p.x(), p.y()),
                width_m: f.prop_f64("width_m").unwrap_or(30.0).max(0.0),
            }),
            (Some(g), "water" | "fence") => {
                let rings: Vec<Vec<(f64, f64)>> = match g {
                    Geometry::LineString(l) => vec![to_m(l)],
                    Geometry::MultiLineString(m) => m.0.iter().map(to_m).collect(),
                    Geometry::Polygon(p) => std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(to_m)
                        .collect(),
                    Geometry::MultiPolygon(mp) => {
                        mp.0.iter()
                            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                            .map(to_m)
                            .collect()
                    }
                    _ => vec![],
                };
                for line in rings {
                    lines.push(AccessBarrier {
                        name: name.clone(),
                        kind: kind.to_string(),
                        line,
                    });
                }
            }
            _ => {}
        }
    }
    (lines, gates)
}

/// The embedded access barriers and gates.
pub fn embedded(proj: &TangentFrame) -> Result<(Vec<AccessBarrier>, Vec<Gate>), ReachError> {
    let layer = crate::core::io::load_slice(BARRIERS_GEOJSON, "barriers", "barriers")
        .map_err(|e| ReachError::Data(e.to_string()))?;
    Ok(read_layer(&layer, proj))
}

/// The pieces of segment a–b outside every gate's gap.
pub fn open_pieces(a: (f64, f64), b: (f64, f64), gates: &[Gate]) -> Vec<[(f64, f64); 2]> {
    let mut cut: Vec<(f64, f64)> = Vec::new();
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let l2 = dx * dx + dy * dy;
    for g in gates {
        let r = g.width_m / 2.0;
        let (d, _) = point_segment_dist(g.xy, a, b);
        if d > r || l2 <= 0.0 {
            continue;
        }
        // Solve |a + t (b - a) - g|² = r².
        let (fx, fy) = (a.0 - g.xy.0, a.1 - g.xy.1);
        let bq = 2.0 * (fx * dx + fy * dy);
        let cq = fx * fx + fy * fy - r * r;
        let disc = (bq * bq - 4.0 * l2 * cq).max(0.0).sqrt();
        let t0 = ((-bq - disc) / (2.0 * l2)).clamp(0.0, 1.0);
        let t1 = ((-bq + disc) / (2.0 * l2)).clamp(0.0, 1.0);
        cut.push((t0, t1));
    }
    cut.sort_by(|p, q| p.0.total_cmp(&q.0));
    let at = |t: f64| (a.0 + t * dx, a.1 + t * dy);
    let mut out = Vec::new();
    let mut t = 0.0;
    for (c0, c1) in cut {
        if c0 > t {
            out.push([at(t), at(c0)]);
        }
        t = t.max(c1);
    }
    if t < 1.0 {
        out.push([at(t), at(1.0)]);
    }
    out
}
