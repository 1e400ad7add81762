//! Writing a layer in the formats `hetao export` and the app's Export offer
//! ([`export_layer`], [`Format`]): GeoJSON through the project's one writer
//! (`core::io::write`), GeoPackage, Shapefile, FlatGeobuf and CSV through GDAL, always in
//! WGS84 lon/lat (EPSG:4326, written in the traditional GIS axis order).
//!
//! Atomic and no-clobber as every write: GDAL writes into a fresh temporary folder beside
//! the target, then each file it made goes into place through [`crate::core::atomic`]
//! (temporary file in the same folder, fsync, rename; never replacing a file unless asked),
//! the main file (`.shp`, `.csv`) last so a reader never finds it without its sidecars.
//!
//! Fields: the union of the features' property names in order; a field whose values are
//! all integers is an Integer (Integer64 beyond 32 bits), all numbers Real, otherwise
//! String (arrays and objects as JSON text, booleans as 0/1 integers). A Shapefile gets a
//! `.cpg` saying UTF-8 and must hold one geometry family (points, lines or polygons);
//! a CSV gets its geometry as a WKT column and a `.csvt` with the field types.

use super::capture::{GdalMessage, capture, describe};
use super::inspect::family;
use crate::core::atomic::AtomicWriteError;
use crate::core::model::{Feature, Layer};
use ::gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use ::gdal::vector::{LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType, ToGdal};
use ::gdal::{Dataset, DriverManager};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A format [`export_layer`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// GeoJSON (RFC 7946), the project's own writer.
    GeoJson,
    /// OGC GeoPackage.
    GeoPackage,
    /// ESRI Shapefile (`.shp`, `.shx`, `.dbf`, `.prj`, `.cpg`).
    Shapefile,
    /// FlatGeobuf.
    FlatGeobuf,
    /// CSV with a WKT geometry column (`.csv` and `.csvt`).
    Csv,
}

impl Format {
    /// Every format, in the order they are offered.
    pub const ALL: [Format; 5] = [
        Format::GeoJson,
        Format::GeoPackage,
        Format::Shapefile,
        Format::FlatGeobuf,
        Format::Csv,
    ];

    /// The name `--format` takes (`geojson`, `gpkg`, `shp`, `fgb`, `csv`).
    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::GeoPackage => "gpkg",
            Format::Shapefile => "shp",
            Format::FlatGeobuf => "fgb",
            Format::Csv => "csv",
        }
    }

    /// The file extension (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            other => other.name(),
        }
    }

    /// A name people read ("GeoPackage").
    pub fn label(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::GeoPackage => "GeoPackage",
            Format::Shapefile => "Shapefile",
            Format::FlatGeobuf => "FlatGeobuf",
            Format::Csv => "CSV",
        }
    }

    /// The format of a `--format` name.
    pub fn from_name(name: &str) -> Option<Format> {
        let n = name.trim().to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.name() == n || f.extension() == n || (n == "json" && *f == Format::GeoJson))
    }

    /// The format a path's extension names, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        Format::from_name(path.extension()?.to_str()?)
    }

    fn driver(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::GeoPackage => "GPKG",
            Format::Shapefile => "ESRI Shapefile",
            Format::FlatGeobuf => "FlatGeobuf",
            Format::Csv => "CSV",
        }
    }

    /// The files a write makes besides the main one (extensions).
    fn sidecars(self) -> &'static [&'static str] {
        match self {
            Format::Shapefile => &["shx", "dbf", "prj", "cpg"],
            Format::Csv => &["csvt", "prj"],
            _ => &[],
        }
    }
}

