//! Travel reach: isochrones and travel times across both parks and the border.
//!
//! Owns the multimodal model of the Hetao zone's travel circles: walking, cycling and
//! driving over a noded street network (the shipped OSM streets of the Hong Kong side, or a
//! loaded road layer) and, where the streets end, a grid of the land; barriers (the old river
//! meander, with gates); MTR and Shenzhen Metro rail with per-branch headways, bus and
//! shuttle links, intercity rail with published times; and the HK–Shenzhen boundary, which
//! can be crossed only at control points with a dwell time per direction and opening hours.
//! Every result is modelled, not observed; [`assumptions`] lists what it rests on.
//!
//! - [`params`]: [`ReachParams`] (serde JSON) with the defaults and their sources.
//! - [`network`]: [`Network::build`] (node numbering, streets on the grid, snapping).
//! - [`grid`], [`land`]: the walking grid and the land mask with the boundary line.
//! - [`barriers`]: barrier segments (boundary, water, fences) and gates.
//! - [`streets`]: noding a road layer into a routable network; snapping to segments.
//! - [`services`]: rail lines and branches, bus links, intercity links, control points.
//! - [`search`]: bounded Dijkstra with a bucket queue.
//! - [`route`]: a travel time's legs and crossings.
//! - [`surface`], [`contour`]: travel-time surface to polygons.
//!
//! ```no_run
//! use hetao_atlas::core::reach::{Network, ReachParams, Mode, reach, travel_time};
//! let net = Network::build_embedded(&ReachParams::default())?;
//! let iso = reach(&net, (114.079, 22.521), Mode::Walk, &[10.0, 20.0, 30.0], 9.0 * 60.0)?;
//! let r = travel_time(&net, (114.079, 22.521), (114.2037, 22.4273), Mode::Transit, 540.0)?;
//! println!("{} min via {:?}", r.minutes, r.crossing_used);
//! # Ok::<(), hetao_atlas::core::reach::ReachError>(())
//! ```
//!
//! Units: minutes, metres, m², WGS84 lon/lat degrees, departure in minutes after midnight.

pub mod barriers;
pub mod contour;
pub mod grid;
pub mod land;
pub mod network;
pub mod params;
pub mod route;
pub mod search;
pub mod services;
pub mod streets;
pub mod surface;

pub use network::Network;
pub use params::ReachParams;
pub use route::{Crossing, Leg, Route, travel_time};

use contour::contour_surface;
use geo::{Geometry, MultiPolygon};
use search::{DS_PER_MIN, UNREACHED};
use serde::Serialize;

/// Why a reach query failed.
#[derive(Debug, thiserror::Error)]
pub enum ReachError {
    /// A parameter is out of range or a table refers to something missing.
    #[error("reach parameters: {0}")]
    Params(String),
    /// Embedded data could not be read.
    #[error("reach data: {0}")]
    Data(String),
    /// The point is outside the modelled area or cannot reach the network.
    #[error("{0}")]
    OutOfArea(String),
    /// The mode needs data that is not loaded.
    #[error("{0}")]
    Unavailable(String),
    /// No route within the search limit.
    #[error("no route found within {0} minutes")]
    NoRoute(f64),
    /// A mode name that is not walk, cycle, transit or drive.
    #[error("unknown mode {0:?} (walk, cycle, transit, drive)")]
    UnknownMode(String),
    /// The isochrone outlines could not be traced.
    #[error("contouring: {0}")]
    Contour(String),
    /// The caller cancelled the computation.
    #[error("cancelled")]
    Cancelled,
}

/// How one travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// On foot.
    Walk,
    /// By bicycle (crossing the boundary on foot).
    Cycle,
    /// Walking plus rail (MTR, Shenzhen Metro, intercity rail).
    Transit,
    /// By car over a loaded road layer.
    Drive,
}

