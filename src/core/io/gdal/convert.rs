//! OGR values to the model's: geometries to `geo` (curves linearised, z kept per position
//! as [`crate::core::model::Feature::z`] wants it), field values to JSON with their types
//! (integer and real numbers, strings, dates as `YYYY-MM-DD`, date-times as RFC 3339, lists
//! as arrays, unset and null fields as `null`).

use ::gdal::vector::{FieldValue, Geometry};
use gdal_sys::OGRwkbGeometryType as T;
use geo::{Coord, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::Value;

/// Why a geometry cannot be converted.
pub type GeomError = String;

/// A geometry in the file's own coordinates, and its z values (when the geometry is 3-D).
pub struct Converted {
    /// The geometry (x, y as stored).
    pub geometry: geo::Geometry<f64>,
    /// One z per position in order, when the source geometry had z.
    pub z: Option<Vec<f64>>,
}

/// Convert an OGR geometry; `Ok(None)` for an empty one.
pub fn geometry(g: &Geometry) -> Result<Option<Converted>, GeomError> {
    if g.is_empty() {
        return Ok(None);
    }
    let has_z = ::gdal::vector::geometry_type_has_z(g.geometry_type());
    let mut zs = Vec::new();
    let geometry = walk(g, &mut zs)?;
    Ok(Some(Converted {
        geometry,
        z: has_z.then_some(zs),
    }))
}

fn points(g: &Geometry, zs: &mut Vec<f64>) -> Vec<Coord<f64>> {
    let mut pts = Vec::new();
    g.get_points(&mut pts);
    pts.into_iter()
        .map(|(x, y, z)| {
            zs.push(z);
            Coord { x, y }
        })
        .collect()
}

fn line(g: &Geometry, zs: &mut Vec<f64>) -> Result<LineString<f64>, GeomError> {
    match walk(g, zs)? {
        geo::Geometry::LineString(l) => Ok(l),
        other => Err(format!(
            "expected a ring or line, found {}",
            crate::core::model::geometry_type_name(Some(&other))
        )),
    }
}

fn polygon(g: &Geometry, zs: &mut Vec<f64>) -> Result<Polygon<f64>, GeomError> {
    let n = g.geometry_count();
    if n == 0 {
        return Err("a polygon without rings".into());
    }
    let outer = line(&g.get_geometry(0), zs)?;
    let holes = (1..n)
        .map(|i| line(&g.get_geometry(i), zs))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(outer, holes))
}

fn walk(g: &Geometry, zs: &mut Vec<f64>) -> Result<geo::Geometry<f64>, GeomError> {
    let ty = ::gdal::vector::geometry_type_flatten(g.geometry_type());
    // SAFETY: a pure function of the type code.
    if unsafe { gdal_sys::OGR_GT_IsNonLinear(ty) } != 0 {
        return walk(&linear(g)?, zs);
    }
    let children = |zs: &mut Vec<f64>| -> Result<Vec<geo::Geometry<f64>>, GeomError> {
        (0..g.geometry_count())
            .map(|i| walk(&g.get_geometry(i), zs))
            .collect()
    };
    Ok(match ty {
        T::wkbPoint => {
            let (x, y, z) = g.get_point(0);
            zs.push(z);
            geo::Geometry::Point(Point::new(x, y))
        }
        T::wkbLineString | T::wkbLinearRing => {
            geo::Geometry::LineString(LineString::new(points(g, zs)))
        }
        T::wkbPolygon => geo::Geometry::Polygon(polygon(g, zs)?),
        T::wkbMultiPoint => {
            let mut out = Vec::new();
            for c in children(zs)? {
                match c {
                    geo::Geometry::Point(p) => out.push(p),
                    o => return Err(member_error("MultiPoint", &o)),
                }
            }
            geo::Geometry::MultiPoint(MultiPoint::new(out))
        }
        T::wkbMultiLineString => {
            let mut out = Vec::new();
            for c in children(zs)? {
                match c {
                    geo::Geometry::LineString(l) => out.push(l),
                    o => return Err(member_error("MultiLineString", &o)),
                }
            }
            geo::Geometry::MultiLineString(MultiLineString::new(out))
        }
        T::wkbMultiPolygon => {
            let mut out = Vec::new();
            for i in 0..g.geometry_count() {
                out.push(polygon(&g.get_geometry(i), zs)?);
            }
            geo::Geometry::MultiPolygon(MultiPolygon::new(out))
        }
        T::wkbGeometryCollection => {
            geo::Geometry::GeometryCollection(geo::GeometryCollection::new_from(children(zs)?))
        }
        other => {
            return Err(format!(
                "unsupported geometry type {}",
                ::gdal::vector::geometry_type_to_name(other)
            ));
        }
    })
}

