//! Every number the reach model uses, in one serde struct ([`ReachParams`]) with defaults and
//! their sources. The rail, intercity and control-point tables are embedded from
//! `data/transit/*.json` and can be replaced by a planner's own JSON (`--params FILE`).
//!
//! Units: speeds in m/s or km/h as named, times in minutes, distances in metres, positions
//! WGS84 `[lon, lat]` degrees, clock times `HH:MM` (hours may run past 24 for after-midnight).

use super::ReachError;
use serde::{Deserialize, Serialize};

/// Embedded MTR service table (`data/transit/mtr_lines.json`).
pub const MTR_TABLE_JSON: &[u8] = include_bytes!("../../../data/transit/mtr_lines.json");
/// Embedded intercity rail table (`data/transit/intercity.json`).
pub const INTERCITY_JSON: &[u8] = include_bytes!("../../../data/transit/intercity.json");
/// Embedded control-point table (`data/transit/control_points.json`).
pub const CONTROL_POINTS_JSON: &[u8] = include_bytes!("../../../data/transit/control_points.json");
/// Embedded bus and shuttle links (`data/transit/bus_links.json`).
pub const BUS_LINKS_JSON: &[u8] = include_bytes!("../../../data/transit/bus_links.json");

/// All parameters of the reach model. `Default` gives the documented defaults.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ReachParams {
    /// Walking speed, m/s (default 1.3: typical adult walking speed used in transport planning).
    pub walk_speed_mps: f64,
    /// Cycling speed, km/h (default 15: typical urban cycling speed).
    pub cycle_speed_kmh: f64,
    /// Circuity of walking and cycling over the land grid: network distance / straight
    /// distance (default 1.25). Not applied on a loaded road layer, which has its own geometry.
    pub circuity: f64,
    /// Walking-grid cell size, metres (default 50).
    pub cell_m: f64,
    /// Walking-grid extent `[min_lon, min_lat, max_lon, max_lat]` (default covers Hong Kong
    /// and Shenzhen south of Guangming).
    pub extent: [f64; 4],
    /// Minutes from a station entrance to the platform, added when boarding (default 2).
    pub station_access_min: f64,
    /// Minutes from the platform to the street, added when alighting (default 1).
    pub station_egress_min: f64,
    /// Driving speed per OSM `highway` class, km/h (congested urban averages; assumption).
    pub drive_speeds_kmh: Vec<(String, f64)>,
    /// Farthest one walks off a road to the grid cell it colours, metres (default 150).
    pub offroad_m: f64,
    /// Use the shipped OSM streets of the Hong Kong side (`data/context/hk_loop_area_roads_osm.geojson`)
    /// when no road layer is given (default true).
    pub shipped_roads: bool,
    /// Use the shipped access barriers and gates (`data/barriers/`, default true).
    pub shipped_barriers: bool,
    /// Street vertices and T-junctions closer than this are one node, metres (default 0.75).
    pub street_snap_m: f64,
    /// A dead end this close to another street is joined to it, metres (default 5).
    pub street_join_m: f64,
    /// Land within this distance of a walkable street is walked over the streets, not the
    /// grid; points there snap to the nearest street, metres (default 150).
    pub street_cover_m: f64,
    /// Driving starts and ends on a drivable road within this distance, metres (default 500).
    pub road_snap_m: f64,
    /// Rings smaller than this are dropped from isochrones, m² (default 2 cells).
    pub min_ring_m2: f64,
    /// Douglas–Peucker tolerance for isochrone edges, metres (default half a cell).
    pub simplify_m: f64,
    /// MTR and Shenzhen Metro service model.
    pub rail: RailTable,
    /// Intercity rail links with published times.
    pub intercity: IntercityTable,
    /// The boundary control points.
    pub control_points: Vec<ControlPoint>,
    /// Bus and shuttle links with published ride times (`data/transit/bus_links.json`).
    pub bus_links: Vec<BusLink>,
}

/// A bus or shuttle link between two stops (both directions).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct BusLink {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// One end.
    pub from: BusStop,
    /// The other end.
    pub to: BusStop,
    /// In-vehicle minutes (including any on-route boundary clearance).
    pub minutes: f64,
    /// Minutes between departures; boarding waits half of it.
    pub headway_min: f64,
    /// Fixed minutes at the stop before departure.
    pub boarding_min: f64,
    /// Service hours `HH:MM-HH:MM` (boarding only then); none: the rail service hours.
    pub hours: Option<String>,
    /// Name of the control point crossed on board, when the link crosses the boundary.
    pub crossing: Option<String>,
    /// Where the figures come from.
    pub source: String,
    /// Figures that are assumptions to check before a decision rests on them.
    pub verify: Vec<String>,
}

/// A bus stop.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct BusStop {
    /// Display name.
    pub name: String,
    /// `[lon, lat]`.
    pub lonlat: [f64; 2],
    /// Where the position comes from.
    pub position_source: String,
}

