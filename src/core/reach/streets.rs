//! A routable street network from any road layer: polylines in metres are noded at shared
//! vertices (within `snap_m`), at T-junctions (a way's end within `snap_m` of the middle of
//! another segment splits it there) and at loose ends (a dead end within `join_m` of another
//! segment is joined to it by a short link); segments crossing a barrier are dropped.
//! Points snap to the nearest segment ([`Streets::snap`]).
//!
//! OSM ways that cross without a shared vertex (bridges, tunnels) are left unconnected.
//! Units: metres in the network's local metric frame.

use super::grid::point_segment_dist;
use std::collections::HashMap;

/// One input way.
#[derive(Debug, Clone)]
pub struct Way {
    /// Vertices, metres.
    pub pts: Vec<(f64, f64)>,
    /// Index into `drive_speeds_kmh` (`u8::MAX`: not drivable).
    pub class: u8,
    /// Whether walking and cycling may use it (not motorway/trunk).
    pub walkable: bool,
    /// Drivable one way only (in vertex order).
    pub oneway: bool,
}

/// A street segment between two nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seg {
    /// From node.
    pub a: u32,
    /// To node.
    pub b: u32,
    /// Length, metres.
    pub len: f64,
    /// Road class (see [`Way::class`]).
    pub class: u8,
    /// Walkable.
    pub walkable: bool,
    /// One way a → b for driving.
    pub oneway: bool,
}

/// What noding did (reported in the assumptions).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct NodingStats {
    /// Input ways.
    pub ways: usize,
    /// Vertices merged into a node within `snap_m` of another.
    pub merged_vertices: usize,
    /// Way ends noded onto the middle of another segment (T-junctions).
    pub t_junctions: usize,
    /// Dead ends joined to a segment within `join_m` by a link.
    pub joined_ends: usize,
    /// Segments dropped because they cross a barrier.
    pub cut_by_barrier: usize,
}

/// The noded street network.
#[derive(Debug, Clone, Default)]
pub struct Streets {
    /// Node positions, metres.
    pub xy: Vec<(f64, f64)>,
    /// Segments.
    pub segs: Vec<Seg>,
    /// Segments per node (indices into `segs`).
    pub degree: Vec<u32>,
    /// What noding did.
    pub stats: NodingStats,
    /// Connected component per node (component ids are their smallest node).
    pub component: Vec<u32>,
    /// The largest component.
    pub main_component: u32,
    buckets: HashMap<(i32, i32), Vec<u32>>,
}

/// Bucket size of the segment index, metres.
const BUCKET_M: f64 = 100.0;

fn bkey(x: f64) -> i32 {
    (x / BUCKET_M).floor() as i32
}

/// Union–find over node ids.
fn find(p: &mut [u32], mut x: u32) -> u32 {
    while p[x as usize] != x {
        p[x as usize] = p[p[x as usize] as usize];
        x = p[x as usize];
    }
    x
}

/// A snap of a point onto a segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// Segment index.
    pub seg: usize,
    /// Distance from the point to the segment, metres.
    pub off_m: f64,
    /// Distance along the segment from node `a`, metres.
    pub along_m: f64,
}

