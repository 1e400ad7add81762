//! A simple reference loader through the `geojson` crate (serde), kept to check the fast
//! loader against: same model, same z convention, same legacy `crs` handling, no positions
//! (every `pos` is 0:0) and no parallelism. Test-only: about half as fast.

use geo::{Coord, Geometry};
use geojson::{GeoJson, GeometryValue, Position};
use hetao_atlas::core::io::{LoadError, apply_legacy_crs};
use hetao_atlas::core::model::{Feature, FeatureId, Layer, SourcePos};

/// Load GeoJSON from memory through the `geojson` crate.
pub fn load_slice_reference(bytes: &[u8], name: &str, file: &str) -> Result<Layer, LoadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let gj: GeoJson = serde_json::from_slice(bytes).map_err(|e| LoadError::Invalid {
        file: file.to_string(),
        line: u32::try_from(e.line()).unwrap_or(0),
        column: u32::try_from(e.column()).unwrap_or(0),
        message: e.to_string(),
    })?;
    let at = SourcePos::default();
    let inv = |m: String| LoadError::invalid(file, at, m);
    let mut layer = Layer {
        name: name.to_string(),
        ..Layer::default()
    };
    let crs;
    match gj {
        GeoJson::FeatureCollection(fc) => {
            let mut foreign = fc.foreign_members.unwrap_or_default();
            crs = foreign.remove("crs");
            layer.foreign = foreign;
            layer.bbox = fc.bbox;
            for f in fc.features {
                layer.features.push(feature(f).map_err(inv)?);
            }
        }
        GeoJson::Feature(f) => {
            let mut f = feature(f).map_err(inv)?;
            crs = f.foreign.remove("crs");
            layer.features.push(f);
        }
        GeoJson::Geometry(g) => {
            let mut foreign = g.foreign_members.clone().unwrap_or_default();
            crs = foreign.remove("crs");
            let mut z = Zs::default();
            let geom = geometry(&g, &mut z).map_err(inv)?;
            layer.features.push(Feature {
                geometry: Some(geom),
                z: z.finish(),
                bbox: g.bbox.clone(),
                ..Feature::default()
            });
            layer.foreign = foreign;
        }
    }
    if let Some(crs) = crs {
        apply_legacy_crs(&mut layer, &crs, at, file)?;
    }
    Ok(layer)
}

#[derive(Default)]
struct Zs {
    z: Vec<f64>,
    any: bool,
    n: usize,
}

impl Zs {
    fn push(&mut self, p: &Position) -> Result<Coord<f64>, String> {
        let s = p.as_slice();
        if s.len() < 2 {
            return Err("a position needs at least two numbers".into());
        }
        if let Some(&z) = s.get(2) {
            if !self.any {
                self.any = true;
                self.z.resize(self.n, f64::NAN);
            }
            self.z.push(z);
        } else if self.any {
            self.z.push(f64::NAN);
        }
        self.n += 1;
        if s.iter().any(|v| !v.is_finite()) {
            return Err("coordinates must be finite".into());
        }
        Ok(Coord { x: s[0], y: s[1] })
    }

    fn finish(self) -> Option<Vec<f64>> {
        self.any.then_some(self.z)
    }
}

fn feature(f: geojson::Feature) -> Result<Feature, String> {
    let mut z = Zs::default();
    let geometry = match &f.geometry {
        Some(g) => Some(geometry(g, &mut z)?),
        None => None,
    };
    Ok(Feature {
        id: f.id.map(|id| match id {
            geojson::feature::Id::String(s) => FeatureId::String(s),
            geojson::feature::Id::Number(n) => FeatureId::Number(n),
        }),
        geometry,
        properties: f.properties.map(Into::into),
        z: z.finish(),
        bbox: f.bbox,
        foreign: f.foreign_members.unwrap_or_default().into(),
        pos: SourcePos::default(),
    })
}

fn line(ps: &[Position], z: &mut Zs) -> Result<geo::LineString<f64>, String> {
    ps.iter()
        .map(|p| z.push(p))
        .collect::<Result<Vec<_>, _>>()
        .map(geo::LineString)
}

fn polygon(rings: &[Vec<Position>], z: &mut Zs) -> Result<geo::Polygon<f64>, String> {
    let mut rs = rings
        .iter()
        .map(|r| line(r, z))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter();
    let ext = rs.next().unwrap_or_else(|| geo::LineString(vec![]));
    Ok(geo::Polygon::new(ext, rs.collect()))
}

fn geometry(g: &geojson::Geometry, z: &mut Zs) -> Result<Geometry<f64>, String> {
    Ok(match &g.value {
        GeometryValue::Point { coordinates } => Geometry::Point(z.push(coordinates)?.into()),
        GeometryValue::MultiPoint { coordinates } => Geometry::MultiPoint(geo::MultiPoint(
            coordinates
                .iter()
                .map(|p| z.push(p).map(geo::Point))
                .collect::<Result<_, _>>()?,
        )),
        GeometryValue::LineString { coordinates } => Geometry::LineString(line(coordinates, z)?),
        GeometryValue::MultiLineString { coordinates } => {
            Geometry::MultiLineString(geo::MultiLineString(
                coordinates
                    .iter()
                    .map(|l| line(l, z))
                    .collect::<Result<_, _>>()?,
            ))
        }
        GeometryValue::Polygon { coordinates } => Geometry::Polygon(polygon(coordinates, z)?),
        GeometryValue::MultiPolygon { coordinates } => Geometry::MultiPolygon(geo::MultiPolygon(
            coordinates
                .iter()
                .map(|p| polygon(p, z))
                .collect::<Result<_, _>>()?,
        )),
        GeometryValue::GeometryCollection { geometries } => {
            Geometry::GeometryCollection(geo::GeometryCollection(
                geometries
                    .iter()
                    .map(|g| geometry(g, z))
                    .collect::<Result<_, _>>()?,
            ))
        }
    })
}
