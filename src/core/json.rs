//! A JSON reader that remembers where every value came from.
//!
//! [`parse`] turns bytes into a tree of [`Node`]s. Every node, and every object key,
//! carries the 1-based line and column ([`SourcePos`]; columns count bytes) of its first
//! byte, so that later stages (GeoJSON validation, scenario and style readers) can point a
//! person at the exact place in the file. Objects keep their members in source order and
//! keep duplicate keys (see [`Node::duplicate_keys`]); numbers keep the span of their source
//! text (see [`Number::raw`]) as well as their `f64` value.
//!
//! The reader never panics and never overflows the stack, whatever the bytes: it is a loop
//! over an explicit stack, nesting deeper than [`ParseOptions::max_depth`] is an error, and
//! every failure is a [`JsonError`] with a position and a message a person understands
//! (empty input, truncated input, invalid UTF-8, `NaN`, `Infinity`, numbers out of the
//! `f64` range such as `1e999`, control characters in strings, trailing garbage).
//! A UTF-8 byte order mark at the start is accepted and reported in [`Document::bom`];
//! columns on the first line are counted after it.
//!
//! ```
//! use hetao_atlas::core::json;
//! let doc = json::parse(br#"{"type": "Point",
//!   "coordinates": [114.07, 22.51]}"#).unwrap();
//! let coords = doc.root.get("coordinates").unwrap();
//! assert_eq!((coords.pos.line, coords.pos.column), (2, 18));
//! assert_eq!(coords.as_array().unwrap()[1].as_f64(), Some(22.51));
//! ```

use crate::core::model::SourcePos;
use lexer::LexError;

pub(crate) mod lexer;

/// Default limit on nesting depth (arrays and objects inside each other).
///
/// GeoJSON needs about 8 levels; the limit leaves room for deep `properties` while keeping
/// every recursive consumer of the tree (drop, validation, conversion) far from the stack limit.
pub const DEFAULT_MAX_DEPTH: usize = 512;

/// Why some bytes are not JSON, and where (1-based line and byte column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct JsonError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (byte offset within the line, plus one).
    pub column: u32,
    /// What is wrong, for a person.
    pub message: String,
}

impl JsonError {
    /// The position as a [`SourcePos`].
    pub fn pos(&self) -> SourcePos {
        SourcePos {
            line: self.line,
            column: self.column,
        }
    }
}

/// Options of [`parse_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Deepest allowed nesting of arrays and objects; deeper input is an error.
    pub max_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// A parsed JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The top-level value.
    pub root: Node,
    /// Whether the input started with a UTF-8 byte order mark (RFC 8259 §8.1: senders
    /// must not add one; readers may ignore it).
    pub bom: bool,
}

/// One JSON value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Position of the value's first byte (`{`, `[`, `"`, digit, `-`, `t`, `f`, `n`).
    pub pos: SourcePos,
    /// The value.
    pub kind: Kind,
}

/// The kinds of JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number (always finite).
    Number(Number),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object: members in source order, duplicate keys kept.
    Object(Vec<Member>),
}

/// A JSON number: its value and the byte span of its source text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    /// The value, rounded to the nearest `f64` (always finite).
    pub value: f64,
    /// Byte offset of the first character of the number in the parsed input.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
}

impl Number {
    /// The number's source text, given the bytes that were parsed (`""` if they do not match).
    pub fn raw<'a>(&self, input: &'a [u8]) -> &'a str {
        input
            .get(self.start..self.end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// Whether the source text is an integer (no fraction, no exponent).
    pub fn is_integer_text(&self, input: &[u8]) -> bool {
        !self
            .raw(input)
            .bytes()
            .any(|b| matches!(b, b'.' | b'e' | b'E'))
    }
}

