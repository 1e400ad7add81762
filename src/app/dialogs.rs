//! Open, save and export file dialogs that never freeze the map and never fail silently.
//!
//! A request ([`Dialogs::request`]) runs the dialog on a worker thread, so the window keeps
//! repainting while it is open; the answer arrives through [`Dialogs::poll`]. Backends, in
//! order ([`Backend::detect`]; `HETAO_FILE_DIALOG=zenity|portal|field` forces one):
//!
//! 1. **zenity** when it is on `PATH` (`scripts/setup-system.sh` installs it): run directly,
//!    so that "cancelled" (exit 1) and "failed" (any other status, or it cannot start, with its
//!    stderr) are told apart;
//! 2. **portal**: rfd's xdg-desktop-portal backend when a D-Bus session exists; rfd answers
//!    a failure the same way as a cancel, so an empty answer opens the path field with a note;
//! 3. **field**: no dialog can be shown: an in-app path field ([`PathField`]) with a message
//!    saying why.
//!
//! Every failure ends in the path field with its message, never in silence.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// What the chosen file is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// File › Open scenario.
    OpenScenario,
    /// File › Save scenario as.
    SaveScenario,
    /// Open layer files.
    OpenLayers,
    /// Export the selection as GeoJSON.
    ExportSelection,
    /// Export a layer (the format from the chosen file's extension).
    ExportLayer(String),
    /// Export the dashboard table as CSV.
    ExportCsv,
    /// Export a map page or timeline (the Export dialog's choices).
    Page(Box<crate::app::export::PageDialog>),
    /// Export the reach bands as GeoJSON.
    ExportReach,
}

/// The Open dialog's filter: every format `core::io::open_layers` reads.
pub const OPEN_LAYERS_FILTER: (&str, &[&str]) = (
    "Layer files",
    &[
        "geojson", "json", "shp", "gpkg", "fgb", "kml", "gpx", "dxf", "csv", "xlsx", "ods",
    ],
);

/// The layer Export dialog's filter: every `core::io::Format` (chosen by the extension).
pub const EXPORT_LAYER_FILTER: (&str, &[&str]) = (
    "GeoJSON, GeoPackage, Shapefile, FlatGeobuf, CSV",
    &["geojson", "gpkg", "shp", "fgb", "csv"],
);

/// A dialog to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// What the file is for.
    pub purpose: Purpose,
    /// Window title ("Save scenario as").
    pub title: String,
    /// A save dialog (else open).
    pub save: bool,
    /// Suggested file name (save dialogs).
    pub file_name: Option<String>,
    /// One filter: its name and extensions without dots.
    pub filter: Option<(String, Vec<String>)>,
}

impl Request {
    /// An open dialog.
    pub fn open(purpose: Purpose, title: &str, filter: (&str, &[&str])) -> Self {
        Self {
            purpose,
            title: title.into(),
            save: false,
            file_name: None,
            filter: Some((
                filter.0.into(),
                filter.1.iter().map(|s| s.to_string()).collect(),
            )),
        }
    }

    /// A save dialog suggesting `file_name`.
    pub fn save(purpose: Purpose, title: &str, file_name: &str, filter: (&str, &[&str])) -> Self {
        Self {
            save: true,
            file_name: Some(file_name.into()),
            ..Self::open(purpose, title, filter)
        }
    }
}

/// The dialog backend in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// zenity, run directly.
    Zenity,
    /// rfd's xdg-desktop-portal backend.
    Portal,
    /// The in-app path field only.
    Field,
}

impl Backend {
    /// `HETAO_FILE_DIALOG` when set, else zenity on `PATH`, else the portal when
    /// `DBUS_SESSION_BUS_ADDRESS` is set, else the field.
    pub fn detect() -> Backend {
        match std::env::var("HETAO_FILE_DIALOG").as_deref() {
            Ok("zenity") => return Backend::Zenity,
            Ok("portal") => return Backend::Portal,
            Ok("field") => return Backend::Field,
            _ => {}
        }
        if on_path("zenity") {
            Backend::Zenity
        } else if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
            Backend::Portal
        } else {
            Backend::Field
        }
    }
}

