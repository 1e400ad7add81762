//! The app's database worker: one thread per connected scenario that keeps a connection,
//! `LISTEN`s for colleagues' changes, pushes this planner's edits as revisions and reports
//! back over a channel, so the UI never waits on the network.
//!
//! It pulls the layers and the shared scenario first ([`Msg::Pulled`]; a layer bigger than
//! [`crate::app::dbview::big_layer`] is left out, to be loaded by viewport), then loops: commands
//! from the UI ([`Cmd::Push`]), notifications (waited for at most [`POLL`]), the revisions
//! after the last one it reported ([`Msg::Remote`], each with its author), and a heartbeat.
//! When the server stops answering it reports [`Msg::Offline`] (within about
//! [`HEARTBEAT`] + [`POLL`]) and retries every [`RETRY`]; on reconnecting it first reports the
//! revisions it missed, then [`Msg::Online`]. The password lives only in this thread's memory.

use crate::core::db::layers::{self as db_layers, LayerInfo};
use crate::core::db::scenario::{self, Revision};
use crate::core::db::{self as core_db, Db, DbError, DbUrl, schema};
use crate::core::model::Dataset;
use crate::core::zone::Edit;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

/// Longest wait for a notification before looking anyway.
pub const POLL: Duration = Duration::from_millis(700);
/// How long a heartbeat may take before the server counts as gone.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// Pause between reconnection attempts.
pub const RETRY: Duration = Duration::from_secs(2);
/// Connect timeout the app uses when the URL sets none (offline shows within 5 s).
pub const CONNECT_TIMEOUT_S: u64 = 3;

/// What the UI asks of the worker.
#[derive(Debug)]
pub enum Cmd {
    /// Append these edits, made on revision `base`.
    Push {
        /// The edits.
        edits: Vec<Edit>,
        /// The revision they were made on.
        base: i64,
    },
    /// Close the connection and end.
    Stop,
}

/// What the worker tells the UI.
#[derive(Debug)]
pub enum Msg {
    /// The first pull: the layers, the shared scenario's revisions (empty for a new one).
    Pulled {
        /// The database's layers, except the big ones.
        dataset: Box<Dataset>,
        /// The layers too big to pull whole (loaded by viewport, `app::dbview`).
        big: Vec<LayerInfo>,
        /// Every revision so far.
        revisions: Vec<Revision>,
        /// The scenario's description ("" when new).
        description: String,
    },
    /// Revisions made by others (or missed while offline), in order.
    Remote(Vec<Revision>),
    /// The push of `count` edits landed as revisions `first..=revision`.
    Pushed {
        /// Edits pushed.
        count: usize,
        /// The first new revision.
        first: i64,
        /// The scenario's revision after it.
        revision: i64,
    },
    /// The push was refused: colleagues changed the same features (nothing applied).
    Conflict(Vec<core_db::Conflict>),
    /// The push was refused for another reason (the edit does not apply, no permission).
    Refused(String),
    /// Connected (again).
    Online,
    /// The server cannot be reached; the message says why.
    Offline(String),
    /// A failure that retrying will not fix (bad URL, wrong password, schema version).
    Failed(String),
}

/// The UI's end of a worker.
pub struct SyncHandle {
    /// Commands to the worker.
    pub tx: Sender<Cmd>,
    /// Messages from it.
    pub rx: Receiver<Msg>,
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.tx.send(Cmd::Stop);
    }
}

/// Start a worker for scenario `name` at `url` (password: `password`, else the URL, the
/// environment or the password file). `wake` runs after every message (a repaint request).
pub fn spawn(
    url: &str,
    password: Option<String>,
    name: &str,
    wake: impl Fn() + Send + 'static,
) -> Result<SyncHandle, DbError> {
    let parsed = app_url(url)?;
    let (tx, cmd_rx) = channel();
    let (msg_tx, rx) = channel();
    let name = name.to_string();
    let spawned = std::thread::Builder::new()
        .name("hetao-db-sync".into())
        .spawn(move || {
            let out = |m: Msg| {
                let _ = msg_tx.send(m);
                wake();
            };
            run(&parsed, password.as_deref(), &name, &cmd_rx, &out);
        });
    if let Err(e) = spawned {
        return Err(DbError::Unreachable {
            url: url.to_string(),
            message: format!("cannot start the database thread: {e}"),
        });
    }
    Ok(SyncHandle { tx, rx })
}

/// `url` as the app connects to it: with [`CONNECT_TIMEOUT_S`] unless it sets a timeout.
pub fn app_url(url: &str) -> Result<DbUrl, DbError> {
    let mut raw = url.trim().to_string();
    if !raw.contains("connect_timeout=") {
        raw.push(if raw.contains('?') { '&' } else { '?' });
        raw.push_str(&format!("connect_timeout={CONNECT_TIMEOUT_S}"));
    }
    DbUrl::parse(&raw)
}

fn connect(url: &DbUrl, password: Option<&str>) -> Result<Db, DbError> {
    let give = |_: &str| password.map(str::to_string);
    let mut db = Db::connect(url, Some(&give))?;
    schema::require_current(&mut db)?;
    db.client()
        .batch_execute(&format!("LISTEN {}", schema::CHANNEL))
        .map_err(|e| DbError::Unreachable {
            url: url.redacted().to_string(),
            message: e.to_string(),
        })?;
    Ok(db)
}

