//! Planar measures in a projected grid (Hong Kong 1980 Grid, CGCS2000 Gauss–Krüger, ...):
//! the figures a grid-based plan or CAD drawing shows, beside the geodesic ones. The
//! geometry is transformed from WGS84 lon/lat through PROJ ([`Transformer`]) and measured
//! with the planar shoelace and Euclidean lengths, then scaled by the grid's metres per unit.
//! Used by `hetao measure --crs` and the app's measure tools.

use crate::core::crs::{CrsError, CrsKind, Transformer, crs_kind, normalize_crs_name};
use geo::{Area as _, Euclidean, Geometry, Length as _, LineString};

/// Why a grid cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    /// PROJ does not know the CRS or cannot transform to it.
    #[error(transparent)]
    Crs(#[from] CrsError),
    /// The CRS is geographic (angles), not a grid.
    #[error(
        "{0} is a geographic CRS (angles); a grid measure needs a projected CRS in linear units, \
         e.g. EPSG:2326 (Hong Kong 1980 Grid) or EPSG:4547 (CGCS2000 / 3-degree GK CM 114E)"
    )]
    Geographic(String),
    /// The CRS is neither geographic nor projected.
    #[error("{0} is not a projected CRS; a grid measure needs one")]
    NotProjected(String),
}

/// Planar figures of a geometry in a grid, metres and m².
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GridFigures {
    /// Area, holes subtracted (0 for points and lines).
    pub area_m2: f64,
    /// Perimeter of every ring of every polygon (0 for points and lines).
    pub perimeter_m: f64,
    /// Length of the lines (0 for polygons).
    pub length_m: f64,
}

/// A projected grid to measure in: its normalised name, the transform from WGS84 and its
/// metres per axis unit.
pub struct ProjectedGrid {
    /// The CRS name, normalised (`EPSG:2326`).
    pub name: String,
    transformer: Transformer,
    /// Metres per grid unit (1 for metres, 0.3048 for international feet).
    pub unit_to_metre: f64,
}

impl std::fmt::Debug for ProjectedGrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectedGrid")
            .field("name", &self.name)
            .field("unit_to_metre", &self.unit_to_metre)
            .finish()
    }
}

impl ProjectedGrid {
    /// The grid named `name` (`EPSG:2326`, `2326`, ...); an error for a geographic or other
    /// non-projected CRS.
    pub fn new(name: &str) -> Result<Self, GridError> {
        let norm = normalize_crs_name(name);
        let unit_to_metre = match crs_kind(&norm)? {
            CrsKind::Projected { unit_to_metre } => unit_to_metre,
            CrsKind::Geographic { .. } => return Err(GridError::Geographic(norm)),
            CrsKind::Other => return Err(GridError::NotProjected(norm)),
        };
        let transformer = Transformer::new("EPSG:4326", &norm)?;
        Ok(ProjectedGrid {
            name: norm,
            transformer,
            unit_to_metre,
        })
    }

    /// The figures of `g` (WGS84 lon/lat) in this grid.
    pub fn measure(&self, g: &Geometry<f64>) -> Result<GridFigures, CrsError> {
        grid_figures(&self.transformer, self.unit_to_metre, g)
    }
}

/// The figures of `g` (WGS84 lon/lat) transformed by `t` (EPSG:4326 → a grid whose unit is
/// `unit_to_metre` metres).
pub fn grid_figures(
    t: &Transformer,
    unit_to_metre: f64,
    g: &Geometry<f64>,
) -> Result<GridFigures, CrsError> {
    let mut projected = g.clone();
    t.transform_geometry(&mut projected)?;
    let k = unit_to_metre;
    Ok(GridFigures {
        area_m2: projected.unsigned_area() * k * k,
        perimeter_m: planar_perimeter(&projected) * k,
        length_m: planar_length(&projected) * k,
    })
}

fn ring_len(r: &LineString<f64>) -> f64 {
    Euclidean.length(r)
}

fn planar_perimeter(g: &Geometry<f64>) -> f64 {
    let poly = |p: &geo::Polygon<f64>| -> f64 {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(ring_len)
            .sum()
    };
    match g {
        Geometry::Polygon(p) => poly(p),
        Geometry::MultiPolygon(mp) => mp.iter().map(poly).sum(),
        Geometry::Rect(r) => poly(&r.to_polygon()),
        Geometry::Triangle(t) => poly(&t.to_polygon()),
        Geometry::GeometryCollection(c) => c.iter().map(planar_perimeter).sum(),
        _ => 0.0,
    }
}

fn planar_length(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::Line(l) => Euclidean.length(l),
        Geometry::LineString(l) => Euclidean.length(l),
        Geometry::MultiLineString(l) => l.iter().map(|l| Euclidean.length(l)).sum(),
        Geometry::GeometryCollection(c) => c.iter().map(planar_length).sum(),
        _ => 0.0,
    }
}
