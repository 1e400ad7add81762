//! The schematic Shenzhen park outline: a documented, deterministic construction.
//!
//! No open outline of the 3.02 km² Shenzhen park (the Futian Free Trade Zone plus the
//! Huanggang Port area) exists, so Hetao Atlas ships a schematic one built here:
//!
//! 1. **Southern edge**: the vertices of the real HK–Shenzhen boundary line (OSM, the
//!    realigned Shenzhen River centreline, `data/context/shenzhen_river_boundary_osm.geojson`)
//!    whose longitude lies in [`WEST_LON`, `EAST_LON`], taken verbatim, west to east
//!    (114.0340851E at 22.5060628N to 114.0845277E at 22.5320950N).
//! 2. **Northern edge**: a fixed polyline ([`NORTH_EDGE`], east to west) that encloses
//!    - an eastern strip along the river to its vertex at 114.0845E (the Huanggang riverside,
//!      northern edge ~22.533N),
//!    - the Huanggang Port block 114.063–114.0725E (northern edge ~22.5257N), which takes in the
//!      Huanggang control point (OSM HK Port Area extent and its centre, in
//!      `data/context/hetao_gba_points.geojson`) and the Futian control point (north bank
//!      opposite Lok Ma Chau station; no open point exists, see [`futian_control_point`]),
//!    - a diagonal edge down to the Futian Free Trade Zone block 114.034–114.054E (northern
//!      edge ~22.5097N).
//! 3. The whole northern edge is shifted north or south by one offset `t` (degrees of
//!    latitude), found by bisection so that the geodesic area (WGS84,
//!    [`crate::core::measure::geodesic_area_m2`]) of the polygon, with coordinates rounded to
//!    7 decimals as written, is 3.02 km² ([`TARGET_AREA_M2`]).
//!
//! The result lies inside Futian District's outer boundary (the HK Port Area at Huanggang,
//! a hole in the district, is inside the park: the park takes in the Huanggang Port).

use crate::core::zone::ZoneError;
use geo::{Coord, LineString, Polygon};

/// The official area of the Shenzhen park, m² (3.02 km²).
pub const TARGET_AREA_M2: f64 = 3_020_000.0;

/// Western limit of the river vertices taken (degrees east).
pub const WEST_LON: f64 = 114.034;
/// Eastern limit of the river vertices taken (degrees east).
pub const EAST_LON: f64 = 114.0846;

/// The northern edge before the bisection offset, east to west, (lon, lat) in degrees.
/// The first point's longitude is replaced by the last river vertex's, the last point's
/// by the first river vertex's, so that the edges meet the river exactly at its vertices.
pub const NORTH_EDGE: [(f64, f64); 7] = [
    (EAST_LON, 22.5345), // NE corner, north of the river at 114.0845E
    (114.0785, 22.5345), // eastern strip
    (114.0725, 22.5270), // NE corner of the Huanggang Port block
    (114.0630, 22.5270), // NW corner of the Huanggang Port block
    (114.0630, 22.5180), // west side of the port block, north of the river
    (114.0540, 22.5110), // diagonal to the Free Trade Zone block
    (WEST_LON, 22.5110), // NW corner of the Free Trade Zone block
];

/// Attribution of the schematic park layer.
pub const SCHEMATIC_ATTRIBUTION: &str =
    "Schematic outline (Hetao Atlas, not official); southern edge © OpenStreetMap contributors";

/// The note written into the schematic park's properties and layer metadata.
pub const SCHEMATIC_NOTE: &str = "SCHEMATIC, NOT THE OFFICIAL BOUNDARY. No open outline of the 3.02 km2 Shenzhen park exists. Southern edge: vertices of the OSM HK-Shenzhen river boundary between 114.034E and 114.0846E; northern edge: a fixed polyline around the Futian Free Trade Zone and the Huanggang Port area, shifted by bisection until the geodesic (WGS84) area is 3.02 km2. Built by src/core/zone/park.rs (hetao scenario generate). Load the official outline with `hetao stats --sz-park FILE` or zone::replace_shenzhen_park.";

/// Round a coordinate to 7 decimals (about 1 cm), as the generator writes them.
pub fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

/// The river boundary line from the embedded layer.
pub fn river_line() -> Result<LineString<f64>, ZoneError> {
    let layer = crate::core::io::load_slice(
        super::files::RIVER.as_bytes(),
        "shenzhen_river",
        "data/context/shenzhen_river_boundary_osm.geojson",
    )
    .map_err(|e| ZoneError::Generator(e.to_string()))?;
    layer
        .features
        .iter()
        .find_map(|f| match &f.geometry {
            Some(geo::Geometry::LineString(l)) => Some(l.clone()),
            _ => None,
        })
        .ok_or_else(|| ZoneError::Generator("river boundary has no LineString".into()))
}

