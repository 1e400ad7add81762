//! The tools and modes of the window: the pointer tool, the projected grid, the side panel's
//! tab and the forms being typed (inspector edit, new building).

/// The tool the map's pointer works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Click selects, drag pans, Shift+drag box-selects.
    Select,
    /// Click adds polyline vertices.
    Distance,
    /// Click adds polygon vertices.
    Area,
    /// Click adds the corners of a new building; double-click or Enter finishes.
    DrawBuilding,
    /// Click sets the origin of the travel reach (nothing is selected).
    Reach,
}

/// The projected grid shown in the status bar and used for planar measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grid {
    /// Hong Kong 1980 Grid (EPSG:2326).
    Hk1980,
    /// CGCS2000 / 3-degree Gauss–Krüger CM 114°E (EPSG:4547).
    Cgcs2000,
}

impl Grid {
    /// EPSG code.
    pub fn epsg(self) -> &'static str {
        match self {
            Grid::Hk1980 => "EPSG:2326",
            Grid::Cgcs2000 => "EPSG:4547",
        }
    }

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Grid::Hk1980 => "HK1980 Grid",
            Grid::Cgcs2000 => "CGCS2000 GK 114°E",
        }
    }
}

/// The right-hand panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Properties of the selection, and edits.
    Inspector,
    /// Measurement figures.
    Measure,
    /// Floor space toward 2035.
    Dashboard,
    /// Travel reach (isochrones, destination times).
    Reach,
}

/// The edit form of the inspector (values being typed for the selected feature).
#[derive(Debug, Clone, PartialEq)]
pub struct EditForm {
    /// The feature id the form is for.
    pub id: String,
    /// Status to set.
    pub status: String,
    /// Year for the status.
    pub status_year: i32,
    /// Year of the last history entry.
    pub year: i32,
    /// Floor area, m².
    pub m2: f64,
}

/// The new-building form after drawing an outline.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBuilding {
    /// Outline, lon/lat.
    pub ring: Vec<[f64; 2]>,
    /// Id to give.
    pub id: String,
    /// "SZ" or "HK".
    pub park: String,
    /// Use.
    pub use_: String,
    /// GFA, m².
    pub gfa_m2: f64,
    /// Status.
    pub status: String,
    /// Year of the status.
    pub year: i32,
}