/// Why an export failed. Each names the output file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The target (or one of its sidecar files) exists and replacing was not asked for.
    #[error("{path} exists; use --force to replace it")]
    Exists {
        /// The existing file.
        path: String,
    },
    /// A Shapefile layer can hold one geometry family only.
    #[error(
        "{path}: a Shapefile holds one geometry type per layer, but layer {layer} has \
         {first} features and feature {feature} is a {other}; export to GeoPackage or \
         FlatGeobuf, or export each type separately"
    )]
    MixedGeometry {
        /// The output file.
        path: String,
        /// The layer.
        layer: String,
        /// The family of the first feature with a geometry ("polygon").
        first: &'static str,
        /// The offending feature (its id, or index).
        feature: String,
        /// Its family.
        other: &'static str,
    },
    /// GDAL could not write; `message` has GDAL's words.
    #[error("{path}: {message}")]
    Gdal {
        /// The output file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The temporary folder could not be made or read.
    #[error("{path}: {source}")]
    Io {
        /// The output file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Moving a finished file into place failed.
    #[error(transparent)]
    Write(#[from] AtomicWriteError),
}

/// What an export did.
#[derive(Debug, Clone, Default)]
pub struct ExportReport {
    /// Features written.
    pub features: usize,
    /// Every file written, the main one last.
    pub files: Vec<PathBuf>,
    /// What GDAL warned about (a laundered Shapefile field name, ...).
    pub warnings: Vec<String>,
}

/// Write `layer` to `path` in `format`; `replace`: overwrite existing files (else an
/// existing target is an error, even one that appears while writing).
pub fn export_layer(
    layer: &Layer,
    path: &Path,
    format: Format,
    replace: bool,
) -> Result<ExportReport, ExportError> {
    let shown = path.display().to_string();
    let targets: Vec<PathBuf> = format
        .sidecars()
        .iter()
        .map(|e| path.with_extension(e))
        .chain(std::iter::once(path.to_path_buf()))
        .collect();
    if !replace && let Some(t) = targets.iter().find(|t| t.exists()) {
        return Err(ExportError::Exists {
            path: t.display().to_string(),
        });
    }
    if format == Format::GeoJson {
        let text = crate::core::io::layer_to_geojson(layer);
        if replace {
            crate::core::atomic::write_atomic(path, text.as_bytes())?;
        } else {
            crate::core::atomic::write_atomic_new_with(path, |w| w.write_all(text.as_bytes()))?;
        }
        return Ok(ExportReport {
            features: layer.features.len(),
            files: vec![path.to_path_buf()],
            warnings: Vec::new(),
        });
    }
    let io = |source| ExportError::Io {
        path: shown.clone(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".hetao-export-")
        .tempdir_in(&dir)
        .map_err(io)?;
    let stem = path
        .file_stem()
        .map_or_else(|| "export".into(), |s| s.to_string_lossy().into_owned());
    let tmp_main = tmp.path().join(format!("{stem}.{}", format.extension()));
    let (written, msgs) = capture(|| write_with_gdal(layer, &tmp_main, format, &stem, &shown));
    let (features, mut warnings) = written?;
    warnings.extend(msgs.into_iter().map(|m: GdalMessage| m.text));
    // Every file GDAL made, moved into place beside the target, the main one last.
    let mut made: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    made.sort_by_key(|p| (*p == tmp_main, p.clone()));
    let mut files = Vec::new();
    for m in made {
        let target = match m.extension() {
            Some(e) => path.with_extension(e),
            None => continue,
        };
        let mut src = std::fs::File::open(&m).map_err(io)?;
        let fill = |w: &mut dyn std::io::Write| std::io::copy(&mut src, w).map(|_| ());
        if replace {
            crate::core::atomic::write_atomic_with(&target, fill)?;
        } else {
            crate::core::atomic::write_atomic_new_with(&target, fill)?;
        }
        files.push(target);
    }
    Ok(ExportReport {
        features,
        files,
        warnings,
    })
}

/// A field's type from its values.
fn field_type(values: impl Iterator<Item = Value>) -> OGRFieldType::Type {
    let (mut int32, mut int64, mut real, mut other, mut any) = (true, true, true, false, false);
    for v in values {
        match v {
            Value::Null => continue,
            Value::Bool(_) => {}
            Value::Number(ref n) => {
                let i = n.as_i64();
                int64 &= i.is_some();
                int32 &= i.is_some_and(|i| i32::try_from(i).is_ok());
            }
            _ => other = true,
        }
        if !v.is_number() && !v.is_boolean() {
            real = false;
        }
        any = true;
    }
    if !any || other || !real {
        OGRFieldType::OFTString
    } else if int32 {
        OGRFieldType::OFTInteger
    } else if int64 {
        OGRFieldType::OFTInteger64
    } else {
        OGRFieldType::OFTReal
    }
}

/// The layer geometry type: the one type every feature has, else "any" (or, for a
/// Shapefile, the family's type, refusing a second family).
fn geometry_type(
    layer: &Layer,
    format: Format,
    shown: &str,
) -> Result<OGRwkbGeometryType::Type, ExportError> {
    use OGRwkbGeometryType as T;
    let mut names: Vec<&str> = Vec::new();
    let mut first: Option<&'static str> = None;
    for (i, f) in layer.features.iter().enumerate() {
        let Some(g) = &f.geometry else { continue };
        let name = f.geometry_type();
        if !names.contains(&name) {
            names.push(name);
        }
        if format == Format::Shapefile {
            let fam = family(g).unwrap_or("geometry collection");
            match first {
                None => first = Some(fam),
                Some(f0) if f0 != fam || fam == "geometry collection" => {
                    return Err(ExportError::MixedGeometry {
                        path: shown.to_string(),
                        layer: layer.name.clone(),
                        first: f0,
                        feature: feature_label(f, i),
                        other: fam,
                    });
                }
                Some(_) => {}
            }
        }
    }
    let one = |n: &str| match n {
        "Point" => T::wkbPoint,
        "MultiPoint" => T::wkbMultiPoint,
        "LineString" => T::wkbLineString,
        "MultiLineString" => T::wkbMultiLineString,
        "Polygon" => T::wkbPolygon,
        "MultiPolygon" => T::wkbMultiPolygon,
        "GeometryCollection" => T::wkbGeometryCollection,
        _ => T::wkbUnknown,
    };
    Ok(match (format, names.as_slice()) {
        (_, []) => T::wkbNone,
        (_, [n]) => one(n),
        // a Shapefile polygon or arc layer holds the multi types too; a point one does not
        (Format::Shapefile, ns) if ns.contains(&"MultiPoint") => T::wkbMultiPoint,
        (Format::Shapefile, ns) => one(ns[0]),
        _ => T::wkbUnknown,
    })
}

fn feature_label(f: &Feature, index: usize) -> String {
    match &f.id {
        Some(id) => id.to_string(),
        None => format!("#{index}"),
    }
}

/// One output field: the property it comes from, its name in the file, its type.
struct Field {
    key: String,
    name: String,
    ty: OGRFieldType::Type,
}

/// A Shapefile field name: at most 10 bytes, cut on a character boundary (GDAL's own
/// laundering cuts UTF-8 mid-character), made unique with a `_n` suffix.
fn shapefile_name(key: &str, taken: &[Field]) -> String {
    let cut = |s: &str, max: usize| -> String {
        let mut end = 0;
        for (i, c) in s.char_indices() {
            if i + c.len_utf8() > max {
                break;
            }
            end = i + c.len_utf8();
        }
        s[..end].to_string()
    };
    let free = |n: &str| !taken.iter().any(|f| f.name.eq_ignore_ascii_case(n));
    let base = cut(key, 10);
    if free(&base) {
        return base;
    }
    (1..)
        .map(|k| {
            let suffix = format!("_{k}");
            format!("{}{suffix}", cut(key, 10 - suffix.len()))
        })
        .find(|n| free(n))
        .unwrap_or(base)
}

/// The fields of the layer, in first-seen order, and a note for each renamed one.
fn schema(layer: &Layer, format: Format) -> (Vec<Field>, Vec<String>) {
    let mut keys: Vec<&str> = Vec::new();
    for f in &layer.features {
        for (k, _) in f.props() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let mut fields: Vec<Field> = Vec::new();
    let mut notes = Vec::new();
    for key in keys {
        let ty = field_type(
            layer
                .features
                .iter()
                .map(|f| f.prop(key).map_or(Value::Null, |v| v.to_value())),
        );
        let name = if format == Format::Shapefile {
            shapefile_name(key, &fields)
        } else {
            key.to_string()
        };
        if name != key {
            notes.push(format!(
                "field {key:?} is written as {name:?} (a Shapefile field name holds 10 bytes)"
            ));
        }
        fields.push(Field {
            key: key.to_string(),
            name,
            ty,
        });
    }
    (fields, notes)
}

fn write_with_gdal(
    layer: &Layer,
    tmp_main: &Path,
    format: Format,
    name: &str,
    shown: &str,
) -> Result<(usize, Vec<String>), ExportError> {
    let gdal_err = |e: ::gdal::errors::GdalError| ExportError::Gdal {
        path: shown.to_string(),
        message: describe(&e, &[]),
    };
    let ty = geometry_type(layer, format, shown)?;
    let (fields, mut notes) = schema(layer, format);
    if format == Format::Shapefile && ty == OGRwkbGeometryType::wkbNone {
        notes.push(format!(
            "the layer has no geometries: its Shapefile is only the attribute table, {}",
            Path::new(shown).with_extension("dbf").display()
        ));
    }
    let driver = DriverManager::get_driver_by_name(format.driver()).map_err(gdal_err)?;
    let mut ds: Dataset = driver.create_vector_only(tmp_main).map_err(gdal_err)?;
    let mut srs = SpatialRef::from_epsg(4326).map_err(gdal_err)?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let options: &[&str] = match format {
        Format::Shapefile => &["ENCODING=UTF-8"],
        Format::Csv => &["GEOMETRY=AS_WKT", "CREATE_CSVT=YES"],
        _ => &[],
    };
    let n = if format == Format::GeoPackage {
        // one transaction around every insert (a GeoPackage is SQLite)
        let mut txn = ds.start_transaction().map_err(gdal_err)?;
        let n = fill(&mut txn, layer, &fields, ty, &srs, name, options).map_err(gdal_err)?;
        txn.commit().map_err(gdal_err)?;
        n
    } else {
        fill(&mut ds, layer, &fields, ty, &srs, name, options).map_err(gdal_err)?
    };
    ds.close().map_err(gdal_err)?;
    Ok((n, notes))
}

/// Create the layer in `ds` and write every feature.
fn fill(
    ds: &mut Dataset,
    layer: &Layer,
    fields: &[Field],
    ty: OGRwkbGeometryType::Type,
    srs: &SpatialRef,
    name: &str,
    options: &[&str],
) -> ::gdal::errors::Result<usize> {
    let out = ds.create_layer(LayerOptions {
        name,
        srs: (ty != OGRwkbGeometryType::wkbNone).then_some(srs),
        ty,
        options: Some(options),
    })?;
    let defs: Vec<(&str, OGRFieldType::Type)> =
        fields.iter().map(|f| (f.name.as_str(), f.ty)).collect();
    out.create_defn_fields(&defs)?;
    let mut n = 0;
    for f in &layer.features {
        let mut feat = ::gdal::vector::Feature::new(out.defn())?;
        for (i, field) in fields.iter().enumerate() {
            let v = f.prop(&field.key).map_or(Value::Null, |v| v.to_value());
            set_field(&mut feat, i, field.ty, &v)?;
        }
        if let Some(g) = &f.geometry {
            feat.set_geometry(g.to_gdal()?)?;
        }
        feat.create(&out)?;
        n += 1;
    }
    Ok(n)
}

fn set_field(
    feat: &mut ::gdal::vector::Feature,
    i: usize,
    ty: OGRFieldType::Type,
    v: &Value,
) -> ::gdal::errors::Result<()> {
    match (v, ty) {
        (Value::Null, _) => feat.set_field_null(i),
        (Value::Bool(b), _) if ty != OGRFieldType::OFTString => {
            feat.set_field_integer(i, i32::from(*b))
        }
        (Value::Number(n), OGRFieldType::OFTInteger) => feat.set_field_integer(
            i,
            n.as_i64().and_then(|x| i32::try_from(x).ok()).unwrap_or(0),
        ),
        (Value::Number(n), OGRFieldType::OFTInteger64) => {
            feat.set_field_integer64(i, n.as_i64().unwrap_or(0))
        }
        (Value::Number(n), OGRFieldType::OFTReal) => {
            feat.set_field_double(i, n.as_f64().unwrap_or(f64::NAN))
        }
        (Value::String(s), _) => feat.set_field_string(i, s),
        (other, _) => feat.set_field_string(i, &other.to_string()),
    }
}
