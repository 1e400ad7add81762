//! Travel reach: isochrones and travel times across both parks and the border.
//!
//! Owns the multimodal model of the Hetao zone's travel circles: walking and cycling over a
//! grid of the land (or over a loaded road layer), MTR and Shenzhen Metro rail, intercity rail
//! with published times, and the HK–Shenzhen boundary, which can be crossed only at control
//! points with a dwell time per direction and opening hours. Every result is modelled, not
//! observed; [`assumptions`] lists what it rests on.
//!
//! - [`params`]: [`ReachParams`] (serde JSON) with the defaults and their sources.
//! - [`network`]: [`Network::build`] (grid, boundary, rail, control points, roads).
//! - [`search`]: bounded Dijkstra with a bucket queue.
//! - [`contour`]: travel-time surface to polygons.
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

pub mod contour;
pub mod network;
pub mod params;
pub mod search;

pub use network::Network;
pub use params::ReachParams;

use contour::{Surface, contour_surface};
use geo::{Geometry, MultiPolygon};
use network::EdgeKind;
use search::{DS_PER_MIN, GRID_STEP, SOURCE, UNREACHED};
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
}

/// One leg of a route.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Leg {
    /// `walk`, `cycle`, `drive`, `board` (access and waiting), `rail`, `alight`, `crossing`.
    pub kind: String,
    /// Line, link or control point name (empty for walking).
    pub name: String,
    /// Where the leg starts.
    pub from: String,
    /// Where the leg ends.
    pub to: String,
    /// Minutes.
    pub minutes: f64,
}

/// A travel time with its route.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    /// Door-to-door minutes.
    pub minutes: f64,
    /// The legs in order.
    pub legs: Vec<Leg>,
    /// The control point crossed, if any.
    pub crossing_used: Option<String>,
}

/// Where a point enters the network: start nodes with their initial deciseconds.
fn access(net: &Network, lonlat: (f64, f64), mode: Mode) -> Result<Vec<(usize, u32)>, ReachError> {
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
    let mut out = Vec::new();
    let speed = net.foot_speed(mode);
    if net.uses_roads(mode) {
        if mode == Mode::Drive && !net.has_roads() {
            return Err(ReachError::Unavailable(
                "driving needs a road layer (--roads FILE with OSM highway LineStrings)".into(),
            ));
        }
        if let Some((r, d)) = net.nearest_road(x, y, 2000.0) {
            out.push((net.road_base() + r, (d / speed * 10.0).round() as u32));
        }
    } else if let Some((c, d)) = net.snap_to_grid(x, y) {
        out.push((c, (d * net.params.circuity / speed * 10.0).round() as u32));
    }
    // Street-level special nodes within 300 m (stations outside the grid, etc.).
    for (k, s) in net.specials.iter().enumerate() {
        if !s.street {
            continue;
        }
        let d = (s.x - x).hypot(s.y - y);
        if d <= 300.0 && !net.crosses_barrier((x, y), (s.x, s.y)) {
            out.push((
                net.grid.len() + k,
                (d * net.params.circuity / speed * 10.0).round() as u32,
            ));
        }
    }
    if out.is_empty() {
        return Err(ReachError::OutOfArea(format!(
            "{lon},{lat} is outside the modelled area (extent {:?}) or not on land",
            net.params.extent
        )));
    }
    Ok(out)
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
    let sources = access(net, from, mode)?;
    let limit = minutes.iter().copied().fold(0.0, f64::max);
    let s = net.search(
        mode,
        &sources,
        depart,
        (limit * DS_PER_MIN).ceil() as u32,
        &[],
        false,
    );
    let surface = surface(net, mode, &s);
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
        });
    }
    Ok(out)
}

