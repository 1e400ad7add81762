//! The fast GeoJSON byte scanner.
//!
//! A hand-written recursive-descent parser over `&[u8]`: coordinates go straight into
//! `Vec<Coord>` (numbers through `fast-float2`), properties become a compact
//! [`Properties`] (keys interned per parser), only nested property values and foreign
//! members become `serde_json::Value`s. The `features` array of a FeatureCollection is split across threads:
//! split points are guessed near equal byte offsets and *verified* (a chunk's result is used
//! only if the chunk before it ended exactly on its start), so a wrong guess costs time, never
//! correctness. Nothing here panics on any input; nesting depth is bounded.

use crate::core::json::lexer::{self, LexError};
use crate::core::model::{
    Feature, FeatureId, GEOMETRY_TYPES, Key, PropValue, Properties, SourcePos,
};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

/// Deepest nesting of JSON objects/arrays (and GeometryCollections) accepted.
pub(crate) const MAX_DEPTH: u32 = 128;
/// A features array shorter than this (bytes left in the buffer) is parsed on one thread.
const PARALLEL_MIN_BYTES: usize = 1 << 20;
/// How often (in features) cancellation and progress are checked.
const CHECK_EVERY: usize = 512;
/// How many distinct property keys one parser interns (later ones are allocated per use).
const MAX_INTERNED: usize = 256;

/// A parse failure: a byte offset and a message, or a cancellation.
#[derive(Debug)]
pub(crate) enum PErr {
    /// Something is wrong at this byte offset.
    At(usize, String),
    /// The caller cancelled.
    Cancelled,
}

type R<T> = Result<T, PErr>;

impl From<LexError> for PErr {
    fn from(e: LexError) -> Self {
        PErr::At(e.at, e.message)
    }
}

/// What one chunk of the features array produced: its features (in blocks), where it
/// ended, and the line count where its parser stopped.
type ChunkResult = R<(Vec<Vec<Feature>>, ChunkEnd, LineState)>;

/// Features are collected in blocks of this many, so that joining the chunks never holds
/// two copies of more than one block.
const BLOCK: usize = 1 << 14;
/// Parsed input is handed back to [`Shared::release`] in steps of at least this many bytes.
const RELEASE_STEP: usize = 4 << 20;
/// The page size assumed for releases (a multiple of the real one is harmless).
const PAGE: usize = 4096;

/// Where a parser's line counting stands: `line` (1-based) starts at byte `line_start`,
/// and newlines are counted up to `counted_to`.
#[derive(Clone, Copy)]
struct LineState {
    line: usize,
    line_start: usize,
    counted_to: usize,
}

fn err<T>(off: usize, msg: impl Into<String>) -> R<T> {
    Err(PErr::At(off, msg.into()))
}

/// 1-based line and column of byte offset `off` (counting `\n`; columns in bytes).
pub(crate) fn line_col(b: &[u8], off: usize) -> SourcePos {
    let off = off.min(b.len());
    let before = &b[..off];
    let line = count_newlines(before) + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    SourcePos {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(off - line_start + 1).unwrap_or(u32::MAX),
    }
}

fn count_newlines(s: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', s).count()
}

/// Shared state of one load: cancellation, progress.
pub(crate) struct Shared<'a> {
    pub cancel: Option<&'a AtomicBool>,
    pub progress: Option<&'a (dyn Fn(f64) + Sync)>,
    pub total: usize,
    pub done: AtomicU64,
    pub reported: AtomicU32,
    pub threads: usize,
    /// How many parallel chunks were verified and used (for tests and diagnostics).
    pub chunks_used: std::sync::atomic::AtomicUsize,
    /// Called with a page-aligned byte range `[from, to)` the parser will not read again
    /// (error messages aside): a mapped file gives those pages back, so the whole file is
    /// never resident at once.
    pub release: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

impl Shared<'_> {
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    fn advance(&self, bytes: usize) {
        let done = self.done.fetch_add(bytes as u64, Ordering::Relaxed) + bytes as u64;
        if let Some(p) = self.progress {
            let frac = (done as f64 / self.total.max(1) as f64).min(1.0);
            let permille = (frac * 1000.0) as u32;
            if self.reported.fetch_max(permille, Ordering::Relaxed) < permille {
                p(frac);
            }
        }
    }
}

