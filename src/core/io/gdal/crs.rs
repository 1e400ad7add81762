//! The CRS of a GDAL layer, as a definition the project's one reprojection path
//! ([`crate::core::crs::Transformer`], PROJ) takes: `EPSG:n` when GDAL can name the
//! authority code (directly, or by `AutoIdentifyEPSG` for an ESRI `.prj`), else the
//! CRS's PROJJSON. PROJ then transforms the file's coordinates, which every OGR driver
//! stores x = easting/longitude first, in the same x-first order on both sides (the
//! project's axis rule), so a northing-first CRS such as EPSG:4547 or a latitude-first one
//! such as EPSG:4490 comes out as lon/lat.

use ::gdal::spatial_ref::SpatialRef;

/// The CRS as PROJ should read it, and a short name for people (`EPSG:4547`, or the
/// CRS's own name when it has no EPSG code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerCrs {
    /// What [`crate::core::crs::Transformer::new`] is given.
    pub definition: String,
    /// For messages and [`crate::core::model::Layer::source_crs`].
    pub name: String,
}

/// `EPSG:n` when the SRS has (or can be identified with) an EPSG code.
fn epsg(srs: &SpatialRef) -> Option<String> {
    let code = |s: &SpatialRef| -> Option<String> {
        let auth = s.auth_name()?;
        let n = s.auth_code().ok()?;
        auth.eq_ignore_ascii_case("EPSG")
            .then(|| format!("EPSG:{n}"))
    };
    code(srs)
        .or_else(|| {
            let mut s = srs.clone();
            s.auto_identify_epsg().ok()?;
            code(&s)
        })
        .or_else(|| best_match(srs))
}

/// The EPSG code of PROJ's best match for the SRS (`OSRFindMatches`), when PROJ is at
/// least 90 % confident: how an ESRI `.prj` without authority nodes gets its code.
fn best_match(srs: &SpatialRef) -> Option<String> {
    use std::ffi::{CStr, c_int};
    let mut n: c_int = 0;
    let mut confidence: *mut c_int = std::ptr::null_mut();
    // SAFETY: the handle is valid while `srs` lives; the returned array of `n` handles and
    // the confidence array are read within bounds and freed with GDAL's own functions.
    unsafe {
        let matches = gdal_sys::OSRFindMatches(
            srs.to_c_hsrs(),
            std::ptr::null_mut(),
            &mut n,
            &mut confidence,
        );
        let mut out = None;
        if !matches.is_null() && !confidence.is_null() && n > 0 && *confidence >= 90 {
            let m = *matches;
            let auth = gdal_sys::OSRGetAuthorityName(m, std::ptr::null());
            let code = gdal_sys::OSRGetAuthorityCode(m, std::ptr::null());
            if !auth.is_null() && !code.is_null() {
                let auth = CStr::from_ptr(auth).to_string_lossy();
                let code = CStr::from_ptr(code).to_string_lossy();
                if auth.eq_ignore_ascii_case("EPSG") {
                    out = Some(format!("EPSG:{code}"));
                }
            }
        }
        if !matches.is_null() {
            gdal_sys::OSRFreeSRSArray(matches);
        }
        if !confidence.is_null() {
            gdal_sys::VSIFree(confidence.cast());
        }
        out
    }
}

/// The CRS a layer declares, or `None` when it declares none.
pub fn layer_crs(srs: Option<&SpatialRef>) -> Option<LayerCrs> {
    let srs = srs?;
    if let Some(code) = epsg(srs) {
        return Some(LayerCrs {
            definition: code.clone(),
            name: code,
        });
    }
    let definition = srs.to_projjson().or_else(|_| srs.to_wkt()).ok()?;
    let name = srs.name().unwrap_or_else(|| "unnamed CRS".into());
    Some(LayerCrs { definition, name })
}

/// Whether a CRS definition is WGS84 lon/lat already (no transform needed).
pub fn is_wgs84(definition: &str) -> bool {
    matches!(
        crate::core::crs::normalize_crs_name(definition).as_str(),
        "EPSG:4326" | "OGC:CRS84"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_esri_prj_is_named_by_its_epsg_code() {
        // The .prj ogr2ogr writes for EPSG:2326 (ESRI WKT1 flavour, no authority node).
        let esri = r#"PROJCS["Hong_Kong_1980_Grid",GEOGCS["GCS_Hong_Kong_1980",DATUM["D_Hong_Kong_1980",SPHEROID["International_1924",6378388.0,297.0]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",836694.05],PARAMETER["False_Northing",819069.8],PARAMETER["Central_Meridian",114.178555555556],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",22.3121333333333],UNIT["Meter",1.0]]"#;
        let srs = SpatialRef::from_esri(esri).expect("esri wkt");
        let crs = layer_crs(Some(&srs)).expect("a crs");
        assert_eq!(crs.definition, "EPSG:2326");
        assert!(layer_crs(None).is_none());
        assert!(is_wgs84("epsg:4326") && !is_wgs84("EPSG:4490"));
    }
}
