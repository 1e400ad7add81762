//! The multimodal network: a walking grid over the land (implicit 8-neighbour edges, with the
//! HK–Shenzhen boundary cut out), rail lines and intercity links, control points (the only
//! edges across the boundary) and, when a planner loads one, a road graph.
//!
//! Node numbering: `0..grid.len()` are grid cells, then special nodes (stations, platforms,
//! control-point ends), then road nodes. Explicit edges are stored in a compact CSR over all
//! nodes. Coordinates are planar metres in the crate's local metric frame to first order
//! ([`TangentFrame::to_m`], affine in lon/lat).

use super::params::{ReachParams, parse_clock, parse_hours};
use super::{Mode, ReachError};
use crate::core::measure::TangentFrame;
use crate::core::model::{Dataset, Layer};
use geo::Geometry;
use std::collections::HashMap;

/// Embedded MTR lines and stations (OSM).
pub const MTR_GEOJSON: &[u8] = include_bytes!("../../../data/context/mtr_osm.geojson");
/// Embedded Shenzhen Metro 2016 (OSM).
pub const SZ_METRO_GEOJSON: &[u8] =
    include_bytes!("../../../data/context/shenzhen_metro_osm_2016.geojson");
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
/// Embedded named points (GeoNames, Wikidata, TD GTFS).
pub const POINTS_GEOJSON: &[u8] = include_bytes!("../../../data/context/hetao_gba_points.geojson");

/// The 8 grid directions (dx, dy); direction `d` and `(d + 4) % 8` are opposite.
pub const DIRS: [(i32, i32); 8] = [
    (1, 0),
    (1, 1),
    (0, 1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
    (0, -1),
    (1, -1),
];

/// The walking grid.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// Cell size, metres.
    pub cell: f64,
    /// Centre of cell (0, 0), metres.
    pub x0: f64,
    /// Centre of cell (0, 0), metres.
    pub y0: f64,
    /// 1 where the cell is land.
    pub land: Vec<u8>,
    /// Bit `d` set: the edge in direction `d` is cut by the boundary.
    pub blocked: Vec<u8>,
}

impl Grid {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }
    /// True when there are no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Centre of a cell, metres.
    pub fn centre(&self, c: usize) -> (f64, f64) {
        let (i, j) = (c % self.nx, c / self.nx);
        (
            self.x0 + i as f64 * self.cell,
            self.y0 + j as f64 * self.cell,
        )
    }
}

/// What an explicit edge is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EdgeKind {
    /// Walk between a special node and a grid cell (metres, straight line; circuity applied).
    Connector {
        /// Straight distance, metres.
        dist_m: f32,
    },
    /// Walk/drive between a special node and a road node (metres).
    RoadConnector {
        /// Straight distance, metres.
        dist_m: f32,
    },
    /// Board a line at a station: access time plus half the headway.
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
    /// Ride between adjacent stations.
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
    /// A road segment.
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

/// A special node: a station entrance, a platform, a control-point end, an intercity station.
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

/// A rail line as built.
#[derive(Debug, Clone)]
pub struct LineInfo {
    /// Line code.
    pub code: String,
    /// Display name.
    pub name: String,
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
    /// Special nodes (node id = grid.len() + index).
    pub specials: Vec<Special>,
    /// Road node positions, metres (node id = grid.len() + specials.len() + index).
    pub road_xy: Vec<(f32, f32)>,
    /// CSR offsets over all nodes.
    pub offsets: Vec<u32>,
    /// CSR edges.
    pub edges: Vec<Edge>,
    /// Rail lines (MTR then Shenzhen Metro).
    pub lines: Vec<LineInfo>,
    /// Lines (intercity links) that cross the boundary, with the crossing's name.
    pub line_crossing: Vec<(u16, String)>,
    /// Boundary segments, metres.
    pub barrier: Vec<[(f64, f64); 2]>,
    /// Control point opening hours (minutes after midnight).
    pub cp_hours: Vec<(f64, f64)>,
    /// Rail service hours (minutes after midnight).
    pub service: (f64, f64),
    /// Longest explicit edge per mode (walk, cycle, transit, drive), deciseconds.
    pub max_edge_ds: [u32; 4],
    /// Road bucket index: cell size and map from bucket to road node ids.
    road_buckets: HashMap<(i32, i32), Vec<u32>>,
    road_bucket_m: f64,
}

