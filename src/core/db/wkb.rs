//! Geometries as Well-Known Binary, the form PostGIS sends and receives.
//!
//! [`encode_ewkb`] writes PostGIS's extended WKB (little-endian, the SRID 4326 flag set), which
//! the `geometry` type's binary input takes as is, so binary COPY needs no conversion on the
//! server; [`decode`] reads ISO WKB (what `ST_AsBinary` returns) and EWKB, either byte order,
//! dropping Z and M ordinates (the model is 2-D; a feature's third coordinates travel
//! separately). It is small, so no crate: `geozero` is much larger than this needs and
//! `wkb` writes no SRID.

use geo::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};

/// The SRID every geometry is stored in (WGS84 lon/lat).
pub const SRID: u32 = 4326;

const EWKB_SRID: u32 = 0x2000_0000;
const EWKB_Z: u32 = 0x8000_0000;
const EWKB_M: u32 = 0x4000_0000;

/// Why WKB could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WkbError {
    /// The bytes end inside a geometry.
    #[error("WKB ends early at byte {0}")]
    Truncated(usize),
    /// A byte-order mark other than 0 or 1.
    #[error("WKB byte order {0} at byte {1} is neither 0 nor 1")]
    ByteOrder(u8, usize),
    /// A type code this reader does not know.
    #[error("WKB geometry type {0} is not supported")]
    Type(u32),
    /// Bytes left over after the geometry.
    #[error("{0} byte(s) after the end of the WKB geometry")]
    Trailing(usize),
    /// Nested too deep (collections of collections ...).
    #[error("WKB geometry collections nest deeper than 32")]
    Depth,
}

/// `g` as EWKB with SRID 4326.
pub fn encode_ewkb(g: &Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    write_geometry(&mut out, g, true);
    out
}

/// Append `g` as EWKB with SRID 4326 to `out`.
pub fn encode_ewkb_into(out: &mut Vec<u8>, g: &Geometry<f64>) {
    write_geometry(out, g, true);
}

fn header(out: &mut Vec<u8>, code: u32, srid: bool) {
    out.push(1);
    if srid {
        out.extend_from_slice(&(code | EWKB_SRID).to_le_bytes());
        out.extend_from_slice(&SRID.to_le_bytes());
    } else {
        out.extend_from_slice(&code.to_le_bytes());
    }
}

