//! From a travel-time surface to isochrone polygons: marching squares (the `contour` crate,
//! linear interpolation), rings under `min_ring_m2` dropped, edges simplified
//! (Douglas–Peucker, `simplify_m`), then back to WGS84 lon/lat.

use super::ReachError;
use crate::core::measure::TangentFrame;
use geo::{Area, Coord, LineString, MultiPolygon, Polygon, Simplify};

/// A travel-time surface on a regular grid in local metres.
#[derive(Debug, Clone)]
pub struct Surface {
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// Centre of sample (0, 0), metres.
    pub x0: f64,
    /// Centre of sample (0, 0), metres.
    pub y0: f64,
    /// Sample spacing, metres.
    pub cell: f64,
    /// Minutes per sample, row-major from (x0, y0); `f64::INFINITY` where unreached.
    pub minutes: Vec<f64>,
}

/// Polygons of `minutes <= threshold` in lon/lat.
pub fn contour_surface(
    s: &Surface,
    threshold: f64,
    proj: &TangentFrame,
    min_ring_m2: f64,
    simplify_m: f64,
) -> Result<MultiPolygon<f64>, ReachError> {
    if s.nx < 2 || s.ny < 2 {
        return Ok(MultiPolygon(Vec::new()));
    }
    // The contour crate outlines values >= threshold; use the negated time.
    let values: Vec<f64> = s
        .minutes
        .iter()
        .map(|&m| if m.is_finite() { -m } else { -1e9 })
        .collect();
    let b = contour::ContourBuilder::new(s.nx, s.ny, true)
        .x_origin(s.x0 - 0.5 * s.cell)
        .y_origin(s.y0 - 0.5 * s.cell)
        .x_step(s.cell)
        .y_step(s.cell);
    let cs = b
        .contours(&values, &[-threshold])
        .map_err(|e| ReachError::Contour(format!("{e:?}")))?;
    let mut out = Vec::new();
    for c in cs {
        for poly in c.geometry().0.iter() {
            let poly: Polygon<f64> = poly.simplify(simplify_m);
            if poly.exterior().0.len() < 4 || poly.unsigned_area() < min_ring_m2 {
                continue;
            }
            let holes: Vec<LineString<f64>> = poly
                .interiors()
                .iter()
                .filter(|h| {
                    h.0.len() >= 4
                        && Polygon::new((*h).clone(), vec![]).unsigned_area() >= min_ring_m2
                })
                .map(|h| to_lonlat(h, proj))
                .collect();
            out.push(Polygon::new(to_lonlat(poly.exterior(), proj), holes));
        }
    }
    Ok(MultiPolygon(out))
}

fn to_lonlat(r: &LineString<f64>, proj: &TangentFrame) -> LineString<f64> {
    LineString(
        r.0.iter()
            .map(|c| {
                let (x, y) = proj.lonlat(c.x, c.y);
                Coord { x, y }
            })
            .collect(),
    )
}
