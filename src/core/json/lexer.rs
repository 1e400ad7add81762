//! The one JSON lexer: strings, numbers, literals and the words for what is wrong, over a
//! byte slice and a cursor. Both JSON readers use it — the validator's tree reader
//! ([`crate::core::json::parse`]) and the loader's GeoJSON scanner (`core::io`) — so a
//! broken file gets the same message, at the same byte, from `hetao check` and from a load.
//!
//! Functions take the input and the cursor (`&mut usize`), never skip whitespace (callers
//! do, each counting lines its own way), never panic, and return a [`LexError`]: a byte
//! offset and a message; the caller turns the offset into a line and column.

use std::borrow::Cow;

/// What is wrong, at which byte offset of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// Byte offset the message is about.
    pub at: usize,
    /// What is wrong, for a person.
    pub message: String,
}

fn fail<T>(at: usize, message: impl Into<String>) -> Result<T, LexError> {
    Err(LexError {
        at,
        message: message.into(),
    })
}

/// A number token: its value (finite, correctly rounded), its source span, and whether the
/// text is an integer (no fraction, no exponent).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberToken {
    /// The value, rounded to the nearest `f64`.
    pub value: f64,
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
    /// The text has no fraction and no exponent.
    pub integer: bool,
}

impl NumberToken {
    /// The number as `serde_json` would read it: u64, i64 (`-0` as the float -0.0), else f64.
    pub fn to_json(self, b: &[u8]) -> serde_json::Number {
        if self.integer {
            let t = b
                .get(self.start..self.end)
                .and_then(|t| std::str::from_utf8(t).ok())
                .unwrap_or("");
            if t.starts_with('-') {
                if let Ok(v) = t.parse::<i64>()
                    && v != 0
                {
                    return serde_json::Number::from(v);
                }
            } else if let Ok(v) = t.parse::<u64>() {
                return serde_json::Number::from(v);
            }
        }
        serde_json::Number::from_f64(self.value).unwrap_or_else(|| serde_json::Number::from(0))
    }
}

/// `true`, `false` or `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal {
    /// `true`
    True,
    /// `false`
    False,
    /// `null`
    Null,
}

/// Exact powers of ten representable in `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A byte as a message names it.
pub fn describe(b: u8) -> String {
    match b {
        b'"' => "'\"'".to_string(),
        0x20..=0x7E => format!("'{}'", b as char),
        b'\n' => "a line break".to_string(),
        b'\t' => "a tab".to_string(),
        _ => format!("byte 0x{b:02X}"),
    }
}

/// Whether `b` starts with a complete, valid UTF-8 sequence.
fn starts_valid_utf8(b: &[u8]) -> bool {
    match std::str::from_utf8(&b[..b.len().min(4)]) {
        Ok(_) => true,
        Err(e) => e.valid_up_to() > 0,
    }
}

/// The error for what is at `i` (or the end of the input) where `expected` was wanted.
pub fn unexpected(b: &[u8], i: usize, expected: &str) -> LexError {
    let message = match b.get(i) {
        None => {
            if i == 0 || (i == 3 && b.starts_with(b"\xEF\xBB\xBF")) {
                "empty input: expected a JSON value".to_string()
            } else {
                format!("unexpected end of file: expected {expected} (the file seems truncated)")
            }
        }
        Some(&c) if c >= 0x80 => {
            if starts_valid_utf8(&b[i..]) {
                format!("unexpected character; expected {expected}")
            } else {
                format!("invalid UTF-8 (byte 0x{c:02X}); expected {expected}")
            }
        }
        Some(&c) => format!("unexpected {}; expected {expected}", describe(c)),
    };
    LexError { at: i, message }
}

/// The error where a value was wanted and what is at `i` cannot start one (`NaN`,
/// `Infinity`, `+1`, `.5`, `'text'`, anything else).
pub fn not_a_value(b: &[u8], i: usize) -> LexError {
    let rest = b.get(i..).unwrap_or_default();
    let message = match rest.first() {
        Some(b'N') if rest.starts_with(b"NaN") => "NaN is not a valid JSON value (JSON has no NaN)",
        Some(b'I') if rest.starts_with(b"Infinity") => {
            "Infinity is not a valid JSON value (JSON has no infinities)"
        }
        Some(b'+') => "a JSON number cannot start with '+'",
        Some(b'.') => "a JSON number cannot start with '.'",
        Some(b'\'') => "JSON strings must use double quotes",
        _ => return unexpected(b, i, "a JSON value"),
    };
    LexError {
        at: i,
        message: message.into(),
    }
}

