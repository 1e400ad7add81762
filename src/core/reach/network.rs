//! The multimodal network: a walking grid over the land (implicit 8-neighbour edges, with the
//! HK–Shenzhen boundary and the access barriers cut out), a noded street network
//! ([`super::streets`]: the shipped OSM streets of the Hong Kong side unless a planner loads
//! a road layer), rail lines, bus links and intercity links ([`super::services`]), control
//! points (the only edges across the boundary).
//!
//! Walking follows the streets where there are streets: grid cells within
//! `street_cover_m` of a walkable street are not walked ([`grid::STREET`]) and are coloured
//! from the streets; elsewhere the grid carries on, joined to the streets where they end
//! (dead ends, the edge of the data). Driving uses the streets alone.
//!
//! Node numbering: `0..grid.len()` are grid cells, then street nodes, then special nodes
//! (stations, platforms, stops, control-point ends). Explicit edges are stored in a compact
//! CSR over all nodes. Coordinates are planar metres in the crate's local metric frame to
//! first order ([`TangentFrame::to_m`], affine in lon/lat).

use super::barriers::{self, AccessBarrier, Barriers, Gate};
use super::grid::{self, Grid};
use super::params::{ReachParams, parse_clock};
use super::streets::{Snap, Streets, Way};
use super::{Mode, ReachError};
use crate::core::measure::TangentFrame;
use crate::core::model::{Dataset, Layer};
use geo::Geometry;

/// Embedded MTR lines and stations (OSM).
pub const MTR_GEOJSON: &[u8] = include_bytes!("../../../data/context/mtr_osm.geojson");
/// Embedded Shenzhen Metro 2016 (OSM).
pub const SZ_METRO_GEOJSON: &[u8] =
    include_bytes!("../../../data/context/shenzhen_metro_osm_2016.geojson");
/// Embedded named points (GeoNames, Wikidata, TD GTFS).
pub const POINTS_GEOJSON: &[u8] = include_bytes!("../../../data/context/hetao_gba_points.geojson");
/// The shipped OSM streets of the Hong Kong side around the Loop (used unless a road layer
/// is given).
pub const HK_ROADS_GEOJSON: &[u8] =
    include_bytes!("../../../data/context/hk_loop_area_roads_osm.geojson");
/// Name of the shipped street network in outputs.
pub const HK_ROADS_NAME: &str = "hk_loop_area_roads_osm (OSM, Hong Kong side)";

pub use super::grid::DIRS;

/// What an explicit edge is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EdgeKind {
    /// Walk off the streets between a node and a grid cell (metres, straight line;
    /// circuity applied). Not for driving.
    Connector {
        /// Straight distance, metres.
        dist_m: f32,
    },
    /// Between a street-level place and the street it snaps to (metres, no circuity).
    RoadConnector {
        /// Distance to the street node (off the street plus along it), metres.
        dist_m: f32,
        /// Walking and cycling may use it.
        walk: bool,
        /// Driving may use it.
        drive: bool,
    },
    /// Board a service at a station or stop: access time plus half the headway.
    Board {
        /// Index into [`Network::lines`].
        line: u16,
        /// Minutes.
        min: f32,
    },
    /// Leave the platform.
    Alight {
        /// Minutes.
        min: f32,
    },
    /// Ride between adjacent stations or stops.
    Ride {
        /// Index into [`Network::lines`].
        line: u16,
        /// Minutes.
        min: f32,
    },
    /// Cross the boundary at a control point.
    Control {
        /// Index into `params.control_points`.
        cp: u16,
        /// Minutes.
        min: f32,
        /// True from Hong Kong to Shenzhen.
        northbound: bool,
    },
    /// A street segment.
    Road {
        /// Metres.
        dist_m: f32,
        /// Index into `params.drive_speeds_kmh` (u8::MAX: not drivable).
        class: u8,
        /// False where walking is not allowed (motorway, trunk).
        walkable: bool,
    },
}

/// An explicit edge.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    /// Target node.
    pub to: u32,
    /// What it is.
    pub kind: EdgeKind,
}

/// A special node: a station entrance, a platform, a stop, a control-point end.
#[derive(Debug, Clone)]
pub struct Special {
    /// Position, metres.
    pub x: f64,
    /// Position, metres.
    pub y: f64,
    /// Name for route legs.
    pub name: String,
    /// True when the node is a street-level place one can start or end at.
    pub street: bool,
}

/// A rail line, branch service or bus link as built.
#[derive(Debug, Clone)]
pub struct LineInfo {
    /// Line code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// True for a bus or shuttle link (its ride legs are `bus`, not `rail`).
    pub bus: bool,
}

