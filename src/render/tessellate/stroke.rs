//! Outlines and lines: each segment becomes a quad whose vertices carry a pixel offset (see the
//! parent module); mitred joins up to [`MITER_LIMIT`], round joins beyond, round caps.

use super::GeoVertex;
use crate::render::style::Rgba;

/// Angle step of round joins and caps, radians.
const ROUND_STEP: f32 = std::f32::consts::PI / 6.0;
/// Longest miter (in half-widths) before a join is drawn round instead.
const MITER_LIMIT: f32 = 2.0;

/// Append a round fan around `p` from angle `a0` sweeping `sweep` radians, radius `hw` px.
fn fan(
    v: &mut Vec<GeoVertex>,
    idx: &mut Vec<u32>,
    p: [f32; 2],
    a0: f32,
    sweep: f32,
    hw: f32,
    color: [u8; 4],
) {
    let steps = ((sweep.abs() / ROUND_STEP).ceil() as u32).clamp(1, 12);
    let centre = v.len() as u32;
    v.push(GeoVertex {
        pos: p,
        offset: [0.0; 2],
        color,
    });
    // rotate the rim vector step by step (one sin/cos per fan); offsets are y down
    let (ss, cs) = (sweep / steps as f32).sin_cos();
    let (mut y, mut x) = a0.sin_cos();
    for _ in 0..=steps {
        v.push(GeoVertex {
            pos: p,
            offset: [x * hw, -y * hw],
            color,
        });
        (x, y) = (x * cs - y * ss, x * ss + y * cs);
    }
    for k in 0..steps {
        idx.extend_from_slice(&[centre, centre + 1 + k, centre + 2 + k]);
    }
}

/// Expand a polyline (metres, y north) into triangles whose vertices carry pixel offsets of
/// `hw` logical pixels (half the width). Joins are mitred (two shared vertices) up to a miter of
/// [`MITER_LIMIT`] half-widths and round beyond; open lines get round caps. Lines thinner than
/// 2 px skip caps (the difference is below a pixel).
pub fn stroke_path(
    pts: &[[f32; 2]],
    closed: bool,
    hw: f32,
    c: Rgba,
    v: &mut Vec<GeoVertex>,
    idx: &mut Vec<u32>,
) {
    stroke_path_with(&mut StrokeScratch::default(), pts, closed, hw, c, v, idx);
}

/// The per-point buffers of [`stroke_path`], kept between calls so that tessellating a layer
/// allocates them once per thread, not once per ring.
#[derive(Debug, Default)]
pub(super) struct StrokeScratch {
    dirs: Vec<Option<[f32; 2]>>,
    end_in: Vec<u32>,
    start_out: Vec<u32>,
}

