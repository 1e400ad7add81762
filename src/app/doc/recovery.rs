//! Crash recovery: finding the autosaves of instances that stopped without saving, and
//! setting damaged ones aside.
//!
//! [`find_recovery`] (at start: the untitled autosaves and those of the scenarios named in
//! `session.json`) and [`recovery_for`] (when a file is opened) look at every instance's
//! autosave of the file ([`super::instance::autosaves_of`]), skip those of instances that
//! still run ([`super::instance::is_running`]), and offer the newest [`Recovery`] that holds
//! edits the saved file does not and is not older than it.
//!
//! **Damaged autosaves** (truncated, not JSON, not a scenario) are never ignored in silence
//! and never overwritten: each is renamed aside to `….json.corrupt` (`.corrupt.2`, … when
//! that name is taken; never replacing a file) and reported as a [`CorruptAutosave`], whose
//! [`CorruptAutosave::line`] names the file, the line and column of the error and where it
//! was kept (the app lists it in the Problems panel).

use super::instance::{autosaves_of, is_running};
use crate::core::zone::{Scenario, ScenarioError};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The file in the data folder naming the scenario files of the last autosaves.
pub const SESSION_FILE: &str = "session.json";

/// How many scenario files `session.json` remembers.
const SESSION_FILES: usize = 8;

