//! GeoJSON validation for `hetao check`: errors and warnings with line and column.
//!
//! [`validate`] reads bytes with the positioned JSON reader ([`crate::core::json`]) and
//! checks them against RFC 7946 in the spirit of mapbox/geojsonhint: the same problems,
//! reported at the same lines (the line of the object or array geojsonhint attaches a
//! message to), with messages a person understands and a byte column as well.
//!
//! *Errors* make a file invalid GeoJSON: not JSON, a root that is not an object, a missing,
//! misspelt or unknown `type`, members of the wrong JSON type, missing required members,
//! badly nested coordinates, positions with fewer than 2 numbers or with non-numbers,
//! LineStrings with fewer than 2 positions, LinearRings with fewer than 4 positions or not
//! closed, bad `bbox`, bad feature `id`, members that change GeoJSON semantics (RFC 7946
//! §7.1), malformed legacy `crs` members.
//!
//! *Warnings* do not stop a file from loading: right-hand-rule winding (RFC 7946 §3.1.6 says
//! parsers should not reject it), positions with more than 3 numbers, duplicate object
//! members, longitude/latitude out of range, self-intersecting rings, zero-area rings,
//! excessive coordinate precision, single-member or nested GeometryCollections, legacy `crs`
//! members, a UTF-8 byte order mark. High-volume kinds are capped at
//! [`MAX_WARNINGS_PER_KIND`] per file (errors at [`MAX_ERRORS_PER_KIND`]), with one
//! closing note saying how many more there were.
//!
//! Every [`Issue`] has a stable machine-readable [`Issue::code`] (listed in `docs/check.md`).

use crate::core::json::{self, Node};
use crate::core::model::{GEOMETRY_TYPES, OBJECT_TYPES, SourcePos};
use std::collections::HashMap;

/// Warnings of one kind shown per file before the rest are summarised in one note.
pub const MAX_WARNINGS_PER_KIND: usize = 10;
/// Errors of one kind shown per file before the rest are summarised in one note.
pub const MAX_ERRORS_PER_KIND: usize = 1000;
/// Coordinates with more decimal places than this draw a precision warning
/// (1e-7 degree is about 1.1 cm on the ground; OpenStreetMap stores 7 decimals).
pub const MAX_DECIMALS: usize = 7;
/// Budget of segment-pair candidates examined per ring by the self-intersection sweep;
/// past it the check stops and says so (keeps pathological rings to well under a second).
pub const SELF_INTERSECTION_BUDGET: u64 = 20_000_000;

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// 1-based line (0 when the problem has no position, e.g. an unreadable file).
    pub line: u32,
    /// 1-based byte column (0 when unknown).
    pub column: u32,
    /// What is wrong, for a person.
    pub message: String,
    /// Stable kind of problem, e.g. `ring-not-closed` (see `docs/check.md`).
    pub code: &'static str,
}

/// Result of validating one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The file name given to [`validate`].
    pub file: String,
    /// Problems that make the file invalid GeoJSON, in source order.
    pub errors: Vec<Issue>,
    /// Problems worth fixing that do not make the file invalid, in source order.
    pub warnings: Vec<Issue>,
}

impl Report {
    /// Whether the file has no errors (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The report as `hetao check` prints it: one line per problem, errors and warnings
    /// interleaved in source order, `file:line:column: error: message` (`file: error: …` for a
    /// problem without a position). The app's Problems panel shows these same lines.
    pub fn lines(&self) -> Vec<String> {
        let mut all: Vec<(&Issue, &str)> = self
            .errors
            .iter()
            .map(|i| (i, "error"))
            .chain(self.warnings.iter().map(|i| (i, "warning")))
            .collect();
        all.sort_by_key(|(i, _)| (i.line, i.column));
        all.into_iter()
            .map(|(i, sev)| {
                if i.line == 0 {
                    format!("{}: {sev}: {}", self.file, i.message)
                } else {
                    format!(
                        "{}:{}:{}: {sev}: {}",
                        self.file, i.line, i.column, i.message
                    )
                }
            })
            .collect()
    }
}

/// Validate GeoJSON `bytes`; `file_name` labels the report.
pub fn validate(bytes: &[u8], file_name: &str) -> Report {
    let mut v = Validator {
        src: bytes,
        errors: Vec::new(),
        warnings: Vec::new(),
        counts: HashMap::new(),
        suppressed: Vec::new(),
        check_range: true,
    };
    match json::parse(bytes) {
        Err(e) => v.error(e.pos(), "json", format!("not valid JSON: {}", e.message)),
        Ok(doc) => {
            if doc.bom {
                v.warn(
                    SourcePos { line: 1, column: 1 },
                    "bom",
                    "the file starts with a UTF-8 byte order mark; JSON texts must not (RFC 8259 §8.1)",
                );
            }
            v.duplicates(&doc.root);
            v.root(&doc.root);
        }
    }
    v.finish(file_name)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sev {
    Error,
    Warning,
}

struct Validator<'a> {
    src: &'a [u8],
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
    counts: HashMap<(bool, &'static str), usize>,
    /// (severity, code, first suppressed position)
    suppressed: Vec<(Sev, &'static str, SourcePos)>,
    /// False when a legacy `crs` says the coordinates are not longitude/latitude.
    check_range: bool,
}

/// What a nesting level of `coordinates` holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// MultiPoint: positions.
    Points,
    /// LineString / MultiLineString: lines of 2+ positions.
    Line,
    /// Polygon / MultiPolygon: closed rings of 4+ positions.
    Ring,
}

/// "a string", "an array", ... for messages.
fn a(node: &Node) -> &'static str {
    match node.type_name() {
        "null" => "null",
        "boolean" => "a boolean",
        "number" => "a number",
        "string" => "a string",
        "array" => "an array",
        _ => "an object",
    }
}

