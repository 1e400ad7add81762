//! Validation of walking on the Hong Kong side's streets (issue 16): 34 walking trips of the
//! reach model (inside the Loop, Loop ↔ Lok Ma Chau station, station ↔ control point,
//! villages) against shortest paths on the same OSM streets computed here independently:
//! the file read with serde_json, projected with its own equirectangular frame, noded by
//! brute force (shared vertices and T-junctions within 0.75 m, dead ends within 5 m), the
//! segments crossing the boundary or the barriers (outside the gates) removed, and
//! `petgraph`'s Dijkstra. Also: no Hong Kong-to-Hong Kong walk crosses the border.

use hetao_atlas::core::reach::{Mode, Network, ReachParams, travel_time};
use petgraph::algo::dijkstra;
use petgraph::graph::{NodeIndex, UnGraph};
use serde_json::Value;

type P = (f64, f64);

const LAT0: f64 = 22.52;
const LON0: f64 = 114.08;

/// Equirectangular metres about (LON0, LAT0) with the WGS84 radii of curvature.
fn xy(lon: f64, lat: f64) -> P {
    let (a, e2) = (6_378_137.0_f64, 0.006_694_379_990_14_f64);
    let phi = LAT0.to_radians();
    let w = (1.0 - e2 * phi.sin().powi(2)).sqrt();
    let n = a / w;
    let m = a * (1.0 - e2) / w.powi(3);
    (
        (lon - LON0).to_radians() * n * phi.cos(),
        (lat - LAT0).to_radians() * m,
    )
}

fn read(path: &str) -> Value {
    let text = std::fs::read_to_string(path).expect("data file");
    serde_json::from_str(&text).expect("json")
}

fn line_coords(g: &Value) -> Vec<Vec<P>> {
    let pts = |v: &Value| -> Vec<P> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| Some(xy(c[0].as_f64()?, c[1].as_f64()?)))
            .collect()
    };
    match g["type"].as_str() {
        Some("LineString") => vec![pts(&g["coordinates"])],
        Some("MultiLineString") => g["coordinates"]
            .as_array()
            .into_iter()
            .flatten()
            .map(pts)
            .collect(),
        _ => vec![],
    }
}

fn dist(a: P, b: P) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// (distance, t) from p to segment a–b.
fn proj(p: P, a: P, b: P) -> (f64, f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let l2 = dx * dx + dy * dy;
    let t = if l2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / l2).clamp(0.0, 1.0)
    };
    (dist(p, (a.0 + t * dx, a.1 + t * dy)), t)
}

fn cross(a: P, b: P, c: P, d: P) -> bool {
    let o = |p: P, q: P, r: P| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
    o(a, b, c) * o(a, b, d) < 0.0 && o(c, d, a) * o(c, d, b) < 0.0
}

struct Ref {
    pts: Vec<P>,
    segs: Vec<(usize, usize)>,
    main: Vec<bool>,
    graph: UnGraph<(), f64>,
}

