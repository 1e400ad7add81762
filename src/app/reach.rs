//! The travel-reach model of the app (its state, requests and worker): pick an origin on the map, choose the mode, the minutes,
//! the departure time and the model's assumptions (walking speed, circuity, the dwell time of
//! every boundary control point in each direction), and see the isochrone bands as the
//! `reach` layer with a legend, plus the travel times to the named destinations.
//!
//! The model is [`crate::core::reach`]. Building its network takes seconds and each query
//! a fraction of that, so both run on a worker thread ([`super::jobs::Job`]); the network is
//! rebuilt only when a parameter baked into it changes (control point dwell, tables, road
//! layer), not for walking speed or circuity, which the search reads. Changes are debounced:
//! a recompute starts [`DEBOUNCE`] after the last change (a slider being dragged keeps
//! postponing it; releasing it starts at once).
//!
//! Units: minutes, minutes after midnight for the departure, m/s, m².

use super::jobs::{Job, JobControl};
use crate::core::model::{Feature, Layer};
use crate::core::reach::{
    Isochrone, Mode, Network, ReachError, ReachParams, named_destinations, times_to, travel_time,
};
use crate::render::style::{ColorBy, Rgba, Style};
use geo::Geometry;
use serde_json::{Map, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Name of the map layer holding the bands.
pub const LAYER: &str = "reach";
/// Pause after the last change before a recompute starts.
pub const DEBOUNCE: Duration = Duration::from_millis(350);
/// Destinations farther than this (minutes) are shown as not reached.
pub const DEST_LIMIT_MIN: f64 = 240.0;

/// Band colours, shortest budget first (ColorBrewer YlGnBu, reversed: near = dark).
const RAMP: [[u8; 3]; 6] = [
    [37, 52, 148],
    [44, 127, 184],
    [65, 182, 196],
    [127, 205, 187],
    [199, 233, 180],
    [255, 255, 204],
];

/// One row of the destinations table.
#[derive(Debug, Clone, PartialEq)]
pub struct DestRow {
    /// Place name.
    pub name: String,
    /// Position, lon/lat.
    pub lonlat: (f64, f64),
    /// Door-to-door minutes (`None`: not reached within [`DEST_LIMIT_MIN`]).
    pub minutes: Option<f64>,
    /// Control point (or on-board clearance) crossed, if any.
    pub crossing: Option<String>,
}

/// What one run computes for: the inputs that, changed, make a new run necessary.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Origin, lon/lat.
    pub origin: (f64, f64),
    /// Mode.
    pub mode: Mode,
    /// Budgets, minutes, ascending.
    pub minutes: Vec<f64>,
    /// Departure, minutes after midnight.
    pub depart: f64,
    /// Model parameters.
    pub params: ReachParams,
    /// The road layer's name and feature count, if one is loaded.
    pub roads: Option<(String, usize)>,
}

/// What a finished run hands back.
pub struct Outcome {
    /// The request it answered.
    pub request: Request,
    /// The network it used, with its key (kept for the next run).
    pub net: Option<(String, Arc<Network>)>,
    /// The bands and destination rows, or the error.
    pub result: Result<(Vec<Isochrone>, Vec<DestRow>), ReachError>,
}

/// The reach panel's state.
pub struct ReachState {
    /// Origin, lon/lat.
    pub origin: Option<(f64, f64)>,
    /// Mode.
    pub mode: Mode,
    /// Budgets, minutes, ascending (default 10, 20, 30).
    pub minutes: Vec<f64>,
    /// The minutes as typed (comma separated).
    pub minutes_text: String,
    /// Departure, minutes after midnight (default 09:00).
    pub depart: f64,
    /// Model parameters (the sliders edit these).
    pub params: ReachParams,
    /// The last bands computed.
    pub bands: Vec<Isochrone>,
    /// The request the bands answer.
    pub shown: Option<Request>,
    /// Destination rows of the last run.
    pub destinations: Vec<DestRow>,
    /// Error of the last run or of the typed minutes.
    pub error: Option<String>,
    /// A recompute is wanted.
    pub dirty: bool,
    /// When the inputs last changed.
    pub changed_at: Option<Instant>,
    /// Network builds so far (the tests check rebuilds happen only when needed).
    pub builds: u32,
    pub(crate) net: Option<(String, Arc<Network>)>,
    pub(crate) job: Option<Job<Outcome>>,
}