impl<'a> Validator<'a> {
    fn room(&mut self, sev: Sev, code: &'static str, pos: SourcePos) -> bool {
        let cap = match sev {
            Sev::Error => MAX_ERRORS_PER_KIND,
            Sev::Warning => MAX_WARNINGS_PER_KIND,
        };
        let n = self.counts.entry((sev == Sev::Error, code)).or_insert(0);
        *n += 1;
        if *n == cap + 1 {
            self.suppressed.push((sev, code, pos));
        }
        *n <= cap
    }

    fn push(&mut self, sev: Sev, pos: SourcePos, code: &'static str, message: String) {
        if !self.room(sev, code, pos) {
            return;
        }
        let issue = Issue {
            line: pos.line,
            column: pos.column,
            message,
            code,
        };
        match sev {
            Sev::Error => self.errors.push(issue),
            Sev::Warning => self.warnings.push(issue),
        }
    }

    fn error(&mut self, pos: SourcePos, code: &'static str, message: impl Into<String>) {
        self.push(Sev::Error, pos, code, message.into());
    }

    fn warn(&mut self, pos: SourcePos, code: &'static str, message: impl Into<String>) {
        self.push(Sev::Warning, pos, code, message.into());
    }

    fn finish(mut self, file: &str) -> Report {
        for (sev, code, pos) in std::mem::take(&mut self.suppressed) {
            let cap = match sev {
                Sev::Error => MAX_ERRORS_PER_KIND,
                Sev::Warning => MAX_WARNINGS_PER_KIND,
            };
            let total = self
                .counts
                .get(&(sev == Sev::Error, code))
                .copied()
                .unwrap_or(0);
            let what = if sev == Sev::Error {
                "errors"
            } else {
                "warnings"
            };
            let issue = Issue {
                line: pos.line,
                column: pos.column,
                message: format!(
                    "{} more {what} of kind `{code}` from here on are not shown ({total} in all)",
                    total - cap
                ),
                code: "truncated",
            };
            match sev {
                Sev::Error => self.errors.push(issue),
                Sev::Warning => self.warnings.push(issue),
            }
        }
        let key = |i: &Issue| (i.line, i.column);
        self.errors.sort_by_key(key);
        self.warnings.sort_by_key(key);
        Report {
            file: file.to_string(),
            errors: self.errors,
            warnings: self.warnings,
        }
    }