/// What the root object was.
pub(crate) struct Root {
    pub features: Vec<Feature>,
    pub bbox: Option<Vec<f64>>,
    pub foreign: Map<String, Value>,
    /// The legacy `crs` member and where its value is.
    pub crs: Option<(Value, SourcePos)>,
}

/// Where a chunk of the features array stopped.
enum ChunkEnd {
    /// Exactly at the start of chunk `j`.
    Landed(usize),
    /// At the closing `]`; the offset just after it.
    End(usize),
}

/// The parser over one buffer.
pub(crate) struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    depth: u32,
    shared: &'a Shared<'a>,
    // coordinate scratch
    coords: Vec<Coord<f64>>,
    ends: [Vec<u32>; 4],
    pos_level: Option<usize>,
    // per-feature z
    fz: Vec<f64>,
    fz_any: bool,
    fpos: usize,
    // incremental line tracking for feature positions
    line: usize,
    line_start: usize,
    counted_to: usize,
    last_report: usize,
    // input before this offset was handed to `Shared::release`
    released: usize,
    // property keys seen so far (shared by the features), and a scratch list of pairs
    keys: Vec<Key>,
    pairs: Vec<(Key, PropValue)>,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(b: &'a [u8], start: usize, shared: &'a Shared<'a>) -> Self {
        let start = start.min(b.len());
        let before = &b[..start];
        Parser {
            b,
            i: start,
            depth: 0,
            shared,
            coords: Vec::new(),
            ends: Default::default(),
            pos_level: None,
            fz: Vec::new(),
            fz_any: false,
            fpos: 0,
            line: count_newlines(before) + 1,
            line_start: memchr::memrchr(b'\n', before).map_or(0, |p| p + 1),
            counted_to: start,
            last_report: start,
            released: start,
            keys: Vec::new(),
            pairs: Vec::new(),
        }
    }

    /// Source position of a byte offset at or after the last one asked for.
    fn pos_at(&mut self, off: usize) -> SourcePos {
        if off >= self.counted_to && off <= self.b.len() {
            let seg = &self.b[self.counted_to..off];
            let n = count_newlines(seg);
            if n > 0 {
                self.line += n;
                self.line_start =
                    memchr::memrchr(b'\n', seg).map_or(0, |p| p + 1) + self.counted_to;
            }
            self.counted_to = off;
            SourcePos {
                line: u32::try_from(self.line).unwrap_or(u32::MAX),
                column: u32::try_from(off - self.line_start + 1).unwrap_or(u32::MAX),
            }
        } else {
            line_col(self.b, off)
        }
    }

    fn report(&mut self) -> R<()> {
        if self.shared.cancelled() {
            return Err(PErr::Cancelled);
        }
        let n = self.i.saturating_sub(self.last_report);
        self.last_report = self.i;
        self.shared.advance(n);
        if let Some(release) = self.shared.release {
            let from = self.released.div_ceil(PAGE) * PAGE;
            let to = self.i / PAGE * PAGE;
            if to >= from + RELEASE_STEP {
                release(from, to);
                self.released = to;
            }
        }
        Ok(())
    }

    fn line_state(&self) -> LineState {
        LineState {
            line: self.line,
            line_start: self.line_start,
            counted_to: self.counted_to,
        }
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if c == b' ' || c == b'\n' || c == b'\r' || c == b'\t' {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn what(&self) -> String {
        match self.peek() {
            None => "the end of the input".into(),
            Some(c) if c.is_ascii_graphic() => format!("'{}'", c as char),
            Some(c) => format!("byte 0x{c:02x}"),
        }
    }

    /// The `:` after an object key.
    fn colon(&mut self) -> R<()> {
        self.ws();
        if self.peek() == Some(b':') {
            self.i += 1;
            Ok(())
        } else {
            Err(lexer::unexpected(self.b, self.i, "':' after the object key").into())
        }
    }

    /// The error where a value of some kind (`what`) was wanted: the lexer's when what is
    /// there cannot start a JSON value at all (a syntax error), else `what`.
    fn wanted(&self, what: impl Into<String>) -> PErr {
        let starts_value = matches!(self.peek(), Some(b'{' | b'[' | b'"' | b'-' | b'0'..=b'9'))
            || lexer::literal(self.b, &mut self.i.clone()).is_some();
        if starts_value {
            PErr::At(self.i, what.into())
        } else {
            lexer::not_a_value(self.b, self.i).into()
        }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(lexer::too_deep(self.i, MAX_DEPTH as usize).into());
        }
        Ok(())
    }

    /// After a member or element: `,` (true, more follow) or the closing byte (false);
    /// a `,` right before the closing byte is an error, as in JSON.
    #[inline]
    fn next_or_close(&mut self, close: u8) -> R<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(close) {
                    return Err(lexer::trailing_comma(self.i, close).into());
                }
                Ok(true)
            }
            Some(c) if c == close => {
                self.i += 1;
                Ok(false)
            }
            _ => {
                let want = if close == b']' {
                    "',' or ']'"
                } else {
                    "',' or '}'"
                };
                Err(lexer::unexpected(self.b, self.i, want).into())
            }
        }
    }

    // ---------------------------------------------------------------- tokens (core::json::lexer)

    /// A string at the cursor, borrowed when it has no escapes; anything but `"` there is
    /// the error for a missing object key.
    #[inline]
    fn string(&mut self) -> R<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return Err(lexer::not_a_key(self.b, self.i).into());
        }
        Ok(lexer::string(self.b, &mut self.i)?)
    }

    /// A number at the cursor as f64 (coordinates, bbox).
    #[inline]
    fn f64_num(&mut self) -> R<f64> {
        Ok(lexer::number(self.b, &mut self.i)?.value)
    }

    /// A number as serde_json would read it (u64, i64, else f64).
    fn json_number(&mut self) -> R<Number> {
        Ok(lexer::number(self.b, &mut self.i)?.to_json(self.b))
    }

    // ---------------------------------------------------------------- generic values

    /// Any JSON value.
    pub(crate) fn value(&mut self) -> R<Value> {
        self.ws();
        match self.peek() {
            Some(b'{') => self.object().map(Value::Object),
            Some(b'[') => {
                self.enter()?;
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        a.push(self.value()?);
                        if !self.next_or_close(b']')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Ok(Value::Array(a))
            }
            Some(b'"') => Ok(Value::String(self.string()?.into_owned())),
            Some(b'-' | b'0'..=b'9') => Ok(Value::Number(self.json_number()?)),
            _ => match lexer::literal(self.b, &mut self.i) {
                Some(lexer::Literal::True) => Ok(Value::Bool(true)),
                Some(lexer::Literal::False) => Ok(Value::Bool(false)),
                Some(lexer::Literal::Null) => Ok(Value::Null),
                None => Err(lexer::not_a_value(self.b, self.i).into()),
            },
        }
    }

    /// A JSON object at the cursor (after whitespace), as a map.
    fn object(&mut self) -> R<Map<String, Value>> {
        self.ws();
        if self.peek() != Some(b'{') {
            return err(self.i, format!("expected an object, found {}", self.what()));
        }
        self.enter()?;
        self.i += 1;
        let mut m = Map::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                let k = self.string()?.into_owned();
                self.colon()?;
                let v = self.value()?;
                m.insert(k, v);
                if !self.next_or_close(b'}')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(m)
    }

    /// A property key, shared with earlier features that had the same one. `hint` is the
    /// member's index in its object: keys usually come in the same order in every feature.
    #[inline]
    fn intern(&mut self, k: &str, hint: usize) -> Key {
        if let Some(key) = self.keys.get(hint)
            && &**key == k
        {
            return key.clone();
        }
        if let Some(key) = self.keys.iter().find(|key| &***key == k) {
            return key.clone();
        }
        let key = Key::from(k);
        if self.keys.len() < MAX_INTERNED {
            self.keys.push(key.clone());
        }
        key
    }

    /// A property value: scalars in place, arrays and objects as JSON.
    #[inline]
    fn prop_value(&mut self) -> R<PropValue> {
        self.ws();
        match self.peek() {
            Some(b'"') => Ok(PropValue::string(&self.string()?)),
            Some(b'-' | b'0'..=b'9') => Ok(PropValue::number(self.json_number()?)),
            // literals, and arrays and objects (kept as JSON)
            _ => self.value().map(PropValue::from),
        }
    }

    /// The `properties` object at the cursor. A repeated key keeps its first place and its
    /// last value, as a `serde_json::Map` would.
    fn properties(&mut self) -> R<Properties> {
        let mut pairs = std::mem::take(&mut self.pairs);
        pairs.clear();
        let r = self.properties_into(&mut pairs);
        let out = r.map(|()| Properties::from_unique(pairs.drain(..).collect()));
        self.pairs = pairs;
        out
    }

    fn properties_into(&mut self, pairs: &mut Vec<(Key, PropValue)>) -> R<()> {
        self.enter()?;
        self.i += 1; // '{'
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                let k = self.string()?;
                let key = self.intern(&k, pairs.len());
                self.colon()?;
                let v = self.prop_value()?;
                match pairs.iter_mut().find(|(old, _)| **old == *key) {
                    Some((_, old)) => *old = v,
                    None => pairs.push((key, v)),
                }
                if !self.next_or_close(b'}')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Iterate the members of an object: calls `f(self, key, key_offset)` with the cursor on
    /// the value; `f` must consume the value.
    fn members(&mut self, mut f: impl FnMut(&mut Self, Cow<'a, str>, usize) -> R<()>) -> R<()> {
        self.ws();
        if self.peek() != Some(b'{') {
            return err(self.i, format!("expected an object, found {}", self.what()));
        }
        self.enter()?;
        self.i += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                let at = self.i;
                let k = self.string()?;
                self.colon()?;
                self.ws();
                f(self, k, at)?;
                if !self.next_or_close(b'}')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn is_null(&mut self) -> bool {
        self.ws();
        if self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            true
        } else {
            false
        }
    }

    fn bbox(&mut self) -> R<Vec<f64>> {
        self.ws();
        let at = self.i;
        if self.peek() != Some(b'[') {
            return err(at, "\"bbox\" must be an array of numbers");
        }
        self.i += 1;
        let mut v = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
                    return Err(self.wanted("\"bbox\" must be an array of numbers"));
                }
                v.push(self.f64_num()?);
                if !self.next_or_close(b']')? {
                    break;
                }
            }
        }
        Ok(v)
    }

    fn type_string(&mut self) -> R<(Cow<'a, str>, usize)> {
        self.ws();
        let at = self.i;
        if self.peek() != Some(b'"') {
            return Err(self.wanted("\"type\" must be a string"));
        }
        Ok((self.string()?, at))
    }

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
    fn geometry(&mut self, mut foreign: Option<&mut Map<String, Value>>) -> R<Geometry<f64>> {
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

    // ---------------------------------------------------------------- features

    /// A Feature object at the cursor.
    pub(crate) fn feature(&mut self) -> R<Feature> {
        self.ws();
        let start = self.i;
        let pos = self.pos_at(start);
        self.fz.clear();
        self.fz_any = false;
        self.fpos = 0;
        let mut f = Feature {
            pos,
            ..Feature::default()
        };
        let mut seen_type = false;
        self.members(|p, k, kat| {
            match k.as_ref() {
                "type" => {
                    let (t, at) = p.type_string()?;
                    if t != "Feature" {
                        return err(at, format!("expected \"type\": \"Feature\", found \"{t}\""));
                    }
                    seen_type = true;
                }
                "id" => {
                    f.id = match p.peek() {
                        Some(b'"') => Some(FeatureId::String(p.string()?.into_owned())),
                        Some(b'-' | b'0'..=b'9') => Some(FeatureId::Number(p.json_number()?)),
                        _ if p.is_null() => None,
                        _ => return err(p.i, "\"id\" must be a string or a number"),
                    }
                }
                "geometry" => {
                    // A repeated member replaces the earlier geometry: forget its z values too.
                    p.fz.clear();
                    p.fz_any = false;
                    p.fpos = 0;
                    f.geometry = if p.is_null() {
                        None
                    } else if p.peek() == Some(b'{') {
                        Some(p.geometry(None)?)
                    } else {
                        return err(p.i, "\"geometry\" must be an object or null");
                    }
                }
                "properties" => {
                    f.properties = if p.is_null() {
                        None
                    } else if p.peek() == Some(b'{') {
                        Some(p.properties()?)
                    } else {
                        return err(p.i, "\"properties\" must be an object or null");
                    }
                }
                "bbox" => f.bbox = Some(p.bbox()?),
                other => {
                    let _ = kat;
                    let v = p.value()?;
                    f.foreign.insert(other.to_string(), v);
                }
            }
            Ok(())
        })?;
        if !seen_type {
            return err(start, "a Feature needs \"type\": \"Feature\"");
        }
        if self.fz_any {
            f.z = Some(std::mem::take(&mut self.fz));
        }
        Ok(f)
    }

    /// Parse features until the closing `]`, or until landing exactly on one of `targets`
    /// (sorted element-start offsets); `first` says whether the cursor is right after `[`.
    fn feature_run(
        &mut self,
        first: bool,
        targets: &[usize],
        out: &mut Vec<Vec<Feature>>,
    ) -> R<ChunkEnd> {
        let mut tj = 0;
        let mut n = 0usize;
        let mut block: Vec<Feature> = Vec::with_capacity(BLOCK);
        let r = self.feature_run_into(first, targets, &mut tj, &mut n, &mut block, out);
        if !block.is_empty() {
            block.shrink_to_fit();
            out.push(block);
        }
        r
    }

    fn feature_run_into(
        &mut self,
        first: bool,
        targets: &[usize],
        tj: &mut usize,
        n: &mut usize,
        block: &mut Vec<Feature>,
        out: &mut Vec<Vec<Feature>>,
    ) -> R<ChunkEnd> {
        if first {
            self.ws();
            if self.peek() == Some(b']') {
                self.i += 1;
                return Ok(ChunkEnd::End(self.i));
            }
        }
        loop {
            self.ws();
            if self.peek() != Some(b'{') {
                return err(
                    self.i,
                    format!("a feature must be an object, found {}", self.what()),
                );
            }
            if block.len() == BLOCK {
                out.push(std::mem::replace(block, Vec::with_capacity(BLOCK)));
            }
            block.push(self.feature()?);
            *n += 1;
            if n.is_multiple_of(CHECK_EVERY) {
                self.report()?;
            }
            if !self.next_or_close(b']')? {
                return Ok(ChunkEnd::End(self.i));
            }
            self.ws();
            while *tj < targets.len() && targets[*tj] < self.i {
                *tj += 1;
            }
            if *tj < targets.len() && targets[*tj] == self.i {
                return Ok(ChunkEnd::Landed(*tj));
            }
        }
    }

    /// The `features` array at the cursor, in parallel when it is large.
    fn features(&mut self) -> R<Vec<Feature>> {
        self.ws();
        if self.peek() != Some(b'[') {
            return err(self.i, "\"features\" must be an array");
        }
        self.i += 1;
        let start = self.i;
        let rest = self.b.len() - start;
        let threads = self.shared.threads.min(rest / PARALLEL_MIN_BYTES).max(1);
        if threads <= 1 {
            let mut blocks = Vec::new();
            self.feature_run(true, &[], &mut blocks)?;
            return Ok(join_blocks(vec![blocks]));
        }
        // Guess split points near equal offsets.
        let mut starts = vec![start];
        for k in 1..threads {
            let t = start + rest * k / threads;
            let last = *starts.last().unwrap_or(&start);
            if let Some(c) = find_feature_start(self.b, t.max(last + 1))
                && c > last
            {
                starts.push(c);
            }
        }
        let b = self.b;
        let shared = self.shared;
        let depth = self.depth;
        let results: Vec<ChunkResult> = std::thread::scope(|s| {
            let starts = &starts;
            let handles: Vec<_> = (1..starts.len())
                .map(|k| {
                    s.spawn(move || {
                        let mut p = Parser::new(b, starts[k], shared);
                        p.depth = depth;
                        let mut out = Vec::new();
                        let end = p.feature_run(false, &starts[k + 1..], &mut out);
                        end.map(|e| (out, shift(e, k + 1), p.line_state()))
                    })
                })
                .collect();
            let mut out = Vec::new();
            let first = self
                .feature_run(true, &starts[1..], &mut out)
                .map(|e| (out, shift(e, 1), self.line_state()));
            let mut all = vec![first];
            for h in handles {
                all.push(h.join().unwrap_or_else(|_| {
                    Err(PErr::At(start, "internal: parser thread failed".into()))
                }));
            }
            all
        });
        // Follow the chain of chunks that were verified to start on a feature boundary.
        let mut results: Vec<Option<ChunkResult>> = results.into_iter().map(Some).collect();
        let mut chain = Vec::new();
        let mut cur = 0;
        loop {
            let Some(r) = results.get_mut(cur).and_then(Option::take) else {
                return err(start, "internal: chunk chain broken");
            };
            let (feats, end, lines) = r?;
            chain.push(feats);
            match end {
                ChunkEnd::Landed(j) => {
                    self.shared.chunks_used.fetch_add(1, Ordering::Relaxed);
                    cur = j;
                }
                ChunkEnd::End(p) => {
                    drop(results);
                    self.i = p;
                    // Later line positions are counted on from where the last chunk's
                    // parser stopped (not from the start: released input stays released).
                    self.line = lines.line;
                    self.line_start = lines.line_start;
                    self.counted_to = lines.counted_to;
                    return Ok(join_blocks(chain));
                }
            }
        }
    }

    // ---------------------------------------------------------------- root

    /// Parse the whole document.
    pub(crate) fn root(&mut self) -> R<Root> {
        self.ws();
        let start = self.i;
        if self.peek() != Some(b'{') {
            return Err(self.wanted(format!(
                "the root of a GeoJSON document must be an object, found {}",
                self.what()
            )));
        }
        let Some(ty) = find_root_type(self.b, start) else {
            return err(start, "the root object has no string \"type\" member");
        };
        let mut root = Root {
            features: Vec::new(),
            bbox: None,
            foreign: Map::new(),
            crs: None,
        };
        match ty.as_str() {
            "FeatureCollection" => {
                let mut have_features = false;
                self.members(|p, k, _| {
                    match k.as_ref() {
                        "type" => {
                            p.type_string()?;
                        }
                        "features" => {
                            root.features = p.features()?;
                            have_features = true;
                        }
                        "bbox" => root.bbox = Some(p.bbox()?),
                        "crs" => {
                            let at = p.pos_at(p.i);
                            root.crs = Some((p.value()?, at));
                        }
                        other => {
                            let v = p.value()?;
                            root.foreign.insert(other.to_string(), v);
                        }
                    }
                    Ok(())
                })?;
                if !have_features {
                    return err(start, "a FeatureCollection needs a \"features\" array");
                }
            }
            "Feature" => {
                let mut f = self.feature()?;
                if let Some(c) = f.foreign.remove("crs") {
                    root.crs = Some((c, f.pos));
                }
                root.features.push(f);
            }
            t if GEOMETRY_TYPES.contains(&t) => {
                let pos = self.pos_at(start);
                self.fz.clear();
                self.fz_any = false;
                self.fpos = 0;
                let mut foreign = Map::new();
                let g = self.geometry(Some(&mut foreign))?;
                if let Some(c) = foreign.remove("crs") {
                    root.crs = Some((c, pos));
                }
                let bbox = match foreign.remove("bbox") {
                    Some(Value::Array(a)) => Some(a.iter().filter_map(Value::as_f64).collect()),
                    _ => None,
                };
                root.features.push(Feature {
                    geometry: Some(g),
                    z: self.fz_any.then(|| std::mem::take(&mut self.fz)),
                    bbox,
                    pos,
                    ..Feature::default()
                });
                root.foreign = foreign;
            }
            other => {
                return err(start, format!("unknown GeoJSON type \"{other}\""));
            }
        }
        self.ws();
        if self.i < self.b.len() {
            return Err(lexer::trailing(self.b, self.i).into());
        }
        self.report()?;
        Ok(root)
    }
}

