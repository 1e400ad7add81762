//! The `hetao` schema and its version: [`init`] creates it (or migrates an older one),
//! [`migrate`] brings an older one up to date, [`require_current`] is what every other
//! operation checks first. Schema changes run under an advisory lock, in one transaction.
//!
//! Version 1 (docs/db.md has the full description):
//! - `schema_version(version, applied_at, tool)`: one row per migration applied;
//! - `layers(name, tbl, ord, attribution, illustrative, bbox, foreign_members, source_crs,
//!   source, feature_count, pushed_by, pushed_at)`: the catalogue; each layer's features are
//!   in the table `tbl` (`layer:` + the name): `ord, fid, key, line, col, props, extra,
//!   geom geometry(Geometry, 4326)` with a GiST index on `geom`;
//! - `inventory(note, source, mapping, pushed_by, pushed_at)`: where the buildings came
//!   from and the mapping TOML that made them;
//! - `scenarios(name, description, revision, created_by, created_at, updated_at)` and
//!   `edits(scenario, revision, feature, op, edit, author, db_user, at)`: shared scenarios,
//!   one revision per edit.

use super::{Db, DbError};

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: i32 = 1;

/// The channel colleagues' changes are announced on (payload: JSON with `kind`, and for
/// edits `scenario`, `revision`, `author`).
pub const CHANNEL: &str = "hetao_changes";

/// Each migration: the version it brings the schema to, and its SQL.
const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    r#"
CREATE TABLE hetao.layers (
    name text PRIMARY KEY,
    tbl text NOT NULL UNIQUE,
    ord integer NOT NULL,
    attribution text,
    illustrative boolean NOT NULL DEFAULT false,
    bbox json,
    foreign_members json,
    source_crs text,
    source text,
    feature_count bigint NOT NULL DEFAULT 0,
    pushed_by text NOT NULL,
    pushed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE hetao.inventory (
    id integer PRIMARY KEY CHECK (id = 1),
    note text NOT NULL,
    source text,
    mapping text,
    pushed_by text NOT NULL,
    pushed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE hetao.scenarios (
    name text PRIMARY KEY,
    description text NOT NULL DEFAULT '',
    revision bigint NOT NULL DEFAULT 0 CHECK (revision >= 0),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE hetao.edits (
    scenario text NOT NULL REFERENCES hetao.scenarios (name) ON DELETE CASCADE,
    revision bigint NOT NULL CHECK (revision >= 1),
    feature text NOT NULL,
    op text NOT NULL,
    edit json NOT NULL,
    author text NOT NULL,
    db_user text NOT NULL DEFAULT current_user,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scenario, revision)
);
CREATE INDEX edits_feature ON hetao.edits (scenario, feature, revision);
"#,
)];

/// What the database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaState {
    /// No `hetao` schema.
    Missing,
    /// The schema at this version.
    At(i32),
}

/// The schema's state.
pub fn state(db: &mut Db) -> Result<SchemaState, DbError> {
    let r = db.client().query_one(
        "SELECT to_regclass('hetao.schema_version') IS NOT NULL",
        &[],
    );
    let exists: bool = r
        .map_err(|e| db.err("reading the schema version", &e))?
        .get(0);
    if !exists {
        return Ok(SchemaState::Missing);
    }
    let r = db
        .client()
        .query_one("SELECT max(version) FROM hetao.schema_version", &[]);
    let v: Option<i32> = r
        .map_err(|e| db.err("reading the schema version", &e))?
        .get(0);
    Ok(SchemaState::At(v.unwrap_or(0)))
}

/// Fail unless the schema is at [`SCHEMA_VERSION`], saying what to run.
pub fn require_current(db: &mut Db) -> Result<(), DbError> {
    match state(db)? {
        SchemaState::At(SCHEMA_VERSION) => Ok(()),
        SchemaState::Missing => Err(DbError::NoSchema {
            url: db.url().to_string(),
        }),
        SchemaState::At(v) => Err(version_error(db, v)),
    }
}

fn version_error(db: &Db, found: i32) -> DbError {
    version_error_at(db.url().to_string(), found)
}

fn version_error_at(url: String, found: i32) -> DbError {
    if found > SCHEMA_VERSION {
        DbError::SchemaNewer {
            url,
            found,
            expected: SCHEMA_VERSION,
        }
    } else {
        DbError::SchemaOlder {
            url,
            found,
            expected: SCHEMA_VERSION,
        }
    }
}

