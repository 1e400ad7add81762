//! The one GeoJSON writer: a layer (or features given piece by piece, see [`Collection`])
//! becomes a FeatureCollection (RFC 7946, WGS84), one feature a line, keeping id, properties,
//! bbox, foreign members and z. Coordinates are written in the shortest form that reads back
//! to the same `f64`, or with a fixed number of decimals ([`WriteOptions::precision`]).
//! Files are written atomically (`core::atomic`).
//!
//! Member order: a collection writes `type`, `bbox`, its foreign members, then `features`; a
//! feature writes `type`, `id`, `bbox`, `properties`, `geometry`, then its foreign members.

use crate::core::atomic::{AtomicWriteError, write_atomic_with};
use crate::core::model::{Feature, Layer, Properties};
use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::Path;

const COLLECTION_KEYS: &[&str] = &["type", "features", "bbox", "crs"];
const FEATURE_KEYS: &[&str] = &["type", "id", "geometry", "properties", "bbox"];

/// How coordinates are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Decimals for every coordinate (x, y and z), written as fixed-point (`{:.N}`); `None`
    /// writes the shortest text that reads back to the same `f64`. Seven decimals are about
    /// 1 cm on the ground. Bounding boxes and properties are always written exactly.
    pub precision: Option<usize>,
}

impl WriteOptions {
    /// Coordinates with `decimals` decimals.
    pub fn decimals(decimals: usize) -> Self {
        WriteOptions {
            precision: Some(decimals),
        }
    }
}

/// One feature's parts, for writers that do not hold a model [`Feature`] (the zone generator,
/// the reach isochrones). Every part is optional; absent ones are not written (`properties`
/// and `geometry` are written as `null`).
#[derive(Debug, Clone, Copy, Default)]
pub struct FeatureParts<'a> {
    /// `id` (a JSON string or number).
    pub id: Option<&'a Value>,
    /// `bbox`.
    pub bbox: Option<&'a [f64]>,
    /// `properties`.
    pub properties: Option<&'a Map<String, Value>>,
    /// `geometry`, in WGS84 lon/lat.
    pub geometry: Option<&'a Geometry<f64>>,
    /// Third coordinates, one per position in writing order (as [`Feature::z`]).
    pub z: Option<&'a [f64]>,
    /// Foreign members, written after the standard ones (standard names are skipped).
    pub foreign: Option<&'a Map<String, Value>>,
}

/// A FeatureCollection being written: [`Collection::new`], then [`Collection::push`] or
/// [`Collection::push_feature`] per feature, then [`Collection::finish`] for the text.
#[derive(Debug)]
pub struct Collection {
    s: String,
    opts: WriteOptions,
    count: usize,
}

impl Collection {
    /// Start a collection with these top-level members (`type`, `features`, `bbox` and `crs`
    /// among them are skipped) and this `bbox`.
    pub fn new(members: &Map<String, Value>, bbox: Option<&[f64]>, opts: WriteOptions) -> Self {
        let mut s = String::with_capacity(4096);
        s.push_str("{\"type\":\"FeatureCollection\"");
        if let Some(b) = bbox {
            s.push_str(",\"bbox\":");
            nums(&mut s, b, None);
        }
        write_members(&mut s, members, COLLECTION_KEYS);
        s.push_str(",\"features\":[");
        Collection { s, opts, count: 0 }
    }

    /// Add a feature given by its parts.
    pub fn push(&mut self, f: FeatureParts<'_>) {
        let props = f.properties.map(Props::Json);
        let foreign = f.foreign.into_iter().flatten();
        self.push_parts(f.id, f.bbox, props, f.geometry, f.z, foreign);
    }

    /// Add a model feature (id, bbox, properties, geometry, z and foreign members).
    pub fn push_feature(&mut self, f: &Feature) {
        let id = f.id.as_ref().map(|id| id.to_json());
        self.push_parts(
            id.as_ref(),
            f.bbox.as_deref(),
            f.properties.as_ref().map(Props::Model),
            f.geometry.as_ref(),
            f.z.as_deref(),
            f.foreign.iter(),
        );
    }