/// The folder for autosaves of unsaved scenarios: `$HETAO_AUTOSAVE_DIR`, else
/// `$XDG_DATA_HOME/hetao-atlas`, else `~/.local/share/hetao-atlas`.
pub fn autosave_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("HETAO_AUTOSAVE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME") {
        return Some(PathBuf::from(d).join("hetao-atlas"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/hetao-atlas"))
}

/// The scenario files named in `session.json` of `data_dir`, most recent first (the single
/// `"scenario"` of older versions included).
pub fn session_files(data_dir: &Path) -> Vec<PathBuf> {
    let Some(v) = std::fs::read_to_string(data_dir.join(SESSION_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = Vec::new();
    let listed = v.get("scenarios").and_then(|s| s.as_array());
    for s in listed
        .into_iter()
        .flatten()
        .chain(v.get("scenario"))
        .filter_map(|s| s.as_str())
    {
        let p = PathBuf::from(s);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Put `file` first in `session.json` of `data_dir` (atomically), keeping the others that
/// other instances autosaved (up to [`SESSION_FILES`]).
pub fn record_session(data_dir: &Path, file: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let mut files = session_files(data_dir);
    if files.first() == Some(&file) {
        return Ok(());
    }
    files.retain(|f| *f != file);
    files.insert(0, file.clone());
    files.truncate(SESSION_FILES);
    let marker = serde_json::json!({ "scenario": file, "scenarios": files });
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    crate::core::atomic::write_atomic(
        &data_dir.join(SESSION_FILE),
        format!("{marker}\n").as_bytes(),
    )?;
    Ok(())
}

/// An autosave worth offering back: it exists, is a scenario, and holds at least one edit.
pub fn pending_autosave(path: &Path) -> Option<Scenario> {
    let s = Scenario::load(path).ok()?;
    (!s.edits.is_empty()).then_some(s)
}

/// Unsaved edits found in an autosave, to offer back.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    /// The autosave file.
    pub autosave: PathBuf,
    /// Its scenario (every unsaved edit).
    pub scenario: Scenario,
    /// The scenario file it belongs to (`None`: a scenario never saved).
    pub file: Option<PathBuf>,
    /// How many edits the saved file holds (`None`: no file, or it cannot be read).
    pub saved_edits: Option<usize>,
    /// When the autosave was written.
    pub written: Option<SystemTime>,
}

impl Recovery {
    /// One line for the offer: "scen1.autosave.4242.json holds 3 edits (scen1.json: 2
    /// saved), written 2026-12-01 09:12 UTC".
    pub fn describe(&self) -> String {
        let n = self.scenario.edits.len();
        let mut s = format!(
            "{} holds {n} edit{}",
            file_name(&self.autosave),
            if n == 1 { "" } else { "s" }
        );
        match (&self.file, self.saved_edits) {
            (Some(f), Some(k)) => s.push_str(&format!(" ({}: {k} saved)", file_name(f))),
            (Some(f), None) => s.push_str(&format!(" (for {})", file_name(f))),
            (None, _) => s.push_str(" (never saved)"),
        }
        if let Some(t) = self.written {
            s.push_str(&format!(", written {}", utc_minutes(t)));
        }
        s
    }

    /// Delete the autosave and its lock file (the edits are given up).
    pub fn discard(&self) -> std::io::Result<()> {
        super::instance::remove_autosave(&self.autosave)
    }
}

/// A damaged autosave, set aside.
#[derive(Debug, Clone, PartialEq)]
pub struct CorruptAutosave {
    /// The autosave as it was found.
    pub autosave: PathBuf,
    /// Where it was kept (`None`: it could not be renamed; it stays where it was).
    pub kept_as: Option<PathBuf>,
    /// 1-based line of the error.
    pub line: usize,
    /// 1-based column of the error.
    pub column: usize,
    /// What is wrong ("EOF while parsing an object").
    pub message: String,
}

impl CorruptAutosave {
    /// The line for the Problems panel, in `hetao check`'s form: `FILE:LINE:COL: error: this
    /// autosave is damaged and cannot be restored (WHY); kept as FILE.corrupt`.
    pub fn report_line(&self) -> String {
        let kept = match &self.kept_as {
            Some(k) => format!("kept as {}", k.display()),
            None => "it could not be renamed and stays where it is".into(),
        };
        format!(
            "{}:{}:{}: error: this autosave is damaged and cannot be restored ({}); {kept}",
            self.autosave.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// What a look for autosaves found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Found {
    /// The newest autosave worth offering back.
    pub recovery: Option<Recovery>,
    /// Damaged autosaves found (and set aside) on the way.
    pub corrupt: Vec<CorruptAutosave>,
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
}

/// `YYYY-MM-DD HH:MM UTC`.
pub fn utc_minutes(t: SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (y, m, d) = crate::render::overlay::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        s / 3600,
        s / 60 % 60
    )
}

/// Rename `path` aside to `path.corrupt` (or `.corrupt.2`, …), never replacing a file.
pub fn set_aside(path: &Path) -> Result<PathBuf, crate::core::atomic::AtomicWriteError> {
    let name = file_name(path);
    let names = (1..1000).map(|k| {
        path.with_file_name(if k == 1 {
            format!("{name}.corrupt")
        } else {
            format!("{name}.corrupt.{k}")
        })
    });
    crate::core::atomic::move_aside(path, names)
}

/// The autosaves of `file` (or of the untitled scenario in `data_dir`) left by instances that
/// no longer run: the newest that holds edits the saved file does not and is not older than
/// it, and the damaged ones (set aside).
pub fn recovery_for(file: Option<&Path>, data_dir: Option<&Path>) -> Found {
    let (dir, stem) = match file {
        Some(f) => {
            let dir = match f.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            match f.file_stem() {
                Some(s) => (dir, s.to_string_lossy().into_owned()),
                None => return Found::default(),
            }
        }
        None => match data_dir {
            Some(d) => (d.to_path_buf(), "untitled".to_string()),
            None => return Found::default(),
        },
    };
    let saved = file.and_then(|f| Scenario::load(f).ok());
    let file_time = file.and_then(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok());
    let mut found = Found::default();
    for autosave in autosaves_of(&dir, &stem) {
        if is_running(&autosave) {
            continue;
        }
        let scenario = match Scenario::load(&autosave) {
            Ok(s) => s,
            Err(ScenarioError::Parse {
                file: _,
                line,
                column,
                message,
            }) => {
                // serde says "… at line L column C" itself, and column 0 right after a newline
                let message = message
                    .rsplit_once(" at line ")
                    .map_or(message.as_str(), |(m, _)| m)
                    .to_string();
                found.corrupt.push(CorruptAutosave {
                    kept_as: set_aside(&autosave).ok(),
                    autosave,
                    line: line.max(1),
                    column: column.max(1),
                    message,
                });
                continue;
            }
            Err(_) => continue,
        };
        if scenario.edits.is_empty() || saved.as_ref().is_some_and(|s| s.edits == scenario.edits) {
            continue;
        }
        let written = std::fs::metadata(&autosave).and_then(|m| m.modified()).ok();
        if let (Some(a), Some(f)) = (written, file_time)
            && a < f
        {
            continue;
        }
        let r = Recovery {
            autosave,
            scenario,
            file: file.map(Path::to_path_buf),
            saved_edits: saved.as_ref().map(|s| s.edits.len()),
            written,
        };
        if found
            .recovery
            .as_ref()
            .is_none_or(|best| best.written < r.written)
        {
            found.recovery = Some(r);
        }
    }
    found
}

/// At start: the newest of the untitled autosaves and those of the scenarios named in
/// `session.json`, in `data_dir`, and every damaged one found.
pub fn find_recovery(data_dir: &Path) -> Found {
    let mut all = Found::default();
    let files = session_files(data_dir);
    let looks = files
        .iter()
        .map(|f| recovery_for(Some(f), Some(data_dir)))
        .chain([recovery_for(None, Some(data_dir))]);
    for f in looks {
        all.corrupt.extend(f.corrupt);
        if let Some(r) = f.recovery
            && all
                .recovery
                .as_ref()
                .is_none_or(|best| best.written < r.written)
        {
            all.recovery = Some(r);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_autosave_is_set_aside_and_reported_with_line_and_column() {
        let dir = tempfile::tempdir().expect("tempdir");
        let auto = dir.path().join("untitled.autosave.999999.json");
        let text = "{\n  \"edits\": [\n    { \"op\": \"remove\", \"id\": \"SZ-B001\" },\n    { \"op\": \"rem";
        std::fs::write(&auto, text).expect("write");
        // a .corrupt from an earlier time is never replaced
        let earlier = dir.path().join("untitled.autosave.999999.json.corrupt");
        std::fs::write(&earlier, b"earlier").expect("write");
        let found = find_recovery(dir.path());
        assert_eq!(found.recovery, None);
        assert_eq!(found.corrupt.len(), 1, "{found:?}");
        let c = &found.corrupt[0];
        let kept = dir.path().join("untitled.autosave.999999.json.corrupt.2");
        assert_eq!(c.kept_as.as_deref(), Some(kept.as_path()));
        assert!(!auto.exists());
        assert_eq!(std::fs::read_to_string(&kept).expect("kept"), text);
        assert_eq!(std::fs::read(&earlier).expect("earlier"), b"earlier");
        assert_eq!(
            (c.line, c.message.as_str()),
            (4, "EOF while parsing a string")
        );
        let line = c.report_line();
        let want = format!(
            "{}:4:{}: error: this autosave is damaged and cannot be restored (EOF while \
             parsing a string); ",
            auto.display(),
            c.column
        );
        assert!(line.starts_with(&want), "{line}");
        assert!(
            line.ends_with(&format!("kept as {}", kept.display())),
            "{line}"
        );
        // set aside: the next look finds nothing more
        assert_eq!(find_recovery(dir.path()), Found::default());
    }

    #[test]
    fn session_json_remembers_several_scenarios_and_reads_the_old_form() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
        std::fs::write(
            dir.path().join(SESSION_FILE),
            format!("{{\"scenario\": {:?}}}", a.display().to_string()),
        )
        .expect("old form");
        assert_eq!(session_files(dir.path()), std::slice::from_ref(&a));
        record_session(dir.path(), &b).expect("record");
        record_session(dir.path(), &a).expect("record");
        assert_eq!(session_files(dir.path()), [a.clone(), b.clone()]);
    }
}