/// The built network. Build once, query many times.
#[derive(Debug, Clone)]
pub struct Network {
    /// The parameters it was built with.
    pub params: ReachParams,
    /// Projection used for all coordinates.
    pub proj: TangentFrame,
    /// The walking grid.
    pub grid: Grid,
    /// The noded street network (node id = grid.len() + index).
    pub streets: Streets,
    /// Which street network was loaded (empty: none).
    pub streets_source: String,
    /// Special nodes (node id = grid.len() + streets.xy.len() + index).
    pub specials: Vec<Special>,
    /// CSR offsets over all nodes.
    pub offsets: Vec<u32>,
    /// CSR edges.
    pub edges: Vec<Edge>,
    /// Rail lines, branch services and bus links.
    pub lines: Vec<LineInfo>,
    /// Service hours per line (minutes after midnight); `None`: the rail service hours.
    pub line_hours: Vec<Option<(f64, f64)>>,
    /// Lines (intercity links, buses) that cross the boundary, with the crossing's name.
    pub line_crossing: Vec<(u16, String)>,
    /// The boundary and the access barriers (segments, metres, indexed).
    pub barriers: Barriers,
    /// The access barriers as loaded (water, fences), for drawing and reporting.
    pub access_barriers: Vec<AccessBarrier>,
    /// The gates in them.
    pub gates: Vec<Gate>,
    /// Control point opening hours (minutes after midnight).
    pub cp_hours: Vec<(f64, f64)>,
    /// Rail service hours (minutes after midnight).
    pub service: (f64, f64),
    /// Longest explicit edge per mode (walk, cycle, transit, drive), deciseconds.
    pub max_edge_ds: [u32; 4],
}

pub(super) fn load(bytes: &[u8], name: &str) -> Result<Layer, ReachError> {
    crate::core::io::load_slice(bytes, name, name).map_err(|e| ReachError::Data(e.to_string()))
}

pub(super) fn lonlat_of(g: &Option<Geometry<f64>>) -> Option<(f64, f64)> {
    match g {
        Some(Geometry::Point(p)) => Some((p.x(), p.y())),
        _ => None,
    }
}

/// Builder state for explicit edges.
pub(super) struct EdgeList {
    e: Vec<(u32, Edge)>,
}

impl EdgeList {
    pub(super) fn add(&mut self, from: usize, to: usize, kind: EdgeKind) {
        self.e.push((
            from as u32,
            Edge {
                to: to as u32,
                kind,
            },
        ));
    }
    pub(super) fn both(&mut self, a: usize, b: usize, kind: EdgeKind) {
        self.add(a, b, kind);
        self.add(b, a, kind);
    }
}

/// True when `layer` has LineStrings with an OSM `highway` property.
pub fn is_road_layer(layer: &Layer) -> bool {
    layer.features.iter().any(|f| {
        f.prop_str("highway").is_some()
            && matches!(
                f.geometry,
                Some(Geometry::LineString(_) | Geometry::MultiLineString(_))
            )
    })
}

impl Network {
    /// Build from the embedded data (MTR, Shenzhen Metro, boundary, land, barriers, the
    /// shipped Hong Kong streets) and the params' tables.
    pub fn build_embedded(params: &ReachParams) -> Result<Self, ReachError> {
        Self::build(&Dataset::default(), params)
    }

