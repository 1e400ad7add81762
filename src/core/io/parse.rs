//! The fast GeoJSON byte scanner.
//!
//! A hand-written recursive-descent parser over `&[u8]`; its tokens (strings, numbers,
//! literals, and the words for syntax errors) come from the one JSON lexer,
//! [`crate::core::json::lexer`], that the validator uses too. Coordinates go straight into
//! flat scratch buffers (`geometry`), properties become a compact [`Properties`] (keys
//! interned per parser), only nested property values and foreign members become
//! `serde_json::Value`s. The `features` array of a FeatureCollection is split across threads
//! (`chunks`, with split points guessed by `scan` and verified), so a wrong guess costs
//! time, never correctness. Each thread hands the input it has passed to
//! [`Shared::release`]. Nothing here panics on any input; nesting depth is bounded.

use crate::core::json::lexer::{self, LexError};
use crate::core::model::{
    Feature, FeatureId, GEOMETRY_TYPES, Key, PropValue, Properties, SourcePos,
};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

mod chunks;
mod geometry;
mod props;
mod scan;

pub(crate) use props::PropertiesReader;

use scan::{find_feature_start, find_root_type};

/// Deepest nesting of JSON objects/arrays (and GeometryCollections) accepted.
pub(crate) const MAX_DEPTH: u32 = 128;
/// A features array shorter than this (bytes left in the buffer) is parsed on one thread.
const PARALLEL_MIN_BYTES: usize = 1 << 20;
/// How often (in features) cancellation and progress are checked.
const CHECK_EVERY: usize = 512;
/// How many distinct property keys one parser interns (later ones are allocated per use).
const MAX_INTERNED: usize = 256;
/// Up to this many properties, a repeated key is found by a scan (beyond, by a hash index).
const DEDUP_SCAN: usize = 32;

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
        let mut seen: Option<std::collections::HashMap<Key, usize>> = None;
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
                // Repeated keys: a scan while the object is small, a hash index beyond.
                let slot = if pairs.len() < DEDUP_SCAN {
                    pairs.iter().position(|(old, _)| *old == key)
                } else {
                    let at = seen.get_or_insert_with(|| {
                        pairs
                            .iter()
                            .enumerate()
                            .map(|(n, (k, _))| (k.clone(), n))
                            .collect()
                    });
                    at.get(&*key).copied()
                };
                match slot {
                    Some(n) => pairs[n].1 = v,
                    None => {
                        if let Some(at) = seen.as_mut() {
                            at.insert(key.clone(), pairs.len());
                        }
                        pairs.push((key, v));
                    }
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
