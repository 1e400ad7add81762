//! Coordinate reference systems through PROJ (the `proj` crate, linked to the system PROJ).
//!
//! Axis order is always x = easting/longitude, y = northing/latitude, whatever the CRS
//! definition says (PROJ's "normalize for visualization"). Angles in degrees, grid
//! coordinates in the CRS's unit (metres for every projected CRS named here).

use proj::Proj;

/// The CRSs the CLI and app offer by name; any other `EPSG:n` PROJ knows works too.
pub const KNOWN_CRS: &[(&str, &str)] = &[
    ("EPSG:4326", "WGS 84 (lon, lat degrees)"),
    (
        "EPSG:3857",
        "WGS 84 / Pseudo-Mercator (Web Mercator metres)",
    ),
    ("EPSG:2326", "Hong Kong 1980 Grid (metres)"),
    ("EPSG:4490", "CGCS2000 (lon, lat degrees)"),
    (
        "EPSG:4547",
        "CGCS2000 / 3-degree Gauss-Kruger CM 114E (metres)",
    ),
];

/// Errors from building or applying a transform.
#[derive(Debug, thiserror::Error)]
pub enum CrsError {
    /// PROJ does not know the CRS, or cannot relate the two.
    #[error("unknown or unsupported coordinate system {from} -> {to}: {message}")]
    Create {
        /// Source CRS as given.
        from: String,
        /// Target CRS as given.
        to: String,
        /// PROJ's explanation.
        message: String,
    },
    /// A point could not be transformed (outside the CRS's domain, ...).
    #[error("cannot transform ({x}, {y}) from {from} to {to}: {message}")]
    Transform {
        /// Source CRS.
        from: String,
        /// Target CRS.
        to: String,
        /// Input x.
        x: f64,
        /// Input y.
        y: f64,
        /// PROJ's explanation.
        message: String,
    },
}

/// Normalise a CRS name: `4326`, `epsg:4326`, `EPSG:4326`, and the OGC URN
/// `urn:ogc:def:crs:EPSG::4326` all become `EPSG:4326`; `urn:ogc:def:crs:OGC:1.3:CRS84`
/// and `CRS84` become `OGC:CRS84`. Anything else is passed to PROJ unchanged.
pub fn normalize_crs_name(name: &str) -> String {
    let t = name.trim();
    let upper = t.to_ascii_uppercase();
    if upper.ends_with("CRS84") {
        return "OGC:CRS84".to_string();
    }
    if let Some(code) = upper.strip_prefix("EPSG:") {
        return format!("EPSG:{}", code.trim_start_matches(':'));
    }
    if let Some(pos) = upper.find("EPSG::") {
        return format!("EPSG:{}", &upper[pos + 6..]);
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return format!("EPSG:{t}");
    }
    t.to_string()
}

/// A reusable transform between two CRSs (x, y order on both sides).
pub struct Transformer {
    proj: Proj,
    from: String,
    to: String,
    identity: bool,
}

impl std::fmt::Debug for Transformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Transformer({} -> {})", self.from, self.to)
    }
}

impl Transformer {
    /// Build a transform from `from` to `to` (names as [`normalize_crs_name`] accepts).
    pub fn new(from: &str, to: &str) -> Result<Self, CrsError> {
        let from = normalize_crs_name(from);
        let to = normalize_crs_name(to);
        let proj = Proj::new_known_crs(&from, &to, None).map_err(|e| CrsError::Create {
            from: from.clone(),
            to: to.clone(),
            message: e.to_string(),
        })?;
        let identity = from == to;
        Ok(Self {
            proj,
            from,
            to,
            identity,
        })
    }

    /// Transform one point.
    pub fn transform(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        if self.identity {
            return Ok((x, y));
        }
        let (ox, oy) = self.proj.convert((x, y)).map_err(|e| CrsError::Transform {
            from: self.from.clone(),
            to: self.to.clone(),
            x,
            y,
            message: e.to_string(),
        })?;
        if !ox.is_finite() || !oy.is_finite() {
            return Err(CrsError::Transform {
                from: self.from.clone(),
                to: self.to.clone(),
                x,
                y,
                message: "result is not finite".into(),
            });
        }
        Ok((ox, oy))
    }

    /// Transform every coordinate of a geometry in place.
    pub fn transform_geometry(&self, g: &mut geo::Geometry<f64>) -> Result<(), CrsError> {
        use geo::MapCoordsInPlace;
        if self.identity {
            return Ok(());
        }
        // `map_coords_in_place` wants a `Copy` closure: capture the first failure in a Cell.
        let failure: std::cell::Cell<Option<CrsError>> = std::cell::Cell::new(None);
        let first = &failure;
        g.map_coords_in_place(|c| match self.transform(c.x, c.y) {
            Ok((x, y)) => geo::Coord { x, y },
            Err(e) => {
                let earlier = first.take();
                first.set(Some(earlier.unwrap_or(e)));
                c
            }
        });
        match failure.into_inner() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(
            normalize_crs_name("urn:ogc:def:crs:EPSG::2326"),
            "EPSG:2326"
        );
        assert_eq!(normalize_crs_name("epsg:3857"), "EPSG:3857");
        assert_eq!(normalize_crs_name("4547"), "EPSG:4547");
        assert_eq!(
            normalize_crs_name("urn:ogc:def:crs:OGC:1.3:CRS84"),
            "OGC:CRS84"
        );
    }

    /// The Loop centroid in Hong Kong 1980 Grid, as `cs2cs EPSG:4326 EPSG:2326` gives it
    /// (`echo 22.5214876 114.0791154 | cs2cs -f %.4f EPSG:4326 EPSG:2326`).
    #[test]
    fn loop_centroid_to_hk1980_grid_matches_cs2cs() {
        let t = Transformer::new("EPSG:4326", "EPSG:2326").expect("proj knows EPSG:2326");
        let (e, n) = t.transform(114.0791154, 22.5214876).expect("transform");
        assert!((e - 826210.5092).abs() < 1e-3, "E {e}");
        assert!((n - 842425.6581).abs() < 1e-3, "N {n}");
    }
}
