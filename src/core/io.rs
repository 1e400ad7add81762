//! GeoJSON input and output for the model.
//!
//! PROVISIONAL: this loader goes through `serde_json::Value`; the fast loader replaces its
//! internals while keeping the public functions.

use crate::core::model::{Feature, FeatureId, Layer, SourcePos};
use serde_json::{Map, Value};
use std::path::Path;

/// Why a file could not be loaded. Every variant names the file; syntax and structure
/// errors carry the 1-based line and column where the input has them.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// File name.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The bytes are not (valid) GeoJSON.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// File name.
        file: String,
        /// 1-based line (0 when unknown).
        line: u32,
        /// 1-based column (0 when unknown).
        column: u32,
        /// What is wrong, for a person.
        message: String,
    },
    /// The load was cancelled by the caller.
    #[error("{file}: loading cancelled")]
    Cancelled {
        /// File name.
        file: String,
    },
}

impl LoadError {
    fn invalid(file: &str, pos: SourcePos, message: impl Into<String>) -> Self {
        LoadError::Invalid {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
}

/// Load a GeoJSON file into a layer named after the file stem.
pub fn load_path(path: &Path) -> Result<Layer, LoadError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        file: file.clone(),
        source,
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let mut layer = load_slice(&bytes, &name, &file)?;
    layer.source = Some(path.to_path_buf());
    Ok(layer)
}

/// Load GeoJSON from memory. `name` becomes the layer name; `file` is used in messages.
pub fn load_slice(bytes: &[u8], name: &str, file: &str) -> Result<Layer, LoadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| LoadError::Invalid {
        file: file.to_string(),
        line: e.line() as u32,
        column: e.column() as u32,
        message: e.to_string(),
    })?;
    let Value::Object(mut obj) = root else {
        return Err(LoadError::invalid(
            file,
            SourcePos { line: 1, column: 1 },
            "the root of a GeoJSON file must be an object",
        ));
    };
    let at = SourcePos::default();
    let mut layer = Layer {
        name: name.to_string(),
        ..Layer::default()
    };
    let crs = obj.remove("crs");
    let ty = obj
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| LoadError::invalid(file, at, "missing \"type\" member"))?
        .to_string();
    match ty.as_str() {
        "FeatureCollection" => {
            obj.remove("type");
            let feats = match obj.remove("features") {
                Some(Value::Array(a)) => a,
                _ => {
                    return Err(LoadError::invalid(
                        file,
                        at,
                        "\"features\" must be an array",
                    ));
                }
            };
            layer.bbox = take_bbox(&mut obj);
            for f in feats {
                let Value::Object(fo) = f else {
                    return Err(LoadError::invalid(file, at, "a feature must be an object"));
                };
                layer.features.push(feature(fo, file)?);
            }
            layer.foreign = obj;
        }
        "Feature" => layer.features.push(feature(obj, file)?),
        _ => {
            let mut z = Vec::new();
            let g = geometry(&Value::Object(obj), &mut z, file)?;
            layer.features.push(Feature {
                geometry: Some(g),
                z: (!z.is_empty()).then_some(z),
                ..Feature::default()
            });
        }
    }
    if let Some(crs) = crs {
        reproject_legacy_crs(&mut layer, &crs, file)?;
    }
    Ok(layer)
}

/// Honour a legacy (2008 GeoJSON) `crs` member naming an EPSG code.
fn reproject_legacy_crs(layer: &mut Layer, crs: &Value, file: &str) -> Result<(), LoadError> {
    let at = SourcePos::default();
    let name = crs
        .pointer("/properties/name")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            LoadError::invalid(file, at, "legacy \"crs\" member has no properties.name")
        })?;
    let code = crate::core::crs::normalize_crs_name(name);
    if code == "EPSG:4326" || code == "OGC:CRS84" {
        return Ok(());
    }
    let t = crate::core::crs::Transformer::new(&code, "EPSG:4326")
        .map_err(|e| LoadError::invalid(file, at, format!("legacy \"crs\": {e}")))?;
    for f in &mut layer.features {
        if let Some(g) = f.geometry.as_mut() {
            t.transform_geometry(g)
                .map_err(|e| LoadError::invalid(file, f.pos, e.to_string()))?;
        }
    }
    layer.source_crs = Some(code);
    Ok(())
}

fn take_bbox(obj: &mut Map<String, Value>) -> Option<Vec<f64>> {
    match obj.remove("bbox") {
        Some(Value::Array(a)) => Some(a.iter().filter_map(Value::as_f64).collect()),
        _ => None,
    }
}

