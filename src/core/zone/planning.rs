//! The planning model: published targets ([`Targets`], from `seeds/targets.json`) and the
//! floor-space statistics of a dataset as of a year ([`ZoneStats`], `hetao stats`).
//!
//! Definitions (all areas in m²):
//! - **floor space** of a building: its `gfa_m2` property (gross floor area); a building
//!   counts in a year when its status that year ([`super::status_as_of`]) is known, i.e. it
//!   exists at least as a plan.
//! - **delivered**: status `converted` or `completed` ([`super::Status::is_delivered`]).
//! - **new research and supporting space** (what the 2035 targets count): the GFA of
//!   delivered buildings whose use is research (`wet_lab`, `dry_lab_office`,
//!   `pilot_production`), `talent_housing` or `supporting`.
//! - **research space**: the `floor_area_m2` of research-space units.
//! - **pace** in year Y: the mean yearly increase of delivered space over the last three
//!   years, (delivered(Y) − delivered(Y − 3)) / 3.
//! - **needed per year**: (target − delivered(Y)) / (target year − Y), for Y before the target year.
//! - **year reached**: the first year delivered space met the target, or, when it has not,
//!   Y + ceil(remaining / pace) at the current pace (none when the pace is zero).

use super::{BASE_YEAR, Status, Use, ZoneError, parsed_status_as_of};
use crate::core::model::{Dataset, Feature};
use serde::{Deserialize, Serialize};

/// The embedded `seeds/targets.json`.
pub const TARGETS_JSON: &str = include_str!("../../../seeds/targets.json");

/// A published area figure.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct AreaFigure {
    /// Identifier.
    pub id: String,
    /// "SZ", "HK" or "both".
    pub park: String,
    /// The value, in `unit`.
    pub value: f64,
    /// Unit ("km2", "ha", "m2").
    pub unit: String,
    /// The seed document it comes from.
    pub source: String,
}

/// A dated milestone.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Milestone {
    /// Identifier.
    pub id: String,
    /// The year.
    pub year: i32,
    /// "SZ", "HK" or "both".
    pub park: String,
    /// What is to be achieved.
    pub text: String,
    /// The seed document it comes from.
    pub source: String,
}

/// A published floor-space figure or target.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct FloorSpaceTarget {
    /// Identifier (`sz_new_space_2035`, ...).
    pub id: String,
    /// "SZ" or "HK".
    pub park: String,
    /// The year it applies to, if any.
    #[serde(default)]
    pub year: Option<i32>,
    /// The value, in `unit`.
    pub value: f64,
    /// Unit ("m2", "buildings").
    pub unit: String,
    /// What is counted.
    pub measure: String,
    /// True for the targets `hetao stats` measures progress against.
    #[serde(default)]
    pub progress_target: bool,
    /// The seed document it comes from.
    pub source: String,
}

/// The targets and milestones of `seeds/targets.json`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Targets {
    /// The year the data describes.
    pub reference_year: i32,
    /// Published areas.
    pub areas: Vec<AreaFigure>,
    /// Dated milestones.
    pub milestones: Vec<Milestone>,
    /// Floor-space figures and targets.
    pub floor_space: Vec<FloorSpaceTarget>,
}

impl Targets {
    /// The embedded `seeds/targets.json`.
    pub fn embedded() -> Result<Targets, ZoneError> {
        Targets::from_json(TARGETS_JSON, "seeds/targets.json")
    }

    /// Parse a targets file (errors name file, line and column).
    pub fn from_json(text: &str, file: &str) -> Result<Targets, ZoneError> {
        serde_json::from_str(text).map_err(|e| ZoneError::Layer {
            name: "targets".into(),
            message: format!("{file}:{}:{}: {e}", e.line(), e.column()),
        })
    }

    /// A floor-space figure by id.
    pub fn value(&self, id: &str) -> Option<f64> {
        self.floor_space
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.value)
    }

    /// The progress target of a park ("SZ" or "HK").
    pub fn progress_target(&self, park: &str) -> Option<&FloorSpaceTarget> {
        self.floor_space
            .iter()
            .find(|t| t.progress_target && t.park == park)
    }
}

/// Progress toward a floor-space target as of a year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Progress {
    /// The target's id in `seeds/targets.json` (or "zone" for the sum of both parks).
    pub target_id: String,
    /// Target, m².
    pub target_m2: f64,
    /// Target year.
    pub target_year: i32,
    /// Delivered new research and supporting space, m².
    pub delivered_m2: f64,
    /// delivered / target, in %.
    pub percent: f64,
    /// max(0, target − delivered), m².
    pub remaining_m2: f64,
    /// remaining / (target year − year), m² a year; `None` from the target year on.
    pub needed_per_year_m2: Option<f64>,
    /// Mean yearly delivery over the last 3 years, m² a year.
    pub pace_per_year_m2: f64,
    /// True when delivered ≥ target.
    pub reached: bool,
    /// The year the target was (or, at the current pace, will be) reached.
    pub year_reached: Option<i32>,
}