impl Default for ReachState {
    fn default() -> Self {
        Self {
            origin: None,
            mode: Mode::Walk,
            minutes: vec![10.0, 20.0, 30.0],
            minutes_text: "10, 20, 30".into(),
            depart: 9.0 * 60.0,
            params: ReachParams::default(),
            bands: Vec::new(),
            shown: None,
            destinations: Vec::new(),
            error: None,
            dirty: false,
            changed_at: None,
            builds: 0,
            net: None,
            job: None,
        }
    }
}

/// The key of the network a parameter set builds: everything but what the search reads at
/// query time (walking speed, circuity, cycling speed), plus the road layer.
pub fn network_key(params: &ReachParams, roads: &Option<(String, usize)>) -> String {
    let mut p = params.clone();
    p.walk_speed_mps = 0.0;
    p.cycle_speed_kmh = 0.0;
    p.circuity = 0.0;
    format!(
        "{}|{:?}",
        serde_json::to_string(&p).unwrap_or_default(),
        roads
    )
}

/// Parse a list of minutes such as `10, 20, 30` (sorted, duplicates removed; each in 0–600].
pub fn parse_minutes(s: &str) -> Result<Vec<f64>, String> {
    let mut v = Vec::new();
    for part in s.split([',', ' ', ';']).filter(|p| !p.trim().is_empty()) {
        let m: f64 = part
            .trim()
            .parse()
            .map_err(|_| format!("{part:?} is not a number of minutes"))?;
        if !(m.is_finite() && m > 0.0 && m <= 600.0) {
            return Err(format!("{m} minutes: each budget must be in (0, 600]"));
        }
        v.push(m);
    }
    if v.is_empty() {
        return Err("give at least one number of minutes".into());
    }
    if v.len() > RAMP.len() {
        return Err(format!("at most {} budgets", RAMP.len()));
    }
    v.sort_by(f64::total_cmp);
    v.dedup();
    Ok(v)
}

/// `HH:MM` of minutes after midnight.
pub fn clock(min: f64) -> String {
    let m = min.rem_euclid(24.0 * 60.0).round() as i64;
    format!("{:02}:{:02}", m / 60 % 24, m % 60)
}

/// The first loaded layer with OSM `highway` LineStrings: noded into the street network in
/// place of the shipped Hong Kong streets.
pub fn road_layer(layers: &[std::sync::Arc<Layer>]) -> Option<&std::sync::Arc<Layer>> {
    layers
        .iter()
        .find(|l| l.name != LAYER && crate::core::reach::network::is_road_layer(l))
}

impl ReachState {
    /// Ask for a recompute (debounced from `now`).
    pub fn request(&mut self, now: Instant) {
        self.dirty = self.origin.is_some();
        self.changed_at = Some(now);
    }

    /// Set the origin and ask for a recompute at once.
    pub fn set_origin(&mut self, lonlat: (f64, f64), now: Instant) {
        self.origin = Some(lonlat);
        self.request(now);
        self.changed_at = now.checked_sub(DEBOUNCE);
    }

    /// Whether a worker is computing.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// The worker's progress and cancel handle, for the status bar.
    pub fn job_control(&self) -> Option<(String, JobControl)> {
        self.job
            .as_ref()
            .map(|j| (j.label.clone(), j.control.clone()))
    }

    /// The style of the bands: graduated by `minutes`, one colour per budget, translucent.
    pub fn style(&self) -> Style {
        let mut s = Style::default_for(LAYER);
        s.title = format!("Travel reach ({}, modelled)", self.mode.name());
        s.fill_opacity = 0.45;
        s.stroke = Some(Rgba([40, 40, 80, 200]));
        s.width = 1.0;
        // One class per budget, labelled as what it is: reached within N minutes.
        s.color_by = Some(ColorBy::Categorical {
            property: "band".into(),
            categories: self
                .minutes
                .iter()
                .zip(RAMP)
                .map(|(m, [r, g, b])| (band_label(*m), Rgba([r, g, b, 255]), band_label(*m)))
                .collect(),
            other: None,
        });
        s
    }

    pub(crate) fn current_request(&self, roads: Option<(String, usize)>) -> Option<Request> {
        Some(Request {
            origin: self.origin?,
            mode: self.mode,
            minutes: self.minutes.clone(),
            depart: self.depart,
            params: self.params.clone(),
            roads,
        })
    }
}

pub use crate::core::reach::band_label;

/// The short credit shown on the map for the bands (the full assumptions are in the Reach
/// panel and in the exported file's `assumptions` member).
pub fn map_attribution(mode: Mode, depart: f64) -> String {
    format!(
        "Modelled travel reach (Hetao Atlas, {} from {}): assumptions in the Reach panel",
        mode.name(),
        clock(depart)
    )
}

