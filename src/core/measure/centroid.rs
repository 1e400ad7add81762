//! Centroids: the area-weighted centroid on the ellipsoid (through a local azimuthal
//! equidistant frame, see [`super::local`]) and turf's vertex-mean centroid.
//!
//! Coordinates in and out are (lon, lat) degrees.

use geo::{Coord, Geometry};

/// turf's `centroid`: the plain mean of the vertices, leaving out each polygon ring's
/// closing vertex (turf's `coordEach(…, excludeWrapCoord = true)`). Lines and points keep
/// every vertex. Summed in source order, then divided, as turf does, so the result is the
/// same float. `None` when there is no vertex.
pub fn vertex_mean_centroid(g: &Geometry<f64>) -> Option<Coord<f64>> {
    vertex_mean_centroid_all(std::iter::once(g))
}

/// [`vertex_mean_centroid`] over several geometries (a feature collection), pooling
/// their vertices.
pub fn vertex_mean_centroid_all<'a>(
    geoms: impl IntoIterator<Item = &'a Geometry<f64>>,
) -> Option<Coord<f64>> {
    let mut sx = 0.0;
    let mut sy = 0.0;
    let mut n = 0usize;
    let mut add = |c: &Coord<f64>| {
        sx += c.x;
        sy += c.y;
        n += 1;
    };
    for g in geoms {
        each_vertex(g, &mut add);
    }
    (n > 0).then(|| Coord {
        x: sx / n as f64,
        y: sy / n as f64,
    })
}

fn each_ring_vertex(ring: &geo::LineString<f64>, f: &mut impl FnMut(&Coord<f64>)) {
    let n = ring.0.len().saturating_sub(1);
    ring.0[..n].iter().for_each(f);
}

fn each_polygon_vertex(p: &geo::Polygon<f64>, f: &mut impl FnMut(&Coord<f64>)) {
    each_ring_vertex(p.exterior(), f);
    for h in p.interiors() {
        each_ring_vertex(h, f);
    }
}

fn each_vertex(g: &Geometry<f64>, f: &mut impl FnMut(&Coord<f64>)) {
    match g {
        Geometry::Point(p) => f(&p.0),
        Geometry::MultiPoint(mp) => mp.iter().for_each(|p| f(&p.0)),
        Geometry::Line(l) => {
            f(&l.start);
            f(&l.end);
        }
        Geometry::LineString(l) => l.0.iter().for_each(f),
        Geometry::MultiLineString(ml) => ml.iter().flat_map(|l| l.0.iter()).for_each(f),
        Geometry::Polygon(p) => each_polygon_vertex(p, f),
        Geometry::MultiPolygon(mp) => mp.iter().for_each(|p| each_polygon_vertex(p, f)),
        Geometry::Rect(r) => each_polygon_vertex(&r.to_polygon(), f),
        Geometry::Triangle(t) => each_polygon_vertex(&t.to_polygon(), f),
        Geometry::GeometryCollection(c) => c.iter().for_each(|g| each_vertex(g, f)),
    }
}