struct Pending {
    coords: Vec<Coord<f64>>,
    ends: [Vec<u32>; 4],
    pos_level: Option<usize>,
}

/// The features of the chunks in order, in one vector; each block is freed once moved.
fn join_blocks(chunks: Vec<Vec<Vec<Feature>>>) -> Vec<Feature> {
    let total = chunks.iter().flatten().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    for block in chunks.into_iter().flatten() {
        out.extend(block);
    }
    out
}

fn shift(e: ChunkEnd, base: usize) -> ChunkEnd {
    match e {
        ChunkEnd::Landed(j) => ChunkEnd::Landed(j + base),
        ChunkEnd::End(p) => ChunkEnd::End(p),
    }
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

/// Skip one JSON value starting at `i` without validating it (strings and nesting are
/// respected); returns the offset after it, or `None` at the end of the input.
fn skip_value(b: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        let c = *b.get(i)?;
        match c {
            b'"' => {
                i += 1;
                loop {
                    let rel = memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
                    i += rel;
                    if b[i] == b'\\' {
                        i += 2;
                    } else {
                        i += 1;
                        break;
                    }
                }
                if depth == 0 {
                    return Some(i);
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b',' if depth == 0 => return Some(i),
            _ => {}
        }
        i += 1;
        if depth == 0 {
            // a scalar: run to its end
            while let Some(&c) = b.get(i) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    break;
                }
                i += 1;
            }
            return Some(i);
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// Read a plain (escape-free) string at `i`; returns it and the offset after it.
fn plain_string(b: &[u8], i: usize) -> Option<(&[u8], usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let rel = memchr::memchr2(b'"', b'\\', b.get(i + 1..)?)?;
    let e = i + 1 + rel;
    (b[e] == b'"').then(|| (&b[i + 1..e], e + 1))
}

/// The `type` string member of the object at `start` (its own level), if any.
fn object_type(b: &[u8], start: usize, max_members: usize) -> Option<(String, usize)> {
    let mut i = start + 1;
    for _ in 0..max_members {
        i = skip_ws(b, i);
        let key_at = i;
        let (key, after) = match plain_string(b, i) {
            Some(x) => x,
            None => {
                // escaped key: skip it
                (&b""[..], skip_value(b, key_at)?)
            }
        };
        i = skip_ws(b, after);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        if key == b"type" {
            let (v, end) = plain_string(b, i)?;
            return Some((String::from_utf8_lossy(v).into_owned(), end));
        }
        i = skip_ws(b, skip_value(b, i)?);
        match b.get(i) {
            Some(b',') => i += 1,
            _ => return None,
        }
    }
    None
}

fn find_root_type(b: &[u8], start: usize) -> Option<String> {
    object_type(b, start, usize::MAX).map(|(t, _)| t)
}

/// A guess at the start of a Feature object at or after `from`: a `{` preceded by `,`
/// whose own `type` member is `"Feature"`. Verified later by the chunk before it.
fn find_feature_start(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    for _ in 0..100_000 {
        let rel = memchr::memchr(b'{', b.get(i..)?)?;
        let c = i + rel;
        i = c + 1;
        let mut j = c;
        while j > 0 && matches!(b[j - 1], b' ' | b'\n' | b'\r' | b'\t') {
            j -= 1;
        }
        if j == 0 || b[j - 1] != b',' {
            continue;
        }
        // The element before must be an object too.
        let mut k = j - 1;
        while k > 0 && matches!(b[k - 1], b' ' | b'\n' | b'\r' | b'\t') {
            k -= 1;
        }
        if k == 0 || b[k - 1] != b'}' {
            continue;
        }
        if let Some((t, _)) = object_type(b, c, 16)
            && t == "Feature"
        {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(threads: usize) -> Shared<'static> {
        Shared {
            cancel: None,
            progress: None,
            total: 0,
            done: AtomicU64::new(0),
            reported: AtomicU32::new(0),
            threads,
            chunks_used: std::sync::atomic::AtomicUsize::new(0),
            release: None,
        }
    }

    /// The guessed split points of a large collection are verified and used.
    #[test]
    fn parallel_chunks_land_on_feature_boundaries() {
        let mut doc = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
        for i in 0..40_000 {
            if i > 0 {
                doc.push_str(",\n");
            }
            doc.push_str(&format!(
                "{{\"type\":\"Feature\",\"id\":{i},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{i}.5,1]}},\"properties\":{{\"n\":[1,{{\"type\":\"Feature\"}}]}}}}"
            ));
        }
        doc.push_str("]}");
        assert!(doc.len() > 4 << 20);
        let sh = shared(4);
        let mut p = Parser::new(doc.as_bytes(), 0, &sh);
        let root = p.root().map_err(|e| format!("{e:?}")).expect("parses");
        assert_eq!(root.features.len(), 40_000);
        for (i, f) in root.features.iter().enumerate() {
            assert_eq!(f.id.as_ref().map(ToString::to_string), Some(i.to_string()));
        }
        assert!(
            sh.chunks_used.load(Ordering::Relaxed) >= 2,
            "chunks were not used"
        );
        // The benchmark's layout: one compact polygon feature per line.
        let mut doc = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
        for i in 0..30_000 {
            if i > 0 {
                doc.push_str(",\n");
            }
            doc.push_str(&format!(
                "{{\"type\":\"Feature\",\"id\":{i},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[[114.1,22.5],[114.2,22.5],[114.2,22.6],[114.1,22.5]]]}},\"properties\":{{\"name\":\"Building {i}\",\"floors\":3}}}}"
            ));
        }
        doc.push_str("\n]}\n");
        let sh = shared(2);
        let mut p = Parser::new(doc.as_bytes(), 0, &sh);
        let root = p.root().map_err(|e| format!("{e:?}")).expect("parses");
        assert_eq!(root.features.len(), 30_000);
        assert_eq!(sh.chunks_used.load(Ordering::Relaxed), 1);
    }
}