fn seg_intersect(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    fn orient(p: (f64, f64), q: (f64, f64), r: (f64, f64)) -> f64 {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    }
    let d1 = orient(c, d, a);
    let d2 = orient(c, d, b);
    let d3 = orient(a, b, c);
    let d4 = orient(a, b, d);
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0) || d1 == 0.0 || d2 == 0.0)
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0) || d3 == 0.0 || d4 == 0.0)
        && {
            // Reject collinear-but-disjoint cases.
            let minx = a.0.min(b.0).max(c.0.min(d.0));
            let maxx = a.0.max(b.0).min(c.0.max(d.0));
            let miny = a.1.min(b.1).max(c.1.min(d.1));
            let maxy = a.1.max(b.1).min(c.1.max(d.1));
            minx <= maxx + 1e-9 && miny <= maxy + 1e-9
        }
}

fn load(bytes: &[u8], name: &str) -> Result<Layer, ReachError> {
    crate::core::io::load_slice(bytes, name, name).map_err(|e| ReachError::Data(e.to_string()))
}

fn lonlat_of(g: &Option<Geometry<f64>>) -> Option<(f64, f64)> {
    match g {
        Some(Geometry::Point(p)) => Some((p.x(), p.y())),
        _ => None,
    }
}

/// Builder state for explicit edges.
struct EdgeList {
    e: Vec<(u32, Edge)>,
}

impl EdgeList {
    fn add(&mut self, from: usize, to: usize, kind: EdgeKind) {
        self.e.push((
            from as u32,
            Edge {
                to: to as u32,
                kind,
            },
        ));
    }
    fn both(&mut self, a: usize, b: usize, kind: EdgeKind) {
        self.add(a, b, kind);
        self.add(b, a, kind);
    }
}

impl Network {
    /// Build from the embedded data (MTR, Shenzhen Metro, boundary, land, points) and the
    /// params' tables. Roads: none (walking uses the grid; driving is unavailable).
    pub fn build_embedded(params: &ReachParams) -> Result<Self, ReachError> {
        Self::build(&Dataset::default(), params)
    }

    /// Build from the embedded data plus any road layer in `dataset` (a layer whose
    /// LineStrings carry an OSM `highway` property). Other layers are ignored.
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
        let mut grid = Grid {
            nx,
            ny,
            cell,
            x0: xa,
            y0: ya,
            land: vec![0; nx * ny],
            blocked: vec![0; nx * ny],
        };
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
                rasterize(&mut grid, &rings);
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
                    rasterize(&mut grid, &[ring]);
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
        for s in &barrier {
            block_segment(&mut grid, s[0], s[1]);
        }

