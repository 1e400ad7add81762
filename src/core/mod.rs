//! The headless core: everything Hetao Atlas knows without a GPU or a window.
//!
//! - [`model`]: layers of features (geo geometries in WGS84 lon/lat, properties, source positions).
//! - [`io`]: GeoJSON loading (RFC 7946, legacy `crs` reprojection) and writing.
//! - [`json`]: a JSON reader that keeps line and column of every value, for diagnostics.
//! - [`validate`]: `hetao check`, geojsonhint-style errors and warnings with positions.
//! - [`measure`]: geodesic (WGS84), spherical and planar measurement.
//! - [`crs`]: coordinate transforms through PROJ.
//! - [`lonlat`]: the one parser of typed `LON,LAT` points and `W,S,E,N` boxes.
//! - [`index`]: the R-tree over every feature of every layer.
//! - [`zone`]: the embedded zone dataset, the scenario generator, floor-space planning.
//! - [`reach`]: travel reach (isochrones, travel times) across both parks and the border.
//! - [`search`]: find buildings, units and places by id or name (app search box, `hetao search`).
//! - [`atomic`]: crash-safe file writes (temporary file, flush, rename).
//! - [`db`]: the PostGIS client: shared layers, inventory and scenarios (docs/db.md).

pub mod atomic;
pub mod crs;
pub mod db;
pub mod format;
pub mod index;
pub mod io;
pub mod json;
pub mod lonlat;
pub mod measure;
pub mod model;
pub mod reach;
pub mod search;
pub mod validate;
pub mod zone;
