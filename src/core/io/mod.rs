//! GeoJSON input and output for the model (RFC 7946, plus legacy `crs` reprojection).
//!
//! - [`load_path`] / [`load_path_with`] / [`load_slice`] / [`load_slice_with`]: the fast loader
//!   (a hand-written byte scanner, see `parse`), parallel over the `features` array, with
//!   progress, cancellation and a memory guard that refuses a file that would not fit.
//! - [`layer_to_geojson`] / [`write_layer`] / [`Collection`]: the one GeoJSON writer (atomic,
//!   optional coordinate precision), which round-trips id, properties, foreign members, bbox
//!   and z.
//! - [`open_layers`]: the entry point for any layer file (GeoJSON here, other formats by
//!   dispatch), used by the CLI and the app.
//! - [`apply_legacy_crs`]: reproject a layer read with a legacy `crs` member to WGS84.
//!
//! Accepted: FeatureCollection, Feature, or a bare Geometry at the root; all seven geometry
//! types; `bbox`; foreign members (kept on the collection and on features); positions with a
//! third number (z, kept in [`Feature::z`](crate::core::model::Feature::z): one entry per
//! position in source order, `NaN` for a position that had only two numbers); `id` string or
//! number; `properties: null`; any ring winding; a UTF-8 byte-order mark. A legacy `crs`
//! member naming an EPSG code (`urn:ogc:def:crs:EPSG::2326`, `EPSG:3857`) is honoured by
//! reprojecting every coordinate (and bbox) to WGS84; an unknown one is an error. Every
//! feature records the line and column of its opening brace; every error names the file,
//! line and column.

mod gdal;
mod open;
mod parse;
mod write;

pub use self::gdal::{ExportError, ExportReport, Format, export_layer, layer_issues};
pub use open::{OpenOptions, is_geojson, open_layers};
pub(crate) use parse::PropertiesReader;

pub use write::{
    Collection, FeatureParts, WriteOptions, features_to_geojson, layer_to_geojson,
    layer_to_geojson_with, properties_json, write_geojson, write_layer, write_text,
};

use crate::core::model::{Layer, SourcePos};
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};

/// Estimated peak memory of a load, as a multiple of the file size: the model (the file
/// itself is mapped and given back as it is parsed, see [`load_path_with`]). Measured by
/// `benches/load.rs` on the building benchmark (see docs/load-index.md).
pub const MEMORY_FACTOR: u64 = 3;

/// Files at least this large are mapped rather than read (smaller ones are read whole).
pub const MAP_MIN_BYTES: u64 = 1 << 20;

/// Why a file could not be loaded. Every variant names the file; syntax and structure
/// errors carry the 1-based line and column where the input has them.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// File name.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The bytes are not (valid) GeoJSON.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// File name.
        file: String,
        /// 1-based line (0 when unknown).
        line: u32,
        /// 1-based column (0 when unknown).
        column: u32,
        /// What is wrong, for a person.
        message: String,
    },
    /// The load was cancelled by the caller.
    #[error("{file}: loading cancelled")]
    Cancelled {
        /// File name.
        file: String,
    },
    /// Loading would need more memory than is available (or allowed).
    #[error(
        "{file}: too large to load: {size} bytes would need about {needed} bytes of memory, \
         but only {available} bytes are {why}"
    )]
    TooLarge {
        /// File name.
        file: String,
        /// File size in bytes.
        size: u64,
        /// Estimated memory needed, bytes.
        needed: u64,
        /// Memory available or allowed, bytes.
        available: u64,
        /// "available" (from /proc/meminfo) or "allowed" (by `max_bytes`).
        why: &'static str,
    },
    /// The file is in a format this build cannot read.
    #[error("{file}: cannot read this format: {message}")]
    Unsupported {
        /// File name.
        file: String,
        /// Why, for a person.
        message: String,
    },
    /// The layer asked for is not in the file.
    #[error("{file}: no layer named {layer:?} (the file has: {})", available.join(", "))]
    NoSuchLayer {
        /// File name.
        file: String,
        /// The layer asked for.
        layer: String,
        /// The layers the file has.
        available: Vec<String>,
    },
    /// A layer with geometries declares no CRS and none was given (`OpenOptions::crs`).
    #[error("{file}: layer {layer} has no coordinate reference system{detail}; pass --crs EPSG:n")]
    NoCrs {
        /// File name.
        file: String,
        /// The layer.
        layer: String,
        /// Why, when more is known (`" (no buildings.prj)"`), else empty.
        detail: String,
    },
    /// A file the format needs beside the one opened is missing (a Shapefile's `.shx`/`.dbf`).
    #[error("{file}: {part} is missing: {what}")]
    MissingPart {
        /// File name.
        file: String,
        /// The missing file.
        part: String,
        /// What it holds.
        what: &'static str,
    },
    /// GDAL cannot open or read the file; `message` includes what GDAL said.
    #[error("{file}: {message}")]
    Gdal {
        /// File name.
        file: String,
        /// What went wrong, with GDAL's own words.
        message: String,
    },
    /// One feature (a row, for sheets and CSV) or one of its fields cannot be read.
    #[error(
        "{file}: layer {layer}, {feature}{}: {message}",
        field.as_ref().map(|f| format!(", field {f}")).unwrap_or_default()
    )]
    Feature {
        /// File name.
        file: String,
        /// The layer.
        layer: String,
        /// `"feature 12"` (its FID) or `"row 14"` (sheets and CSV, header = row 1).
        feature: String,
        /// The field, when the problem is in one.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The layer's CRS cannot be transformed to WGS84.
    #[error("{file}: layer {layer}: {message}")]
    Crs {
        /// File name.
        file: String,
        /// The layer.
        layer: String,
        /// PROJ's explanation.
        message: String,
    },
}

