//! A building layer + a [`Mapping`] (+ a ledger's histories) → the model's `buildings`
//! layer: every feature carries `id`, `park`, `use`, `status`, `gfa_m2` (and `name`,
//! `floors`, `year`, `history` when known) in the model's vocabulary, followed by the
//! file's own properties (those whose names the model does not use).
//!
//! Status by year ([`crate::core::zone::status_as_of`] reads the `history` written here):
//! - the building has ledger rows: they are its history (they override everything else);
//! - else a `history` property in the model's form (the shipped files) is kept;
//! - else with a `status_year`: from that year on the mapped status; before it the status
//!   that precedes it (completed ← under construction ← planned, converted ← converting ←
//!   existing), so the floor space counts as not delivered; a planned or existing building
//!   does not exist before its year;
//! - else: the mapped status, whatever the year.
//!
//! Every failure names the file, the feature (number, id, line) and the file's field.

use super::InventoryError;
use super::ledger::{Histories, LedgerRow};
use super::mapping::{Mapping, model_values};
use crate::core::model::{Feature, Layer, PropValue};
use crate::core::zone::Status;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The property names the model writes (a file property of the same name is replaced).
const MODEL_KEYS: [&str; 10] = [
    "id",
    "name",
    "park",
    "use",
    "status",
    "gfa_m2",
    "floors",
    "year",
    "history",
    "illustrative",
];

/// How a feature is named in messages: `feature 3 (id "B-07", line 9)`.
pub fn feature_label(index: usize, f: &Feature, id: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(id) = id {
        parts.push(format!("id {id:?}"));
    }
    if f.pos.line > 0 {
        parts.push(format!("line {}", f.pos.line));
    }
    if parts.is_empty() {
        format!("feature {}", index + 1)
    } else {
        format!("feature {} ({})", index + 1, parts.join(", "))
    }
}

/// A property value as the text a mapping table is keyed by (`None` for null / missing /
/// blank).
pub fn value_text(v: &PropValue) -> Option<String> {
    if v.is_null() {
        return None;
    }
    let t = match v.as_str() {
        Some(s) => s.trim().to_string(),
        None => match v.as_json() {
            Some(j) => j.to_string(),
            None => v.to_value().to_string(),
        },
    };
    (!t.is_empty()).then_some(t)
}

/// The distinct values of `field` in `layer` as mapping tables key them (first-seen order,
/// at most `max`), for building `[values.*]` tables.
pub fn distinct_values(layer: &Layer, field: &str, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in &layer.features {
        if let Some(t) = f.prop(field).and_then(value_text)
            && !out.contains(&t)
        {
            out.push(t);
            if out.len() >= max {
                break;
            }
        }
    }
    out
}

/// A number from a number or a numeric text ("12,000", " 3.5 ").
pub fn parse_number(v: &PropValue) -> Option<f64> {
    if let Some(x) = v.as_f64() {
        return Some(x);
    }
    let s: String = v
        .as_str()?
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    s.parse::<f64>().ok()
}

/// A year from an integer, a numeric text, or a date text starting with the year
/// ("2021-06-30", "2021/6").
pub fn parse_year(v: &PropValue) -> Option<i32> {
    let y = match parse_number(v) {
        Some(x) if x.fract() == 0.0 => x as i64,
        Some(_) => return None,
        None => {
            let s = v.as_str()?.trim();
            let head: String = s.chars().take_while(char::is_ascii_digit).collect();
            let rest = &s[head.len()..];
            if head.len() != 4 || !(rest.starts_with('-') || rest.starts_with('/')) {
                return None;
            }
            head.parse().ok()?
        }
    };
    (1000..=9999).contains(&y).then_some(y as i32)
}

/// The status before `s` when `s` was reached in a known year (`None`: nothing before).
fn predecessor(s: Status) -> Option<Status> {
    match s {
        Status::Completed => Some(Status::UnderConstruction),
        Status::UnderConstruction => Some(Status::Planned),
        Status::Converted => Some(Status::Converting),
        Status::Converting => Some(Status::Existing),
        Status::Planned | Status::Existing => None,
    }
}

/// The first year a predecessor status is recorded from (the earliest `hetao stats` year).
const EARLIEST_YEAR: i32 = 1900;

struct Ctx<'a> {
    file: &'a str,
    mapping: &'a Mapping,
}

