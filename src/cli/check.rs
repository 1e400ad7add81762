//! `hetao check FILE... [--json]`: validate GeoJSON files and report every problem with
//! file, line and column (see `docs/check.md`).
//!
//! Exit status: 0 when no file has errors (warnings allowed), 1 when any file has errors,
//! 2 when a file cannot be read (that wins over 1).

use crate::core::validate::{Issue, Report, validate};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// GeoJSON files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
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

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let mut status = 0;
    let mut reports: Vec<Report> = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
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
