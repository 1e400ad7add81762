//! Shared scenarios: a scenario is a numbered sequence of edits (today's scenario-file
//! edits), one revision per edit, 1, 2, 3, ... with no gaps, each with who made it and when.
//!
//! [`apply_edits`] appends edits in one transaction that holds the scenario's row lock, so
//! concurrent planners are serialised per scenario: every edit lands, numbers are dense,
//! and a client killed mid-way rolls back (its numbers were never taken). With a base
//! revision, an edit of a feature that was changed after the base is a [`Conflict`]: nothing
//! is applied and the caller chooses (keep mine: re-apply on the new revision; keep theirs:
//! drop the edit). Never last-writer-wins. Colleagues are told on
//! [`super::schema::CHANNEL`].

use super::{Db, DbError};
use crate::core::model::Dataset;
use crate::core::zone::{Edit, Scenario};

/// An edit of a feature someone changed after the editor's base revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The feature id.
    pub feature: String,
    /// The revision that changed it after the base (the latest such).
    pub revision: i64,
    /// Who made that revision.
    pub author: String,
    /// When (UTC, ISO 8601).
    pub at: String,
    /// Their edit.
    pub theirs: Edit,
    /// The edit that was refused.
    pub yours: Edit,
    /// The base revision the refused edit was made on.
    pub base: i64,
}

/// An edit's value in words ("status completed from 2028", "floor area 45000 m²").
pub fn describe(e: &Edit) -> String {
    match e {
        Edit::SetStatus { status, year, .. } => format!("status {status} from {year}"),
        Edit::SetYear { year, .. } => format!("year {year}"),
        Edit::SetFloorArea { m2, .. } => format!("floor area {m2} m²"),
        Edit::Remove { .. } => "removed".into(),
        Edit::AddBuilding { feature } => match feature.pointer("/properties/gfa_m2") {
            Some(g) => format!("added ({g} m²)"),
            None => "added".into(),
        },
    }
}

/// The message for a set of conflicts: each names the feature, both values and who made
/// theirs; then what to do.
pub fn conflict_message(cs: &[Conflict]) -> String {
    let mut s = format!(
        "conflict: {} edit(s) change features that were changed after your base revision; nothing was applied",
        cs.len()
    );
    for c in cs {
        s.push_str(&format!(
            "\n  feature {:?}: theirs (revision {}, {} at {}): {}; yours (on base {}): {}",
            c.feature,
            c.revision,
            c.author,
            c.at,
            describe(&c.theirs),
            c.base,
            describe(&c.yours)
        ));
    }
    let newest = cs.iter().map(|c| c.revision).max().unwrap_or(0);
    s.push_str(&format!(
        "\nkeep mine: apply again with --base-revision {newest}; keep theirs: leave these edits out"
    ));
    s
}

/// What [`apply_edits`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditOutcome {
    /// The first new revision (equal to `revision` + 1 when nothing was applied).
    pub first: i64,
    /// The scenario's revision now.
    pub revision: i64,
    /// Edits applied.
    pub applied: usize,
}

/// One revision of a shared scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// Its number.
    pub revision: i64,
    /// The feature it edits.
    pub feature: String,
    /// The edit.
    pub edit: Edit,
    /// Who made it.
    pub author: String,
    /// When (UTC, ISO 8601).
    pub at: String,
}

/// A shared scenario as of its current revision.
#[derive(Debug, Clone)]
pub struct SharedScenario {
    /// Name, description and every edit in revision order.
    pub scenario: Scenario,
    /// The revision it is at.
    pub revision: i64,
    /// The revisions, in order (as many as `scenario.edits`).
    pub revisions: Vec<Revision>,
}

const UTC_ISO: &str = "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

fn bad_edit(db: &Db, name: &str, revision: i64, e: &serde_json::Error) -> DbError {
    DbError::Server {
        url: db.url().to_string(),
        context: format!("scenario {name:?} revision {revision}"),
        message: format!("the stored edit cannot be read: {e}"),
    }
}

/// The scenario's current revision (`NoScenario` if there is none of that name).
pub fn current_revision(db: &mut Db, name: &str) -> Result<i64, DbError> {
    super::schema::require_current(db)?;
    let r = db.client().query_opt(
        "SELECT revision FROM hetao.scenarios WHERE name = $1",
        &[&name],
    );
    match r.map_err(|e| db.err("reading the scenario", &e))? {
        Some(row) => Ok(row.get(0)),
        None => Err(DbError::NoScenario {
            url: db.url().to_string(),
            name: name.to_string(),
        }),
    }
}

