//! The zone (interface; the full module replaces this file).

use crate::core::model::Dataset;

/// Errors from the zone dataset and planning model.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    /// An embedded layer failed to load.
    #[error("embedded layer {name}: {message}")]
    Layer {
        /// Layer name.
        name: String,
        /// What went wrong.
        message: String,
    },
}

/// The embedded zone dataset: every shipped layer, bottom to top.
pub fn embedded_dataset() -> Result<Dataset, ZoneError> {
    Ok(Dataset::default())
}

/// Names of the embedded layers, bottom to top, as `embedded_dataset()` returns them.
pub const LAYER_NAMES: &[&str] = &[
    "ne_gba",
    "hk_districts",
    "futian_district",
    "shenzhen_metro_2016",
    "mtr",
    "huanggang_hk_port_area",
    "shenzhen_park",
    "lok_ma_chau_loop",
    "shenzhen_river",
    "buildings",
    "research_units",
    "places",
];

/// The conversion status of a building or research-space unit as it stood in `year`.
///
/// Features carry `"history": [{"year": 2018, "status": "existing"}, {"year": 2021,
/// "status": "converted"}, ...]` in year order. The status in `year` is that of the last
/// entry with `entry.year <= year`; `None` when the feature did not exist yet (its first
/// entry is later than `year`). A feature without `history` falls back to its `status`
/// property, whatever the year.
pub fn status_as_of(f: &crate::core::model::Feature, year: i32) -> Option<&str> {
    let Some(hist) = f.prop("history").and_then(serde_json::Value::as_array) else {
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