        let mut net = Network {
            params: params.clone(),
            proj,
            grid,
            specials: Vec::new(),
            road_xy: Vec::new(),
            offsets: Vec::new(),
            edges: Vec::new(),
            lines: Vec::new(),
            barrier,
            line_crossing: Vec::new(),
            cp_hours: Vec::new(),
            service: (
                parse_clock(&params.rail.service_start).unwrap_or(0.0),
                parse_clock(&params.rail.service_end).unwrap_or(1440.0),
            ),
            road_buckets: HashMap::new(),
            road_bucket_m: 200.0,
            max_edge_ds: [0; 4],
        };
        let mut el = EdgeList { e: Vec::new() };
        net.build_rail(&mut el)?;
        net.build_intercity(&mut el)?;
        // Roads first get their ids after specials, so collect control points before roads
        // but add road connectors after the road nodes exist.
        let cp_nodes = net.build_control_points(&mut el);
        net.build_roads(dataset, &mut el, &cp_nodes);
        net.finish(el);
        Ok(net)
    }

    fn add_special(&mut self, lon: f64, lat: f64, name: &str, street: bool) -> usize {
        let (x, y) = self.proj.xy(lon, lat);
        self.specials.push(Special {
            x,
            y,
            name: name.to_string(),
            street,
        });
        self.grid.len() + self.specials.len() - 1
    }

    /// Connect a street-level special node to the nearest grid cell on its side of the
    /// boundary (within 10 cells). Returns false when none is found (outside the grid).
    fn connect_to_grid(&self, el: &mut EdgeList, node: usize) -> bool {
        let s = &self.specials[node - self.grid.len()];
        if let Some((c, d)) = self.snap_to_grid(s.x, s.y) {
            el.both(node, c, EdgeKind::Connector { dist_m: d as f32 });
            true
        } else {
            false
        }
    }

    /// The nearest land cell reachable in a straight line from (x, y) without crossing the
    /// boundary, with the distance in metres.
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
                    if g.land[c] == 0 {
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

    /// True when the straight segment a–b crosses the boundary.
    pub fn crosses_barrier(&self, a: (f64, f64), b: (f64, f64)) -> bool {
        let (minx, maxx) = (a.0.min(b.0), a.0.max(b.0));
        let (miny, maxy) = (a.1.min(b.1), a.1.max(b.1));
        self.barrier.iter().any(|s| {
            s[0].0.max(s[1].0) >= minx
                && s[0].0.min(s[1].0) <= maxx
                && s[0].1.max(s[1].1) >= miny
                && s[0].1.min(s[1].1) <= maxy
                && seg_intersect(a, b, s[0], s[1])
        })
    }

    fn build_rail(&mut self, el: &mut EdgeList) -> Result<(), ReachError> {
        let p = self.params.clone();
        let mtr = load(MTR_GEOJSON, "mtr_osm")?;
        let mut stations: HashMap<String, (f64, f64, String)> = HashMap::new();
        for f in &mtr.features {
            if let (Some(code), Some((lon, lat))) =
                (f.prop_str("stationCode"), lonlat_of(&f.geometry))
            {
                let name = f.prop_str("name").unwrap_or(code).to_string();
                stations.insert(code.to_string(), (lon, lat, name));
            }
        }
        // Street node per station (created on first use).
        let mut street: HashMap<String, usize> = HashMap::new();
        let rc = p.rail.circuity.max(1.0);
        for line in &p.rail.lines {
            let li = self.lines.len() as u16;
            self.lines.push(LineInfo {
                code: line.code.clone(),
                name: line.name.clone(),
            });
            let board = (p.station_access_min + line.headway_min / 2.0) as f32;
            let mut platform: HashMap<String, usize> = HashMap::new();
            for seq in &line.sequences {
                let mut prev: Option<(String, usize, f64, f64)> = None;
                for code in seq {
                    let Some((lon, lat, name)) = stations.get(code).cloned() else {
                        return Err(ReachError::Params(format!(
                            "line {}: station {code} is not in mtr_osm.geojson",
                            line.code
                        )));
                    };
                    let st = match street.get(code) {
                        Some(&n) => n,
                        None => {
                            let n = self.add_special(lon, lat, &format!("{name} station"), true);
                            self.connect_to_grid(el, n);
                            street.insert(code.clone(), n);
                            n
                        }
                    };
                    let pl = match platform.get(code) {
                        Some(&n) => n,
                        None => {
                            let n = self.add_special(
                                lon,
                                lat,
                                &format!("{name} ({})", line.code),
                                false,
                            );
                            el.add(
                                st,
                                n,
                                EdgeKind::Board {
                                    line: li,
                                    min: board,
                                },
                            );
                            el.add(
                                n,
                                st,
                                EdgeKind::Alight {
                                    min: p.station_egress_min as f32,
                                },
                            );
                            platform.insert(code.clone(), n);
                            n
                        }
                    };
                    let (x, y) = self.proj.xy(lon, lat);
                    if let Some((pcode, pn, px, py)) = prev {
                        let over = p.rail.segment_overrides.iter().find(|o| {
                            o.line == line.code
                                && ((o.from == pcode && &o.to == code)
                                    || (&o.from == code && o.to == pcode))
                        });
                        let min = match over {
                            Some(o) => o.minutes,
                            None => {
                                let km = (x - px).hypot(y - py) / 1000.0 * rc;
                                km / line.speed_kmh * 60.0 + line.stop_min
                            }
                        };
                        el.both(
                            pn,
                            pl,
                            EdgeKind::Ride {
                                line: li,
                                min: min as f32,
                            },
                        );
                    }
                    prev = Some((code.clone(), pl, x, y));
                }
            }
        }
        // Shenzhen Metro 2016: stops chained by nearest neighbour per route relation.
        if let Some(mp) = p.rail.shenzhen_metro.clone() {
            let sz = load(SZ_METRO_GEOJSON, "shenzhen_metro_osm_2016")?;
            let mut routes: HashMap<i64, (String, Vec<(f64, f64)>)> = HashMap::new();
            for f in &sz.features {
                let Some((lon, lat)) = lonlat_of(&f.geometry) else {
                    continue;
                };
                let Some(rels) = f.prop("@relations").and_then(|v| v.as_array()) else {
                    continue;
                };
                for r in rels {
                    let (Some(rel), Some(tags)) =
                        (r.get("rel").and_then(|v| v.as_i64()), r.get("reltags"))
                    else {
                        continue;
                    };
                    if tags.get("route").and_then(|v| v.as_str()) != Some("subway") {
                        continue;
                    }
                    let name = tags
                        .get("name:en")
                        .or_else(|| tags.get("name"))
                        .and_then(|v| v.as_str())
                        .unwrap_or("Shenzhen Metro")
                        .to_string();
                    let e = routes.entry(rel).or_insert_with(|| (name, Vec::new()));
                    if !e
                        .1
                        .iter()
                        .any(|q| (q.0 - lon).abs() < 1e-7 && (q.1 - lat).abs() < 1e-7)
                    {
                        e.1.push((lon, lat));
                    }
                }
            }
            let mut rels: Vec<_> = routes.into_iter().collect();
            rels.sort_by_key(|(k, _)| *k);
            for (rel, (name, stops)) in rels {
                if stops.len() < 2 {
                    continue;
                }
                let li = self.lines.len() as u16;
                self.lines.push(LineInfo {
                    code: format!("SZM{rel}"),
                    name: format!("Shenzhen Metro {name}"),
                });
                let xy: Vec<(f64, f64)> =
                    stops.iter().map(|&(lo, la)| self.proj.xy(lo, la)).collect();
                let order = chain_order(&xy);
                let board = (p.station_access_min + mp.headway_min / 2.0) as f32;
                let mut prev: Option<(usize, f64, f64)> = None;
                for (k, &i) in order.iter().enumerate() {
                    let (lon, lat) = stops[i];
                    let st = self.add_special(
                        lon,
                        lat,
                        &format!("Shenzhen Metro stop {} #{}", name, k + 1),
                        true,
                    );
                    self.connect_to_grid(el, st);
                    let pl = self.add_special(lon, lat, &format!("{name} platform"), false);
                    el.add(
                        st,
                        pl,
                        EdgeKind::Board {
                            line: li,
                            min: board,
                        },
                    );
                    el.add(
                        pl,
                        st,
                        EdgeKind::Alight {
                            min: p.station_egress_min as f32,
                        },
                    );
                    let (x, y) = xy[i];
                    if let Some((pn, px, py)) = prev {
                        let km = (x - px).hypot(y - py) / 1000.0 * rc;
                        let min = km / mp.speed_kmh.max(1.0) * 60.0 + mp.stop_min;
                        el.both(
                            pn,
                            pl,
                            EdgeKind::Ride {
                                line: li,
                                min: min as f32,
                            },
                        );
                    }
                    prev = Some((pl, x, y));
                }
            }
        }
        Ok(())
    }

    fn build_intercity(&mut self, el: &mut EdgeList) -> Result<(), ReachError> {
        let t = self.params.intercity.clone();
        let mut ids = HashMap::new();
        for s in &t.stations {
            let n = self.add_special(s.lonlat[0], s.lonlat[1], &s.name, true);
            self.connect_to_grid(el, n);
            ids.insert(s.id.clone(), n);
        }
        for l in &t.links {
            let (Some(&a), Some(&b)) = (ids.get(&l.from), ids.get(&l.to)) else {
                return Err(ReachError::Params(format!(
                    "intercity link {}-{}: unknown station id",
                    l.from, l.to
                )));
            };
            let li = self.lines.len() as u16;
            let name_of = |n: usize| self.specials[n - self.grid.len()].name.clone();
            self.lines.push(LineInfo {
                code: format!("{}-{}", l.from, l.to),
                name: format!("intercity rail {} - {}", name_of(a), name_of(b)),
            });
            let board = (l.boarding_min + l.headway_min / 2.0) as f32;
            let mut plat = [0usize; 2];
            for (k, st) in [a, b].into_iter().enumerate() {
                let s = &self.specials[st - self.grid.len()];
                let (x, y, nm) = (s.x, s.y, format!("{} (intercity)", s.name));
                self.specials.push(Special {
                    x,
                    y,
                    name: nm,
                    street: false,
                });
                let pl = self.grid.len() + self.specials.len() - 1;
                el.add(
                    st,
                    pl,
                    EdgeKind::Board {
                        line: li,
                        min: board,
                    },
                );
                el.add(pl, st, EdgeKind::Alight { min: 0.0 });
                plat[k] = pl;
            }
            el.both(
                plat[0],
                plat[1],
                EdgeKind::Ride {
                    line: li,
                    min: l.minutes as f32,
                },
            );
            if let Some(c) = &l.crossing {
                self.line_crossing.push((li, c.clone()));
            }
        }
        Ok(())
    }

    /// Control points: two street nodes each, joined by one edge per direction.
    fn build_control_points(&mut self, el: &mut EdgeList) -> Vec<(usize, usize)> {
        let cps = self.params.control_points.clone();
        let mut out = Vec::new();
        for (k, cp) in cps.iter().enumerate() {
            self.cp_hours
                .push(parse_hours(&cp.hours).unwrap_or((0.0, 1440.0)));
            let hk = self.add_special(cp.hk[0], cp.hk[1], &format!("{} (HK side)", cp.name), true);
            let sz = self.add_special(
                cp.sz[0],
                cp.sz[1],
                &format!("{} (Shenzhen side)", cp.name),
                true,
            );
            self.connect_to_grid(el, hk);
            self.connect_to_grid(el, sz);
            el.add(
                hk,
                sz,
                EdgeKind::Control {
                    cp: k as u16,
                    min: cp.dwell_min.hk_to_sz as f32,
                    northbound: true,
                },
            );
            el.add(
                sz,
                hk,
                EdgeKind::Control {
                    cp: k as u16,
                    min: cp.dwell_min.sz_to_hk as f32,
                    northbound: false,
                },
            );
            out.push((hk, sz));
        }
        out
    }

    fn build_roads(&mut self, dataset: &Dataset, el: &mut EdgeList, cp_nodes: &[(usize, usize)]) {
        let base = self.grid.len() + self.specials.len();
        let mut ids: HashMap<(i64, i64), u32> = HashMap::new();
        let mut xy: Vec<(f32, f32)> = Vec::new();
        let classes: Vec<String> = self
            .params
            .drive_speeds_kmh
            .iter()
            .map(|(k, _)| k.clone())
            .collect();
        for layer in &dataset.layers {
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
                    .position(|c| c == hw)
                    .map_or(u8::MAX, |i| i as u8);
                let walkable = !matches!(hw, "motorway" | "motorway_link" | "trunk" | "trunk_link");
                let oneway = matches!(f.prop_str("oneway"), Some("yes" | "1" | "true"))
                    || matches!(hw, "motorway");
                for l in lines {
                    let mut prev: Option<(u32, (f64, f64))> = None;
                    for c in &l.0 {
                        if !(c.x.is_finite() && c.y.is_finite()) {
                            continue;
                        }
                        let k = ((c.x * 1e7).round() as i64, (c.y * 1e7).round() as i64);
                        let p = self.proj.xy(c.x, c.y);
                        let id = *ids.entry(k).or_insert_with(|| {
                            xy.push((p.0 as f32, p.1 as f32));
                            (xy.len() - 1) as u32
                        });
                        if let Some((pid, pp)) = prev
                            && pid != id
                            && !self.crosses_barrier(pp, p)
                        {
                            let d = (p.0 - pp.0).hypot(p.1 - pp.1) as f32;
                            let kind = EdgeKind::Road {
                                dist_m: d,
                                class,
                                walkable,
                            };
                            el.add(base + pid as usize, base + id as usize, kind);
                            if !oneway {
                                el.add(base + id as usize, base + pid as usize, kind);
                            } else if walkable {
                                // Pedestrians may walk a one-way street both ways.
                                el.add(
                                    base + id as usize,
                                    base + pid as usize,
                                    EdgeKind::Road {
                                        dist_m: d,
                                        class: u8::MAX,
                                        walkable,
                                    },
                                );
                            }
                        }
                        prev = Some((id, p));
                    }
                }
            }
        }
        self.road_xy = xy;
        for (i, &(x, y)) in self.road_xy.iter().enumerate() {
            let b = (
                (x as f64 / self.road_bucket_m).floor() as i32,
                (y as f64 / self.road_bucket_m).floor() as i32,
            );
            self.road_buckets.entry(b).or_default().push(i as u32);
        }
        if self.road_xy.is_empty() {
            return;
        }
        // Control points and street nodes join the road graph at the nearest road node.
        let street: Vec<usize> = cp_nodes.iter().flat_map(|&(a, b)| [a, b]).collect();
        for n in street {
            let s = &self.specials[n - self.grid.len()];
            if let Some((r, d)) = self.nearest_road(s.x, s.y, 2000.0) {
                el.both(n, base + r, EdgeKind::RoadConnector { dist_m: d as f32 });
            }
        }
    }

    /// Nearest road node within `max_m` metres that is on the same side of the boundary.
    pub fn nearest_road(&self, x: f64, y: f64, max_m: f64) -> Option<(usize, f64)> {
        let b = self.road_bucket_m;
        let (bi, bj) = ((x / b).floor() as i32, (y / b).floor() as i32);
        let rmax = (max_m / b).ceil() as i32;
        let mut best: Option<(usize, f64)> = None;
        for r in 0..=rmax {
            for dj in -r..=r {
                for di in -r..=r {
                    if di.abs().max(dj.abs()) != r {
                        continue;
                    }
                    let Some(v) = self.road_buckets.get(&(bi + di, bj + dj)) else {
                        continue;
                    };
                    for &i in v {
                        let (rx, ry) = self.road_xy[i as usize];
                        let d = (rx as f64 - x).hypot(ry as f64 - y);
                        if d <= max_m
                            && best.is_none_or(|bb| d < bb.1)
                            && !self.crosses_barrier((x, y), (rx as f64, ry as f64))
                        {
                            best = Some((i as usize, d));
                        }
                    }
                }
            }
            if best.is_some_and(|bb| bb.1 <= r as f64 * b) {
                break;
            }
        }
        best
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
        self.grid.len() + self.specials.len() + self.road_xy.len()
    }

    /// First road node id.
    pub fn road_base(&self) -> usize {
        self.grid.len() + self.specials.len()
    }

    /// True when a road layer was loaded.
    pub fn has_roads(&self) -> bool {
        !self.road_xy.is_empty()
    }

    /// Position of any node, metres.
    pub fn node_xy(&self, n: usize) -> (f64, f64) {
        if n < self.grid.len() {
            self.grid.centre(n)
        } else if n < self.road_base() {
            let s = &self.specials[n - self.grid.len()];
            (s.x, s.y)
        } else {
            let (x, y) = self.road_xy[n - self.road_base()];
            (x as f64, y as f64)
        }
    }

    /// Whether `mode` moves over roads (true) or the grid (false) in this network.
    pub fn uses_roads(&self, mode: Mode) -> bool {
        match mode {
            Mode::Drive => true,
            Mode::Walk | Mode::Cycle => self.has_roads(),
            Mode::Transit => false,
        }
    }
}