    fn push_parts<'m>(
        &mut self,
        id: Option<&Value>,
        bbox: Option<&[f64]>,
        properties: Option<Props<'_>>,
        geometry: Option<&Geometry<f64>>,
        z: Option<&[f64]>,
        foreign: impl IntoIterator<Item = (&'m String, &'m Value)>,
    ) {
        let s = &mut self.s;
        s.push_str(if self.count == 0 { "\n" } else { ",\n" });
        self.count += 1;
        s.push_str("{\"type\":\"Feature\"");
        if let Some(id) = id {
            s.push_str(",\"id\":");
            json(s, id);
        }
        if let Some(b) = bbox {
            s.push_str(",\"bbox\":");
            nums(s, b, None);
        }
        s.push_str(",\"properties\":");
        match properties {
            Some(Props::Json(p)) => object(s, p),
            Some(Props::Model(p)) => model_object(s, p),
            None => s.push_str("null"),
        }
        s.push_str(",\"geometry\":");
        let mut w = Coords {
            z,
            i: 0,
            precision: self.opts.precision,
        };
        match geometry {
            Some(g) => geometry_json(s, g, &mut w),
            None => s.push_str("null"),
        }
        write_members(s, foreign, FEATURE_KEYS);
        s.push('}');
    }

    /// How many features have been added.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when no feature has been added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The finished text (ends with a newline).
    pub fn finish(mut self) -> String {
        self.s.push_str("\n]}\n");
        self.s
    }
}

/// The layer as a GeoJSON FeatureCollection text (one feature per line), coordinates in the
/// shortest form that reads back to the same `f64`; a non-finite coordinate (which the loader
/// never produces) is written as `null`.
pub fn layer_to_geojson(layer: &Layer) -> String {
    layer_to_geojson_with(layer, WriteOptions::default())
}

/// [`layer_to_geojson`] with explicit options (coordinate precision).
pub fn layer_to_geojson_with(layer: &Layer, opts: WriteOptions) -> String {
    features_to_geojson(&layer.foreign, layer.bbox.as_deref(), &layer.features, opts)
}

/// Features (in order) as one FeatureCollection with these top-level members.
pub fn features_to_geojson<'a>(
    members: &Map<String, Value>,
    bbox: Option<&[f64]>,
    features: impl IntoIterator<Item = &'a Feature>,
    opts: WriteOptions,
) -> String {
    let mut c = Collection::new(members, bbox, opts);
    for f in features {
        c.push_feature(f);
    }
    c.finish()
}

/// Write `layer` as GeoJSON to `path` atomically (temporary file, fsync, rename).
pub fn write_layer(path: &Path, layer: &Layer) -> Result<(), AtomicWriteError> {
    write_text(path, &layer_to_geojson(layer))
}

/// Write the features of several layers (in order) as one FeatureCollection, atomically.
pub fn write_geojson<'a>(
    path: &Path,
    features: impl IntoIterator<Item = &'a Feature>,
) -> Result<(), AtomicWriteError> {
    let text = features_to_geojson(&Map::new(), None, features, WriteOptions::default());
    write_text(path, &text)
}

/// Write finished GeoJSON text to `path` atomically.
pub fn write_text(path: &Path, text: &str) -> Result<(), AtomicWriteError> {
    write_atomic_with(path, |w| w.write_all(text.as_bytes()))
}

/// A feature's properties as the caller holds them.
enum Props<'a> {
    Json(&'a Map<String, Value>),
    Model(&'a Properties),
}

fn write_members<'a>(
    s: &mut String,
    m: impl IntoIterator<Item = (&'a String, &'a Value)>,
    skip: &[&str],
) {
    for (k, v) in m {
        if skip.contains(&k.as_str()) {
            continue;
        }
        s.push(',');
        json(s, &Value::String(k.clone()));
        s.push(':');
        json(s, v);
    }
}

fn json(s: &mut String, v: &Value) {
    // serde_json cannot fail on a Value.
    s.push_str(&serde_json::to_string(v).unwrap_or_else(|_| "null".into()));
}

fn object(s: &mut String, m: &Map<String, Value>) {
    // serde_json cannot fail on a map of Values.
    s.push_str(&serde_json::to_string(m).unwrap_or_else(|_| "null".into()));
}

/// Append a feature's properties to `s` as a JSON object, in their order (the database's
/// `props` column, `core::db::layers`, holds exactly this text).
pub fn properties_json(s: &mut String, p: &Properties) {
    model_object(s, p);
}

fn model_object(s: &mut String, p: &Properties) {
    s.push('{');
    for (i, (k, v)) in p.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        json(s, &Value::String(k.to_string()));
        s.push(':');
        // PropValue's Display is its JSON text.
        let _ = write!(s, "{v}");
    }
    s.push('}');
}

