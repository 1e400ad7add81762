//! The PDF back end of a page layout, with `krilla` (the typst authors' high-level PDF writer:
//! it embeds the font as a subset of the glyphs used, with a ToUnicode map so that the text
//! can be searched and extracted). Everything is vector: the map's polygons and lines are
//! paths clipped to the map frame, text is text in the shipped Noto Sans CJK subset (halos are
//! the glyph outlines stroked as paths, so that extracted text is not doubled). One page per
//! display list: a year series is a multi-page PDF.

use super::RenderError;
use super::layout::PAPER;
use super::layout::display::{DisplayList, Item, Pt, text_box};
use super::style::Rgba;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

fn paint(c: Rgba) -> (krilla::paint::Paint, NormalizedF32) {
    let [r, g, b, a] = c.0;
    (
        rgb::Color::new(r, g, b).into(),
        NormalizedF32::new(f32::from(a) / 255.0).unwrap_or(NormalizedF32::ONE),
    )
}

fn fill(c: Rgba) -> Fill {
    let (paint, opacity) = paint(c);
    Fill {
        paint,
        opacity,
        rule: FillRule::EvenOdd,
    }
}

fn stroke(c: Rgba, width: f32) -> Stroke {
    let (paint, opacity) = paint(c);
    Stroke {
        paint,
        width,
        opacity,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Stroke::default()
    }
}

fn path(parts: &[Vec<Pt>], closed: bool) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    for p in parts {
        let Some((first, rest)) = p.split_first() else {
            continue;
        };
        pb.move_to(first[0], first[1]);
        for q in rest {
            pb.line_to(q[0], q[1]);
        }
        if closed {
            pb.close();
        }
    }
    pb.finish()
}

fn circle(c: Pt, r: f32) -> Option<krilla::geom::Path> {
    // four cubic Béziers
    let k = 0.552_284_8 * r;
    let mut pb = PathBuilder::new();
    pb.move_to(c[0] + r, c[1]);
    pb.cubic_to(c[0] + r, c[1] + k, c[0] + k, c[1] + r, c[0], c[1] + r);
    pb.cubic_to(c[0] - k, c[1] + r, c[0] - r, c[1] + k, c[0] - r, c[1]);
    pb.cubic_to(c[0] - r, c[1] - k, c[0] - k, c[1] - r, c[0], c[1] - r);
    pb.cubic_to(c[0] + k, c[1] - r, c[0] + r, c[1] - k, c[0] + r, c[1]);
    pb.close();
    pb.finish()
}

fn draw(s: &mut Surface<'_>, font: &Font, it: &Item) {
    match it {
        Item::Path {
            parts,
            closed,
            fill: f,
            stroke: st,
        } => {
            let Some(p) = path(parts, *closed) else {
                return;
            };
            s.set_fill(f.filter(|_| *closed).map(fill));
            s.set_stroke(st.map(|(c, w)| stroke(c, w)));
            s.draw_path(&p);
        }
        Item::Circle {
            c,
            r,
            fill: f,
            stroke: st,
        } => {
            let Some(p) = circle(*c, *r) else { return };
            s.set_fill(f.map(fill));
            s.set_stroke(st.map(|(c, w)| stroke(c, w)));
            s.draw_path(&p);
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
            // the run's start: its box's left edge (the one alignment rule, `text_box`)
            let x = text_box(*pos, text, *size, *align)[0];
            let at = Point::from_xy(x, pos[1]);
            let em = size * super::text::em_ratio();
            if let Some(h) = halo {
                s.set_fill(None);
                s.set_stroke(Some(stroke(*h, (size * 0.22).max(1.0))));
                s.draw_text(at, font.clone(), em, text, true, TextDirection::Auto);
            }
            s.set_fill(Some(fill(*color)));
            s.set_stroke(bold.then(|| stroke(*color, size * 0.035)));
            s.draw_text(at, font.clone(), em, text, false, TextDirection::Auto);
        }
    }
}

/// Draw one display list on a PDF surface.
fn draw_page(s: &mut Surface<'_>, font: &Font, l: &DisplayList) {
    let f = l.frame;
    let rect = |r: [f32; 4]| {
        path(
            &[vec![[r[0], r[1]], [r[2], r[1]], [r[2], r[3]], [r[0], r[3]]]],
            true,
        )
    };
    if let Some(p) = rect([0.0, 0.0, l.width, l.height]) {
        s.set_stroke(None);
        s.set_fill(Some(fill(PAPER)));
        s.draw_path(&p);
    }
    if let Some(clip) = rect(f) {
        s.push_clip_path(&clip, &FillRule::NonZero);
        s.set_stroke(None);
        s.set_fill(Some(fill(l.background)));
        s.draw_path(&clip);
        for it in &l.map {
            draw(s, font, it);
        }
        s.pop();
    }
    for it in &l.over {
        draw(s, font, it);
    }
}

/// A PDF of the pages (one per display list), sized in points as laid out.
pub fn write_pdf(pages: &[&DisplayList]) -> Result<Vec<u8>, RenderError> {
    let font = Font::new(super::text::FONT_BYTES.into(), 0)
        .ok_or_else(|| RenderError::Text("the embedded font does not load for PDF".into()))?;
    let mut doc = Document::new();
    for l in pages {
        let settings = PageSettings::from_wh(l.width, l.height).ok_or_else(|| {
            RenderError::Encode(format!("bad page size {}×{}", l.width, l.height))
        })?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        draw_page(&mut s, &font, l);
        s.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| RenderError::Encode(format!("PDF: {e:?}")))
}