fn feature(mut obj: Map<String, Value>, file: &str) -> Result<Feature, LoadError> {
    let at = SourcePos::default();
    obj.remove("type");
    let id = match obj.remove("id") {
        Some(Value::String(s)) => Some(FeatureId::String(s)),
        Some(Value::Number(n)) => Some(FeatureId::Number(n)),
        _ => None,
    };
    let mut z = Vec::new();
    let geometry = match obj.remove("geometry") {
        None | Some(Value::Null) => None,
        Some(g) => Some(geometry(&g, &mut z, file)?),
    };
    let properties = match obj.remove("properties") {
        Some(Value::Object(p)) => Some(p),
        None | Some(Value::Null) => None,
        Some(_) => {
            return Err(LoadError::invalid(
                file,
                at,
                "\"properties\" must be an object or null",
            ));
        }
    };
    let bbox = take_bbox(&mut obj);
    Ok(Feature {
        id,
        geometry,
        properties,
        z: (!z.is_empty()).then_some(z),
        bbox,
        foreign: obj,
        pos: at,
    })
}

fn position(v: &Value, z: &mut Vec<f64>, file: &str) -> Result<geo::Coord<f64>, LoadError> {
    let at = SourcePos::default();
    let a = v.as_array().filter(|a| a.len() >= 2).ok_or_else(|| {
        LoadError::invalid(file, at, "a position must be an array of 2 or more numbers")
    })?;
    let num = |i: usize| {
        a[i].as_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(|| LoadError::invalid(file, at, "coordinates must be finite numbers"))
    };
    if a.len() >= 3 {
        z.push(num(2)?);
    }
    Ok(geo::Coord {
        x: num(0)?,
        y: num(1)?,
    })
}

fn array<'a>(v: &'a Value, file: &str) -> Result<&'a Vec<Value>, LoadError> {
    v.as_array().ok_or_else(|| {
        LoadError::invalid(
            file,
            SourcePos::default(),
            "expected an array of coordinates",
        )
    })
}

fn line(v: &Value, z: &mut Vec<f64>, file: &str) -> Result<geo::LineString<f64>, LoadError> {
    array(v, file)?
        .iter()
        .map(|p| position(p, z, file))
        .collect::<Result<Vec<_>, _>>()
        .map(geo::LineString::new)
}

fn polygon(v: &Value, z: &mut Vec<f64>, file: &str) -> Result<geo::Polygon<f64>, LoadError> {
    let mut rings = array(v, file)?
        .iter()
        .map(|r| line(r, z, file))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter();
    let exterior = rings.next().unwrap_or_else(|| geo::LineString::new(vec![]));
    Ok(geo::Polygon::new(exterior, rings.collect()))
}

fn geometry(v: &Value, z: &mut Vec<f64>, file: &str) -> Result<geo::Geometry<f64>, LoadError> {
    let at = SourcePos::default();
    let ty = v
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| LoadError::invalid(file, at, "geometry has no \"type\""))?;
    if ty == "GeometryCollection" {
        let gs = v
            .get("geometries")
            .and_then(Value::as_array)
            .ok_or_else(|| LoadError::invalid(file, at, "\"geometries\" must be an array"))?;
        return gs
            .iter()
            .map(|g| geometry(g, z, file))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| geo::Geometry::GeometryCollection(geo::GeometryCollection(v)));
    }
    let c = v
        .get("coordinates")
        .ok_or_else(|| LoadError::invalid(file, at, format!("{ty} has no \"coordinates\"")))?;
    use geo::Geometry as G;
    Ok(match ty {
        "Point" => G::Point(position(c, z, file)?.into()),
        "MultiPoint" => G::MultiPoint(
            array(c, file)?
                .iter()
                .map(|p| position(p, z, file).map(geo::Point::from))
                .collect::<Result<Vec<_>, _>>()?
                .into(),
        ),
        "LineString" => G::LineString(line(c, z, file)?),
        "MultiLineString" => G::MultiLineString(geo::MultiLineString(
            array(c, file)?
                .iter()
                .map(|l| line(l, z, file))
                .collect::<Result<_, _>>()?,
        )),
        "Polygon" => G::Polygon(polygon(c, z, file)?),
        "MultiPolygon" => G::MultiPolygon(geo::MultiPolygon(
            array(c, file)?
                .iter()
                .map(|p| polygon(p, z, file))
                .collect::<Result<_, _>>()?,
        )),
        other => {
            return Err(LoadError::invalid(
                file,
                at,
                format!("unknown geometry type \"{other}\""),
            ));
        }
    })
}
