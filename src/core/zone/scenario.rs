//! Planning scenarios: small JSON files of edits on top of the base data.
//!
//! ```json
//! {
//!   "name": "Faster Huanggang",
//!   "description": "Bring two Huanggang research buildings forward",
//!   "edits": [
//!     {"op": "set_status", "id": "SZ-B101", "status": "completed", "year": 2028},
//!     {"op": "set_year", "id": "SZ-B102", "year": 2029},
//!     {"op": "set_floor_area", "id": "SZ-B103", "m2": 45000},
//!     {"op": "remove", "id": "SZ-B104"},
//!     {"op": "add_building", "feature": {"type": "Feature", "id": "SZ-N001",
//!        "properties": {"park": "SZ", "use": "wet_lab", "gfa_m2": 20000,
//!                       "history": [{"year": 2026, "status": "planned"}]},
//!        "geometry": {"type": "Polygon", "coordinates": [[...]]}}}
//!   ]
//! }
//! ```
//!
//! Edits apply in order to the `buildings` and `research_units` layers, by feature id:
//! - `set_status`: the feature's status becomes `status` from `year` on (history entries of
//!   that year or later are replaced);
//! - `set_year`: the last history entry (the conversion or completion) moves to `year`;
//! - `set_floor_area`: `gfa_m2` of a building or `floor_area_m2` of a unit becomes `m2`;
//! - `remove`: the feature goes (a building takes its research units with it);
//! - `add_building`: a GeoJSON Feature with a Polygon inside its park (`park` "SZ" or
//!   "HK"), not overlapping another building, a new `id`, a known `use`, `gfa_m2`, and a
//!   `history` or `status`.
//!
//! After each edit a feature's `status` (as of [`super::DATA_YEAR`]) and `year` (its last
//! history entry) are brought up to date. An edit that cannot apply fails with its index
//! and the feature id; a malformed file fails with file:line:column.

use super::{DATA_YEAR, Status, Use, feature_id, status_as_of};
use crate::core::model::{Dataset, Feature, FeatureId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::Path;

/// One edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", try_from = "EditRepr")]
pub enum Edit {
    /// The feature's status becomes `status` from `year` on.
    SetStatus {
        /// Feature id.
        id: String,
        /// New status (see [`Status`]).
        status: String,
        /// From this year.
        year: i32,
    },
    /// The last history entry moves to `year`.
    SetYear {
        /// Feature id.
        id: String,
        /// New year.
        year: i32,
    },
    /// The building's `gfa_m2` or the unit's `floor_area_m2` becomes `m2`.
    SetFloorArea {
        /// Feature id.
        id: String,
        /// New floor area, m².
        m2: f64,
    },
    /// Remove the feature (a building with its research units).
    Remove {
        /// Feature id.
        id: String,
    },
    /// Add a building (a GeoJSON Feature object).
    AddBuilding {
        /// The feature.
        feature: Value,
    },
}

/// An edit as written: every member optional, so that a wrong type is reported at its
/// own line and column, and a missing member names the operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditRepr {
    op: String,
    id: Option<String>,
    status: Option<String>,
    year: Option<i32>,
    m2: Option<f64>,
    feature: Option<Value>,
}