    /// Build from the embedded data plus the road layers in `dataset` (layers whose
    /// LineStrings carry an OSM `highway` property; other layers are ignored). With no road
    /// layer the shipped Hong Kong streets are used (unless `params.shipped_roads` is off).
    pub fn build(dataset: &Dataset, params: &ReachParams) -> Result<Self, ReachError> {
        params.validate()?;
        let [lon_a, lat_a, lon_b, lat_b] = params.extent;
        let proj = TangentFrame::new((lon_a + lon_b) / 2.0, (lat_a + lat_b) / 2.0);
        let (xa, ya) = proj.xy(lon_a, lat_a);
        let (xb, yb) = proj.xy(lon_b, lat_b);
        let cell = params.cell_m;
        let nx = ((xb - xa) / cell).ceil() as usize + 1;
        let ny = ((yb - ya) / cell).ceil() as usize + 1;
        if nx.saturating_mul(ny) > 40_000_000 {
            return Err(ReachError::Params(format!(
                "grid of {nx} x {ny} cells is too large; raise cell_m or shrink extent"
            )));
        }
        let mut grid = Grid::new(nx, ny, cell, xa, ya);
        let boundary = super::land::land_and_boundary(&mut grid, &proj)?;
        let near_m = params.offroad_m.max(cell);
        let mut bars = Barriers::default();
        for s in &boundary {
            bars.push(s[0], s[1]);
            grid.block_segment(s[0], s[1], near_m);
        }
        let (access_barriers, gates) = if params.shipped_barriers {
            barriers::embedded(&proj)?
        } else {
            (Vec::new(), Vec::new())
        };
        for b in &access_barriers {
            for w in b.line.windows(2) {
                for [p, q] in barriers::open_pieces(w[0], w[1], &gates) {
                    bars.push(p, q);
                    grid.block_segment(p, q, near_m);
                }
            }
        }
        let mut net = Network {
            params: params.clone(),
            proj,
            grid,
            streets: Streets::default(),
            streets_source: String::new(),
            specials: Vec::new(),
            offsets: Vec::new(),
            edges: Vec::new(),
            lines: Vec::new(),
            line_hours: Vec::new(),
            barriers: bars,
            access_barriers,
            gates,
            line_crossing: Vec::new(),
            cp_hours: Vec::new(),
            service: (
                parse_clock(&params.rail.service_start).unwrap_or(0.0),
                parse_clock(&params.rail.service_end).unwrap_or(1440.0),
            ),
            max_edge_ds: [0; 4],
        };
        let mut el = EdgeList { e: Vec::new() };
        net.build_streets(dataset, &mut el)?;
        net.build_rail(&mut el)?;
        net.build_intercity(&mut el)?;
        net.build_bus_links(&mut el)?;
        net.build_control_points(&mut el);
        net.finish(el);
        Ok(net)
    }

    /// Add a special node at lon/lat; returns its node id.
    pub(super) fn add_special(&mut self, lon: f64, lat: f64, name: &str, street: bool) -> usize {
        let (x, y) = self.proj.xy(lon, lat);
        self.specials.push(Special {
            x,
            y,
            name: name.to_string(),
            street,
        });
        self.special_base() + self.specials.len() - 1
    }

    /// Join a street-level special node to the network: to the nearest walkable street
    /// within `street_cover_m` (else to the grid), and to the nearest drivable road within
    /// `road_snap_m`.
    pub(super) fn attach(&self, el: &mut EdgeList, node: usize) {
        let s = &self.specials[node - self.special_base()];
        let (x, y) = (s.x, s.y);
        let walk = self.snap_street(x, y, Mode::Walk);
        for &sn in &walk {
            self.snap_edges(el, node, sn, true, false);
        }
        let on_main = walk.iter().any(|sn| {
            let a = self.streets.segs[sn.seg].a as usize;
            self.streets.component[a] == self.streets.main_component
        });
        if !on_main && let Some((c, d)) = self.snap_to_grid(x, y) {
            el.both(node, c, EdgeKind::Connector { dist_m: d as f32 });
        }
        for sn in self.snap_street(x, y, Mode::Drive) {
            self.snap_edges(el, node, sn, false, true);
        }
    }

    fn snap_edges(&self, el: &mut EdgeList, node: usize, sn: Snap, walk: bool, drive: bool) {
        let seg = self.streets.segs[sn.seg];
        let rb = self.road_base();
        for (end, d) in [
            (seg.a, sn.off_m + sn.along_m),
            (seg.b, sn.off_m + seg.len - sn.along_m),
        ] {
            el.both(
                node,
                rb + end as usize,
                EdgeKind::RoadConnector {
                    dist_m: d as f32,
                    walk,
                    drive,
                },
            );
        }
    }

    /// The nearest street segment `mode` may use from (x, y), without crossing a barrier:
    /// walkable within `street_cover_m` (walk, cycle, transit), drivable within
    /// `road_snap_m` (drive). With `main`, only segments of the largest connected piece of
    /// the street network.
    pub fn snap_street_in(&self, x: f64, y: f64, mode: Mode, main: bool) -> Option<Snap> {
        let drive = mode == Mode::Drive;
        let max = if drive {
            self.params.road_snap_m
        } else {
            self.params.street_cover_m
        };
        self.streets.snap(x, y, max, |s, q| {
            let usable = if drive {
                self.params
                    .drive_speeds_kmh
                    .get(s.class as usize)
                    .is_some_and(|c| c.1 > 0.0)
            } else {
                s.walkable
            };
            usable
                && (!main || self.streets.component[s.a as usize] == self.streets.main_component)
                && !self.barriers.crosses((x, y), q)
        })
    }

