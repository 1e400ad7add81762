//! What a Shapefile needs besides its `.shp`, checked before GDAL opens it, and how its
//! `.dbf` text is decoded.
//!
//! - `.shx` and `.dbf` must be there (GDAL would otherwise fail, or silently drop every
//!   attribute); a missing `.prj` means the CRS is unknown (the caller refuses the layer
//!   unless a CRS is given).
//! - Encoding, in this order: the encoding the user passes (`--encoding GBK`, GDAL's
//!   `ENCODING` open option); else the `.cpg`; else the `.dbf` header's language driver id
//!   (LDID, byte 29) when it names one; else the text is read undecoded and must be UTF-8.
//!   GDAL's own fallback for a `.dbf` with neither is ISO-8859-1, which turns GBK text into
//!   mojibake without a word: instead, text that is not valid in the encoding in force is an
//!   error that names the feature and field and asks for `--encoding` ([`Encoding::hint`]).

use std::path::{Path, PathBuf};

/// The sidecar file of `shp` with extension `ext` (either case), if it exists.
pub fn sidecar(shp: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_ascii_lowercase(), ext.to_ascii_uppercase()]
        .into_iter()
        .map(|e| shp.with_extension(e))
        .find(|p| p.is_file())
}

/// Where the encoding in force comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encoding {
    /// Given by the user.
    Given(String),
    /// The `.cpg` file's content.
    Cpg {
        /// The `.cpg` path.
        path: PathBuf,
        /// What it says.
        name: String,
    },
    /// The `.dbf` header's language driver id.
    Ldid(u8),
    /// Nothing says: read undecoded, must be UTF-8.
    Undeclared,
}

impl Encoding {
    /// Decide the encoding of the Shapefile `shp` (`given`: the user's).
    pub fn of(shp: &Path, given: Option<&str>) -> Self {
        if let Some(g) = given {
            return Encoding::Given(g.to_string());
        }
        if let Some(cpg) = sidecar(shp, "cpg") {
            let name = std::fs::read_to_string(&cpg)
                .unwrap_or_default()
                .trim()
                .to_string();
            return Encoding::Cpg { path: cpg, name };
        }
        let ldid = sidecar(shp, "dbf").and_then(|dbf| {
            use std::io::Read;
            let mut head = [0u8; 32];
            let mut f = std::fs::File::open(dbf).ok()?;
            f.read_exact(&mut head).ok()?;
            Some(head[29])
        });
        match ldid {
            Some(id) if id != 0 => Encoding::Ldid(id),
            _ => Encoding::Undeclared,
        }
    }

    /// The GDAL open options this encoding needs.
    pub fn open_options(&self) -> Vec<String> {
        match self {
            Encoding::Given(e) => vec![format!("ENCODING={e}")],
            // no recoding: the bytes are checked to be UTF-8
            Encoding::Undeclared => vec!["ENCODING=".into()],
            Encoding::Cpg { .. } | Encoding::Ldid(_) => Vec::new(),
        }
    }

    /// What to tell the user when text does not decode.
    pub fn hint(&self) -> String {
        match self {
            Encoding::Given(e) => format!("the text is not valid {e} (the encoding given)"),
            Encoding::Cpg { path, name } => format!(
                "the text is not valid {name} (the encoding {} declares); if the .cpg is \
                 wrong, pass the right one with --encoding (e.g. --encoding GBK)",
                path.display()
            ),
            Encoding::Ldid(id) => format!(
                "the text is not valid in the code page the .dbf header declares (language \
                 driver id {id}); pass the right one with --encoding (e.g. --encoding GBK)"
            ),
            Encoding::Undeclared => "the .dbf declares no encoding (no .cpg) and its text is \
                 not UTF-8; pass the encoding with --encoding (e.g. --encoding GBK)"
                .into(),
        }
    }
}

/// The sidecar a Shapefile cannot be read without, if one is missing: `(ext, why)`.
pub fn missing_sidecar(shp: &Path) -> Option<(&'static str, &'static str)> {
    if sidecar(shp, "shx").is_none() {
        return Some((
            "shx",
            "the shape index, without which the shapes cannot be read",
        ));
    }
    if sidecar(shp, "dbf").is_none() {
        return Some((
            "dbf",
            "the attribute table, without which no feature has fields",
        ));
    }
    None
}

/// Every file of the Shapefile `shp` that exists (for the size check and for copying).
pub fn parts(shp: &Path) -> Vec<PathBuf> {
    let mut out = vec![shp.to_path_buf()];
    for ext in ["shx", "dbf", "prj", "cpg"] {
        out.extend(sidecar(shp, ext));
    }
    out
}