fn reference() -> Ref {
    let roads = read("data/context/hk_loop_area_roads_osm.geojson");
    let mut pts: Vec<P> = Vec::new();
    let mut ways: Vec<Vec<usize>> = Vec::new();
    let node = |pts: &mut Vec<P>, p: P| -> usize {
        if let Some(i) = pts.iter().position(|q| dist(*q, p) <= 0.75) {
            i
        } else {
            pts.push(p);
            pts.len() - 1
        }
    };
    for f in roads["features"].as_array().expect("features") {
        let hw = f["properties"]["highway"].as_str().unwrap_or("");
        if hw.is_empty() || hw.starts_with("motorway") || hw.starts_with("trunk") {
            continue;
        }
        for l in line_coords(&f["geometry"]) {
            let mut w: Vec<usize> = l.into_iter().map(|p| node(&mut pts, p)).collect();
            w.dedup();
            if w.len() >= 2 {
                ways.push(w);
            }
        }
    }
    let segs: Vec<(usize, usize)> = ways
        .iter()
        .flat_map(|w| w.windows(2).map(|p| (p[0], p[1])))
        .collect();
    let mut degree = vec![0; pts.len()];
    for &(a, b) in &segs {
        degree[a] += 1;
        degree[b] += 1;
    }
    // Way ends: on another segment within 0.75 m (split it), or a dead end within 5 m
    // (a link to the nearest point).
    let mut ends: Vec<usize> = ways.iter().flat_map(|w| [w[0], w[w.len() - 1]]).collect();
    ends.sort_unstable();
    ends.dedup();
    let mut splits: Vec<(usize, f64, usize)> = Vec::new();
    let mut links = Vec::new();
    let mut merge: Vec<(usize, usize)> = Vec::new();
    for &e in &ends {
        let p = pts[e];
        let best = segs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.0 != e && s.1 != e)
            .map(|(k, s)| {
                let (d, t) = proj(p, pts[s.0], pts[s.1]);
                (k, d, t)
            })
            .min_by(|x, y| x.1.total_cmp(&y.1));
        let Some((k, d, t)) = best else { continue };
        if d > 5.0 || (d > 0.75 && degree[e] != 1) {
            continue;
        }
        let (a, b) = segs[k];
        let len = dist(pts[a], pts[b]);
        let end = if t * len <= 0.75 {
            Some(a)
        } else if (1.0 - t) * len <= 0.75 {
            Some(b)
        } else {
            None
        };
        match (d <= 0.75, end) {
            (true, Some(x)) => merge.push((e, x)),
            (true, None) => splits.push((k, t, e)),
            (false, Some(x)) => links.push((e, x)),
            (false, None) => {
                let (pa, pb) = (pts[a], pts[b]);
                pts.push((pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1)));
                let q = pts.len() - 1;
                splits.push((k, t, q));
                links.push((e, q));
            }
        }
    }
    splits.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let mut out = Vec::new();
    for (k, &(a, b)) in segs.iter().enumerate() {
        let mut prev = a;
        for s in splits.iter().filter(|s| s.0 == k) {
            out.push((prev, s.2));
            prev = s.2;
        }
        out.push((prev, b));
    }
    out.extend(links);
    out.extend(merge);
    // Barriers: the boundary line, the access barriers minus their gates.
    let mut walls: Vec<(P, P)> = Vec::new();
    for f in read("data/context/shenzhen_river_boundary_osm.geojson")["features"]
        .as_array()
        .expect("features")
    {
        for l in line_coords(&f["geometry"]) {
            walls.extend(l.windows(2).map(|w| (w[0], w[1])));
        }
    }
    let barriers = read("data/barriers/hk_loop_area_barriers.geojson");
    let mut gates: Vec<(P, f64)> = Vec::new();
    for f in barriers["features"].as_array().expect("features") {
        if f["properties"]["kind"] == "gate" {
            let c = &f["geometry"]["coordinates"];
            let g = xy(c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat"));
            gates.push((g, f["properties"]["width_m"].as_f64().expect("width") / 2.0));
        }
    }
    for f in barriers["features"].as_array().expect("features") {
        if f["properties"]["kind"] == "gate" {
            continue;
        }
        for l in line_coords(&f["geometry"]) {
            // Densify to 1 m and keep the pieces outside every gate.
            for w in l.windows(2) {
                let n = (dist(w[0], w[1]).ceil() as usize).max(1);
                for i in 0..n {
                    let at = |t: f64| {
                        (
                            w[0].0 + t * (w[1].0 - w[0].0),
                            w[0].1 + t * (w[1].1 - w[0].1),
                        )
                    };
                    let (p, q) = (at(i as f64 / n as f64), at((i + 1) as f64 / n as f64));
                    let mid = ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
                    if gates.iter().all(|(g, r)| dist(*g, mid) > *r) {
                        walls.push((p, q));
                    }
                }
            }
        }
    }
    let mut graph = UnGraph::<(), f64>::new_undirected();
    for _ in 0..pts.len() {
        graph.add_node(());
    }
    let mut kept = Vec::new();
    for (a, b) in out {
        if a == b {
            continue;
        }
        if walls.iter().any(|w| cross(pts[a], pts[b], w.0, w.1)) {
            continue;
        }
        graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), dist(pts[a], pts[b]));
        kept.push((a, b));
    }
    // The largest connected piece: points snap onto it.
    let mut comp = vec![usize::MAX; pts.len()];
    let mut sizes = Vec::new();
    for s in 0..pts.len() {
        if comp[s] != usize::MAX {
            continue;
        }
        let id = sizes.len();
        let mut stack = vec![s];
        comp[s] = id;
        let mut n = 0;
        while let Some(u) = stack.pop() {
            n += 1;
            for v in graph.neighbors(NodeIndex::new(u)) {
                if comp[v.index()] == usize::MAX {
                    comp[v.index()] = id;
                    stack.push(v.index());
                }
            }
        }
        sizes.push(n);
    }
    let big = (0..sizes.len())
        .max_by_key(|&i| sizes[i])
        .expect("a street");
    let main = kept.iter().map(|s| comp[s.0] == big).collect();
    Ref {
        pts,
        segs: kept,
        main,
        graph,
    }
}

