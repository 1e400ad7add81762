//! Measurement of WGS84 lon/lat geometries: areas, perimeters, lengths, distances,
//! centroids, point in polygon.
//!
//! In geo's style, each algorithm is a trait and the metric space it runs in is the
//! receiver, explicit at every call site:
//!
//! | space | edges | area | length / distance |
//! |---|---|---|---|
//! | [`GeodesicWgs84`] | geodesics on the WGS84 ellipsoid | GeographicLib planimeter | GeographicLib inverse |
//! | [`Sphere`] (radius in m) | turf / mapbox geojson-area convention | spherical-excess ring formula | haversine |
//! | [`TangentPlane`] | straight in a local equal-area frame | sinusoidal shoelace (fast) | — |
//! | [`LocalFrame`] | straight in a local azimuthal equidistant frame | planar shoelace | planar |
//!
//! ```
//! use geo::polygon;
//! use hetao_atlas::core::measure::{AreaM2, PerimeterM, GeodesicWgs84, Sphere};
//! let sq: geo::Geometry<f64> = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0),
//!     (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)].into();
//! let a = GeodesicWgs84.area_m2(&sq);            // 12 308 778 361.47 m²
//! let b = Sphere::TURF.area_m2(&sq);             // spherical, R = 6 371 008.8 m
//! assert!((a - 12_308_778_361.469_452).abs() < 0.01);
//! assert!((a - b).abs() / a < 0.01);
//! assert!((GeodesicWgs84.perimeter_m(&sq) - 443_770.917_248_302).abs() < 1e-6);
//! ```
//!
//! Units: metres, square metres, degrees (lon, lat; x = lon). Conventions shared by all
//! spaces:
//! - **Areas are winding-independent**: each ring's area is taken unsigned (a ring encloses
//!   the smaller of the two regions it bounds, so no single ring may cover more than half
//!   the Earth), then holes are subtracted: `|exterior| − Σ|hole|`. A clockwise exterior
//!   gives the same area as a counter-clockwise one.
//! - **Perimeter** is the length of every ring, exterior *and* holes.
//! - **Length** is the length of line geometries only (0 for polygons, whose outline is
//!   their perimeter) — except where turf's definition is asked for, see
//!   [`PerimeterM::perimeter_m`] plus [`LengthM::length_m`].
//! - Points have no area, perimeter or length. GeometryCollections sum their members.

pub mod bbox;
mod centroid;
pub mod fast;
pub mod geodesic;
pub mod grid;
pub mod local;
mod pip;
pub mod spherical;

pub use bbox::{bbox_of, bbox_of_all, bbox_union};
pub use centroid::{vertex_mean_centroid, vertex_mean_centroid_all};
pub use fast::{TangentPlane, fast_area_m2};
pub use geodesic::{GeodesicWgs84, Inverse, planimeter};
pub use grid::{GridError, GridFigures, ProjectedGrid, grid_figures};
pub use local::{LocalFrame, TangentFrame, centroid, local_planar_area_m2};
pub use pip::{Location, locate_point, point_in_polygon};
pub use spherical::Sphere;

use geo::{Coord, Geometry, LineString, Polygon};

/// A metric space in which a closed ring has a perimeter and a signed area.
pub trait RingMetric {
    /// Perimeter (m) and signed area (m², counter-clockwise positive) of one ring; the
    /// closing vertex may be repeated or not.
    fn ring(&self, ring: &[Coord<f64>]) -> (f64, f64);
}

/// The distance between two points in a metric space.
pub trait DistanceM {
    /// Distance in metres between `a` and `b` (lon, lat degrees).
    fn distance_m(&self, a: Coord<f64>, b: Coord<f64>) -> f64;
}

/// Area of a geometry in a metric space.
pub trait AreaM2 {
    /// Area in m², holes subtracted, independent of winding; 0 for points and lines.
    fn area_m2(&self, g: &Geometry<f64>) -> f64;
}

/// Perimeter of the polygons of a geometry in a metric space.
pub trait PerimeterM {
    /// Perimeter in metres: exterior plus hole rings of every polygon; 0 for points and lines.
    fn perimeter_m(&self, g: &Geometry<f64>) -> f64;
}

/// Length of the lines of a geometry in a metric space.
pub trait LengthM {
    /// Length in metres of LineStrings and MultiLineStrings; 0 for points and polygons.
    fn length_m(&self, g: &Geometry<f64>) -> f64;
}

/// Area of one polygon in m² in `space`: `|exterior| − Σ|hole|`.
pub fn polygon_area<M: RingMetric + ?Sized>(space: &M, p: &Polygon<f64>) -> f64 {
    let mut a = space.ring(&p.exterior().0).1.abs();
    for h in p.interiors() {
        a -= space.ring(&h.0).1.abs();
    }
    a
}

