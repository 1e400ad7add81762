//! A local metric frame centred on a feature: GeographicLib's ellipsoidal azimuthal
//! equidistant projection (Karney 2013 §8), x = s₁₂ sin α₁, y = s₁₂ cos α₁, where s₁₂
//! and α₁ solve the geodesic inverse problem from the frame's origin to the point.
//!
//! Distances from the origin are exact; the scale across the radius is s₁₂/m₁₂ ≈
//! 1 + (d/R)²/6 at d metres from the origin, so areas are too large by about that much
//! (2e-10 at 200 m, 7e-8 at 4 km, 3e-6 at 25 km), so the planar area of a feature in its own frame sits beside its geodesic area
//! as a check and as the figure a planar CAD tool would give. Units: metres, m².

use super::geodesic::GeodesicWgs84;
use geo::{Area, BoundingRect, Coord, Geometry, MapCoords};

/// A local azimuthal equidistant frame with its origin at `origin` (lon, lat degrees).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    /// The frame's origin (lon, lat degrees): x = y = 0 there.
    pub origin: Coord<f64>,
}

impl LocalFrame {
    /// A frame centred on `origin` (lon, lat degrees).
    pub fn new(origin: Coord<f64>) -> Self {
        LocalFrame { origin }
    }

    /// A frame centred on the middle of `g`'s lon/lat bounding box, longitudes taken
    /// relative to the first vertex so that a feature across the antimeridian is centred
    /// on itself; `None` for an empty geometry or non-finite coordinates.
    pub fn centred_on(g: &Geometry<f64>) -> Option<Self> {
        use geo::CoordsIter;
        let r = g.bounding_rect()?;
        let first = g.coords_iter().next()?;
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for c in g.coords_iter() {
            let d = wrap_deg(c.x - first.x);
            lo = lo.min(d);
            hi = hi.max(d);
        }
        let c = Coord {
            x: wrap_deg(first.x + 0.5 * (lo + hi)),
            y: 0.5 * (r.min().y + r.max().y),
        };
        (c.x.is_finite() && c.y.is_finite()).then_some(LocalFrame { origin: c })
    }

    /// (lon, lat) degrees → (x east, y north) metres in the frame.
    pub fn forward(&self, c: Coord<f64>) -> Coord<f64> {
        let inv = GeodesicWgs84.inverse(self.origin, c);
        let a = inv.azi1_deg.to_radians();
        Coord {
            x: inv.s12_m * a.sin(),
            y: inv.s12_m * a.cos(),
        }
    }

    /// (x, y) metres in the frame → (lon, lat) degrees (geodesic direct problem).
    pub fn inverse(&self, p: Coord<f64>) -> Coord<f64> {
        let s = p.x.hypot(p.y);
        if s == 0.0 {
            return self.origin;
        }
        let azi = p.x.atan2(p.y).to_degrees();
        let mut c = GeodesicWgs84.direct(self.origin, azi, s);
        // Keep the longitude on the origin's side of the antimeridian.
        let d = c.x - self.origin.x;
        if d > 180.0 {
            c.x -= 360.0;
        } else if d < -180.0 {
            c.x += 360.0;
        }
        c
    }

    /// The geometry with every coordinate in frame metres.
    pub fn project(&self, g: &Geometry<f64>) -> Geometry<f64> {
        g.map_coords(|c| self.forward(c))
    }
}

/// Planar area in m² of `g` in its own [`LocalFrame`] (holes subtracted, any winding);
/// 0 for points, lines and empty geometries.
pub fn local_planar_area_m2(g: &Geometry<f64>) -> f64 {
    match LocalFrame::centred_on(g) {
        Some(frame) => frame.project(g).unsigned_area(),
        None => 0.0,
    }
}

