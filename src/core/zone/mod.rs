//! The Hetao zone: the embedded dataset the app opens with, and the planning model on top.
//!
//! - [`embedded_dataset`]: every shipped layer (real OSM / HAD / Natural Earth / GeoNames
//!   context, the Lok Ma Chau Loop and its OSM roads and building footprints, the schematic
//!   Shenzhen park, the buildings (real OSM footprints in the Loop, generated elsewhere) and
//!   research-space units), named as [`LAYER_NAMES`], bottom to top, with attribution.
//! - [`hk_buildings`]: which real Loop footprints are the model's buildings, and the
//!   published Batch 1 figures they carry.
//! - [`park`]: the deterministic construction of the schematic Shenzhen park outline
//!   (3.02 km², southern edge on the real river boundary), and [`replace_shenzhen_park`]
//!   for planners who hold the official outline.
//! - [`generator`]: the seeded, calibrated generator of illustrative buildings and
//!   research-space units (`hetao scenario generate`).
//! - [`planning`]: targets (from `seeds/targets.json`) and [`planning::ZoneStats`]
//!   (`hetao stats`): floor space by park, use and status, progress toward 2035.
//! - [`scenario`]: scenario files (edits on top of the base data) and their application.
//! - [`inventory`]: the buildings the model runs on: the embedded ones or the user's file
//!   through a TOML mapping and an optional status ledger (`--buildings`, `--mapping`).
//! - [`checks`]: plausibility warnings (GFA above floors × footprint, units not summing to
//!   their building).
//!
//! Vocabulary shared by all of these: [`Status`] (conversion status) and [`Use`]
//! (building use). All floor areas are in square metres (m²), gross floor area (GFA) for
//! buildings and net research floor area for research units.

use crate::core::model::{Dataset, Feature, Layer};

pub mod checks;
pub mod generator;
pub mod hk_buildings;
pub mod inventory;
pub mod park;
pub mod planning;
pub mod scenario;
pub mod styles;

pub use planning::{Targets, ZoneStats};
pub use scenario::{Edit, Scenario, ScenarioError};

