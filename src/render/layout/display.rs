//! The device-independent display list of a page: paths (filled and/or stroked), circles and
//! text runs, in page points (y down, origin at the top-left corner). The PNG, PDF and SVG back
//! ends draw the same list, so the three outputs have the same layout.

use crate::render::style::Rgba;

/// A point on the page, pt.
pub type Pt = [f32; 2];

/// A box on the page `[x0, y0, x1, y1]`, pt.
pub type Rect = [f32; 4];

/// Horizontal alignment of a text run at its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// The position is the start of the baseline.
    #[default]
    Start,
    /// The position is the middle of the baseline.
    Middle,
    /// The position is the end of the baseline.
    End,
}

/// One thing drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Sub-paths (each a polyline; closed ones are rings of a polygon, filled with the
    /// non-zero rule, holes included) with an optional fill and stroke.
    Path {
        /// The sub-paths.
        parts: Vec<Vec<Pt>>,
        /// Whether each sub-path is closed.
        closed: bool,
        /// Fill colour.
        fill: Option<Rgba>,
        /// Stroke colour and width, pt.
        stroke: Option<(Rgba, f32)>,
    },
    /// A circle (point markers, the scale-bar ends).
    Circle {
        /// Centre.
        c: Pt,
        /// Radius, pt.
        r: f32,
        /// Fill.
        fill: Option<Rgba>,
        /// Stroke colour and width, pt.
        stroke: Option<(Rgba, f32)>,
    },
    /// A run of text on one baseline.
    Text {
        /// Baseline position (see `align`).
        pos: Pt,
        /// The text.
        text: String,
        /// Size, pt.
        size: f32,
        /// Colour.
        color: Rgba,
        /// Halo colour (an outline behind the glyphs).
        halo: Option<Rgba>,
        /// Alignment at `pos`.
        align: Align,
        /// Bold (drawn with a thin outline of the text colour).
        bold: bool,
    },
}

impl Item {
    /// A filled rectangle.
    pub fn rect(r: Rect, fill: Option<Rgba>, stroke: Option<(Rgba, f32)>) -> Item {
        Item::Path {
            parts: vec![vec![[r[0], r[1]], [r[2], r[1]], [r[2], r[3]], [r[0], r[3]]]],
            closed: true,
            fill,
            stroke,
        }
    }

    /// A stroked polyline.
    pub fn line(points: Vec<Pt>, color: Rgba, width: f32) -> Item {
        Item::Path {
            parts: vec![points],
            closed: false,
            fill: None,
            stroke: Some((color, width)),
        }
    }

    /// A plain text run.
    pub fn text(pos: Pt, text: impl Into<String>, size: f32, color: Rgba, align: Align) -> Item {
        Item::Text {
            pos,
            text: text.into(),
            size,
            color,
            halo: None,
            align,
            bold: false,
        }
    }

    /// The box the item covers (stroke included), pt; `None` for an empty path.
    pub fn bbox(&self) -> Option<Rect> {
        match self {
            Item::Path { parts, stroke, .. } => {
                let hw = stroke.map_or(0.0, |(_, w)| w / 2.0);
                let mut it = parts.iter().flatten();
                let first = it.next()?;
                let mut b = [first[0], first[1], first[0], first[1]];
                for p in it {
                    b = [
                        b[0].min(p[0]),
                        b[1].min(p[1]),
                        b[2].max(p[0]),
                        b[3].max(p[1]),
                    ];
                }
                Some([b[0] - hw, b[1] - hw, b[2] + hw, b[3] + hw])
            }
            Item::Circle { c, r, stroke, .. } => {
                let r = r + stroke.map_or(0.0, |(_, w)| w / 2.0);
                Some([c[0] - r, c[1] - r, c[0] + r, c[1] + r])
            }
            Item::Text {
                pos,
                text,
                size,
                align,
                ..
            } => Some(text_box(*pos, text, *size, *align)),
        }
    }
}

/// The box of a text run (advance width × ascent + descent), pt.
pub fn text_box(pos: Pt, text: &str, size: f32, align: Align) -> Rect {
    let (w, asc, desc) = crate::render::text::measure(text, size);
    let x0 = match align {
        Align::Start => pos[0],
        Align::Middle => pos[0] - w / 2.0,
        Align::End => pos[0] - w,
    };
    [x0, pos[1] - asc, x0 + w, pos[1] + desc]
}

/// Whether two boxes overlap (touching edges do not).
pub fn overlaps(a: Rect, b: Rect) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// A laid-out page: what every back end draws.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DisplayList {
    /// Page width, pt.
    pub width: f32,
    /// Page height, pt.
    pub height: f32,
    /// The map frame on the page, pt: map items are clipped to it.
    pub frame: Rect,
    /// The map's background colour (sea and unmapped land), filling the frame.
    pub background: Rgba,
    /// The map's features, in page points (vector back ends; the PNG back end draws the map
    /// with the GPU renderer instead and skips these).
    pub map: Vec<Item>,
    /// Everything on top of the map, drawn by every back end: map labels, grid, furniture.
    pub over: Vec<Item>,
    /// Boxes of the placed map labels (tests and the legend check).
    pub label_boxes: Vec<(String, Rect)>,
    /// Box of the legend, if drawn.
    pub legend_box: Option<Rect>,
}