/// What [`init`] or [`migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaOutcome {
    /// The schema was created at this version.
    Created(i32),
    /// Already current.
    Current(i32),
    /// Migrated from one version to another.
    Migrated(i32, i32),
}

impl std::fmt::Display for SchemaOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaOutcome::Created(v) => write!(f, "created the hetao schema, version {v}"),
            SchemaOutcome::Current(v) => write!(f, "the hetao schema is current (version {v})"),
            SchemaOutcome::Migrated(a, b) => {
                write!(f, "migrated the hetao schema from version {a} to {b}")
            }
        }
    }
}

fn ensure_postgis(db: &mut Db) -> Result<(), DbError> {
    let r = db.client().query_one(
        "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')",
        &[],
    );
    let has: bool = r.map_err(|e| db.err("checking for PostGIS", &e))?.get(0);
    if has {
        return Ok(());
    }
    db.client()
        .batch_execute("CREATE EXTENSION IF NOT EXISTS postgis")
        .map_err(|e| DbError::NoPostgis {
            url: db.url().to_string(),
            message: super::conn::error_text(&e, None),
        })
}

/// Create the schema, or migrate an older one; a current one is left as it is; a newer one
/// is an error.
fn apply(db: &mut Db) -> Result<SchemaOutcome, DbError> {
    ensure_postgis(db)?;
    let author = db.author().to_string();
    let url = db.url().to_string();
    let password_free = |e: &postgres::Error| super::conn::error_text(e, None);
    let mut tx = db.client().transaction().map_err(|e| DbError::Server {
        url: url.clone(),
        context: "starting the schema transaction".into(),
        message: password_free(&e),
    })?;
    let step = |tx: &mut postgres::Transaction<'_>, what: &str, sql: &str| {
        tx.batch_execute(sql).map_err(|e| DbError::Server {
            url: url.clone(),
            context: what.to_string(),
            message: password_free(&e),
        })
    };
    step(
        &mut tx,
        "locking the schema",
        "SELECT pg_advisory_xact_lock(hashtext('hetao schema'))",
    )?;
    step(
        &mut tx,
        "creating the hetao schema",
        // CREATE SCHEMA IF NOT EXISTS would still need CREATE on the database, which an
        // owner of a schema made for it by an administrator (README) does not have
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'hetao') THEN
                 CREATE SCHEMA hetao;
             END IF;
         END $$;
         CREATE TABLE IF NOT EXISTS hetao.schema_version (
             version integer NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now(),
             tool text NOT NULL
         );",
    )?;
    let found: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM hetao.schema_version",
            &[],
        )
        .map_err(|e| DbError::Server {
            url: url.clone(),
            context: "reading the schema version".into(),
            message: password_free(&e),
        })?
        .get(0);
    if found > SCHEMA_VERSION {
        return Err(version_error_at(url, found));
    }
    if found == SCHEMA_VERSION {
        return Ok(SchemaOutcome::Current(found));
    }
    for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        step(&mut tx, &format!("migrating to schema version {v}"), sql)?;
        tx.execute(
            "INSERT INTO hetao.schema_version (version, tool) VALUES ($1, $2)",
            &[
                v,
                &format!("hetao {} ({author})", env!("CARGO_PKG_VERSION")),
            ],
        )
        .map_err(|e| DbError::Server {
            url: url.clone(),
            context: format!("recording schema version {v}"),
            message: password_free(&e),
        })?;
    }
    tx.commit().map_err(|e| DbError::Server {
        url: url.clone(),
        context: "committing the schema".into(),
        message: password_free(&e),
    })?;
    Ok(if found == 0 {
        SchemaOutcome::Created(SCHEMA_VERSION)
    } else {
        SchemaOutcome::Migrated(found, SCHEMA_VERSION)
    })
}

/// `hetao db init`: create the schema, or migrate one of an older version; one of a newer
/// version is refused. (Every other operation refuses a schema of another version, naming
/// `hetao db migrate`.)
pub fn init(db: &mut Db) -> Result<SchemaOutcome, DbError> {
    apply(db)
}

/// `hetao db migrate`: bring an older schema to [`SCHEMA_VERSION`] (a missing one is an
/// error naming `hetao db init`).
pub fn migrate(db: &mut Db) -> Result<SchemaOutcome, DbError> {
    if state(db)? == SchemaState::Missing {
        return Err(DbError::NoSchema {
            url: db.url().to_string(),
        });
    }
    apply(db)
}