fn pull(db: &mut Db, name: &str) -> Result<Msg, DbError> {
    let min = crate::app::dbview::big_layer();
    let all = db_layers::list(db)?;
    if all.is_empty() {
        return Err(DbError::NoLayers {
            url: db.url().to_string(),
        });
    }
    let (big, _): (Vec<LayerInfo>, Vec<LayerInfo>) =
        all.into_iter().partition(|l| l.features > min);
    let dataset = db_layers::pull_layers(db, &|n| !big.iter().any(|b| b.name == n))?;
    let (revisions, description) = match scenario::load(db, name) {
        Ok(s) => (s.revisions, s.scenario.description),
        Err(DbError::NoScenario { .. }) => (Vec::new(), String::new()),
        Err(e) => return Err(e),
    };
    Ok(Msg::Pulled {
        dataset: Box::new(dataset),
        big,
        revisions,
        description,
    })
}

/// The worker's loop (returns on [`Cmd::Stop`] or when the UI is gone).
fn run(url: &DbUrl, password: Option<&str>, name: &str, cmds: &Receiver<Cmd>, out: &dyn Fn(Msg)) {
    let mut last_seen: Option<i64> = None;
    let mut offline_said = false;
    let mut pending: Vec<Cmd> = Vec::new();
    loop {
        let mut db = match connect(url, password) {
            Ok(db) => db,
            Err(e) if e.is_offline() => {
                if !offline_said {
                    out(Msg::Offline(e.to_string()));
                    offline_said = true;
                }
                // keep commands for when the server is back; stop if asked
                let until = Instant::now() + RETRY;
                while let Some(left) = until.checked_duration_since(Instant::now()) {
                    match cmds.recv_timeout(left) {
                        Ok(Cmd::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                        Ok(c) => pending.push(c),
                        Err(RecvTimeoutError::Timeout) => break,
                    }
                }
                continue;
            }
            Err(e) => {
                out(Msg::Failed(e.to_string()));
                return;
            }
        };
        // (re)connected: first the state, then online
        match last_seen {
            None => match pull(&mut db, name) {
                Ok(m) => {
                    if let Msg::Pulled { revisions, .. } = &m {
                        last_seen = Some(revisions.last().map_or(0, |r| r.revision));
                    }
                    out(m);
                }
                Err(e) if e.is_offline() => continue,
                Err(e) => {
                    out(Msg::Failed(e.to_string()));
                    return;
                }
            },
            Some(seen) => match scenario::revisions_since(&mut db, name, seen) {
                Ok(rs) => {
                    if let Some(r) = rs.last() {
                        last_seen = Some(r.revision);
                    }
                    if !rs.is_empty() {
                        out(Msg::Remote(rs));
                    }
                }
                Err(_) => continue,
            },
        }
        out(Msg::Online);
        match online(&mut db, name, cmds, out, &mut last_seen, &mut pending) {
            Flow::Stop => return,
            Flow::Lost(why) => {
                out(Msg::Offline(why));
                offline_said = true;
            }
        }
    }
}

enum Flow {
    Stop,
    Lost(String),
}

fn online(
    db: &mut Db,
    name: &str,
    cmds: &Receiver<Cmd>,
    out: &dyn Fn(Msg),
    last_seen: &mut Option<i64>,
    pending: &mut Vec<Cmd>,
) -> Flow {
    let mut last_beat = Instant::now();
    loop {
        let mut todo: Vec<Cmd> = std::mem::take(pending);
        loop {
            match cmds.try_recv() {
                Ok(c) => todo.push(c),
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return Flow::Stop,
            }
        }
        let mut mine: Vec<(i64, i64)> = Vec::new();
        for c in todo {
            match c {
                Cmd::Stop => return Flow::Stop,
                Cmd::Push { edits, base } => {
                    match scenario::apply_edits(db, name, "", &edits, Some(base)) {
                        Ok(o) => {
                            mine.push((o.first, o.revision));
                            out(Msg::Pushed {
                                count: o.applied,
                                first: o.first,
                                revision: o.revision,
                            });
                        }
                        Err(DbError::Conflict(cs)) => out(Msg::Conflict(cs)),
                        Err(e) if e.is_offline() || !db.ping(HEARTBEAT) => {
                            // not applied: keep it for when the server is back
                            pending.push(Cmd::Push { edits, base });
                            return Flow::Lost(e.to_string());
                        }
                        Err(e) => out(Msg::Refused(e.to_string())),
                    }
                }
            }
        }
        // colleagues' revisions (and any between ours), never our own back
        let seen = last_seen.unwrap_or(0);
        match scenario::revisions_since(db, name, seen) {
            Ok(rs) => {
                if let Some(r) = rs.last() {
                    *last_seen = Some(r.revision);
                }
                let theirs: Vec<Revision> = rs
                    .into_iter()
                    .filter(|r| !mine.iter().any(|(a, b)| (*a..=*b).contains(&r.revision)))
                    .collect();
                if !theirs.is_empty() {
                    out(Msg::Remote(theirs));
                }
            }
            Err(e) => return Flow::Lost(e.to_string()),
        }
        if last_beat.elapsed() >= HEARTBEAT {
            if !db.ping(HEARTBEAT) {
                return Flow::Lost("the database server stopped answering".into());
            }
            last_beat = Instant::now();
        }
        // wait for a notification (a colleague's commit) or the poll interval
        let mut n = db.client().notifications();
        let mut it = n.timeout_iter(POLL);
        if let Err(e) = postgres::fallible_iterator::FallibleIterator::next(&mut it) {
            return Flow::Lost(crate::core::db::conn::error_text(&e, None));
        }
    }
}
