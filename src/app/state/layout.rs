//! The window's layout: which side panels are open and how wide, whether the map legend is
//! open, remembered between runs in `$XDG_CONFIG_HOME/hetao-atlas/layout.json` (else
//! `~/.config/hetao-atlas/layout.json`), written atomically when it changes.
//!
//! The map is the workspace: the default panel widths leave it at least 60 % of the window
//! width ([`default_widths`]), and a panel can never be made so wide that the map gets less
//! than [`MIN_MAP_FRACTION`] of it.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The least share of the window width the map keeps, whatever the panels' widths.
pub const MIN_MAP_FRACTION: f32 = 0.4;
/// The narrowest a side panel can be dragged (px); narrower collapses it.
pub const MIN_PANEL_WIDTH: f32 = 180.0;

/// A keyboard shortcut of the window: the key as shown to people, and what it does.
pub type Shortcut = (&'static str, &'static str);

/// Every keyboard shortcut of the window (shown in Help › Keyboard shortcuts and docs/app.md).
pub const SHORTCUTS: &[Shortcut] = &[
    ("[", "Show or hide the Layers panel (left)"),
    (
        "]",
        "Show or hide the side panel (Inspector, Measure, Floor space, Reach)",
    ),
    ("F1", "Keyboard shortcuts"),
    (
        "Ctrl+F",
        "Find a building, unit or place (Enter goes to the first result)",
    ),
    ("Ctrl+Z", "Undo the last edit (the selection follows)"),
    ("Ctrl+Y / Ctrl+Shift+Z", "Redo"),
    ("Ctrl+S", "Save the scenario (asks where the first time)"),
    ("Ctrl+Shift+S", "Save the scenario as"),
    (
        "Ctrl+O",
        "Open a scenario (asks first when there are unsaved edits)",
    ),
    ("Ctrl+Q", "Quit (asks first when there are unsaved edits)"),
    (
        "Delete",
        "Remove the selected building or research unit from the scenario",
    ),
    (
        "Escape",
        "Stop drawing or measuring, then clear the selection",
    ),
    ("Enter", "Finish the building being drawn"),
    ("Home", "Zoom to the whole zone"),
    ("+ / −", "Zoom in / out"),
    ("Arrow keys", "Pan the map"),
    ("Shift+drag", "Select every feature inside a box"),
    (
        "Ctrl+click",
        "Add a feature to the selection, or take it out",
    ),
];

/// Panel state remembered between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Layout {
    /// The Layers panel (left) is open.
    pub left_open: bool,
    /// The side panel (right) is open.
    pub right_open: bool,
    /// Width of the Layers panel, logical px (`None`: the default for the window width).
    pub left_width: Option<f32>,
    /// Width of the side panel, logical px (`None`: the default for the window width).
    pub right_width: Option<f32>,
    /// The legend on the map is open.
    pub legend_open: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            left_open: true,
            right_open: true,
            left_width: None,
            right_width: None,
            legend_open: true,
        }
    }
}

/// Default widths of the (left, right) panels for a window `width` px wide: together they
/// leave the map 60 % or more.
pub fn default_widths(width: f32) -> (f32, f32) {
    let left = (width * 0.17).clamp(MIN_PANEL_WIDTH, 300.0);
    let right = (width * 0.21).clamp(MIN_PANEL_WIDTH + 40.0, 400.0);
    (left, right)
}

/// The widest one side panel may be in a window `width` px wide (the map keeps
/// [`MIN_MAP_FRACTION`] with the other panel at its minimum).
pub fn max_width(width: f32) -> f32 {
    (width * (1.0 - MIN_MAP_FRACTION) - MIN_PANEL_WIDTH).max(MIN_PANEL_WIDTH)
}

/// Where the layout is remembered: `$XDG_CONFIG_HOME/hetao-atlas/layout.json`, else
/// `~/.config/hetao-atlas/layout.json`; `None` without either variable.
pub fn settings_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("hetao-atlas").join("layout.json"))
}

impl Layout {
    /// The layout saved at `path`, or the default when there is none or it does not parse
    /// (a damaged settings file must not stop the app).
    pub fn load(path: &Path) -> Layout {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Write the layout to `path` (atomically; the folder is created).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(self)?;
        crate::core::atomic::write_atomic(path, text.as_bytes())?;
        Ok(())
    }

    /// The (left, right) widths to open the panels with in a window `width` px wide: the
    /// remembered ones, within the allowed range, else the defaults.
    pub fn widths(&self, width: f32) -> (f32, f32) {
        let (dl, dr) = default_widths(width);
        let max = max_width(width);
        let fit = |w: Option<f32>, d: f32| {
            w.filter(|w| w.is_finite())
                .unwrap_or(d)
                .clamp(MIN_PANEL_WIDTH, max)
        };
        (fit(self.left_width, dl), fit(self.right_width, dr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_panels_leave_the_map_at_least_60_percent() {
        for w in [1024.0_f32, 1280.0, 1366.0, 1440.0, 1920.0] {
            let (l, r) = Layout::default().widths(w);
            let map = w - l - r;
            assert!(map >= 0.6 * w, "at {w} px the map gets {map} px");
        }
    }

    /// docs/app.md lists the same shortcuts as Help › Keyboard shortcuts.
    #[test]
    fn the_docs_list_every_shortcut() {
        let docs = include_str!("../../../docs/app.md");
        for (key, what) in SHORTCUTS {
            let row = docs
                .lines()
                .find(|l| l.trim_start().starts_with('|') && l.contains(what))
                .unwrap_or_else(|| panic!("docs/app.md has no shortcut row for {key}: {what}"));
            let bare: String = row.chars().filter(|c| *c != '`').collect();
            assert!(
                bare.contains(key),
                "the row for {what:?} does not name {key:?}: {row}"
            );
        }
    }

    #[test]
    fn saved_widths_are_kept_within_range_and_bad_files_give_the_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("sub").join("layout.json");
        let l = Layout {
            left_open: false,
            right_open: true,
            left_width: Some(250.0),
            right_width: Some(5000.0),
            legend_open: false,
        };
        l.save(&p).expect("save");
        let back = Layout::load(&p);
        assert_eq!(back, l);
        let (lw, rw) = back.widths(1280.0);
        assert_eq!(lw, 250.0);
        assert_eq!(rw, max_width(1280.0));
        std::fs::write(&p, b"{not json").expect("write");
        assert_eq!(Layout::load(&p), Layout::default());
        assert_eq!(
            Layout::load(&dir.path().join("missing.json")),
            Layout::default()
        );
    }
}
