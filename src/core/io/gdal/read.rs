//! Reading a GDAL vector file (every format but GeoJSON) into model layers, reprojected to
//! WGS84 lon/lat through [`crate::core::crs`]; see docs/formats.md.
//!
//! Per format: Shapefile sidecars and encoding (`shapefile`), CSV geometry columns (WKT, or
//! X/Y by GDAL's `GEOM_POSSIBLE_NAMES`/`X_POSSIBLE_NAMES`/`Y_POSSIBLE_NAMES`), sheets
//! (XLSX/ODS: the first row is the header, layers without geometry). Every feature gets
//! its FID as id, its fields with their types, and for CSV and sheets its row (header = row
//! 1) as `pos.line`. Every error names the file, layer, feature (or row) and field.

use super::capture::{GdalMessage, capture, describe, joined};
use super::convert;
use super::crs::{LayerCrs, is_wgs84, layer_crs};
use super::shapefile::{self, Encoding};
use crate::core::crs::{Transformer, normalize_crs_name};
use crate::core::io::{LoadError, OpenOptions, check_size};
use crate::core::model::{Feature, FeatureId, Layer, Properties, SourcePos};
use ::gdal::vector::LayerAccess;
use ::gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::Ordering;

/// How a format's files are opened and its features named in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Shapefile,
    Csv,
    Sheet,
    Other,
}

fn kind(path: &Path) -> Kind {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "shp" => Kind::Shapefile,
        "csv" | "tsv" => Kind::Csv,
        "xlsx" | "ods" => Kind::Sheet,
        _ => Kind::Other,
    }
}

/// The CSV columns GDAL takes as geometry: a WKT column, or X/Y (lon/lat) columns.
const CSV_OPTIONS: &[&str] = &[
    "GEOM_POSSIBLE_NAMES=WKT,geometry,geom,the_geom,wkt_geom,shape",
    "X_POSSIBLE_NAMES=x,lon,lng,long,longitude,easting",
    "Y_POSSIBLE_NAMES=y,lat,latitude,northing",
    "KEEP_GEOM_COLUMNS=NO",
    "AUTODETECT_TYPE=YES",
];

/// Sheets: the first row is always the header; column types from the cells.
const SHEET_OPTIONS: &[&str] = &["HEADERS=FORCE", "FIELD_TYPES=AUTO"];

/// What every layer of one file is read with.
struct Ctx<'a> {
    file: String,
    path: &'a Path,
    kind: Kind,
    encoding: Option<Encoding>,
    opts: &'a OpenOptions<'a>,
}

impl Ctx<'_> {
    fn feature_error(
        &self,
        layer: &str,
        feature: String,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> LoadError {
        LoadError::Feature {
            file: self.file.clone(),
            layer: layer.to_string(),
            feature,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    /// What is wrong with text that did not decode.
    fn text_hint(&self) -> String {
        match &self.encoding {
            Some(e) => e.hint(),
            None => "the text is not valid UTF-8".into(),
        }
    }

    /// "row 14" (CSV and sheets: header = row 1) or "feature 12" (the FID).
    fn label(&self, index: usize, fid: Option<u64>) -> String {
        match self.kind {
            Kind::Csv | Kind::Sheet => format!("row {}", index + 2),
            _ => format!("feature {}", fid.map_or(index as u64, |f| f)),
        }
    }
}

/// Whether GDAL said it could not decode text (CPLRecode's warning).
fn recode_failed(msgs: &[GdalMessage]) -> bool {
    msgs.iter()
        .any(|m| m.text.contains("couldn't be converted") || m.text.contains("Recode"))
}

/// Read every layer of `path` (or `opts.layer`) through GDAL.
pub fn read_layers(path: &Path, opts: &OpenOptions) -> Result<Vec<Layer>, LoadError> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        file: file.clone(),
        source,
    })?;
    let kind = kind(path);
    let mut size = meta.len();
    let mut open_options: Vec<String> = Vec::new();
    let mut encoding = None;
    match kind {
        Kind::Shapefile => {
            if let Some((ext, what)) = shapefile::missing_sidecar(path) {
                return Err(LoadError::MissingPart {
                    file,
                    part: path.with_extension(ext).display().to_string(),
                    what,
                });
            }
            size = shapefile::parts(path)
                .iter()
                .filter_map(|p| std::fs::metadata(p).ok())
                .map(|m| m.len())
                .sum();
            let e = Encoding::of(path, opts.encoding);
            open_options.extend(e.open_options());
            encoding = Some(e);
        }
        Kind::Csv => open_options.extend(CSV_OPTIONS.iter().map(|s| s.to_string())),
        Kind::Sheet => open_options.extend(SHEET_OPTIONS.iter().map(|s| s.to_string())),
        Kind::Other => {}
    }
    check_size(&file, size, &opts.load)?;
    let oo: Vec<&str> = open_options.iter().map(String::as_str).collect();
    let (ds, msgs) = capture(|| {
        Dataset::open_ex(
            path,
            DatasetOptions {
                open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_VERBOSE_ERROR,
                open_options: Some(&oo),
                ..DatasetOptions::default()
            },
        )
    });
    let ds = ds.map_err(|e| LoadError::Gdal {
        file: file.clone(),
        message: format!(
            "GDAL cannot open it as a vector file: {}",
            describe(&e, &msgs)
        ),
    })?;
    let names: Vec<String> = ds.layers().map(|l| l.name()).collect();
    let wanted: Vec<usize> = match opts.layer {
        Some(w) => match names.iter().position(|n| n == w) {
            Some(i) => vec![i],
            None => {
                return Err(LoadError::NoSuchLayer {
                    file,
                    layer: w.to_string(),
                    available: names,
                });
            }
        },
        None => (0..names.len()).collect(),
    };
    if wanted.is_empty() {
        return Err(LoadError::Gdal {
            file,
            message: "the file has no layers".into(),
        });
    }
    let ctx = Ctx {
        file,
        path,
        kind,
        encoding,
        opts,
    };
    let mut out = Vec::with_capacity(wanted.len());
    for i in wanted {
        let mut layer = ds.layer(i).map_err(|e| LoadError::Gdal {
            file: ctx.file.clone(),
            message: format!("layer {}: {e}", names[i]),
        })?;
        out.push(read_layer(&mut layer, &ctx)?);
    }
    Ok(out)
}

