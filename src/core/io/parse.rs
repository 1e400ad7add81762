//! The fast GeoJSON byte scanner.
//!
//! A hand-written recursive-descent parser over `&[u8]`: coordinates go straight into
//! `Vec<Coord>` (numbers through `fast-float2`), only properties and foreign members become
//! `serde_json::Value`s. The `features` array of a FeatureCollection is split across threads:
//! split points are guessed near equal byte offsets and *verified* (a chunk's result is used
//! only if the chunk before it ended exactly on its start), so a wrong guess costs time, never
//! correctness. Nothing here panics on any input; nesting depth is bounded.

use crate::core::model::{Feature, FeatureId, GEOMETRY_TYPES, SourcePos};
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

/// A parse failure: a byte offset and a message, or a cancellation.
#[derive(Debug)]
pub(crate) enum PErr {
    /// Something is wrong at this byte offset.
    At(usize, String),
    /// The caller cancelled.
    Cancelled,
}

type R<T> = Result<T, PErr>;

/// What one chunk of the features array produced.
type ChunkResult = R<(Vec<Feature>, ChunkEnd, usize)>;

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
    /// The legacy `crs` member and the offset of its value.
    pub crs: Option<(Value, usize)>,
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
        Ok(())
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

    fn expect(&mut self, c: u8, ctx: &str) -> R<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            err(
                self.i,
                format!("expected '{}' {ctx}, found {}", c as char, self.what()),
            )
        }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(
                self.i,
                format!("nesting deeper than {MAX_DEPTH} levels is not accepted"),
            );
        }
        Ok(())
    }

    /// After a member or element: `,` (true, more follow) or the closing byte (false).
    #[inline]
    fn next_or_close(&mut self, close: u8, ctx: &str) -> R<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.i += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.i += 1;
                Ok(false)
            }
            _ => err(
                self.i,
                format!(
                    "expected ',' or '{}' {ctx}, found {}",
                    close as char,
                    self.what()
                ),
            ),
        }
    }

    // ---------------------------------------------------------------- strings

    /// A string at the cursor (which must be at `"`), borrowed when it has no escapes.
    fn string(&mut self) -> R<Cow<'a, str>> {
        let b = self.b;
        let start = self.i;
        if b.get(start) != Some(&b'"') {
            return err(start, format!("expected a string, found {}", self.what()));
        }
        let from = start + 1;
        let Some(rel) = memchr::memchr2(b'"', b'\\', &b[from..]) else {
            return err(start, "unterminated string");
        };
        let end = from + rel;
        if b[end] == b'"' {
            let raw = &b[from..end];
            check_controls(raw, from)?;
            let s = std::str::from_utf8(raw).map_err(|e| {
                PErr::At(from + e.valid_up_to(), "invalid UTF-8 in a string".into())
            })?;
            self.i = end + 1;
            return Ok(Cow::Borrowed(s));
        }
        self.string_slow(from).map(Cow::Owned)
    }

    fn string_slow(&mut self, from: usize) -> R<String> {
        let b = self.b;
        let mut out: Vec<u8> = Vec::new();
        let mut i = from;
        loop {
            let Some(rel) = memchr::memchr2(b'"', b'\\', &b[i..]) else {
                return err(from - 1, "unterminated string");
            };
            let seg = &b[i..i + rel];
            check_controls(seg, i)?;
            out.extend_from_slice(seg);
            i += rel;
            if b[i] == b'"' {
                self.i = i + 1;
                return String::from_utf8(out).map_err(|e| {
                    PErr::At(
                        from + e.utf8_error().valid_up_to(),
                        "invalid UTF-8 in a string".into(),
                    )
                });
            }
            // backslash
            let esc = i;
            let Some(&c) = b.get(i + 1) else {
                return err(esc, "unterminated escape in a string");
            };
            i += 2;
            match c {
                b'"' => out.push(b'"'),
                b'\\' => out.push(b'\\'),
                b'/' => out.push(b'/'),
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'u' => {
                    let hi = hex4(b, i)
                        .ok_or_else(|| PErr::At(esc, "invalid \\u escape in a string".into()))?;
                    i += 4;
                    let ch = if (0xD800..0xDC00).contains(&hi) {
                        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
                            return err(esc, "lone leading surrogate in a \\u escape");
                        }
                        let lo = hex4(b, i + 2)
                            .ok_or_else(|| PErr::At(i, "invalid \\u escape in a string".into()))?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return err(i, "invalid trailing surrogate in a \\u escape");
                        }
                        i += 6;
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    } else if (0xDC00..0xE000).contains(&hi) {
                        None
                    } else {
                        char::from_u32(hi)
                    };
                    let Some(ch) = ch else {
                        return err(esc, "lone surrogate in a \\u escape");
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => return err(esc, "invalid escape in a string"),
            }
        }
    }

    // ---------------------------------------------------------------- numbers

    /// Scan a JSON number at the cursor; returns (start, end, is_integer).
    #[inline]
    fn scan_number(&mut self) -> R<(usize, usize, bool)> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                i += 1;
                while matches!(b.get(i), Some(b'0'..=b'9')) {
                    i += 1;
                }
            }
            _ => return err(start, format!("invalid number, found {}", self.what())),
        }
        let mut int = true;
        if b.get(i) == Some(&b'.') {
            int = false;
            i += 1;
            if !matches!(b.get(i), Some(b'0'..=b'9')) {
                return err(i, "a number needs digits after '.'");
            }
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            int = false;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !matches!(b.get(i), Some(b'0'..=b'9')) {
                return err(i, "a number needs digits in its exponent");
            }
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        self.i = i;
        Ok((start, i, int))
    }

    /// A finite number as f64 (coordinates, bbox).
    #[inline]
    fn f64_num(&mut self) -> R<f64> {
        if let Some(v) = self.fast_decimal() {
            return Ok(v);
        }
        let (s, e, _) = self.scan_number()?;
        match fast_float2::parse::<f64, _>(&self.b[s..e]) {
            Ok(v) if v.is_finite() => Ok(v),
            _ => err(s, "number out of range (coordinates must be finite)"),
        }
    }

    /// Clinger's fast path for the common `-?d+(.d+)?` form with at most 15 significant
    /// digits (no exponent): the integer mantissa and the power of ten are both exact in an
    /// f64, so one division is correctly rounded — the same value any correct parser gives.
    /// Returns `None` (cursor unchanged) for anything else.
    #[inline]
    fn fast_decimal(&mut self) -> Option<f64> {
        const POW10: [f64; 16] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        ];
        let b = self.b;
        let mut i = self.i;
        let neg = b.get(i) == Some(&b'-');
        if neg {
            i += 1;
        }
        let int_start = i;
        let mut m: u64 = 0;
        while let Some(&c) = b.get(i) {
            if c.is_ascii_digit() {
                m = m.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                i += 1;
            } else {
                break;
            }
        }
        let int_digits = i - int_start;
        if int_digits == 0 || (int_digits > 1 && b[int_start] == b'0') {
            return None;
        }
        let mut frac_digits = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let fs = i;
            while let Some(&c) = b.get(i) {
                if c.is_ascii_digit() {
                    m = m.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                    i += 1;
                } else {
                    break;
                }
            }
            frac_digits = i - fs;
            if frac_digits == 0 {
                return None;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) || int_digits + frac_digits > 15 {
            return None;
        }
        let v = m as f64 / POW10[frac_digits];
        self.i = i;
        Some(if neg { -v } else { v })
    }

    /// A number as serde_json would read it (u64, i64, else f64).
    fn json_number(&mut self) -> R<Number> {
        let (s, e, int) = self.scan_number()?;
        let text = &self.b[s..e];
        if int {
            // ASCII digits by construction.
            let t = std::str::from_utf8(text).unwrap_or("");
            if text[0] == b'-' {
                if let Ok(v) = t.parse::<i64>() {
                    if v == 0 {
                        return Ok(Number::from_f64(-0.0).unwrap_or_else(|| Number::from(0)));
                    }
                    return Ok(Number::from(v));
                }
            } else if let Ok(v) = t.parse::<u64>() {
                return Ok(Number::from(v));
            }
        }
        match fast_float2::parse::<f64, _>(text) {
            Ok(v) => Number::from_f64(v).ok_or_else(|| PErr::At(s, "number out of range".into())),
            Err(_) => err(s, "invalid number"),
        }
    }

    // ---------------------------------------------------------------- generic values

    fn literal(&mut self, word: &[u8], v: Value) -> R<Value> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            err(
                self.i,
                format!("expected a JSON value, found {}", self.what()),
            )
        }
    }

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
                        if !self.next_or_close(b']', "in an array")? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Ok(Value::Array(a))
            }
            Some(b'"') => Ok(Value::String(self.string()?.into_owned())),
            Some(b'-' | b'0'..=b'9') => Ok(Value::Number(self.json_number()?)),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'n') => self.literal(b"null", Value::Null),
            _ => err(
                self.i,
                format!("expected a JSON value, found {}", self.what()),
            ),
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
                self.expect(b':', "after an object key")?;
                let v = self.value()?;
                m.insert(k, v);
                if !self.next_or_close(b'}', "after an object member")? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(m)
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
                self.expect(b':', "after an object key")?;
                self.ws();
                f(self, k, at)?;
                if !self.next_or_close(b'}', "after an object member")? {
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
                    return err(self.i, "\"bbox\" must be an array of numbers");
                }
                v.push(self.f64_num()?);
                if !self.next_or_close(b']', "in \"bbox\"")? {
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
            return err(at, "\"type\" must be a string");
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
                    return err(
                        self.i,
                        format!(
                            "expected a position or an array of positions, found {}",
                            self.what()
                        ),
                    );
                }
                self.coord_level(level + 1)?;
                if !self.next_or_close(b']', "in \"coordinates\"")? {
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
        self.expect(b',', "in a position (it needs at least two numbers)")?;
        self.ws();
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return err(self.i, "a position must contain only numbers");
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
                        return err(self.i, "a position must contain only numbers");
                    }
                    let v = self.f64_num()?;
                    if z.is_none() {
                        z = Some(v);
                    }
                }
                _ => {
                    return err(
                        self.i,
                        format!("expected ',' or ']' in a position, found {}", self.what()),
                    );
                }
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
                            if !p.next_or_close(b']', "in \"geometries\"")? {
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
                        Some(p.object()?)
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
        out: &mut Vec<Feature>,
    ) -> R<ChunkEnd> {
        let mut tj = 0;
        let run_start = self.i;
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
            out.push(self.feature()?);
            if out.len().is_multiple_of(CHECK_EVERY) {
                self.report()?;
            }
            if out.len() == 64 && out.capacity() < 1024 {
                // Reserve for the rest from the average size so far (untouched capacity
                // costs no memory); the estimate is generous, the excess is given back.
                let per = (self.i - run_start) / 64 + 1;
                let guess = (self.b.len() - self.i) / per;
                out.reserve(guess + guess / 4);
            }
            if !self.next_or_close(b']', "between features")? {
                return Ok(ChunkEnd::End(self.i));
            }
            self.ws();
            while tj < targets.len() && targets[tj] < self.i {
                tj += 1;
            }
            if tj < targets.len() && targets[tj] == self.i {
                return Ok(ChunkEnd::Landed(tj));
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
            let mut out = Vec::new();
            self.feature_run(true, &[], &mut out)?;
            out.shrink_to_fit();
            return Ok(out);
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
                        end.map(|e| (out, shift(e, k + 1), p.last_report))
                    })
                })
                .collect();
            let mut out = Vec::new();
            let first = self
                .feature_run(true, &starts[1..], &mut out)
                .map(|e| (out, shift(e, 1), self.i));
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
        let total: usize = results
            .iter()
            .flatten()
            .map(|r| r.as_ref().map_or(0, |(f, _, _)| f.len()))
            .sum();
        let mut out: Vec<Feature> = Vec::new();
        let mut cur = 0;
        loop {
            let Some(r) = results.get_mut(cur).and_then(Option::take) else {
                return err(start, "internal: chunk chain broken");
            };
            let (mut feats, end, _) = r?;
            if out.is_empty() {
                out = feats;
                out.reserve_exact(total.saturating_sub(out.len()));
            } else {
                out.append(&mut feats);
            }
            match end {
                ChunkEnd::Landed(j) => {
                    self.shared.chunks_used.fetch_add(1, Ordering::Relaxed);
                    cur = j;
                }
                ChunkEnd::End(p) => {
                    out.shrink_to_fit();
                    self.i = p;
                    // Later line positions are counted from here.
                    let sp = line_col(self.b, p);
                    self.line = sp.line as usize;
                    self.line_start = p + 1 - sp.column as usize;
                    self.counted_to = p;
                    return Ok(out);
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
            return err(
                start,
                format!(
                    "the root of a GeoJSON document must be an object, found {}",
                    self.what()
                ),
            );
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
                            let at = p.i;
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
                    root.crs = Some((c, start));
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
                    root.crs = Some((c, start));
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
            return err(
                self.i,
                format!("unexpected {} after the GeoJSON object", self.what()),
            );
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

fn shift(e: ChunkEnd, base: usize) -> ChunkEnd {
    match e {
        ChunkEnd::Landed(j) => ChunkEnd::Landed(j + base),
        ChunkEnd::End(p) => ChunkEnd::End(p),
    }
}

fn check_controls(raw: &[u8], from: usize) -> R<()> {
    if raw.iter().all(|&c| c >= 0x20) {
        return Ok(());
    }
    match raw.iter().position(|&c| c < 0x20) {
        Some(p) => err(
            from + p,
            "control character in a string (it must be escaped)",
        ),
        None => Ok(()),
    }
}

fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let s = b.get(i..i + 4)?;
    let mut v = 0u32;
    for &c in s {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
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
