//! The WGS84 ellipsoid through GeographicLib's algorithms (`geographiclib-rs`): geodesic
//! distances and azimuths (the inverse problem), ring perimeters and areas (the planimeter).
//!
//! Units: metres, square metres, degrees. Coordinates go in as `geo` coordinates
//! (x = longitude, y = latitude, degrees).

use super::{DistanceM, RingMetric};
use geo::Coord;
use geographiclib_rs::{Geodesic, InverseGeodesic, PolygonArea, Winding};
use std::sync::LazyLock;

/// The WGS84 ellipsoid (a = 6 378 137 m, 1/f = 298.257 223 563), shared by every caller.
pub static WGS84: LazyLock<Geodesic> = LazyLock::new(Geodesic::wgs84);

/// The metric space "geodesics on the WGS84 ellipsoid". Edges between vertices are
/// geodesics (shortest paths on the ellipsoid); areas and lengths are GeographicLib's,
/// accurate to a few nanometres and a fraction of a square millimetre per vertex.
#[derive(Debug, Clone, Copy, Default)]
pub struct GeodesicWgs84;

/// Solution of the geodesic inverse problem between two points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inverse {
    /// Distance along the geodesic, metres.
    pub s12_m: f64,
    /// Azimuth of the geodesic at point 1, degrees clockwise from north, in [-180, 180].
    pub azi1_deg: f64,
    /// Forward azimuth at point 2, degrees clockwise from north, in [-180, 180].
    pub azi2_deg: f64,
    /// Arc length on the auxiliary sphere, degrees.
    pub a12_deg: f64,
}

impl GeodesicWgs84 {
    /// The inverse problem: distance and both azimuths from (lon1, lat1) to (lon2, lat2)
    /// (degrees). Non-finite input gives NaN fields, never a panic.
    pub fn inverse(&self, a: Coord<f64>, b: Coord<f64>) -> Inverse {
        if !(a.x.is_finite() && a.y.is_finite() && b.x.is_finite() && b.y.is_finite()) {
            return Inverse {
                s12_m: f64::NAN,
                azi1_deg: f64::NAN,
                azi2_deg: f64::NAN,
                a12_deg: f64::NAN,
            };
        }
        let (s12, azi1, azi2, a12): (f64, f64, f64, f64) = WGS84.inverse(a.y, a.x, b.y, b.x);
        Inverse {
            s12_m: s12,
            azi1_deg: azi1,
            azi2_deg: azi2,
            a12_deg: a12,
        }
    }

    /// The direct problem: the point reached from `a` (lon, lat degrees) after `s12_m` metres
    /// along azimuth `azi1_deg`. Returns (lon, lat) degrees.
    pub fn direct(&self, a: Coord<f64>, azi1_deg: f64, s12_m: f64) -> Coord<f64> {
        use geographiclib_rs::DirectGeodesic;
        let (lat, lon): (f64, f64) = WGS84.direct(a.y, a.x, azi1_deg, s12_m);
        Coord { x: lon, y: lat }
    }
}

/// Perimeter (m) and signed area (m², counter-clockwise positive) of a polygon given as
/// `[lat, lon]` degree pairs in GeographicLib's own convention (`Polygon.Compute(reverse=false,
/// sign=true)`); with `polyline` the area is NaN and the perimeter is the open length.
/// The closing vertex may be repeated or not; a ring is closed implicitly.
pub fn planimeter(points_latlon: &[[f64; 2]], polyline: bool) -> (f64, f64) {
    if polyline {
        let mut len = 0.0;
        for w in points_latlon.windows(2) {
            let s: f64 = WGS84.inverse(w[0][0], w[0][1], w[1][0], w[1][1]);
            len += s;
        }
        return (len, f64::NAN);
    }
    if points_latlon.is_empty() {
        return (0.0, 0.0);
    }
    let mut pa = PolygonArea::new(&WGS84, Winding::CounterClockwise);
    for p in points_latlon {
        pa.add_point(p[0], p[1]);
    }
    let (perimeter, area, _) = pa.compute(true);
    (perimeter, area)
}

impl RingMetric for GeodesicWgs84 {
    /// GeographicLib's planimeter on the ring: geodesic edges, signed area with
    /// counter-clockwise positive, for rings enclosing less than half the ellipsoid.
    fn ring(&self, ring: &[Coord<f64>]) -> (f64, f64) {
        let ring = open_ring(ring);
        if ring.len() < 2 || !ring.iter().all(|c| c.x.is_finite() && c.y.is_finite()) {
            return (0.0, 0.0);
        }
        let mut pa = PolygonArea::new(&WGS84, Winding::CounterClockwise);
        for c in ring {
            pa.add_point(c.y, c.x);
        }
        let (perimeter, area, _) = pa.compute(true);
        if ring.len() < 3 {
            (perimeter, 0.0)
        } else {
            (perimeter, area)
        }
    }
}

impl DistanceM for GeodesicWgs84 {
    /// Geodesic distance in metres (GeographicLib inverse problem); NaN for non-finite input.
    fn distance_m(&self, a: Coord<f64>, b: Coord<f64>) -> f64 {
        self.inverse(a, b).s12_m
    }
}

/// The ring without its closing vertex (when the last vertex repeats the first).
pub(crate) fn open_ring(ring: &[Coord<f64>]) -> &[Coord<f64>] {
    match (ring.first(), ring.last()) {
        (Some(f), Some(l)) if ring.len() > 1 && f == l => &ring[..ring.len() - 1],
        _ => ring,
    }
}
