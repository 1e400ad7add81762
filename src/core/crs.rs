//! Coordinate reference systems through PROJ (the `proj` crate, linked to the system PROJ).
//!
//! Axis order is always x = easting/longitude, y = northing/latitude, whatever the CRS
//! definition says (PROJ's "normalize for visualization"). Angles in degrees, grid
//! coordinates in the CRS's unit (metres for every projected CRS named here).
//!
//! PROJ is asked about a CRS through one long-lived context per thread ([`ensure_known`],
//! [`crs_kind`]), with PROJ's own logging off: an unknown code is answered from a per-thread
//! cache the second time and costs nothing, and nothing PROJ prints reaches stderr. A
//! [`Transformer`] is only built for CRSs that context knows, because `proj` 0.27's
//! `Proj::new_known_crs` leaks its context (about 2 MB) when PROJ cannot create the
//! transform; a pair PROJ still cannot relate is remembered too, so it leaks at most once.

use proj::Proj;
use std::cell::RefCell;
use std::collections::HashMap;

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
    /// PROJ's database has no such CRS (`EPSG:999999`).
    #[error("{name} is not in the PROJ database")]
    NotInDatabase {
        /// The CRS as normalised by [`normalize_crs_name`].
        name: String,
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

/// This thread's PROJ context, destroyed when the thread ends.
struct Context(*mut proj_sys::PJ_CONTEXT);

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: the context was created by `proj_context_create`, is used by this thread
        // only, and every PJ made from it has been destroyed by the function that made it.
        unsafe { proj_sys::proj_context_destroy(self.0) };
    }
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
    /// Whether PROJ knows a (normalised) CRS name, per thread.
    static KNOWN: RefCell<HashMap<String, bool>> = RefCell::new(HashMap::new());
    /// Pairs PROJ knows both ends of but cannot relate: the error, so it is made only once.
    static FAILED_PAIRS: RefCell<HashMap<(String, String), String>> = RefCell::new(HashMap::new());
}

/// Run `f` with this thread's PROJ context (created on first use, logging off); `None` when
/// PROJ cannot create one.
fn with_context<R>(f: impl FnOnce(*mut proj_sys::PJ_CONTEXT) -> R) -> Option<R> {
    CONTEXT.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            // SAFETY: creating a context has no preconditions; a null result is checked.
            let ctx = unsafe { proj_sys::proj_context_create() };
            if ctx.is_null() {
                return None;
            }
            // SAFETY: `ctx` is a live context; PROJ's messages are returned, not logged.
            unsafe { proj_sys::proj_log_level(ctx, proj_sys::PJ_LOG_LEVEL_PJ_LOG_NONE) };
            *slot = Some(Context(ctx));
        }
        slot.as_ref().map(|c| f(c.0))
    })
}

/// Whether PROJ's database knows `name` (any form [`normalize_crs_name`] accepts): `Ok`, or
/// [`CrsError::NotInDatabase`]. The answer is cached per thread.
pub fn ensure_known(name: &str) -> Result<(), CrsError> {
    use std::ffi::CString;
    let norm = normalize_crs_name(name);
    if let Some(known) = KNOWN.with(|k| k.borrow().get(&norm).copied()) {
        return if known {
            Ok(())
        } else {
            Err(CrsError::NotInDatabase { name: norm })
        };
    }
    let known = match CString::new(norm.as_str()) {
        Err(_) => false,
        Ok(c_name) => with_context(|ctx| {
            // SAFETY: `ctx` is this thread's live context and `c_name` a NUL-terminated
            // string; the PJ made is destroyed before returning.
            unsafe {
                let crs = proj_sys::proj_create(ctx, c_name.as_ptr());
                if crs.is_null() {
                    false
                } else {
                    proj_sys::proj_destroy(crs);
                    true
                }
            }
        })
        .ok_or_else(|| CrsError::Create {
            from: norm.clone(),
            to: norm.clone(),
            message: "cannot create a PROJ context".into(),
        })?,
    };
    KNOWN.with(|k| k.borrow_mut().insert(norm.clone(), known));
    if known {
        Ok(())
    } else {
        Err(CrsError::NotInDatabase { name: norm })
    }
}

/// What kind of coordinate system a CRS is, and the unit of its first axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CrsKind {
    /// Angles (longitude/latitude); `unit_to_degree` converts the axis unit to degrees.
    Geographic {
        /// Degrees per axis unit (1 for degrees).
        unit_to_degree: f64,
    },
    /// Planar grid coordinates; `unit_to_metre` converts the axis unit to metres.
    Projected {
        /// Metres per axis unit (1 for metres, 0.3048 for international feet).
        unit_to_metre: f64,
    },
    /// Anything else PROJ knows (geocentric, compound, vertical, ...).
    Other,
}