fn member_error(of: &str, g: &geo::Geometry<f64>) -> GeomError {
    format!(
        "a {of} holding a {}",
        crate::core::model::geometry_type_name(Some(g))
    )
}

/// The linear approximation of a curve geometry (arcs of DXF, curved GeoPackage
/// geometries), through ISO WKB so the result is an owned geometry.
fn linear(g: &Geometry) -> Result<Geometry, GeomError> {
    // SAFETY: `c_geometry` is valid while `g` lives; the linear copy is a new geometry
    // owned here: it is exported to WKB into a buffer of the size GDAL reports and then
    // destroyed.
    let wkb = unsafe {
        let lin = gdal_sys::OGR_G_GetLinearGeometry(g.c_geometry(), 0.0, std::ptr::null_mut());
        if lin.is_null() {
            return Err("cannot linearise a curve geometry".into());
        }
        let size = usize::try_from(gdal_sys::OGR_G_WkbSize(lin)).unwrap_or(0);
        let mut buf = vec![0u8; size];
        let rc = gdal_sys::OGR_G_ExportToIsoWkb(
            lin,
            gdal_sys::OGRwkbByteOrder::wkbNDR,
            buf.as_mut_ptr(),
        );
        gdal_sys::OGR_G_DestroyGeometry(lin);
        if rc != gdal_sys::OGRErr::OGRERR_NONE {
            return Err("cannot linearise a curve geometry".into());
        }
        buf
    };
    Geometry::from_wkb(&wkb).map_err(|e| e.to_string())
}

/// A field value as JSON; `None` (unset or null) is `null`.
pub fn field_value(v: Option<FieldValue>) -> Value {
    let real = |r: f64| serde_json::Number::from_f64(r).map_or(Value::Null, Value::Number);
    match v {
        None => Value::Null,
        Some(FieldValue::IntegerValue(i)) => Value::from(i),
        Some(FieldValue::Integer64Value(i)) => Value::from(i),
        Some(FieldValue::RealValue(r)) => real(r),
        Some(FieldValue::StringValue(s)) => Value::String(s),
        Some(FieldValue::DateValue(d)) => Value::String(d.to_string()),
        Some(FieldValue::DateTimeValue(t)) => {
            // RFC 3339: "2035-12-31T10:00:00+08:00"
            Value::String(format!("{}{}", t.naive_local(), t.offset()).replacen(' ', "T", 1))
        }
        Some(FieldValue::IntegerListValue(l)) => l.into_iter().map(Value::from).collect(),
        Some(FieldValue::Integer64ListValue(l)) => l.into_iter().map(Value::from).collect(),
        Some(FieldValue::RealListValue(l)) => l.into_iter().map(real).collect(),
        Some(FieldValue::StringListValue(l)) => l.into_iter().map(Value::String).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_3d_polygon_keeps_its_z_and_a_curve_is_linearised() {
        let g = Geometry::from_wkt("POLYGON Z ((0 0 1,1 0 2,1 1 3,0 0 1))").expect("wkt");
        let c = geometry(&g).expect("converts").expect("not empty");
        assert_eq!(
            c.geometry,
            geo::Geometry::Polygon(Polygon::new(
                LineString::from(vec![(0., 0.), (1., 0.), (1., 1.), (0., 0.)]),
                vec![]
            ))
        );
        assert_eq!(c.z, Some(vec![1.0, 2.0, 3.0, 1.0]));
        let arc = Geometry::from_wkt("CIRCULARSTRING (0 0,1 1,2 0)").expect("wkt");
        match geometry(&arc).expect("converts").map(|c| c.geometry) {
            Some(geo::Geometry::LineString(l)) => {
                assert!(l.0.len() > 3);
                assert!(
                    l.0.iter()
                        .all(|p| ((p.x - 1.0).powi(2) + p.y.powi(2) - 1.0).abs() < 1e-9)
                );
            }
            other => panic!("{other:?}"),
        }
        let empty = Geometry::from_wkt("POINT EMPTY").expect("wkt");
        assert!(geometry(&empty).expect("empty is fine").is_none());
    }

    #[test]
    fn field_values_keep_their_types() {
        assert_eq!(
            field_value(Some(FieldValue::IntegerValue(4))),
            Value::from(4)
        );
        assert_eq!(
            field_value(Some(FieldValue::RealValue(12.5))),
            Value::from(12.5)
        );
        assert_eq!(field_value(None), Value::Null);
    }
}
