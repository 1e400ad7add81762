//! Opening any layer file the product reads: the one entry point the CLI commands and the
//! app's Open call ([`open_layers`]). GeoJSON goes through the project's own loader
//! ([`super::load_path_with`]); every other format through GDAL (`super::gdal`,
//! docs/formats.md). A file may hold several layers (a GeoPackage), so the answer is a
//! list; `OpenOptions::layer` picks one.

use super::{LoadError, LoadOptions, load_path_with};
use crate::core::model::Layer;
use std::path::Path;

/// Options of [`open_layers`].
#[derive(Debug, Default, Clone, Copy)]
pub struct OpenOptions<'a> {
    /// Progress, cancellation and the memory budget of the load.
    pub load: LoadOptions<'a>,
    /// Only this layer of a multi-layer file (`None`: every layer).
    pub layer: Option<&'a str>,
    /// The CRS to assume when the file declares none (`"EPSG:4547"`); a file that declares
    /// its CRS keeps its own.
    pub crs: Option<&'a str>,
    /// The text encoding of a Shapefile's `.dbf` (`"GBK"`, GDAL's `ENCODING` open option),
    /// overriding its `.cpg`; `None`: the `.cpg`, else the `.dbf` header, else UTF-8.
    pub encoding: Option<&'a str>,
}

/// Whether `path` is read by the project's own GeoJSON loader (by its extension, or no
/// extension at all).
pub fn is_geojson(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        None => true,
        Some(e) => matches!(
            e.to_ascii_lowercase().as_str(),
            "geojson" | "json" | "geojsonl" | "geojsons"
        ),
    }
}

/// Open the layers of a file, each reprojected to WGS84.
pub fn open_layers(path: &Path, opts: &OpenOptions) -> Result<Vec<Layer>, LoadError> {
    if is_geojson(path) {
        let layer = load_path_with(path, &opts.load)?;
        if let Some(want) = opts.layer
            && want != layer.name
        {
            return Err(LoadError::NoSuchLayer {
                file: path.display().to_string(),
                layer: want.to_string(),
                available: vec![layer.name],
            });
        }
        return Ok(vec![layer]);
    }
    super::gdal::read_layers(path, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geojson_by_extension() {
        assert!(is_geojson(Path::new("a/b.GeoJSON")));
        assert!(is_geojson(Path::new("b.json")));
        assert!(!is_geojson(Path::new("b.shp")));
    }

    #[test]
    fn a_missing_layer_is_named_with_those_there() {
        let dir = std::env::temp_dir().join(format!("hetao-open-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let p = dir.join("pts.geojson");
        std::fs::write(&p, r#"{"type":"FeatureCollection","features":[]}"#).expect("write");
        let opts = OpenOptions {
            layer: Some("roads"),
            ..OpenOptions::default()
        };
        let e = open_layers(&p, &opts).expect_err("no roads").to_string();
        assert!(e.contains("roads") && e.contains("pts"), "{e}");
        assert_eq!(
            open_layers(&p, &OpenOptions::default())
                .expect("opens")
                .len(),
            1
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
