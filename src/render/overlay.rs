//! Screen decorations of a snapshot, in logical pixels: title and date (top left), north arrow
//! (top right), legend of the visible styled layers (bottom right), scale bar correct at the
//! view's centre latitude (bottom left), and the attribution line of every visible layer (bottom
//! edge; "illustrative data" for illustrative layers).

use super::Scene;
use super::camera::Camera;
use super::gpu::{Overlay, OverlayText};
use super::style::{ColorBy, Rgba};
use super::tessellate::GeoVertex;
use super::text::measure;

/// Text of the decorations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OverlayOptions {
    /// Title (top left); `None`: no title line.
    pub title: Option<String>,
    /// Date line under the title (e.g. "2026-11-24").
    pub date: Option<String>,
    /// "As of year" shown next to the date.
    pub year: Option<i32>,
}

/// How a legend entry's swatch is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    /// A filled box with an outline.
    Fill {
        /// Fill.
        fill: Rgba,
        /// Outline.
        stroke: Option<Rgba>,
    },
    /// A line.
    Line {
        /// Colour.
        color: Rgba,
        /// Width, logical px.
        width: f32,
    },
    /// A point marker.
    Point {
        /// Fill.
        fill: Rgba,
        /// Outline.
        stroke: Option<Rgba>,
    },
}

/// One legend block: a layer title and its entries.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendBlock {
    /// Layer title.
    pub title: String,
    /// (swatch, label) rows; a single row with an empty label for a layer with one colour.
    pub entries: Vec<(Swatch, String)>,
}

/// The legend blocks of a scene's layers whose style asks for a legend, top layer first.
pub fn legend(scene: &Scene) -> Vec<LegendBlock> {
    let mut out = Vec::new();
    for l in scene.layers.iter().rev() {
        let s = &l.style;
        if !s.legend || l.mesh.features_drawn == 0 {
            continue;
        }
        let opacity = s.opacity;
        let is_point = l.mesh.indices.is_empty() && !l.mesh.markers.is_empty();
        let is_line = !is_point && s.fill.is_none() && s.color_by.is_none();
        let stroke = s.stroke.map(|c| c.with_opacity(opacity));
        let swatch = |c: Rgba| {
            if is_point {
                Swatch::Point {
                    fill: c.with_opacity(opacity),
                    stroke,
                }
            } else if s.fill.is_none()
                && !is_point
                && l.mesh.markers.is_empty()
                && s.color_by.is_some()
                && s.stroke.is_none()
            {
                Swatch::Line {
                    color: c.with_opacity(opacity),
                    width: s.width.max(2.0),
                }
            } else {
                Swatch::Fill {
                    fill: c.with_opacity(opacity * s.fill_opacity),
                    stroke,
                }
            }
        };
        let entries = match &s.color_by {
            // only the classes that occur in the drawn features
            Some(ColorBy::Categorical {
                categories, other, ..
            }) => {
                let used = |i: usize| l.mesh.class_counts.get(i).is_some_and(|&n| n > 0);
                let mut e: Vec<_> = categories
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| used(*i))
                    .map(|(_, (_, c, label))| (swatch(*c), label.clone()))
                    .collect();
                if let Some(o) = other
                    && used(categories.len())
                {
                    e.push((swatch(*o), "other".to_string()));
                }
                e
            }
            Some(ColorBy::Graduated { classes, unit, .. }) => classes
                .iter()
                .enumerate()
                .filter(|(i, _)| l.mesh.class_counts.get(*i).is_some_and(|&n| n > 0))
                .map(|(i, (_, c))| (swatch(*c), class_label(classes, i, unit)))
                .collect(),
            None if is_line => match s.stroke {
                Some(c) => vec![(
                    Swatch::Line {
                        color: c.with_opacity(opacity),
                        width: s.width.clamp(1.0, 6.0),
                    },
                    String::new(),
                )],
                None => continue,
            },
            None if is_point => {
                let c = s.point_color.or(s.fill).or(s.stroke).unwrap_or(Rgba::BLACK);
                vec![(swatch(c), String::new())]
            }
            None => match s.fill {
                Some(c) => vec![(swatch(c), String::new())],
                None => continue,
            },
        };
        if entries.is_empty() {
            continue;
        }
        // Generated or schematic data says so in the legend too, not only in the credits.
        let title = if l.illustrative && !s.title.to_lowercase().contains("illustrative") {
            format!("{} (illustrative)", s.title)
        } else {
            s.title.clone()
        };
        out.push(LegendBlock { title, entries });
    }
    out
}

