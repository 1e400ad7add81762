//! How a file is opened when its own metadata is not enough: the CRS to assume for a file
//! that declares none (a DXF drawing, a CSV of X/Y columns, a Shapefile without `.prj`) and
//! the text encoding of a Shapefile's `.dbf`. A load that fails for want of a CRS opens the
//! question ([`CrsPrompt`]); the answer reopens the file with [`OpenChoice`], as `--crs` and
//! `--encoding` do on the command line.

use super::HetaoApp;
use std::path::{Path, PathBuf};

/// The CRSs planners of the zone meet most, offered first: (code, what it is).
pub const COMMON_CRS: &[(&str, &str)] = &[
    (
        "EPSG:4547",
        "CGCS2000 / 3-degree Gauss-Kruger CM 114E (Shenzhen survey)",
    ),
    ("EPSG:4490", "CGCS2000 geographic (lon/lat)"),
    ("EPSG:2326", "Hong Kong 1980 Grid"),
    ("EPSG:4326", "WGS 84 (lon/lat)"),
    ("EPSG:32650", "WGS 84 / UTM zone 50N"),
];

/// The `.dbf` encodings offered: (GDAL's name, label). The empty name is "as the file says".
pub const ENCODINGS: &[(&str, &str)] = &[
    ("", "as the file says (.cpg, else UTF-8)"),
    ("UTF-8", "UTF-8"),
    ("GBK", "GBK (simplified Chinese)"),
    ("GB18030", "GB18030"),
    ("BIG5", "Big5 (traditional Chinese)"),
];

/// What to assume when opening a file: `None` fields leave the file's own metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenChoice {
    /// The CRS of a file that declares none (`"EPSG:4547"`).
    pub crs: Option<String>,
    /// The `.dbf` encoding (`"GBK"`).
    pub encoding: Option<String>,
}

/// The open question "which CRS is this file in?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrsPrompt {
    /// The file that failed to load.
    pub path: PathBuf,
    /// The CRS typed or picked.
    pub crs: String,
    /// The `.dbf` encoding picked (`""`: the file's own).
    pub encoding: String,
    /// Why the last answer was refused (an unknown CRS).
    pub error: Option<String>,
    /// The text field had the keyboard focus once (it is given it when the prompt opens).
    pub focused: bool,
}

impl CrsPrompt {
    /// A new question about `path`, with the Shenzhen survey CRS suggested.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            crs: COMMON_CRS[0].0.to_string(),
            encoding: String::new(),
            error: None,
            focused: false,
        }
    }

    /// Whether the file is a Shapefile (the encoding choice applies to it only).
    pub fn is_shapefile(&self) -> bool {
        is_shapefile(&self.path)
    }
}

/// Whether `path` is a Shapefile (by its `.shp` or `.dbf` extension).
pub fn is_shapefile(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("shp") || e.eq_ignore_ascii_case("dbf"))
}

impl HetaoApp {
    /// A load failed because the file declares no CRS: ask for one (unless a question is
    /// already open).
    pub(crate) fn ask_crs(&mut self, path: PathBuf) {
        if self.crs_prompt.is_none() {
            self.crs_prompt = Some(CrsPrompt::new(path));
        }
    }

    /// The answer to the CRS question: `Some` reopens the file with the CRS and encoding
    /// given, when PROJ knows the CRS (else the question stays, saying why); `None` closes
    /// the question and leaves the file's problem listed.
    pub fn answer_crs(&mut self, open: bool, ctx: &egui::Context) {
        let Some(mut q) = self.crs_prompt.take() else {
            return;
        };
        if !open {
            self.status = format!("{} not opened: it has no CRS", q.path.display());
            return;
        }
        let crs = crate::core::crs::normalize_crs_name(&q.crs);
        if let Err(e) = crate::core::crs::ensure_known(&crs) {
            q.error = Some(e.to_string());
            q.focused = false;
            self.crs_prompt = Some(q);
            return;
        }
        let encoding = (!q.encoding.is_empty() && q.is_shapefile()).then(|| q.encoding.clone());
        let file = q.path.display().to_string();
        self.remove_problems(&file);
        self.status = format!("opening {file} as {crs}");
        self.open_file_with(
            q.path,
            OpenChoice {
                crs: Some(crs),
                encoding,
            },
            ctx,
        );
    }
}
