//! Edits carried through and checked (issue 12): a building's status change reaches its
//! research units, and `hetao scenario check` prints the plausibility warnings.
//!
//! Expected figures are those of a generated Hong Kong building of the shipped data (HK-B004:
//! 17 floors, 1,792 m² footprint, three units summing to 30,464 m²; read by hand from
//! `data/zone/`). Until the Loop's buildings became real OSM footprints (issue 13) the issue's
//! own HK-B004 was used; it is no longer generated.

use hetao_atlas::cli::run_args;
use hetao_atlas::core::zone::{self, Edit, Scenario};
use serde_json::Value;
use std::path::Path;

fn shipped_units_of(building: &str) -> Vec<Value> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/zone/research_units.geojson");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
    v["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|u| u["properties"]["building_id"] == building)
        .cloned()
        .collect()
}

#[test]
fn a_building_status_change_carries_to_its_units() {
    let shipped = shipped_units_of("HK-B004");
    assert_eq!(shipped.len(), 3);
    assert!(
        shipped
            .iter()
            .all(|u| u["properties"]["status"] == "planned")
    );
    let mut ds = zone::embedded_dataset().expect("zone");
    Scenario {
        edits: vec![Edit::SetStatus {
            id: "HK-B004".into(),
            status: "completed".into(),
            year: 2025,
        }],
        ..Scenario::default()
    }
    .apply(&mut ds)
    .expect("applies");
    let units: Vec<_> = ds
        .layer("research_units")
        .expect("units")
        .features
        .iter()
        .filter(|u| u.prop_str("building_id") == Some("HK-B004"))
        .collect();
    assert_eq!(units.len(), 3);
    for u in units {
        assert_eq!(u.prop_str("status"), Some("completed"));
        assert_eq!(zone::status_as_of(u, 2025), Some("completed"));
        assert_eq!(
            u.prop("year_converted").and_then(|v| v.as_i64()),
            Some(2025)
        );
    }
    // Other buildings' units are untouched.
    let other = ds
        .layer("research_units")
        .expect("units")
        .features
        .iter()
        .find(|u| u.prop_str("building_id") == Some("SZ-B002"))
        .expect("SZ-B002-U01");
    assert_eq!(other.prop_str("status"), Some("planned"));
}

#[test]
fn scenario_check_prints_plausibility_warnings() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("big.json");
    std::fs::write(
        &f,
        r#"{"edits": [{"op": "set_floor_area", "id": "HK-B004", "m2": 40000}]}"#,
    )
    .expect("write");
    let (code, out) = run_args(&["scenario", "check", "--scenario", f.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{out}");
    let warnings: Vec<&str> = out.lines().filter(|l| l.contains("warning:")).collect();
    assert_eq!(warnings.len(), 2, "{out}");
    assert!(warnings[0].contains("HK-B004: GFA 40,000 m²"), "{out}");
    assert!(warnings[0].contains("17 floors × 1,792 m²"), "{out}");
    assert!(warnings[1].contains("sum to 30,464 m²"), "{out}");
    // No warning for a plausible edit.
    std::fs::write(
        &f,
        r#"{"edits": [{"op": "set_year", "id": "HK-B004", "year": 2037}]}"#,
    )
    .expect("write");
    let (code, out) = run_args(&["scenario", "check", "--scenario", f.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("warning:"), "{out}");
}