fn num(s: &mut String, x: f64, precision: Option<usize>) {
    match (x.is_finite(), precision) {
        (false, _) => s.push_str("null"),
        (true, None) => {
            let _ = write!(s, "{x}");
        }
        (true, Some(p)) => {
            let _ = write!(s, "{x:.p$}");
        }
    }
}

fn nums(s: &mut String, v: &[f64], precision: Option<usize>) {
    s.push('[');
    for (i, &x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        num(s, x, precision);
    }
    s.push(']');
}

/// The z values of a feature, consumed one per position written, and the precision.
struct Coords<'a> {
    z: Option<&'a [f64]>,
    i: usize,
    precision: Option<usize>,
}

fn pos(s: &mut String, c: Coord<f64>, w: &mut Coords) {
    s.push('[');
    num(s, c.x, w.precision);
    s.push(',');
    num(s, c.y, w.precision);
    if let Some(&v) = w.z.and_then(|zs| zs.get(w.i))
        && v.is_finite()
    {
        s.push(',');
        num(s, v, w.precision);
    }
    w.i += 1;
    s.push(']');
}

fn line(s: &mut String, l: &LineString<f64>, z: &mut Coords) {
    s.push('[');
    for (i, &c) in l.0.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        pos(s, c, z);
    }
    s.push(']');
}

fn poly(s: &mut String, p: &Polygon<f64>, z: &mut Coords) {
    s.push('[');
    line(s, p.exterior(), z);
    for r in p.interiors() {
        s.push(',');
        line(s, r, z);
    }
    s.push(']');
}

fn geometry_json(s: &mut String, g: &Geometry<f64>, z: &mut Coords) {
    match g {
        Geometry::Point(p) => {
            s.push_str("{\"type\":\"Point\",\"coordinates\":");
            pos(s, p.0, z);
        }
        Geometry::MultiPoint(mp) => {
            s.push_str("{\"type\":\"MultiPoint\",\"coordinates\":[");
            for (i, p) in mp.0.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                pos(s, p.0, z);
            }
            s.push(']');
        }
        Geometry::LineString(l) => {
            s.push_str("{\"type\":\"LineString\",\"coordinates\":");
            line(s, l, z);
        }
        Geometry::Line(l) => {
            s.push_str("{\"type\":\"LineString\",\"coordinates\":");
            line(s, &LineString(vec![l.start, l.end]), z);
        }
        Geometry::MultiLineString(ml) => {
            s.push_str("{\"type\":\"MultiLineString\",\"coordinates\":[");
            for (i, l) in ml.0.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                line(s, l, z);
            }
            s.push(']');
        }
        Geometry::Polygon(p) => {
            s.push_str("{\"type\":\"Polygon\",\"coordinates\":");
            poly(s, p, z);
        }
        Geometry::Rect(r) => {
            s.push_str("{\"type\":\"Polygon\",\"coordinates\":");
            poly(s, &r.to_polygon(), z);
        }
        Geometry::Triangle(t) => {
            s.push_str("{\"type\":\"Polygon\",\"coordinates\":");
            poly(s, &t.to_polygon(), z);
        }
        Geometry::MultiPolygon(mp) => {
            s.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":[");
            for (i, p) in mp.0.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                poly(s, p, z);
            }
            s.push(']');
        }
        Geometry::GeometryCollection(gc) => {
            s.push_str("{\"type\":\"GeometryCollection\",\"geometries\":[");
            for (i, g) in gc.0.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                geometry_json(s, g, z);
            }
            s.push(']');
        }
    }
    s.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Point;

    #[test]
    fn precision_fixes_the_decimals_of_every_coordinate() {
        let g = Geometry::Point(Point::new(114.1, -22.123_456_789));
        let props: Map<String, Value> = [("x".to_string(), Value::from(0.5))].into_iter().collect();
        let z = [3.25];
        let mut c = Collection::new(&Map::new(), None, WriteOptions::decimals(3));
        c.push(FeatureParts {
            properties: Some(&props),
            geometry: Some(&g),
            z: Some(&z),
            ..FeatureParts::default()
        });
        assert_eq!(c.len(), 1);
        let text = c.finish();
        assert!(
            text.contains(r#""properties":{"x":0.5},"geometry":{"type":"Point","coordinates":[114.100,-22.123,3.250]}"#),
            "{text}"
        );
        let mut c = Collection::new(&Map::new(), None, WriteOptions::default());
        c.push(FeatureParts {
            geometry: Some(&g),
            ..FeatureParts::default()
        });
        assert!(c.finish().contains("[114.1,-22.123456789]"));
    }
}
