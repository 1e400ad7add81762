//! Measurement (interface; the full module replaces this file).
//!
//! All functions take WGS84 lon/lat geometries and return metres or square metres on the
//! WGS84 ellipsoid (GeographicLib algorithms), orientation-independent.

use geo::{Geodesic, GeodesicArea, Geometry, Length};

/// Geodesic area in m² (holes subtracted; 0 for points and lines).
pub fn geodesic_area_m2(g: &Geometry<f64>) -> f64 {
    use geo::orient::{Direction, Orient};
    match g {
        Geometry::Polygon(p) => p.orient(Direction::Default).geodesic_area_unsigned(),
        Geometry::MultiPolygon(p) => p.orient(Direction::Default).geodesic_area_unsigned(),
        Geometry::GeometryCollection(c) => c.iter().map(geodesic_area_m2).sum(),
        _ => 0.0,
    }
}

/// Geodesic length in metres of lines (0 for points and polygons).
pub fn geodesic_length_m(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::LineString(l) => Geodesic.length(l),
        Geometry::MultiLineString(l) => l.iter().map(|l| Geodesic.length(l)).sum(),
        Geometry::GeometryCollection(c) => c.iter().map(geodesic_length_m).sum(),
        _ => 0.0,
    }
}
