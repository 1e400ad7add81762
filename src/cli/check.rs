//! `hetao check FILE... [--json]`: validate layer files and report every problem: GeoJSON
//! with file, line and column (see `docs/check.md`); other formats through GDAL
//! (`core::io::open_layers`, docs/formats.md): what GDAL says, a missing CRS, and what
//! [`crate::core::io::layer_issues`] finds in the model (empty or broken geometries, mixed
//! geometry types), naming the layer and the feature (the row, for CSV and sheets).
//!
//! Exit status: 0 when no file has errors (warnings allowed), 1 when any file has errors,
//! 2 when a file cannot be read (that wins over 1).

use crate::core::validate::{Issue, Report, validate};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to check (GeoJSON, or any format `hetao info` reads).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Only this layer of a multi-layer file.
    #[arg(long, value_name = "NAME")]
    pub layer: Option<String>,
    /// How non-GeoJSON files are opened.
    #[command(flatten)]
    pub open: crate::cli::OpenArgs,
    /// Print one JSON object: {"files":[{"path","errors":[{line,column,message}],"warnings":[...]}]}.
    #[arg(long)]
    pub json: bool,
}

fn issues_json(list: &[Issue]) -> serde_json::Value {
    serde_json::Value::Array(
        list.iter()
            .map(|i| serde_json::json!({"line": i.line, "column": i.column, "message": i.message}))
            .collect(),
    )
}

/// Check a file read through GDAL: the report, and whether the file could not be read at
/// all (exit status 2) rather than read with errors.
fn check_other(path: &std::path::Path, args: &Args) -> (Report, bool) {
    use crate::core::io::LoadError;
    let file = path.display().to_string();
    let mut report = Report {
        file: file.clone(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    match crate::core::io::open_layers(path, &args.open.options(args.layer.as_deref())) {
        Ok(layers) => {
            for l in &layers {
                let (e, w) = crate::core::io::layer_issues(l);
                report.errors.extend(e);
                report.warnings.extend(w);
            }
            (report, false)
        }
        Err(e) => {
            let unreadable = matches!(
                e,
                LoadError::Io { .. }
                    | LoadError::Gdal { .. }
                    | LoadError::MissingPart { .. }
                    | LoadError::TooLarge { .. }
                    | LoadError::Unsupported { .. }
            );
            let (line, code) = match &e {
                LoadError::Feature { feature, .. } => (
                    feature
                        .strip_prefix("row ")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0),
                    "feature",
                ),
                LoadError::NoCrs { .. } => (0, "no-crs"),
                _ => (0, "io"),
            };
            // the report prefixes the file name: keep the rest of the message
            let text = e.to_string();
            let message = text
                .strip_prefix(&format!("{file}: "))
                .unwrap_or(&text)
                .to_string();
            report.errors.push(Issue {
                line,
                column: u32::from(line > 0),
                message,
                code,
            });
            (report, unreadable)
        }
    }
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let mut status = 0;
    let mut reports: Vec<Report> = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        if !crate::core::io::is_geojson(path) {
            let (r, unreadable) = check_other(path, args);
            if unreadable {
                status = 2;
            } else if !r.is_valid() && status == 0 {
                status = 1;
            }
            reports.push(r);
            continue;
        }
        match std::fs::read(path) {
            Ok(bytes) => {
                let r = validate(&bytes, &name);
                if !r.is_valid() && status == 0 {
                    status = 1;
                }
                reports.push(r);
            }
            Err(e) => {
                status = 2;
                reports.push(Report {
                    file: name,
                    errors: vec![Issue {
                        line: 0,
                        column: 0,
                        message: format!("cannot read the file: {e}"),
                        code: "io",
                    }],
                    warnings: Vec::new(),
                });
            }
        }
    }
    if args.json {
        let files: Vec<serde_json::Value> = reports
            .iter()
            .map(|r| {
                serde_json::json!({
                    "path": r.file,
                    "errors": issues_json(&r.errors),
                    "warnings": issues_json(&r.warnings),
                })
            })
            .collect();
        serde_json::to_writer(&mut *out, &serde_json::json!({ "files": files }))?;
        writeln!(out)?;
        return Ok(status);
    }
    let (mut n_err, mut n_warn, mut bad_files) = (0, 0, 0);
    for r in &reports {
        for line in r.lines() {
            writeln!(out, "{line}")?;
        }
        n_err += r.errors.len();
        n_warn += r.warnings.len();
        if !r.errors.is_empty() {
            bad_files += 1;
        }
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "checked {}: {} with errors, {}, {}",
        plural(reports.len(), "file"),
        bad_files,
        plural(n_err, "error"),
        plural(n_warn, "warning"),
    )?;
    Ok(status)
}