impl Mode {
    /// `walk`, `cycle`, `transit`, `drive`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Walk => "walk",
            Mode::Cycle => "cycle",
            Mode::Transit => "transit",
            Mode::Drive => "drive",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = ReachError;
    fn from_str(s: &str) -> Result<Self, ReachError> {
        match s.to_ascii_lowercase().as_str() {
            "walk" => Ok(Mode::Walk),
            "cycle" | "bike" => Ok(Mode::Cycle),
            "transit" | "rail" => Ok(Mode::Transit),
            "drive" | "car" => Ok(Mode::Drive),
            _ => Err(ReachError::UnknownMode(s.to_string())),
        }
    }
}

/// One isochrone: the area reachable within `minutes`.
#[derive(Debug, Clone)]
pub struct Isochrone {
    /// The time budget, minutes.
    pub minutes: f64,
    /// The mode.
    pub mode: Mode,
    /// The area, WGS84 lon/lat.
    pub geometry: MultiPolygon<f64>,
    /// Geodesic area, m².
    pub area_m2: f64,
    /// The networks the band used: `streets (SOURCE)`, `walking grid`, `rail and bus`.
    pub networks: Vec<String>,
}

/// Where a point joins the network: start (or end) nodes with their deciseconds, and the
/// street snap when it joined a street.
#[derive(Debug, Clone)]
pub struct Access {
    /// (node, deciseconds between the point and the node).
    pub nodes: Vec<(usize, u32)>,
    /// The street segments the point snapped to (nearest first; empty: not on a street).
    pub snaps: Vec<streets::Snap>,
}

/// How a point joins the network for `mode`: the nearest street segment (walkable within
/// `street_cover_m`, drivable within `road_snap_m`), else the nearest open grid cell; with
/// `arriving` the point is a destination (one-way streets are entered from their start).
pub fn access(
    net: &Network,
    lonlat: (f64, f64),
    mode: Mode,
    arriving: bool,
) -> Result<Access, ReachError> {
    let (lon, lat) = lonlat;
    if !(lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat))
    {
        return Err(ReachError::OutOfArea(format!(
            "{lon},{lat} is not a longitude,latitude"
        )));
    }
    let (x, y) = net.proj.xy(lon, lat);
    let foot = net.foot_speed(mode);
    let ds = |m: f64, v: f64| (m / v * 10.0).round() as u32;
    let mut out = Vec::new();
    let snaps = net.snap_street(x, y, mode);
    if mode == Mode::Drive && snaps.is_empty() {
        if !net.has_roads() {
            return Err(ReachError::Unavailable(
                "driving needs a road layer (--roads FILE with OSM highway LineStrings)".into(),
            ));
        }
        let far = net
            .streets
            .snap(x, y, 20_000.0, |s, _| {
                net.params
                    .drive_speeds_kmh
                    .get(s.class as usize)
                    .is_some_and(|c| c.1 > 0.0)
            })
            .map(|s| s.off_m);
        return Err(ReachError::OutOfArea(match far {
            Some(d) => format!(
                "{lon},{lat} is {:.1} km from the nearest loaded road (driving starts and ends on a road within {:.0} m); load a road layer that covers it (--roads FILE)",
                d / 1000.0,
                net.params.road_snap_m
            ),
            None => format!(
                "{lon},{lat}: no loaded road within 20 km; load a road layer that covers it (--roads FILE)"
            ),
        }));
    }
    for &sn in &snaps {
        let seg = net.streets.segs[sn.seg];
        let v = match mode {
            Mode::Drive => net
                .params
                .drive_speeds_kmh
                .get(seg.class as usize)
                .map_or(foot, |c| c.1 / 3.6),
            _ => foot,
        };
        let off = ds(sn.off_m, net.params.walk_speed_mps.min(foot));
        let rb = net.road_base();
        let to_a = off + ds(sn.along_m, v);
        let to_b = off + ds(seg.len - sn.along_m, v);
        let one = mode == Mode::Drive && seg.oneway;
        // Leaving: forward to b always, back to a unless one way; arriving: the reverse.
        if !one || arriving {
            out.push((rb + seg.a as usize, to_a));
        }
        if !one || !arriving {
            out.push((rb + seg.b as usize, to_b));
        }
    }
    // Off the streets, or on a piece of street not joined to the main network (the HK Port
    // Area's roads at Huanggang, a path round a building): the grid too.
    let on_main = snaps.iter().any(|sn| {
        let a = net.streets.segs[sn.seg].a as usize;
        net.streets.component[a] == net.streets.main_component
    });
    if !on_main
        && mode != Mode::Drive
        && let Some((c, d)) = net.snap_to_grid(x, y)
    {
        out.push((c, ds(d * net.params.circuity, foot)));
    }
    if snaps.is_empty() {
        // Street-level places within 300 m (stations outside the grid, etc.).
        for (k, s) in net.specials.iter().enumerate() {
            if !s.street {
                continue;
            }
            let d = (s.x - x).hypot(s.y - y);
            if d <= 300.0 && !net.crosses_barrier((x, y), (s.x, s.y)) {
                out.push((net.special_base() + k, ds(d * net.params.circuity, foot)));
            }
        }
    }
    if out.is_empty() {
        return Err(ReachError::OutOfArea(format!(
            "{lon},{lat} is outside the modelled area (extent {:?}) or not on land",
            net.params.extent
        )));
    }
    Ok(Access { nodes: out, snaps })
}
/// The areas reachable from `from` (lon, lat) within each of `minutes`, departing at `depart`
/// (minutes after midnight). One [`Isochrone`] per budget, in the order given.
pub fn reach(
    net: &Network,
    from: (f64, f64),
    mode: Mode,
    minutes: &[f64],
    depart: f64,
) -> Result<Vec<Isochrone>, ReachError> {
    if minutes.is_empty()
        || minutes
            .iter()
            .any(|m| !(m.is_finite() && *m > 0.0 && *m <= 600.0))
    {
        return Err(ReachError::Params(
            "minutes must be positive numbers up to 600".into(),
        ));
    }
    let sources = access(net, from, mode, false)?.nodes;
    let limit = minutes.iter().copied().fold(0.0, f64::max);
    let s = net.search(
        mode,
        &sources,
        depart,
        (limit * DS_PER_MIN).ceil() as u32,
        &[],
        false,
    );
    let surface = surface::surface(net, mode, &s);
    let mut out = Vec::new();
    for &m in minutes {
        let mp = contour_surface(
            &surface,
            m,
            &net.proj,
            net.params.min_ring_m2,
            net.params.simplify_m,
        )?;
        let area = crate::core::measure::geodesic_area_m2(&Geometry::MultiPolygon(mp.clone()));
        out.push(Isochrone {
            minutes: m,
            mode,
            geometry: mp,
            area_m2: area,
            networks: networks_used(net, &s, m),
        });
    }
    Ok(out)
}

