//! Coordinates and geometry objects of the scanner (a part of `Parser`): nested
//! `coordinates` into flat scratch buffers, checked against the geometry type, then built
//! into `geo` geometries with one exact-size copy.

use super::*;

impl<'a> Parser<'a> {
    // ---------------------------------------------------------------- coordinates

    fn reset_coords(&mut self) {
        self.coords.clear();
        for e in &mut self.ends {
            e.clear();
        }
        self.pos_level = None;
    }

    /// Parse a `coordinates` value of any nesting into the scratch buffers.
    fn coordinates(&mut self) -> R<()> {
        self.reset_coords();
        self.ws();
        if self.peek() != Some(b'[') {
            return err(self.i, "\"coordinates\" must be an array");
        }
        self.coord_level(0)
    }

    fn coord_level(&mut self, level: usize) -> R<()> {
        let open = self.i;
        self.i += 1; // '['
        self.ws();
        if matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return self.position(level, open);
        }
        if level >= 3 || self.pos_level.is_some_and(|p| level >= p) {
            return err(open, "a position must be an array of numbers");
        }
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                if self.peek() != Some(b'[') {
                    return Err(self.wanted("expected a position or an array of positions"));
                }
                self.coord_level(level + 1)?;
                if !self.next_or_close(b']')? {
                    break;
                }
            }
        }
        let n = if self.pos_level == Some(level + 1) {
            self.coords.len()
        } else {
            self.ends[level + 1].len()
        };
        self.ends[level].push(u32::try_from(n).unwrap_or(u32::MAX));
        Ok(())
    }

    fn position(&mut self, level: usize, open: usize) -> R<()> {
        match self.pos_level {
            None => {
                if self.ends[level..].iter().any(|e| !e.is_empty()) {
                    return err(open, "positions nested inconsistently in \"coordinates\"");
                }
                self.pos_level = Some(level);
            }
            Some(p) if p != level => {
                return err(open, "positions nested inconsistently in \"coordinates\"");
            }
            Some(_) => {}
        }
        let x = self.f64_num()?;
        self.ws();
        match self.peek() {
            Some(b',') => self.i += 1,
            Some(b']') => return err(self.i, "a position needs at least two numbers"),
            _ => return Err(lexer::unexpected(self.b, self.i, "',' or ']'").into()),
        }
        self.ws();
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(self.wanted("a position must contain only numbers"));
        }
        let y = self.f64_num()?;
        let mut z = None;
        loop {
            self.ws();
            match self.peek() {
                Some(b']') => {
                    self.i += 1;
                    break;
                }
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                    if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
                        return Err(self.wanted("a position must contain only numbers"));
                    }
                    let v = self.f64_num()?;
                    if z.is_none() {
                        z = Some(v);
                    }
                }
                _ => return Err(lexer::unexpected(self.b, self.i, "',' or ']'").into()),
            }
        }
        self.coords.push(Coord { x, y });
        match z {
            Some(z) => {
                if !self.fz_any {
                    self.fz_any = true;
                    self.fz.clear();
                    self.fz.resize(self.fpos, f64::NAN);
                }
                self.fz.push(z);
            }
            None if self.fz_any => self.fz.push(f64::NAN),
            None => {}
        }
        self.fpos += 1;
        Ok(())
    }

    // ---------------------------------------------------------------- geometry

    /// A geometry object. With `foreign`, unknown members (and `crs`) are kept there.
    pub(super) fn geometry(
        &mut self,
        mut foreign: Option<&mut Map<String, Value>>,
    ) -> R<Geometry<f64>> {
        let start = self.i;
        let mut ty: Option<(Cow<'a, str>, usize)> = None;
        let mut built: Option<Geometry<f64>> = None;
        let mut pending: Option<Pending> = None;
        let mut members: Option<Vec<Geometry<f64>>> = None;
        let mut coords_at = None;
        self.members(|p, k, _at| {
            match k.as_ref() {
                "type" => ty = Some(p.type_string()?),
                "coordinates" => {
                    let at = p.i;
                    coords_at = Some(at);
                    p.coordinates()?;
                    match &ty {
                        Some((t, tat)) => built = Some(p.build(t, *tat, at)?),
                        None => pending = Some(p.take_pending()),
                    }
                }
                "geometries" => {
                    let at = p.i;
                    if p.peek() != Some(b'[') {
                        return err(at, "\"geometries\" must be an array of geometries");
                    }
                    p.i += 1;
                    let mut gs = Vec::new();
                    p.ws();
                    if p.peek() == Some(b']') {
                        p.i += 1;
                    } else {
                        loop {
                            p.ws();
                            gs.push(p.geometry(None)?);
                            if !p.next_or_close(b']')? {
                                break;
                            }
                        }
                    }
                    members = Some(gs);
                }
                "bbox" => {
                    let b = p.bbox()?;
                    if let Some(f) = foreign.as_deref_mut() {
                        f.insert("bbox".into(), Value::from(b));
                    }
                }
                other => {
                    let v = p.value()?;
                    if let Some(f) = foreign.as_deref_mut() {
                        f.insert(other.to_string(), v);
                    }
                }
            }
            Ok(())
        })?;
        let Some((ty, tat)) = ty else {
            return err(start, "a geometry needs a \"type\" member");
        };
        if ty == "GeometryCollection" {
            return match members {
                Some(gs) => Ok(Geometry::GeometryCollection(geo::GeometryCollection(gs))),
                None => err(start, "a GeometryCollection needs a \"geometries\" array"),
            };
        }
        if let Some(g) = built {
            return Ok(g);
        }
        let Some(cat) = coords_at else {
            if !GEOMETRY_TYPES.contains(&ty.as_ref()) {
                return err(tat, format!("unknown geometry type \"{ty}\""));
            }
            return err(start, format!("a {ty} needs a \"coordinates\" member"));
        };
        match pending {
            Some(pd) => {
                self.coords = pd.coords;
                self.ends = pd.ends;
                self.pos_level = pd.pos_level;
                self.build(&ty, tat, cat)
            }
            None => err(start, "internal: coordinates lost"),
        }
    }

    fn take_pending(&mut self) -> Pending {
        Pending {
            coords: std::mem::take(&mut self.coords),
            ends: self.ends.clone(),
            pos_level: self.pos_level,
        }
    }

    /// Build a geometry of type `ty` from the scratch coordinates.
    fn build(&mut self, ty: &str, tat: usize, cat: usize) -> R<Geometry<f64>> {
        let want = match ty {
            "Point" => 0,
            "MultiPoint" | "LineString" => 1,
            "MultiLineString" | "Polygon" => 2,
            "MultiPolygon" => 3,
            "GeometryCollection" => {
                return err(
                    cat,
                    "a GeometryCollection has \"geometries\", not \"coordinates\"",
                );
            }
            _ => return err(tat, format!("unknown geometry type \"{ty}\"")),
        };
        let ok = match self.pos_level {
            Some(p) => p == want,
            None => want > 0 && self.ends[want..].iter().all(Vec::is_empty),
        };
        if !ok {
            let what = match want {
                0 => "a position",
                1 => "an array of positions",
                2 => "an array of arrays of positions",
                _ => "an array of arrays of arrays of positions",
            };
            return err(cat, format!("the coordinates of a {ty} must be {what}"));
        }
        // An exact-size copy: the scratch buffer keeps its capacity for the next geometry.
        let coords = self.coords.clone();
        Ok(match want {
            0 => match coords.first() {
                Some(&c) => Geometry::Point(Point(c)),
                None => return err(cat, "a Point needs a position"),
            },
            1 if ty == "LineString" => Geometry::LineString(LineString(coords)),
            1 => Geometry::MultiPoint(MultiPoint(coords.into_iter().map(Point).collect())),
            2 if ty == "Polygon" && self.ends[1].len() == 1 => {
                Geometry::Polygon(Polygon::new(LineString(coords), Vec::new()))
            }
            2 => {
                let lines = split(coords, &self.ends[1]);
                if ty == "Polygon" {
                    Geometry::Polygon(polygon(lines))
                } else {
                    Geometry::MultiLineString(MultiLineString(lines))
                }
            }
            _ => {
                let rings = split(coords, &self.ends[2]);
                let mut rings = rings.into_iter();
                let mut polys = Vec::with_capacity(self.ends[1].len());
                let mut prev = 0u32;
                for &e in &self.ends[1] {
                    let n = e.saturating_sub(prev) as usize;
                    prev = e;
                    polys.push(polygon(rings.by_ref().take(n).collect()));
                }
                Geometry::MultiPolygon(MultiPolygon(polys))
            }
        })
    }
}

struct Pending {
    coords: Vec<Coord<f64>>,
    ends: [Vec<u32>; 4],
    pos_level: Option<usize>,
}

fn split(coords: Vec<Coord<f64>>, ends: &[u32]) -> Vec<LineString<f64>> {
    if ends.len() == 1 {
        return vec![LineString(coords)];
    }
    let mut out = Vec::with_capacity(ends.len());
    let mut prev = 0usize;
    for &e in ends {
        let e = (e as usize).min(coords.len());
        let s = prev.min(e);
        out.push(LineString(coords[s..e].to_vec()));
        prev = e;
    }
    out
}

fn polygon(rings: Vec<LineString<f64>>) -> Polygon<f64> {
    let mut it = rings.into_iter();
    let ext = it.next().unwrap_or_else(|| LineString(Vec::new()));
    Polygon::new(ext, it.collect())
}
