//! File › Database: the app as a client of a shared scenario in PostGIS ([`crate::core::db`]).
//!
//! Connecting starts a worker ([`crate::app::dbsync`]) that pulls the database's layers and
//! the shared scenario; the document then runs on them (its edits are the scenario's
//! revisions). Each frame [`HetaoApp::db_tick`] takes the worker's messages and sends the
//! planner's new edits as revisions, on the revision they were made on. Colleagues' edits
//! arrive within about a second of their commit (LISTEN/NOTIFY) and are merged, marked with
//! who made them ([`DbLink::edited_by`]); one that touches a feature this planner changed and
//! has not sent yet, or a push the server refuses as a conflict, becomes a [`DbConflict`] the
//! planner resolves (keep mine / keep theirs); nothing is overwritten silently. Offline, the
//! app keeps working on the last pulled copy and sends the edits when the server is back.
//! The password is kept in the worker's memory only. Layers too big to pull whole are loaded
//! by viewport ([`crate::app::dbview`]); the database's layers that the zone does not have are
//! added as user layers.

use super::HetaoApp;
use crate::app::dbsync::{self, Cmd, Msg, SyncHandle};
use crate::app::doc::Document;
use crate::core::db::scenario::{Revision, describe};
use crate::core::zone::{Edit, Scenario};
use std::collections::HashMap;
use std::time::Instant;

/// The connect dialog's fields (`Debug` leaves the password out).
#[derive(Clone, Default)]
pub struct DbDialog {
    /// The URL, without a password (`postgres://user@host:port/db`).
    pub url: String,
    /// The password (empty: from `~/.pgpass`, `PGPASSFILE` or `PGPASSWORD`); never saved.
    pub password: String,
    /// The shared scenario.
    pub scenario: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

impl std::fmt::Debug for DbDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbDialog")
            .field("url", &crate::core::db::conn::redact(&self.url))
            .field(
                "password",
                &if self.password.is_empty() { "" } else { "***" },
            )
            .field("scenario", &self.scenario)
            .field("error", &self.error)
            .finish()
    }
}

/// The connection's state as shown.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkState {
    /// Connecting and pulling.
    Connecting,
    /// Connected.
    Online,
    /// The server cannot be reached (why); working on the last pulled copy.
    Offline(String),
    /// Stopped for a reason retrying will not fix.
    Failed(String),
}

/// An edit of this planner's that meets a colleague's change of the same feature.
#[derive(Debug, Clone, PartialEq)]
pub struct DbConflict {
    /// The feature.
    pub feature: String,
    /// Their value, in words.
    pub theirs: String,
    /// Who made it.
    pub author: String,
    /// In which revision.
    pub revision: i64,
    /// This planner's edit (not sent).
    pub yours: Edit,
}

/// The connection to a shared scenario.
pub struct DbLink {
    /// The URL, redacted.
    pub url: String,
    /// The shared scenario.
    pub scenario: String,
    /// Connected, offline, ...
    pub state: LinkState,
    /// When the state last changed.
    pub since: Instant,
    /// The newest revision merged into the document.
    pub revision: i64,
    /// The document's first `synced` edits are in the database.
    pub synced: usize,
    synced_edits: Vec<Edit>,
    in_flight: Option<usize>,
    /// Who last changed each feature (author, revision), for colleagues' edits.
    pub authors: HashMap<String, (String, i64)>,
    /// Recent events, newest last ("revision 12 by ann: SZ-B101 status completed from 2028").
    pub recent: Vec<String>,
    /// Conflicts waiting for the planner.
    pub conflicts: Vec<DbConflict>,
    /// A push refused for another reason: pushing stops until the planner discards.
    pub blocked: Option<String>,
    pulled: bool,
    /// Conflicts resolved as "keep mine": (feature, their revision), not raised again.
    kept_mine: Vec<(String, i64)>,
    /// The layers loaded by viewport, and their worker.
    pub view: Option<crate::app::dbview::DbView>,
    handle: SyncHandle,
}