impl Ref {
    /// Shortest street distance between two lon/lat points, metres (snapped to the nearest
    /// segment of the main network; the walk to the street included).
    fn metres(&self, from: P, to: P) -> f64 {
        let snap = |p: P| {
            let q = xy(p.0, p.1);
            self.segs
                .iter()
                .enumerate()
                .filter(|(k, _)| self.main[*k])
                .map(|(k, s)| {
                    let (d, t) = proj(q, self.pts[s.0], self.pts[s.1]);
                    (k, d, t * dist(self.pts[s.0], self.pts[s.1]))
                })
                .min_by(|x, y| x.1.total_cmp(&y.1))
                .expect("a street")
        };
        let (sa, sb) = (snap(from), snap(to));
        let mut g = self.graph.clone();
        let (s, t) = (g.add_node(()), g.add_node(()));
        for (node, (k, off, along)) in [(s, sa), (t, sb)] {
            let (a, b) = self.segs[k];
            let len = dist(self.pts[a], self.pts[b]);
            g.add_edge(node, NodeIndex::new(a), off + along);
            g.add_edge(node, NodeIndex::new(b), off + len - along);
        }
        let mut best = dijkstra(&g, s, Some(t), |e| *e.weight())
            .get(&t)
            .copied()
            .unwrap_or(f64::INFINITY);
        if sa.0 == sb.0 {
            best = best.min(sa.1 + sb.1 + (sa.2 - sb.2).abs());
        }
        best
    }
}

const B1: P = (114.074807, 22.517597);
const B8: P = (114.076296, 22.517141);
const B9: P = (114.076986, 22.517681);
const B11: P = (114.076878, 22.516915);
const B23: P = (114.075478, 22.518113);
const CENTRE: P = (114.0791154, 22.5214876);
const INNOHUB: P = (114.077532, 22.524834);
const LMC: P = (114.065694, 22.514389);
const PTI: P = (114.066913, 22.515434);
const CP: P = (114.0733, 22.50991);
const HA_WAN: P = (114.073839, 22.514358);
const MA_TSO_LUNG: P = (114.098421, 22.524666);
const KWU_TUNG: P = (114.096858, 22.505153);
const DRAGON_FRUIT: P = (114.08795, 22.507895);
const TUNG_FONG: P = (114.100229, 22.509493);

