//! The travel-time surface of a finished search on the walking grid's lattice: open grid
//! cells carry their own time; cells covered by the streets (and, when driving, every land
//! cell) take the best reached street node within `offroad_m` plus the walk to it, never
//! across a barrier.

use super::contour::Surface;
use super::grid::{OPEN, STREET, WATER};
use super::search::{DS_PER_MIN, Search};
use super::{Mode, Network};

/// The surface of `s` over the window it reached.
pub fn surface(net: &Network, mode: Mode, s: &Search) -> Surface {
    let g = &net.grid;
    let walk_grid = net.walks_grid(mode);
    let r_m = net.params.offroad_m;
    let rc = (r_m / g.cell).ceil() as i64;
    let (mut i0, mut j0, mut i1, mut j1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
    let cell_of = |x: f64, y: f64| {
        (
            ((x - g.x0) / g.cell).round() as i64,
            ((y - g.y0) / g.cell).round() as i64,
        )
    };
    for &u in &s.settled {
        let u = u as usize;
        let (i, j, pad) = if u < g.len() {
            ((u % g.nx) as i64, (u / g.nx) as i64, 0)
        } else if net.is_road(u) {
            let (x, y) = net.node_xy(u);
            let (i, j) = cell_of(x, y);
            (i, j, rc)
        } else {
            continue;
        };
        i0 = i0.min(i - pad);
        i1 = i1.max(i + pad);
        j0 = j0.min(j - pad);
        j1 = j1.max(j + pad);
    }
    let (i0, j0) = (i0.max(0), j0.max(0));
    let (i1, j1) = (i1.min(g.nx as i64 - 1), j1.min(g.ny as i64 - 1));
    if i0 > i1 || j0 > j1 {
        return Surface {
            nx: 0,
            ny: 0,
            x0: 0.0,
            y0: 0.0,
            cell: g.cell,
            minutes: vec![],
        };
    }
    // One unreached sample of margin on every side closes the rings.
    let (nx, ny) = ((i1 - i0 + 3) as usize, (j1 - j0 + 3) as usize);
    let mut minutes = vec![f64::INFINITY; nx * ny];
    let slot = |i: i64, j: i64| (j - j0 + 1) as usize * nx + (i - i0 + 1) as usize;
    let walk = net.params.walk_speed_mps;
    for &u in &s.settled {
        let u = u as usize;
        let t = s.dist[u] as f64 / DS_PER_MIN;
        if u < g.len() {
            if walk_grid && g.land[u] == OPEN {
                let (i, j) = ((u % g.nx) as i64, (u / g.nx) as i64);
                let m = &mut minutes[slot(i, j)];
                *m = m.min(t);
            }
            continue;
        }
        if !net.is_road(u) {
            continue;
        }
        let (x, y) = net.node_xy(u);
        let (ci, cj) = cell_of(x, y);
        for j in (cj - rc).max(j0)..=(cj + rc).min(j1) {
            for i in (ci - rc).max(i0)..=(ci + rc).min(i1) {
                let c = j as usize * g.nx + i as usize;
                let land = g.land[c];
                if land == WATER || (walk_grid && land != STREET) {
                    continue;
                }
                let p = g.centre(c);
                let d = (p.0 - x).hypot(p.1 - y);
                if d > r_m {
                    continue;
                }
                let m = t + d / walk / 60.0;
                let k = slot(i, j);
                if m < minutes[k] && (g.near_barrier[c] == 0 || !net.crosses_barrier((x, y), p)) {
                    minutes[k] = m;
                }
            }
        }
    }
    let (x0, y0) = g.centre(j0 as usize * g.nx + i0 as usize);
    Surface {
        nx,
        ny,
        x0: x0 - g.cell,
        y0: y0 - g.cell,
        cell: g.cell,
        minutes,
    }
}