/// Why an edit is malformed or cannot apply (the message is for a person; the variant for code).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    /// A member the operation needs is missing.
    #[error("edit \"{op}\" needs \"{member}\"")]
    Missing {
        /// The operation.
        op: String,
        /// The missing member.
        member: &'static str,
    },
    /// Not one of the five operations.
    #[error(
        "unknown op \"{0}\" (expected set_status, set_year, set_floor_area, remove or add_building)"
    )]
    UnknownOp(String),
    /// A status outside the vocabulary.
    #[error("unknown status \"{0}\" (expected one of {list})", list = Status::ALL.map(Status::as_str).join(", "))]
    UnknownStatus(String),
    /// No building or research unit has the id.
    #[error("no building or research unit has this id")]
    NoSuchId,
    /// `set_year` on a feature without history.
    #[error("the feature has no history or status")]
    NoHistory,
    /// `set_year` before the previous history entry.
    #[error("year {year} is before the previous history entry ({previous_year} {previous_status})")]
    YearBeforePrevious {
        /// The year asked for.
        year: i32,
        /// The previous entry's year.
        previous_year: i64,
        /// The previous entry's status.
        previous_status: String,
    },
    /// A negative or non-finite floor area.
    #[error("floor area must be a finite number ≥ 0 m², got {0}")]
    FloorArea(f64),
    /// The `add_building` feature is not valid GeoJSON.
    #[error("{0}")]
    Load(String),
    /// The `add_building` value is not exactly one Feature.
    #[error("\"feature\" must be one GeoJSON Feature")]
    NotOneFeature,
    /// The new feature has no id.
    #[error("the feature needs an \"id\"")]
    NoId,
    /// The id is taken.
    #[error("a feature with this id already exists")]
    DuplicateId,
    /// The new feature's geometry is not a Polygon.
    #[error("the geometry must be a Polygon, not {0}")]
    NotPolygon(&'static str),
    /// `park` is not SZ or HK.
    #[error("property \"park\" must be \"SZ\" or \"HK\"")]
    Park,
    /// `use` outside the vocabulary.
    #[error("property \"use\" must be one of {list}", list = Use::ALL.map(Use::as_str).join(", "))]
    Use,
    /// `gfa_m2` missing, negative or not a number.
    #[error("property \"gfa_m2\" must be a number ≥ 0 (m²)")]
    Gfa,
    /// Neither history nor status.
    #[error("the feature needs a \"history\" or a \"status\"")]
    NeedsHistory,
    /// A history entry with an unknown status.
    #[error("unknown status \"{0}\" in its history")]
    UnknownHistoryStatus(String),
    /// History out of year order.
    #[error("history entries must be in year order")]
    HistoryOrder,
    /// The dataset has no outline for the park.
    #[error("the dataset has no outline for its park")]
    NoParkOutline,
    /// The polygon leaves its park.
    #[error("the polygon is not inside the {0} park")]
    OutsidePark(String),
    /// The polygon overlaps a building (its id, when it has one).
    #[error("the polygon overlaps building {}", .0.as_deref().unwrap_or("(no id)"))]
    Overlaps(Option<String>),
    /// The dataset has no buildings layer.
    #[error("the dataset has no buildings layer")]
    NoBuildingsLayer,
}

impl TryFrom<EditRepr> for Edit {
    type Error = EditError;

    fn try_from(r: EditRepr) -> Result<Edit, EditError> {
        let op = r.op.clone();
        let missing = |member: &'static str| EditError::Missing {
            op: op.clone(),
            member,
        };
        let need = |v: Option<String>, what: &'static str| v.ok_or_else(|| missing(what));
        let need_year = |v: Option<i32>| v.ok_or_else(|| missing("year"));
        Ok(match r.op.as_str() {
            "set_status" => Edit::SetStatus {
                id: need(r.id, "id")?,
                status: need(r.status, "status")?,
                year: need_year(r.year)?,
            },
            "set_year" => Edit::SetYear {
                id: need(r.id, "id")?,
                year: need_year(r.year)?,
            },
            "set_floor_area" => Edit::SetFloorArea {
                id: need(r.id, "id")?,
                m2: r.m2.ok_or_else(|| missing("m2"))?,
            },
            "remove" => Edit::Remove {
                id: need(r.id, "id")?,
            },
            "add_building" => Edit::AddBuilding {
                feature: r.feature.ok_or_else(|| missing("feature"))?,
            },
            other => {
                return Err(EditError::UnknownOp(other.to_string()));
            }
        })
    }
}

impl Edit {
    /// The operation name.
    pub fn op(&self) -> &'static str {
        match self {
            Edit::SetStatus { .. } => "set_status",
            Edit::SetYear { .. } => "set_year",
            Edit::SetFloorArea { .. } => "set_floor_area",
            Edit::Remove { .. } => "remove",
            Edit::AddBuilding { .. } => "add_building",
        }
    }

    /// The id of the feature the edit is about.
    pub fn id(&self) -> String {
        match self {
            Edit::SetStatus { id, .. }
            | Edit::SetYear { id, .. }
            | Edit::SetFloorArea { id, .. }
            | Edit::Remove { id } => id.clone(),
            Edit::AddBuilding { feature } => match feature.get("id") {
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => feature
                    .pointer("/properties/id")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
            },
        }
    }
}

/// A scenario: a name, a description and edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name.
    #[serde(default)]
    pub name: String,
    /// What the scenario explores.
    #[serde(default)]
    pub description: String,
    /// The edits, applied in order.
    pub edits: Vec<Edit>,
}

/// Why a scenario could not be read, applied or saved.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{file}: cannot read: {message}")]
    Io {
        /// File name.
        file: String,
        /// The underlying error.
        message: String,
    },
    /// The file is not a valid scenario.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An edit cannot apply.
    #[error("edit {index} ({op}) on feature \"{id}\": {source}")]
    Edit {
        /// 0-based index of the edit in `edits`.
        index: usize,
        /// The edit's operation.
        op: &'static str,
        /// The feature id.
        id: String,
        /// What is wrong.
        source: EditError,
    },
    /// Saving failed.
    #[error(transparent)]
    Write(#[from] crate::core::atomic::AtomicWriteError),
}