    /// The street snaps of (x, y) for `mode`: the nearest segment and, when that one lies
    /// off the main network (a path round a building, a platform), also the nearest of the
    /// main network.
    pub fn snap_street(&self, x: f64, y: f64, mode: Mode) -> Vec<Snap> {
        let Some(near) = self.snap_street_in(x, y, mode, false) else {
            return Vec::new();
        };
        let s = self.streets.segs[near.seg];
        let mut out = vec![near];
        if self.streets.component[s.a as usize] != self.streets.main_component
            && let Some(m) = self.snap_street_in(x, y, mode, true)
        {
            out.push(m);
        }
        out
    }

    /// The nearest land cell walked over the grid, reachable in a straight line from (x, y)
    /// without crossing a barrier (within 10 cells), with the distance in metres.
    pub fn snap_to_grid(&self, x: f64, y: f64) -> Option<(usize, f64)> {
        let g = &self.grid;
        let i = ((x - g.x0) / g.cell).round() as i64;
        let j = ((y - g.y0) / g.cell).round() as i64;
        let mut best: Option<(usize, f64)> = None;
        for r in 0..=10i64 {
            for dj in -r..=r {
                for di in -r..=r {
                    if di.abs().max(dj.abs()) != r {
                        continue;
                    }
                    let (ci, cj) = (i + di, j + dj);
                    if ci < 0 || cj < 0 || ci as usize >= g.nx || cj as usize >= g.ny {
                        continue;
                    }
                    let c = cj as usize * g.nx + ci as usize;
                    if g.land[c] != grid::OPEN {
                        continue;
                    }
                    let (cx, cy) = g.centre(c);
                    let d = (cx - x).hypot(cy - y);
                    if best.is_some_and(|b| b.1 <= d) {
                        continue;
                    }
                    if self.crosses_barrier((x, y), (cx, cy)) {
                        continue;
                    }
                    best = Some((c, d));
                }
            }
            // Any cell in a later ring is at least r * cell away.
            if best.is_some_and(|b| b.1 <= r as f64 * g.cell) {
                break;
            }
        }
        best
    }

    /// True when the straight segment a–b crosses the boundary or an access barrier.
    pub fn crosses_barrier(&self, a: (f64, f64), b: (f64, f64)) -> bool {
        self.barriers.crosses(a, b)
    }

    /// The road layers of `dataset`, else the shipped streets: ways in metres and the
    /// source's name.
    fn road_ways(&self, dataset: &Dataset) -> Result<(Vec<Way>, String), ReachError> {
        let mut layers: Vec<&Layer> = dataset.layers.iter().filter(|l| is_road_layer(l)).collect();
        let shipped;
        let name = if layers.is_empty() {
            if !self.params.shipped_roads {
                return Ok((Vec::new(), String::new()));
            }
            shipped = load(HK_ROADS_GEOJSON, "hk_loop_area_roads_osm")?;
            layers.push(&shipped);
            HK_ROADS_NAME.to_string()
        } else {
            layers
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let classes: Vec<&str> = self
            .params
            .drive_speeds_kmh
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        let mut ways = Vec::new();
        for layer in layers {
            for f in &layer.features {
                let Some(hw) = f.prop_str("highway") else {
                    continue;
                };
                let lines: Vec<&geo::LineString<f64>> = match &f.geometry {
                    Some(Geometry::LineString(l)) => vec![l],
                    Some(Geometry::MultiLineString(m)) => m.0.iter().collect(),
                    _ => continue,
                };
                let class = classes
                    .iter()
                    .position(|c| *c == hw)
                    .map_or(u8::MAX, |i| i as u8);
                let walkable = !matches!(hw, "motorway" | "motorway_link" | "trunk" | "trunk_link");
                let oneway = matches!(f.prop_str("oneway"), Some("yes" | "1" | "true"))
                    || matches!(hw, "motorway");
                for l in lines {
                    ways.push(Way {
                        pts: l.0.iter().map(|c| self.proj.xy(c.x, c.y)).collect(),
                        class,
                        walkable,
                        oneway,
                    });
                }
            }
        }
        Ok((ways, name))
    }

    /// Node the streets, add their edges, mark the grid cells they cover and join the grid
    /// to them where they end.
    fn build_streets(&mut self, dataset: &Dataset, el: &mut EdgeList) -> Result<(), ReachError> {
        let (ways, name) = self.road_ways(dataset)?;
        if ways.is_empty() {
            return Ok(());
        }
        let p = &self.params;
        let bars = &self.barriers;
        self.streets = Streets::node(&ways, p.street_snap_m, p.street_join_m, |a, b| {
            bars.crosses(a, b)
        });
        self.streets_source = name;
        let rb = self.road_base();
        for s in &self.streets.segs {
            let kind = EdgeKind::Road {
                dist_m: s.len as f32,
                class: s.class,
                walkable: s.walkable,
            };
            let (a, b) = (rb + s.a as usize, rb + s.b as usize);
            el.add(a, b, kind);
            if !s.oneway {
                el.add(b, a, kind);
            } else if s.walkable {
                // Pedestrians may walk a one-way street both ways.
                el.add(
                    b,
                    a,
                    EdgeKind::Road {
                        dist_m: s.len as f32,
                        class: u8::MAX,
                        walkable: true,
                    },
                );
            }
        }
        // Cells within street_cover_m of a walkable street, on its side of every barrier.
        let cover = self.params.street_cover_m;
        let g = &self.grid;
        let mut covered = Vec::new();
        for s in self.streets.segs.iter().filter(|s| s.walkable) {
            let (pa, pb) = (self.streets.xy[s.a as usize], self.streets.xy[s.b as usize]);
            let fi = |x: f64| ((x - g.x0) / g.cell).floor() as i64;
            let fj = |y: f64| ((y - g.y0) / g.cell).floor() as i64;
            let (i0, i1) = (fi(pa.0.min(pb.0) - cover), fi(pa.0.max(pb.0) + cover) + 1);
            let (j0, j1) = (fj(pa.1.min(pb.1) - cover), fj(pa.1.max(pb.1) + cover) + 1);
            for j in j0.max(0)..=j1.min(g.ny as i64 - 1) {
                for i in i0.max(0)..=i1.min(g.nx as i64 - 1) {
                    let c = j as usize * g.nx + i as usize;
                    if g.land[c] != grid::OPEN {
                        continue;
                    }
                    let q = g.centre(c);
                    let (d, t) = grid::point_segment_dist(q, pa, pb);
                    if d > cover {
                        continue;
                    }
                    let near = (pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1));
                    if g.near_barrier[c] != 0 && self.barriers.crosses(q, near) {
                        continue;
                    }
                    covered.push(c);
                }
            }
        }
        for c in covered {
            self.grid.land[c] = grid::STREET;
        }
        // Where the streets end (dead ends, the edge of the data) the grid carries on.
        for (n, &deg) in self.streets.degree.iter().enumerate() {
            if deg != 1 {
                continue;
            }
            let (x, y) = self.streets.xy[n];
            let reach = cover + 2.0 * self.grid.cell;
            if let Some((c, d)) = self.snap_to_grid(x, y)
                && d <= reach
            {
                el.both(rb + n, c, EdgeKind::Connector { dist_m: d as f32 });
            }
        }
        Ok(())
    }