impl Streets {
    /// Node `ways`: vertices within `snap_m` merge, T-junctions within `snap_m` split the
    /// segment they touch, dead ends within `join_m` of a segment get a link to it; segments
    /// for which `blocked(a, b)` holds are dropped.
    pub fn node(
        ways: &[Way],
        snap_m: f64,
        join_m: f64,
        blocked: impl Fn((f64, f64), (f64, f64)) -> bool,
    ) -> Streets {
        let mut stats = NodingStats {
            ways: ways.len(),
            ..NodingStats::default()
        };
        // 1. Vertices within snap_m share a node (hash grid of snap_m cells).
        let cell = snap_m.max(1e-3);
        let mut grid: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
        let mut xy: Vec<(f64, f64)> = Vec::new();
        // Raw segments: (a, b, way index).
        let mut raw: Vec<(u32, u32, usize)> = Vec::new();
        let mut ends: Vec<(u32, usize)> = Vec::new();
        for (wi, w) in ways.iter().enumerate() {
            let mut prev: Option<u32> = None;
            let mut first = None;
            for &p in &w.pts {
                if !(p.0.is_finite() && p.1.is_finite()) {
                    continue;
                }
                let (ci, cj) = ((p.0 / cell).floor() as i64, (p.1 / cell).floor() as i64);
                let mut found = None;
                'look: for dj in -1..=1 {
                    for di in -1..=1 {
                        if let Some(v) = grid.get(&(ci + di, cj + dj)) {
                            for &n in v {
                                let q = xy[n as usize];
                                if (q.0 - p.0).hypot(q.1 - p.1) <= snap_m {
                                    found = Some(n);
                                    break 'look;
                                }
                            }
                        }
                    }
                }
                let id = match found {
                    Some(n) => {
                        stats.merged_vertices += 1;
                        n
                    }
                    None => {
                        xy.push(p);
                        let n = (xy.len() - 1) as u32;
                        grid.entry((ci, cj)).or_default().push(n);
                        n
                    }
                };
                if let Some(pv) = prev
                    && pv != id
                {
                    raw.push((pv, id, wi));
                }
                if first.is_none() {
                    first = Some(id);
                }
                prev = Some(id);
            }
            if let (Some(f), Some(l)) = (first, prev)
                && f != l
            {
                ends.push((f, wi));
                ends.push((l, wi));
            }
        }
        let mut degree = vec![0u32; xy.len()];
        for &(a, b, _) in &raw {
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        let index = |segs: &[(u32, u32, usize)], xy: &[(f64, f64)]| {
            let mut m: HashMap<(i32, i32), Vec<u32>> = HashMap::new();
            for (k, &(a, b, _)) in segs.iter().enumerate() {
                let (p, q) = (xy[a as usize], xy[b as usize]);
                for j in bkey(p.1.min(q.1))..=bkey(p.1.max(q.1)) {
                    for i in bkey(p.0.min(q.0))..=bkey(p.0.max(q.0)) {
                        m.entry((i, j)).or_default().push(k as u32);
                    }
                }
            }
            m
        };
        let idx = index(&raw, &xy);
        // 2. Way ends near another segment: T-junction (within snap_m) or a link (dead end
        // within join_m).
        let mut parent: Vec<u32> = (0..xy.len() as u32).collect();
        let mut splits: Vec<Vec<(f64, u32)>> = vec![Vec::new(); raw.len()];
        let mut links: Vec<(u32, u32, usize)> = Vec::new();
        ends.sort_unstable();
        ends.dedup_by_key(|e| e.0);
        for &(n, wi) in &ends {
            let p = xy[n as usize];
            let mut best: Option<(usize, f64, f64)> = None;
            for j in bkey(p.1 - join_m)..=bkey(p.1 + join_m) {
                for i in bkey(p.0 - join_m)..=bkey(p.0 + join_m) {
                    let Some(v) = idx.get(&(i, j)) else { continue };
                    for &k in v {
                        let (a, b, _) = raw[k as usize];
                        if a == n || b == n {
                            continue;
                        }
                        let (d, t) = point_segment_dist(p, xy[a as usize], xy[b as usize]);
                        if d <= join_m && best.is_none_or(|bb| d < bb.1) {
                            best = Some((k as usize, d, t));
                        }
                    }
                }
            }
            let Some((k, d, t)) = best else { continue };
            let (a, b, _) = raw[k];
            let (pa, pb) = (xy[a as usize], xy[b as usize]);
            let len = (pb.0 - pa.0).hypot(pb.1 - pa.1);
            if d > snap_m && degree[n as usize] != 1 {
                continue;
            }
            // Onto an end of the segment, or into its middle.
            let end_node = if t * len <= snap_m {
                Some(a)
            } else if (1.0 - t) * len <= snap_m {
                Some(b)
            } else {
                None
            };
            if d <= snap_m {
                stats.t_junctions += 1;
                match end_node {
                    Some(e) => {
                        let (r1, r2) = (find(&mut parent, n), find(&mut parent, e));
                        parent[r1 as usize] = r2;
                    }
                    None => splits[k].push((t, n)),
                }
            } else {
                stats.joined_ends += 1;
                let q = match end_node {
                    Some(e) => e,
                    None => {
                        xy.push((pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1)));
                        parent.push((xy.len() - 1) as u32);
                        let q = (xy.len() - 1) as u32;
                        splits[k].push((t, q));
                        q
                    }
                };
                links.push((n, q, wi));
            }
        }
        // 3. Apply the splits and merges.
        let mut out: Vec<(u32, u32, usize)> = Vec::new();
        for (k, &(a, b, wi)) in raw.iter().enumerate() {
            let mut s = std::mem::take(&mut splits[k]);
            s.sort_by(|x, y| x.0.total_cmp(&y.0));
            let mut prev = a;
            for (_, n) in s {
                out.push((prev, n, wi));
                prev = n;
            }
            out.push((prev, b, wi));
        }
        out.extend(links);
        let mut segs = Vec::with_capacity(out.len());
        for (a, b, wi) in out {
            let (a, b) = (find(&mut parent, a), find(&mut parent, b));
            if a == b {
                continue;
            }
            let (pa, pb) = (xy[a as usize], xy[b as usize]);
            if blocked(pa, pb) {
                stats.cut_by_barrier += 1;
                continue;
            }
            let w = &ways[wi];
            segs.push(Seg {
                a,
                b,
                len: (pb.0 - pa.0).hypot(pb.1 - pa.1),
                class: w.class,
                walkable: w.walkable,
                oneway: w.oneway,
            });
        }
        let mut comp: Vec<u32> = (0..xy.len() as u32).collect();
        for sg in &segs {
            let (ra, rb) = (find(&mut comp, sg.a), find(&mut comp, sg.b));
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            comp[hi as usize] = lo;
        }
        let mut sizes: HashMap<u32, usize> = HashMap::new();
        for n in 0..xy.len() as u32 {
            let r = find(&mut comp, n);
            comp[n as usize] = r;
            *sizes.entry(r).or_default() += 1;
        }
        let main_component = sizes
            .iter()
            .max_by_key(|(k, v)| (**v, std::cmp::Reverse(**k)))
            .map_or(0, |(k, _)| *k);
        let mut st = Streets {
            component: comp,
            main_component,
            degree: vec![0; xy.len()],
            xy,
            segs,
            stats,
            buckets: HashMap::new(),
        };
        for (k, s) in st.segs.iter().enumerate() {
            st.degree[s.a as usize] += 1;
            st.degree[s.b as usize] += 1;
            let (p, q) = (st.xy[s.a as usize], st.xy[s.b as usize]);
            for j in bkey(p.1.min(q.1))..=bkey(p.1.max(q.1)) {
                for i in bkey(p.0.min(q.0))..=bkey(p.0.max(q.0)) {
                    st.buckets.entry((i, j)).or_default().push(k as u32);
                }
            }
        }
        st
    }

    /// True when there are no segments.
    pub fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    /// The nearest segment within `max_m` of (x, y) that `ok` accepts (given the segment and
    /// the snapped point), searching outward ring by ring.
    pub fn snap(
        &self,
        x: f64,
        y: f64,
        max_m: f64,
        ok: impl Fn(&Seg, (f64, f64)) -> bool,
    ) -> Option<Snap> {
        let (bi, bj) = (bkey(x), bkey(y));
        let rmax = (max_m / BUCKET_M).ceil() as i32 + 1;
        let mut best: Option<Snap> = None;
        for r in 0..=rmax {
            for dj in -r..=r {
                for di in -r..=r {
                    if di.abs().max(dj.abs()) != r {
                        continue;
                    }
                    let Some(v) = self.buckets.get(&(bi + di, bj + dj)) else {
                        continue;
                    };
                    for &k in v {
                        let s = &self.segs[k as usize];
                        let (pa, pb) = (self.xy[s.a as usize], self.xy[s.b as usize]);
                        let (d, t) = point_segment_dist((x, y), pa, pb);
                        if d > max_m || best.is_some_and(|b| b.off_m <= d) {
                            continue;
                        }
                        let q = (pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1));
                        if !ok(s, q) {
                            continue;
                        }
                        best = Some(Snap {
                            seg: k as usize,
                            off_m: d,
                            along_m: t * s.len,
                        });
                    }
                }
            }
            // Anything in a later ring is at least r buckets away.
            if best.is_some_and(|b| b.off_m <= r as f64 * BUCKET_M) {
                break;
            }
        }
        best
    }
}