impl LoadError {
    /// An [`LoadError::Invalid`] at `pos` of `file`.
    pub fn invalid(file: &str, pos: SourcePos, message: impl Into<String>) -> Self {
        LoadError::Invalid {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
}

/// Options of a load.
#[derive(Default, Clone, Copy)]
pub struct LoadOptions<'a> {
    /// Set to `true` (from any thread) to stop the load with [`LoadError::Cancelled`].
    pub cancel: Option<&'a AtomicBool>,
    /// Called with the fraction done (0..=1, non-decreasing) while parsing, from any thread.
    pub progress: Option<&'a (dyn Fn(f64) + Sync)>,
    /// The most memory (bytes) the load may use; `None`: what /proc/meminfo calls
    /// `MemAvailable` (no limit where that cannot be read).
    pub max_bytes: Option<u64>,
    /// Parser threads; `None`: all available cores (at most 8).
    pub threads: Option<usize>,
}

impl std::fmt::Debug for LoadOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions")
            .field("cancel", &self.cancel)
            .field("progress", &self.progress.is_some())
            .field("max_bytes", &self.max_bytes)
            .field("threads", &self.threads)
            .finish()
    }
}

/// `MemAvailable` from /proc/meminfo, in bytes.
pub fn mem_available() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = s.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Bytes still allowed under the process's address-space limit (`ulimit -v`, RLIMIT_AS):
/// the soft limit from /proc/self/limits minus the current VmSize. `None` when unlimited
/// or unreadable.
pub fn address_space_headroom() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    let soft = line
        .trim_start_matches("Max address space")
        .split_whitespace()
        .next()?;
    let limit: u64 = soft.parse().ok()?; // "unlimited" does not parse: no limit
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let vm_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmSize:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(limit.saturating_sub(vm_kb * 1024))
}

/// Bytes still allowed under the memory limit of the process's cgroup (v2 `memory.max`
/// minus `memory.current`, or v1 `memory.limit_in_bytes` minus `memory.usage_in_bytes`).
/// `None` when there is no limit or it cannot be read.
pub fn cgroup_headroom() -> Option<u64> {
    let read = |p: &str| -> Option<u64> { std::fs::read_to_string(p).ok()?.trim().parse().ok() };
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    // v2: a single "0::/path" line
    if let Some(rel) = cgroup.lines().find_map(|l| l.strip_prefix("0::")) {
        let base = format!("/sys/fs/cgroup{}", rel.trim_end_matches('/'));
        if let (Some(max), Some(cur)) = (
            read(&format!("{base}/memory.max")),
            read(&format!("{base}/memory.current")),
        ) {
            return Some(max.saturating_sub(cur));
        }
    }
    let (max, cur) = (
        read("/sys/fs/cgroup/memory/memory.limit_in_bytes")?,
        read("/sys/fs/cgroup/memory/memory.usage_in_bytes")?,
    );
    // v1 reports "no limit" as a huge number
    (max < (1 << 60)).then(|| max.saturating_sub(cur))
}