/// The label of class `k` of a graduated style: "a – b unit" up to the next class's minimum,
/// "a unit or more" for the last (numbers with thousands separators). The one rule for the map
/// legend, the snapshot legend and the app's layer panel.
pub fn class_label(classes: &[(f64, Rgba)], k: usize, unit: &str) -> String {
    use crate::core::format::group_digits;
    let Some((min, _)) = classes.get(k) else {
        return String::new();
    };
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    match classes.get(k + 1) {
        Some((next, _)) => format!("{} – {}{unit}", group_digits(*min), group_digits(*next)),
        // words, not "≥": the snapshot font (assets/fonts) has no U+2265
        None => format!("{}{unit} or more", group_digits(*min)),
    }
}

/// A scale bar: a "nice" ground length (1, 2 or 5 × 10^k m), its length on screen and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleBar {
    /// Ground length, metres.
    pub length_m: f64,
    /// Screen length, logical px.
    pub length_px: f32,
    /// "500 m", "2 km".
    pub label: String,
}

/// The scale bar at `ground_m_per_px` metres per logical pixel, at most `max_px` long.
pub fn scale_bar(ground_m_per_px: f64, max_px: f64) -> ScaleBar {
    let length_m = nice_length(ground_m_per_px * max_px);
    let label = if length_m >= 1000.0 {
        format!("{} km", length_m / 1000.0)
    } else {
        format!("{length_m} m")
    };
    ScaleBar {
        length_m,
        length_px: (length_m / ground_m_per_px) as f32,
        label,
    }
}

/// The attribution lines of the scene's layers (deduplicated, in layer order), with
/// "illustrative data" when any layer is illustrative.
pub fn attributions(scene: &Scene) -> Vec<String> {
    credit_lines(
        scene
            .layers
            .iter()
            .filter(|l| l.mesh.features_drawn > 0)
            .map(|l| {
                (
                    l.attribution.as_deref(),
                    l.illustrative,
                    l.style.title.as_str(),
                )
            }),
    )
}

/// The one credits rule, for the snapshot and the app's map: each (attribution, illustrative,
/// title) in order; an attribution is kept once per first clause ("© OpenStreetMap
/// contributors, ODbL 1.0" and "© OpenStreetMap contributors" are one credit), then
/// "illustrative data: …" names the illustrative layers.
pub fn credit_lines<'a>(
    layers: impl IntoIterator<Item = (Option<&'a str>, bool, &'a str)>,
) -> Vec<String> {
    let first_clause = |a: &str| a.split(',').next().unwrap_or(a).trim().to_string();
    let mut out: Vec<String> = Vec::new();
    let mut illustrative = Vec::new();
    for (attribution, is_illustrative, title) in layers {
        if let Some(a) = attribution {
            let key = first_clause(a);
            if !out.iter().any(|o| first_clause(o) == key) {
                out.push(a.to_string());
            }
        }
        if is_illustrative {
            illustrative.push(title);
        }
    }
    if !illustrative.is_empty() {
        out.push(format!("illustrative data: {}", illustrative.join(", ")));
    }
    out
}