/// Errors from the zone dataset and planning model.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    /// An embedded layer failed to load.
    #[error("embedded layer {name}: {message}")]
    Layer {
        /// Layer name.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// A replacement park outline is unusable.
    #[error("park outline {file}: {message}")]
    Park {
        /// Where the outline came from.
        file: String,
        /// What is wrong with it.
        message: String,
    },
    /// The generator could not build its output (a bug or unusable input data).
    #[error("generator: {0}")]
    Generator(String),
    /// Writing generated files failed.
    #[error(transparent)]
    Write(#[from] crate::core::atomic::AtomicWriteError),
}

pub use styles::{STYLE_FILES, ZONE_BBOX};

/// Names of the embedded layers, bottom to top, as `embedded_dataset()` returns them.
pub const LAYER_NAMES: &[&str] = &[
    "ne_gba",
    "hk_districts",
    "futian_district",
    "shenzhen_metro_2016",
    "mtr",
    "huanggang_hk_port_area",
    "shenzhen_park",
    "lok_ma_chau_loop",
    "hk_roads",
    "shenzhen_river",
    "barriers",
    "buildings",
    "hk_osm_buildings",
    "research_units",
    "places",
];

/// The year the shipped data describes: a feature's `status` property is its status as of
/// this year (the latest seed article is of December 2025).
pub const DATA_YEAR: i32 = 2025;

/// The year the zone's cooperation began (the 2017 Memorandum of Understanding): floor space
/// delivered from this year on counts as new.
pub const BASE_YEAR: i32 = 2017;

/// Attribution for OpenStreetMap (ODbL) data.
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";
/// Attribution for the Hong Kong district boundaries.
pub const HAD_ATTRIBUTION: &str = "HKSAR Government / Home Affairs Department, via DATA.GOV.HK";

/// The embedded GeoJSON files (paths relative to the repository root), one per layer.
pub mod files {
    /// Natural Earth countries around the Greater Bay Area.
    pub const NE_GBA: &str = include_str!("../../../data/context/ne_10m_admin0_gba.geojson");
    /// The 18 Hong Kong districts (HAD).
    pub const HK_DISTRICTS: &str = include_str!("../../../data/context/hk_districts_had.geojson");
    /// Futian District (OSM).
    pub const FUTIAN: &str = include_str!("../../../data/context/futian_district_osm.geojson");
    /// Shenzhen Metro lines 1–5, 2016 (OSM).
    pub const SZ_METRO: &str =
        include_str!("../../../data/context/shenzhen_metro_osm_2016.geojson");
    /// MTR lines and stations (OSM).
    pub const MTR: &str = include_str!("../../../data/context/mtr_osm.geojson");
    /// Extent of the HK Port Area at Huanggang (OSM, bbox).
    pub const HUANGGANG: &str =
        include_str!("../../../data/context/huanggang_hk_port_area_osm.geojson");
    /// The schematic Shenzhen park outline (generated, see [`super::park`]).
    pub const SZ_PARK: &str = include_str!("../../../data/zone/shenzhen_park_schematic.geojson");
    /// The Lok Ma Chau Loop (OSM).
    pub const LOOP: &str = include_str!("../../../data/zone/lok_ma_chau_loop_osm.geojson");
    /// The Shenzhen River boundary line (OSM).
    pub const RIVER: &str =
        include_str!("../../../data/context/shenzhen_river_boundary_osm.geojson");
    /// Access barriers (the old river meander) and their gates, used by travel reach (OSM-derived).
    pub const BARRIERS: &str = include_str!("../../../data/barriers/hk_loop_area_barriers.geojson");
    /// Roads and paths around the Loop and Lok Ma Chau (OSM).
    pub const HK_ROADS: &str = include_str!("../../../data/context/hk_loop_area_roads_osm.geojson");
    /// Every OSM building footprint around the Loop (drawn as real footprints).
    pub const HK_OSM_BUILDINGS: &str = super::hk_buildings::OSM_BUILDINGS;
    /// The buildings: real OSM footprints in the Loop, generated illustrative ones elsewhere.
    pub const BUILDINGS: &str = include_str!("../../../data/zone/buildings.geojson");
    /// Generated illustrative research-space units.
    pub const RESEARCH_UNITS: &str = include_str!("../../../data/zone/research_units.geojson");
    /// Named places (GeoNames, Wikidata, TD GTFS, OSM-derived).
    pub const PLACES: &str = include_str!("../../../data/context/hetao_gba_points.geojson");
}

/// For each layer of [`LAYER_NAMES`]: its embedded text, file name (for messages),
/// attribution, and whether it is illustrative (generated or schematic).
fn layer_sources() -> [(&'static str, &'static str, &'static str, &'static str, bool); 15] {
    use files::*;
    [
        (
            "ne_gba",
            NE_GBA,
            "data/context/ne_10m_admin0_gba.geojson",
            "Natural Earth",
            false,
        ),
        (
            "hk_districts",
            HK_DISTRICTS,
            "data/context/hk_districts_had.geojson",
            HAD_ATTRIBUTION,
            false,
        ),
        (
            "futian_district",
            FUTIAN,
            "data/context/futian_district_osm.geojson",
            OSM_ATTRIBUTION,
            false,
        ),
        (
            "shenzhen_metro_2016",
            SZ_METRO,
            "data/context/shenzhen_metro_osm_2016.geojson",
            OSM_ATTRIBUTION,
            false,
        ),
        (
            "mtr",
            MTR,
            "data/context/mtr_osm.geojson",
            OSM_ATTRIBUTION,
            false,
        ),
        // A bounding box of ~20 small OSM fragments, not a surveyed outline: schematic.
        (
            "huanggang_hk_port_area",
            HUANGGANG,
            "data/context/huanggang_hk_port_area_osm.geojson",
            OSM_ATTRIBUTION,
            true,
        ),
        (
            "shenzhen_park",
            SZ_PARK,
            "data/zone/shenzhen_park_schematic.geojson",
            park::SCHEMATIC_ATTRIBUTION,
            true,
        ),
        (
            "lok_ma_chau_loop",
            LOOP,
            "data/zone/lok_ma_chau_loop_osm.geojson",
            OSM_ATTRIBUTION,
            false,
        ),
        (
            "hk_roads",
            HK_ROADS,
            "data/context/hk_loop_area_roads_osm.geojson",
            OSM_ATTRIBUTION,
            false,
        ),
        (
            "shenzhen_river",
            RIVER,
            "data/context/shenzhen_river_boundary_osm.geojson",
            OSM_ATTRIBUTION,
            false,
        ),
        // Derived from OSM outlines and roads; the gates are placed by hand (see the file).
        (
            "barriers",
            BARRIERS,
            "data/barriers/hk_loop_area_barriers.geojson",
            OSM_ATTRIBUTION,
            false,
        ),
        // Mixed: real OSM footprints in the Loop, generated ones elsewhere (per feature
        // `illustrative`); the layer as a whole stays marked illustrative.
        (
            "buildings",
            BUILDINGS,
            "data/zone/buildings.geojson",
            generator::BUILDINGS_ATTRIBUTION,
            true,
        ),
        (
            "hk_osm_buildings",
            HK_OSM_BUILDINGS,
            "data/zone/hk_loop_area_buildings_osm.geojson",
            OSM_ATTRIBUTION,
            false,
        ),
        (
            "research_units",
            RESEARCH_UNITS,
            "data/zone/research_units.geojson",
            generator::GENERATED_ATTRIBUTION,
            true,
        ),
        (
            "places",
            PLACES,
            "data/context/hetao_gba_points.geojson",
            "GeoNames (CC BY 4.0); Wikidata (CC0); HK Transport Department via DATA.GOV.HK; © OpenStreetMap contributors",
            false,
        ),
    ]
}

/// Load one embedded layer by its name in [`LAYER_NAMES`].
pub fn embedded_layer(name: &str) -> Result<Layer, ZoneError> {
    let Some((n, text, file, attribution, illustrative)) =
        layer_sources().into_iter().find(|s| s.0 == name)
    else {
        return Err(ZoneError::Layer {
            name: name.to_string(),
            message: "no such embedded layer".into(),
        });
    };
    let mut layer =
        crate::core::io::load_slice(text.as_bytes(), n, file).map_err(|e| ZoneError::Layer {
            name: n.to_string(),
            message: e.to_string(),
        })?;
    layer.attribution = Some(attribution.to_string());
    layer.illustrative = illustrative;
    Ok(layer)
}

/// The embedded zone dataset: every shipped layer, bottom to top.
pub fn embedded_dataset() -> Result<Dataset, ZoneError> {
    let layers = LAYER_NAMES
        .iter()
        .map(|n| embedded_layer(n))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Dataset { layers })
}