/// The revisions after `after`, in order.
pub fn revisions_since(db: &mut Db, name: &str, after: i64) -> Result<Vec<Revision>, DbError> {
    let sql = format!(
        "SELECT revision, feature, edit::text, author, {UTC_ISO}
         FROM hetao.edits WHERE scenario = $1 AND revision > $2 ORDER BY revision"
    );
    let rows = db.client().query(&sql, &[&name, &after]);
    let rows = rows.map_err(|e| db.err(format!("reading scenario {name:?}"), &e))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let revision: i64 = r.get(0);
        let text: &str = r.get(2);
        let edit: Edit =
            serde_json::from_str(text).map_err(|e| bad_edit(db, name, revision, &e))?;
        out.push(Revision {
            revision,
            feature: r.get(1),
            edit,
            author: r.get(3),
            at: r.get(4),
        });
    }
    Ok(out)
}

/// The shared scenario `name`, every revision.
pub fn load(db: &mut Db, name: &str) -> Result<SharedScenario, DbError> {
    super::schema::require_current(db)?;
    let r = db.client().query_opt(
        "SELECT description, revision FROM hetao.scenarios WHERE name = $1",
        &[&name],
    );
    let Some(row) = r.map_err(|e| db.err("reading the scenario", &e))? else {
        return Err(DbError::NoScenario {
            url: db.url().to_string(),
            name: name.to_string(),
        });
    };
    let description: String = row.get(0);
    let revision: i64 = row.get(1);
    let revisions = revisions_since(db, name, 0)?;
    Ok(SharedScenario {
        scenario: Scenario {
            name: name.to_string(),
            description,
            edits: revisions.iter().map(|r| r.edit.clone()).collect(),
        },
        revision,
        revisions,
    })
}