/// Latitude of a line at `lon` (linear between vertices; the first crossing).
pub fn lat_at(line: &LineString<f64>, lon: f64) -> Option<f64> {
    line.lines().find_map(|s| {
        let (a, b) = (s.start, s.end);
        let (lo, hi) = if a.x <= b.x { (a, b) } else { (b, a) };
        (lo.x <= lon && lon <= hi.x && hi.x > lo.x)
            .then(|| lo.y + (lon - lo.x) / (hi.x - lo.x) * (hi.y - lo.y))
    })
}

/// An approximate Futian control point: no open point exists (see the places layer's
/// note), so take Lok Ma Chau station's longitude (the Spur Line's river crossing, the
/// station is on the HK bank) and a latitude 0.0012° (~130 m) north of the river there.
pub fn futian_control_point(river: &LineString<f64>) -> Option<Coord<f64>> {
    const LOK_MA_CHAU_STATION_LON: f64 = 114.065694;
    lat_at(river, LOK_MA_CHAU_STATION_LON).map(|y| Coord {
        x: LOK_MA_CHAU_STATION_LON,
        y: y + 0.0012,
    })
}

/// The polygon for northern-edge offset `t` (degrees), coordinates rounded to 7 decimals.
fn polygon_for(river_part: &[Coord<f64>], t: f64) -> Polygon<f64> {
    let mut ring: Vec<Coord<f64>> = river_part.to_vec();
    let first = river_part[0];
    let last = river_part[river_part.len() - 1];
    for (i, &(x, y)) in NORTH_EDGE.iter().enumerate() {
        let x = if i == 0 {
            last.x
        } else if i == NORTH_EDGE.len() - 1 {
            first.x
        } else {
            x
        };
        ring.push(Coord {
            x: round7(x),
            y: round7(y + t),
        });
    }
    ring.push(first);
    Polygon::new(LineString::new(ring), vec![])
}

/// The schematic park and the offset `t` the bisection found.
#[derive(Debug, Clone)]
pub struct SchematicPark {
    /// The outline (exterior ring only, counter-clockwise is not guaranteed).
    pub polygon: Polygon<f64>,
    /// The northern-edge offset found, degrees of latitude.
    pub offset_deg: f64,
    /// Its geodesic area, m².
    pub area_m2: f64,
}

/// Build the schematic Shenzhen park (see the module documentation for the procedure).
pub fn schematic_shenzhen_park() -> Result<SchematicPark, ZoneError> {
    let river = river_line()?;
    let part: Vec<Coord<f64>> = river
        .0
        .iter()
        .copied()
        .filter(|c| (WEST_LON..=EAST_LON).contains(&c.x))
        .collect();
    if part.len() < 2 {
        return Err(ZoneError::Generator(
            "no river vertices between the park's longitudes".into(),
        ));
    }
    let area = |t: f64| crate::core::measure::geodesic_area_m2(&polygon_for(&part, t).into());
    let (mut lo, mut hi) = (-0.004_f64, 0.004_f64);
    if !(area(lo) < TARGET_AREA_M2 && area(hi) > TARGET_AREA_M2) {
        return Err(ZoneError::Generator(
            "the area bracket does not contain 3.02 km²".into(),
        ));
    }
    // 40 halvings of 0.008° reach ~7e-15°, far below the 1e-7° rounding.
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if area(mid) < TARGET_AREA_M2 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = round7(0.5 * (lo + hi));
    let polygon = polygon_for(&part, t);
    let area_m2 = crate::core::measure::geodesic_area_m2(&polygon.clone().into());
    Ok(SchematicPark {
        polygon,
        offset_deg: t,
        area_m2,
    })
}

/// The schematic park as GeoJSON text (the shipped `data/zone/shenzhen_park_schematic.geojson`),
/// through the one writer, coordinates with 7 decimals.
pub fn schematic_park_geojson(p: &SchematicPark) -> String {
    use crate::core::io::{Collection, FeatureParts, WriteOptions};
    use serde_json::{Value, json};
    let head = json!({
        "name": "shenzhen_park_schematic",
        "illustrative": true,
        "schematic": true,
        "note": SCHEMATIC_NOTE,
        "attribution": "Schematic (Hetao Atlas); southern edge from OpenStreetMap, © OpenStreetMap contributors, ODbL 1.0",
    });
    let props = json!({
        "name": "Hetao Shenzhen park (schematic)",
        "name_zh": "河套深港科技创新合作区深圳园区（示意）",
        "park": "SZ",
        "illustrative": true,
        "schematic": true,
        "note": SCHEMATIC_NOTE,
        "official_area_km2": 3.02,
        "geodesic_area_m2": p.area_m2.round() as i64,
        "northern_edge_offset_deg": round7(p.offset_deg),
    });
    let empty = serde_json::Map::new();
    let mut c = Collection::new(
        head.as_object().unwrap_or(&empty),
        None,
        WriteOptions::decimals(7),
    );
    let exterior = Polygon::new(p.polygon.exterior().clone(), vec![]).into();
    c.push(FeatureParts {
        id: Some(&Value::from("shenzhen_park")),
        properties: props.as_object(),
        geometry: Some(&exterior),
        ..FeatureParts::default()
    });
    c.finish()
}