impl DbLink {
    /// Who last changed feature `id` in a colleague's revision, if anyone did.
    pub fn edited_by(&self, id: &str) -> Option<&(String, i64)> {
        self.authors.get(id)
    }

    /// Edits made here and not in the database yet.
    pub fn unsent(&self, doc: &Document) -> usize {
        doc.scenario().edits.len().saturating_sub(self.synced)
    }

    fn set_state(&mut self, s: LinkState) {
        if self.state != s {
            self.state = s;
            self.since = Instant::now();
        }
    }

    fn note(&mut self, line: String) {
        self.recent.push(line);
        if self.recent.len() > 50 {
            self.recent.remove(0);
        }
    }
}

fn revision_line(r: &Revision) -> String {
    format!(
        "revision {} by {}: {} {}",
        r.revision,
        r.author,
        r.feature,
        describe(&r.edit)
    )
}

/// The connection asked for in the environment: `HETAO_DB` (URL) and `HETAO_DB_SCENARIO`
/// (default "shared"); the password from `PGPASSFILE`/`~/.pgpass` or `PGPASSWORD`.
pub fn from_env() -> Option<DbDialog> {
    let url = std::env::var("HETAO_DB")
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    Some(DbDialog {
        url,
        password: String::new(),
        scenario: std::env::var("HETAO_DB_SCENARIO").unwrap_or_else(|_| "shared".into()),
        error: None,
    })
}

impl HetaoApp {
    /// Connect to the shared scenario of `dialog` (the worker starts; the document switches
    /// to the database's data once it is pulled).
    pub fn db_connect(&mut self, dialog: &DbDialog, wake: impl Fn() + Send + Clone + 'static) {
        let password = (!dialog.password.is_empty()).then(|| dialog.password.clone());
        let name = dialog.scenario.trim().to_string();
        let view = dbsync::app_url(&dialog.url).ok().and_then(|u| {
            crate::app::dbview::spawn(u, password.clone(), self.styles.clone(), wake.clone()).ok()
        });
        match dbsync::spawn(&dialog.url, password, &name, wake) {
            Ok(handle) => {
                self.db = Some(DbLink {
                    url: crate::core::db::conn::redact(dialog.url.trim()),
                    scenario: name,
                    state: LinkState::Connecting,
                    since: Instant::now(),
                    revision: 0,
                    synced: 0,
                    synced_edits: Vec::new(),
                    in_flight: None,
                    authors: HashMap::new(),
                    recent: Vec::new(),
                    conflicts: Vec::new(),
                    blocked: None,
                    pulled: false,
                    kept_mine: Vec::new(),
                    view,
                    handle,
                });
                self.db_dialog = None;
            }
            Err(e) => {
                if let Some(d) = &mut self.db_dialog {
                    d.error = Some(e.to_string());
                }
            }
        }
    }

    /// Disconnect (the document keeps the data and edits it has).
    pub fn db_disconnect(&mut self) {
        self.db = None;
        self.status = "disconnected from the database".into();
    }

    /// Take the worker's messages and send new edits; call every frame (`wake` requests a
    /// repaint when the worker has news). A connection asked for at start
    /// ([`HetaoApp::db_pending`], from `HETAO_DB`) starts once the zone is loaded.
    pub fn db_tick(&mut self, wake: impl Fn() + Send + Clone + 'static) {
        if self.db.is_none()
            && self.is_loaded()
            && let Some(d) = self.db_pending.take()
        {
            self.db_dialog = Some(d.clone());
            self.db_connect(&d, wake);
            self.db_window = true;
        }
        let Some(link) = &self.db else {
            return;
        };
        let msgs: Vec<Msg> = link.handle.rx.try_iter().collect();
        for m in msgs {
            self.db_message(m);
        }
        self.db_send();
        self.dbview_tick();
    }