/// One member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Position of the key's opening quote.
    pub key_pos: SourcePos,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The JSON type name: `null`, `boolean`, `number`, `string`, `array` or `object`.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "boolean",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::Array(_) => "array",
            Kind::Object(_) => "object",
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            Kind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.kind {
            Kind::Number(n) => Some(n.value),
            _ => None,
        }
    }

    /// The number, if this is a number.
    pub fn as_number(&self) -> Option<&Number> {
        match &self.kind {
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// The member named `key`, if this is an object that has one. With duplicate keys the
    /// last one wins, as in JavaScript's `JSON.parse` and most JSON readers.
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().rev().find(|m| m.key == key)
    }

    /// The value of member `key` (the last one if the key is repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    /// Keys that occur more than once in this object, each with the position of its second
    /// and later occurrences, in source order. Empty for non-objects.
    pub fn duplicate_keys(&self) -> Vec<(&str, SourcePos)> {
        let Some(members) = self.as_object() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if members.len() <= 16 {
            for (i, m) in members.iter().enumerate() {
                if members[..i].iter().any(|p| p.key == m.key) {
                    out.push((m.key.as_str(), m.key_pos));
                }
            }
        } else {
            let mut seen = std::collections::HashSet::with_capacity(members.len());
            for m in members {
                if !seen.insert(m.key.as_str()) {
                    out.push((m.key.as_str(), m.key_pos));
                }
            }
        }
        out
    }

    /// Convert to a `serde_json::Value` (duplicate keys: the last wins). Integers written
    /// without fraction or exponent that fit `i64`/`u64` stay integers; `input` is the
    /// parsed bytes, used to read number texts.
    pub fn to_value(&self, input: &[u8]) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => {
                let raw = n.raw(input);
                if n.is_integer_text(input) {
                    if let Ok(i) = raw.parse::<i64>() {
                        return Value::from(i);
                    }
                    if let Ok(u) = raw.parse::<u64>() {
                        return Value::from(u);
                    }
                }
                serde_json::Number::from_f64(n.value)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            }
            Kind::String(s) => Value::String(s.clone()),
            Kind::Array(a) => Value::Array(a.iter().map(|n| n.to_value(input)).collect()),
            Kind::Object(m) => {
                let mut map = serde_json::Map::with_capacity(m.len());
                for mem in m {
                    map.insert(mem.key.clone(), mem.value.to_value(input));
                }
                Value::Object(map)
            }
        }
    }
}

/// Parse a JSON text with the default options.
pub fn parse(input: &[u8]) -> Result<Document, JsonError> {
    parse_with(input, &ParseOptions::default())
}

/// Parse a JSON text.
pub fn parse_with(input: &[u8], opts: &ParseOptions) -> Result<Document, JsonError> {
    let bom = input.starts_with(b"\xEF\xBB\xBF");
    let start = if bom { 3 } else { 0 };
    let mut p = Parser {
        s: input,
        i: start,
        line: 1,
        line_start: start,
        max_depth: opts.max_depth.max(1),
        build: true,
    };
    let root = p.document()?;
    Ok(Document { root, bom })
}

/// Check that the bytes are one JSON text, without building the tree: the same reader and
/// the same errors as [`parse`] (the loader reports a file's syntax errors through this, so
/// they read exactly as `hetao check`'s), in memory that does not grow with the input.
pub fn check_syntax(input: &[u8]) -> Result<(), JsonError> {
    let start = if input.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut p = Parser {
        s: input,
        i: start,
        line: 1,
        line_start: start,
        max_depth: DEFAULT_MAX_DEPTH,
        build: false,
    };
    p.document().map(drop)
}

/// An open array or object on the explicit stack.
enum Frame {
    Array {
        pos: SourcePos,
        items: Vec<Node>,
    },
    Object {
        pos: SourcePos,
        members: Vec<Member>,
        key: String,
        key_pos: SourcePos,
    },
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    line: u32,
    line_start: usize,
    max_depth: usize,
    /// Keep the values read (false: only check the syntax).
    build: bool,
}

