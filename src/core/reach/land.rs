//! The land the walking grid covers and the HK–Shenzhen boundary: the Natural Earth 10 m
//! land mask refined with the real outlines of the Loop, Futian and the (schematic) Shenzhen
//! park, and the boundary line (the OSM Shenzhen River boundary, then Natural Earth's land
//! boundary east of Lo Wu).

use super::ReachError;
use super::grid::Grid;
use super::network::load;
use crate::core::measure::TangentFrame;
use geo::Geometry;

/// Embedded HK–SZ boundary line (OSM).
pub const RIVER_GEOJSON: &[u8] =
    include_bytes!("../../../data/context/shenzhen_river_boundary_osm.geojson");
/// Embedded Natural Earth admin-0 land polygons (land mask, boundary east of Lo Wu).
pub const LAND_GEOJSON: &[u8] = include_bytes!("../../../data/context/ne_10m_admin0_gba.geojson");
/// Real outlines added to the land mask where Natural Earth 1:10m is too coarse: the Lok Ma
/// Chau Loop (OSM), Futian District (OSM) and the (schematic) Shenzhen park.
pub const FINE_LAND_GEOJSON: [(&str, &[u8]); 3] = [
    (
        "lok_ma_chau_loop_osm",
        include_bytes!("../../../data/zone/lok_ma_chau_loop_osm.geojson"),
    ),
    (
        "futian_district_osm",
        include_bytes!("../../../data/context/futian_district_osm.geojson"),
    ),
    (
        "shenzhen_park_schematic",
        include_bytes!("../../../data/zone/shenzhen_park_schematic.geojson"),
    ),
];

/// Rasterise the land into `grid` and return the boundary segments, metres.
pub fn land_and_boundary(
    grid: &mut Grid,
    proj: &TangentFrame,
) -> Result<Vec<[(f64, f64); 2]>, ReachError> {
    // Land mask.
    let land = load(LAND_GEOJSON, "ne_10m_admin0_gba")?;
    let mut hk_segments = Vec::new();
    let mut cn_segments = std::collections::HashSet::new();
    for f in &land.features {
        let Some(Geometry::MultiPolygon(mp)) = &f.geometry else {
            continue;
        };
        let name = f.prop_str("name").unwrap_or("");
        for poly in &mp.0 {
            let rings: Vec<Vec<(f64, f64)>> = std::iter::once(poly.exterior())
                .chain(poly.interiors())
                .map(|r| r.0.iter().map(|c| proj.xy(c.x, c.y)).collect())
                .collect();
            grid.rasterize(&rings);
            for r in poly.exterior().0.windows(2) {
                let key = |c: geo::Coord<f64>| ((c.x * 1e7) as i64, (c.y * 1e7) as i64);
                match name {
                    "Hong Kong" => hk_segments.push((r[0], r[1])),
                    "China" => {
                        cn_segments.insert((key(r[0]), key(r[1])));
                        cn_segments.insert((key(r[1]), key(r[0])));
                    }
                    _ => {}
                }
            }
        }
    }
    // Natural Earth at 1:10m misses the Loop and the river banks: add the real outlines
    // (exterior rings only: Futian's holes are the HK Port Area, which is land too).
    for (name, bytes) in FINE_LAND_GEOJSON {
        let layer = load(bytes, name)?;
        for f in &layer.features {
            let polys: Vec<&geo::Polygon<f64>> = match &f.geometry {
                Some(Geometry::Polygon(p)) => vec![p],
                Some(Geometry::MultiPolygon(mp)) => mp.0.iter().collect(),
                _ => continue,
            };
            for poly in polys {
                let ring: Vec<(f64, f64)> = poly
                    .exterior()
                    .0
                    .iter()
                    .map(|c| proj.xy(c.x, c.y))
                    .collect();
                grid.rasterize(&[ring]);
            }
        }
    }
    // Boundary: the OSM river line, then the Natural Earth land boundary east of it.
    let river = load(RIVER_GEOJSON, "shenzhen_river_boundary_osm")?;
    let mut barrier = Vec::new();
    let mut east_end: Option<(f64, f64)> = None;
    for f in &river.features {
        let lines: Vec<&geo::LineString<f64>> = match &f.geometry {
            Some(Geometry::LineString(l)) => vec![l],
            Some(Geometry::MultiLineString(m)) => m.0.iter().collect(),
            _ => vec![],
        };
        for l in lines {
            for w in l.0.windows(2) {
                barrier.push([proj.xy(w[0].x, w[0].y), proj.xy(w[1].x, w[1].y)]);
                for c in [w[0], w[1]] {
                    if east_end.is_none_or(|e| c.x > e.0) {
                        east_end = Some((c.x, c.y));
                    }
                }
            }
        }
    }
    let key = |c: geo::Coord<f64>| ((c.x * 1e7) as i64, (c.y * 1e7) as i64);
    let shared: Vec<_> = hk_segments
        .iter()
        .filter(|(a, b)| cn_segments.contains(&(key(*a), key(*b))))
        .filter(|(a, b)| east_end.is_some_and(|e| a.x.min(b.x) >= e.0 - 1e-9))
        .collect();
    if let Some(e) = east_end {
        // Bridge from the river's east end to the nearest vertex of the land boundary.
        let nearest = shared.iter().flat_map(|(a, b)| [*a, *b]).min_by(|p, q| {
            let dp = (p.x - e.0).hypot(p.y - e.1);
            let dq = (q.x - e.0).hypot(q.y - e.1);
            dp.total_cmp(&dq)
        });
        if let Some(n) = nearest {
            barrier.push([proj.xy(e.0, e.1), proj.xy(n.x, n.y)]);
        }
    }
    for (a, b) in shared {
        barrier.push([proj.xy(a.x, a.y), proj.xy(b.x, b.y)]);
    }
    Ok(barrier)
}
