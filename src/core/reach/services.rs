//! Scheduled services of the network: MTR lines (with per-branch services and headways),
//! Shenzhen Metro, intercity rail, bus and shuttle links (`data/transit/bus_links.json`:
//! published ride times, headways and service hours) and the control points, the only
//! edges across the boundary.
//!
//! Boarding costs the station access time plus half the headway of the service boarded;
//! a service with its own hours can be boarded only while it runs.

use super::ReachError;
use super::network::{EdgeKind, EdgeList, LineInfo, Network, Special, load, lonlat_of};
use super::network::{MTR_GEOJSON, SZ_METRO_GEOJSON};
use super::params::parse_hours;
use std::collections::HashMap;

impl Network {
    pub(super) fn build_rail(&mut self, el: &mut EdgeList) -> Result<(), ReachError> {
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
            let mut services = vec![(line.name.clone(), line.headway_min, line.sequences.clone())];
            for br in &line.branches {
                services.push((
                    format!("{} ({})", line.name, br.name),
                    br.headway_min,
                    vec![br.sequence.clone()],
                ));
            }
            for (name, headway, seqs) in services {
                let li = self.lines.len() as u16;
                self.lines.push(LineInfo {
                    code: line.code.clone(),
                    name,
                    bus: false,
                });
                self.line_hours.push(None);
                let board = (p.station_access_min + headway / 2.0) as f32;
                let mut platform: HashMap<String, usize> = HashMap::new();
                for seq in &seqs {
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
                                let n =
                                    self.add_special(lon, lat, &format!("{name} station"), true);
                                self.attach(el, n);
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
                    bus: false,
                });
                self.line_hours.push(None);
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
                    self.attach(el, st);
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

    pub(super) fn build_intercity(&mut self, el: &mut EdgeList) -> Result<(), ReachError> {
        let t = self.params.intercity.clone();
        let mut ids = HashMap::new();
        for s in &t.stations {
            let n = self.add_special(s.lonlat[0], s.lonlat[1], &s.name, true);
            self.attach(el, n);
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
            let name_of = |n: usize| self.specials[n - self.special_base()].name.clone();
            self.lines.push(LineInfo {
                code: format!("{}-{}", l.from, l.to),
                name: format!("intercity rail {} - {}", name_of(a), name_of(b)),
                bus: false,
            });
            self.line_hours.push(None);
            let board = (l.boarding_min + l.headway_min / 2.0) as f32;
            let ride = l.minutes as f32;
            self.add_link(
                el,
                li,
                [a, b],
                "intercity",
                board,
                ride,
                l.crossing.as_ref(),
            );
        }
        Ok(())
    }

    /// A two-stop service `li` between the stop nodes `stops`: a platform beside each stop
    /// (named `<stop> (<kind>)`), boarding at `board` minutes and alighting free, one ride
    /// edge of `ride` minutes each way, and the border crossing the ride makes, if any.
    #[allow(clippy::too_many_arguments)]
    fn add_link(
        &mut self,
        el: &mut EdgeList,
        li: u16,
        stops: [usize; 2],
        kind: &str,
        board: f32,
        ride: f32,
        crossing: Option<&String>,
    ) {
        let mut plat = [0usize; 2];
        for (k, st) in stops.into_iter().enumerate() {
            let s = &self.specials[st - self.special_base()];
            let (x, y, name) = (s.x, s.y, format!("{} ({kind})", s.name));
            self.specials.push(Special {
                x,
                y,
                name,
                street: false,
            });
            let pl = self.special_base() + self.specials.len() - 1;
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
                min: ride,
            },
        );
        if let Some(c) = crossing {
            self.line_crossing.push((li, c.clone()));
        }
    }

    /// Control points: two street nodes each, joined by one edge per direction.
    pub(super) fn build_control_points(&mut self, el: &mut EdgeList) -> Vec<(usize, usize)> {
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
            self.attach(el, hk);
            self.attach(el, sz);
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

    /// Bus and shuttle links: a stop node per end (street level), a boarding platform per
    /// end, one ride edge each way; boarding only within the link's service hours.
    pub(super) fn build_bus_links(&mut self, el: &mut EdgeList) -> Result<(), ReachError> {
        let links = self.params.bus_links.clone();
        for l in &links {
            let hours = match &l.hours {
                Some(h) => Some(parse_hours(h).ok_or_else(|| {
                    ReachError::Params(format!("bus link {}: hours {h:?} is not HH:MM-HH:MM", l.id))
                })?),
                None => None,
            };
            let li = self.lines.len() as u16;
            self.lines.push(LineInfo {
                code: l.id.clone(),
                name: l.name.clone(),
                bus: true,
            });
            self.line_hours.push(hours);
            let board = (l.boarding_min + l.headway_min / 2.0) as f32;
            let mut stops = [0usize; 2];
            for (k, stop) in [&l.from, &l.to].into_iter().enumerate() {
                stops[k] = self.add_special(stop.lonlat[0], stop.lonlat[1], &stop.name, true);
                self.attach(el, stops[k]);
            }
            let ride = l.minutes as f32;
            self.add_link(el, li, stops, "bus", board, ride, l.crossing.as_ref());
        }
        Ok(())
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