impl Scenario {
    /// Parse scenario JSON; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        serde_json::from_str(text).map_err(|e| ScenarioError::Parse {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }

    /// Load a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Scenario::from_json(&text, &file)
    }

    /// The scenario as pretty JSON.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }

    /// Save atomically.
    pub fn save(&self, path: &Path) -> Result<(), ScenarioError> {
        crate::core::atomic::write_atomic(path, self.to_json().as_bytes())?;
        Ok(())
    }

    /// Apply every edit, in order, to `ds`. On error `ds` is left unchanged.
    pub fn apply(&self, ds: &mut Dataset) -> Result<(), ScenarioError> {
        let mut work = ds.clone();
        for (index, edit) in self.edits.iter().enumerate() {
            apply_edit(&mut work, edit).map_err(|source| ScenarioError::Edit {
                index,
                op: edit.op(),
                id: edit.id(),
                source,
            })?;
        }
        *ds = work;
        Ok(())
    }
}

/// Every layer a scenario's edits read or change: the buildings and research units they
/// edit, and the park outlines a new building must lie inside. Applying a scenario to a
/// dataset that has only these gives the same result for them as applying it to the whole.
pub const SCENARIO_LAYERS: &[&str] = &[
    "buildings",
    "research_units",
    "shenzhen_park",
    "lok_ma_chau_loop",
];

/// Where a feature is: (layer index, feature index).
fn find(ds: &Dataset, id: &str) -> Option<(usize, usize)> {
    for (li, l) in ds.layers.iter().enumerate() {
        if l.name != "buildings" && l.name != "research_units" {
            continue;
        }
        if let Some(fi) = l
            .features
            .iter()
            .position(|f| feature_id(f).as_deref() == Some(id))
        {
            return Some((li, fi));
        }
    }
    None
}