/// The CRS the layer is read in: its own, else the one given.
fn crs_of(
    layer: &::gdal::vector::Layer,
    ctx: &Ctx,
    name: &str,
) -> Result<Option<LayerCrs>, LoadError> {
    let has_geometry = layer.defn().geom_fields().count() > 0;
    if let Some(c) = layer_crs(layer.spatial_ref().as_ref()) {
        return Ok(Some(c));
    }
    if let Some(given) = ctx.opts.crs {
        let n = normalize_crs_name(given);
        return Ok(Some(LayerCrs {
            definition: n.clone(),
            name: n,
        }));
    }
    if !has_geometry {
        return Ok(None);
    }
    let detail = match ctx.kind {
        Kind::Shapefile if shapefile::sidecar(ctx.path, "prj").is_none() => {
            format!(" (no {})", ctx.path.with_extension("prj").display())
        }
        _ => String::new(),
    };
    Err(LoadError::NoCrs {
        file: ctx.file.clone(),
        layer: name.to_string(),
        detail,
    })
}

fn read_layer(layer: &mut ::gdal::vector::Layer, ctx: &Ctx) -> Result<Layer, LoadError> {
    let name = layer.name();
    let crs = crs_of(layer, ctx, &name)?;
    let transform = match &crs {
        Some(c) if !is_wgs84(&c.definition) => Some(
            Transformer::new(&c.definition, "EPSG:4326").map_err(|e| LoadError::Crs {
                file: ctx.file.clone(),
                layer: name.clone(),
                message: format!("cannot reproject from {} to WGS84: {e}", c.name),
            })?,
        ),
        _ => None,
    };
    let fields: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    if let Some(i) = fields.iter().position(|f| f.contains('\u{FFFD}')) {
        return Err(ctx.feature_error(
            &name,
            "the field names".into(),
            Some(&format!("#{} ({:?})", i + 1, fields[i])),
            ctx.text_hint(),
        ));
    }
    let total = layer.try_feature_count().unwrap_or(0).max(1) as f64;
    let load = &ctx.opts.load;
    let mut features = Vec::new();
    let mut iter = layer.features();
    for index in 0usize.. {
        if index % 256 == 0 {
            if load.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return Err(LoadError::Cancelled {
                    file: ctx.file.clone(),
                });
            }
            if let Some(p) = load.progress {
                p((index as f64 / total).min(1.0));
            }
        }
        let (next, msgs) = capture(|| iter.next());
        let Some(f) = next else {
            if msgs.iter().any(|m| m.failure) {
                return Err(LoadError::Gdal {
                    file: ctx.file.clone(),
                    message: format!(
                        "layer {name}: reading stopped after {index} feature(s): {}",
                        joined(&msgs)
                    ),
                });
            }
            break;
        };
        let label = ctx.label(index, f.fid());
        if recode_failed(&msgs) {
            return Err(ctx.feature_error(&name, label, None, ctx.text_hint()));
        }
        let mut props: Vec<(String, Value)> = Vec::with_capacity(fields.len());
        for (i, field) in fields.iter().enumerate() {
            // SAFETY: `i` is a field index of this feature's definition.
            let set = unsafe {
                gdal_sys::OGR_F_IsFieldSetAndNotNull(f.c_feature(), i as std::ffi::c_int) != 0
            };
            let v = if set {
                f.field(i).map_err(|e| {
                    ctx.feature_error(&name, label.clone(), Some(field), e.to_string())
                })?
            } else {
                None
            };
            let v = convert::field_value(v);
            if v.as_str().is_some_and(|s| s.contains('\u{FFFD}')) {
                return Err(ctx.feature_error(&name, label, Some(field), ctx.text_hint()));
            }
            props.push((field.clone(), v));
        }
        let (geometry, z) = match f.geometry() {
            None => (None, None),
            Some(g) => match convert::geometry(g) {
                Err(m) => {
                    return Err(ctx.feature_error(&name, label, None, format!("geometry: {m}")));
                }
                Ok(None) => (None, None),
                Ok(Some(mut c)) => {
                    if let Some(t) = &transform {
                        t.transform_geometry(&mut c.geometry).map_err(|e| {
                            ctx.feature_error(&name, label.clone(), None, e.to_string())
                        })?;
                    }
                    (Some(c.geometry), c.z)
                }
            },
        };
        let pos = match ctx.kind {
            Kind::Csv | Kind::Sheet => SourcePos {
                line: u32::try_from(index + 2).unwrap_or(u32::MAX),
                column: 1,
            },
            _ => SourcePos::default(),
        };
        features.push(Feature {
            id: f.fid().map(|n| FeatureId::Number(n.into())),
            geometry,
            properties: Some(props.into_iter().collect::<Properties>()),
            z,
            pos,
            ..Feature::default()
        });
    }
    if let Some(p) = load.progress {
        p(1.0);
    }
    Ok(Layer {
        name,
        source: Some(ctx.path.to_path_buf()),
        features,
        source_crs: crs.map(|c| c.name),
        ..Layer::default()
    })
}