/// The centroid of `g` (lon, lat degrees), computed in its own [`LocalFrame`] with geo's
/// planar `Centroid` and mapped back: area-weighted over polygons, length-weighted over
/// lines when there is no area, the mean of the points when there is neither (the
/// highest dimension present wins). `None` for an empty geometry or one with coordinates
/// the ellipsoid cannot place (non-finite, latitude beyond ±90°).
pub fn centroid(g: &Geometry<f64>) -> Option<Coord<f64>> {
    use geo::Centroid;
    use geo::CoordsIter;
    let frame = LocalFrame::centred_on(g)?;
    let projected = frame.project(g);
    // Latitudes beyond ±90 project to NaN; geo's centroid asserts closed rings, which a
    // NaN ring is not, so stop here.
    if !projected
        .coords_iter()
        .all(|c| c.x.is_finite() && c.y.is_finite())
    {
        return None;
    }
    let p = projected.centroid()?;
    let c = frame.inverse(p.0);
    (c.x.is_finite() && c.y.is_finite()).then_some(c)
}

/// WGS84 semi-major axis, metres.
const A: f64 = 6_378_137.0;
/// WGS84 flattening.
const F: f64 = 1.0 / 298.257_223_563;
/// First eccentricity squared.
const E2: f64 = F * (2.0 - F);

/// Longitude difference wrapped into [-180, 180).
pub(crate) fn wrap_deg(d: f64) -> f64 {
    if (-180.0..180.0).contains(&d) {
        d
    } else {
        (d + 180.0).rem_euclid(360.0) - 180.0
    }
}

/// The one cheap local metric frame of the crate: the Taylor expansion of the ellipsoidal
/// azimuthal equidistant projection ([`LocalFrame`]) about (λ₀, φ₀), in Riemann normal
/// coordinates (M, N: meridional and prime-vertical radii of curvature; Δ in radians):
///
/// ```text
/// x = Δλ · (N₀ cos φ₀ − M₀ sin φ₀ Δφ + ½ (N cos φ)″₀ Δφ²)
/// y = M₀ Δφ + ½ M′₀ Δφ² + ½ N₀ cos φ₀ sin φ₀ Δλ²
/// ```
///
/// - **First order** ([`TangentFrame::to_m`] / [`TangentFrame::to_deg`]): the affine part,
///   x = Δλ·N₀ cos φ₀, y = Δφ·M₀ (an equirectangular projection scaled by the radii of
///   curvature, [`TangentFrame::metres_per_degree`]). Affine in lon/lat, so containment and
///   straight lines in metres are the same in degrees; distances within ~10 km agree with the
///   geodesic to better than 0.1 % at the zone's latitude. Used by the spatial index, the
///   reach walking grid and the zone generator.
/// - **Second order** ([`TangentFrame::to_m2`]): geodesics straight to second order, area
///   scale 1 + O((d/R)²); used by the fast area ([`super::fast`]).
///
/// Longitudes are taken relative to λ₀ wrapped into [-180, 180) by `to_m2`; `to_m` is
/// purely affine (the zone is at 114° E, far from the antimeridian).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TangentFrame {
    /// Origin longitude, degrees.
    pub lon0: f64,
    /// Origin latitude, degrees.
    pub lat0: f64,
    lat0_rad: f64,
    /// N cos φ, its first derivative and half its second derivative at φ₀ (m per radian).
    f0: f64,
    f1: f64,
    f2_half: f64,
    /// M(φ₀) and half its derivative (m per radian).
    m0: f64,
    m1_half: f64,
    /// ½ N₀ cos φ₀ sin φ₀: the curvature of the parallels in the azimuthal frame.
    bend_half: f64,
    /// Metres per degree of longitude and of latitude at the origin.
    kx: f64,
    ky: f64,
}