fn history(f: &Feature) -> Vec<(i64, String)> {
    let mut h: Vec<(i64, String)> = f
        .prop("history")
        .and_then(|h| h.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|e| {
                    Some((
                        e.get("year")?.as_i64()?,
                        e.get("status")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if let (true, Some(s)) = (h.is_empty(), f.prop_str("status")) {
        let y = f
            .prop("year")
            .and_then(|y| y.as_i64())
            .unwrap_or(i64::from(DATA_YEAR));
        h.push((y, s.to_string()));
    }
    h
}

fn set_history(f: &mut Feature, h: &[(i64, String)]) {
    let props = f.properties.get_or_insert_with(Default::default);
    props.insert(
        "history".into(),
        Value::Array(
            h.iter()
                .map(|(y, s)| json!({"year": y, "status": s}))
                .collect(),
        ),
    );
    refresh(f);
}

/// Bring `status` (as of DATA_YEAR) and `year` (last history entry) up to date.
fn refresh(f: &mut Feature) {
    let status = status_as_of(f, DATA_YEAR).map(str::to_string);
    let last_year = f
        .prop("history")
        .and_then(|h| h.as_array())
        .and_then(|a| a.last())
        .and_then(|e| e.get("year"))
        .cloned();
    let props = f.properties.get_or_insert_with(Default::default);
    props.insert(
        "status".into(),
        status.map(Value::String).unwrap_or(Value::Null),
    );
    if let Some(y) = last_year {
        props.insert("year".into(), y);
    }
}

fn apply_edit(ds: &mut Dataset, edit: &Edit) -> Result<(), EditError> {
    match edit {
        Edit::SetStatus { id, status, year } => {
            if Status::parse(status).is_none() {
                return Err(EditError::UnknownStatus(status.clone()));
            }
            let (li, fi) = find(ds, id).ok_or(EditError::NoSuchId)?;
            let is_building = ds.layers[li].name == "buildings";
            let set = |f: &mut Feature| {
                let mut h = history(f);
                h.retain(|e| e.0 < i64::from(*year));
                h.push((i64::from(*year), status.clone()));
                set_history(f, &h);
            };
            set(&mut ds.layers[li].features[fi]);
            // A building's research units share its status: the change carries to them.
            if let (true, Some(units)) = (is_building, ds.layer_mut("research_units")) {
                let mine = |u: &&mut Feature| u.prop_str("building_id") == Some(id.as_str());
                for u in units.features.iter_mut().filter(mine) {
                    set(u);
                    let delivered = history(u)
                        .into_iter()
                        .find(|(_, s)| Status::parse(s).is_some_and(Status::is_delivered))
                        .map_or(Value::Null, |(y, _)| Value::from(y));
                    if let Some(p) = u.properties.as_mut() {
                        p.insert("year_converted".into(), delivered);
                    }
                }
            }
        }
        Edit::SetYear { id, year } => {
            let (li, fi) = find(ds, id).ok_or(EditError::NoSuchId)?;
            let f = &mut ds.layers[li].features[fi];
            let mut h = history(f);
            let n = h.len();
            if n == 0 {
                return Err(EditError::NoHistory);
            }
            if n >= 2 && h[n - 2].0 > i64::from(*year) {
                return Err(EditError::YearBeforePrevious {
                    year: *year,
                    previous_year: h[n - 2].0,
                    previous_status: h[n - 2].1.clone(),
                });
            }
            h[n - 1].0 = i64::from(*year);
            set_history(f, &h);
        }
        Edit::SetFloorArea { id, m2 } => {
            if !(m2.is_finite() && *m2 >= 0.0) {
                return Err(EditError::FloorArea(*m2));
            }
            let (li, fi) = find(ds, id).ok_or(EditError::NoSuchId)?;
            let key = if ds.layers[li].name == "buildings" {
                "gfa_m2"
            } else {
                "floor_area_m2"
            };
            let f = &mut ds.layers[li].features[fi];
            let v = if m2.fract() == 0.0 && m2.abs() < 9e15 {
                Value::from(*m2 as i64)
            } else {
                serde_json::Number::from_f64(*m2)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            };
            f.properties
                .get_or_insert_with(Default::default)
                .insert(key.into(), v);
        }
        Edit::Remove { id } => {
            let (li, fi) = find(ds, id).ok_or(EditError::NoSuchId)?;
            let was_building = ds.layers[li].name == "buildings";
            ds.layers[li].features.remove(fi);
            if let (true, Some(units)) = (was_building, ds.layer_mut("research_units")) {
                units
                    .features
                    .retain(|u| u.prop_str("building_id") != Some(id.as_str()));
            }
        }
        Edit::AddBuilding { feature } => add_building(ds, feature)?,
    }
    Ok(())
}

fn add_building(ds: &mut Dataset, feature: &Value) -> Result<(), EditError> {
    use geo::{Contains, Intersects};
    let bytes = serde_json::to_vec(feature).map_err(|e| EditError::Load(e.to_string()))?;
    let layer = crate::core::io::load_slice(&bytes, "add_building", "add_building feature")
        .map_err(|e| EditError::Load(e.to_string()))?;
    let mut f = match <[Feature; 1]>::try_from(layer.features) {
        Ok([f]) => f,
        Err(_) => return Err(EditError::NotOneFeature),
    };
    let id = feature_id(&f).ok_or(EditError::NoId)?;
    if find(ds, &id).is_some() {
        return Err(EditError::DuplicateId);
    }
    let Some(geo::Geometry::Polygon(poly)) = &f.geometry else {
        return Err(EditError::NotPolygon(f.geometry_type()));
    };
    let park = f.prop_str("park").unwrap_or("");
    if park != "SZ" && park != "HK" {
        return Err(EditError::Park);
    }
    match f.prop_str("use") {
        Some(u) if Use::parse(u).is_some() => {}
        _ => return Err(EditError::Use),
    }
    if !f
        .prop_f64("gfa_m2")
        .is_some_and(|v| v.is_finite() && v >= 0.0)
    {
        return Err(EditError::Gfa);
    }
    let h = history(&f);
    if h.is_empty() {
        return Err(EditError::NeedsHistory);
    }
    if let Some((_, s)) = h.iter().find(|(_, s)| Status::parse(s).is_none()) {
        return Err(EditError::UnknownHistoryStatus(s.clone()));
    }
    if h.windows(2).any(|w| w[0].0 > w[1].0) {
        return Err(EditError::HistoryOrder);
    }
    let outline = super::park_geometry(ds, park).ok_or(EditError::NoParkOutline)?;
    if !outline.contains(poly) {
        return Err(EditError::OutsidePark(park.to_string()));
    }
    let buildings = ds.layer("buildings").map_or(&[][..], |b| &b.features[..]);
    if let Some(other) = buildings
        .iter()
        .find(|o| o.geometry.as_ref().is_some_and(|g| g.intersects(poly)))
    {
        return Err(EditError::Overlaps(feature_id(other)));
    }
    f.id = Some(FeatureId::String(id.clone()));
    let footprint = crate::core::measure::geodesic_area_m2(&geo::Geometry::Polygon(poly.clone()));
    {
        let props = f.properties.get_or_insert_with(Default::default);
        props.insert("id".into(), id.into());
        if !props.contains_key("footprint_m2") {
            props.insert("footprint_m2".into(), Value::from(footprint.round() as i64));
        }
        props.insert("illustrative".into(), true.into());
        props.insert("scenario".into(), true.into());
    }
    set_history(&mut f, &h);
    match ds.layer_mut("buildings") {
        Some(l) => l.features.push(f),
        None => return Err(EditError::NoBuildingsLayer),
    }
    Ok(())
}