/// Floor space of one park as of a year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParkStats {
    /// "SZ" or "HK".
    pub park: String,
    /// Geodesic area of the park outline, m² (the Loop's administrative face for HK).
    pub outline_area_m2: f64,
    /// True when the outline is schematic.
    pub outline_illustrative: bool,
    /// Buildings that exist (at least as plans) in the year.
    pub buildings: usize,
    /// GFA by status, in [`Status::ALL`] order (every status listed).
    pub gfa_by_status: Vec<(String, f64)>,
    /// GFA by use, in [`Use::ALL`] order, then "unknown" if any.
    pub gfa_by_use: Vec<(String, f64)>,
    /// Total GFA of the buildings that exist in the year.
    pub total_gfa_m2: f64,
    /// Research-space units delivered (converted or completed), m².
    pub research_space_delivered_m2: f64,
    /// Research-space units not yet delivered (existing, converting, planned, under construction), m².
    pub research_space_pipeline_m2: f64,
    /// Progress toward the park's target, when `seeds/targets.json` has one.
    pub progress: Option<Progress>,
}

/// Floor-space statistics of a dataset as of a year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ZoneStats {
    /// The year.
    pub year: i32,
    /// Shenzhen park, then Hong Kong park.
    pub parks: Vec<ParkStats>,
    /// Progress of the whole zone (sum of the parks' targets and deliveries).
    pub zone_progress: Option<Progress>,
}

/// What the stats table says about the embedded buildings.
pub const ILLUSTRATIVE_NOTE: &str =
    "Buildings and research units are ILLUSTRATIVE (generated, calibrated to published totals).";

