//! The in-memory model: a [`Dataset`] of [`Layer`]s, each a list of [`Feature`]s.
//!
//! Geometries are `geo` geometries in WGS84 longitude/latitude degrees (x = lon, y = lat),
//! whatever CRS the source used. A feature remembers where it started in its source file
//! (1-based line and column) so that every later message can point back at it.
//!
//! A feature's `properties` are a compact [`Properties`] (see `properties`): read them
//! through [`Feature::prop`], [`Feature::prop_str`], [`Feature::prop_f64`] and
//! [`Feature::props`], change them with [`Feature::set_prop`].

pub mod history;
mod properties;

pub use properties::{INLINE_STR, Key, Members, PropValue, Properties};

use serde_json::{Map, Value};
use std::path::PathBuf;

/// A feature identifier as RFC 7946 §3.2 allows: a string or a number.
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureId {
    /// `"id": "b-001"`
    String(String),
    /// `"id": 42`
    Number(serde_json::Number),
}

impl std::fmt::Display for FeatureId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeatureId::String(s) => f.write_str(s),
            FeatureId::Number(n) => write!(f, "{n}"),
        }
    }
}

impl FeatureId {
    /// The id as a JSON value, for writing back out.
    pub fn to_json(&self) -> Value {
        match self {
            FeatureId::String(s) => Value::String(s.clone()),
            FeatureId::Number(n) => Value::Number(n.clone()),
        }
    }
}

/// Where something starts in a source file: 1-based line and column (columns count bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourcePos {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column (byte offset within the line, plus one).
    pub column: u32,
}

/// One GeoJSON feature (a bare geometry in a file becomes a feature with no properties).
#[derive(Debug, Clone, Default)]
pub struct Feature {
    /// `id` member, when present.
    pub id: Option<FeatureId>,
    /// The geometry in WGS84 lon/lat; `None` for `"geometry": null`.
    pub geometry: Option<geo::Geometry<f64>>,
    /// `properties`; `None` for `"properties": null` or absent.
    pub properties: Option<Properties>,
    /// Third coordinates (z, metres) in the order the positions appear, when the source had them.
    pub z: Option<Vec<f64>>,
    /// The feature's `bbox` member, as given.
    pub bbox: Option<Vec<f64>>,
    /// Foreign members of the Feature object (RFC 7946 §6.1), kept as they were.
    pub foreign: Members,
    /// Where the feature object starts in its source.
    pub pos: SourcePos,
}

impl Feature {
    /// A property by name.
    pub fn prop(&self, key: &str) -> Option<&PropValue> {
        self.properties.as_ref().and_then(|p| p.get(key))
    }

    /// A string property by name.
    pub fn prop_str(&self, key: &str) -> Option<&str> {
        self.prop(key).and_then(PropValue::as_str)
    }

    /// A numeric property by name.
    pub fn prop_f64(&self, key: &str) -> Option<f64> {
        self.prop(key).and_then(PropValue::as_f64)
    }

    /// Every property, in source order (none for `"properties": null`).
    pub fn props(&self) -> impl Iterator<Item = (&str, &PropValue)> {
        self.properties.iter().flat_map(Properties::iter)
    }

    /// Set a property (creating the `properties` object when it was null); returns the old
    /// value.
    pub fn set_prop(&mut self, key: impl Into<String>, value: Value) -> Option<PropValue> {
        self.properties
            .get_or_insert_with(Properties::default)
            .insert(key.into(), value)
    }

    /// The GeoJSON type name of the geometry (`"Polygon"`, ...), or `"null"`.
    pub fn geometry_type(&self) -> &'static str {
        geometry_type_name(self.geometry.as_ref())
    }
}

/// The seven geometry type names of RFC 7946 §1.4.
pub const GEOMETRY_TYPES: [&str; 7] = [
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
];

/// Every GeoJSON object type name: the geometries, `Feature` and `FeatureCollection`.
pub const OBJECT_TYPES: [&str; 9] = [
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
    "Feature",
    "FeatureCollection",
];

/// The GeoJSON type name of a geometry (`None` gives `"null"`).
pub fn geometry_type_name(g: Option<&geo::Geometry<f64>>) -> &'static str {
    use geo::Geometry as G;
    match g {
        None => "null",
        Some(G::Point(_)) => "Point",
        Some(G::MultiPoint(_)) => "MultiPoint",
        Some(G::LineString(_)) | Some(G::Line(_)) => "LineString",
        Some(G::MultiLineString(_)) => "MultiLineString",
        Some(G::Polygon(_)) | Some(G::Rect(_)) | Some(G::Triangle(_)) => "Polygon",
        Some(G::MultiPolygon(_)) => "MultiPolygon",
        Some(G::GeometryCollection(_)) => "GeometryCollection",
    }
}

/// A layer: the features of one source (file or embedded dataset), with its metadata.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// Display name (file stem for loaded files).
    pub name: String,
    /// The file it was loaded from, if any.
    pub source: Option<PathBuf>,
    /// The features, in source order.
    pub features: Vec<Feature>,
    /// Attribution line to show wherever the layer is shown ("© OpenStreetMap contributors", ...).
    pub attribution: Option<String>,
    /// True when the data is generated or schematic, not surveyed.
    pub illustrative: bool,
    /// The top-level `bbox` member, as given.
    pub bbox: Option<Vec<f64>>,
    /// Foreign members of the top-level object, kept as they were.
    pub foreign: Map<String, Value>,
    /// The EPSG code of a legacy `crs` member the source was reprojected from, if any.
    pub source_crs: Option<String>,
}

/// Everything loaded: an ordered stack of layers (first is drawn first).
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// The layers, bottom to top.
    pub layers: Vec<Layer>,
}

impl Dataset {
    /// The layer with this name.
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name)
    }

    /// The layer with this name, mutably.
    pub fn layer_mut(&mut self, name: &str) -> Option<&mut Layer> {
        self.layers.iter_mut().find(|l| l.name == name)
    }

    /// Total number of features over all layers.
    pub fn feature_count(&self) -> usize {
        self.layers.iter().map(|l| l.features.len()).sum()
    }
}
