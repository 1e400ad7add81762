//! The status ledger: a table of (building id, year, status) rows, read through
//! [`crate::core::io::open_layers`] (a GeoJSON FeatureCollection of features with
//! `"geometry": null`; CSV and XLSX/ODS sheets where the GDAL readers are built in), into
//! each building's status history ([`Histories`]).
//!
//! Rows are numbered from 1 in file order (a sheet's first data row is row 1). Statuses are
//! mapped through the mapping's `[values.status]` (or are the model's names). An empty
//! id, a missing or malformed year, an unmapped status or two different statuses for the
//! same building and year are errors naming the file, the row and the field.

use super::InventoryError;
use super::apply::{parse_year, value_text};
use super::mapping::{LedgerSpec, Mapping, model_values};
use crate::core::io::{OpenOptions, open_layers};
use crate::core::zone::Status;
use std::collections::BTreeMap;

/// One ledger row: the building reached `status` in `year`.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// The year.
    pub year: i32,
    /// The status reached.
    pub status: Status,
    /// The ledger file (for messages).
    pub file: String,
    /// 1-based row number.
    pub row: usize,
}

/// Each building's ledger rows (by building id), in year order.
pub type Histories = BTreeMap<String, Vec<LedgerRow>>;

/// Read the ledger `spec` names, mapping statuses through `mapping`.
pub fn read(spec: &LedgerSpec, mapping: &Mapping) -> Result<Histories, InventoryError> {
    let file = spec.file.display().to_string();
    let opts = OpenOptions {
        layer: spec.layer.as_deref(),
        ..OpenOptions::default()
    };
    let mut layers = open_layers(&spec.file, &opts)?;
    if layers.len() != 1 {
        return Err(InventoryError::Ledger {
            file,
            row: 0,
            message: format!(
                "the file has {} layers ({}); name one with layer = \"...\" in [ledger]",
                layers.len(),
                layers
                    .iter()
                    .map(|l| l.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let layer = layers.remove(0);
    let mut out: Histories = BTreeMap::new();
    for (i, f) in layer.features.iter().enumerate() {
        let row = i + 1;
        let at = |message: String| InventoryError::Ledger {
            file: file.clone(),
            row,
            message: if f.pos.line > 0 {
                format!("(line {}) {message}", f.pos.line)
            } else {
                message
            },
        };
        let Some(id) = f.prop(&spec.id).and_then(value_text) else {
            return Err(at(format!(
                "empty key: the id field {:?} is empty",
                spec.id
            )));
        };
        let year_v = f
            .prop(&spec.year)
            .filter(|v| value_text(v).is_some())
            .ok_or_else(|| {
                at(format!(
                    "id {id:?}: the year field {:?} is empty",
                    spec.year
                ))
            })?;
        let year = parse_year(year_v).ok_or_else(|| {
            at(format!(
                "id {id:?}: the year field {:?} holds {:?}, not a year",
                spec.year,
                value_text(year_v).unwrap_or_default()
            ))
        })?;
        let Some(text) = f.prop(&spec.status).and_then(value_text) else {
            return Err(at(format!(
                "id {id:?}: the status field {:?} is empty",
                spec.status
            )));
        };
        let mapped = match mapping.values.get("status") {
            Some(t) => t.get(&text).cloned(),
            None => Some(text.clone()),
        };
        let Some(status) = mapped.as_deref().and_then(Status::parse) else {
            let expected = match mapping.values.get("status") {
                Some(t) => t.keys().cloned().collect::<Vec<_>>().join(", "),
                None => model_values("status").join(", "),
            };
            return Err(at(format!(
                "id {id:?}: status value {text:?} of field {:?} is not mapped by [values.status] of {} (mapped values: {expected})",
                spec.status,
                mapping.describe()
            )));
        };
        let rows = out.entry(id.clone()).or_default();
        if let Some(other) = rows.iter().find(|r| r.year == year && r.status != status) {
            return Err(at(format!(
                "id {id:?}: year {year} is {} here and {} in row {}",
                status.as_str(),
                other.status.as_str(),
                other.row
            )));
        }
        if !rows.iter().any(|r| r.year == year) {
            rows.push(LedgerRow {
                year,
                status,
                file: file.clone(),
                row,
            });
        }
    }
    for rows in out.values_mut() {
        rows.sort_by_key(|r| r.year);
    }
    Ok(out)
}
