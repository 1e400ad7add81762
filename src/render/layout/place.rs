//! Where a box goes inside the map frame when it must sit on the map (the legend with
//! `--legend corner`): the corner whose box the drawn features cover least, measured as the
//! summed area of the features' boxes inside it.

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

/// How much of box `b` the items cover: the sum of the areas of their boxes inside it.
pub fn coverage(items: &[Item], b: Rect) -> f32 {
    items
        .iter()
        .filter_map(Item::bbox)
        .map(|i| {
            let w = (i[2].min(b[2]) - i[0].max(b[0])).max(0.0);
            let h = (i[3].min(b[3]) - i[1].max(b[1])).max(0.0);
            w * h
        })
        .sum()
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
        // features everywhere but the top-left quarter
        let items = vec![
            Item::rect([200.0, 0.0, 400.0, 300.0], Some(Rgba::BLACK), None),
            Item::rect([0.0, 150.0, 200.0, 300.0], Some(Rgba::BLACK), None),
        ];
        let (corner, b) = emptiest_corner(&items, frame, 100.0, 80.0, 5.0, &CORNERS).expect("one");
        assert_eq!(corner, (false, false));
        assert_eq!(coverage(&items, b), 0.0);
    }
}
