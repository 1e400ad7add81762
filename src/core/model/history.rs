//! Features that change over time: a `history` property of `{year, status}` entries, read
//! "as of" a year. The model's rule, used by the zone's floor-space model and by the renderer's
//! year filter alike (the renderer knows the rule, not the zone).

use super::{Feature, PropValue};

/// The status of a feature (a building, a research-space unit) as it stood in `year`.
///
/// Features carry `"history": [{"year": 2018, "status": "existing"}, {"year": 2021,
/// "status": "converted"}, ...]` in year order. The status in `year` is that of the last
/// entry with `entry.year <= year`; `None` when the feature did not exist yet (its first
/// entry is later than `year`). A feature without `history` falls back to its `status`
/// property, whatever the year.
pub fn status_as_of(f: &Feature, year: i32) -> Option<&str> {
    let Some(hist) = f.prop("history").and_then(PropValue::as_array) else {
        return f.prop_str("status");
    };
    let mut current = None;
    for e in hist {
        let y = e.get("year").and_then(serde_json::Value::as_i64);
        match y {
            Some(y) if y <= i64::from(year) => current = e.get("status").and_then(|s| s.as_str()),
            Some(_) => break,
            None => {}
        }
    }
    current
}