/// The networks a search used within `minutes`: streets, the walking grid, rail and bus.
fn networks_used(net: &Network, s: &search::Search, minutes: f64) -> Vec<String> {
    let limit = (minutes * DS_PER_MIN) as u32;
    let (mut grid, mut streets, mut rail) = (false, false, false);
    for &u in &s.settled {
        let u = u as usize;
        if s.dist[u] > limit {
            break;
        }
        if u < net.grid.len() {
            grid = true;
        } else if net.is_road(u) {
            streets = true;
        } else if net.special(u).is_some_and(|sp| !sp.street) {
            rail = true;
        }
    }
    let mut out = Vec::new();
    if streets {
        out.push(format!("streets ({})", net.streets_source));
    }
    if grid {
        out.push("walking grid".to_string());
    }
    if rail {
        out.push("rail and bus".to_string());
    }
    out
}

/// Travel times (minutes; `None` when not reached within `limit` minutes) from `from` to
/// each of `points`, with one search.
pub fn times_to(
    net: &Network,
    from: (f64, f64),
    mode: Mode,
    depart: f64,
    points: &[(f64, f64)],
    limit: f64,
) -> Result<Vec<Option<f64>>, ReachError> {
    let acc = access(net, from, mode, false)?;
    let s = net.search(
        mode,
        &acc.nodes,
        depart,
        (limit * DS_PER_MIN) as u32,
        &[],
        false,
    );
    Ok(points
        .iter()
        .map(|&p| {
            let egr = access(net, p, mode, true).ok()?;
            let direct = route::along_one_segment(net, mode, &acc, &egr);
            egr.nodes
                .iter()
                .filter(|(n, _)| s.dist[*n] != UNREACHED)
                .map(|(n, e)| s.dist[*n].saturating_add(*e))
                .chain(direct)
                .min()
                .map(|t| t as f64 / DS_PER_MIN)
                .filter(|&m| m <= limit)
        })
        .collect())
}

