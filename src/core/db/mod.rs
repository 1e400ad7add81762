//! The PostGIS client: a team's shared layers, inventory and scenarios (docs/db.md).
//!
//! - [`conn`]: the URL (redaction, `sslmode`, timeouts), passwords (`~/.pgpass`, prompt), TLS.
//! - [`ident`]: SQL identifiers, validated and quoted.
//! - [`wkb`]: geometries as (E)WKB.
//! - [`schema`]: the `hetao` schema, its version table, init and migrate.
//! - [`layers`]: push (binary COPY) and pull of layers, viewport queries through the GiST index.
//! - [`scenario`]: shared scenarios as revisions of edits, with conflicts.
//!
//! [`Db`] is one connection. Every value goes to the server as a parameter; every name the
//! tool builds from data goes through [`ident::quote`]. No message shows a password.

pub mod conn;
pub mod ident;
pub mod layers;
pub mod scenario;
pub mod schema;
pub mod wkb;

pub use conn::{DbUrl, PasswordPrompt, SslChoice};
pub use scenario::{Conflict, EditOutcome};

use crate::core::model::Dataset;

/// Why a database operation failed. Every variant that concerns a server names it by its
/// redacted URL.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL cannot be parsed.
    #[error("database URL {url}: {message}")]
    Url {
        /// The URL, redacted.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The server cannot be reached (refused, no route, DNS).
    #[error("cannot reach the database server at {url}: {message}")]
    Unreachable {
        /// The URL, redacted.
        url: String,
        /// The underlying error.
        message: String,
    },
    /// No answer within the connect timeout.
    #[error(
        "the database server at {url} did not answer within {secs} s (connect_timeout; is the host and port right, is a firewall dropping packets?)"
    )]
    Timeout {
        /// The URL, redacted.
        url: String,
        /// The timeout, seconds.
        secs: f64,
    },
    /// The server refused the password or the user.
    #[error("the database server at {url} refused user {user:?}: {message}")]
    Auth {
        /// The URL, redacted.
        url: String,
        /// The user.
        user: String,
        /// The server's message.
        message: String,
    },
    /// The server wants a password and none was found.
    #[error("the database server at {url} wants a password for user {user:?}: {hint}")]
    NoPassword {
        /// The URL, redacted.
        url: String,
        /// The user.
        user: String,
        /// Where to put one.
        hint: String,
    },
    /// TLS could not be set up or negotiated.
    #[error("TLS with {url}: {message}")]
    Tls {
        /// The URL, redacted.
        url: String,
        /// The underlying error.
        message: String,
    },
    /// A statement failed on the server.
    #[error("{url}: {context}: {message}")]
    Server {
        /// The URL, redacted.
        url: String,
        /// What the tool was doing.
        context: String,
        /// The server's message.
        message: String,
    },
    /// A name that cannot be an identifier.
    #[error("{what} {name:?} cannot be stored: {reason}")]
    Identifier {
        /// What kind of name.
        what: &'static str,
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// The database has no `hetao` schema.
    #[error("{url} has no hetao schema yet: run `hetao db init --db {url}`")]
    NoSchema {
        /// The URL, redacted.
        url: String,
    },
    /// The schema is of an older version than this build uses.
    #[error(
        "{url} holds hetao schema version {found}; this hetao uses version {expected}: run `hetao db migrate --db {url}`"
    )]
    SchemaOlder {
        /// The URL, redacted.
        url: String,
        /// The version found.
        found: i32,
        /// The version this build uses.
        expected: i32,
    },
    /// The schema is newer than this build knows.
    #[error(
        "{url} holds hetao schema version {found}, newer than this hetao's {expected}: upgrade hetao (migrate cannot go back)"
    )]
    SchemaNewer {
        /// The URL, redacted.
        url: String,
        /// The version found.
        found: i32,
        /// The version this build uses.
        expected: i32,
    },
    /// PostGIS is not installed in the database and cannot be installed by this user.
    #[error(
        "{url}: PostGIS is not installed ({message}); ask the database administrator to run CREATE EXTENSION postgis in this database"
    )]
    NoPostgis {
        /// The URL, redacted.
        url: String,
        /// The server's message.
        message: String,
    },
    /// Stored data that cannot be read back.
    #[error("{url}: layer {layer:?}, feature {feature}: {message}")]
    BadRow {
        /// The URL, redacted.
        url: String,
        /// The layer.
        layer: String,
        /// The feature (its order number).
        feature: i64,
        /// What is wrong.
        message: String,
    },
    /// The database holds no layers yet.
    #[error("{url} holds no layers: run `hetao db push --db {url}` first")]
    NoLayers {
        /// The URL, redacted.
        url: String,
    },
    /// No scenario of that name.
    #[error("{url} has no scenario {name:?}")]
    NoScenario {
        /// The URL, redacted.
        url: String,
        /// The name.
        name: String,
    },
    /// `--base-revision` is past the scenario's revision.
    #[error("base revision {base} is ahead of scenario {name:?}, which is at revision {current}")]
    BaseAhead {
        /// The scenario.
        name: String,
        /// The base given.
        base: i64,
        /// The current revision.
        current: i64,
    },
    /// Edits conflicting with changes made after the base revision: nothing was applied.
    #[error("{}", scenario::conflict_message(.0))]
    Conflict(Vec<Conflict>),
    /// The edits (or the shared scenario before them) do not apply to the layers.
    #[error(transparent)]
    Scenario(#[from] crate::core::zone::ScenarioError),
}

