//! Door-to-door travel time between two points with its route: the legs (walk, board,
//! ride, alight, crossing) and every boundary crossing with its dwell.

use super::network::EdgeKind;
use super::search::{DS_PER_MIN, GRID_STEP, SOURCE, UNREACHED};
use super::{Access, Mode, Network, ReachError, access};
use serde::Serialize;

/// One leg of a route.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Leg {
    /// `walk`, `cycle`, `drive`, `board` (access and waiting), `rail`, `bus`, `alight`,
    /// `crossing`.
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
    /// The (first) control point or on-board clearance crossed, if any.
    pub crossing_used: Option<String>,
    /// Every boundary crossing in order, with its dwell.
    pub crossings: Vec<Crossing>,
}

/// One crossing of the boundary on a route.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Crossing {
    /// Control point (or on-board clearance) name.
    pub name: String,
    /// Minutes spent crossing (the dwell; 0 when cleared on board).
    pub minutes: f64,
    /// True from Hong Kong to Shenzhen (for on-board clearance: unknown, false).
    pub northbound: bool,
}

/// Deciseconds from `from` to `to` along the one street segment both snap to, if they do
/// (and, driving, the segment may be driven that way).
pub fn along_one_segment(net: &Network, mode: Mode, from: &Access, to: &Access) -> Option<u32> {
    let (a, b) = (from.snaps.first()?, to.snaps.first()?);
    if a.seg != b.seg {
        return None;
    }
    let seg = net.streets.segs[a.seg];
    let foot = net.foot_speed(mode);
    let v = match mode {
        Mode::Drive => net
            .params
            .drive_speeds_kmh
            .get(seg.class as usize)
            .map_or(foot, |c| c.1 / 3.6),
        _ => foot,
    };
    if mode == Mode::Drive && seg.oneway && b.along_m < a.along_m {
        return None;
    }
    let w = net.params.walk_speed_mps.min(foot);
    let ds = ((a.off_m + b.off_m) / w + (b.along_m - a.along_m).abs() / v) * 10.0;
    Some(ds.round() as u32)
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
    let acc = access(net, from, mode, false)?;
    let egr = access(net, to, mode, true)?;
    let (sources, targets) = (acc.nodes.clone(), egr.nodes.clone());
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
    // Both ends on the same street segment: along it, if that is quicker.
    if let Some(ds) = along_one_segment(net, mode, &acc, &egr)
        && best.is_none_or(|bb| ds < bb.1)
    {
        let kind = match mode {
            Mode::Cycle => "cycle",
            Mode::Drive => "drive",
            _ => "walk",
        };
        return Ok(Route {
            minutes: ds as f64 / DS_PER_MIN,
            legs: vec![Leg {
                kind: kind.into(),
                name: String::new(),
                from: "start".into(),
                to: "destination".into(),
                minutes: ds as f64 / DS_PER_MIN,
            }],
            crossing_used: None,
            crossings: Vec::new(),
        });
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
    let place = |n: usize| -> String { net.special(n).map_or(String::new(), |s| s.name.clone()) };
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
            && (kind == move_kind || kind == "rail" || kind == "bus")
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
    let mut crossings: Vec<Crossing> = Vec::new();
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
                if let Some((_, c)) = net.line_crossing.iter().find(|(l, _)| *l == line)
                    && crossings.last().is_none_or(|x| &x.name != c)
                {
                    crossings.push(Crossing {
                        name: c.clone(),
                        minutes: 0.0,
                        northbound: false,
                    });
                }
                let bus = net.lines.get(line as usize).is_some_and(|l| l.bus);
                push(
                    if bus { "bus" } else { "rail" },
                    name,
                    place(a),
                    place(b),
                    dt,
                )
            }
            EdgeKind::Control { cp, northbound, .. } => {
                let name = net
                    .params
                    .control_points
                    .get(cp as usize)
                    .map_or(String::new(), |c| c.name.clone());
                crossings.push(Crossing {
                    name: name.clone(),
                    minutes: dt as f64 / DS_PER_MIN,
                    northbound,
                });
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
        crossing_used: crossings.first().map(|c| c.name.clone()),
        crossings,
    })
}