/// Order stops along a line: start at the stop farthest from the centroid, then nearest
/// unvisited neighbour.
fn chain_order(xy: &[(f64, f64)]) -> Vec<usize> {
    let n = xy.len() as f64;
    let (cx, cy) = xy
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let mut start = 0;
    let mut far = -1.0;
    for (i, p) in xy.iter().enumerate() {
        let d = (p.0 - cx).hypot(p.1 - cy);
        if d > far {
            far = d;
            start = i;
        }
    }
    let mut used = vec![false; xy.len()];
    let mut order = vec![start];
    used[start] = true;
    while order.len() < xy.len() {
        let Some(&last) = order.last() else { break };
        let mut best = None;
        for (i, p) in xy.iter().enumerate() {
            if used[i] {
                continue;
            }
            let d = (p.0 - xy[last].0).hypot(p.1 - xy[last].1);
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((i, d));
            }
        }
        let Some((i, _)) = best else { break };
        used[i] = true;
        order.push(i);
    }
    order
}

/// Mark cells inside the polygon (rings in metres, even–odd) as land, row by row.
fn rasterize(g: &mut Grid, rings: &[Vec<(f64, f64)>]) {
    let (mut miny, mut maxy) = (f64::INFINITY, f64::NEG_INFINITY);
    for r in rings {
        for p in r {
            miny = miny.min(p.1);
            maxy = maxy.max(p.1);
        }
    }
    if !miny.is_finite() {
        return;
    }
    let j0 = (((miny - g.y0) / g.cell).floor().max(0.0)) as usize;
    let j1 = (((maxy - g.y0) / g.cell).ceil().max(0.0) as usize).min(g.ny.saturating_sub(1));
    let mut xs = Vec::new();
    for j in j0..=j1 {
        let y = g.y0 + j as f64 * g.cell;
        xs.clear();
        for r in rings {
            for w in r.windows(2) {
                let (a, b) = (w[0], w[1]);
                if (a.1 <= y) != (b.1 <= y) {
                    xs.push(a.0 + (y - a.1) / (b.1 - a.1) * (b.0 - a.0));
                }
            }
        }
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let i0 = ((pair[0] - g.x0) / g.cell).ceil().max(0.0) as usize;
            let i1 = ((pair[1] - g.x0) / g.cell).floor();
            if i1 < 0.0 {
                continue;
            }
            let i1 = (i1 as usize).min(g.nx - 1);
            for i in i0..=i1 {
                g.land[j * g.nx + i] = 1;
            }
        }
    }
}