impl Ctx<'_> {
    /// The file's value of `model`, mapped to the model's vocabulary when the field has
    /// one; `Ok(None)` when the feature has no value.
    fn mapped(
        &self,
        f: &Feature,
        model: &str,
        label: &dyn Fn() -> String,
    ) -> Result<Option<String>, InventoryError> {
        let field = self.mapping.field(model);
        let Some(text) = f.prop(field).and_then(value_text) else {
            return Ok(None);
        };
        let allowed = model_values(model);
        let hit = match self.mapping.values.get(model) {
            Some(table) => table.get(&text).cloned(),
            None => allowed.contains(&text.as_str()).then(|| text.clone()),
        };
        match hit {
            Some(v) => Ok(Some(v)),
            None => Err(InventoryError::UnmappedValue {
                file: self.file.to_string(),
                feature: label(),
                field: field.to_string(),
                value: text,
                table: match self.mapping.values.get(model) {
                    Some(t) => format!(
                        "[values.{model}] of {} does not map (mapped values: {})",
                        self.mapping.describe(),
                        t.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                    None => format!(
                        "is not a model value of {model} and {} has no [values.{model}] (model values: {})",
                        self.mapping.describe(),
                        allowed.join(", ")
                    ),
                },
            }),
        }
    }

    fn missing(&self, model: &str, label: String) -> InventoryError {
        InventoryError::MissingField {
            file: self.file.to_string(),
            feature: label,
            field: self.mapping.field(model).to_string(),
            model: model.to_string(),
        }
    }

    fn bad(&self, model: &str, label: String, v: &PropValue, message: &str) -> InventoryError {
        InventoryError::BadValue {
            file: self.file.to_string(),
            feature: label,
            field: self.mapping.field(model).to_string(),
            value: value_text(v).unwrap_or_default(),
            message: message.to_string(),
        }
    }
}

/// Map `source`'s features into the model's `buildings` layer. `histories` are the ledger's
/// rows by building id (empty without a ledger); a ledger id that no building has is an
/// error naming its row.
pub fn apply(
    source: &Layer,
    mapping: &Mapping,
    histories: &Histories,
) -> Result<Layer, InventoryError> {
    let file_name = source
        .source
        .as_ref()
        .map_or_else(|| source.name.clone(), |p| p.display().to_string());
    let cx = Ctx {
        file: &file_name,
        mapping,
    };
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut features = Vec::with_capacity(source.features.len());
    for (i, f) in source.features.iter().enumerate() {
        let id = feature_id_text(f, mapping);
        let label_owned = feature_label(i, f, id.as_deref());
        let label = || label_owned.clone();
        let Some(id) = id else {
            return Err(match f.prop(mapping.field("id")) {
                Some(_) => InventoryError::EmptyId {
                    file: file_name.clone(),
                    feature: label(),
                    field: mapping.field("id").to_string(),
                },
                None => cx.missing("id", label()),
            });
        };
        if let Some(first) = seen.insert(id.clone(), label()) {
            return Err(InventoryError::DuplicateId {
                file: file_name.clone(),
                id,
                first,
                second: label(),
            });
        }
        let park = cx
            .mapped(f, "park", &label)?
            .ok_or_else(|| cx.missing("park", label()))?;
        let use_ = cx
            .mapped(f, "use", &label)?
            .ok_or_else(|| cx.missing("use", label()))?;
        let status = cx.mapped(f, "status", &label)?;
        let gfa_v = f
            .prop(mapping.field("gfa_m2"))
            .filter(|v| value_text(v).is_some())
            .ok_or_else(|| cx.missing("gfa_m2", label()))?;
        let gfa =
            parse_number(gfa_v).ok_or_else(|| cx.bad("gfa_m2", label(), gfa_v, "not a number"))?;
        if !gfa.is_finite() || gfa < 0.0 {
            return Err(cx.bad("gfa_m2", label(), gfa_v, "not a floor area (m², 0 or more)"));
        }
        let floors = match f
            .prop(mapping.field("floors"))
            .filter(|v| value_text(v).is_some())
        {
            None => None,
            Some(v) => match parse_number(v) {
                Some(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 => Some(x as i64),
                _ => return Err(cx.bad("floors", label(), v, "not a whole number of floors")),
            },
        };
        let status_year = match f
            .prop(mapping.field("status_year"))
            .filter(|v| value_text(v).is_some())
        {
            None => None,
            Some(v) => {
                Some(parse_year(v).ok_or_else(|| cx.bad("status_year", label(), v, "not a year"))?)
            }
        };
        let rows = histories.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        let own = own_history(f).map_err(|m| {
            cx.bad(
                "history",
                label(),
                f.prop("history").unwrap_or(&PropValue::string("")),
                &m,
            )
        })?;
        let (status, history) = if let Some(last) = rows.last() {
            (last.status, Some(ledger_history(rows)))
        } else if let Some((last, h)) = own {
            (last, Some(h))
        } else {
            let s = status.ok_or_else(|| cx.missing("status", label()))?;
            let s = Status::parse(&s).ok_or_else(|| cx.missing("status", label()))?;
            (s, status_year.map(|y| year_history(s, y)))
        };
        let mut props = Map::new();
        props.insert("id".into(), Value::String(id.clone()));
        if let Some(name) = f.prop(mapping.field("name")).and_then(value_text) {
            props.insert("name".into(), Value::String(name));
        }
        props.insert("park".into(), Value::String(park));
        props.insert("use".into(), Value::String(use_));
        props.insert("status".into(), Value::String(status.as_str().into()));
        props.insert("gfa_m2".into(), json!(gfa));
        if let Some(n) = floors {
            props.insert("floors".into(), json!(n));
        }
        let year = rows.last().map(|r| r.year).or_else(|| {
            history
                .as_ref()
                .and_then(|h| h.as_array()?.last()?.get("year")?.as_i64())
                .and_then(|y| i32::try_from(y).ok())
        });
        if let Some(y) = year {
            props.insert("year".into(), json!(y));
        }
        if let Some(h) = history {
            props.insert("history".into(), h);
        }
        let illustrative = f
            .prop("illustrative")
            .and_then(PropValue::as_bool)
            .unwrap_or(false);
        props.insert("illustrative".into(), Value::Bool(illustrative));
        let used: Vec<&str> = crate::core::zone::inventory::mapping::MODEL_FIELDS
            .iter()
            .map(|(m, _)| mapping.field(m))
            .collect();
        for (k, v) in f.props() {
            if !MODEL_KEYS.contains(&k) && !used.contains(&k) {
                props.insert(k.to_string(), v.to_value());
            }
        }
        features.push(Feature {
            id: Some(crate::core::model::FeatureId::String(id)),
            geometry: f.geometry.clone(),
            properties: Some(props.into()),
            z: f.z.clone(),
            bbox: f.bbox.clone(),
            foreign: Default::default(),
            pos: f.pos,
        });
    }
    if let Some((id, rows)) = histories.iter().find(|(id, _)| !seen.contains_key(*id)) {
        return Err(InventoryError::Ledger {
            file: rows.first().map(|r| r.file.clone()).unwrap_or_default(),
            row: rows.first().map_or(0, |r| r.row),
            message: format!("id {id:?} is not a building of {file_name}"),
        });
    }
    Ok(Layer {
        name: "buildings".into(),
        source: source.source.clone(),
        features,
        attribution: Some(
            source
                .attribution
                .clone()
                .unwrap_or_else(|| format!("building inventory: {file_name}")),
        ),
        illustrative: source.illustrative,
        source_crs: source.source_crs.clone(),
        ..Layer::default()
    })
}

/// The building id: the mapped field's value, else (for the default `id` field) the
/// feature's `id` member; `None` when empty or missing.
fn feature_id_text(f: &Feature, mapping: &Mapping) -> Option<String> {
    let field = mapping.field("id");
    match f.prop(field) {
        Some(v) => value_text(v),
        None if !mapping.names_field("id") => {
            f.id.as_ref()
                .map(ToString::to_string)
                .filter(|s| !s.trim().is_empty())
        }
        None => None,
    }
}

/// A `history` property already in the model's form (`[{"year": 2019, "status":
/// "planned"}, ...]`, years rising): kept with its last status; `Ok(None)` when there is
/// none.
fn own_history(f: &Feature) -> Result<Option<(Status, Value)>, String> {
    let Some(v) = f.prop("history").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let arr = v
        .as_array()
        .ok_or("a history is a list of {year, status} entries")?;
    let mut last: Option<(i64, Status)> = None;
    for e in arr {
        let y = e
            .get("year")
            .and_then(Value::as_i64)
            .ok_or("a history entry has no year")?;
        let s = e
            .get("status")
            .and_then(Value::as_str)
            .and_then(Status::parse)
            .ok_or_else(|| format!("the history entry of {y} has no model status"))?;
        if last.is_some_and(|(py, _)| py > y) {
            return Err(format!("history years are not in order at {y}"));
        }
        last = Some((y, s));
    }
    Ok(last.map(|(_, s)| (s, Value::Array(arr.clone()))))
}

fn ledger_history(rows: &[LedgerRow]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| json!({"year": r.year, "status": r.status.as_str()}))
            .collect(),
    )
}