fn on_path(exe: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
}

/// How a dialog ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A file was chosen.
    Picked(Vec<PathBuf>),
    /// The user cancelled.
    Cancelled,
    /// No dialog could be shown, or it failed: why.
    Failed(String),
}

/// The in-app path field shown when no dialog can be.
#[derive(Debug, Clone, PartialEq)]
pub struct PathField {
    /// The request it stands in for.
    pub request: Request,
    /// The path being typed.
    pub text: String,
    /// Why it is shown.
    pub message: String,
    /// The text box got the keyboard focus once (it takes it when the field appears).
    pub focused: bool,
}

/// The dialog in progress, if any, and the path field.
#[derive(Debug)]
pub struct Dialogs {
    /// The backend requests use.
    pub backend: Backend,
    pending: Option<(Request, Receiver<Outcome>)>,
    /// The path field, when shown.
    pub field: Option<PathField>,
}

impl Default for Dialogs {
    fn default() -> Self {
        Self::new(Backend::detect())
    }
}

impl Dialogs {
    /// With this backend.
    pub fn new(backend: Backend) -> Self {
        Self {
            backend,
            pending: None,
            field: None,
        }
    }

    /// Whether a dialog is open.
    pub fn is_open(&self) -> bool {
        self.pending.is_some()
    }

    /// Show a dialog (on a worker thread; `repaint` is called when it closes). One at a time:
    /// false, and nothing happens, while another is open.
    pub fn request(&mut self, req: Request, repaint: impl Fn() + Send + 'static) -> bool {
        if self.pending.is_some() {
            return false;
        }
        self.field = None;
        if self.backend == Backend::Field {
            self.field = Some(PathField {
                text: req.file_name.clone().unwrap_or_default(),
                message: "No file dialog is available (no zenity and no desktop portal): type \
                          the path here."
                    .into(),
                request: req,
                focused: false,
            });
            return true;
        }
        let (tx, rx) = channel();
        let backend = self.backend;
        let r = req.clone();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let out = match backend {
                    Backend::Zenity => zenity(&r),
                    _ => portal(&r),
                };
                let _ = tx.send(out);
                repaint();
            });
        match spawned {
            Ok(_) => self.pending = Some((req, rx)),
            Err(e) => self.fail(req, format!("cannot start the file dialog: {e}")),
        }
        true
    }

    fn fail(&mut self, request: Request, why: String) {
        self.field = Some(PathField {
            text: request.file_name.clone().unwrap_or_default(),
            message: format!("{why} Type the path here instead."),
            request,
            focused: false,
        });
    }

    /// The answer of the open dialog, once it closed: the purpose and the chosen files. A
    /// failure opens the path field (its message says why) and returns `None`.
    pub fn poll(&mut self) -> Option<(Purpose, Vec<PathBuf>)> {
        let (req, rx) = self.pending.as_ref()?;
        let out = match rx.try_recv() {
            Ok(o) => o,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Outcome::Failed("the file dialog stopped.".into()),
        };
        let req = req.clone();
        self.pending = None;
        match out {
            Outcome::Picked(p) if !p.is_empty() => Some((req.purpose, p)),
            Outcome::Picked(_) | Outcome::Cancelled => None,
            Outcome::Failed(why) => {
                self.fail(req, why);
                None
            }
        }
    }

    /// Accept the path field's text: its purpose and path (`None` when it is empty).
    pub fn submit_field(&mut self) -> Option<(Purpose, Vec<PathBuf>)> {
        let f = self.field.as_ref()?;
        let t = f.text.trim();
        if t.is_empty() {
            return None;
        }
        let p = PathBuf::from(shellexpand_home(t));
        let f = self.field.take()?;
        Some((f.request.purpose, vec![p]))
    }
}

fn shellexpand_home(t: &str) -> String {
    match (t.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(h)) => format!("{h}/{rest}"),
        _ => t.to_string(),
    }
}

