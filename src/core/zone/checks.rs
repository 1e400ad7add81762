//! Plausibility checks of buildings and their research-space units: figures that can all be
//! valid numbers and still not add up. They never refuse an edit; the app shows them next to
//! the building and `hetao scenario check` prints them.
//!
//! - **GFA above floors × footprint**: a building's `gfa_m2` is more than
//!   (`floors` + ½) × `footprint_m2`, i.e. the floor area implies at least half a floor more
//!   than the building has (the shipped data round `floors` to the nearest whole floor, so it
//!   never trips this).
//! - **Units not summing to the building**: a research building's units' `floor_area_m2` do
//!   not sum to its `gfa_m2` (each unit is part of the building named by its `building_id`;
//!   the shipped data sum exactly), beyond 1 m² or 0.5 %, whichever is larger.

use super::{Use, feature_id};
use crate::core::model::{Dataset, Feature};
use std::collections::HashMap;

/// One plausibility warning about a building.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// `gfa_m2` > (`floors` + ½) × `footprint_m2`.
    GfaAboveFloors {
        /// Building id.
        id: String,
        /// Its gross floor area, m².
        gfa_m2: f64,
        /// Its floors.
        floors: f64,
        /// Its footprint, m².
        footprint_m2: f64,
    },
    /// The research units' floor areas do not sum to the building's GFA.
    UnitsSum {
        /// Building id.
        id: String,
        /// The building's gross floor area, m².
        gfa_m2: f64,
        /// Sum of its units' floor areas, m².
        units_m2: f64,
        /// How many units it has.
        units: usize,
    },
}