    /// Warn about repeated keys in every object of the document (iterative walk).
    fn duplicates(&mut self, root: &Node) {
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            match &n.kind {
                json::Kind::Object(members) => {
                    for (key, at) in n.duplicate_keys() {
                        self.warn(
                            n.pos,
                            "duplicate-member",
                            format!(
                                "this object has the member \"{key}\" more than once (again at line {}, column {}); readers disagree on which value counts (hetao uses the last)",
                                at.line, at.column
                            ),
                        );
                    }
                    stack.extend(members.iter().rev().map(|m| &m.value));
                }
                json::Kind::Array(items) => stack.extend(items.iter().rev()),
                _ => {}
            }
        }
    }

    fn root(&mut self, root: &Node) {
        if root.as_object().is_none() {
            let hint = if root.as_array().is_some() {
                " (a list of features must be wrapped in {\"type\": \"FeatureCollection\", \"features\": [...]})"
            } else {
                ""
            };
            self.error(
                root.pos,
                "root-not-object",
                format!(
                    "the root of a GeoJSON file must be an object, but is {}{hint}",
                    a(root)
                ),
            );
            return;
        }
        // A legacy crs naming a projected system means coordinates are not lon/lat.
        if let Some(name) = root
            .get("crs")
            .and_then(|c| c.get("properties"))
            .and_then(|p| p.get("name"))
            .and_then(Node::as_str)
        {
            let code = crate::core::crs::normalize_crs_name(name);
            if code != "OGC:CRS84" && code != "EPSG:4326" {
                self.check_range = false;
            }
        }
        self.object(root, false);
    }

    /// The `type` of a GeoJSON object, with errors when it is missing or not a string.
    fn type_of<'n>(&mut self, obj: &'n Node) -> Option<&'n str> {
        match obj.get("type") {
            None => {
                self.error(
                    obj.pos,
                    "type-missing",
                    "\"type\" member required: every GeoJSON object needs one (e.g. \"Feature\")",
                );
                None
            }
            Some(t) => match t.as_str() {
                Some(s) => Some(s),
                None => {
                    self.error(
                        obj.pos,
                        "type-not-string",
                        format!("\"type\" member should be a string, but is {}", a(t)),
                    );
                    None
                }
            },
        }
    }

    /// Report an unknown type (with a case hint); true if the type is known.
    fn known_type(&mut self, obj: &Node, ty: &str) -> bool {
        if OBJECT_TYPES.contains(&ty) {
            return true;
        }
        if let Some(right) = OBJECT_TYPES.iter().find(|t| t.eq_ignore_ascii_case(ty)) {
            self.error(
                obj.pos,
                "type-case",
                format!("expected type {right} but got {ty} (type names are case-sensitive)"),
            );
        } else {
            self.error(
                obj.pos,
                "type-unknown",
                format!(
                    "the type {ty} is unknown: it must be one of {}",
                    OBJECT_TYPES.join(", ")
                ),
            );
        }
        false
    }

    /// Any GeoJSON object; `geometry_only` when only geometry types are allowed here.
    fn object(&mut self, obj: &Node, geometry_only: bool) {
        let Some(ty) = self.type_of(obj) else { return };
        if !self.known_type(obj, ty) {
            return;
        }
        if geometry_only && !GEOMETRY_TYPES.contains(&ty) {
            self.error(
                obj.pos,
                "geometry-type",
                format!(
                    "a geometry must be one of {}, not a {ty}",
                    GEOMETRY_TYPES.join(", ")
                ),
            );
            return;
        }
        match ty {
            "FeatureCollection" => self.feature_collection(obj),
            "Feature" => self.feature(obj),
            "GeometryCollection" => self.geometry_collection(obj),
            _ => self.geometry(obj, ty),
        }
    }

    fn common(&mut self, obj: &Node, what: &str, forbidden: &[&str]) {
        self.crs(obj);
        self.bbox(obj);
        for f in forbidden {
            if obj.get(f).is_some() {
                self.error(
                    obj.pos,
                    "forbidden-member",
                    format!(
                        "{what} object cannot contain a \"{f}\" member (it would change GeoJSON semantics, RFC 7946 §7.1)"
                    ),
                );
            }
        }
    }

    /// The array member `member` of `obj` (a `container`) and its items, or `None` after
    /// reporting that it is missing or not an array.
    fn required_array<'n>(
        &mut self,
        obj: &'n Node,
        member: &str,
        container: &str,
    ) -> Option<(&'n Node, &'n [Node])> {
        let Some(value) = obj.get(member) else {
            self.error(
                obj.pos,
                "member-missing",
                format!("\"{member}\" member required in a {container}"),
            );
            return None;
        };
        let list = value.as_array().map(|l| (value, l));
        if list.is_none() {
            self.error(
                obj.pos,
                "member-type",
                format!(
                    "\"{member}\" member should be an array, but is {}",
                    a(value)
                ),
            );
        }
        list
    }

    fn feature_collection(&mut self, fc: &Node) {
        self.common(
            fc,
            "FeatureCollection",
            &["coordinates", "geometries", "geometry", "properties"],
        );
        let Some((_, list)) = self.required_array(fc, "features", "FeatureCollection") else {
            return;
        };
        for (i, f) in list.iter().enumerate() {
            if f.as_object().is_none() {
                self.error(
                    f.pos,
                    "feature-not-object",
                    format!(
                        "every feature must be an object, but features[{i}] is {}",
                        a(f)
                    ),
                );
                continue;
            }
            match f.get("type").map(|t| t.as_str()) {
                Some(Some("Feature")) => {}
                Some(Some(other)) => self.error(
                    f.pos,
                    "feature-type",
                    format!("features[{i}] must be a Feature (type=Feature), but its type is \"{other}\""),
                ),
                Some(None) => self.error(
                    f.pos,
                    "feature-type",
                    format!("features[{i}] must be a Feature: its \"type\" should be the string \"Feature\""),
                ),
                None => self.error(
                    f.pos,
                    "feature-type",
                    format!("features[{i}] has no \"type\": every feature must have \"type\": \"Feature\""),
                ),
            }
            self.feature(f);
        }
    }

    fn feature(&mut self, f: &Node) {
        self.common(f, "Feature", &["coordinates", "features", "geometries"]);
        if let Some(id) = f.get("id")
            && id.as_str().is_none()
            && id.as_f64().is_none()
        {
            {
                self.error(
                    f.pos,
                    "id-type",
                    format!(
                        "Feature \"id\" member must be a string or a number, but is {}",
                        a(id)
                    ),
                );
            }
        }
        match f.get("properties") {
            None => self.error(
                f.pos,
                "member-missing",
                "\"properties\" member required in a Feature (use \"properties\": null or {} when there are none)",
            ),
            Some(p) if p.as_object().is_none() && !p.is_null() => self.error(
                f.pos,
                "member-type",
                format!("\"properties\" member should be an object or null, but is {}", a(p)),
            ),
            _ => {}
        }
        // JSON-FG (OGC Features and Geometries JSON) keeps a feature's own-CRS or 3-D shape in
        // "place" and only a WGS 84 shape (or null) in "geometry": say which one is drawn.
        if let Some(place) = f.get("place")
            && place.as_object().is_some()
        {
            let drawn = match f.get("geometry") {
                Some(g) if !g.is_null() => "only its \"geometry\" (WGS 84) is read",
                _ => "its \"geometry\" is null, so the feature has no location here",
            };
            self.warn(
                place.pos,
                "json-fg-place",
                format!("this JSON-FG feature keeps its shape in \"place\", which GeoJSON readers ignore: {drawn}"),
            );
        }
        match f.get("geometry") {
            None => self.error(
                f.pos,
                "member-missing",
                "\"geometry\" member required in a Feature (use \"geometry\": null for a feature without one)",
            ),
            Some(g) if g.is_null() => {}
            Some(g) if g.as_object().is_some() => self.object(g, true),
            Some(g) => self.error(
                f.pos,
                "member-type",
                format!("\"geometry\" member should be an object or null, but is {}", a(g)),
            ),
        }
    }

    fn geometry_collection(&mut self, gc: &Node) {
        self.common(gc, "geometry", &["geometry", "properties", "features"]);
        let Some((geoms, list)) = self.required_array(gc, "geometries", "GeometryCollection")
        else {
            return;
        };
        if list.len() == 1 {
            self.warn(
                geoms.pos,
                "geometrycollection-single",
                "GeometryCollection with a single geometry should be avoided in favour of that geometry (or a Multi* type)",
            );
        }
        for (i, g) in list.iter().enumerate() {
            if g.as_object().is_none() {
                self.error(
                    gc.pos,
                    "geometry-not-object",
                    format!(
                        "the geometries array of a GeometryCollection must contain only geometry objects, but geometries[{i}] is {}",
                        a(g)
                    ),
                );
                continue;
            }
            if g.get("type").and_then(Node::as_str) == Some("GeometryCollection") {
                self.warn(
                    geoms.pos,
                    "geometrycollection-nested",
                    "GeometryCollection should avoid nested geometry collections (RFC 7946 §3.1.8)",
                );
            }
            self.object(g, true);
        }
    }

    fn geometry(&mut self, g: &Node, ty: &str) {
        self.common(g, "geometry", &["geometry", "properties", "features"]);
        let Some(coords) = g.get("coordinates") else {
            self.error(
                g.pos,
                "member-missing",
                format!("\"coordinates\" member required in a {ty}"),
            );
            return;
        };
        if coords.as_array().is_none() {
            self.error(
                g.pos,
                "member-type",
                format!(
                    "\"coordinates\" member should be an array, but is {}",
                    a(coords)
                ),
            );
            return;
        }
        if let Some(expected) = coordinates_depth(ty) {
            // Follow the first elements down to a number: too deep a nesting is named as
            // such, rather than as the too-short positions it would otherwise look like.
            let mut depth = 0;
            let mut node = coords;
            while let Some(first) = node.as_array().and_then(|a| a.first()) {
                depth += 1;
                node = first;
            }
            if depth > expected && node.as_f64().is_some() {
                let like = match depth {
                    2 => " (these look like a LineString's or a MultiPoint's)",
                    3 => " (these look like a Polygon's or a MultiLineString's)",
                    4 => " (these look like a MultiPolygon's)",
                    _ => "",
                };
                // Coded as geojsonhint does ("each element in a position must be a
                // number"): the elements of this geometry's positions are arrays.
                self.error(
                    coords.pos,
                    "position-not-number",
                    format!("each element in a position must be a number, but the coordinates of this {ty} are nested {depth} arrays deep, where a {ty} takes {expected}{like}"),
                );
                return;
            }
        }
        match ty {
            "Point" => {
                self.position(coords, coords.pos);
            }
            "MultiPoint" => {
                self.positions(coords, Shape::Points, coords.pos);
            }
            "LineString" => {
                self.positions(coords, Shape::Line, coords.pos);
            }
            "MultiLineString" => {
                for l in self.nested(coords) {
                    self.positions(l, Shape::Line, l.pos);
                }
            }
            "Polygon" => {
                let rings = self.polygon(coords);
                let polys = [rings];
                self.winding(g, &polys, false);
                self.holes(g, &polys, false);
            }
            "MultiPolygon" => {
                let mut polys = Vec::new();
                for p in self.nested(coords) {
                    polys.push(self.polygon(p));
                }
                self.winding(g, &polys, true);
                self.holes(g, &polys, true);
            }
            _ => {}
        }
    }

    /// The array elements of a nesting level; each non-array element is an error reported
    /// at the containing array (as geojsonhint does).
    fn nested<'n>(&mut self, arr: &'n Node) -> Vec<&'n Node> {
        let Some(items) = arr.as_array() else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            if it.as_array().is_some() {
                out.push(it);
            } else {
                self.error(
                    arr.pos,
                    "coordinates-nesting",
                    format!(
                        "found {} (element {i}) where a coordinate array was expected: the coordinates need one more level of nesting",
                        a(it)
                    ),
                );
            }
        }
        out
    }

    /// The rings of one polygon (None for a ring that was not checkable).
    fn polygon(&mut self, p: &Node) -> Vec<Option<Vec<[f64; 2]>>> {
        let mut rings = Vec::new();
        for r in self.nested(p) {
            rings.push(self.positions(r, Shape::Ring, r.pos));
        }
        rings
    }

    /// An array of positions (a MultiPoint, a line or a ring). Returns the 2D points when
    /// every position is valid.
    fn positions(&mut self, arr: &Node, shape: Shape, at: SourcePos) -> Option<Vec<[f64; 2]>> {
        let items = arr.as_array()?;
        match shape {
            Shape::Ring => {
                if items.iter().any(|p| p.as_array().is_none()) {
                    let n = items
                        .iter()
                        .find(|p| p.as_array().is_none())
                        .map_or("a number", a);
                    self.error(
                        at,
                        "coordinates-nesting",
                        format!(
                            "found {n} where a position was expected: a LinearRing is an array of positions, so the coordinates need one more level of nesting"
                        ),
                    );
                    return None;
                }
                if items.len() < 4 {
                    self.error(
                        at,
                        "ring-too-short",
                        format!(
                            "a LinearRing of coordinates needs four or more positions, but has {}",
                            items.len()
                        ),
                    );
                }
                if let (Some(first), Some(last)) = (items.first(), items.last())
                    && !same_position(first, last)
                {
                    {
                        self.error(
                            at,
                            "ring-not-closed",
                            "the first and last positions of a LinearRing must be the same (the ring is not closed)",
                        );
                    }
                }
            }
            Shape::Line => {
                if items.len() < 2 {
                    self.error(
                        at,
                        "line-too-short",
                        format!(
                            "a line needs two or more positions to be valid, but has {}",
                            items.len()
                        ),
                    );
                    return None;
                }
            }
            Shape::Points => {}
        }
        let mut pts = Vec::with_capacity(items.len());
        let mut ok = true;
        for p in items {
            match self.position(p, at) {
                Some(xy) => pts.push(xy),
                None => ok = false,
            }
        }
        if ok && shape == Shape::Ring && items.len() >= 4 {
            self.self_intersection(&pts, at);
        }
        if ok && shape == Shape::Line && items.windows(2).all(|w| same_position(&w[0], &w[1])) {
            self.warn(
                at,
                "line-zero-length",
                format!(
                    "this line has zero length: all its {} positions are the same point",
                    pts.len()
                ),
            );
        } else if ok
            && shape != Shape::Points
            && let Some(k) = items.windows(2).position(|w| same_position(&w[0], &w[1]))
        {
            self.warn(
                items.get(k + 1).map_or(at, |p| p.pos),
                "duplicate-position",
                format!(
                    "position {} repeats the one before it ({}, {}); repeated vertices add nothing and trouble some software",
                    k + 1,
                    pts[k][0],
                    pts[k][1]
                ),
            );
        }
        ok.then_some(pts)
    }

    /// One position; `at` is where to report it when it is not even an array.
    fn position(&mut self, p: &Node, at: SourcePos) -> Option<[f64; 2]> {
        let Some(nums) = p.as_array() else {
            self.error(
                at,
                "coordinates-nesting",
                format!(
                    "a position should be an array of numbers, but found {}",
                    a(p)
                ),
            );
            return None;
        };
        if nums.len() < 2 {
            self.error(
                p.pos,
                "position-too-short",
                format!(
                    "a position must have 2 or more elements (longitude, latitude), but has {}",
                    nums.len()
                ),
            );
            return None;
        }
        if let Some(bad) = nums.iter().find(|n| n.as_f64().is_none()) {
            let shown = match bad.as_str() {
                Some(s) => format!("a string (\"{}\")", s.chars().take(40).collect::<String>()),
                None => a(bad).to_string(),
            };
            self.error(
                p.pos,
                "position-not-number",
                format!("each element in a position must be a number, but found {shown}"),
            );
            return None;
        }
        if nums.len() > 3 && self.room(Sev::Warning, "position-too-long", p.pos) {
            self.warnings.push(Issue {
                line: p.pos.line,
                column: p.pos.column,
                code: "position-too-long",
                message: format!(
                    "a position should not have more than 3 elements (longitude, latitude, altitude), but has {}",
                    nums.len()
                ),
            });
        }
        let x = nums[0].as_f64().unwrap_or(0.0);
        let y = nums[1].as_f64().unwrap_or(0.0);
        if self.check_range {
            if !(-180.0..=180.0).contains(&x) && self.room(Sev::Warning, "longitude-range", p.pos) {
                self.warnings.push(Issue {
                    line: p.pos.line,
                    column: p.pos.column,
                    code: "longitude-range",
                    message: format!(
                        "longitude {x} is outside [-180, 180] (are the coordinates projected, or swapped?)"
                    ),
                });
            }
            if !(-90.0..=90.0).contains(&y) && self.room(Sev::Warning, "latitude-range", p.pos) {
                self.warnings.push(Issue {
                    line: p.pos.line,
                    column: p.pos.column,
                    code: "latitude-range",
                    message: format!(
                        "latitude {y} is outside [-90, 90] (are the coordinates projected, or in latitude, longitude order?)"
                    ),
                });
            }
        }
        for n in nums {
            if let Some(num) = n.as_number() {
                let d = decimals_bytes(self.src.get(num.start..num.end).unwrap_or_default());
                if d > MAX_DECIMALS && self.room(Sev::Warning, "precision", p.pos) {
                    self.warnings.push(Issue {
                        line: p.pos.line,
                        column: p.pos.column,
                        code: "precision",
                        message: format!(
                            "precision of coordinates should be reduced: {} has {d} decimal places; {MAX_DECIMALS} (about 1 cm) is plenty",
                            num.raw(self.src)
                        ),
                    });
                    break;
                }
            }
        }
        Some([x, y])
    }

    /// Right-hand rule (RFC 7946 §3.1.6): exterior rings counter-clockwise, holes clockwise.
    fn winding(&mut self, g: &Node, polys: &[Vec<Option<Vec<[f64; 2]>>>], multi: bool) {
        for (pi, rings) in polys.iter().enumerate() {
            for (ri, ring) in rings.iter().enumerate() {
                let Some(ring) = ring else { continue };
                let area = signed_area(ring);
                let which = if multi {
                    format!("polygon {pi}, ")
                } else {
                    String::new()
                };
                if area == 0.0 {
                    if ring.len() >= 4 {
                        self.warn(
                            g.pos,
                            "ring-zero-area",
                            format!("{which}ring {ri} has zero area (all its positions are on one line, or it crosses itself symmetrically)"),
                        );
                    }
                    continue;
                }
                let (bad, should) = if ri == 0 {
                    (area < 0.0, "the exterior ring should be counter-clockwise")
                } else {
                    (area > 0.0, "holes should be clockwise")
                };
                if bad {
                    self.warn(
                        g.pos,
                        "winding",
                        format!(
                            "Polygons and MultiPolygons should follow the right-hand rule: {which}ring {ri} is {}, but {should} (RFC 7946 §3.1.6)",
                            if area < 0.0 { "clockwise" } else { "counter-clockwise" }
                        ),
                    );
                }
            }
        }
    }

    /// Holes must lie inside their polygon's exterior ring and cross neither it nor each
    /// other (OGC Simple Features, which RFC 7946 polygons follow): a ring that crosses
    /// another, or a hole outside the exterior, is reported (touching at a point is allowed).
    fn holes(&mut self, g: &Node, polys: &[Vec<Option<Vec<[f64; 2]>>>], multi: bool) {
        let mut budget = SELF_INTERSECTION_BUDGET;
        for (pi, rings) in polys.iter().enumerate() {
            let which = if multi {
                format!("polygon {pi}, ")
            } else {
                String::new()
            };
            let Some(Some(shell)) = rings.first() else {
                continue;
            };
            for (ri, hole) in rings.iter().enumerate().skip(1) {
                let Some(hole) = hole else { continue };
                for (rj, other) in rings.iter().enumerate().take(ri) {
                    let Some(other) = other else { continue };
                    match rings_cross(hole, other, &mut budget) {
                        Crossing::None => {}
                        Crossing::GaveUp => return,
                        Crossing::At(p) => {
                            let what = if rj == 0 {
                                "the exterior ring".to_string()
                            } else {
                                format!("ring {rj}")
                            };
                            self.warn(
                                g.pos,
                                "ring-crossing",
                                format!("{which}ring {ri} (a hole) crosses {what} near ({}, {}); holes must lie inside the exterior ring without crossing it or each other", p[0], p[1]),
                            );
                            return;
                        }
                    }
                }
                // No crossing: a hole is inside when any vertex not on the shell is inside.
                if let Some(v) = hole.iter().find(|v| !on_ring(shell, **v))
                    && !point_in_ring(shell, *v)
                {
                    self.warn(
                        g.pos,
                        "hole-outside",
                        format!("{which}ring {ri} (a hole) lies outside the exterior ring; a hole must be inside it"),
                    );
                    return;
                }
            }
        }
    }

    fn bbox(&mut self, obj: &Node) {
        let Some(b) = obj.get("bbox") else { return };
        if b.is_null() {
            return;
        }
        let Some(items) = b.as_array() else {
            self.error(
                obj.pos,
                "bbox",
                format!("bbox member must be an array of numbers, but is {}", a(b)),
            );
            return;
        };
        let nums: Vec<f64> = items.iter().filter_map(Node::as_f64).collect();
        if nums.len() != items.len() {
            self.error(
                b.pos,
                "bbox",
                "each element in a bbox member must be a number",
            );
        }
        if items.len() != 4 && items.len() != 6 {
            self.error(
                b.pos,
                "bbox",
                format!(
                    "bbox must contain 4 elements (for 2D) or 6 elements (for 3D), but has {}",
                    items.len()
                ),
            );
            return;
        }
        if nums.len() != items.len() {
            return;
        }
        let half = nums.len() / 2;
        let (south, north) = (nums[1], nums[1 + half]);
        if south > north {
            self.error(
                b.pos,
                "bbox",
                format!("bbox south edge {south} is north of its north edge {north} (order is west, south, east, north)"),
            );
        }
        if self.check_range
            && (!(-90.0..=90.0).contains(&south) || !(-90.0..=90.0).contains(&north))
        {
            self.warn(
                b.pos,
                "latitude-range",
                "bbox latitudes should be within [-90, 90]",
            );
        }
        if half == 3 && nums[2] > nums[5] {
            self.error(
                b.pos,
                "bbox",
                "bbox minimum altitude is above its maximum altitude",
            );
        }
    }

    /// Legacy `crs` member (GeoJSON 2008; removed by RFC 7946).
    fn crs(&mut self, obj: &Node) {
        let Some(c) = obj.get("crs") else { return };
        if c.is_null() {
            return;
        }
        if c.as_object().is_none() {
            self.error(
                obj.pos,
                "crs",
                format!(
                    "the value of the crs member must be an object, not {}",
                    a(c)
                ),
            );
            return;
        }
        let ty = c.get("type").and_then(Node::as_str);
        let props = c.get("properties");
        let (key, what) = match ty {
            Some("name") => ("name", "a named crs"),
            Some("link") => ("href", "a linked crs"),
            Some(other) => {
                self.error(
                    c.pos,
                    "crs",
                    format!(
                        "the type of a crs must be either \"name\" or \"link\", not \"{other}\""
                    ),
                );
                return;
            }
            None => {
                self.error(
                    c.pos,
                    "crs",
                    "a crs object needs a \"type\" string (\"name\" or \"link\")",
                );
                return;
            }
        };
        let Some(value) = props.and_then(|p| p.get(key)).and_then(Node::as_str) else {
            self.error(
                c.pos,
                "crs",
                format!("{what} needs a \"properties\" object with a \"{key}\" string"),
            );
            return;
        };
        let code = crate::core::crs::normalize_crs_name(value);
        if key == "name" && (code == "OGC:CRS84" || code == "EPSG:4326") {
            self.warn(
                obj.pos,
                "crs-legacy",
                format!("old-style crs member is not recommended (RFC 7946 removed it); \"{value}\" is the default WGS 84 longitude/latitude, so the member should be removed"),
            );
        } else if let Err(e) = crate::core::crs::ensure_known(&code) {
            // The loader cannot place the file either: an error, with the loader's words.
            self.error(
                c.pos,
                "crs-unknown",
                format!("legacy \"crs\": {e}; the coordinates cannot be placed (reproject the file to WGS 84, or fix the code)"),
            );
        } else {
            self.warn(
                obj.pos,
                "crs-legacy",
                format!("old-style crs member is not recommended (RFC 7946 removed it): hetao reprojects \"{value}\" to WGS 84, but other software may ignore it"),
            );
        }
    }

    /// Warn when a closed ring crosses or touches itself.
    fn self_intersection(&mut self, ring: &[[f64; 2]], at: SourcePos) {
        match find_self_intersection(ring, SELF_INTERSECTION_BUDGET) {
            Crossing::None => {}
            Crossing::At(p) => self.warn(
                at,
                "self-intersection",
                format!(
                    "this ring intersects itself near ({}, {}); a LinearRing must be simple (polygons like a bow-tie are invalid in most GIS software)",
                    p[0], p[1]
                ),
            ),
            Crossing::GaveUp => self.warn(
                at,
                "self-intersection-skipped",
                format!(
                    "self-intersection check stopped early for this ring of {} positions (too many overlapping segments)",
                    ring.len()
                ),
            ),
        }
    }
}