/// A branch service of a line: trains running over `sequence` every `headway_min`
/// (boarded on its own platforms).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct Branch {
    /// Display name (the service is shown as "LINE (NAME)").
    pub name: String,
    /// Station codes in running order.
    pub sequence: Vec<String>,
    /// Minutes between trains of this service.
    pub headway_min: f64,
    /// Published range, minutes.
    pub headway_range_min: Option<[f64; 2]>,
    /// Where the headway comes from.
    pub source: String,
}

/// `data/transit/mtr_lines.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct RailTable {
    /// Rail track length / straight station distance.
    pub circuity: f64,
    /// First boarding, `HH:MM`.
    pub service_start: String,
    /// Last boarding, `HH:MM` (may exceed 24:00).
    pub service_end: String,
    /// The MTR lines.
    pub lines: Vec<RailLine>,
    /// Published segment times that replace the distance model.
    pub segment_overrides: Vec<SegmentOverride>,
    /// Parameters for the Shenzhen Metro lines read from the 2016 OSM layer.
    pub shenzhen_metro: Option<MetroParams>,
}

/// One line of the MTR table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct RailLine {
    /// `lineCode` in `mtr_osm.geojson`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Minutes between trains; boarding waits half of it.
    pub headway_min: f64,
    /// Scheduled running speed between stops, km/h.
    pub speed_kmh: f64,
    /// Minutes per stop (acceleration, braking, dwell).
    pub stop_min: f64,
    /// Station codes in running order, served at `headway_min`; a branch with its own
    /// headway goes in `branches`.
    pub sequences: Vec<Vec<String>>,
    /// Branch services with their own headways.
    #[serde(default)]
    pub branches: Vec<Branch>,
}

/// A published run time between two adjacent stations (both directions).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct SegmentOverride {
    /// Line code.
    pub line: String,
    /// Station code.
    pub from: String,
    /// Station code.
    pub to: String,
    /// Run time, minutes.
    pub minutes: f64,
    /// Where the number comes from.
    pub source: String,
}

/// Service parameters for Shenzhen Metro lines.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct MetroParams {
    /// Minutes between trains.
    pub headway_min: f64,
    /// Scheduled speed between stops, km/h.
    pub speed_kmh: f64,
    /// Minutes per stop.
    pub stop_min: f64,
    /// Where the numbers come from.
    pub source: String,
}

/// `data/transit/intercity.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct IntercityTable {
    /// The stations.
    pub stations: Vec<IntercityStation>,
    /// Links between them (both directions).
    pub links: Vec<IntercityLink>,
}

/// An intercity station.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct IntercityStation {
    /// Identifier used by links.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `[lon, lat]`.
    pub lonlat: [f64; 2],
    /// Where the position comes from.
    #[serde(default)]
    pub position_source: String,
}

/// An intercity link with a published time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct IntercityLink {
    /// Station id.
    pub from: String,
    /// Station id.
    pub to: String,
    /// In-vehicle minutes used by the model.
    pub minutes: f64,
    /// Published range, minutes.
    #[serde(default)]
    pub minutes_range: Option<[f64; 2]>,
    /// Minutes between trains; boarding waits half of it.
    pub headway_min: f64,
    /// Fixed minutes before departure (ticket, security, boarding).
    #[serde(default)]
    pub boarding_min: f64,
    /// Where the time comes from.
    #[serde(default)]
    pub source: String,
    /// Name of the boundary clearance on board or at a co-located station, when the link
    /// crosses the HK–Shenzhen boundary.
    #[serde(default)]
    pub crossing: Option<String>,
}

/// A boundary control point.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ControlPoint {
    /// Identifier (`--dwell ID=MIN`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Opening hours `HH:MM-HH:MM`.
    pub hours: String,
    /// Minutes to cross, per direction.
    pub dwell_min: Dwell,
    /// Modes allowed: `walk`, `cycle`, `transit`, `drive`.
    pub modes: Vec<String>,
    /// Hong Kong side `[lon, lat]`.
    pub hk: [f64; 2],
    /// Shenzhen side `[lon, lat]`.
    pub sz: [f64; 2],
    /// Where the positions come from.
    #[serde(default)]
    pub position_source: String,
}

/// Dwell per direction, minutes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Default)]
pub struct Dwell {
    /// Hong Kong to Shenzhen.
    pub hk_to_sz: f64,
    /// Shenzhen to Hong Kong.
    pub sz_to_hk: f64,
}

#[derive(Deserialize)]
struct ControlFile {
    control_points: Vec<ControlPoint>,
}

#[derive(Deserialize)]
struct BusFile {
    links: Vec<BusLink>,
}

/// Parse a clock time `HH:MM` into minutes after midnight (hours up to 48).
pub fn parse_clock(s: &str) -> Option<f64> {
    let (h, m) = s.trim().split_once(':')?;
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (h <= 48 && m < 60).then_some((h * 60 + m) as f64)
}

/// Parse `HH:MM-HH:MM` into (open, close) minutes after midnight.
pub fn parse_hours(s: &str) -> Option<(f64, f64)> {
    let (a, b) = s.split_once('-')?;
    Some((parse_clock(a)?, parse_clock(b)?))
}