impl<'a> Parser<'a> {
    fn pos_at(&self, i: usize) -> SourcePos {
        SourcePos {
            line: self.line,
            column: u32::try_from(i.saturating_sub(self.line_start) + 1).unwrap_or(u32::MAX),
        }
    }

    fn pos(&self) -> SourcePos {
        self.pos_at(self.i)
    }

    fn err_at(&self, i: usize, message: impl Into<String>) -> JsonError {
        let p = self.pos_at(i);
        JsonError {
            line: p.line,
            column: p.column,
            message: message.into(),
        }
    }

    /// A lexer error, positioned (lexer errors are always on the current line).
    fn lex(&self, e: LexError) -> JsonError {
        self.err_at(e.at, e.message)
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.s.get(self.i) {
            match b {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.line = self.line.saturating_add(1);
                    self.line_start = self.i;
                }
                _ => break,
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Error for an unexpected byte (or end of input) where `expected` was wanted.
    fn unexpected(&self, expected: &str) -> JsonError {
        self.lex(lexer::unexpected(self.s, self.i, expected))
    }

    fn document(&mut self) -> Result<Node, JsonError> {
        let mut stack: Vec<Frame> = Vec::new();
        self.skip_ws();
        // `value` is Some when a complete value has just been read and must be attached.
        let mut value: Option<Node> = None;
        loop {
            if value.is_none() {
                // Read a value start.
                self.skip_ws();
                let pos = self.pos();
                match self.peek() {
                    Some(b'{') => {
                        if stack.len() >= self.max_depth {
                            return Err(self.too_deep());
                        }
                        self.i += 1;
                        self.skip_ws();
                        if self.peek() == Some(b'}') {
                            self.i += 1;
                            value = Some(Node {
                                pos,
                                kind: Kind::Object(Vec::new()),
                            });
                        } else {
                            let (key, key_pos) = self.key()?;
                            stack.push(Frame::Object {
                                pos,
                                members: Vec::new(),
                                key,
                                key_pos,
                            });
                            continue;
                        }
                    }
                    Some(b'[') => {
                        if stack.len() >= self.max_depth {
                            return Err(self.too_deep());
                        }
                        self.i += 1;
                        self.skip_ws();
                        if self.peek() == Some(b']') {
                            self.i += 1;
                            value = Some(Node {
                                pos,
                                kind: Kind::Array(Vec::new()),
                            });
                        } else {
                            stack.push(Frame::Array {
                                pos,
                                items: Vec::new(),
                            });
                            continue;
                        }
                    }
                    _ => value = Some(self.scalar()?),
                }
            }
            // Attach the finished value to its parent, closing parents as needed.
            let Some(v) = value.take() else { continue };
            let Some(top) = stack.last_mut() else {
                self.skip_ws();
                if self.peek().is_some() {
                    return Err(self.lex(lexer::trailing(self.s, self.i)));
                }
                return Ok(v);
            };
            self.skip_ws();
            match top {
                Frame::Array { items, .. } => {
                    if self.build {
                        items.push(v);
                    }
                    match self.peek() {
                        Some(b',') => {
                            self.i += 1;
                            self.skip_ws();
                            if self.peek() == Some(b']') {
                                return Err(self.lex(lexer::trailing_comma(self.i, b']')));
                            }
                        }
                        Some(b']') => {
                            self.i += 1;
                            if let Some(Frame::Array { pos, items }) = stack.pop() {
                                value = Some(Node {
                                    pos,
                                    kind: Kind::Array(items),
                                });
                            }
                        }
                        _ => return Err(self.unexpected("',' or ']'")),
                    }
                }
                Frame::Object {
                    members,
                    key,
                    key_pos,
                    ..
                } => {
                    if self.build {
                        members.push(Member {
                            key: std::mem::take(key),
                            key_pos: *key_pos,
                            value: v,
                        });
                    }
                    match self.peek() {
                        Some(b',') => {
                            self.i += 1;
                            self.skip_ws();
                            if self.peek() == Some(b'}') {
                                return Err(self.lex(lexer::trailing_comma(self.i, b'}')));
                            }
                            let (k, kp) = self.key()?;
                            if let Some(Frame::Object { key, key_pos, .. }) = stack.last_mut() {
                                *key = k;
                                *key_pos = kp;
                            }
                        }
                        Some(b'}') => {
                            self.i += 1;
                            if let Some(Frame::Object { pos, members, .. }) = stack.pop() {
                                value = Some(Node {
                                    pos,
                                    kind: Kind::Object(members),
                                });
                            }
                        }
                        _ => return Err(self.unexpected("',' or '}'")),
                    }
                }
            }
        }
    }

    fn too_deep(&self) -> JsonError {
        self.lex(lexer::too_deep(self.i, self.max_depth))
    }

    /// Read `"key"` and the `:` after it; the cursor is on the opening quote.
    fn key(&mut self) -> Result<(String, SourcePos), JsonError> {
        self.skip_ws();
        let kp = self.pos();
        if self.peek() != Some(b'"') {
            return Err(self.lex(lexer::not_a_key(self.s, self.i)));
        }
        let k = self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("':' after the object key"));
        }
        self.i += 1;
        Ok((k, kp))
    }