    fn db_message(&mut self, m: Msg) {
        let Some(link) = &mut self.db else {
            return;
        };
        match m {
            Msg::Pulled {
                mut dataset,
                big,
                revisions,
                description,
            } => {
                // the layers the zone does not have become user layers
                let zone: Vec<String> = self
                    .layers
                    .iter()
                    .filter(|e| !e.user)
                    .map(|e| e.name.clone())
                    .collect();
                let (kept, extra): (Vec<_>, Vec<_>) = std::mem::take(&mut dataset.layers)
                    .into_iter()
                    .partition(|l| zone.contains(&l.name));
                dataset.layers = kept;
                let sc = Scenario {
                    name: link.scenario.clone(),
                    description,
                    edits: revisions.iter().map(|r| r.edit.clone()).collect(),
                };
                let mut doc = Document::new(*dataset);
                doc.data_dir = self.doc.data_dir.clone();
                if let Err(e) = doc.replace_scenario(sc.clone()) {
                    link.set_state(LinkState::Failed(format!(
                        "the shared scenario does not apply to the database's layers: {e}"
                    )));
                    return;
                }
                doc.dirty = false;
                link.synced = sc.edits.len();
                link.synced_edits = sc.edits;
                link.revision = revisions.last().map_or(0, |r| r.revision);
                for r in &revisions {
                    link.authors
                        .insert(r.feature.clone(), (r.author.clone(), r.revision));
                }
                link.pulled = true;
                let n = doc.current().feature_count();
                let line = format!(
                    "pulled {n} features and scenario {:?} at revision {}",
                    link.scenario, link.revision
                );
                link.note(line.clone());
                self.doc = doc;
                self.cache.clear();
                self.selection.clear();
                self.hover = None;
                for l in extra {
                    self.replace_user_layer(l);
                }
                self.dbview_add(&big);
                self.status = line;
            }
            Msg::Remote(revs) => self.db_merge_remote(revs),
            Msg::Pushed {
                count,
                first,
                revision,
            } => {
                link.in_flight = None;
                let edits = self.doc.scenario().edits.clone();
                let end = (link.synced + count).min(edits.len());
                link.synced_edits
                    .extend_from_slice(&edits[link.synced..end]);
                link.synced = end;
                link.revision = link.revision.max(revision);
                let line = if count == 1 {
                    format!("sent 1 edit as revision {first}")
                } else {
                    format!("sent {count} edits as revisions {first}-{revision}")
                };
                link.note(line.clone());
                self.status = line;
                self.doc.dirty = link.synced < edits.len();
            }
            Msg::Conflict(cs) => {
                link.in_flight = None;
                for c in cs {
                    if link.conflicts.iter().any(|k| k.feature == c.feature)
                        || link.kept_mine.contains(&(c.feature.clone(), c.revision))
                    {
                        continue;
                    }
                    link.conflicts.push(DbConflict {
                        feature: c.feature,
                        theirs: describe(&c.theirs),
                        author: c.author,
                        revision: c.revision,
                        yours: c.yours,
                    });
                }
            }
            Msg::Refused(why) => {
                link.in_flight = None;
                link.note(format!("not sent: {why}"));
                link.blocked = Some(why);
            }
            Msg::Online => {
                link.set_state(LinkState::Online);
                link.note("online".into());
            }
            Msg::Offline(why) => {
                link.set_state(LinkState::Offline(why.clone()));
                link.note(format!("offline: {why}"));
                self.status = "database offline: working on the last pulled copy".into();
            }
            Msg::Failed(why) => {
                link.set_state(LinkState::Failed(why.clone()));
                link.note(format!("stopped: {why}"));
                self.status = format!("database: {why}");
            }
        }
    }