/// Run zenity for `r` (blocking).
fn zenity(r: &Request) -> Outcome {
    let mut cmd = std::process::Command::new("zenity");
    cmd.arg("--file-selection")
        .arg(format!("--title={}", r.title));
    if r.save {
        cmd.arg("--save").arg("--confirm-overwrite");
    } else if r.purpose == Purpose::OpenLayers {
        cmd.arg("--multiple").arg("--separator=\n");
    }
    if let Some(n) = &r.file_name {
        cmd.arg(format!("--filename={n}"));
    }
    if let Some((name, exts)) = &r.filter {
        let globs: Vec<String> = exts.iter().map(|e| format!("*.{e}")).collect();
        cmd.arg(format!("--file-filter={name} | {}", globs.join(" ")));
        cmd.arg("--file-filter=All files | *");
    }
    match cmd.output() {
        Err(e) => Outcome::Failed(format!("cannot run zenity: {e}.")),
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            Outcome::Picked(
                text.lines()
                    .filter(|l| !l.is_empty())
                    .map(PathBuf::from)
                    .collect(),
            )
        }
        Ok(o) if o.status.code() == Some(1) => Outcome::Cancelled,
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            Outcome::Failed(format!("zenity failed ({}): {}.", o.status, last.trim()))
        }
    }
}

/// Run rfd's portal dialog for `r` (blocking). rfd answers a failure like a cancel.
fn portal(r: &Request) -> Outcome {
    let mut d = rfd::FileDialog::new().set_title(&r.title);
    if let Some((name, exts)) = &r.filter {
        d = d.add_filter(name, exts);
    }
    if let Some(n) = &r.file_name {
        d = d.set_file_name(n);
    }
    let got = if r.save {
        d.save_file().map(|p| vec![p])
    } else if r.purpose == Purpose::OpenLayers {
        d.pick_files()
    } else {
        d.pick_file().map(|p| vec![p])
    };
    match got {
        Some(p) => Outcome::Picked(p),
        None => Outcome::Failed(
            "The file dialog was cancelled or could not be shown (no desktop portal?).".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_backend_the_path_field_opens_with_a_message() {
        let mut d = Dialogs::new(Backend::Field);
        let req = Request::save(
            Purpose::SaveScenario,
            "Save scenario as",
            "scenario.json",
            ("Scenario", &["json"]),
        );
        assert!(d.request(req, || {}));
        let f = d.field.as_ref().expect("field shown");
        assert!(f.message.contains("No file dialog"), "{}", f.message);
        assert_eq!(f.text, "scenario.json");
        d.field.as_mut().expect("field").text = "/tmp/x/plan.json".into();
        assert_eq!(
            d.submit_field(),
            Some((
                Purpose::SaveScenario,
                vec![PathBuf::from("/tmp/x/plan.json")]
            ))
        );
        assert!(d.field.is_none());
    }

    #[test]
    fn a_failing_dialog_opens_the_path_field() {
        // As zenity answers without a display: a failure; the field says so.
        let mut d = Dialogs::new(Backend::Zenity);
        let req = Request::open(
            Purpose::OpenScenario,
            "Open scenario",
            ("Scenario", &["json"]),
        );
        d.pending = Some((req.clone(), {
            let (tx, rx) = channel();
            tx.send(Outcome::Failed(
                "zenity failed (exit status: 255): cannot open display.".into(),
            ))
            .expect("send");
            rx
        }));
        assert_eq!(d.poll(), None);
        let f = d.field.as_ref().expect("field");
        assert!(f.message.starts_with("zenity failed"), "{}", f.message);
        assert_eq!(f.request, req);
        // A cancel opens nothing.
        d.field = None;
        let (tx, rx) = channel();
        tx.send(Outcome::Cancelled).expect("send");
        d.pending = Some((req, rx));
        assert_eq!(d.poll(), None);
        assert!(d.field.is_none() && !d.is_open());
    }
}