/// The travel-time surface of a finished search, over the window it reached.
fn surface(net: &Network, mode: Mode, s: &search::Search) -> Surface {
    let g = &net.grid;
    if !net.uses_roads(mode) {
        let (mut i0, mut j0, mut i1, mut j1) = (usize::MAX, usize::MAX, 0, 0);
        for &u in &s.settled {
            let u = u as usize;
            if u < g.len() {
                let (i, j) = (u % g.nx, u / g.nx);
                i0 = i0.min(i);
                i1 = i1.max(i);
                j0 = j0.min(j);
                j1 = j1.max(j);
            }
        }
        if i0 == usize::MAX {
            return Surface {
                nx: 0,
                ny: 0,
                x0: 0.0,
                y0: 0.0,
                cell: g.cell,
                minutes: vec![],
            };
        }
        // One unreached sample of margin on every side closes the rings.
        let (nx, ny) = (i1 - i0 + 3, j1 - j0 + 3);
        let mut minutes = vec![f64::INFINITY; nx * ny];
        for &u in &s.settled {
            let u = u as usize;
            if u < g.len() {
                let (i, j) = (u % g.nx, u / g.nx);
                minutes[(j - j0 + 1) * nx + (i - i0 + 1)] = s.dist[u] as f64 / DS_PER_MIN;
            }
        }
        let (x0, y0) = g.centre(j0 * g.nx + i0);
        return Surface {
            nx,
            ny,
            x0: x0 - g.cell,
            y0: y0 - g.cell,
            cell: g.cell,
            minutes,
        };
    }
    // Roads: splat every reached road node onto a coarser grid, walking off the road.
    let cell = net.params.offroad_m.max(g.cell);
    let base = net.road_base();
    let (mut x0, mut y0, mut x1, mut y1) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for &u in &s.settled {
        let (x, y) = net.node_xy(u as usize);
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    if !x0.is_finite() {
        return Surface {
            nx: 0,
            ny: 0,
            x0: 0.0,
            y0: 0.0,
            cell,
            minutes: vec![],
        };
    }
    let (x0, y0) = (x0 - 2.0 * cell, y0 - 2.0 * cell);
    let nx = ((x1 - x0) / cell).ceil() as usize + 3;
    let ny = ((y1 - y0) / cell).ceil() as usize + 3;
    let mut minutes = vec![f64::INFINITY; nx * ny];
    let walk = net.params.walk_speed_mps;
    let reach_m = net.params.offroad_m * 1.5;
    for &u in &s.settled {
        let u = u as usize;
        if u < base && u >= g.len() && !net.specials[u - g.len()].street {
            continue;
        }
        let t = s.dist[u] as f64 / DS_PER_MIN;
        let (x, y) = net.node_xy(u);
        let ci = ((x - x0) / cell).round() as i64;
        let cj = ((y - y0) / cell).round() as i64;
        for dj in -1..=1 {
            for di in -1..=1 {
                let (i, j) = (ci + di, cj + dj);
                if i < 0 || j < 0 || i as usize >= nx || j as usize >= ny {
                    continue;
                }
                let (px, py) = (x0 + i as f64 * cell, y0 + j as f64 * cell);
                let d = (px - x).hypot(py - y);
                if d > reach_m {
                    continue;
                }
                let m = t + d / walk / 60.0;
                let slot = &mut minutes[j as usize * nx + i as usize];
                if m < *slot {
                    *slot = m;
                }
            }
        }
    }
    Surface {
        nx,
        ny,
        x0,
        y0,
        cell,
        minutes,
    }
}

/// Where a destination point joins the network: (node, extra deciseconds) candidates.
fn egress(net: &Network, to: (f64, f64), mode: Mode) -> Result<Vec<(usize, u32)>, ReachError> {
    // Symmetric with access for undirected modes.
    access(net, to, mode)
}

/// Travel time from `from` to `to` (lon, lat) by `mode`, departing at `depart` (minutes after
/// midnight), searched up to 6 hours.
pub fn travel_time(
    net: &Network,
    from: (f64, f64),
    to: (f64, f64),
    mode: Mode,
    depart: f64,
) -> Result<Route, ReachError> {
    let sources = access(net, from, mode)?;
    let targets = egress(net, to, mode)?;
    let limit = 360.0;
    let s = net.search(
        mode,
        &sources,
        depart,
        (limit * DS_PER_MIN) as u32,
        &targets,
        true,
    );
    let mut best: Option<(usize, u32)> = None;
    for &(n, extra) in &targets {
        if s.dist[n] != UNREACHED {
            let t = s.dist[n].saturating_add(extra);
            if best.is_none_or(|b| t < b.1) {
                best = Some((n, t));
            }
        }
    }
    let Some((end, total)) = best else {
        return Err(ReachError::NoRoute(limit));
    };
    // Walk the predecessors back.
    let mut path = vec![end];
    let mut u = end;
    while s.pred[u] != UNREACHED {
        u = s.pred[u] as usize;
        path.push(u);
        if path.len() > net.node_count() {
            break;
        }
    }
    path.reverse();
    let start_extra = sources.iter().find(|x| x.0 == path[0]).map_or(0, |x| x.1);
    let end_extra = total - s.dist[end];
    let mut legs: Vec<Leg> = Vec::new();
    let place = |n: usize| -> String {
        if n >= net.grid.len() && n < net.road_base() {
            net.specials[n - net.grid.len()].name.clone()
        } else {
            String::new()
        }
    };
    let move_kind = match mode {
        Mode::Cycle => "cycle",
        Mode::Drive => "drive",
        _ => "walk",
    };
    let mut push = |kind: &str, name: String, from: String, to: String, ds: u32| {
        let minutes = ds as f64 / DS_PER_MIN;
        if let Some(last) = legs.last_mut()
            && last.kind == kind
            && last.name == name
            && (kind == move_kind || kind == "rail")
        {
            last.minutes += minutes;
            if !to.is_empty() {
                last.to = to;
            }
            return;
        }
        legs.push(Leg {
            kind: kind.to_string(),
            name,
            from,
            to,
            minutes,
        });
    };
    push(
        move_kind,
        String::new(),
        "start".into(),
        place(path[0]),
        start_extra,
    );
    let mut crossing = None;
    for w in path.windows(2) {
        let (a, b) = (w[0], w[1]);
        let dt = s.dist[b] - s.dist[a];
        let e = s.pred_edge[b];
        if e == GRID_STEP || e == SOURCE {
            push(move_kind, String::new(), place(a), place(b), dt);
            continue;
        }
        let kind = net.edges[e as usize].kind;
        match kind {
            EdgeKind::Connector { .. } | EdgeKind::RoadConnector { .. } | EdgeKind::Road { .. } => {
                push(move_kind, String::new(), place(a), place(b), dt)
            }
            EdgeKind::Board { line, .. } => {
                let name = net
                    .lines
                    .get(line as usize)
                    .map_or(String::new(), |l| l.name.clone());
                push("board", name, place(a), place(b), dt)
            }
            EdgeKind::Alight { .. } => push("alight", String::new(), place(a), place(b), dt),
            EdgeKind::Ride { line, .. } => {
                let name = net
                    .lines
                    .get(line as usize)
                    .map_or(String::new(), |l| l.name.clone());
                if let Some((_, c)) = net.line_crossing.iter().find(|(l, _)| *l == line) {
                    crossing = Some(c.clone());
                }
                push("rail", name, place(a), place(b), dt)
            }
            EdgeKind::Control { cp, .. } => {
                let name = net
                    .params
                    .control_points
                    .get(cp as usize)
                    .map_or(String::new(), |c| c.name.clone());
                crossing = Some(name.clone());
                push("crossing", name, place(a), place(b), dt)
            }
        }
    }
    push(
        move_kind,
        String::new(),
        place(end),
        "destination".into(),
        end_extra,
    );
    legs.retain(|l| l.minutes > 0.0 || l.kind != move_kind);
    Ok(Route {
        minutes: total as f64 / DS_PER_MIN,
        legs,
        crossing_used: crossing,
    })
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
    let sources = access(net, from, mode)?;
    let s = net.search(
        mode,
        &sources,
        depart,
        (limit * DS_PER_MIN) as u32,
        &[],
        false,
    );
    Ok(points
        .iter()
        .map(|&p| {
            let cands = egress(net, p, mode).ok()?;
            cands
                .iter()
                .filter(|(n, _)| s.dist[*n] != UNREACHED)
                .map(|(n, e)| s.dist[*n].saturating_add(*e))
                .min()
                .map(|t| t as f64 / DS_PER_MIN)
                .filter(|&m| m <= limit)
        })
        .collect())
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

/// The assumptions every output is labelled with (JSON object).
pub fn assumptions(net: &Network, mode: Mode, depart: f64) -> serde_json::Value {
    let p = &net.params;
    serde_json::json!({
        "mode": mode.name(),
        "depart": format!("{:02}:{:02}", (depart / 60.0).floor() as i64 % 24, depart.rem_euclid(60.0).round() as i64),
        "walk_speed_mps": p.walk_speed_mps,
        "cycle_speed_kmh": p.cycle_speed_kmh,
        "circuity": p.circuity,
        "movement": if net.uses_roads(mode) { "over the loaded road layer" } else { "over a land grid with circuity (no road data)" },
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