fn u32_le(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn coord(out: &mut Vec<u8>, c: Coord<f64>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn ring(out: &mut Vec<u8>, l: &LineString<f64>) {
    u32_le(out, l.0.len());
    for c in &l.0 {
        coord(out, *c);
    }
}

fn polygon_body(out: &mut Vec<u8>, p: &Polygon<f64>) {
    if p.exterior().0.is_empty() {
        u32_le(out, 0);
        return;
    }
    u32_le(out, 1 + p.interiors().len());
    ring(out, p.exterior());
    for r in p.interiors() {
        ring(out, r);
    }
}

fn write_geometry(out: &mut Vec<u8>, g: &Geometry<f64>, srid: bool) {
    match g {
        Geometry::Point(p) => {
            header(out, 1, srid);
            coord(out, p.0);
        }
        Geometry::Line(l) => {
            header(out, 2, srid);
            u32_le(out, 2);
            coord(out, l.start);
            coord(out, l.end);
        }
        Geometry::LineString(l) => {
            header(out, 2, srid);
            ring(out, l);
        }
        Geometry::Polygon(p) => {
            header(out, 3, srid);
            polygon_body(out, p);
        }
        Geometry::Rect(r) => write_geometry(out, &Geometry::Polygon(r.to_polygon()), srid),
        Geometry::Triangle(t) => write_geometry(out, &Geometry::Polygon(t.to_polygon()), srid),
        Geometry::MultiPoint(m) => {
            header(out, 4, srid);
            u32_le(out, m.0.len());
            for p in &m.0 {
                header(out, 1, false);
                coord(out, p.0);
            }
        }
        Geometry::MultiLineString(m) => {
            header(out, 5, srid);
            u32_le(out, m.0.len());
            for l in &m.0 {
                header(out, 2, false);
                ring(out, l);
            }
        }
        Geometry::MultiPolygon(m) => {
            header(out, 6, srid);
            u32_le(out, m.0.len());
            for p in &m.0 {
                header(out, 3, false);
                polygon_body(out, p);
            }
        }
        Geometry::GeometryCollection(c) => {
            header(out, 7, srid);
            u32_le(out, c.0.len());
            for g in &c.0 {
                write_geometry(out, g, false);
            }
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], WkbError> {
        let end = self.at + N;
        let s = self
            .b
            .get(self.at..end)
            .ok_or(WkbError::Truncated(self.at))?;
        self.at = end;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u32(&mut self, le: bool) -> Result<u32, WkbError> {
        let a = self.take::<4>()?;
        Ok(if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }

    fn f64(&mut self, le: bool) -> Result<f64, WkbError> {
        let a = self.take::<8>()?;
        Ok(if le {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        })
    }

    /// A count, checked against the bytes left (each item takes at least `min` bytes), so a
    /// corrupt count cannot ask for a huge allocation.
    fn count(&mut self, le: bool, min: usize) -> Result<usize, WkbError> {
        let n = self.u32(le)? as usize;
        if n.saturating_mul(min) > self.b.len() - self.at {
            return Err(WkbError::Truncated(self.b.len()));
        }
        Ok(n)
    }
}

/// The type code and ordinate count of a geometry header.
fn read_header(r: &mut Reader<'_>) -> Result<(bool, u32, usize), WkbError> {
    let at = r.at;
    let [order] = r.take::<1>()?;
    let le = match order {
        0 => false,
        1 => true,
        o => return Err(WkbError::ByteOrder(o, at)),
    };
    let raw = r.u32(le)?;
    let mut dims = 2;
    if raw & EWKB_Z != 0 {
        dims += 1;
    }
    if raw & EWKB_M != 0 {
        dims += 1;
    }
    if raw & EWKB_SRID != 0 {
        r.u32(le)?;
    }
    let code = raw & 0x0fff_ffff;
    let (code, iso_dims) = match code {
        1..=7 => (code, 0),
        1001..=1007 => (code - 1000, 1),
        2001..=2007 => (code - 2000, 1),
        3001..=3007 => (code - 3000, 2),
        c => return Err(WkbError::Type(c)),
    };
    Ok((le, code, dims + iso_dims))
}

fn read_coord(r: &mut Reader<'_>, le: bool, dims: usize) -> Result<Coord<f64>, WkbError> {
    let x = r.f64(le)?;
    let y = r.f64(le)?;
    for _ in 2..dims {
        r.f64(le)?;
    }
    Ok(Coord { x, y })
}

fn read_line(r: &mut Reader<'_>, le: bool, dims: usize) -> Result<LineString<f64>, WkbError> {
    let n = r.count(le, 8 * dims)?;
    (0..n)
        .map(|_| read_coord(r, le, dims))
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

fn read_polygon(r: &mut Reader<'_>, le: bool, dims: usize) -> Result<Polygon<f64>, WkbError> {
    let n = r.count(le, 4)?;
    if n == 0 {
        return Ok(Polygon::new(LineString::new(Vec::new()), Vec::new()));
    }
    // the exterior, then the holes (no list of all rings in between)
    let exterior = read_line(r, le, dims)?;
    let mut interiors = Vec::with_capacity(n - 1);
    for _ in 1..n {
        interiors.push(read_line(r, le, dims)?);
    }
    Ok(Polygon::new(exterior, interiors))
}

fn read_geometry(r: &mut Reader<'_>, depth: usize) -> Result<Geometry<f64>, WkbError> {
    if depth > 32 {
        return Err(WkbError::Depth);
    }
    let (le, code, dims) = read_header(r)?;
    Ok(match code {
        1 => Geometry::Point(Point(read_coord(r, le, dims)?)),
        2 => Geometry::LineString(read_line(r, le, dims)?),
        3 => Geometry::Polygon(read_polygon(r, le, dims)?),
        4..=7 => {
            let n = r.count(le, 5)?;
            let mut parts = Vec::with_capacity(n);
            for _ in 0..n {
                parts.push(read_geometry(r, depth + 1)?);
            }
            match code {
                4 => Geometry::MultiPoint(MultiPoint(
                    parts
                        .into_iter()
                        .map(Point::try_from)
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|_| WkbError::Type(4))?,
                )),
                5 => Geometry::MultiLineString(MultiLineString(
                    parts
                        .into_iter()
                        .map(LineString::try_from)
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|_| WkbError::Type(5))?,
                )),
                6 => Geometry::MultiPolygon(MultiPolygon(
                    parts
                        .into_iter()
                        .map(Polygon::try_from)
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|_| WkbError::Type(6))?,
                )),
                _ => Geometry::GeometryCollection(GeometryCollection(parts)),
            }
        }
        c => return Err(WkbError::Type(c)),
    })
}

/// A geometry from ISO WKB or EWKB (SRID, Z and M dropped).
pub fn decode(bytes: &[u8]) -> Result<Geometry<f64>, WkbError> {
    let mut r = Reader { b: bytes, at: 0 };
    let g = read_geometry(&mut r, 0)?;
    if r.at != bytes.len() {
        return Err(WkbError::Trailing(bytes.len() - r.at));
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, polygon};

    #[test]
    fn every_geometry_type_round_trips_bit_for_bit() {
        let poly = polygon![(x: 114.0, y: 22.5), (x: 114.1, y: 22.5), (x: 114.1, y: 22.6), (x: 114.0, y: 22.5)];
        let line = line_string![(x: 0.1, y: -0.2), (x: 1.0 / 3.0, y: 2.0)];
        let all = vec![
            Geometry::Point(point!(x: 114.0791154, y: 22.5214876)),
            Geometry::LineString(line.clone()),
            Geometry::Polygon(poly.clone()),
            Geometry::MultiPoint(MultiPoint(vec![point!(x: 1.0, y: 2.0)])),
            Geometry::MultiLineString(MultiLineString(vec![line.clone(), line])),
            Geometry::MultiPolygon(MultiPolygon(vec![poly.clone()])),
            Geometry::GeometryCollection(GeometryCollection(vec![
                Geometry::Polygon(poly),
                Geometry::Point(point!(x: 5.0, y: 6.0)),
            ])),
        ];
        for g in all {
            let back = decode(&encode_ewkb(&g));
            assert_eq!(back.as_ref(), Ok(&g));
        }
    }

    #[test]
    fn a_point_is_the_published_ewkb_bytes() {
        // PostGIS: SELECT ST_AsEWKB('SRID=4326;POINT(1 2)'::geometry) (little-endian)
        let want = "0101000020e6100000000000000000f03f0000000000000040";
        let got: String = encode_ewkb(&Geometry::Point(point!(x: 1.0, y: 2.0)))
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn big_endian_iso_z_is_read_and_z_dropped() {
        // POINT Z (1 2 3), ISO WKB, big-endian: type 1001
        let mut b = vec![0u8];
        b.extend_from_slice(&1001u32.to_be_bytes());
        for v in [1.0f64, 2.0, 3.0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(decode(&b), Ok(Geometry::Point(point!(x: 1.0, y: 2.0))));
    }

    #[test]
    fn corrupt_bytes_are_errors_not_panics() {
        assert_eq!(decode(&[]), Err(WkbError::Truncated(0)));
        assert_eq!(decode(&[7]), Err(WkbError::ByteOrder(7, 0)));
        // a LineString claiming 4 billion points
        let mut b = vec![1u8];
        b.extend_from_slice(&2u32.to_le_bytes());
        b.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(decode(&b), Err(WkbError::Truncated(_))));
        let mut p = encode_ewkb(&Geometry::Point(point!(x: 1.0, y: 2.0)));
        p.push(0);
        assert_eq!(decode(&p), Err(WkbError::Trailing(1)));
    }
}