/// The full assumptions line of the bands (Reach panel, exported file).
pub fn attribution(mode: Mode, params: &ReachParams, depart: f64) -> String {
    let dwell: Vec<String> = params
        .control_points
        .iter()
        .map(|c| {
            format!(
                "{} {:.0}/{:.0} min",
                c.id, c.dwell_min.hk_to_sz, c.dwell_min.sz_to_hk
            )
        })
        .collect();
    format!(
        "Modelled travel reach (Hetao Atlas) — assumptions: {} departing {}, walk {:.2} m/s, \
         circuity {:.2}, boundary crossed only at control points (dwell HK→SZ/SZ→HK: {})",
        mode.name(),
        clock(depart),
        params.walk_speed_mps,
        params.circuity,
        dwell.join(", ")
    )
}

/// The bands as a layer: one feature per budget, largest first (so smaller ones draw on top),
/// with `minutes`, `mode`, `area_m2` and `depart`.
pub fn bands_layer(bands: &[Isochrone], depart: f64) -> Layer {
    let mode = bands.first().map_or(Mode::Walk, |b| b.mode);
    let mut sorted: Vec<&Isochrone> = bands.iter().collect();
    sorted.sort_by(|a, b| b.minutes.total_cmp(&a.minutes));
    let features = sorted
        .into_iter()
        .map(|b| {
            let mut p = Map::new();
            p.insert("minutes".into(), json!(b.minutes));
            p.insert("band".into(), json!(band_label(b.minutes)));
            p.insert("mode".into(), json!(b.mode.name()));
            p.insert("area_m2".into(), json!(b.area_m2.round()));
            p.insert("depart".into(), json!(clock(depart)));
            p.insert("networks".into(), json!(b.networks.join(" + ")));
            p.insert(
                "name".into(),
                json!(format!("{} min {}", b.minutes, b.mode.name())),
            );
            Feature {
                geometry: Some(Geometry::MultiPolygon(b.geometry.clone())),
                properties: Some(p.into()),
                ..Default::default()
            }
        })
        .collect();
    Layer {
        name: LAYER.into(),
        features,
        attribution: Some(map_attribution(mode, depart)),
        illustrative: true,
        ..Default::default()
    }
}

/// Run one reach request on the worker: build the network when `cached` does not match,
/// then the bands and the destination times, honouring cancel.
pub fn compute(
    req: &Request,
    cached: Option<(String, Arc<Network>)>,
    roads: Option<Arc<Layer>>,
    jc: &JobControl,
) -> Outcome {
    let key = network_key(&req.params, &req.roads);
    let net = match cached {
        Some((k, n)) if k == key => n,
        _ => {
            jc.set_progress(0.05);
            let ds = crate::core::model::Dataset {
                // (a copy on the worker, only when the network is rebuilt)
                layers: roads.map(Arc::unwrap_or_clone).into_iter().collect(),
            };
            match Network::build(&ds, &req.params) {
                Ok(n) => Arc::new(n),
                Err(e) => {
                    return Outcome {
                        request: req.clone(),
                        net: None,
                        result: Err(e),
                    };
                }
            }
        }
    };
    // walking speed, cycling speed and circuity are read by the search: patch, don't rebuild
    let net = if net.params == req.params {
        net
    } else {
        let mut n = (*net).clone();
        n.params = req.params.clone();
        Arc::new(n)
    };
    if jc.is_cancelled() {
        return Outcome {
            request: req.clone(),
            net: Some((key, net)),
            result: Err(ReachError::Cancelled),
        };
    }
    jc.set_progress(0.5);
    let result = (|| {
        let bands =
            crate::core::reach::reach(&net, req.origin, req.mode, &req.minutes, req.depart)?;
        jc.set_progress(0.75);
        let dests = named_destinations(&req.params);
        let pts: Vec<(f64, f64)> = dests.iter().map(|d| (d.1, d.2)).collect();
        let times = times_to(&net, req.origin, req.mode, req.depart, &pts, DEST_LIMIT_MIN)?;
        let mut rows = Vec::with_capacity(dests.len());
        for ((name, lon, lat), t) in dests.into_iter().zip(times) {
            if jc.is_cancelled() {
                return Err(ReachError::Cancelled);
            }
            let crossing = t.and_then(|_| {
                travel_time(&net, req.origin, (lon, lat), req.mode, req.depart)
                    .ok()
                    .and_then(|r| r.crossing_used)
            });
            rows.push(DestRow {
                name,
                lonlat: (lon, lat),
                minutes: t,
                crossing,
            });
        }
        jc.set_progress(1.0);
        Ok((bands, rows))
    })();
    Outcome {
        request: req.clone(),
        net: Some((key, net)),
        result,
    }
}