    fn finish(&mut self, el: EdgeList) {
        let n = self.node_count();
        let mut counts = vec![0u32; n + 1];
        for (f, _) in &el.e {
            counts[*f as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let dummy = Edge {
            to: 0,
            kind: EdgeKind::Alight { min: 0.0 },
        };
        let mut edges = vec![dummy; el.e.len()];
        for (f, e) in el.e {
            let k = &mut fill[f as usize];
            edges[*k as usize] = e;
            *k += 1;
        }
        self.offsets = counts;
        self.edges = edges;
        for (k, mode) in [Mode::Walk, Mode::Cycle, Mode::Transit, Mode::Drive]
            .into_iter()
            .enumerate()
        {
            self.max_edge_ds[k] = self
                .edges
                .iter()
                .filter_map(|e| self.edge_cost(mode, e.kind))
                .max()
                .unwrap_or(0);
        }
    }

    /// Total node count.
    pub fn node_count(&self) -> usize {
        self.special_base() + self.specials.len()
    }

    /// First street node id.
    pub fn road_base(&self) -> usize {
        self.grid.len()
    }

    /// First special node id.
    pub fn special_base(&self) -> usize {
        self.grid.len() + self.streets.xy.len()
    }

    /// True when a street network is loaded.
    pub fn has_roads(&self) -> bool {
        !self.streets.is_empty()
    }

    /// True when `n` is a street node.
    pub fn is_road(&self, n: usize) -> bool {
        (self.road_base()..self.special_base()).contains(&n)
    }

    /// The special node behind node id `n`, if it is one.
    pub fn special(&self, n: usize) -> Option<&Special> {
        n.checked_sub(self.special_base())
            .and_then(|k| self.specials.get(k))
    }

    /// Position of any node, metres.
    pub fn node_xy(&self, n: usize) -> (f64, f64) {
        if n < self.grid.len() {
            self.grid.centre(n)
        } else if let Some(s) = self.special(n) {
            (s.x, s.y)
        } else {
            self.streets.xy[n - self.road_base()]
        }
    }

    /// Whether `mode` walks over the grid (everything but driving).
    pub fn walks_grid(&self, mode: Mode) -> bool {
        mode != Mode::Drive
    }
}
