//! Bounded, time-aware Dijkstra over the network with a bucket queue (Dial's algorithm,
//! 0.1 s buckets in a ring sized to the longest edge). Costs are integer deciseconds.

use super::Mode;
use super::grid::OPEN;
use super::network::{DIRS, EdgeKind, Network};

/// Sentinel: not reached.
pub const UNREACHED: u32 = u32::MAX;
/// `pred_edge` value for an implicit grid step.
pub const GRID_STEP: u32 = u32::MAX - 1;
/// `pred_edge` value for a source node.
pub const SOURCE: u32 = u32::MAX;

/// Deciseconds per minute.
pub const DS_PER_MIN: f64 = 600.0;

/// What a search leaves behind.
#[derive(Debug)]
pub struct Search {
    /// Arrival time per node, deciseconds after departure (`UNREACHED` if not reached).
    pub dist: Vec<u32>,
    /// Predecessor node per node (only when asked for).
    pub pred: Vec<u32>,
    /// Edge index used to arrive (`GRID_STEP`, `SOURCE` or an index into `net.edges`).
    pub pred_edge: Vec<u32>,
    /// Nodes settled, in order (for building surfaces without scanning everything).
    pub settled: Vec<u32>,
}

fn open_at(hours: (f64, f64), clock_min: f64) -> bool {
    let (o, c) = hours;
    if c - o >= 1440.0 {
        return true;
    }
    let t = clock_min.rem_euclid(1440.0);
    (o..c).contains(&t) || (o..c).contains(&(t + 1440.0))
}

fn min_ds(m: f32) -> u32 {
    ((m as f64) * DS_PER_MIN).round().max(0.0) as u32
}

impl Network {
    /// Speed in m/s for moving on foot/bike in `mode` (transit walks).
    pub fn foot_speed(&self, mode: Mode) -> f64 {
        match mode {
            Mode::Cycle => self.params.cycle_speed_mps(),
            _ => self.params.walk_speed_mps,
        }
    }

    /// Cost of an explicit edge for `mode` in deciseconds, ignoring opening hours;
    /// `None` when the mode may not use it.
    pub fn edge_cost(&self, mode: Mode, kind: EdgeKind) -> Option<u32> {
        let p = &self.params;
        let foot = self.foot_speed(mode);
        let ds = |m: f64, v: f64| (m / v * 10.0).round() as u32;
        match kind {
            EdgeKind::Connector { dist_m } => {
                (mode != Mode::Drive).then(|| ds(dist_m as f64 * p.circuity, foot))
            }
            EdgeKind::RoadConnector {
                dist_m,
                walk,
                drive,
            } => match mode {
                Mode::Drive if drive => Some(ds(dist_m as f64 * p.circuity, 20.0 / 3.6)),
                Mode::Walk | Mode::Cycle | Mode::Transit if walk => Some(ds(dist_m as f64, foot)),
                _ => None,
            },
            EdgeKind::Board { min, .. } | EdgeKind::Ride { min, .. } | EdgeKind::Alight { min } => {
                (mode == Mode::Transit).then(|| min_ds(min))
            }
            EdgeKind::Control { cp, min, .. } => {
                let c = p.control_points.get(cp as usize)?;
                let name = mode.name();
                if !c.modes.iter().any(|m| m == name) {
                    return None;
                }
                Some(min_ds(min))
            }
            EdgeKind::Road {
                dist_m,
                class,
                walkable,
            } => match mode {
                Mode::Drive => {
                    let v = p.drive_speeds_kmh.get(class as usize)?.1;
                    (v > 0.0).then(|| ds(dist_m as f64, v / 3.6))
                }
                _ if walkable => Some(ds(dist_m as f64, foot)),
                _ => None,
            },
        }
    }