/// Greedy line wrapping of attribution credits: credits are joined with " | " and a line
/// breaks between credits (or, for a single credit wider than `max_w`, between words) so
/// that no line is wider than `max_w` as measured by `width`.
pub fn wrap_credits(credits: &[String], max_w: f32, width: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let push_piece = |piece: &str, sep: &str, lines: &mut Vec<String>, current: &mut String| {
        let candidate = if current.is_empty() {
            piece.to_string()
        } else {
            format!("{current}{sep}{piece}")
        };
        if current.is_empty() || width(&candidate) <= max_w {
            *current = candidate;
        } else {
            lines.push(std::mem::take(current));
            *current = piece.to_string();
        }
    };
    for credit in credits {
        if width(credit) <= max_w {
            push_piece(credit, " | ", &mut lines, &mut current);
        } else {
            // a credit wider than a line: start it on a fresh line and wrap it by words
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            for word in credit.split(' ') {
                push_piece(word, " ", &mut lines, &mut current);
            }
            lines.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// A "nice" scale-bar length (1, 2 or 5 × 10^k metres) not longer than `max_m`.
pub fn nice_length(max_m: f64) -> f64 {
    if !(max_m.is_finite() && max_m > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    for m in [5.0, 2.0, 1.0] {
        if m * p <= max_m {
            return m * p;
        }
    }
    p
}

struct Painter {
    o: Overlay,
}

impl Painter {
    fn tri(&mut self, a: [f32; 2], b: [f32; 2], c: [f32; 2], col: Rgba) {
        let base = self.o.vertices.len() as u32;
        for p in [a, b, c] {
            self.o.vertices.push(GeoVertex {
                pos: p,
                offset: [0.0; 2],
                color: col.0,
            });
        }
        self.o
            .indices
            .extend_from_slice(&[base, base + 1, base + 2]);
    }
    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, col: Rgba) {
        self.tri([x0, y0], [x1, y0], [x0, y1], col);
        self.tri([x1, y0], [x1, y1], [x0, y1], col);
    }
    fn frame(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, w: f32, col: Rgba) {
        self.rect(x0, y0, x1, y0 + w, col);
        self.rect(x0, y1 - w, x1, y1, col);
        self.rect(x0, y0, x0 + w, y1, col);
        self.rect(x1 - w, y0, x1, y1, col);
    }
    fn disc(&mut self, c: [f32; 2], r: f32, col: Rgba) {
        let n = 24;
        for i in 0..n {
            let a0 = i as f32 / n as f32 * std::f32::consts::TAU;
            let a1 = (i + 1) as f32 / n as f32 * std::f32::consts::TAU;
            self.tri(
                c,
                [c[0] + r * a0.cos(), c[1] + r * a0.sin()],
                [c[0] + r * a1.cos(), c[1] + r * a1.sin()],
                col,
            );
        }
    }
    fn text(
        &mut self,
        x: f32,
        baseline: f32,
        text: &str,
        size: f32,
        color: Rgba,
        halo: Option<Rgba>,
    ) {
        self.o.texts.push(OverlayText {
            pos: [x, baseline],
            text: text.to_string(),
            size,
            color,
            halo,
        });
    }
}

const INK: Rgba = Rgba([33, 33, 33, 255]);
const PANEL: Rgba = Rgba([255, 255, 255, 225]);
const EDGE: Rgba = Rgba([120, 120, 120, 255]);

/// Build the decorations for a scene seen through `camera`.
pub fn build(scene: &Scene, camera: &Camera, opts: &OverlayOptions) -> Overlay {
    let mut p = Painter {
        o: Overlay::default(),
    };
    let (w, h) = (camera.width as f32, camera.height as f32);
    let margin = 12.0;

    // title and date, top left
    let mut y = margin;
    if let Some(t) = opts.title.as_deref().filter(|t| !t.is_empty()) {
        let (tw, asc, desc) = measure(t, 18.0);
        p.text(margin, y + asc, t, 18.0, INK, Some(Rgba::WHITE));
        p.o.reserved.push([margin, y, margin + tw, y + asc + desc]);
        y += asc + desc + 4.0;
    }
    let date_line = match (&opts.date, opts.year) {
        (Some(d), Some(yr)) => Some(format!("{d} · as of {yr}")),
        (Some(d), None) => Some(d.clone()),
        (None, Some(yr)) => Some(format!("as of {yr}")),
        (None, None) => None,
    };
    if let Some(d) = date_line {
        let (dw, asc, desc) = measure(&d, 11.0);
        p.text(margin, y + asc, &d, 11.0, INK, Some(Rgba::WHITE));
        p.o.reserved.push([margin, y, margin + dw, y + asc + desc]);
    }

    // north arrow, top right
    let (ax, ay) = (w - margin - 14.0, margin + 16.0);
    let (nw, nasc, _) = measure("N", 12.0);
    p.disc([ax, ay + 16.0], 17.0, PANEL);
    p.o.reserved
        .push([ax - 17.0, ay - 1.0, ax + 17.0, ay + 33.0]);
    p.text(ax - nw / 2.0, ay + nasc - 2.0, "N", 12.0, INK, None);
    p.tri([ax, ay + 12.0], [ax - 7.0, ay + 30.0], [ax, ay + 25.0], INK);
    p.tri(
        [ax, ay + 12.0],
        [ax, ay + 25.0],
        [ax + 7.0, ay + 30.0],
        EDGE,
    );

    // attribution, bottom edge (right aligned), wrapped so that every credit stays readable
    let size = 10.0;
    let lines = wrap_credits(&attributions(scene), (w - 16.0).max(40.0), |t| {
        measure(t, size).0
    });
    let attr_h = if lines.is_empty() {
        0.0
    } else {
        let (_, asc, desc) = measure("Hg", size);
        let line_h = asc + desc + 2.0;
        let block_h = line_h * lines.len() as f32 + 2.0;
        let widest = lines
            .iter()
            .map(|l| measure(l, size).0)
            .fold(0.0_f32, f32::max);
        let x0 = (w - widest - 8.0).max(0.0);
        p.rect(x0, h - block_h, w, h, PANEL);
        p.o.reserved.push([x0, h - block_h, w, h]);
        for (i, line) in lines.iter().enumerate() {
            let (tw, _, _) = measure(line, size);
            let baseline = h - block_h + 1.0 + line_h * i as f32 + asc;
            p.text(w - tw - 4.0, baseline, line, size, INK, None);
        }
        block_h
    };

    // scale bar, bottom left
    let ScaleBar {
        length_px: len_px,
        label,
        ..
    } = scale_bar(camera.ground_metres_per_pixel(), 120.0);
    let (lw, lasc, _) = measure(&label, 11.0);
    let by = h - attr_h - margin - 6.0;
    let bx = margin;
    let panel = [
        bx - 4.0,
        by - lasc - 10.0,
        bx + len_px.max(lw) + 4.0,
        by + 6.0,
    ];
    p.rect(panel[0], panel[1], panel[2], panel[3], PANEL);
    p.o.reserved.push(panel);
    p.rect(bx, by, bx + len_px, by + 3.0, INK);
    p.rect(bx, by - 6.0, bx + 1.5, by + 3.0, INK);
    p.rect(bx + len_px - 1.5, by - 6.0, bx + len_px, by + 3.0, INK);
    p.text(
        bx + (len_px - lw).max(0.0) / 2.0,
        by - 6.0,
        &label,
        11.0,
        INK,
        None,
    );

    // legend, bottom right
    let blocks = legend(scene);
    if !blocks.is_empty() {
        let (hs, es, sw, row) = (12.0f32, 11.0f32, 18.0f32, 17.0f32);
        let mut width = 0f32;
        let mut height = 0f32;
        for b in &blocks {
            width = width
                .max(measure(&b.title, hs).0 + if b.entries.len() == 1 { sw + 6.0 } else { 0.0 });
            height += row + 2.0;
            if b.entries.len() > 1 {
                for (_, label) in &b.entries {
                    width = width.max(sw + 6.0 + measure(label, es).0);
                    height += row;
                }
            }
            height += 4.0;
        }
        let pad = 8.0;
        let x1 = w - margin;
        let x0 = x1 - width - 2.0 * pad;
        let y1 = h - attr_h - margin;
        let y0 = y1 - height - 2.0 * pad + 4.0;
        p.rect(x0, y0, x1, y1, PANEL);
        p.frame(x0, y0, x1, y1, 1.0, EDGE);
        p.o.reserved.push([x0, y0, x1, y1]);
        let mut y = y0 + pad;
        for b in &blocks {
            let single = b.entries.len() == 1;
            let mut tx = x0 + pad;
            if single {
                swatch(&mut p, tx, y + 2.0, sw, row - 6.0, b.entries[0].0);
                tx += sw + 6.0;
            }
            let (_, asc, _) = measure(&b.title, hs);
            p.text(tx, y + (row + asc) / 2.0 - 2.0, &b.title, hs, INK, None);
            y += row + 2.0;
            if !single {
                for (s, label) in &b.entries {
                    swatch(&mut p, x0 + pad, y + 2.0, sw, row - 6.0, *s);
                    let (_, asc, _) = measure(label, es);
                    p.text(
                        x0 + pad + sw + 6.0,
                        y + (row + asc) / 2.0 - 2.0,
                        label,
                        es,
                        INK,
                        None,
                    );
                    y += row;
                }
            }
            y += 4.0;
        }
    }
    p.o
}

fn swatch(p: &mut Painter, x: f32, y: f32, w: f32, h: f32, s: Swatch) {
    match s {
        Swatch::Fill { fill, stroke } => {
            p.rect(x, y, x + w, y + h, fill);
            if let Some(c) = stroke {
                p.frame(x, y, x + w, y + h, 1.0, c);
            }
        }
        Swatch::Line { color, width } => {
            let cy = y + h / 2.0;
            p.rect(x, cy - width / 2.0, x + w, cy + width / 2.0, color);
        }
        Swatch::Point { fill, stroke } => {
            let c = [x + w / 2.0, y + h / 2.0];
            let r = h / 2.0;
            if let Some(sc) = stroke {
                p.disc(c, r, sc);
                p.disc(c, r - 1.5, fill);
            } else {
                p.disc(c, r, fill);
            }
        }
    }
}

/// Today's date in UTC as `YYYY-MM-DD` (from the system clock).
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn credits_wrap_without_losing_any_and_fit_the_width() {
        let credits: Vec<String> = vec![
            "© OpenStreetMap contributors".into(),
            "HKSAR Government / Home Affairs Department, via DATA.GOV.HK".into(),
            "a very long illustrative credit that is wider than one line on its own".into(),
        ];
        let width = |t: &str| t.chars().count() as f32;
        let lines = super::wrap_credits(&credits, 40.0, width);
        assert!(lines.iter().all(|l| width(l) <= 40.0), "{lines:?}");
        let joined = lines.join(" ");
        for c in &credits {
            for word in c.split(' ') {
                assert!(joined.contains(word), "{word} lost in {lines:?}");
            }
        }
    }

    use super::*;

    #[test]
    fn dates_and_nice_lengths() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(nice_length(730.0), 500.0);
        assert_eq!(nice_length(199.0), 100.0);
        assert_eq!(nice_length(2500.0), 2000.0);
        let bar = scale_bar(5.0, 120.0);
        assert_eq!((bar.length_m, bar.length_px), (500.0, 100.0));
        assert_eq!(bar.label, "500 m");
        assert_eq!(scale_bar(20.0, 120.0).label, "2 km");
        let classes = [
            (0.0, Rgba::BLACK),
            (50_000.0, Rgba::BLACK),
            (1.5e5, Rgba::BLACK),
        ];
        assert_eq!(class_label(&classes, 0, "m²"), "0 – 50,000 m²");
        assert_eq!(class_label(&classes, 2, "m²"), "150,000 m² or more");
        assert_eq!(class_label(&classes, 2, ""), "150,000 or more");
    }
}
