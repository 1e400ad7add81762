//! What a planner reads about a feature, shared by the hover tooltip and the inspector: its
//! name in English and Chinese, its key figure (GFA, floor area or area), the planner's fields
//! of a building or research unit, and the source as one line. Internal provenance (how a
//! boundary was derived, source repositories, audit files, OSM ids) is never shown.

use crate::core::model::Feature;
use crate::core::zone::planning::thousands;
use crate::core::zone::status_as_of;

/// Properties that record how the data was made, not what it is: left out of the inspector.
pub const PROVENANCE_KEYS: &[&str] = &[
    "derivation",
    "source",
    "license",
    "caveat",
    "note",
    "meaning",
    "context",
    "@id",
    "@relations",
    "osmNodeIds",
    "osmRelationIds",
    "osmWayCount",
    "clipped_to_bbox",
    "vertex_count",
    "geometry_kind",
    "valid",
    "parts",
    "schematic",
    "northern_edge_offset_deg",
    "official_area_note",
    "history",
    "illustrative",
];

/// The feature's name in English (or its id), and in Chinese when it has one.
pub fn names(f: &Feature) -> (String, Option<String>) {
    let en = ["name_en", "name", "NAME_EN", "platform"]
        .iter()
        .find_map(|k| f.prop_str(k))
        .map(str::to_string)
        .unwrap_or_else(|| crate::core::zone::feature_id(f));
    let zh = ["name_zh", "NAME_TC", "地區"]
        .iter()
        .find_map(|k| f.prop_str(k))
        .filter(|z| *z != en)
        .map(str::to_string);
    (en, zh)
}

/// The one figure that matters most for the feature: GFA of a building, floor area of a
/// research unit, else the area of a polygon or the length of a line.
pub fn key_figure(f: &Feature) -> Option<String> {
    if let Some(g) = f.prop_f64("gfa_m2") {
        return Some(format!("GFA {} m²", thousands(g)));
    }
    if let Some(a) = f.prop_f64("floor_area_m2") {
        return Some(format!("{} m² research space", thousands(a)));
    }
    let g = f.geometry.as_ref()?;
    match g {
        geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_) => {
            let a = crate::core::measure::geodesic_area_m2(g);
            (a > 0.0).then(|| format!("area {}", crate::app::widgets::fmt_area(a)))
        }
        geo::Geometry::LineString(_) | geo::Geometry::MultiLineString(_) => {
            let l = crate::core::measure::geodesic_length_m(g);
            (l > 0.0).then(|| format!("length {}", crate::app::widgets::fmt_len(l)))
        }
        _ => None,
    }
}

/// The planner's fields of a building or research unit as of `year`: (label, value).
/// `units` are a building's research units (empty for a unit).
pub fn planner_fields(f: &Feature, year: i32, units: &[&Feature]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    out.push((
        "status",
        format!(
            "{} (in {year})",
            status_as_of(f, year).unwrap_or("not yet planned")
        ),
    ));
    let last = f
        .prop("history")
        .and_then(|h| h.as_array())
        .and_then(|h| h.last())
        .and_then(|e| e.get("year"))
        .and_then(serde_json::Value::as_i64);
    if let Some(y) = last.or_else(|| f.prop("year").and_then(serde_json::Value::as_i64)) {
        out.push(("year", y.to_string()));
    }
    if let Some(u) = f.prop_str("use").or_else(|| f.prop_str("kind")) {
        out.push(("use", u.replace('_', " ")));
    }
    if let Some(n) = f.prop_f64("floors") {
        out.push(("floors", thousands(n)));
    }
    if let Some(g) = f.prop_f64("gfa_m2") {
        out.push(("GFA", format!("{} m²", thousands(g))));
    }
    if let Some(a) = f.prop_f64("floor_area_m2") {
        out.push(("floor area", format!("{} m²", thousands(a))));
    }
    if f.prop_f64("gfa_m2").is_some() {
        let research: f64 = units
            .iter()
            .filter_map(|u| u.prop_f64("floor_area_m2"))
            .sum();
        out.push(("research GFA", format!("{} m²", thousands(research))));
        out.push(("units", units.len().to_string()));
    }
    if let Some(p) = f.prop_str("park") {
        let park = match p {
            "SZ" => "Shenzhen park",
            "HK" => "Hong Kong park (HSITP)",
            other => other,
        };
        out.push(("park", park.to_string()));
    }
    out
}

/// The source of a layer as one line: its attribution up to the first ";" (the rest is detail
/// for the map's credits), or "loaded file" for a file without one.
pub fn source_line(attribution: Option<&str>) -> String {
    match attribution {
        Some(a) => a.split(';').next().unwrap_or(a).trim().to_string(),
        None => "no source recorded".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feature(p: serde_json::Value) -> Feature {
        Feature {
            properties: p.as_object().cloned(),
            ..Feature::default()
        }
    }

    #[test]
    fn a_buildings_fields_sum_its_units_and_hide_provenance() {
        let b = feature(json!({
            "id": "SZ-B001", "name": "Lab 1", "name_zh": "一号楼", "park": "SZ", "use": "dry_lab_office",
            "floors": 4, "gfa_m2": 12047, "history": [{"year": 2019, "status": "converting"}],
            "derivation": "from repo x/y audit.json"
        }));
        let u1 = feature(json!({"floor_area_m2": 5000}));
        let u2 = feature(json!({"floor_area_m2": 2500}));
        let fields = planner_fields(&b, 2020, &[&u1, &u2]);
        let get = |k: &str| fields.iter().find(|f| f.0 == k).map(|f| f.1.clone());
        assert_eq!(get("status").as_deref(), Some("converting (in 2020)"));
        assert_eq!(get("research GFA").as_deref(), Some("7,500 m²"));
        assert_eq!(get("units").as_deref(), Some("2"));
        assert_eq!(get("floors").as_deref(), Some("4"));
        assert!(fields.iter().all(|f| !f.1.contains("repo")));
        assert_eq!(names(&b), ("Lab 1".to_string(), Some("一号楼".to_string())));
        assert_eq!(key_figure(&b).as_deref(), Some("GFA 12,047 m²"));
        assert!(PROVENANCE_KEYS.contains(&"derivation"));
        assert_eq!(source_line(Some("A, via B; more detail")), "A, via B");
    }
}
