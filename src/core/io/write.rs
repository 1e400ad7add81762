//! The GeoJSON writer: a layer becomes a FeatureCollection (RFC 7946, WGS84) keeping id,
//! properties, bbox, foreign members and z. Files are written atomically.

use crate::core::atomic::{AtomicWriteError, write_atomic_with};
use crate::core::model::{Feature, Layer};
use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

const COLLECTION_KEYS: &[&str] = &["type", "features", "bbox", "crs"];
const FEATURE_KEYS: &[&str] = &["type", "id", "geometry", "properties", "bbox"];

/// The layer as a GeoJSON FeatureCollection text (one feature per line).
///
/// Numbers are written in the shortest form that reads back to the same `f64`; a non-finite
/// coordinate (which the loader never produces) is written as `null`.
pub fn layer_to_geojson(layer: &Layer) -> String {
    let mut s = String::with_capacity(64 + layer.features.len() * 256);
    s.push_str("{\"type\":\"FeatureCollection\"");
    if let Some(b) = &layer.bbox {
        s.push_str(",\"bbox\":");
        nums(&mut s, b);
    }
    members(&mut s, &layer.foreign, COLLECTION_KEYS);
    s.push_str(",\"features\":[");
    for (i, f) in layer.features.iter().enumerate() {
        s.push_str(if i == 0 { "\n" } else { ",\n" });
        feature(&mut s, f);
    }
    s.push_str("\n]}\n");
    s
}

/// Write `layer` as GeoJSON to `path` atomically (temporary file, fsync, rename).
pub fn write_layer(path: &Path, layer: &Layer) -> Result<(), AtomicWriteError> {
    let text = layer_to_geojson(layer);
    write_atomic_with(path, |w| w.write_all(text.as_bytes()))
}

/// Write the features of several layers (in order) as one FeatureCollection, atomically.
pub fn write_geojson<'a>(
    path: &Path,
    features: impl IntoIterator<Item = &'a Feature>,
) -> Result<(), AtomicWriteError> {
    let layer = Layer {
        features: features.into_iter().cloned().collect(),
        ..Layer::default()
    };
    write_layer(path, &layer)
}

fn members<'a>(
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

fn num(s: &mut String, x: f64) {
    if x.is_finite() {
        let _ = write!(s, "{x}");
    } else {
        s.push_str("null");
    }
}

fn nums(s: &mut String, v: &[f64]) {
    s.push('[');
    for (i, &x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        num(s, x);
    }
    s.push(']');
}

fn feature(s: &mut String, f: &Feature) {
    s.push_str("{\"type\":\"Feature\"");
    if let Some(id) = &f.id {
        s.push_str(",\"id\":");
        json(s, &id.to_json());
    }
    if let Some(b) = &f.bbox {
        s.push_str(",\"bbox\":");
        nums(s, b);
    }
    s.push_str(",\"geometry\":");
    let mut zi = ZIter {
        z: f.z.as_deref(),
        i: 0,
    };
    match &f.geometry {
        Some(g) => geometry(s, g, &mut zi),
        None => s.push_str("null"),
    }
    s.push_str(",\"properties\":");
    match &f.properties {
        Some(p) => {
            s.push('{');
            for (i, (k, v)) in p.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                json(s, &Value::String(k.to_string()));
                s.push(':');
                let _ = write!(s, "{v}");
            }
            s.push('}');
        }
        None => s.push_str("null"),
    }
    members(s, f.foreign.iter(), FEATURE_KEYS);
    s.push('}');
}

/// The z values of a feature, consumed one per position written.
struct ZIter<'a> {
    z: Option<&'a [f64]>,
    i: usize,
}

fn pos(s: &mut String, c: Coord<f64>, z: &mut ZIter) {
    s.push('[');
    num(s, c.x);
    s.push(',');
    num(s, c.y);
    if let Some(&v) = z.z.and_then(|zs| zs.get(z.i))
        && v.is_finite()
    {
        s.push(',');
        num(s, v);
    }
    z.i += 1;
    s.push(']');
}

fn line(s: &mut String, l: &LineString<f64>, z: &mut ZIter) {
    s.push('[');
    for (i, &c) in l.0.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        pos(s, c, z);
    }
    s.push(']');
}

fn poly(s: &mut String, p: &Polygon<f64>, z: &mut ZIter) {
    s.push('[');
    line(s, p.exterior(), z);
    for r in p.interiors() {
        s.push(',');
        line(s, r, z);
    }
    s.push(']');
}

fn geometry(s: &mut String, g: &Geometry<f64>, z: &mut ZIter) {
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
                geometry(s, g, z);
            }
            s.push(']');
        }
    }
    s.push('}');
}
