//! The walking grid over the land: cells in the network's local metric frame, the land mask
//! (rasterised polygons), the edges cut by barriers, and which cells the street network
//! covers (there walking follows the streets, not the grid).
//!
//! Units: metres in [`crate::core::measure::TangentFrame`] (first order).

/// The 8 grid directions (dx, dy); direction `d` and `(d + 4) % 8` are opposite.
pub const DIRS: [(i32, i32); 8] = [
    (1, 0),
    (1, 1),
    (0, 1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
    (0, -1),
    (1, -1),
];

/// `land` value: water or outside the land mask.
pub const WATER: u8 = 0;
/// `land` value: land walked over the grid.
pub const OPEN: u8 = 1;
/// `land` value: land within reach of a street: walked over the streets, coloured from them.
pub const STREET: u8 = 2;

/// The walking grid.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// Cell size, metres.
    pub cell: f64,
    /// Centre of cell (0, 0), metres.
    pub x0: f64,
    /// Centre of cell (0, 0), metres.
    pub y0: f64,
    /// [`WATER`], [`OPEN`] or [`STREET`] per cell.
    pub land: Vec<u8>,
    /// Bit `d` set: the edge in direction `d` is cut by a barrier or the boundary.
    pub blocked: Vec<u8>,
    /// 1 where a barrier passes within a few cells (checked when colouring from streets).
    pub near_barrier: Vec<u8>,
}

impl Grid {
    /// An all-water grid of `nx` × `ny` cells of `cell` metres, cell (0, 0) centred at (x0, y0).
    pub fn new(nx: usize, ny: usize, cell: f64, x0: f64, y0: f64) -> Self {
        Grid {
            nx,
            ny,
            cell,
            x0,
            y0,
            land: vec![WATER; nx * ny],
            blocked: vec![0; nx * ny],
            near_barrier: vec![0; nx * ny],
        }
    }
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }
    /// True when there are no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Centre of a cell, metres.
    pub fn centre(&self, c: usize) -> (f64, f64) {
        let (i, j) = (c % self.nx, c / self.nx);
        (
            self.x0 + i as f64 * self.cell,
            self.y0 + j as f64 * self.cell,
        )
    }
    /// The cell whose centre is nearest (x, y), if inside the grid.
    pub fn cell_at(&self, x: f64, y: f64) -> Option<usize> {
        let i = ((x - self.x0) / self.cell).round();
        let j = ((y - self.y0) / self.cell).round();
        (i >= 0.0 && j >= 0.0 && (i as usize) < self.nx && (j as usize) < self.ny)
            .then(|| j as usize * self.nx + i as usize)
    }

    /// Mark cells inside the polygon (rings in metres, even–odd) as land, row by row.
    pub fn rasterize(&mut self, rings: &[Vec<(f64, f64)>]) {
        let (mut miny, mut maxy) = (f64::INFINITY, f64::NEG_INFINITY);
        for r in rings {
            for p in r {
                miny = miny.min(p.1);
                maxy = maxy.max(p.1);
            }
        }
        if !miny.is_finite() || self.is_empty() {
            return;
        }
        let j0 = (((miny - self.y0) / self.cell).floor().max(0.0)) as usize;
        let j1 = (((maxy - self.y0) / self.cell).ceil().max(0.0) as usize)
            .min(self.ny.saturating_sub(1));
        let mut xs = Vec::new();
        for j in j0..=j1 {
            let y = self.y0 + j as f64 * self.cell;
            xs.clear();
            for r in rings {
                for w in r.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    if (a.1 <= y) != (b.1 <= y) {
                        xs.push(a.0 + (y - a.1) / (b.1 - a.1) * (b.0 - a.0));
                    }
                }
            }
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                let i0 = ((pair[0] - self.x0) / self.cell).ceil().max(0.0) as usize;
                let i1 = ((pair[1] - self.x0) / self.cell).floor();
                if i1 < 0.0 {
                    continue;
                }
                let i1 = (i1 as usize).min(self.nx - 1);
                for i in i0..=i1 {
                    self.land[j * self.nx + i] = OPEN;
                }
            }
        }
    }

    /// Cut every grid edge that crosses the segment a–b, and flag the cells within
    /// `near_m` of it.
    pub fn block_segment(&mut self, a: (f64, f64), b: (f64, f64), near_m: f64) {
        let fi = |x: f64| ((x - self.x0) / self.cell).floor() as i64;
        let fj = |y: f64| ((y - self.y0) / self.cell).floor() as i64;
        let pad = (near_m / self.cell).ceil() as i64 + 1;
        let (i0, i1) = (fi(a.0.min(b.0)) - pad, fi(a.0.max(b.0)) + pad + 1);
        let (j0, j1) = (fj(a.1.min(b.1)) - pad, fj(a.1.max(b.1)) + pad + 1);
        for j in j0.max(0)..=j1.min(self.ny as i64 - 1) {
            for i in i0.max(0)..=i1.min(self.nx as i64 - 1) {
                let c = j as usize * self.nx + i as usize;
                let p = self.centre(c);
                if point_segment_dist(p, a, b).0 <= near_m + self.cell {
                    self.near_barrier[c] = 1;
                }
                for (d, &(dx, dy)) in DIRS.iter().enumerate().take(4) {
                    let (ni, nj) = (i + dx as i64, j + dy as i64);
                    if ni < 0 || nj < 0 || ni >= self.nx as i64 || nj >= self.ny as i64 {
                        continue;
                    }
                    let n = nj as usize * self.nx + ni as usize;
                    let q = self.centre(n);
                    if seg_intersect(p, q, a, b) {
                        self.blocked[c] |= 1 << d;
                        self.blocked[n] |= 1 << ((d + 4) % 8);
                    }
                }
            }
        }
    }
}

/// Distance from p to the segment a–b and the parameter t in [0, 1] of the nearest point.
pub fn point_segment_dist(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let l2 = dx * dx + dy * dy;
    let t = if l2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - qx).hypot(p.1 - qy), t)
}

/// True when the closed segments a–b and c–d touch or cross.
pub fn seg_intersect(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    fn orient(p: (f64, f64), q: (f64, f64), r: (f64, f64)) -> f64 {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    }
    let d1 = orient(c, d, a);
    let d2 = orient(c, d, b);
    let d3 = orient(a, b, c);
    let d4 = orient(a, b, d);
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0) || d1 == 0.0 || d2 == 0.0)
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0) || d3 == 0.0 || d4 == 0.0)
        && {
            // Reject collinear-but-disjoint cases.
            let minx = a.0.min(b.0).max(c.0.min(d.0));
            let maxx = a.0.max(b.0).min(c.0.max(d.0));
            let miny = a.1.min(b.1).max(c.1.min(d.1));
            let maxy = a.1.max(b.1).min(c.1.max(d.1));
            minx <= maxx + 1e-9 && miny <= maxy + 1e-9
        }
}
