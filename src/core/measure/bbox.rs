//! Bounding boxes of lon/lat geometries as `[W, S, E, N]` degrees: one fold for every layer
//! extent the crate computes (`hetao info`, the renderer's scene and mesh extents, the app's
//! zoom-to-layer). No antimeridian handling: W ≤ E always.

use geo::{BoundingRect, Geometry};

/// `[W, S, E, N]` of `g`; `None` for an empty geometry.
pub fn bbox_of(g: &Geometry<f64>) -> Option<[f64; 4]> {
    let r = g.bounding_rect()?;
    Some([r.min().x, r.min().y, r.max().x, r.max().y])
}

/// The smallest box holding both `a` (if any) and `b`.
pub fn bbox_union(a: Option<[f64; 4]>, b: [f64; 4]) -> [f64; 4] {
    match a {
        None => b,
        Some(a) => [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ],
    }
}

/// `[W, S, E, N]` of every geometry together; `None` when there is none with coordinates.
pub fn bbox_of_all<'a>(
    geometries: impl IntoIterator<Item = &'a Geometry<f64>>,
) -> Option<[f64; 4]> {
    geometries
        .into_iter()
        .filter_map(bbox_of)
        .fold(None, |acc, b| Some(bbox_union(acc, b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Point, line_string};

    #[test]
    fn boxes_fold_over_geometries() {
        let a: Geometry<f64> = Point::new(1.0, -2.0).into();
        let b: Geometry<f64> = line_string![(x: -3.0, y: 4.0), (x: 0.0, y: 5.0)].into();
        assert_eq!(bbox_of(&a), Some([1.0, -2.0, 1.0, -2.0]));
        assert_eq!(bbox_of_all([&a, &b]), Some([-3.0, -2.0, 1.0, 5.0]));
        assert_eq!(bbox_of_all(std::iter::empty()), None);
    }
}