/// Whether two position arrays are equal (same length, same numbers).
fn same_position(a: &Node, b: &Node) -> bool {
    match (a.as_array(), b.as_array()) {
        (Some(x), Some(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| match (p.as_f64(), q.as_f64()) {
                        (Some(u), Some(v)) => u == v,
                        _ => p.as_str().is_some() && p.as_str() == q.as_str(),
                    })
        }
        _ => false,
    }
}

/// Decimal places of a JSON number text as written, ignoring trailing zeros and counting
/// the exponent (`1.50` → 1, `1e-7` → 7, `1.234e2` → 1).
pub fn decimals(raw: &str) -> usize {
    decimals_bytes(raw.as_bytes())
}

fn decimals_bytes(raw: &[u8]) -> usize {
    let mut i = 0;
    let n = raw.len();
    // Skip the integer part.
    while i < n && raw[i] != b'.' && raw[i] != b'e' && raw[i] != b'E' {
        i += 1;
    }
    let mut frac: i64 = 0;
    if i < n && raw[i] == b'.' {
        i += 1;
        let mut len = 0i64;
        while i < n && raw[i].is_ascii_digit() {
            len += 1;
            if raw[i] != b'0' {
                frac = len;
            }
            i += 1;
        }
    }
    let mut exp: i64 = 0;
    if i < n && (raw[i] == b'e' || raw[i] == b'E') {
        i += 1;
        let neg = i < n && raw[i] == b'-';
        if i < n && (raw[i] == b'-' || raw[i] == b'+') {
            i += 1;
        }
        while i < n && raw[i].is_ascii_digit() {
            exp = (exp * 10 + i64::from(raw[i] - b'0')).min(100_000);
            i += 1;
        }
        if neg {
            exp = -exp;
        }
    }
    (frac - exp).max(0) as usize
}