    /// Merge colleagues' revisions: appended after the edits already shared, before this
    /// planner's unsent ones; one touching a feature with an unsent edit is a conflict.
    fn db_merge_remote(&mut self, revs: Vec<Revision>) {
        let Some(link) = &mut self.db else {
            return;
        };
        let edits = self.doc.scenario().edits.clone();
        let synced = link.synced.min(edits.len());
        let local: Vec<Edit> = edits[synced..].to_vec();
        let mut shared = edits[..synced].to_vec();
        for r in &revs {
            if let Some(mine) = local.iter().find(|e| e.id() == r.feature)
                && !link.conflicts.iter().any(|k| k.feature == r.feature)
                && !link.kept_mine.contains(&(r.feature.clone(), r.revision))
            {
                link.conflicts.push(DbConflict {
                    feature: r.feature.clone(),
                    theirs: describe(&r.edit),
                    author: r.author.clone(),
                    revision: r.revision,
                    yours: mine.clone(),
                });
            }
            shared.push(r.edit.clone());
            link.authors
                .insert(r.feature.clone(), (r.author.clone(), r.revision));
            link.revision = link.revision.max(r.revision);
            link.note(revision_line(r));
        }
        let mut all = shared.clone();
        all.extend(local.iter().cloned());
        let mut sc = self.doc.scenario().clone();
        sc.edits = all;
        let dirty = self.doc.dirty;
        if self.doc.replace_scenario(sc.clone()).is_err() {
            // an unsent edit no longer applies on top of theirs: theirs win, mine are listed
            sc.edits = shared.clone();
            let _ = self.doc.replace_scenario(sc);
            link.note(format!(
                "{} unsent edit(s) no longer apply after colleagues' changes and were dropped",
                local.len()
            ));
        }
        self.doc.dirty = dirty;
        link.synced = shared.len();
        link.synced_edits = shared;
        if let Some(r) = revs.last() {
            self.status = format!("colleague's edit: {}", revision_line(r));
        }
    }

    /// Send the unsent edits (online, nothing in flight, no conflict waiting).
    fn db_send(&mut self) {
        let Some(link) = &mut self.db else {
            return;
        };
        if !link.pulled
            || link.state != LinkState::Online
            || link.in_flight.is_some()
            || !link.conflicts.is_empty()
            || link.blocked.is_some()
        {
            return;
        }
        let edits = &self.doc.scenario().edits;
        if edits.len() < link.synced || edits[..link.synced] != link.synced_edits[..] {
            // an undo reached into shared revisions: those cannot be taken back silently
            let mut sc = self.doc.scenario().clone();
            let mine: Vec<Edit> = if edits.len() > link.synced {
                edits[link.synced..].to_vec()
            } else {
                Vec::new()
            };
            sc.edits = link.synced_edits.clone();
            sc.edits.extend(mine);
            let _ = self.doc.replace_scenario(sc);
            link.note("a shared revision cannot be undone; make the opposite edit instead".into());
            self.status = "a shared revision cannot be undone".into();
            return;
        }
        if edits.len() == link.synced {
            return;
        }
        let todo = edits[link.synced..].to_vec();
        let n = todo.len();
        if link
            .handle
            .tx
            .send(Cmd::Push {
                edits: todo,
                base: link.revision,
            })
            .is_ok()
        {
            link.in_flight = Some(n);
        }
    }

    /// Resolve the first conflict: keep mine (my edit goes on top of theirs) or keep theirs
    /// (my edit is dropped).
    pub fn db_resolve(&mut self, keep_mine: bool) {
        let Some(link) = &mut self.db else {
            return;
        };
        if link.conflicts.is_empty() {
            return;
        }
        let c = link.conflicts.remove(0);
        if keep_mine {
            link.note(format!("kept mine for {}", c.feature));
            link.kept_mine.push((c.feature, c.revision));
            return;
        }
        let mut sc = self.doc.scenario().clone();
        let synced = link.synced.min(sc.edits.len());
        let mut i = synced;
        let mut removed = false;
        while i < sc.edits.len() {
            if !removed && sc.edits[i] == c.yours {
                sc.edits.remove(i);
                removed = true;
            } else {
                i += 1;
            }
        }
        let _ = self.doc.replace_scenario(sc);
        link.note(format!("kept theirs for {} ({})", c.feature, c.author));
    }

    /// Drop the edits the server refused (and any unsent after them).
    pub fn db_discard_unsent(&mut self) {
        let Some(link) = &mut self.db else {
            return;
        };
        let mut sc = self.doc.scenario().clone();
        sc.edits.truncate(link.synced);
        let _ = self.doc.replace_scenario(sc);
        link.blocked = None;
        link.note("discarded the unsent edits".into());
    }
}