/// Cut every grid edge that crosses the segment a–b.
fn block_segment(g: &mut Grid, a: (f64, f64), b: (f64, f64)) {
    let fi = |x: f64| ((x - g.x0) / g.cell).floor() as i64;
    let fj = |y: f64| ((y - g.y0) / g.cell).floor() as i64;
    let (i0, i1) = (fi(a.0.min(b.0)) - 1, fi(a.0.max(b.0)) + 2);
    let (j0, j1) = (fj(a.1.min(b.1)) - 1, fj(a.1.max(b.1)) + 2);
    for j in j0.max(0)..=j1.min(g.ny as i64 - 1) {
        for i in i0.max(0)..=i1.min(g.nx as i64 - 1) {
            let c = j as usize * g.nx + i as usize;
            let p = g.centre(c);
            for (d, &(dx, dy)) in DIRS.iter().enumerate().take(4) {
                let (ni, nj) = (i + dx as i64, j + dy as i64);
                if ni < 0 || nj < 0 || ni >= g.nx as i64 || nj >= g.ny as i64 {
                    continue;
                }
                let n = nj as usize * g.nx + ni as usize;
                let q = g.centre(n);
                if seg_intersect(p, q, a, b) {
                    g.blocked[c] |= 1 << d;
                    g.blocked[n] |= 1 << ((d + 4) % 8);
                }
            }
        }
    }
}