/// The memory budget for a load and what to call it in a message: an explicit
/// `max_bytes`, else the smallest of available memory, the cgroup's headroom and the
/// address-space headroom.
fn budget(opts: &LoadOptions) -> Option<(u64, &'static str)> {
    if let Some(m) = opts.max_bytes {
        return Some((m, "allowed"));
    }
    [
        mem_available().map(|m| (m, "available")),
        cgroup_headroom().map(|m| (m, "left under the memory limit of this process's cgroup")),
        address_space_headroom().map(|m| (m, "left under the address-space limit (ulimit -v)")),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|(m, _)| *m)
}

pub(crate) fn check_size(file: &str, size: u64, opts: &LoadOptions) -> Result<(), LoadError> {
    let needed = size.saturating_mul(MEMORY_FACTOR);
    if let Some((available, why)) = budget(opts)
        && needed > available
    {
        return Err(LoadError::TooLarge {
            file: file.to_string(),
            size,
            needed,
            available,
            why,
        });
    }
    Ok(())
}

/// Load a GeoJSON file into a layer named after the file stem.
pub fn load_path(path: &Path) -> Result<Layer, LoadError> {
    load_path_with(path, &LoadOptions::default())
}

/// Load a GeoJSON file with progress, cancellation and a memory limit.
///
/// The file size is checked against the memory budget *before* reading (and reading stops
/// if a file grows, or is not a regular file, past the budget): a file that would not fit
/// is refused with [`LoadError::TooLarge`] rather than risking the process.
///
/// A regular file of at least [`MAP_MIN_BYTES`] is mapped read-only instead of copied, and
/// the pages the parser has passed are given back to the kernel (`MADV_DONTNEED`) as it
/// goes, so the whole file is never resident: peak memory is the model plus a few MB.
/// (Like every reader that maps its input, a load expects the file not to be truncated
/// while it runs: a file shrinking under the mapping ends the process with `SIGBUS`.)
pub fn load_path_with(path: &Path, opts: &LoadOptions) -> Result<Layer, LoadError> {
    use std::io::Read;
    let file = path.display().to_string();
    let io = |source| LoadError::Io {
        file: file.clone(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let meta = f.metadata().map_err(io)?;
    let size = meta.len();
    check_size(&file, size, opts)?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    if meta.is_file() && size >= MAP_MIN_BYTES {
        // SAFETY: the mapping is read-only and private to this call; the bytes are only
        // read through bounds-checked slices. A concurrent writer could change what is
        // read (giving a parse error or other data, never undefined reads out of bounds);
        // truncation raises SIGBUS, as documented above.
        if let Ok(map) = unsafe { memmap2::Mmap::map(&f) } {
            let _ = map.advise(memmap2::Advice::Sequential);
            let release = |from: usize, to: usize| {
                // SAFETY: DONTNEED on a read-only file mapping only drops the pages from
                // this process; reading them again faults them back in from the file.
                let _ = unsafe {
                    map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, to - from)
                };
            };
            let mut layer = load_bytes(&map, &name, &file, opts, Some(&release))?;
            layer.source = Some(path.to_path_buf());
            return Ok(layer);
        }
    }
    let limit = budget(opts).map_or(u64::MAX, |(b, _)| b / MEMORY_FACTOR);
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    f.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        check_size(&file, bytes.len() as u64 * 2, opts)?;
    }
    let mut layer = load_slice_with(&bytes, &name, &file, opts)?;
    layer.source = Some(path.to_path_buf());
    Ok(layer)
}

/// Load GeoJSON from memory. `name` becomes the layer name; `file` is used in messages.
pub fn load_slice(bytes: &[u8], name: &str, file: &str) -> Result<Layer, LoadError> {
    load_slice_with(bytes, name, file, &LoadOptions::default())
}