impl TangentFrame {
    /// The frame with its origin at (lon0, lat0) degrees (latitude clamped to ±90°).
    pub fn new(lon0: f64, lat0: f64) -> Self {
        let phi = lat0.clamp(-90.0, 90.0).to_radians();
        let (s, c) = phi.sin_cos();
        let w2 = 1.0 - E2 * s * s;
        let w = w2.sqrt();
        let n = A / w;
        let m = A * (1.0 - E2) / (w2 * w);
        // dM/dφ = 3 e² sin φ cos φ M / W².
        let dm = 3.0 * E2 * s * c * m / w2;
        let deg = std::f64::consts::PI / 180.0;
        TangentFrame {
            lon0,
            lat0,
            lat0_rad: phi,
            f0: n * c,
            // d(N cos φ)/dφ = −M sin φ; second derivative = −(M' sin φ + M cos φ).
            f1: -m * s,
            f2_half: -0.5 * (dm * s + m * c),
            m0: m,
            m1_half: 0.5 * dm,
            bend_half: 0.5 * n * c * s,
            kx: (n * c * deg).max(0.0),
            ky: m * deg,
        }
    }

    /// Metres per degree of (longitude, latitude) at the origin.
    pub fn metres_per_degree(&self) -> (f64, f64) {
        (self.kx, self.ky)
    }

    /// (lon, lat) degrees → (x east, y north) metres, first order (affine).
    #[inline]
    pub fn to_m(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.lon0) * self.kx,
            y: (c.y - self.lat0) * self.ky,
        }
    }

    /// (x, y) metres → (lon, lat) degrees: the exact inverse of [`TangentFrame::to_m`].
    #[inline]
    pub fn to_deg(&self, p: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.lon0 + p.x / self.kx,
            y: self.lat0 + p.y / self.ky,
        }
    }

    /// [`TangentFrame::to_m`] on a (lon, lat) pair: (x, y) metres.
    #[inline]
    pub fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        let p = self.to_m(Coord { x: lon, y: lat });
        (p.x, p.y)
    }

    /// [`TangentFrame::to_deg`] on an (x, y) pair: (lon, lat) degrees.
    #[inline]
    pub fn lonlat(&self, x: f64, y: f64) -> (f64, f64) {
        let c = self.to_deg(Coord { x, y });
        (c.x, c.y)
    }

    /// (lon, lat) degrees → (x, y) metres, second order (see the type's documentation).
    #[inline]
    pub fn to_m2(&self, c: Coord<f64>) -> Coord<f64> {
        let dphi = c.y.to_radians() - self.lat0_rad;
        let dlam = wrap_deg(c.x - self.lon0).to_radians();
        Coord {
            x: dlam * (self.f0 + dphi * (self.f1 + dphi * self.f2_half)),
            y: dphi * (self.m0 + dphi * self.m1_half) + dlam * dlam * self.bend_half,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tangent_frame_radii_and_round_trip() {
        // At the equator: N = a, M = a(1 − e²); per degree a·π/180 = 111 319.490 8 m and
        // a(1 − e²)·π/180 = 110 574.275 8 m (worked out by hand from a and f).
        let (kx, ky) = TangentFrame::new(0.0, 0.0).metres_per_degree();
        assert!((kx - 111_319.490_8).abs() < 1e-3, "{kx}");
        assert!((ky - 110_574.275_8).abs() < 1e-3, "{ky}");
        let f = TangentFrame::new(114.06, 22.52);
        let c = Coord {
            x: 114.071_234_5,
            y: 22.509_876_5,
        };
        let back = f.to_deg(f.to_m(c));
        assert!((back.x - c.x).abs() < 1e-12 && (back.y - c.y).abs() < 1e-12);
        // The second order agrees with the exact azimuthal frame far better than the first.
        let exact = LocalFrame::new(Coord {
            x: 114.06,
            y: 22.52,
        })
        .forward(c);
        let (p1, p2) = (f.to_m(c), f.to_m2(c));
        let e1 = (p1.x - exact.x).hypot(p1.y - exact.y);
        let e2 = (p2.x - exact.x).hypot(p2.y - exact.y);
        assert!(e2 < 1e-3 && e2 < e1 / 10.0, "{e1} {e2}");
    }
}
