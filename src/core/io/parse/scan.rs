//! Cheap look-ahead over bytes that have not been parsed yet: the root object's `type`
//! and guesses at where a Feature starts (for the parallel split). Nothing here validates;
//! every guess is verified by the real parse.

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

pub(super) fn find_root_type(b: &[u8], start: usize) -> Option<String> {
    object_type(b, start, usize::MAX).map(|(t, _)| t)
}

/// A guess at the start of a Feature object at or after `from`: a `{` preceded by `,`
/// whose own `type` member is `"Feature"`. Verified later by the chunk before it.
pub(super) fn find_feature_start(b: &[u8], from: usize) -> Option<usize> {
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
