//! The SVG back end of a page layout, written as text (no SVG crate needed for writing; every
//! string goes through [`xml_escape`]). Sizes are in points (`width="842pt"`, one user unit a
//! point); the map is clipped to its frame; text is `<text>` in the shipped Noto Sans CJK
//! subset, embedded whole (89 KB) as an `@font-face` data URL so that the page looks the same
//! on a machine without the font, with system CJK fonts as the fallback.

use super::layout::PAPER;
use super::layout::display::{Align, DisplayList, Item, Pt};
use super::style::Rgba;
use base64::Engine;
use std::fmt::Write;

/// Escape text for XML character data and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // characters XML 1.0 does not allow
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn colour(c: Rgba) -> (String, f32) {
    let [r, g, b, a] = c.0;
    (format!("#{r:02x}{g:02x}{b:02x}"), f32::from(a) / 255.0)
}

fn paint_attrs(fill: Option<Rgba>, stroke: Option<(Rgba, f32)>) -> String {
    let mut s = String::new();
    match fill {
        Some(c) => {
            let (h, a) = colour(c);
            let _ = write!(s, r#" fill="{h}""#);
            if a < 1.0 {
                let _ = write!(s, r#" fill-opacity="{a:.3}""#);
            }
        }
        None => s.push_str(r#" fill="none""#),
    }
    if let Some((c, w)) = stroke {
        let (h, a) = colour(c);
        let _ = write!(
            s,
            r#" stroke="{h}" stroke-width="{w:.2}" stroke-linejoin="round" stroke-linecap="round""#
        );
        if a < 1.0 {
            let _ = write!(s, r#" stroke-opacity="{a:.3}""#);
        }
    }
    s
}

fn path_data(parts: &[Vec<Pt>], closed: bool) -> String {
    let mut d = String::new();
    for p in parts {
        for (i, q) in p.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.2} {:.2}",
                if i == 0 { 'M' } else { 'L' },
                q[0],
                q[1]
            );
        }
        if closed && !p.is_empty() {
            d.push('Z');
        }
    }
    d
}

fn item(out: &mut String, it: &Item) {
    match it {
        Item::Path {
            parts,
            closed,
            fill,
            stroke,
        } => {
            if parts.iter().all(|p| p.len() < 2) {
                return;
            }
            let fill = fill.filter(|_| *closed);
            let _ = writeln!(
                out,
                r#"<path d="{}" fill-rule="evenodd"{}/>"#,
                path_data(parts, *closed),
                paint_attrs(fill, *stroke)
            );
        }
        Item::Circle { c, r, fill, stroke } => {
            let _ = writeln!(
                out,
                r#"<circle cx="{:.2}" cy="{:.2}" r="{:.2}"{}/>"#,
                c[0],
                c[1],
                r,
                paint_attrs(*fill, *stroke)
            );
        }
        Item::Text {
            pos,
            text,
            size,
            color,
            halo,
            align,
            bold,
        } => {
            let anchor = match align {
                Align::Start => "start",
                Align::Middle => "middle",
                Align::End => "end",
            };
            let (h, a) = colour(*color);
            let mut attrs = format!(
                r#"x="{:.2}" y="{:.2}" font-size="{:.2}" text-anchor="{anchor}" fill="{h}""#,
                pos[0],
                pos[1],
                size * super::text::em_ratio()
            );
            if a < 1.0 {
                let _ = write!(attrs, r#" fill-opacity="{a:.3}""#);
            }
            if *bold {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if let Some(hc) = halo {
                let (hh, _) = colour(*hc);
                let _ = write!(
                    attrs,
                    r#" stroke="{hh}" stroke-width="{:.2}" stroke-linejoin="round" paint-order="stroke""#,
                    (size * 0.22).max(1.0)
                );
            }
            let _ = writeln!(out, "<text {attrs}>{}</text>", xml_escape(text));
        }
    }
}

/// The page as an SVG document.
pub fn write_svg(l: &DisplayList) -> String {
    let mut out = String::new();
    let font = base64::engine::general_purpose::STANDARD.encode(super::text::FONT_BYTES);
    let _ = writeln!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{w:.2}pt" height="{h:.2}pt" viewBox="0 0 {w:.2} {h:.2}">
<defs>
<style>@font-face {{ font-family: "Hetao Noto Sans CJK SC"; src: url(data:font/otf;base64,{font}) format("opentype"); }}
text {{ font-family: "Hetao Noto Sans CJK SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }}</style>
<clipPath id="map-frame"><rect x="{x:.2}" y="{y:.2}" width="{fw:.2}" height="{fh:.2}"/></clipPath>
</defs>"#,
        w = l.width,
        h = l.height,
        x = l.frame[0],
        y = l.frame[1],
        fw = l.frame[2] - l.frame[0],
        fh = l.frame[3] - l.frame[1],
    );
    let (paper, _) = colour(PAPER);
    let (bg, _) = colour(l.background);
    let _ = writeln!(
        out,
        r#"<rect x="0" y="0" width="{:.2}" height="{:.2}" fill="{paper}"/>"#,
        l.width, l.height
    );
    let _ = writeln!(out, r#"<g id="map" clip-path="url(#map-frame)">"#);
    let _ = writeln!(
        out,
        r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="{bg}"/>"#,
        l.frame[0],
        l.frame[1],
        l.frame[2] - l.frame[0],
        l.frame[3] - l.frame[1]
    );
    for it in &l.map {
        item(&mut out, it);
    }
    out.push_str("</g>\n<g id=\"furniture\">\n");
    for it in &l.over {
        item(&mut out, it);
    }
    out.push_str("</g>\n</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            super::xml_escape("a<b & \"c\" 'd'\u{1}>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }
}