/// Ask PROJ what kind of CRS `name` is (names as [`normalize_crs_name`] accepts).
pub fn crs_kind(name: &str) -> Result<CrsKind, CrsError> {
    use proj_sys as ps;
    use std::ffi::{CString, c_char};
    let norm = normalize_crs_name(name);
    let err = |message: &str| CrsError::Create {
        from: norm.clone(),
        to: norm.clone(),
        message: message.to_string(),
    };
    ensure_known(&norm)?;
    let c_name = CString::new(norm.as_str()).map_err(|_| err("name contains a NUL byte"))?;
    let answer = with_context(|ctx| {
        // SAFETY: `ctx` is this thread's live context; every PJ created from it is destroyed
        // before returning; out-pointers point at live locals.
        unsafe {
            let crs = ps::proj_create(ctx, c_name.as_ptr());
            if crs.is_null() {
                return Err(err("PROJ does not know this CRS"));
            }
            let ty = ps::proj_get_type(crs);
            let kind_geog = ty == ps::PJ_TYPE_PJ_TYPE_GEOGRAPHIC_2D_CRS
                || ty == ps::PJ_TYPE_PJ_TYPE_GEOGRAPHIC_3D_CRS;
            let kind_proj = ty == ps::PJ_TYPE_PJ_TYPE_PROJECTED_CRS;
            let mut factor = f64::NAN;
            if kind_geog || kind_proj {
                let cs = ps::proj_crs_get_coordinate_system(ctx, crs);
                if !cs.is_null() {
                    let mut nul: *const c_char = std::ptr::null();
                    let (mut a, mut b, mut c, mut d, mut e) = (nul, nul, nul, nul, nul);
                    let ok = ps::proj_cs_get_axis_info(
                        ctx,
                        cs,
                        0,
                        &mut a,
                        &mut b,
                        &mut c,
                        &mut factor,
                        &mut d,
                        &mut e,
                        &mut nul,
                    );
                    if ok == 0 {
                        factor = f64::NAN;
                    }
                    ps::proj_destroy(cs);
                }
            }
            ps::proj_destroy(crs);
            Ok((kind_geog, kind_proj, factor))
        }
    })
    .ok_or_else(|| err("cannot create a PROJ context"))?;
    let (kind_geog, kind_proj, factor) = answer?;
    if !(factor.is_finite() && factor > 0.0) && (kind_geog || kind_proj) {
        return Err(err("PROJ gives no unit for the first axis"));
    }
    Ok(if kind_geog {
        // PROJ gives angular units in radians per unit.
        CrsKind::Geographic {
            unit_to_degree: factor.to_degrees(),
        }
    } else if kind_proj {
        CrsKind::Projected {
            unit_to_metre: factor,
        }
    } else {
        CrsKind::Other
    })
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
        // Checked first: `new_known_crs` leaks its context when PROJ cannot make the transform.
        ensure_known(&from)?;
        ensure_known(&to)?;
        let pair = (from.clone(), to.clone());
        if let Some(message) = FAILED_PAIRS.with(|f| f.borrow().get(&pair).cloned()) {
            return Err(CrsError::Create { from, to, message });
        }
        let proj = Proj::new_known_crs(&from, &to, None).map_err(|e| {
            let message = e.to_string();
            FAILED_PAIRS.with(|f| f.borrow_mut().insert(pair, message.clone()));
            CrsError::Create {
                from: from.clone(),
                to: to.clone(),
                message,
            }
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

/// Why a legacy (2008 GeoJSON) `crs` member cannot be honoured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LegacyCrsError {
    /// A `crs` of another type than `name` (`link`, `EPSG`, ...).
    #[error("legacy \"crs\" of type {0:?} is not supported (only \"name\" with an EPSG code)")]
    Type(String),
    /// No `properties.name`.
    #[error("legacy \"crs\" member has no properties.name")]
    NoName,
    /// A name that is not an EPSG code or CRS84.
    #[error(
        "unknown legacy \"crs\" {0:?} (expected an EPSG code such as \"urn:ogc:def:crs:EPSG::2326\")"
    )]
    Unknown(String),
}

/// The EPSG code (`EPSG:n`, or `OGC:CRS84`) a legacy `crs` member names.
pub fn legacy_crs_code(crs: &serde_json::Value) -> Result<String, LegacyCrsError> {
    use serde_json::Value;
    let ty = crs.get("type").and_then(Value::as_str);
    if let Some(t) = ty.filter(|t| *t != "name") {
        return Err(LegacyCrsError::Type(t.to_string()));
    }
    let name = crs
        .pointer("/properties/name")
        .and_then(Value::as_str)
        .ok_or(LegacyCrsError::NoName)?;
    let code = normalize_crs_name(name);
    let ok = code == "OGC:CRS84"
        || code
            .strip_prefix("EPSG:")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(code)
    } else {
        Err(LegacyCrsError::Unknown(name.to_string()))
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

    #[test]
    fn kinds_and_units() {
        assert_eq!(
            crs_kind("EPSG:2326").expect("2326"),
            CrsKind::Projected { unit_to_metre: 1.0 }
        );
        match crs_kind("EPSG:4490").expect("4490") {
            CrsKind::Geographic { unit_to_degree } => assert!((unit_to_degree - 1.0).abs() < 1e-12),
            k => panic!("4490 is {k:?}"),
        }
        // NAD83 / California zone 3 (ftUS): US survey feet, 1200/3937 m.
        match crs_kind("EPSG:2227").expect("2227") {
            CrsKind::Projected { unit_to_metre } => {
                assert!((unit_to_metre - 1200.0 / 3937.0).abs() < 1e-12)
            }
            k => panic!("2227 is {k:?}"),
        }
        assert!(crs_kind("EPSG:999999").is_err());
    }

    #[test]
    fn an_unknown_code_is_named_as_not_in_the_database() {
        for _ in 0..2 {
            let e = Transformer::new("urn:ogc:def:crs:EPSG::999999", "EPSG:4326")
                .expect_err("not a code");
            assert_eq!(e.to_string(), "EPSG:999999 is not in the PROJ database");
        }
        assert!(ensure_known("EPSG:2326").is_ok());
        assert!(matches!(
            ensure_known("EPSG:999999"),
            Err(CrsError::NotInDatabase { .. })
        ));
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