    fn scalar(&mut self) -> Result<Node, JsonError> {
        let pos = self.pos();
        let kind = match self.peek() {
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => {
                let t = lexer::number(self.s, &mut self.i).map_err(|e| self.lex(e))?;
                Kind::Number(Number {
                    value: t.value,
                    start: t.start,
                    end: t.end,
                })
            }
            _ => match lexer::literal(self.s, &mut self.i) {
                Some(lexer::Literal::True) => Kind::Bool(true),
                Some(lexer::Literal::False) => Kind::Bool(false),
                Some(lexer::Literal::Null) => Kind::Null,
                None => return Err(self.lex(lexer::not_a_value(self.s, self.i))),
            },
        };
        Ok(Node { pos, kind })
    }

    /// Read a string; the cursor is on the opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        lexer::string(self.s, &mut self.i)
            .map(std::borrow::Cow::into_owned)
            .map_err(|e| self.lex(e))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn err(s: &[u8]) -> JsonError {
        parse(s).expect_err("should fail")
    }

    #[test]
    fn positions_of_values_and_keys() {
        let doc = parse(b"{\n  \"a\": [1, -2.5e3, true],\n  \"b\": {\"c\": null}\n}").unwrap();
        let m = doc.root.as_object().unwrap();
        assert_eq!(m[0].key_pos, SourcePos { line: 2, column: 3 });
        assert_eq!(m[0].value.pos, SourcePos { line: 2, column: 8 });
        let a = m[0].value.as_array().unwrap();
        assert_eq!(
            a[1].pos,
            SourcePos {
                line: 2,
                column: 12
            }
        );
        assert_eq!(a[1].as_f64(), Some(-2500.0));
        let src = b"{\n  \"a\": [1, -2.5e3, true],\n  \"b\": {\"c\": null}\n}";
        assert_eq!(a[1].as_number().unwrap().raw(src), "-2.5e3");
        assert_eq!(doc.root.get("b").unwrap().get("c").unwrap().pos.column, 14);
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(err(b"").pos(), SourcePos { line: 1, column: 1 });
        let e = err(b"{\"a\": [1, 2");
        assert_eq!((e.line, e.column), (1, 12));
        assert!(e.message.contains("end of file"), "{e}");
        let e = err(b"[1,\n NaN]");
        assert_eq!((e.line, e.column), (2, 2));
        assert!(e.message.contains("NaN"));
        let e = err(b"[1e999]");
        assert_eq!((e.line, e.column), (1, 2));
        assert!(e.message.contains("out of range"));
        let e = err(b"[\"ab\xFFc\"]");
        assert_eq!((e.line, e.column), (1, 5));
        assert!(e.message.contains("UTF-8"));
        let e = err(b"[-Infinity]");
        assert_eq!(e.column, 2);
        let e = err(b"{\"a\":1,}");
        assert!(e.message.contains("trailing comma"));
        let e = err(b"[1] 2");
        assert_eq!(e.column, 5);
        let e = err(b"[01]");
        assert!(e.message.contains("leading zeros"));
    }

