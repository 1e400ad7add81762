//! Number formatting shared by every layer (tables, legends, the dashboard, page furniture).

/// A number with thousands separators in its integer part, decimals kept as the shortest
/// text that reads back ("1,234,567", "12,345.5", "-0.25"); the one digit-grouping rule of
/// the crate (tables, legends, the dashboard). Non-finite values and |v| ≥ 1e15 are written
/// plainly.
pub fn group_digits(v: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e15 {
        return format!("{v}");
    }
    let text = format!("{}", v.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    if v < 0.0 {
        out.push('-');
    }
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}
