//! Paper: named sizes (ISO A4, A3, A2, US Letter) and custom `WxHmm`, orientation, margins,
//! and the units of a page — millimetres, PostScript points (1/72 in, the unit of the whole
//! layout) and raster pixels at a DPI.

/// Points per millimetre (72 / 25.4).
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// The DPI range accepted for raster output.
pub const DPI_RANGE: std::ops::RangeInclusive<f64> = 48.0..=600.0;

/// A page size or margin that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PageError {
    /// Not a known paper name nor `WxHmm`.
    #[error("page {0:?}: expected A4, A3, A2, Letter or WxHmm (e.g. 300x200mm)")]
    Paper(String),
    /// A custom size outside 50–2000 mm.
    #[error("page {0:?}: each side must be between 50 and 2000 mm")]
    Size(String),
    /// Margins leave no room for the map.
    #[error("margin {0} mm leaves no room on a {1}×{2} mm page")]
    Margin(f64, f64, f64),
    /// A DPI outside [`DPI_RANGE`].
    #[error("dpi {0}: must be between 48 and 600")]
    Dpi(f64),
}

/// A page: size in millimetres (already oriented), margin, and raster density.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    /// Width, mm.
    pub width_mm: f64,
    /// Height, mm.
    pub height_mm: f64,
    /// Margin on every side, mm.
    pub margin_mm: f64,
    /// Raster density, dots per inch (PNG and GIF output).
    pub dpi: f64,
}

impl Default for Page {
    /// A4 landscape, 10 mm margins, 150 dpi.
    fn default() -> Self {
        Page {
            width_mm: 297.0,
            height_mm: 210.0,
            margin_mm: 10.0,
            dpi: 150.0,
        }
    }
}

/// A paper size by name (`A4`, `a3`, `Letter`) or `WxHmm` (`300x200mm`, `300x200`), portrait
/// as given (width, height in mm).
pub fn paper_mm(name: &str) -> Result<(f64, f64), PageError> {
    let n = name.trim().to_ascii_lowercase();
    let named = match n.as_str() {
        "a5" => Some((148.0, 210.0)),
        "a4" => Some((210.0, 297.0)),
        "a3" => Some((297.0, 420.0)),
        "a2" => Some((420.0, 594.0)),
        "a1" => Some((594.0, 841.0)),
        "letter" => Some((215.9, 279.4)),
        "tabloid" => Some((279.4, 431.8)),
        _ => None,
    };
    if let Some(s) = named {
        return Ok(s);
    }
    let body = n.strip_suffix("mm").unwrap_or(&n);
    let (w, h) = body
        .split_once(['x', '×'])
        .ok_or_else(|| PageError::Paper(name.to_string()))?;
    let parse = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let (w, h) = parse(w)
        .zip(parse(h))
        .ok_or_else(|| PageError::Paper(name.to_string()))?;
    if !((50.0..=2000.0).contains(&w) && (50.0..=2000.0).contains(&h)) {
        return Err(PageError::Size(name.to_string()));
    }
    Ok((w, h))
}

impl Page {
    /// A page from a paper name, orientation, margin (mm) and DPI, checked.
    pub fn new(paper: &str, landscape: bool, margin_mm: f64, dpi: f64) -> Result<Page, PageError> {
        let (a, b) = paper_mm(paper)?;
        let (w, h) = if landscape == (a < b) { (b, a) } else { (a, b) };
        if !(dpi.is_finite() && DPI_RANGE.contains(&dpi)) {
            return Err(PageError::Dpi(dpi));
        }
        if !(margin_mm.is_finite() && margin_mm >= 0.0 && 2.0 * margin_mm < w.min(h) - 40.0) {
            return Err(PageError::Margin(margin_mm, w, h));
        }
        Ok(Page {
            width_mm: w,
            height_mm: h,
            margin_mm,
            dpi,
        })
    }

    /// Size in points `(w, h)`.
    pub fn size_pt(&self) -> (f64, f64) {
        (self.width_mm * PT_PER_MM, self.height_mm * PT_PER_MM)
    }

    /// Margin in points.
    pub fn margin_pt(&self) -> f64 {
        self.margin_mm * PT_PER_MM
    }

    /// Raster pixels per point at this DPI.
    pub fn px_per_pt(&self) -> f64 {
        self.dpi / 72.0
    }

    /// Raster size in pixels at this DPI (rounded), e.g. A4 landscape at 300 dpi → 3508 × 2480.
    pub fn size_px(&self) -> (u32, u32) {
        let px = |mm: f64| (mm / 25.4 * self.dpi).round().max(1.0) as u32;
        (px(self.width_mm), px(self.height_mm))
    }

    /// Whether the page is wider than tall.
    pub fn is_landscape(&self) -> bool {
        self.width_mm > self.height_mm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_points_and_pixels() {
        let a4 = Page::new("A4", true, 10.0, 300.0).expect("a4");
        let (w, h) = a4.size_pt();
        // ISO 216: 297 × 210 mm = 841.89 × 595.28 pt
        assert_eq!((w.round(), h.round()), (842.0, 595.0));
        // 297 mm / 25.4 × 300 = 3507.9
        assert_eq!(a4.size_px(), (3508, 2480));
        let a3 = Page::new("a3", false, 10.0, 96.0).expect("a3");
        assert_eq!((a3.width_mm, a3.height_mm), (297.0, 420.0));
        let letter = Page::new("Letter", true, 10.0, 72.0).expect("letter");
        assert_eq!(letter.size_px(), (792, 612));
        assert_eq!(paper_mm("300x200mm"), Ok((300.0, 200.0)));
        assert!(matches!(paper_mm("B7"), Err(PageError::Paper(_))));
        assert!(matches!(paper_mm("10x10mm"), Err(PageError::Size(_))));
        assert!(matches!(
            Page::new("A4", true, 150.0, 150.0),
            Err(PageError::Margin(..))
        ));
        assert!(matches!(
            Page::new("A4", true, 10.0, 5000.0),
            Err(PageError::Dpi(_))
        ));
    }
}