const TRIPS: [(P, P); 34] = [
    // inside the Loop
    (B1, B8),
    (B1, CENTRE),
    (B8, CENTRE),
    (B9, INNOHUB),
    (B23, CENTRE),
    (B11, INNOHUB),
    (B1, B23),
    (B9, CENTRE),
    // Loop <-> Lok Ma Chau station
    (B1, LMC),
    (B8, LMC),
    (CENTRE, LMC),
    (INNOHUB, LMC),
    (B9, PTI),
    (CENTRE, PTI),
    // station <-> control point
    (LMC, CP),
    (PTI, CP),
    (LMC, HA_WAN),
    (CP, HA_WAN),
    // villages
    (HA_WAN, MA_TSO_LUNG),
    (MA_TSO_LUNG, KWU_TUNG),
    (DRAGON_FRUIT, KWU_TUNG),
    (TUNG_FONG, KWU_TUNG),
    (DRAGON_FRUIT, MA_TSO_LUNG),
    (HA_WAN, DRAGON_FRUIT),
    (LMC, DRAGON_FRUIT),
    (CP, TUNG_FONG),
    (CENTRE, MA_TSO_LUNG),
    (B1, HA_WAN),
    (INNOHUB, CP),
    (LMC, KWU_TUNG),
    (B8, DRAGON_FRUIT),
    (TUNG_FONG, MA_TSO_LUNG),
    (PTI, HA_WAN),
    (B11, CP),
];

fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let i = ((s.len() - 1) as f64 * q).round() as usize;
    s[i]
}

#[test]
fn walking_follows_the_streets_within_tolerance() {
    let net = Network::build_embedded(&ReachParams::default()).expect("network");
    let speed = net.params.walk_speed_mps;
    let reference = reference();
    let mut errors = Vec::new();
    let mut report = String::new();
    for (a, b) in TRIPS {
        let r = travel_time(&net, a, b, Mode::Walk, 540.0).expect("route");
        assert!(
            r.crossings.is_empty(),
            "{a:?} -> {b:?} crosses the border: {r:?}"
        );
        let want = reference.metres(a, b) / speed / 60.0;
        assert!(want.is_finite(), "{a:?} -> {b:?}: no reference path");
        let err = (r.minutes - want) / want;
        report.push_str(&format!(
            "{a:?} -> {b:?}: model {:.1} min, reference {want:.1} min, {:+.1} %\n",
            r.minutes,
            err * 100.0
        ));
        errors.push(err.abs());
    }
    let (median, p90) = (quantile(&errors, 0.5), quantile(&errors, 0.9));
    eprintln!(
        "{report}median {:.1} %, 90th percentile {:.1} %",
        median * 100.0,
        p90 * 100.0
    );
    assert!(
        median <= 0.08 && p90 <= 0.20,
        "median {:.1} %, 90th percentile {:.1} %\n{report}",
        median * 100.0,
        p90 * 100.0
    );
    // Building 1 -> Lok Ma Chau station: about 45.6 min on the streets (issue 16), not the
    // 17 min of the grid straight across the old meander.
    let want = reference.metres(B1, LMC) / speed / 60.0;
    assert!((want - 45.6).abs() <= 4.6, "reference {want:.1} min");
    let r = travel_time(&net, B1, LMC, Mode::Walk, 540.0).expect("route");
    assert!((r.minutes - 45.6).abs() <= 4.6, "{r:?}");
}

#[test]
fn hong_kong_to_hong_kong_walks_stay_in_hong_kong() {
    let net = Network::build_embedded(&ReachParams::default()).expect("network");
    // Spur Line Control Point (Lok Ma Chau station) -> Lok Ma Chau Control Point bus stop:
    // about 20 minutes on the Hong Kong side, not 54 through Shenzhen.
    let r = travel_time(&net, LMC, CP, Mode::Walk, 540.0).expect("route");
    assert!(r.crossings.is_empty(), "{r:?}");
    assert!((15.0..=25.0).contains(&r.minutes), "{r:?}");
    // At night too (only the 24-hour crossing open).
    let r = travel_time(&net, CP, LMC, Mode::Walk, 180.0).expect("route");
    assert!(r.crossings.is_empty(), "{r:?}");
}