    #[test]
    fn bom_and_escapes() {
        let doc = parse(b"\xEF\xBB\xBF{\"k\\u00e9\\ud83d\\ude00\": \"a\\n\"}").unwrap();
        assert!(doc.bom);
        assert_eq!(doc.root.pos, SourcePos { line: 1, column: 1 });
        let m = &doc.root.as_object().unwrap()[0];
        assert_eq!(m.key, "k\u{e9}\u{1F600}");
        assert_eq!(m.value.as_str(), Some("a\n"));
        assert!(err(b"[\"\\ud800\"]").message.contains("surrogate"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let mut s = vec![b'['; 10_000];
        s.extend(vec![b']'; 10_000]);
        let e = err(&s);
        assert!(e.message.contains("nesting too deep"));
        assert_eq!(e.column as usize, DEFAULT_MAX_DEPTH + 1);
        let ok: Vec<u8> = [vec![b'['; 100], vec![b']'; 100]].concat();
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn duplicates_and_last_wins() {
        let doc = parse(b"{\"a\":1,\"b\":2,\"a\":3}").unwrap();
        assert_eq!(doc.root.get("a").unwrap().as_f64(), Some(3.0));
        let d = doc.root.duplicate_keys();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "a");
        assert_eq!(d[0].1.column, 14);
    }

    #[test]
    fn numbers_match_the_standard_library() {
        let texts = [
            "0",
            "-0",
            "1",
            "22.51",
            "114.0734567",
            "-0.000123",
            "123456789012345",
            "1234567890123456789",
            "0.1",
            "3.141592653589793",
            "1e5",
            "2.5E-3",
            "1e-320",
            "9007199254740993",
            "0.30000000000000004",
            "-114.12345678901234",
        ];
        for t in texts {
            let doc = parse(t.as_bytes()).unwrap();
            let want: f64 = t.parse().unwrap();
            let got = doc.root.as_f64().unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}");
        }
    }

    /// `check_syntax` gives exactly `parse`'s verdict: on every truncation of a document and
    /// on a set of broken ones.
    #[test]
    fn check_syntax_agrees_with_parse() {
        let good: &[u8] =
            b"\xEF\xBB\xBF{\"a\": [1, -2.5e3, true, null, {\"k\": \"v\\u00e9\\n\"}],\n \"b\": {}}";
        let mut cases: Vec<Vec<u8>> = (0..good.len()).map(|n| good[..n].to_vec()).collect();
        for bad in [
            &b"[1,]"[..],
            b"{\"a\":1,}",
            b"[NaN]",
            b"[+1]",
            b"['x']",
            b"{'a':1}",
            b"[1 2]",
            b"[1e999]",
            b"[\"\xff\"]",
            b"[\"a\nb\"]",
            b"[01]",
            b"[1.]",
            b"{\"a\" 1}",
            b"[] x",
            b"\xff",
        ] {
            cases.push(bad.to_vec());
        }
        cases.push([vec![b'['; 600], vec![b']'; 600]].concat());
        for c in &cases {
            assert_eq!(
                check_syntax(c).err(),
                parse(c).err(),
                "{}",
                String::from_utf8_lossy(c)
            );
        }
        assert!(check_syntax(good).is_ok());
    }

    #[test]
    fn to_value_matches_serde_json() {
        let src = br#"{"a":[1,2.5,-3,18446744073709551615,1e2],"b":{"c":"x"},"d":null,"e":false}"#;
        let ours = parse(src).unwrap().root.to_value(src);
        let theirs: serde_json::Value = serde_json::from_slice(src).unwrap();
        assert_eq!(ours, theirs);
    }
}