impl ReachParams {
    /// The embedded tables, parsed. Errors only if the shipped JSON is broken.
    pub fn embedded() -> Result<Self, serde_json::Error> {
        let rail: RailTable = serde_json::from_slice(MTR_TABLE_JSON)?;
        let intercity: IntercityTable = serde_json::from_slice(INTERCITY_JSON)?;
        let cps: ControlFile = serde_json::from_slice(CONTROL_POINTS_JSON)?;
        let bus: BusFile = serde_json::from_slice(BUS_LINKS_JSON)?;
        Ok(ReachParams {
            walk_speed_mps: 1.3,
            cycle_speed_kmh: 15.0,
            circuity: 1.25,
            cell_m: 50.0,
            extent: [113.75, 22.15, 114.45, 22.85],
            station_access_min: 2.0,
            station_egress_min: 1.0,
            drive_speeds_kmh: [
                ("motorway", 70.0),
                ("trunk", 55.0),
                ("primary", 35.0),
                ("secondary", 30.0),
                ("tertiary", 25.0),
                ("unclassified", 20.0),
                ("residential", 20.0),
                ("service", 10.0),
                ("motorway_link", 40.0),
                ("trunk_link", 35.0),
                ("primary_link", 25.0),
                ("secondary_link", 25.0),
                ("tertiary_link", 20.0),
                ("living_street", 10.0),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
            offroad_m: 150.0,
            shipped_roads: true,
            shipped_barriers: true,
            street_snap_m: 0.75,
            street_join_m: 5.0,
            street_cover_m: 150.0,
            road_snap_m: 500.0,
            min_ring_m2: 5000.0,
            simplify_m: 25.0,
            rail,
            intercity,
            control_points: cps.control_points,
            bus_links: bus.links,
        })
    }

    /// Walking or cycling speed in m/s.
    pub fn cycle_speed_mps(&self) -> f64 {
        self.cycle_speed_kmh / 3.6
    }

    /// Check the numbers are usable; the message names the bad field.
    pub fn validate(&self) -> Result<(), ReachError> {
        let pos = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(ReachError::Params(format!(
                    "{name} must be a positive number, got {v}"
                )))
            }
        };
        pos("walk_speed_mps", self.walk_speed_mps)?;
        pos("cycle_speed_kmh", self.cycle_speed_kmh)?;
        pos("cell_m", self.cell_m)?;
        if !(self.circuity.is_finite() && self.circuity >= 1.0) {
            return Err(ReachError::Params(format!(
                "circuity must be >= 1, got {}",
                self.circuity
            )));
        }
        if self.cell_m.is_nan() || self.cell_m < 5.0 {
            return Err(ReachError::Params(format!(
                "cell_m must be at least 5 m, got {}",
                self.cell_m
            )));
        }
        let [a, b, c, d] = self.extent;
        if !(a < c && b < d && (-180.0..=180.0).contains(&a) && (-90.0..=90.0).contains(&b)) {
            return Err(ReachError::Params(format!(
                "extent {:?} is not [min_lon, min_lat, max_lon, max_lat]",
                self.extent
            )));
        }
        for cp in &self.control_points {
            if parse_hours(&cp.hours).is_none() {
                return Err(ReachError::Params(format!(
                    "control point {}: hours {:?} is not HH:MM-HH:MM",
                    cp.id, cp.hours
                )));
            }
            if !(cp.dwell_min.hk_to_sz >= 0.0 && cp.dwell_min.sz_to_hk >= 0.0) {
                return Err(ReachError::Params(format!(
                    "control point {}: dwell must be >= 0 minutes",
                    cp.id
                )));
            }
        }
        for l in &self.rail.lines {
            pos(&format!("line {} headway_min", l.code), l.headway_min)?;
            pos(&format!("line {} speed_kmh", l.code), l.speed_kmh)?;
        }
        for l in &self.intercity.links {
            pos(&format!("intercity {}-{} minutes", l.from, l.to), l.minutes)?;
        }
        for l in &self.rail.lines {
            for b in &l.branches {
                pos(
                    &format!("line {} branch {} headway_min", l.code, b.name),
                    b.headway_min,
                )?;
            }
        }
        for l in &self.bus_links {
            pos(&format!("bus link {} minutes", l.id), l.minutes)?;
            pos(&format!("bus link {} headway_min", l.id), l.headway_min)?;
            if l.hours.as_deref().is_some_and(|h| parse_hours(h).is_none()) {
                return Err(ReachError::Params(format!(
                    "bus link {}: hours {:?} is not HH:MM-HH:MM",
                    l.id, l.hours
                )));
            }
        }
        for (name, v) in [
            ("street_snap_m", self.street_snap_m),
            ("street_join_m", self.street_join_m),
            ("street_cover_m", self.street_cover_m),
            ("road_snap_m", self.road_snap_m),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ReachError::Params(format!(
                    "{name} must be a number >= 0, got {v}"
                )));
            }
        }
        Ok(())
    }
}

impl Default for ReachParams {
    fn default() -> Self {
        // The embedded tables are part of the program and are parsed by the tests.
        Self::embedded().expect("embedded data/transit tables parse (checked by tests/reach.rs)")
    }
}