impl DbError {
    /// True for the errors that mean "the server is not there" (the app's offline state).
    pub fn is_offline(&self) -> bool {
        matches!(self, DbError::Unreachable { .. } | DbError::Timeout { .. })
    }
}

/// Who makes an edit: `HETAO_AUTHOR`, else `user@host` of this machine.
pub fn default_author() -> String {
    if let Ok(a) = std::env::var("HETAO_AUTHOR")
        && !a.trim().is_empty()
    {
        return a.trim().to_string();
    }
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "someone".into());
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it or
    // truncates, and the last byte stays 0.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    let host = if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "localhost".into()
    };
    format!("{user}@{host}")
}

/// One connection to a project database.
pub struct Db {
    client: postgres::Client,
    url: String,
    password: Option<String>,
    author: String,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({}, as {})", self.url, self.author)
    }
}

impl Db {
    /// Connect (see [`conn::connect`]); edits are made as [`default_author`].
    pub fn connect(url: &DbUrl, prompt: Option<PasswordPrompt<'_>>) -> Result<Db, DbError> {
        let c = conn::connect(url, prompt)?;
        Ok(Db {
            client: c.client,
            url: url.redacted().to_string(),
            password: c.password,
            author: default_author(),
        })
    }

    /// Parse `url` and connect, without a prompt.
    pub fn open(url: &str) -> Result<Db, DbError> {
        Db::connect(&DbUrl::parse(url)?, None)
    }

    /// The redacted URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Who edits are recorded as.
    pub fn author(&self) -> &str {
        &self.author
    }

    /// Record edits as `author` instead.
    pub fn set_author(&mut self, author: &str) {
        self.author = author.to_string();
    }

    /// The underlying client.
    pub fn client(&mut self) -> &mut postgres::Client {
        &mut self.client
    }

    /// A server error as [`DbError::Server`], password scrubbed.
    pub fn err(&self, context: impl Into<String>, e: &postgres::Error) -> DbError {
        DbError::Server {
            url: self.url.clone(),
            context: context.into(),
            message: conn::error_text(e, self.password.as_deref()),
        }
    }

    /// True while the connection answers within `timeout`.
    pub fn ping(&mut self, timeout: std::time::Duration) -> bool {
        self.client.is_valid(timeout).is_ok()
    }
}

/// The dataset in the database (its layers in stack order), with the shared scenario
/// `scenario` applied when given: what `--db URL [--scenario-name NAME]` runs on. Also the
/// inventory note the tables print.
pub fn dataset(db: &mut Db, scenario: Option<&str>) -> Result<(Dataset, String), DbError> {
    schema::require_current(db)?;
    let mut ds = layers::pull_dataset(db)?;
    if ds.layers.is_empty() {
        return Err(DbError::NoLayers {
            url: db.url.clone(),
        });
    }
    if let Some(name) = scenario {
        let sc = scenario::load(db, name)?;
        sc.scenario.apply(&mut ds)?;
    }
    let note = layers::inventory_note(db)?;
    Ok((ds, note))
}