fn year_history(s: Status, year: i32) -> Value {
    let mut h = Vec::new();
    if let Some(p) = predecessor(s).filter(|_| year > EARLIEST_YEAR) {
        h.push(json!({"year": EARLIEST_YEAR, "status": p.as_str()}));
    }
    h.push(json!({"year": year, "status": s.as_str()}));
    Value::Array(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_read_from_numbers_texts_and_dates() {
        assert_eq!(parse_year(&PropValue::string("2021")), Some(2021));
        assert_eq!(parse_year(&PropValue::string("2021-06-30")), Some(2021));
        assert_eq!(parse_year(&PropValue::number(2019.into())), Some(2019));
        assert_eq!(parse_year(&PropValue::string("soon")), None);
        assert_eq!(parse_year(&PropValue::string("21")), None);
        assert_eq!(parse_number(&PropValue::string("12,500")), Some(12_500.0));
    }

    #[test]
    fn a_status_year_makes_the_space_undelivered_before_it() {
        let h = year_history(Status::Completed, 2023);
        let years: Vec<i64> = h
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["year"].as_i64()).collect())
            .unwrap_or_default();
        assert_eq!(years, vec![1900, 2023]);
        assert_eq!(h[0]["status"], "under_construction");
        assert_eq!(h[1]["status"], "completed");
        let planned = year_history(Status::Planned, 2026);
        assert_eq!(planned.as_array().map(Vec::len), Some(1));
    }
}
