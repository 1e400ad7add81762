//! A sphere of a given radius: the spherical-excess ring area that turf (`@turf/area`) and
//! mapbox `geojson-area` use (Chamberlain & Duquette), and haversine distances as turf's
//! `distance` computes them.
//!
//! Units: metres and square metres for the radius given in metres; coordinates in degrees.
//! The ring formula is the one both libraries publish; results agree with theirs to rounding.
//! It is not a geodesic-edge area on the ellipsoid: use [`super::GeodesicWgs84`] for that.

use super::{DistanceM, RingMetric};
use geo::Coord;

/// turf's `PI_OVER_180`, multiplied (not divided) as turf does, for identical rounding.
const PI_OVER_180: f64 = std::f64::consts::PI / 180.0;

/// A sphere of radius `radius_m` metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sphere {
    /// Radius in metres.
    pub radius_m: f64,
}

/// turf's `earthRadius` (the mean radius of the WGS84 ellipsoid), metres.
pub const TURF_RADIUS_M: f64 = 6_371_008.8;
/// mapbox `geojson-area`'s `wgs84.RADIUS` (the WGS84 semi-major axis), metres.
pub const WGS84_SEMI_MAJOR_M: f64 = 6_378_137.0;

impl Sphere {
    /// The sphere turf measures on (R = 6 371 008.8 m).
    pub const TURF: Sphere = Sphere {
        radius_m: TURF_RADIUS_M,
    };
    /// The sphere mapbox geojson-area measures on (R = 6 378 137 m).
    pub const GEOJSON_AREA: Sphere = Sphere {
        radius_m: WGS84_SEMI_MAJOR_M,
    };

    /// A sphere of radius `radius_m` metres.
    pub fn new(radius_m: f64) -> Self {
        Sphere { radius_m }
    }

    /// The central angle between two points in radians, by turf's haversine:
    /// `2 atan2(√a, √(1−a))` with `a = sin²(Δφ/2) + sin²(Δλ/2) cos φ1 cos φ2`.
    pub fn central_angle_rad(a: Coord<f64>, b: Coord<f64>) -> f64 {
        let dlat = (b.y - a.y).to_radians();
        let dlon = (b.x - a.x).to_radians();
        let lat1 = a.y.to_radians();
        let lat2 = b.y.to_radians();
        let h = (dlat / 2.0).sin().powi(2) + (dlon / 2.0).sin().powi(2) * lat1.cos() * lat2.cos();
        2.0 * h.sqrt().atan2((1.0 - h).sqrt())
    }

    /// Signed ring area in m² by the spherical-excess formula, turf's loop verbatim:
    /// `Σ (λ[i+2] − λ[i]) sin φ[i+1] · R²/2` over the ring without its closing vertex.
    /// turf's sum is positive for clockwise rings; this returns its negation, so that
    /// counter-clockwise rings are positive like every [`RingMetric`].
    pub fn ring_area_m2(&self, ring: &[Coord<f64>]) -> f64 {
        // turf: coordsLength = coords.length - 1 (the closing vertex is not visited).
        let n = ring.len().saturating_sub(1);
        if n <= 2 {
            return 0.0;
        }
        let mut total = 0.0;
        for i in 0..n {
            let lower = ring[i];
            let middle = ring[if i + 1 == n { 0 } else { i + 1 }];
            let upper = ring[if i + 2 >= n { (i + 2) % n } else { i + 2 }];
            let lower_x = lower.x * PI_OVER_180;
            let middle_y = middle.y * PI_OVER_180;
            let upper_x = upper.x * PI_OVER_180;
            total += (upper_x - lower_x) * middle_y.sin();
        }
        // turf's sum is positive for clockwise rings.
        -total * (self.radius_m * self.radius_m / 2.0)
    }
}

impl RingMetric for Sphere {
    /// Haversine perimeter (m) and spherical-excess signed area (m², CCW positive). The ring
    /// is expected closed (last vertex = first) as GeoJSON requires; an open ring is closed.
    fn ring(&self, ring: &[Coord<f64>]) -> (f64, f64) {
        let closed;
        let ring = if ring.len() > 1 && ring.first() != ring.last() {
            let mut v = ring.to_vec();
            v.push(ring[0]);
            closed = v;
            &closed[..]
        } else {
            ring
        };
        let perimeter: f64 = ring.windows(2).map(|w| self.distance_m(w[0], w[1])).sum();
        (perimeter, self.ring_area_m2(ring))
    }
}

impl DistanceM for Sphere {
    /// Haversine distance in metres on this sphere (turf's `distance` × R).
    fn distance_m(&self, a: Coord<f64>, b: Coord<f64>) -> f64 {
        Self::central_angle_rad(a, b) * self.radius_m
    }
}