impl Warning {
    /// The building the warning is about.
    pub fn id(&self) -> &str {
        match self {
            Warning::GfaAboveFloors { id, .. } | Warning::UnitsSum { id, .. } => id,
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::planning::thousands;
        match self {
            Warning::GfaAboveFloors {
                id,
                gfa_m2,
                floors,
                footprint_m2,
            } => write!(
                f,
                "{id}: GFA {} m² is more than {floors} floors × {} m² footprint = {} m²",
                thousands(*gfa_m2),
                thousands(*footprint_m2),
                thousands(floors * footprint_m2)
            ),
            Warning::UnitsSum {
                id,
                gfa_m2,
                units_m2,
                units,
            } => write!(
                f,
                "{id}: its {units} research unit(s) sum to {} m², not its GFA of {} m²",
                thousands(*units_m2),
                thousands(*gfa_m2)
            ),
        }
    }
}

fn gfa_warning(b: &Feature, id: &str) -> Option<Warning> {
    let gfa = b.prop_f64("gfa_m2")?;
    let floors = b.prop_f64("floors")?;
    let fp = b.prop_f64("footprint_m2")?;
    (floors > 0.0 && fp > 0.0 && gfa > (floors + 0.5) * fp).then(|| Warning::GfaAboveFloors {
        id: id.to_string(),
        gfa_m2: gfa,
        floors,
        footprint_m2: fp,
    })
}

fn units_warning(b: &Feature, id: &str, sum: Option<(f64, usize)>) -> Option<Warning> {
    let research = b
        .prop_str("use")
        .and_then(Use::parse)
        .is_some_and(Use::is_research);
    let (units_m2, units) = sum?;
    let gfa = b.prop_f64("gfa_m2")?;
    let tol = (gfa.abs() * 0.005).max(1.0);
    (research && (units_m2 - gfa).abs() > tol).then(|| Warning::UnitsSum {
        id: id.to_string(),
        gfa_m2: gfa,
        units_m2,
        units,
    })
}

/// Sum and count of the research units' floor areas per `building_id`.
fn unit_sums(ds: &Dataset) -> HashMap<&str, (f64, usize)> {
    let mut sums: HashMap<&str, (f64, usize)> = HashMap::new();
    for u in ds.layer("research_units").map_or(&[][..], |l| &l.features) {
        if let Some(b) = u.prop_str("building_id") {
            let e = sums.entry(b).or_default();
            e.0 += u.prop_f64("floor_area_m2").unwrap_or(0.0);
            e.1 += 1;
        }
    }
    sums
}

/// The warnings about one building (none when there is no such building).
pub fn check_building(ds: &Dataset, id: &str) -> Vec<Warning> {
    let Some(b) = ds.layer("buildings").and_then(|l| {
        l.features
            .iter()
            .find(|f| feature_id(f).as_deref() == Some(id))
    }) else {
        return Vec::new();
    };
    let sum = ds
        .layer("research_units")
        .map_or(&[][..], |l| &l.features)
        .iter()
        .filter(|u| u.prop_str("building_id") == Some(id))
        .fold(None, |acc: Option<(f64, usize)>, u| {
            let (s, n) = acc.unwrap_or_default();
            Some((s + u.prop_f64("floor_area_m2").unwrap_or(0.0), n + 1))
        });
    gfa_warning(b, id)
        .into_iter()
        .chain(units_warning(b, id, sum))
        .collect()
}

/// Every warning about every building of `ds`, in building order.
pub fn check_dataset(ds: &Dataset) -> Vec<Warning> {
    let sums = unit_sums(ds);
    let mut out = Vec::new();
    for b in ds.layer("buildings").map_or(&[][..], |l| &l.features) {
        let Some(id) = feature_id(b) else { continue };
        out.extend(gfa_warning(b, &id));
        out.extend(units_warning(b, &id, sums.get(id.as_str()).copied()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::zone::{Edit, Scenario, embedded_dataset};

    fn apply(ds: &mut Dataset, edits: Vec<Edit>) {
        Scenario {
            edits,
            ..Scenario::default()
        }
        .apply(ds)
        .expect("edits apply");
    }

    #[test]
    fn the_shipped_data_pass() {
        let ds = embedded_dataset().expect("zone");
        assert_eq!(check_dataset(&ds), Vec::new());
    }

    #[test]
    fn gfa_beyond_the_floors_and_units_not_summing_are_found() {
        let mut ds = embedded_dataset().expect("zone");
        // A research building with units; its figures come from the data, the threshold
        // from the rule: just over (floors + ½) × footprint.
        let sums = unit_sums(&ds);
        let b = ds
            .layer("buildings")
            .expect("buildings")
            .features
            .iter()
            .find(|b| feature_id(b).is_some_and(|id| sums.contains_key(id.as_str())))
            .expect("a building with units")
            .clone();
        let id = feature_id(&b).expect("building id");
        let floors = b.prop_f64("floors").expect("floors");
        let fp = b.prop_f64("footprint_m2").expect("footprint");
        let units_m2 = sums[id.as_str()].0;
        let over = ((floors + 0.5) * fp).ceil() + 1.0;
        apply(
            &mut ds,
            vec![Edit::SetFloorArea {
                id: id.clone(),
                m2: over,
            }],
        );
        let w = check_building(&ds, &id);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(matches!(&w[0], Warning::GfaAboveFloors { gfa_m2, .. } if *gfa_m2 == over));
        assert!(
            matches!(&w[1], Warning::UnitsSum { units_m2: s, gfa_m2, .. } if *s == units_m2 && *gfa_m2 == over)
        );
        assert_eq!(check_dataset(&ds), w);
        assert!(w[0].to_string().starts_with(&format!("{id}: GFA ")));
        // Exactly at (floors + ½) × footprint, no GFA warning.
        apply(
            &mut ds,
            vec![Edit::SetFloorArea {
                id: id.clone(),
                m2: ((floors + 0.5) * fp).floor(),
            }],
        );
        assert!(
            !check_building(&ds, &id)
                .iter()
                .any(|w| matches!(w, Warning::GfaAboveFloors { .. }))
        );
        assert!(check_building(&ds, "NO-SUCH").is_empty());
    }

    #[test]
    fn the_issue_example_on_a_generated_hk_building() {
        // Issue 12's example (then on HK-B032, which issue 13's real Loop footprints
        // replaced): a GFA of 40,000 m² on generated HK-B004 (17 floors, 1,792 m² footprint,
        // units summing to 30,464 m²) must warn twice.
        let mut ds = embedded_dataset().expect("zone");
        apply(
            &mut ds,
            vec![Edit::SetFloorArea {
                id: "HK-B004".into(),
                m2: 40_000.0,
            }],
        );
        let w = check_building(&ds, "HK-B004");
        assert_eq!(
            w.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "HK-B004: GFA 40,000 m² is more than 17 floors × 1,792 m² footprint = 30,464 m²",
                "HK-B004: its 3 research unit(s) sum to 30,464 m², not its GFA of 40,000 m²",
            ]
        );
    }
}
