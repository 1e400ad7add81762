//! Every format but GeoJSON, through GDAL (the `gdal` crate over the system libgdal):
//! reading into model layers reprojected to WGS84 ([`read_layers`]) and writing layers out
//! ([`write`]). See docs/formats.md for the formats, the encoding rule and the CRS rule.
//!
//! - `read`: open a file, read its layers, features, fields and geometries.
//! - `convert`: OGR geometries and field values to the model's.
//! - `crs`: a layer's CRS as a definition for [`crate::core::crs`] (the one reprojection path).
//! - `write`: [`export_layer`] in every [`Format`] (GeoJSON through the project's writer).
//! - `shapefile`: a Shapefile's sidecars and the encoding of its `.dbf`.
//! - `inspect`: what `hetao check` reports about a layer read this way.
//! - `capture`: GDAL's own messages, captured into our errors instead of stderr.

mod capture;
mod convert;
mod crs;
mod inspect;
mod read;
mod shapefile;
mod write;

pub use inspect::layer_issues;
pub use read::read_layers;
pub use write::{ExportError, ExportReport, Format, export_layer};
