//! The label placement's screen-box grid ([`BoxGrid`]): which boxes already placed a new
//! label's box overlaps, looking at its neighbours only.

/// Screen boxes `[x0, y0, x1, y1]` bucketed in a grid of [`BoxGrid::CELL`] px cells, so that
/// testing a label against those already placed looks at its neighbours only (not every box:
/// the greedy placement stays linear in the number of labels).
pub(crate) struct BoxGrid {
    cols: usize,
    rows: usize,
    cells: Vec<Vec<[f32; 4]>>,
}

impl BoxGrid {
    const CELL: f32 = 64.0;

    pub(crate) fn new(w: f32, h: f32) -> Self {
        let cols = ((w / Self::CELL).ceil() as usize).max(1);
        let rows = ((h / Self::CELL).ceil() as usize).max(1);
        Self {
            cols,
            rows,
            cells: vec![Vec::new(); cols * rows],
        }
    }

    /// The cells a box touches (clamped to the grid).
    fn span(&self, b: [f32; 4]) -> impl Iterator<Item = usize> + use<> {
        let cell = |v: f32, n: usize| ((v / Self::CELL).floor().max(0.0) as usize).min(n - 1);
        let (c0, c1) = (cell(b[0], self.cols), cell(b[2], self.cols));
        let (r0, r1) = (cell(b[1], self.rows), cell(b[3], self.rows));
        let cols = self.cols;
        (r0..=r1).flat_map(move |r| (c0..=c1).map(move |c| r * cols + c))
    }

    pub(crate) fn overlaps(&self, b: [f32; 4]) -> bool {
        self.span(b).any(|i| {
            self.cells[i]
                .iter()
                .any(|o| b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3])
        })
    }

    pub(crate) fn insert(&mut self, b: [f32; 4]) {
        for i in self.span(b).collect::<Vec<_>>() {
            self.cells[i].push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BoxGrid;

    #[test]
    fn overlap_matches_a_scan_of_every_box() {
        let mut g = BoxGrid::new(800.0, 600.0);
        let mut all: Vec<[f32; 4]> = Vec::new();
        let mut s = 12345u64;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as f32 / (1u64 << 31) as f32
        };
        for _ in 0..2000 {
            let (x, y) = (next() * 820.0 - 10.0, next() * 620.0 - 10.0);
            let b = [x, y, x + 10.0 + next() * 150.0, y + 8.0 + next() * 20.0];
            let scan = all
                .iter()
                .any(|o| b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]);
            assert_eq!(g.overlaps(b), scan, "box {b:?}");
            if !scan {
                g.insert(b);
                all.push(b);
            }
        }
        assert!(all.len() > 50);
    }
}