/// The GFA of a building (0 when missing).
pub fn gfa(f: &Feature) -> f64 {
    f.prop_f64("gfa_m2")
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

/// True when the building's use counts toward the 2035 targets.
pub fn counts_toward_target(f: &Feature) -> bool {
    f.prop_str("use")
        .and_then(Use::parse)
        .is_some_and(Use::counts_toward_target)
}

/// New research and supporting space of `park` delivered as of `year`, m².
pub fn delivered_m2(ds: &Dataset, park: &str, year: i32) -> f64 {
    let Some(layer) = ds.layer("buildings") else {
        return 0.0;
    };
    layer
        .features
        .iter()
        .filter(|f| f.prop_str("park") == Some(park) && counts_toward_target(f))
        .filter(|f| parsed_status_as_of(f, year).is_some_and(Status::is_delivered))
        .map(gfa)
        .sum::<f64>()
        + 0.0 // an empty sum is -0.0
}

fn progress(
    delivered_at: &dyn Fn(i32) -> f64,
    target_id: &str,
    target_m2: f64,
    target_year: i32,
    year: i32,
) -> Progress {
    let delivered = delivered_at(year) + 0.0;
    let remaining = (target_m2 - delivered).max(0.0);
    let pace = (delivered - delivered_at(year - 3)) / 3.0;
    let reached = delivered >= target_m2;
    let year_reached = if reached {
        (BASE_YEAR.min(year)..=year).find(|&y| delivered_at(y) >= target_m2)
    } else if pace > 0.0 {
        Some(year + (remaining / pace).ceil() as i32)
    } else {
        None
    };
    Progress {
        target_id: target_id.to_string(),
        target_m2,
        target_year,
        delivered_m2: delivered,
        percent: if target_m2 > 0.0 {
            100.0 * delivered / target_m2
        } else {
            0.0
        },
        remaining_m2: remaining,
        needed_per_year_m2: (year < target_year).then(|| remaining / f64::from(target_year - year)),
        pace_per_year_m2: pace,
        reached,
        year_reached,
    }
}

impl ZoneStats {
    /// Statistics of `ds` as of `year`, against the embedded targets.
    pub fn compute(ds: &Dataset, year: i32) -> ZoneStats {
        match Targets::embedded() {
            Ok(t) => ZoneStats::compute_with(ds, year, &t),
            Err(_) => ZoneStats::compute_with(
                ds,
                year,
                &Targets {
                    reference_year: super::DATA_YEAR,
                    areas: vec![],
                    milestones: vec![],
                    floor_space: vec![],
                },
            ),
        }
    }

    /// Statistics of `ds` as of `year`, against `targets`.
    pub fn compute_with(ds: &Dataset, year: i32, targets: &Targets) -> ZoneStats {
        let empty = Vec::new();
        let buildings = ds.layer("buildings").map_or(&empty, |l| &l.features);
        let units = ds.layer("research_units").map_or(&empty, |l| &l.features);
        let mut parks = Vec::new();
        for park in ["SZ", "HK"] {
            let mut by_status: Vec<(String, f64)> = Status::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), 0.0))
                .collect();
            let mut by_use: Vec<(String, f64)> = Use::ALL
                .iter()
                .map(|u| (u.as_str().to_string(), 0.0))
                .collect();
            let mut unknown_use = 0.0;
            let mut total = 0.0;
            let mut count = 0;
            for f in buildings
                .iter()
                .filter(|f| f.prop_str("park") == Some(park))
            {
                let Some(s) = parsed_status_as_of(f, year) else {
                    continue;
                };
                let g = gfa(f);
                count += 1;
                total += g;
                if let Some(e) = by_status.iter_mut().find(|e| e.0 == s.as_str()) {
                    e.1 += g;
                }
                match f.prop_str("use").and_then(Use::parse) {
                    Some(u) => {
                        if let Some(e) = by_use.iter_mut().find(|e| e.0 == u.as_str()) {
                            e.1 += g;
                        }
                    }
                    None => unknown_use += g,
                }
            }
            if unknown_use > 0.0 {
                by_use.push(("unknown".into(), unknown_use));
            }
            let (mut delivered_units, mut pipeline_units) = (0.0, 0.0);
            for f in units.iter().filter(|f| f.prop_str("park") == Some(park)) {
                let a = f.prop_f64("floor_area_m2").unwrap_or(0.0);
                match parsed_status_as_of(f, year) {
                    Some(s) if s.is_delivered() => delivered_units += a,
                    Some(_) => pipeline_units += a,
                    None => {}
                }
            }
            let prog = targets.progress_target(park).map(|t| {
                progress(
                    &|y| delivered_m2(ds, park, y),
                    &t.id,
                    t.value,
                    t.year.unwrap_or(2035),
                    year,
                )
            });
            let outline = super::park_geometry(ds, park);
            let outline_layer = ds.layer(if park == "SZ" {
                "shenzhen_park"
            } else {
                "lok_ma_chau_loop"
            });
            parks.push(ParkStats {
                park: park.to_string(),
                outline_area_m2: outline
                    .map(|g| crate::core::measure::geodesic_area_m2(&g.into()))
                    .unwrap_or(0.0),
                outline_illustrative: outline_layer.is_some_and(|l| l.illustrative),
                buildings: count,
                gfa_by_status: by_status,
                gfa_by_use: by_use,
                total_gfa_m2: total,
                research_space_delivered_m2: delivered_units,
                research_space_pipeline_m2: pipeline_units,
                progress: prog,
            });
        }
        let zone_progress = match (targets.progress_target("SZ"), targets.progress_target("HK")) {
            (Some(a), Some(b)) => Some(progress(
                &|y| delivered_m2(ds, "SZ", y) + delivered_m2(ds, "HK", y),
                "zone",
                a.value + b.value,
                a.year.unwrap_or(2035).max(b.year.unwrap_or(2035)),
                year,
            )),
            _ => None,
        };
        ZoneStats {
            year,
            parks,
            zone_progress,
        }
    }

    /// A table a planner can read: aligned columns, thousands separators, units (for the
    /// embedded, illustrative buildings).
    pub fn render_table(&self) -> String {
        self.render_table_with(ILLUSTRATIVE_NOTE)
    }

    /// [`ZoneStats::render_table`] with `note` saying where the buildings come from.
    pub fn render_table_with(&self, note: &str) -> String {
        let mut o = String::new();
        let w = 34;
        let c = 16;
        let row = |o: &mut String, label: &str, cells: &[String]| {
            o.push_str(&format!("  {label:<w$}"));
            for cell in cells {
                o.push_str(&format!("{cell:>c$}"));
            }
            o.push('\n');
        };
        let head = |o: &mut String, title: &str| {
            o.push_str(&format!(
                "\n{title:<width$}{:>c$}{:>c$}{:>c$}\n",
                "Shenzhen park",
                "Hong Kong park",
                "Zone",
                width = w + 2
            ));
        };
        let sum3 = |a: f64, b: f64| vec![m2(a), m2(b), m2(a + b)];
        let (sz, hk) = (&self.parks[0], &self.parks[1]);
        o.push_str(&format!(
            "Hetao zone floor space as of {} (m², gross floor area unless stated)\n",
            self.year
        ));
        o.push_str(note);
        o.push('\n');
        head(&mut o, "Park outline (geodesic area, m²)");
        row(
            &mut o,
            "outline area",
            &[
                m2(sz.outline_area_m2),
                m2(hk.outline_area_m2),
                m2(sz.outline_area_m2 + hk.outline_area_m2),
            ],
        );
        row(
            &mut o,
            "official area",
            &[m2(3_020_000.0), m2(870_000.0), m2(3_890_000.0)],
        );
        row(
            &mut o,
            "outline kind",
            &[
                if sz.outline_illustrative {
                    "schematic".into()
                } else {
                    "supplied".into()
                },
                "administrative".into(),
                String::new(),
            ],
        );
        head(&mut o, "Floor space by status (m²)");
        for (i, (s, a)) in sz.gfa_by_status.iter().enumerate() {
            row(&mut o, s, &sum3(*a, hk.gfa_by_status[i].1));
        }
        row(&mut o, "total", &sum3(sz.total_gfa_m2, hk.total_gfa_m2));
        row(
            &mut o,
            "buildings (count)",
            &[
                count(sz.buildings),
                count(hk.buildings),
                count(sz.buildings + hk.buildings),
            ],
        );
        head(&mut o, "Floor space by use (m²)");
        let mut uses: Vec<&str> = sz.gfa_by_use.iter().map(|e| e.0.as_str()).collect();
        for e in &hk.gfa_by_use {
            if !uses.contains(&e.0.as_str()) {
                uses.push(&e.0);
            }
        }
        for u in uses {
            let get = |p: &ParkStats| p.gfa_by_use.iter().find(|e| e.0 == u).map_or(0.0, |e| e.1);
            row(&mut o, u, &sum3(get(sz), get(hk)));
        }
        head(&mut o, "Research space, units (m²)");
        row(
            &mut o,
            "delivered (converted/completed)",
            &sum3(
                sz.research_space_delivered_m2,
                hk.research_space_delivered_m2,
            ),
        );
        row(
            &mut o,
            "in the pipeline",
            &sum3(sz.research_space_pipeline_m2, hk.research_space_pipeline_m2),
        );
        let progs = [
            sz.progress.as_ref(),
            hk.progress.as_ref(),
            self.zone_progress.as_ref(),
        ];
        if progs.iter().all(|p| p.is_some()) {
            let p: Vec<&Progress> = progs.into_iter().flatten().collect();
            let target_year = p[2].target_year;
            head(
                &mut o,
                &format!("Progress toward the {target_year} targets"),
            );
            let cells =
                |f: &dyn Fn(&Progress) -> String| p.iter().map(|x| f(x)).collect::<Vec<_>>();
            row(&mut o, "target (m²)", &cells(&|x| m2(x.target_m2)));
            row(
                &mut o,
                "delivered, research + supporting",
                &cells(&|x| m2(x.delivered_m2)),
            );
            row(
                &mut o,
                "progress",
                &cells(&|x| format!("{:.1} %", x.percent)),
            );
            row(&mut o, "remaining (m²)", &cells(&|x| m2(x.remaining_m2)));
            row(
                &mut o,
                &format!("needed per year to {target_year}"),
                &cells(&|x| match x.needed_per_year_m2 {
                    Some(v) => format!("{} m²/yr", thousands(v)),
                    None => "n/a".into(),
                }),
            );
            row(
                &mut o,
                "pace (mean of last 3 years)",
                &cells(&|x| format!("{} m²/yr", thousands(x.pace_per_year_m2))),
            );
            row(
                &mut o,
                "target reached",
                &cells(&|x| match (x.reached, x.year_reached) {
                    (true, Some(y)) => format!("{y}"),
                    (false, Some(y)) => format!("{y} at pace"),
                    _ => "not at pace".into(),
                }),
            );
        }
        o
    }
}

/// A number rounded to an integer, with thousands separators ("1,234,567").
pub fn thousands(v: f64) -> String {
    // + 0.0 turns a rounded -0 into 0
    group_digits(v.round() + 0.0)
}

pub use crate::core::format::group_digits;

fn m2(v: f64) -> String {
    thousands(v)
}

fn count(n: usize) -> String {
    thousands(n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(3_020_000.0), "3,020,000");
        assert_eq!(thousands(-12_345.0), "-12,345");
        assert_eq!(thousands(-0.4), "0");
        assert_eq!(group_digits(12_345.5), "12,345.5");
        assert_eq!(group_digits(-1_234_567.0), "-1,234,567");
        assert_eq!(group_digits(0.25), "0.25");
    }

    #[test]
    fn embedded_targets_parse() {
        let t = Targets::embedded().expect("targets");
        assert_eq!(t.value("sz_new_space_2035"), Some(3_000_000.0));
        assert!(t.progress_target("SZ").is_some());
        assert!(t.progress_target("HK").is_some());
    }
}