/// The error where an object key was wanted.
pub fn not_a_key(b: &[u8], i: usize) -> LexError {
    match b.get(i) {
        Some(b'\'') => LexError {
            at: i,
            message: "object keys must use double quotes".into(),
        },
        _ => unexpected(b, i, "an object key in double quotes"),
    }
}

/// The error for a `,` followed by `close` (`]` or `}`), at the closing byte.
pub fn trailing_comma(at: usize, close: u8) -> LexError {
    LexError {
        at,
        message: format!(
            "trailing comma before '{}' is not allowed in JSON",
            close as char
        ),
    }
}

/// The error for nesting deeper than `max` arrays/objects, at the opening byte.
pub fn too_deep(at: usize, max: usize) -> LexError {
    LexError {
        at,
        message: format!("nesting too deep: more than {max} arrays/objects inside each other"),
    }
}

/// The error for something after the top-level value.
pub fn trailing(b: &[u8], at: usize) -> LexError {
    LexError {
        at,
        message: format!(
            "unexpected {} after the end of the JSON value (only one top-level value is allowed)",
            b.get(at)
                .map_or_else(|| "end".to_string(), |&c| describe(c))
        ),
    }
}

/// A literal at `*i`, if there is one (the cursor moves past it).
#[inline]
pub fn literal(b: &[u8], i: &mut usize) -> Option<Literal> {
    let rest = b.get(*i..)?;
    let (lit, n) = match rest.first()? {
        b't' if rest.starts_with(b"true") => (Literal::True, 4),
        b'f' if rest.starts_with(b"false") => (Literal::False, 5),
        b'n' if rest.starts_with(b"null") => (Literal::Null, 4),
        _ => return None,
    };
    *i += n;
    Some(lit)
}

/// A number at `*i` (which must be at `-` or a digit).
#[inline]
pub fn number(b: &[u8], i: &mut usize) -> Result<NumberToken, LexError> {
    let start = *i;
    let mut j = start;
    let neg = b.get(j) == Some(&b'-');
    if neg {
        j += 1;
        if b.get(j..).is_some_and(|r| r.starts_with(b"Infinity")) {
            return fail(
                start,
                "-Infinity is not a valid JSON value (JSON has no infinities)",
            );
        }
    }
    // Digits by hand, accumulating the decimal mantissa for the exact fast path.
    let mut mant: u64 = 0;
    let int_start = j;
    while let Some(&c) = b.get(j) {
        if !c.is_ascii_digit() {
            break;
        }
        mant = mant.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
        j += 1;
    }
    let n = j - int_start;
    if n == 0 {
        return fail(j, "expected a digit in the number");
    }
    if n > 1 && b[int_start] == b'0' {
        return fail(start, "numbers cannot have leading zeros in JSON");
    }
    let mut ndig = n;
    let mut frac = 0usize;
    if b.get(j) == Some(&b'.') {
        j += 1;
        let from = j;
        while let Some(&c) = b.get(j) {
            if !c.is_ascii_digit() {
                break;
            }
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            j += 1;
        }
        frac = j - from;
        ndig += frac;
        if frac == 0 {
            return fail(j, "expected a digit after the decimal point");
        }
    }
    let mut exp = false;
    if matches!(b.get(j), Some(b'e' | b'E')) {
        exp = true;
        j += 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let from = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j == from {
            return fail(j, "expected a digit in the exponent");
        }
    }
    let text = &b[start..j];
    let value: f64 = if !exp && ndig <= 15 && frac < POW10.len() {
        // Clinger's fast path: mantissa < 10^15 < 2^53 and 10^frac are exact f64s, so one
        // correctly rounded division gives the correctly rounded value.
        let v = mant as f64 / POW10[frac];
        if neg { -v } else { v }
    } else {
        match fast_float2::parse(text) {
            Ok(v) => v,
            Err(_) => return fail(start, "malformed number"),
        }
    };
    if !value.is_finite() {
        return fail(
            start,
            format!(
                "number {} is out of range (larger than the largest 64-bit float)",
                String::from_utf8_lossy(text)
            ),
        );
    }
    *i = j;
    Ok(NumberToken {
        value,
        start,
        end: j,
        integer: frac == 0 && !exp,
    })
}