/// [`load_slice`] with options (`max_bytes` is not applied: the bytes are already here).
pub fn load_slice_with(
    bytes: &[u8],
    name: &str,
    file: &str,
    opts: &LoadOptions,
) -> Result<Layer, LoadError> {
    load_bytes(bytes, name, file, opts, None)
}

fn load_bytes(
    bytes: &[u8],
    name: &str,
    file: &str,
    opts: &LoadOptions,
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<Layer, LoadError> {
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 8);
    let shared = parse::Shared {
        cancel: opts.cancel,
        progress: opts.progress,
        total: bytes.len(),
        done: AtomicU64::new(0),
        reported: AtomicU32::new(0),
        threads,
        chunks_used: std::sync::atomic::AtomicUsize::new(0),
        release,
    };
    let mut p = parse::Parser::new(bytes, start, &shared);
    let root = p.root().map_err(|e| match e {
        parse::PErr::Cancelled => LoadError::Cancelled {
            file: file.to_string(),
        },
        parse::PErr::At(off, msg) => syntax_first(bytes, file, off, msg),
    })?;
    let mut layer = Layer {
        name: name.to_string(),
        features: root.features,
        bbox: root.bbox,
        foreign: root.foreign,
        ..Layer::default()
    };
    if let Some((crs, at)) = root.crs {
        if opts
            .cancel
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Err(LoadError::Cancelled {
                file: file.to_string(),
            });
        }
        apply_legacy_crs(&mut layer, &crs, at, file)?;
    }
    if let Some(p) = opts.progress {
        p(1.0);
    }
    Ok(layer)
}

/// The error for a load that stopped at `off` with `msg`: when the bytes are not JSON at all,
/// the JSON syntax error [`crate::core::json::check_syntax`] finds, worded as `hetao check`
/// words it ("not valid JSON: …", same line and column), else the loader's own (a GeoJSON
/// structure error). Only a failed load pays for the second pass.
fn syntax_first(bytes: &[u8], file: &str, off: usize, msg: String) -> LoadError {
    match crate::core::json::check_syntax(bytes) {
        Err(e) => LoadError::invalid(file, e.pos(), format!("not valid JSON: {}", e.message)),
        Ok(()) => LoadError::invalid(file, parse::line_col(bytes, off), msg),
    }
}

/// Honour a legacy (2008 GeoJSON) `crs` member: reproject every geometry and bbox to WGS84.
/// `at` is where the member is, for messages.
pub fn apply_legacy_crs(
    layer: &mut Layer,
    crs: &Value,
    at: SourcePos,
    file: &str,
) -> Result<(), LoadError> {
    let code = crate::core::crs::legacy_crs_code(crs)
        .map_err(|e| LoadError::invalid(file, at, e.to_string()))?;
    layer.source_crs = Some(code.clone());
    if code == "EPSG:4326" || code == "OGC:CRS84" {
        return Ok(());
    }
    let t = crate::core::crs::Transformer::new(&code, "EPSG:4326")
        .map_err(|e| LoadError::invalid(file, at, format!("legacy \"crs\": {e}")))?;
    let bbox = |b: &mut Vec<f64>, pos: SourcePos| -> Result<(), LoadError> {
        if b.len() < 4 {
            return Ok(());
        }
        let h = b.len() / 2;
        let (x0, y0, x1, y1) = (b[0], b[1], b[h], b[h + 1]);
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for (x, y) in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)] {
            let (lx, ly) = t
                .transform(x, y)
                .map_err(|e| LoadError::invalid(file, pos, format!("bbox: {e}")))?;
            xs.push(lx);
            ys.push(ly);
        }
        let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        b[0] = min(&xs);
        b[1] = min(&ys);
        b[h] = max(&xs);
        b[h + 1] = max(&ys);
        Ok(())
    };
    if let Some(b) = layer.bbox.as_mut() {
        bbox(b, at)?;
    }
    for f in &mut layer.features {
        if let Some(g) = f.geometry.as_mut() {
            t.transform_geometry(g)
                .map_err(|e| LoadError::invalid(file, f.pos, e.to_string()))?;
        }
        if let Some(b) = f.bbox.as_mut() {
            bbox(b, f.pos)?;
        }
    }
    Ok(())
}