/// The names of the shared scenarios with their revisions.
pub fn list(db: &mut Db) -> Result<Vec<(String, i64)>, DbError> {
    super::schema::require_current(db)?;
    let rows = db.client().query(
        "SELECT name, revision FROM hetao.scenarios ORDER BY name",
        &[],
    );
    let rows = rows.map_err(|e| db.err("listing the scenarios", &e))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

enum TxError {
    Pg(String, postgres::Error),
    Db(DbError),
}

/// Append `edits` to the shared scenario `name` (created, with `description`, if new) as
/// new revisions, after checking they apply to the database's layers on top of the
/// scenario's current edits. With `base`, edits of features changed after `base` are
/// refused as [`DbError::Conflict`] and nothing is applied.
pub fn apply_edits(
    db: &mut Db,
    name: &str,
    description: &str,
    edits: &[Edit],
    base: Option<i64>,
) -> Result<EditOutcome, DbError> {
    super::schema::require_current(db)?;
    // only what the edits read: not a city's worth of other layers
    let needed = crate::core::zone::scenario::SCENARIO_LAYERS;
    let layers = super::layers::pull_layers(db, &|name| needed.contains(&name))?;
    if layers.layers.is_empty() {
        return Err(DbError::NoLayers {
            url: db.url().to_string(),
        });
    }
    let author = db.author().to_string();
    let url = db.url().to_string();
    let hold = super::layers::test_hold();
    let result = (|| -> Result<EditOutcome, TxError> {
        let pg = |what: &str| {
            let what = what.to_string();
            move |e| TxError::Pg(what, e)
        };
        let mut tx = db.client().transaction().map_err(pg("starting the edit"))?;
        tx.execute(
            "INSERT INTO hetao.scenarios (name, description, created_by) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
            &[&name, &description, &author],
        )
        .map_err(pg("creating the scenario"))?;
        let current: i64 = tx
            .query_one(
                "SELECT revision FROM hetao.scenarios WHERE name = $1 FOR UPDATE",
                &[&name],
            )
            .map_err(pg("locking the scenario"))?
            .get(0);
        if let Some(base) = base {
            if base > current || base < 0 {
                return Err(TxError::Db(DbError::BaseAhead {
                    name: name.to_string(),
                    base,
                    current,
                }));
            }
            let ids: Vec<String> = edits.iter().map(Edit::id).collect();
            let sql = format!(
                "SELECT DISTINCT ON (feature) feature, revision, edit::text, author, {UTC_ISO}
                 FROM hetao.edits
                 WHERE scenario = $1 AND revision > $2 AND feature = ANY($3)
                 ORDER BY feature, revision DESC"
            );
            let rows = tx
                .query(&sql, &[&name, &base, &ids])
                .map_err(pg("checking for conflicts"))?;
            let mut conflicts = Vec::new();
            for yours in edits {
                let id = yours.id();
                if let Some(r) = rows.iter().find(|r| r.get::<_, &str>(0) == id) {
                    let revision: i64 = r.get(1);
                    let theirs: Edit = serde_json::from_str(r.get::<_, &str>(2)).map_err(|e| {
                        TxError::Db(DbError::Server {
                            url: url.clone(),
                            context: format!("scenario {name:?} revision {revision}"),
                            message: format!("the stored edit cannot be read: {e}"),
                        })
                    })?;
                    conflicts.push(Conflict {
                        feature: id,
                        revision,
                        author: r.get(3),
                        at: r.get(4),
                        theirs,
                        yours: yours.clone(),
                        base,
                    });
                }
            }
            if !conflicts.is_empty() {
                return Err(TxError::Db(DbError::Conflict(conflicts)));
            }
        }
        // The edits must apply on top of what the scenario already holds.
        let rows = tx
            .query(
                "SELECT revision, edit::text FROM hetao.edits WHERE scenario = $1 ORDER BY revision",
                &[&name],
            )
            .map_err(pg("reading the scenario"))?;
        let mut before = Scenario {
            name: name.to_string(),
            ..Scenario::default()
        };
        for r in &rows {
            let revision: i64 = r.get(0);
            let e: Edit = serde_json::from_str(r.get::<_, &str>(1)).map_err(|e| {
                TxError::Db(DbError::Server {
                    url: url.clone(),
                    context: format!("scenario {name:?} revision {revision}"),
                    message: format!("the stored edit cannot be read: {e}"),
                })
            })?;
            before.edits.push(e);
        }
        let mut ds: Dataset = layers.clone();
        before
            .apply(&mut ds)
            .map_err(|e| TxError::Db(DbError::Scenario(e)))?;
        let mine = Scenario {
            name: name.to_string(),
            description: description.to_string(),
            edits: edits.to_vec(),
        };
        mine.apply(&mut ds)
            .map_err(|e| TxError::Db(DbError::Scenario(e)))?;
        let insert = tx
            .prepare(
                "INSERT INTO hetao.edits (scenario, revision, feature, op, edit, author)
                 VALUES ($1, $2, $3, $4, $5::text::json, $6)",
            )
            .map_err(pg("preparing the edits"))?;
        for (i, e) in edits.iter().enumerate() {
            let revision = current + 1 + i as i64;
            let text = serde_json::to_string(e).unwrap_or_default();
            tx.execute(
                &insert,
                &[&name, &revision, &e.id(), &e.op(), &text, &author],
            )
            .map_err(pg(&format!("recording revision {revision}")))?;
        }
        let revision = current + edits.len() as i64;
        tx.execute(
            "UPDATE hetao.scenarios SET revision = $2, updated_at = now() WHERE name = $1",
            &[&name, &revision],
        )
        .map_err(pg("updating the scenario"))?;
        if !edits.is_empty() {
            let payload = serde_json::json!({
                "kind": "edits",
                "scenario": name,
                "from": current + 1,
                "revision": revision,
                "author": author,
            })
            .to_string();
            tx.execute(
                "SELECT pg_notify($1, $2)",
                &[&super::schema::CHANNEL, &payload],
            )
            .map_err(pg("announcing the edits"))?;
        }
        if let Some(d) = hold {
            std::thread::sleep(d);
        }
        tx.commit().map_err(pg("committing the edits"))?;
        Ok(EditOutcome {
            first: current + 1,
            revision,
            applied: edits.len(),
        })
    })();
    result.map_err(|e| match e {
        TxError::Db(e) => e,
        TxError::Pg(context, e) => DbError::Server {
            url,
            context,
            message: super::conn::error_text(&e, None),
        },
    })
}
