//! The Hong Kong park's real building footprints: OpenStreetMap (ODbL, © OpenStreetMap
//! contributors) buildings inside the Lok Ma Chau Loop, from
//! `data/zone/hk_loop_area_buildings_osm.geojson` (see `data/README.md`), and the published
//! figures they carry.
//!
//! - Model buildings ([`model_footprints`]): the Loop footprints OSM tags as ordinary
//!   buildings (`yes`, `residential`), i.e. the HSITP Phase 1 buildings. The 93 `disused`
//!   blocks and 2 `clinic` multipolygons of the 2022 emergency hospital are not floor space
//!   of the park; they stay in the drawn OSM layer (`hk_osm_buildings`) and keep generated
//!   buildings off their site.
//! - Batch 1 ([`BATCH1`]): eight buildings (info.gov.hk 2022-07-13), three completed by the
//!   end of 2025, two wet labs and a talent apartment (Ta Kung Wen Wei 2025-12-21). OSM
//!   names them as six footprints: `1號大樓 Building 1`, `2-3`, `5-6` (two buildings each),
//!   `Building 8`, `Building 9`, `Building 11` (tagged residential: the talent apartment).
//!   The published sources do not say which two wet labs are complete; Hetao Atlas takes
//!   Buildings 8 and 9 (named in OSM first, in full). Uses and years of the other footprints
//!   are assumptions, GFAs are estimates (calibrated to Phase 1's ~1,000,000 m²), flagged
//!   `gfa_estimated` on every real building.
//! - [`clear_of_real`]: whether a generated footprint keeps off every real Loop footprint.

use super::{Status, Use, ZoneError};
use geo::{BoundingRect, Coord, InteriorPoint, Intersects, Polygon, Rect};

/// The OSM buildings file, embedded.
pub const OSM_BUILDINGS: &str =
    include_str!("../../../data/zone/hk_loop_area_buildings_osm.geojson");

/// One published Batch 1 footprint: OSM id, use, the year it completes (or completed),
/// how many of the eight buildings it holds.
pub struct Batch1 {
    /// `way/…` as OSM gives it.
    pub osm_id: &'static str,
    /// Its use.
    pub use_: Use,
    /// Completion year (≤ 2025: published as completed by the end of 2025).
    pub year: i32,
    /// Batch 1 buildings in this footprint.
    pub buildings: i32,
}

/// Batch 1 of HSITP Phase 1, in OSM's footprints (8 buildings in 6 footprints).
pub const BATCH1: [Batch1; 6] = [
    Batch1 {
        osm_id: "way/1441768733",
        use_: Use::WetLab,
        year: 2025,
        buildings: 1,
    },
    Batch1 {
        osm_id: "way/1441768734",
        use_: Use::WetLab,
        year: 2025,
        buildings: 1,
    },
    Batch1 {
        osm_id: "way/1368215253",
        use_: Use::TalentHousing,
        year: 2025,
        buildings: 1,
    },
    Batch1 {
        osm_id: "way/1499272316",
        use_: Use::DryLabOffice,
        year: 2027,
        buildings: 1,
    },
    Batch1 {
        osm_id: "way/1552018647",
        use_: Use::WetLab,
        year: 2027,
        buildings: 2,
    },
    Batch1 {
        osm_id: "way/1552018646",
        use_: Use::DryLabOffice,
        year: 2028,
        buildings: 2,
    },
];

/// The Innohub (河套科創築城館), the park's exhibition centre: standing in OSM.
pub const INNOHUB: (&str, Use, &[(i32, Status)]) = (
    "way/1441768735",
    Use::Supporting,
    &[(2022, Status::UnderConstruction), (2024, Status::Completed)],
);

/// One real footprint of the Loop.
#[derive(Debug, Clone)]
pub struct RealFootprint {
    /// `way/…` or `relation/…`.
    pub osm_id: String,
    /// OSM `name` (may be empty).
    pub name: String,
    /// OSM `name:zh` (may be empty).
    pub name_zh: String,
    /// OSM `building=*`.
    pub building: String,
    /// OSM `building:levels`, when tagged.
    pub levels: Option<f64>,
    /// The footprint (holes kept).
    pub polygon: Polygon<f64>,
    /// A point inside it.
    pub inside: Coord<f64>,
    /// Geodesic footprint area, whole m².
    pub footprint_m2: i64,
}

fn all_loop_footprints() -> Result<Vec<RealFootprint>, ZoneError> {
    let layer = crate::core::io::load_slice(
        OSM_BUILDINGS.as_bytes(),
        "hk_osm_buildings",
        "data/zone/hk_loop_area_buildings_osm.geojson",
    )
    .map_err(|e| ZoneError::Generator(e.to_string()))?;
    let mut out = Vec::new();
    for f in &layer.features {
        if f.prop("in_loop").and_then(|v| v.as_bool()) != Some(true) {
            continue;
        }
        let Some(geo::Geometry::Polygon(p)) = &f.geometry else {
            continue;
        };
        let inside = p
            .interior_point()
            .map(|pt| pt.0)
            .ok_or_else(|| ZoneError::Generator("an OSM footprint has no interior".into()))?;
        let text = |k: &str| f.prop_str(k).unwrap_or("").to_string();
        out.push(RealFootprint {
            osm_id: text("osm_id"),
            name: text("name"),
            name_zh: text("name_zh"),
            building: text("building"),
            levels: f.prop_f64("levels"),
            polygon: p.clone(),
            inside,
            footprint_m2: crate::core::measure::geodesic_area_m2(&p.clone().into()).round() as i64,
        });
    }
    Ok(out)
}

/// The real Loop footprints: (the model's buildings, every footprint's box grown by about
/// 10 m, for keeping generated buildings clear).
pub fn model_footprints() -> Result<(Vec<RealFootprint>, Vec<Rect<f64>>), ZoneError> {
    let all = all_loop_footprints()?;
    let grow = 0.0001; // degrees, ~10 m
    let boxes = all
        .iter()
        .filter_map(|r| r.polygon.bounding_rect())
        .map(|b| {
            Rect::new(
                Coord {
                    x: b.min().x - grow,
                    y: b.min().y - grow,
                },
                Coord {
                    x: b.max().x + grow,
                    y: b.max().y + grow,
                },
            )
        })
        .collect();
    let model = all
        .into_iter()
        .filter(|r| matches!(r.building.as_str(), "yes" | "residential"))
        .collect();
    Ok((model, boxes))
}

/// True when `p` touches none of `boxes`.
pub fn clear_of_real(p: &Polygon<f64>, boxes: &[Rect<f64>]) -> bool {
    !boxes.iter().any(|b| b.intersects(p))
}

/// The Batch 1 entry of an OSM id.
pub fn batch1(osm_id: &str) -> Option<&'static Batch1> {
    BATCH1.iter().find(|b| b.osm_id == osm_id)
}

/// A real building's display name: OSM's names, or (unnamed) `Loop Phase 1 building
/// <way number>`.
pub fn display_name(r: &RealFootprint) -> String {
    let mut n = r.name.trim().to_string();
    if !r.name_zh.is_empty() && !n.contains(&r.name_zh) {
        n = format!("{n} {}", r.name_zh).trim().to_string();
    }
    if n.is_empty() {
        let number = r.osm_id.rsplit('/').next().unwrap_or(&r.osm_id);
        format!("Loop Phase 1 building {number}")
    } else {
        n
    }
}