/// Replace the schematic Shenzhen park with an official (or any better) outline.
///
/// `outline` must hold at least one Polygon or MultiPolygon feature; its polygons become
/// the single feature of the `shenzhen_park` layer, which keeps its place in the stack, is
/// marked not illustrative, and keeps the outline's own attribution (or "supplied outline").
/// Buildings are not moved: see [`buildings_outside_park`] to list those that now fall
/// outside.
pub fn replace_shenzhen_park(ds: &mut Dataset, outline: Layer) -> Result<(), ZoneError> {
    let file = outline
        .source
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| outline.name.clone());
    let mut polys = Vec::new();
    for f in &outline.features {
        match &f.geometry {
            Some(geo::Geometry::Polygon(p)) => polys.push(p.clone()),
            Some(geo::Geometry::MultiPolygon(mp)) => polys.extend(mp.0.iter().cloned()),
            _ => {}
        }
    }
    if polys.is_empty() {
        return Err(ZoneError::Park {
            file,
            message: "no Polygon or MultiPolygon feature".into(),
        });
    }
    let geometry = if polys.len() == 1 {
        geo::Geometry::Polygon(polys.remove(0))
    } else {
        geo::Geometry::MultiPolygon(geo::MultiPolygon(polys))
    };
    let area = crate::core::measure::geodesic_area_m2(&geometry);
    if area.is_nan() || area <= 0.0 {
        return Err(ZoneError::Park {
            file,
            message: "the outline has no area".into(),
        });
    }
    let mut props = serde_json::Map::new();
    props.insert("name".into(), "Hetao Shenzhen park".into());
    props.insert("name_zh".into(), "河套深港科技创新合作区深圳园区".into());
    props.insert("park".into(), "SZ".into());
    props.insert("illustrative".into(), false.into());
    props.insert("schematic".into(), false.into());
    props.insert("source_file".into(), file.clone().into());
    let feature = Feature {
        id: None,
        geometry: Some(geometry),
        properties: Some(props.into()),
        ..Feature::default()
    };
    let layer = Layer {
        name: "shenzhen_park".into(),
        source: outline.source.clone(),
        features: vec![feature],
        attribution: Some(
            outline
                .attribution
                .clone()
                .unwrap_or_else(|| format!("supplied outline ({file})")),
        ),
        illustrative: false,
        ..Layer::default()
    };
    match ds.layers.iter_mut().find(|l| l.name == "shenzhen_park") {
        Some(l) => *l = layer,
        None => {
            let at = ds
                .layers
                .iter()
                .position(|l| l.name == "lok_ma_chau_loop")
                .unwrap_or(ds.layers.len());
            ds.layers.insert(at, layer);
        }
    }
    Ok(())
}

/// The park polygon(s) of `park` ("SZ" or "HK") in a dataset: the `shenzhen_park` layer's
/// polygons, or the Lok Ma Chau Loop polygon.
pub fn park_geometry(ds: &Dataset, park: &str) -> Option<geo::MultiPolygon<f64>> {
    let layer = match park {
        "SZ" => ds.layer("shenzhen_park")?,
        "HK" => ds.layer("lok_ma_chau_loop")?,
        _ => return None,
    };
    let mut polys = Vec::new();
    for f in &layer.features {
        match &f.geometry {
            Some(geo::Geometry::Polygon(p)) => polys.push(p.clone()),
            Some(geo::Geometry::MultiPolygon(mp)) => polys.extend(mp.0.iter().cloned()),
            _ => {}
        }
    }
    (!polys.is_empty()).then_some(geo::MultiPolygon(polys))
}