/// A string at `*i` (which must be at `"`), unescaped; borrowed when it has no escapes.
#[inline]
pub fn string<'a>(b: &'a [u8], i: &mut usize) -> Result<Cow<'a, str>, LexError> {
    let open = *i;
    let from = open + 1;
    let (end, stop) = chunk_end(b, from);
    if stop == Some(b'"') {
        let s = utf8(b, from, end)?;
        *i = end + 1;
        return Ok(Cow::Borrowed(s));
    }
    let mut out = String::new();
    let mut j = from;
    let (mut end, mut stop) = (end, stop);
    loop {
        out.push_str(utf8(b, j, end)?);
        match stop {
            None => {
                return fail(
                    open,
                    "unterminated string: the file ends before the closing '\"'",
                );
            }
            Some(b'"') => {
                *i = end + 1;
                return Ok(Cow::Owned(out));
            }
            Some(b'\\') => {
                j = escape(b, end, &mut out)?;
            }
            Some(b'\n') => {
                return fail(
                    end,
                    "line break inside a string (unterminated string, or write \\n)",
                );
            }
            Some(c) => {
                return fail(
                    end,
                    format!("control character 0x{c:02X} inside a string must be escaped"),
                );
            }
        }
        (end, stop) = chunk_end(b, j);
    }
}

/// The end of the plain run of string bytes from `from`: the first `"`, `\` or control
/// byte, and that byte (`None` at the end of the input).
#[inline]
fn chunk_end(b: &[u8], from: usize) -> (usize, Option<u8>) {
    let rest = b.get(from..).unwrap_or_default();
    let q = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
    let e = rest[..q].iter().position(|&c| c < 0x20).unwrap_or(q);
    (from + e, rest.get(e).copied())
}

#[inline]
fn utf8(b: &[u8], from: usize, to: usize) -> Result<&str, LexError> {
    std::str::from_utf8(&b[from..to]).map_err(|e| LexError {
        at: from + e.valid_up_to(),
        message: "invalid UTF-8 in a string (JSON text must be UTF-8)".into(),
    })
}

/// One escape sequence at `at` (the backslash); returns the offset after it.
fn escape(b: &[u8], at: usize, out: &mut String) -> Result<usize, LexError> {
    let Some(&c) = b.get(at + 1) else {
        return fail(at, "unterminated string: the file ends in an escape");
    };
    let mut j = at + 2;
    let ch = match c {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = hex4(b, j, at)?;
            j += 4;
            if (0xD800..0xDC00).contains(&hi) {
                if b.get(j) == Some(&b'\\') && b.get(j + 1) == Some(&b'u') {
                    let lo_at = j;
                    let lo = hex4(b, j + 2, lo_at)?;
                    j += 6;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return fail(
                            lo_at,
                            "invalid \\u escape: a high surrogate must be followed by a low surrogate",
                        );
                    }
                    let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    match char::from_u32(cp) {
                        Some(ch) => ch,
                        None => return fail(at, "invalid \\u escape"),
                    }
                } else {
                    return fail(at, "invalid \\u escape: unpaired surrogate");
                }
            } else {
                match char::from_u32(hi) {
                    Some(ch) => ch,
                    None => return fail(at, "invalid \\u escape: unpaired surrogate"),
                }
            }
        }
        other => {
            return fail(
                at,
                format!("invalid escape '\\{}' in a string", other.escape_ascii()),
            );
        }
    };
    out.push(ch);
    Ok(j)
}

fn hex4(b: &[u8], i: usize, at: usize) -> Result<u32, LexError> {
    let bad = || LexError {
        at,
        message: "invalid \\u escape: expected 4 hex digits".into(),
    };
    let h = b.get(i..i + 4).ok_or_else(bad)?;
    let mut v = 0u32;
    for &c in h {
        v = v * 16 + (c as char).to_digit(16).ok_or_else(bad)?;
    }
    Ok(v)
}