/// The `band` property and legend label of a budget's isochrone: "≤ 10 min" (what the
/// polygon is: reached within that many minutes). The app's bands and `hetao reach --out`
/// carry it, so one categorical style labels both.
pub fn band_label(minutes: f64) -> String {
    format!("≤ {minutes} min")
}

/// Named destinations shown with travel times: (name, lon, lat).
pub fn named_destinations(params: &ReachParams) -> Vec<(String, f64, f64)> {
    let mut out = vec![
        (
            "Hong Kong Science Park (Pak Shek Kok)".to_string(),
            114.20366,
            22.42734,
        ),
        (
            "Futian (GeoNames locality)".to_string(),
            114.05617,
            22.52192,
        ),
        ("Lok Ma Chau station".to_string(), 114.065694, 22.514389),
        (
            "Lok Ma Chau Loop (centroid)".to_string(),
            114.0791154,
            22.5214876,
        ),
        ("Huanggang Port".to_string(), 114.0670757, 22.523396),
        ("Sheung Shui".to_string(), 114.11667, 22.51667),
        ("Lo Wu station".to_string(), 114.113389, 22.528306),
        ("Admiralty station".to_string(), 114.16599, 22.27860),
    ];
    for s in &params.intercity.stations {
        out.push((s.name.clone(), s.lonlat[0], s.lonlat[1]));
    }
    out
}

/// How `mode` moves, in words.
pub fn movement(net: &Network, mode: Mode) -> String {
    match (mode, net.has_roads()) {
        (Mode::Drive, _) => format!("driving over the streets of {}", net.streets_source),
        (_, true) => format!(
            "over the streets of {} within {} m of a street, elsewhere over a land grid with circuity",
            net.streets_source, net.params.street_cover_m
        ),
        (_, false) => "over a land grid with circuity (no street data)".to_string(),
    }
}

/// The assumptions every output is labelled with (JSON object).
pub fn assumptions(net: &Network, mode: Mode, depart: f64) -> serde_json::Value {
    let p = &net.params;
    serde_json::json!({
        "mode": mode.name(),
        "depart": format!("{:02}:{:02}", (depart / 60.0).floor() as i64 % 24, depart.rem_euclid(60.0).round() as i64),
        "walk_speed_mps": p.walk_speed_mps,
        "cycle_speed_kmh": p.cycle_speed_kmh,
        "circuity": p.circuity,
        "movement": movement(net, mode),
        "streets": net.streets_source,
        "street_noding": net.streets.stats,
        "street_snap_m": p.street_snap_m,
        "street_join_m": p.street_join_m,
        "street_cover_m": p.street_cover_m,
        "barriers": net.access_barriers.iter().map(|b| b.name.clone()).collect::<std::collections::BTreeSet<_>>(),
        "gates": net.gates.iter().map(|g| g.name.clone()).collect::<Vec<_>>(),
        "bus_links": p.bus_links.iter().map(|l| serde_json::json!({"name": l.name, "minutes": l.minutes, "headway_min": l.headway_min, "hours": l.hours, "source": l.source, "verify": l.verify})).collect::<Vec<_>>(),
        "grid_cell_m": p.cell_m,
        "boarding": "station access time plus half the headway",
        "station_access_min": p.station_access_min,
        "rail_times": "MTR: distance model calibrated to published East Rail times, published overrides; intercity: published times (data/transit)",
        "boundary": "crossed only at control points, with dwell per direction and opening hours",
        "control_points": p.control_points.iter().map(|c| serde_json::json!({
            "id": c.id, "name": c.name, "hours": c.hours,
            "dwell_min_hk_to_sz": c.dwell_min.hk_to_sz, "dwell_min_sz_to_hk": c.dwell_min.sz_to_hk,
        })).collect::<Vec<_>>(),
    })
}