/// Ids of the buildings whose footprint is not inside their park's outline (after a
/// replacement outline, the generated buildings may not fit it); a building without an id
/// is named by its position, `feature N` (0-based).
pub fn buildings_outside_park(ds: &Dataset) -> Vec<String> {
    use geo::Contains;
    let mut out = Vec::new();
    let Some(layer) = ds.layer("buildings") else {
        return out;
    };
    let sz = park_geometry(ds, "SZ");
    let hk = park_geometry(ds, "HK");
    for (i, f) in layer.features.iter().enumerate() {
        let park = match f.prop_str("park") {
            Some("SZ") => sz.as_ref(),
            Some("HK") => hk.as_ref(),
            _ => None,
        };
        let inside = match (park, &f.geometry) {
            (Some(p), Some(g)) => p.contains(g),
            _ => false,
        };
        if !inside {
            out.push(feature_id(f).unwrap_or_else(|| format!("feature {i}")));
        }
    }
    out
}

/// A feature's id as text: the `id` member, else the `id` property; `None` when it has neither.
pub fn feature_id(f: &Feature) -> Option<String> {
    if let Some(id) = &f.id {
        return Some(id.to_string());
    }
    let v = f.prop("id")?;
    Some(v.as_str().map_or_else(|| v.to_string(), str::to_string))
}

/// Conversion status of a building or research-space unit (the one vocabulary for
/// `status` and `history[].status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Standing, in its original use (factory, warehouse, port building).
    Existing,
    /// Being converted or renovated into research or supporting space.
    Converting,
    /// Converted or renovated: delivered research or supporting space.
    Converted,
    /// A new building under construction.
    UnderConstruction,
    /// A planned building (site allocated, not started).
    Planned,
    /// A new building completed: delivered space.
    Completed,
}

impl Status {
    /// Every status, in the order tables show them.
    pub const ALL: [Status; 6] = [
        Status::Existing,
        Status::Converting,
        Status::Converted,
        Status::UnderConstruction,
        Status::Planned,
        Status::Completed,
    ];

    /// The name used in the data.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Existing => "existing",
            Status::Converting => "converting",
            Status::Converted => "converted",
            Status::UnderConstruction => "under_construction",
            Status::Planned => "planned",
            Status::Completed => "completed",
        }
    }

    /// Parse a name used in the data.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// True for delivered space (converted or completed).
    pub fn is_delivered(self) -> bool {
        matches!(self, Status::Converted | Status::Completed)
    }
}

/// Use of a building.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Use {
    /// Wet laboratories (life science, chemistry).
    WetLab,
    /// Dry laboratories and research offices.
    DryLabOffice,
    /// Pilot production and prototyping.
    PilotProduction,
    /// Talent apartments and visitor housing.
    TalentHousing,
    /// Supporting facilities (services, exhibition, commerce, utilities).
    Supporting,
    /// Port and logistics (Huanggang Port).
    PortLogistics,
    /// Factories and warehouses of the Free Trade Zone, not (yet) converted.
    FactoryWarehouse,
}

impl Use {
    /// Every use, in the order tables show them.
    pub const ALL: [Use; 7] = [
        Use::WetLab,
        Use::DryLabOffice,
        Use::PilotProduction,
        Use::TalentHousing,
        Use::Supporting,
        Use::PortLogistics,
        Use::FactoryWarehouse,
    ];

    /// The name used in the data.
    pub fn as_str(self) -> &'static str {
        match self {
            Use::WetLab => "wet_lab",
            Use::DryLabOffice => "dry_lab_office",
            Use::PilotProduction => "pilot_production",
            Use::TalentHousing => "talent_housing",
            Use::Supporting => "supporting",
            Use::PortLogistics => "port_logistics",
            Use::FactoryWarehouse => "factory_warehouse",
        }
    }

    /// Parse a name used in the data.
    pub fn parse(s: &str) -> Option<Use> {
        Use::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Research space (wet lab, dry lab / office, pilot production): such buildings hold
    /// research-space units.
    pub fn is_research(self) -> bool {
        matches!(self, Use::WetLab | Use::DryLabOffice | Use::PilotProduction)
    }

    /// Research and supporting space: what the 2035 targets count.
    pub fn counts_toward_target(self) -> bool {
        self.is_research() || matches!(self, Use::TalentHousing | Use::Supporting)
    }
}

pub use crate::core::model::history::status_as_of;

/// [`status_as_of`], parsed into a [`Status`] (`None` for a missing or unknown status).
pub fn parsed_status_as_of(f: &Feature, year: i32) -> Option<Status> {
    status_as_of(f, year).and_then(Status::parse)
}
