//! Label placement on the page: greedy and collision-free. Candidates come top layer first;
//! each tries its positions in order (a point label right, left, above, then below its
//! marker; an area label centred; a line label centred on each of its points along the line)
//! and takes the first whose box stays inside the map frame and clear of every box already
//! taken — the furniture's (legend, scale bar, …), every point's marker, and the labels placed
//! before it. A text
//! already placed nearby (an MTR station and the same place's point) is not repeated.

use super::display::{Align, Item, Rect, overlaps, text_box};
use super::vector::{Anchor, LabelCandidate};

/// Space kept around each label's text, pt.
pub const LABEL_PAD: f32 = 1.5;

/// Labels closer than this to a placed label of the same text are dropped, pt.
const SAME_TEXT_RADIUS: f32 = 60.0;

/// A placed label.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The text.
    pub text: String,
    /// The text's box (padding included), pt.
    pub bbox: Rect,
    /// What to draw.
    pub item: Item,
}

/// Place `candidates` inside `frame`, clear of `reserved` boxes and of each other.
pub fn place(candidates: &[LabelCandidate], frame: Rect, reserved: &[Rect]) -> Vec<Placed> {
    let mut taken: Vec<Rect> = reserved.to_vec();
    // no label over another point's marker (a label keeps a gap from its own)
    taken.extend(candidates.iter().filter_map(|c| match c.anchor {
        Anchor::Point(p, r) => {
            let r = r + 1.5;
            Some([p[0] - r, p[1] - r, p[0] + r, p[1] + r])
        }
        _ => None,
    }));
    let mut placed: Vec<Placed> = Vec::new();
    for c in candidates {
        let (w, asc, desc) = crate::render::text::measure(&c.text, c.size);
        if w <= 0.0 {
            continue;
        }
        // (baseline position, alignment) in order of preference
        let tries: Vec<([f32; 2], Align)> = match &c.anchor {
            Anchor::Point(p, r) => {
                // clear of its own marker box (r + 1.5) with the label padding
                let gap = r + 3.5;
                let mid = p[1] + (asc - desc) / 2.0;
                vec![
                    ([p[0] + gap, mid], Align::Start),
                    ([p[0] - gap, mid], Align::End),
                    ([p[0], p[1] - gap - desc], Align::Middle),
                    ([p[0], p[1] + gap + asc], Align::Middle),
                ]
            }
            Anchor::Area(p) => vec![([p[0], p[1] + (asc - desc) / 2.0], Align::Middle)],
            Anchor::Line(pts) => pts
                .iter()
                .flat_map(|p| {
                    [
                        ([p[0], p[1] - 3.0 - desc], Align::Middle),
                        ([p[0], p[1] + 3.0 + asc], Align::Middle),
                    ]
                })
                .collect(),
        };
        let centre = |b: Rect| [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0];
        for (pos, align) in tries {
            let t = text_box(pos, &c.text, c.size, align);
            let b = [
                t[0] - LABEL_PAD,
                t[1] - LABEL_PAD,
                t[2] + LABEL_PAD,
                t[3] + LABEL_PAD,
            ];
            if b[0] < frame[0] || b[1] < frame[1] || b[2] > frame[2] || b[3] > frame[3] {
                continue;
            }
            if taken.iter().any(|o| overlaps(*o, b)) {
                continue;
            }
            let cb = centre(b);
            if placed.iter().any(|p| {
                let pc = centre(p.bbox);
                p.text == c.text && (pc[0] - cb[0]).hypot(pc[1] - cb[1]) < SAME_TEXT_RADIUS
            }) {
                break;
            }
            taken.push(b);
            placed.push(Placed {
                text: c.text.clone(),
                bbox: b,
                item: Item::Text {
                    pos,
                    text: c.text.clone(),
                    size: c.size,
                    color: c.color,
                    halo: Some(c.halo),
                    align,
                    bold: false,
                },
            });
            break;
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::style::Rgba;

    fn cand(text: &str, anchor: Anchor) -> LabelCandidate {
        LabelCandidate {
            text: text.into(),
            size: 10.0,
            color: Rgba::BLACK,
            halo: Rgba::WHITE,
            anchor,
        }
    }

    #[test]
    fn crowded_points_never_overlap_and_keep_clear_of_reserved_boxes() {
        let frame = [0.0, 0.0, 400.0, 300.0];
        let reserved = [[300.0, 0.0, 400.0, 120.0]];
        let mut cands = Vec::new();
        let mut s = 7u64;
        for i in 0..300 {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            let x = (s >> 40) as f32 % 400.0;
            let y = (s >> 20) as f32 % 300.0;
            cands.push(cand(&format!("Place {i} 河套"), Anchor::Point([x, y], 3.0)));
        }
        let placed = place(&cands, frame, &reserved);
        assert!(placed.len() > 10, "{}", placed.len());
        assert!(placed.len() < 300);
        for (i, a) in placed.iter().enumerate() {
            assert!(
                !overlaps(a.bbox, reserved[0]),
                "{} on the reserved box",
                a.text
            );
            assert!(a.bbox[0] >= 0.0 && a.bbox[2] <= 400.0 && a.bbox[3] <= 300.0);
            for b in &placed[i + 1..] {
                assert!(!overlaps(a.bbox, b.bbox), "{} overlaps {}", a.text, b.text);
            }
        }
    }

    #[test]
    fn a_point_label_moves_left_when_the_right_is_taken_and_names_are_not_repeated() {
        let frame = [0.0, 0.0, 400.0, 300.0];
        let reserved = [[205.0, 140.0, 400.0, 160.0]];
        let placed = place(
            &[
                cand("Futian", Anchor::Point([200.0, 150.0], 3.0)),
                cand("Futian", Anchor::Point([210.0, 180.0], 3.0)),
            ],
            frame,
            &reserved,
        );
        assert_eq!(placed.len(), 1);
        assert!(placed[0].bbox[2] <= 200.0, "{:?}", placed[0].bbox);
    }
}
