//! Level of detail for big layers. A layer of [`DETAIL_MIN_FEATURES`] or more filled
//! polygons with outlines is drawn in two parts:
//! - the **base**: every fill, no outlines (the outlines of a city's buildings at a zoom that
//!   shows them all are a few pixels each and are most of the mesh: four or more vertices per
//!   edge against one per corner for the fill);
//! - the **detail**: the outlines of the features in and around the view only, built when the
//!   view holds at most [`DETAIL_MAX_FEATURES`] of them (zoomed in, where outlines are worth
//!   their pixels) and rebuilt when the view leaves the area they cover.
//!
//! [`split_outlines`] says whether a layer is drawn so and gives the two styles; the app's
//! caches keep the base per data and style and the detail per covered area.

use super::style::Style;

/// Layers with at least this many features draw their outlines as a detail (see above).
pub const DETAIL_MIN_FEATURES: usize = 50_000;

/// The detail is built when the covered area holds at most this many features.
pub const DETAIL_MAX_FEATURES: usize = 20_000;

/// The base and detail styles of a layer of `features` features drawn with `style`, when it
/// is drawn in two parts: the base without outlines, the detail without fills or labels.
/// `None` for a small layer, or one without both fills and outlines.
pub fn split_outlines(style: &Style, features: usize) -> Option<(Style, Style)> {
    let fills = style.fill.is_some() || style.color_by.is_some();
    if features < DETAIL_MIN_FEATURES || !fills || style.stroke.is_none() || style.width <= 0.0 {
        return None;
    }
    let mut base = style.clone();
    base.stroke = None;
    let mut detail = style.clone();
    // an invisible fill is not tessellated
    detail.fill_opacity = 0.0;
    detail.label = None;
    Some((base, detail))
}

/// The renderer's name of a layer's detail part (not a name a layer can have: it starts with
/// a control character).
pub fn detail_name(layer: &str) -> String {
    format!("\u{1f}outlines\u{1f}{layer}")
}

/// A lon/lat box `[w, s, e, n]` grown by `f` of its width and height on every side.
pub fn pad_box(b: [f64; 4], f: f64) -> [f64; 4] {
    let (dx, dy) = ((b[2] - b[0]) * f, (b[3] - b[1]) * f);
    [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy]
}

/// Whether box `outer` contains box `inner`.
pub fn box_contains(outer: [f64; 4], inner: [f64; 4]) -> bool {
    outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]
}

/// About how many of a layer's `features`, spread over its extent `extent`, lie in `view`
/// (by area: a cheap test before asking the index).
pub fn estimate_in_view(features: usize, extent: [f64; 4], view: [f64; 4]) -> f64 {
    let area = |b: [f64; 4]| (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0);
    let total = area(extent);
    if total <= 0.0 {
        return features as f64;
    }
    let meet = [
        extent[0].max(view[0]),
        extent[1].max(view[1]),
        extent[2].min(view[2]),
        extent[3].min(view[3]),
    ];
    features as f64 * area(meet) / total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::style::Rgba;

    #[test]
    fn only_big_filled_and_outlined_layers_are_split() {
        let mut s = Style::default_for("t");
        s.fill = Some(Rgba([10, 200, 10, 255]));
        s.stroke = Some(Rgba([0, 0, 0, 255]));
        s.width = 1.0;
        assert!(split_outlines(&s, DETAIL_MIN_FEATURES - 1).is_none());
        let (base, detail) = split_outlines(&s, DETAIL_MIN_FEATURES).expect("split");
        assert!(base.stroke.is_none() && base.fill == s.fill);
        assert_eq!(detail.fill_opacity, 0.0);
        assert_eq!(detail.stroke, s.stroke);
        let mut lines = s.clone();
        lines.fill = None;
        assert!(split_outlines(&lines, 10 * DETAIL_MIN_FEATURES).is_none());
    }

    #[test]
    fn boxes_and_estimates() {
        let b = pad_box([0.0, 0.0, 2.0, 1.0], 0.5);
        assert_eq!(b, [-1.0, -0.5, 3.0, 1.5]);
        assert!(box_contains(b, [0.0, 0.0, 2.0, 1.0]));
        assert!(!box_contains([0.0, 0.0, 2.0, 1.0], b));
        let e = estimate_in_view(1000, [0.0, 0.0, 10.0, 10.0], [5.0, 5.0, 20.0, 20.0]);
        assert!((e - 250.0).abs() < 1e-9);
        assert_eq!(
            estimate_in_view(1000, [0.0, 0.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]),
            0.0
        );
    }
}