    /// Run the search from `sources` (node, initial deciseconds), departing at `depart_min`
    /// (minutes after midnight), settling nodes up to `limit_ds`. With `targets`
    /// (node, extra deciseconds) it stops once the best target arrival is settled.
    pub fn search(
        &self,
        mode: Mode,
        sources: &[(usize, u32)],
        depart_min: f64,
        limit_ds: u32,
        targets: &[(usize, u32)],
        want_pred: bool,
    ) -> Search {
        let n = self.node_count();
        let mut dist = vec![UNREACHED; n];
        let (mut pred, mut pred_edge) = if want_pred {
            (vec![UNREACHED; n], vec![SOURCE; n])
        } else {
            (Vec::new(), Vec::new())
        };
        let mut settled = Vec::new();
        let g = &self.grid;
        let use_grid = self.walks_grid(mode);
        let s = self.foot_speed(mode);
        let orth = ((g.cell * self.params.circuity / s * 10.0).round() as u32).max(1);
        let diag = ((g.cell * std::f64::consts::SQRT_2 * self.params.circuity / s * 10.0).round()
            as u32)
            .max(1);
        // Ring size: longest edge for this mode.
        let mode_ix = match mode {
            Mode::Walk => 0,
            Mode::Cycle => 1,
            Mode::Transit => 2,
            Mode::Drive => 3,
        };
        let maxc = orth.max(diag).max(self.max_edge_ds[mode_ix]);
        let ring = (maxc as usize + 1).next_power_of_two();
        let mask = ring - 1;
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); ring];
        let mut pending = 0usize;
        for &(node, d0) in sources {
            if node < n && d0 < dist[node] && d0 <= limit_ds {
                dist[node] = d0;
                buckets[d0 as usize & mask].push(node as u32);
                pending += 1;
            }
        }
        let is_target: std::collections::HashMap<usize, u32> = targets.iter().copied().collect();
        let mut best_target = UNREACHED;
        let mut t: u32 = sources.iter().map(|s| s.1).min().unwrap_or(0);
        let gl = g.len();
        while pending > 0 && t <= limit_ds && t < best_target {
            let slot = t as usize & mask;
            let mut bucket = std::mem::take(&mut buckets[slot]);
            let mut k = 0;
            while k < bucket.len() {
                let u = bucket[k] as usize;
                k += 1;
                pending -= 1;
                if dist[u] != t {
                    continue;
                }
                settled.push(u as u32);
                if let Some(&extra) = is_target.get(&u) {
                    best_target = best_target.min(t.saturating_add(extra));
                }
                let mut relax = |v: usize,
                                 c: u32,
                                 eidx: u32,
                                 bucket: &mut Vec<u32>,
                                 buckets: &mut Vec<Vec<u32>>| {
                    let nd = t.saturating_add(c);
                    if nd < dist[v] && nd <= limit_ds {
                        dist[v] = nd;
                        if want_pred {
                            pred[v] = u as u32;
                            pred_edge[v] = eidx;
                        }
                        if nd == t {
                            bucket.push(v as u32);
                        } else {
                            buckets[nd as usize & mask].push(v as u32);
                        }
                        pending += 1;
                    }
                };
                if use_grid && u < gl && g.land[u] == OPEN {
                    let (i, j) = ((u % g.nx) as i64, (u / g.nx) as i64);
                    let blocked = g.blocked[u];
                    for (d, &(dx, dy)) in DIRS.iter().enumerate() {
                        if blocked & (1 << d) != 0 {
                            continue;
                        }
                        let (ni, nj) = (i + dx as i64, j + dy as i64);
                        if ni < 0 || nj < 0 || ni >= g.nx as i64 || nj >= g.ny as i64 {
                            continue;
                        }
                        let v = nj as usize * g.nx + ni as usize;
                        if g.land[v] != OPEN {
                            continue;
                        }
                        let c = if d % 2 == 0 { orth } else { diag };
                        relax(v, c, GRID_STEP, &mut bucket, &mut buckets);
                    }
                }
                let (a, b) = (self.offsets[u] as usize, self.offsets[u + 1] as usize);
                for ei in a..b {
                    let e = self.edges[ei];
                    let Some(c) = self.edge_cost(mode, e.kind) else {
                        continue;
                    };
                    let clock = depart_min + t as f64 / DS_PER_MIN;
                    let ok = match e.kind {
                        EdgeKind::Control { cp, .. } => self
                            .cp_hours
                            .get(cp as usize)
                            .is_none_or(|&h| open_at(h, clock)),
                        EdgeKind::Board { line, .. } => open_at(
                            self.line_hours
                                .get(line as usize)
                                .copied()
                                .flatten()
                                .unwrap_or(self.service),
                            clock,
                        ),
                        _ => true,
                    };
                    if ok {
                        relax(e.to as usize, c, ei as u32, &mut bucket, &mut buckets);
                    }
                }
            }
            bucket.clear();
            // Every edge is shorter than the ring, so nothing else landed in this slot.
            buckets[slot] = bucket;
            t += 1;
        }
        Search {
            dist,
            pred,
            pred_edge,
            settled,
        }
    }
}