/// Perimeter of one polygon in metres in `space`: exterior plus holes.
pub fn polygon_perimeter<M: RingMetric + ?Sized>(space: &M, p: &Polygon<f64>) -> f64 {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(|r| space.ring(&r.0).0)
        .sum()
}

/// Visit every polygon of a geometry (Rect and Triangle converted).
fn for_each_polygon(g: &Geometry<f64>, f: &mut dyn FnMut(&Polygon<f64>)) {
    match g {
        Geometry::Polygon(p) => f(p),
        Geometry::MultiPolygon(mp) => mp.iter().for_each(f),
        Geometry::Rect(r) => f(&r.to_polygon()),
        Geometry::Triangle(t) => f(&t.to_polygon()),
        Geometry::GeometryCollection(c) => c.iter().for_each(|g| for_each_polygon(g, f)),
        _ => {}
    }
}

/// Visit every line of a geometry.
fn for_each_line(g: &Geometry<f64>, f: &mut dyn FnMut(&[Coord<f64>])) {
    match g {
        Geometry::Line(l) => f(&[l.start, l.end]),
        Geometry::LineString(l) => f(&l.0),
        Geometry::MultiLineString(ml) => ml.iter().for_each(|l: &LineString<f64>| f(&l.0)),
        Geometry::GeometryCollection(c) => c.iter().for_each(|g| for_each_line(g, f)),
        _ => {}
    }
}

impl<M: RingMetric> AreaM2 for M {
    fn area_m2(&self, g: &Geometry<f64>) -> f64 {
        let mut total = 0.0;
        for_each_polygon(g, &mut |p| total += polygon_area(self, p));
        total
    }
}

impl<M: RingMetric> PerimeterM for M {
    fn perimeter_m(&self, g: &Geometry<f64>) -> f64 {
        let mut total = 0.0;
        for_each_polygon(g, &mut |p| total += polygon_perimeter(self, p));
        total
    }
}

impl<M: DistanceM> LengthM for M {
    fn length_m(&self, g: &Geometry<f64>) -> f64 {
        let mut total = 0.0;
        for_each_line(g, &mut |l| {
            total += l
                .windows(2)
                .map(|w| self.distance_m(w[0], w[1]))
                .sum::<f64>()
        });
        total
    }
}

/// Geodesic area in m² on WGS84 (GeographicLib; holes subtracted, any winding; 0 for
/// points and lines). Same as `GeodesicWgs84.area_m2(g)`.
pub fn geodesic_area_m2(g: &Geometry<f64>) -> f64 {
    GeodesicWgs84.area_m2(g)
}

/// Geodesic length in metres of lines on WGS84 (0 for points and polygons). Same as
/// `GeodesicWgs84.length_m(g)`.
pub fn geodesic_length_m(g: &Geometry<f64>) -> f64 {
    GeodesicWgs84.length_m(g)
}

/// Geodesic perimeter in metres on WGS84: exterior plus hole rings (0 for points and lines).
pub fn geodesic_perimeter_m(g: &Geometry<f64>) -> f64 {
    GeodesicWgs84.perimeter_m(g)
}

/// Which model [`measure_geometry`] measures on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Model {
    /// Geodesics on the WGS84 ellipsoid (GeographicLib).
    #[default]
    Wgs84,
    /// A sphere: spherical-excess areas and haversine lengths.
    Sphere(Sphere),
}

/// Everything `hetao measure` reports for one geometry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Area in m² on the model (0 for points and lines).
    pub area_m2: f64,
    /// Perimeter in m on the model: exterior plus holes.
    pub perimeter_m: f64,
    /// Length in m of the lines on the model.
    pub length_m: f64,
    /// Centroid (lon, lat degrees): area-weighted for polygons, see [`centroid`].
    pub centroid: Option<Coord<f64>>,
    /// Planar area in m² in the feature's own [`LocalFrame`] (azimuthal equidistant,
    /// centred on the middle of its bounding box).
    pub planar_area_m2: f64,
}

impl Measurement {
    /// `(planar − area) / area × 100`, or `None` when the area is 0.
    pub fn planar_diff_pct(&self) -> Option<f64> {
        (self.area_m2 > 0.0).then(|| (self.planar_area_m2 - self.area_m2) / self.area_m2 * 100.0)
    }
}

/// Measure one geometry on `model` (see [`Measurement`]).
pub fn measure_geometry(g: &Geometry<f64>, model: Model) -> Measurement {
    let (area_m2, perimeter_m, length_m) = match model {
        Model::Wgs84 => (
            GeodesicWgs84.area_m2(g),
            GeodesicWgs84.perimeter_m(g),
            GeodesicWgs84.length_m(g),
        ),
        Model::Sphere(s) => (s.area_m2(g), s.perimeter_m(g), s.length_m(g)),
    };
    Measurement {
        area_m2,
        perimeter_m,
        length_m,
        centroid: centroid(g),
        planar_area_m2: local_planar_area_m2(g),
    }
}
