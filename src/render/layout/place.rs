//! Where a box goes inside the map frame when it must sit on the map (the legend with
//! `--legend corner`): the corner whose box holds the least ink of the drawn features —
//! small shapes (buildings, markers) by their area, lines and outlines by length × width, so
//! that a district drawn under everything does not make every corner look full.

use super::display::{Item, Rect};

/// The four corners, in the order ties are broken: bottom-right, bottom-left, top-right,
/// top-left.
pub const CORNERS: [(bool, bool); 4] = [(true, true), (false, true), (true, false), (false, false)];

/// The box of size `w × h` inset by `inset` in corner (right, bottom) of `frame`.
pub fn corner_box(frame: Rect, w: f32, h: f32, inset: f32, right: bool, bottom: bool) -> Rect {
    let x0 = if right {
        frame[2] - inset - w
    } else {
        frame[0] + inset
    };
    let y0 = if bottom {
        frame[3] - inset - h
    } else {
        frame[1] + inset
    };
    [x0, y0, x0 + w, y0 + h]
}

/// Below this box area (pt²) a filled shape counts as ink all over (a building); above it
/// only its outline does (a district or park drawn as the background of others).
const SMALL_AREA: f32 = 2500.0;

/// How much ink of the items lies in box `b`, pt²: the box of each small filled shape or
/// marker inside it, and the length × width of every line and outline inside it (sampled
/// every 2 pt), so that a big background polygon counts by its edge, not its area.
pub fn coverage(items: &[Item], b: Rect) -> f32 {
    let inside = |p: [f32; 2]| p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];
    let clipped = |i: Rect| {
        let w = (i[2].min(b[2]) - i[0].max(b[0])).max(0.0);
        let h = (i[3].min(b[3]) - i[1].max(b[1])).max(0.0);
        w * h
    };
    let mut ink = 0.0;
    for it in items {
        let Some(bb) = it.bbox() else { continue };
        if bb[2] < b[0] || bb[0] > b[2] || bb[3] < b[1] || bb[1] > b[3] {
            continue;
        }
        let area = (bb[2] - bb[0]) * (bb[3] - bb[1]);
        match it {
            Item::Path {
                parts,
                closed,
                fill,
                stroke,
            } => {
                if fill.is_some() && *closed && area < SMALL_AREA {
                    ink += clipped(bb);
                    continue;
                }
                let w = stroke.map_or(1.0, |(_, w)| w.max(1.0));
                for p in parts {
                    let n = p.len();
                    let segs = if *closed { n } else { n.saturating_sub(1) };
                    for k in 0..segs {
                        let (a, c) = (p[k], p[(k + 1) % n]);
                        let len = (c[0] - a[0]).hypot(c[1] - a[1]);
                        let steps = (len / 2.0).ceil().max(1.0) as usize;
                        for t in 0..steps {
                            let f = t as f32 / steps as f32;
                            if inside([a[0] + (c[0] - a[0]) * f, a[1] + (c[1] - a[1]) * f]) {
                                ink += len / steps as f32 * w;
                            }
                        }
                    }
                }
            }
            Item::Circle { .. } | Item::Text { .. } => ink += clipped(bb),
        }
    }
    ink
}

/// The emptiest corner for a `w × h` box among `allowed` corners: (right, bottom) and its box.
pub fn emptiest_corner(
    items: &[Item],
    frame: Rect,
    w: f32,
    h: f32,
    inset: f32,
    allowed: &[(bool, bool)],
) -> Option<((bool, bool), Rect)> {
    allowed
        .iter()
        .map(|&(r, b)| ((r, b), corner_box(frame, w, h, inset, r, b)))
        .min_by(|a, b| coverage(items, a.1).total_cmp(&coverage(items, b.1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::style::Rgba;

    #[test]
    fn the_corner_without_features_wins() {
        let frame = [0.0, 0.0, 400.0, 300.0];
        // a big background polygon under everything (counts by its edge only), small
        // buildings everywhere but the top-left quarter, and a line across the bottom
        let mut items = vec![Item::rect(
            [-10.0, -10.0, 410.0, 310.0],
            Some(Rgba::BLACK),
            Some((Rgba::BLACK, 1.0)),
        )];
        for gx in 0..20 {
            for gy in 0..15 {
                let (x, y) = (gx as f32 * 20.0 + 5.0, gy as f32 * 20.0 + 5.0);
                if x < 200.0 && y < 150.0 {
                    continue;
                }
                items.push(Item::rect(
                    [x, y, x + 10.0, y + 10.0],
                    Some(Rgba::BLACK),
                    None,
                ));
            }
        }
        items.push(Item::line(
            vec![[0.0, 290.0], [400.0, 290.0]],
            Rgba::BLACK,
            2.0,
        ));
        let (corner, b) = emptiest_corner(&items, frame, 100.0, 80.0, 5.0, &CORNERS).expect("one");
        assert_eq!(corner, (false, false));
        assert_eq!(coverage(&items, b), 0.0);
        // a building in a corner box counts with its area, a line with length × width
        let one = [Item::rect(
            [10.0, 10.0, 20.0, 20.0],
            Some(Rgba::BLACK),
            None,
        )];
        assert_eq!(coverage(&one, [0.0, 0.0, 50.0, 50.0]), 100.0);
        let line = [Item::line(
            vec![[0.0, 10.0], [40.0, 10.0]],
            Rgba::BLACK,
            2.0,
        )];
        let c = coverage(&line, [0.0, 0.0, 50.0, 50.0]);
        assert!((c - 80.0).abs() < 1e-3, "{c}");
    }
}
