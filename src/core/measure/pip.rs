//! Point in polygon, with the boundary counted in or out (turf's
//! `booleanPointInPolygon` with and without `ignoreBoundary`).
//!
//! Planar in longitude/latitude degrees, as turf computes it: edges are straight lines in
//! lon/lat, which for building- and district-sized polygons is within millimetres of the
//! geodesic edge. Predicates are geo's robust ones (exact orientation tests), so a point
//! exactly on an edge or vertex is found on the boundary whatever its coordinates.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Coord, Geometry, Polygon};

/// Where a point lies relative to an areal geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// Outside every polygon (or inside a hole).
    Outside,
    /// On an exterior or hole ring of some polygon, and in the interior of none.
    Boundary,
    /// In the interior of at least one polygon.
    Inside,
}

fn locate_in_polygon(p: &Coord<f64>, poly: &Polygon<f64>) -> Location {
    match poly.coordinate_position(p) {
        CoordPos::Inside => Location::Inside,
        CoordPos::OnBoundary => Location::Boundary,
        CoordPos::Outside => Location::Outside,
    }
}

/// Locate `p` (lon, lat) against the polygons of `g`. For several polygons (MultiPolygon,
/// GeometryCollection) the best answer wins: inside any polygon beats on the boundary of
/// another (a point on the edge of one part but inside an overlapping part is inside).
/// Points and lines have no interior: everything is [`Location::Outside`] of them.
pub fn locate_point(p: Coord<f64>, g: &Geometry<f64>) -> Location {
    match g {
        Geometry::Polygon(poly) => locate_in_polygon(&p, poly),
        Geometry::MultiPolygon(mp) => mp
            .iter()
            .map(|poly| locate_in_polygon(&p, poly))
            .max()
            .unwrap_or(Location::Outside),
        Geometry::Rect(r) => locate_in_polygon(&p, &r.to_polygon()),
        Geometry::Triangle(t) => locate_in_polygon(&p, &t.to_polygon()),
        Geometry::GeometryCollection(c) => c
            .iter()
            .map(|g| locate_point(p, g))
            .max()
            .unwrap_or(Location::Outside),
        _ => Location::Outside,
    }
}

/// True when `p` is inside the polygons of `g`; a point on a ring counts as inside when
/// `include_boundary` (turf's default) and as outside otherwise (turf's `ignoreBoundary`).
pub fn point_in_polygon(p: Coord<f64>, g: &Geometry<f64>, include_boundary: bool) -> bool {
    match locate_point(p, g) {
        Location::Inside => true,
        Location::Boundary => include_boundary,
        Location::Outside => false,
    }
}