/// Planar signed area (shoelace, in square degrees): positive when counter-clockwise.
pub fn signed_area(ring: &[[f64; 2]]) -> f64 {
    let Some(&[x0, y0]) = ring.first() else {
        return 0.0;
    };
    let mut s = 0.0;
    for w in ring.windows(2) {
        let (ax, ay) = (w[0][0] - x0, w[0][1] - y0);
        let (bx, by) = (w[1][0] - x0, w[1][1] - y0);
        s += ax * by - bx * ay;
    }
    s / 2.0
}

/// Outcome of the self-intersection sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossing {
    /// The ring is simple.
    None,
    /// Two non-adjacent edges meet (or adjacent edges fold back) near this point.
    At([f64; 2]),
    /// The candidate budget ran out before the check finished.
    GaveUp,
}

fn orient(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

fn on_segment(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> bool {
    p[0] >= a[0].min(b[0])
        && p[0] <= a[0].max(b[0])
        && p[1] >= a[1].min(b[1])
        && p[1] <= a[1].max(b[1])
}

/// Where segments a-b and c-d meet, if they do.
fn segments_meet(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> Option<[f64; 2]> {
    let d1 = orient(c, d, a);
    let d2 = orient(c, d, b);
    let d3 = orient(a, b, c);
    let d4 = orient(a, b, d);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        let t = d1 / (d1 - d2);
        return Some([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
    }
    if d1 == 0.0 && on_segment(c, d, a) {
        return Some(a);
    }
    if d2 == 0.0 && on_segment(c, d, b) {
        return Some(b);
    }
    if d3 == 0.0 && on_segment(a, b, c) {
        return Some(c);
    }
    if d4 == 0.0 && on_segment(a, b, d) {
        return Some(d);
    }
    None
}

/// How many arrays deep the coordinates of a geometry type are (a Point's position is 1).
fn coordinates_depth(ty: &str) -> Option<usize> {
    match ty {
        "Point" => Some(1),
        "MultiPoint" | "LineString" => Some(2),
        "MultiLineString" | "Polygon" => Some(3),
        "MultiPolygon" => Some(4),
        _ => None,
    }
}

/// Where two rings properly cross (an edge of one passes through an edge of the other, not
/// merely touching at a vertex), examining at most `budget` edge pairs (spent from it).
fn rings_cross(a: &[[f64; 2]], b: &[[f64; 2]], budget: &mut u64) -> Crossing {
    for ea in a.windows(2) {
        let (p, q) = (ea[0], ea[1]);
        let (x0, x1) = (p[0].min(q[0]), p[0].max(q[0]));
        let (y0, y1) = (p[1].min(q[1]), p[1].max(q[1]));
        for eb in b.windows(2) {
            let (r, t) = (eb[0], eb[1]);
            if *budget == 0 {
                return Crossing::GaveUp;
            }
            *budget -= 1;
            if r[0].max(t[0]) < x0
                || r[0].min(t[0]) > x1
                || r[1].max(t[1]) < y0
                || r[1].min(t[1]) > y1
            {
                continue;
            }
            let d1 = orient(r, t, p);
            let d2 = orient(r, t, q);
            let d3 = orient(p, q, r);
            let d4 = orient(p, q, t);
            if d1 * d2 < 0.0 && d3 * d4 < 0.0 {
                let k = d1 / (d1 - d2);
                return Crossing::At([p[0] + k * (q[0] - p[0]), p[1] + k * (q[1] - p[1])]);
            }
        }
    }
    Crossing::None
}

/// Whether `p` lies on an edge of `ring`.
fn on_ring(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    ring.windows(2)
        .any(|e| orient(e[0], e[1], p) == 0.0 && on_segment(e[0], e[1], p))
}

/// Whether `p` is inside `ring` (even-odd rule).
fn point_in_ring(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    for e in ring.windows(2) {
        let (a, b) = (e[0], e[1]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// Find a self-intersection of a closed ring (first position = last) with a sweep over
/// edges sorted by their west end; pairs are pre-filtered by x and y extent. Consecutive
/// duplicate positions are ignored. Examines at most `budget` candidate pairs.
pub fn find_self_intersection(ring: &[[f64; 2]], budget: u64) -> Crossing {
    let mut pts: Vec<[f64; 2]> = Vec::with_capacity(ring.len());
    for &p in ring {
        if pts.last() != Some(&p) {
            pts.push(p);
        }
    }
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    let n = pts.len();
    if n < 3 {
        return Crossing::None;
    }
    // Edge k goes from pts[k] to pts[(k+1) % n].
    let edge = |k: usize| (pts[k], pts[(k + 1) % n]);
    let mut order: Vec<usize> = (0..n).collect();
    let minx = |k: usize| {
        let (a, b) = edge(k);
        a[0].min(b[0])
    };
    order.sort_by(|&i, &j| minx(i).total_cmp(&minx(j)));
    let mut spent = 0u64;
    for (oi, &i) in order.iter().enumerate() {
        let (a, b) = edge(i);
        let maxx = a[0].max(b[0]);
        let (ylo, yhi) = (a[1].min(b[1]), a[1].max(b[1]));
        for &j in &order[oi + 1..] {
            let (c, d) = edge(j);
            if c[0].min(d[0]) > maxx {
                break;
            }
            spent += 1;
            if spent > budget {
                return Crossing::GaveUp;
            }
            if c[1].max(d[1]) < ylo || c[1].min(d[1]) > yhi {
                continue;
            }
            let adjacent = (i + 1) % n == j || (j + 1) % n == i;
            if adjacent {
                // Shared vertex: an issue only if the edges fold back on each other.
                let (p, q, r) = if (i + 1) % n == j {
                    (a, b, d)
                } else {
                    (c, d, b)
                };
                if orient(p, q, r) == 0.0 {
                    let dot = (q[0] - p[0]) * (r[0] - q[0]) + (q[1] - p[1]) * (r[1] - q[1]);
                    if dot < 0.0 {
                        return Crossing::At(q);
                    }
                }
                continue;
            }
            if let Some(p) = segments_meet(a, b, c, d) {
                return Crossing::At(p);
            }
        }
    }
    Crossing::None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decimals_of_texts() {
        assert_eq!(decimals("1"), 0);
        assert_eq!(decimals("1.50"), 1);
        assert_eq!(decimals("114.1234567"), 7);
        assert_eq!(decimals("1e-7"), 7);
        assert_eq!(decimals("1.234e2"), 1);
        assert_eq!(decimals("-0.00000001"), 8);
    }

    #[test]
    fn self_intersection_cases() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]];
        assert_eq!(find_self_intersection(&square, 1000), Crossing::None);
        let bowtie = [[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]];
        assert_eq!(
            find_self_intersection(&bowtie, 1000),
            Crossing::At([0.5, 0.5])
        );
        // A spike that folds back on itself.
        let spike = [
            [0.0, 0.0],
            [2.0, 0.0],
            [3.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [0.0, 0.0],
        ];
        assert!(matches!(
            find_self_intersection(&spike, 1000),
            Crossing::At(_)
        ));
        // Touching at a vertex (figure of eight through (1,1)).
        let eight = [
            [0.0, 0.0],
            [1.0, 1.0],
            [2.0, 0.0],
            [2.0, 2.0],
            [1.0, 1.0],
            [0.0, 2.0],
            [0.0, 0.0],
        ];
        assert!(matches!(
            find_self_intersection(&eight, 1000),
            Crossing::At(_)
        ));
        // Brute force agrees on a simple 1000-gon (circle).
        let circle: Vec<[f64; 2]> = (0..=1000)
            .map(|k| {
                let t = (k % 1000) as f64 / 1000.0 * std::f64::consts::TAU;
                [t.cos(), t.sin()]
            })
            .collect();
        assert_eq!(find_self_intersection(&circle, u64::MAX), Crossing::None);
    }

    #[test]
    fn signed_area_sign() {
        let ccw = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]];
        assert_eq!(signed_area(&ccw), 1.0);
        let cw: Vec<_> = ccw.iter().rev().copied().collect();
        assert_eq!(signed_area(&cw), -1.0);
    }
}