/// [`stroke_path`] with caller-owned scratch buffers (same output).
pub(super) fn stroke_path_with(
    scratch: &mut StrokeScratch,
    pts: &[[f32; 2]],
    closed: bool,
    hw: f32,
    c: Rgba,
    v: &mut Vec<GeoVertex>,
    idx: &mut Vec<u32>,
) {
    let mut pts = pts;
    while pts.len() > 2 && pts.first() == pts.last() {
        pts = &pts[..pts.len() - 1];
    }
    let n = pts.len();
    if n < 2 || hw <= 0.0 || !hw.is_finite() {
        return;
    }
    let color = c.0;
    let closed = closed && n > 2;
    let segs = if closed { n } else { n - 1 };
    // unit direction of each segment (metres, y north); zero-length segments get None
    let StrokeScratch {
        dirs,
        end_in,
        start_out,
    } = scratch;
    dirs.clear();
    dirs.extend((0..segs).map(|i| {
        let (a, b) = (pts[i], pts[if i + 1 == n { 0 } else { i + 1 }]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let l = (dx * dx + dy * dy).sqrt();
        (l > 0.0 && l.is_finite()).then(|| [dx / l, dy / l])
    }));
    let nrm = |d: [f32; 2]| [-d[1], d[0]];
    // a pair of vertices at p offset by ±m (m in world orientation, scaled in half-widths)
    let pair = |v: &mut Vec<GeoVertex>, p: [f32; 2], m: [f32; 2]| -> u32 {
        let i = v.len() as u32;
        v.push(GeoVertex {
            pos: p,
            offset: [m[0] * hw, -m[1] * hw],
            color,
        });
        v.push(GeoVertex {
            pos: p,
            offset: [-m[0] * hw, m[1] * hw],
            color,
        });
        i
    };
    // for each point: index of the vertex pair that ends the incoming segment and that starts
    // the outgoing one
    end_in.clear();
    end_in.resize(n, u32::MAX);
    start_out.clear();
    start_out.resize(n, u32::MAX);
    let caps = hw >= 1.0;
    for j in 0..n {
        let d_in = if j > 0 {
            dirs[j - 1]
        } else if closed {
            dirs[segs - 1]
        } else {
            None
        };
        let d_out = if j < segs { dirs[j] } else { None };
        let p = pts[j];
        match (d_in, d_out) {
            (Some(d0), Some(d1)) => {
                let (n0, n1) = (nrm(d0), nrm(d1));
                let m = [n0[0] + n1[0], n0[1] + n1[1]];
                let ml2 = m[0] * m[0] + m[1] * m[1];
                // miter length in half-widths is 2/|m|
                if ml2 > 4.0 / (MITER_LIMIT * MITER_LIMIT) {
                    let k = 2.0 / ml2;
                    let i = pair(v, p, [m[0] * k, m[1] * k]);
                    end_in[j] = i;
                    start_out[j] = i;
                } else {
                    end_in[j] = pair(v, p, n0);
                    start_out[j] = pair(v, p, n1);
                    round_join(v, idx, p, d0, d1, hw, color);
                }
            }
            (None, Some(d1)) => {
                let n1 = nrm(d1);
                start_out[j] = pair(v, p, n1);
                if caps {
                    // start cap: from +n through -d to -n
                    fan(
                        v,
                        idx,
                        p,
                        n1[1].atan2(n1[0]),
                        std::f32::consts::PI,
                        hw,
                        color,
                    );
                }
            }
            (Some(d0), None) => {
                let n0 = nrm(d0);
                end_in[j] = pair(v, p, n0);
                if caps {
                    // end cap: from -n through +d to +n
                    fan(
                        v,
                        idx,
                        p,
                        (-n0[1]).atan2(-n0[0]),
                        std::f32::consts::PI,
                        hw,
                        color,
                    );
                }
            }
            (None, None) => {}
        }
    }
    for (i, d) in dirs.iter().enumerate() {
        if d.is_none() {
            continue;
        }
        let (a, b) = (start_out[i], end_in[if i + 1 == n { 0 } else { i + 1 }]);
        if a == u32::MAX || b == u32::MAX {
            continue;
        }
        idx.extend_from_slice(&[a, a + 1, b, a + 1, b + 1, b]);
    }
}

/// A round join on the outer side of the turn from direction `d0` to `d1` at `p`.
fn round_join(
    v: &mut Vec<GeoVertex>,
    idx: &mut Vec<u32>,
    p: [f32; 2],
    d0: [f32; 2],
    d1: [f32; 2],
    hw: f32,
    color: [u8; 4],
) {
    let cross = d0[0] * d1[1] - d0[1] * d1[0];
    // normals n = (-d.y, d.x); the outer side of a left turn is -n
    let s = if cross > 0.0 { -1.0 } else { 1.0 };
    let a0 = (s * d0[0]).atan2(-s * d0[1]);
    let a1 = (s * d1[0]).atan2(-s * d1[1]);
    let mut sweep = a1 - a0;
    while sweep > std::f32::consts::PI {
        sweep -= 2.0 * std::f32::consts::PI;
    }
    while sweep < -std::f32::consts::PI {
        sweep += 2.0 * std::f32::consts::PI;
    }
    fan(v, idx, p, a0, sweep, hw, color);
}

/// Vertices and indices that outlines of `coords` points take when every join is mitred and
/// there are no caps (closed rings of buildings and parcels): 2 and 6 per point, plus a
/// quarter for the round joins of sharp turns. Only used to reserve buffers.
pub(super) fn fan_free_stroke_estimate(coords: usize) -> (usize, usize) {
    (2 * coords + coords / 4, 6 * coords + coords)
}
