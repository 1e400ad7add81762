//! Connecting: the database URL (parsing, redaction, `sslmode`), the password (URL,
//! `PGPASSWORD`, `~/.pgpass` or `PGPASSFILE`, or a prompt the caller supplies), TLS, and a
//! bounded connect: every attempt ends within the connect timeout (5 s unless the URL's
//! `connect_timeout` says otherwise), whether the server refuses, is unreachable or accepts
//! the socket and never answers.
//!
//! The URL shown anywhere is [`redact`]ed: a password in it becomes `***`.

use super::DbError;
use postgres::config::{Host, SslMode};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Connect timeout when the URL sets none.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// `sslmode` as libpq defines it (PostgreSQL docs, "SSL Mode Descriptions").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslChoice {
    /// No TLS.
    Disable,
    /// TLS when the server offers it (the default).
    Prefer,
    /// TLS or no connection; the certificate is not checked.
    Require,
    /// TLS, the server certificate signed by a trusted CA (`sslrootcert`).
    VerifyCa,
    /// As `VerifyCa`, and the certificate names the host.
    VerifyFull,
}

impl SslChoice {
    fn parse(s: &str) -> Option<SslChoice> {
        Some(match s {
            "disable" => SslChoice::Disable,
            "allow" | "prefer" => SslChoice::Prefer,
            "require" => SslChoice::Require,
            "verify-ca" => SslChoice::VerifyCa,
            "verify-full" => SslChoice::VerifyFull,
            _ => return None,
        })
    }
}

/// A parsed database URL (`postgres://user@host:port/dbname?sslmode=require`, or libpq's
/// `key=value` form). Its `Debug` and [`DbUrl::redacted`] never show a password.
#[derive(Clone)]
pub struct DbUrl {
    config: postgres::Config,
    redacted: String,
    ssl: SslChoice,
    root_cert: Option<PathBuf>,
    timeout: Duration,
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted)
    }
}

/// `raw` with any password replaced by `***` (URL user-info, `password=` parameters).
pub fn redact(raw: &str) -> String {
    let mut s = raw.to_string();
    if let Some(scheme_end) = s.find("://") {
        let rest_start = scheme_end + 3;
        let rest = &s[rest_start..];
        let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..auth_end].rfind('@')
            && let Some(colon) = rest[..at].find(':')
        {
            s.replace_range(rest_start + colon + 1..rest_start + at, "***");
        }
    }
    // `password=...` in a query string or a key=value string
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("password=") {
        let boundary = i == 0 || matches!(rest.as_bytes()[i - 1], b'?' | b'&' | b' ' | b'\t');
        out.push_str(&rest[..i + "password=".len()]);
        rest = &rest[i + "password=".len()..];
        if boundary {
            let end = if let Some(q) = rest.strip_prefix('\'') {
                q.find('\'').map_or(rest.len(), |e| e + 2)
            } else {
                rest.find(['&', ' ', '\t']).unwrap_or(rest.len())
            };
            out.push_str("***");
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// Take `key=value` out of a URL's query string; returns the URL without it and the value.
fn take_param(url: &str, key: &str) -> (String, Option<String>) {
    let Some(q) = url.find('?') else {
        return (url.to_string(), None);
    };
    let (base, query) = (&url[..q], &url[q + 1..]);
    let mut value = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.split_once('=') {
            Some((k, v)) if k == key => {
                value = Some(v.to_string());
                false
            }
            _ => !kv.is_empty(),
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, value)
}

impl DbUrl {
    /// Parse a URL. Errors show the redacted URL only.
    pub fn parse(raw: &str) -> Result<DbUrl, DbError> {
        let redacted = redact(raw.trim());
        let bad = |message: String| DbError::Url {
            url: redacted.clone(),
            message,
        };
        let is_url = raw.starts_with("postgres://") || raw.starts_with("postgresql://");
        let (rest, ssl_raw, root_cert) = if is_url {
            let (rest, ssl) = take_param(raw.trim(), "sslmode");
            let (rest, root) = take_param(&rest, "sslrootcert");
            (rest, ssl, root.map(PathBuf::from))
        } else {
            (raw.trim().to_string(), None, None)
        };
        let ssl = match ssl_raw.as_deref() {
            None => SslChoice::Prefer,
            Some(s) => SslChoice::parse(s).ok_or_else(|| {
                bad(format!(
                    "sslmode={s} is not one of disable, allow, prefer, require, verify-ca, verify-full"
                ))
            })?,
        };
        let mut config = postgres::Config::from_str(&rest).map_err(|e| {
            // the parser's messages name options, never their values; scrub anyway
            bad(scrub(&e.to_string(), raw))
        })?;
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .or_else(|_| std::env::var("USER"))
                .unwrap_or_else(|_| "postgres".into());
            config.user(&user);
        }
        if config.get_dbname().is_none()
            && let Some(u) = config.get_user().map(str::to_string)
        {
            config.dbname(&u);
        }
        let timeout = config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        config.connect_timeout(timeout);
        // a dead peer on an open connection is noticed in seconds, not hours
        config.keepalives_idle(Duration::from_secs(5));
        config.keepalives_interval(Duration::from_secs(2));
        config.keepalives_retries(3);
        config.tcp_user_timeout(Duration::from_secs(10));
        if config.get_application_name().is_none() {
            config.application_name("hetao");
        }
        config.ssl_mode(match ssl {
            SslChoice::Disable => SslMode::Disable,
            SslChoice::Prefer => SslMode::Prefer,
            _ => SslMode::Require,
        });
        Ok(DbUrl {
            config,
            redacted,
            ssl,
            root_cert,
            timeout,
        })
    }

    /// The URL as it may be shown (password replaced by `***`).
    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    /// The `sslmode` in force.
    pub fn ssl(&self) -> SslChoice {
        self.ssl
    }

    /// The connect timeout in force.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The user name the connection uses.
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("")
    }

    /// True when the URL itself carries a password.
    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }

    /// The first host, as `~/.pgpass` matches it (a socket directory counts as `localhost`).
    fn pgpass_host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            _ => "localhost".into(),
        }
    }

    fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }
}

/// `text` with every occurrence of the password in `raw` (if it has one) replaced.
fn scrub(text: &str, raw: &str) -> String {
    match postgres::Config::from_str(raw)
        .ok()
        .and_then(|c| c.get_password().map(<[u8]>::to_vec))
        .and_then(|p| String::from_utf8(p).ok())
    {
        Some(p) if !p.is_empty() => text.replace(&p, "***"),
        _ => text.to_string(),
    }
}

/// Where the password file is: `PGPASSFILE`, else `~/.pgpass`.
pub fn pgpass_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PGPASSFILE") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass"))
}

/// The fields of one `.pgpass` line (`host:port:db:user:password`, `\:` and `\\` escaped).
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next()
                    && let Some(last) = fields.last_mut()
                {
                    last.push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

/// What the password file gave: a password, or why it was not used.
#[derive(Debug, Clone, PartialEq)]
pub enum PgpassLookup {
    /// A matching line's password.
    Found(String),
    /// No file, or no matching line.
    None,
    /// The file is readable by group or others, so (as libpq does) it is not used.
    Ignored(PathBuf),
}

/// The password `~/.pgpass` (or `PGPASSFILE`) gives for this URL.
pub fn pgpass_lookup(url: &DbUrl) -> PgpassLookup {
    let Some(path) = pgpass_path() else {
        return PgpassLookup::None;
    };
    let Ok(meta) = std::fs::metadata(&path) else {
        return PgpassLookup::None;
    };
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return PgpassLookup::Ignored(path);
        }
    }
    let Ok(text) = std::fs::read_to_string(&path) else {
        return PgpassLookup::None;
    };
    let want = [
        url.pgpass_host(),
        url.port().to_string(),
        url.config.get_dbname().unwrap_or("").to_string(),
        url.user().to_string(),
    ];
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f = pgpass_fields(line);
        if f.len() != 5 {
            continue;
        }
        if f[..4]
            .iter()
            .zip(&want)
            .all(|(got, w)| got == "*" || got == w)
        {
            return PgpassLookup::Found(f[4].clone());
        }
    }
    PgpassLookup::None
}

/// Asks the person for a password (the CLI on a terminal, the app in a dialog); `None`:
/// no answer.
pub type PasswordPrompt<'a> = &'a dyn Fn(&str) -> Option<String>;

fn tls_connector(url: &DbUrl) -> Result<postgres_openssl::MakeTlsConnector, DbError> {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
    let tls_err = |e: openssl::error::ErrorStack| DbError::Tls {
        url: url.redacted.clone(),
        message: e.to_string(),
    };
    let mut b = SslConnector::builder(SslMethod::tls_client()).map_err(tls_err)?;
    match url.ssl {
        SslChoice::VerifyCa | SslChoice::VerifyFull => {
            let root = url.root_cert.clone().or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".postgresql/root.crt"))
            });
            if let Some(r) = root.filter(|r| r.exists()) {
                b.set_ca_file(&r).map_err(tls_err)?;
            }
            b.set_verify(SslVerifyMode::PEER);
        }
        _ => b.set_verify(SslVerifyMode::NONE),
    }
    let mut c = postgres_openssl::MakeTlsConnector::new(b.build());
    let verify_host = url.ssl == SslChoice::VerifyFull;
    c.set_callback(move |cfg, _| {
        cfg.set_verify_hostname(verify_host);
        Ok(())
    });
    Ok(c)
}

/// Connect once with `config`, within `timeout` for the whole start-up (TCP, TLS,
/// authentication). A server that accepts the socket and never answers costs the timeout,
/// not a hang: the attempt runs on its own thread, which is abandoned if it overruns.
fn connect_bounded(
    url: &DbUrl,
    config: postgres::Config,
) -> Result<postgres::Client, ConnectFailure> {
    let (tx, rx) = std::sync::mpsc::channel();
    let tls = if url.ssl == SslChoice::Disable {
        None
    } else {
        Some(tls_connector(url).map_err(ConnectFailure::Other)?)
    };
    let spawned = std::thread::Builder::new()
        .name("hetao-db-connect".into())
        .spawn(move || {
            let r = match tls {
                None => config.connect(postgres::NoTls),
                Some(t) => config.connect(t),
            };
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Err(ConnectFailure::Other(DbError::Unreachable {
            url: url.redacted.clone(),
            message: format!("cannot start the connection thread: {e}"),
        }));
    }
    match rx.recv_timeout(url.timeout + Duration::from_millis(500)) {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(ConnectFailure::Pg(e)),
        Err(_) => Err(ConnectFailure::Other(DbError::Timeout {
            url: url.redacted.clone(),
            secs: url.timeout.as_secs_f64(),
        })),
    }
}

enum ConnectFailure {
    Pg(postgres::Error),
    Other(DbError),
}

/// A connection and the password it used (kept only to scrub it from messages).
pub struct Connected {
    /// The client.
    pub client: postgres::Client,
    /// The password used, if any.
    pub password: Option<String>,
}

/// Connect to `url`: password from the URL, `PGPASSWORD`, the password file, then
/// `prompt` when the server asks for one and none was found.
pub fn connect(url: &DbUrl, prompt: Option<PasswordPrompt<'_>>) -> Result<Connected, DbError> {
    let mut config = url.config.clone();
    let mut password: Option<String> = None;
    let mut pgpass_note = String::new();
    if !url.has_password() {
        if let Ok(p) = std::env::var("PGPASSWORD") {
            password = Some(p);
        } else {
            match pgpass_lookup(url) {
                PgpassLookup::Found(p) => password = Some(p),
                PgpassLookup::Ignored(path) => {
                    pgpass_note = format!(
                        " ({} was not used: it is readable by others; chmod 600 it)",
                        path.display()
                    );
                }
                PgpassLookup::None => {}
            }
        }
    } else {
        password = url
            .config
            .get_password()
            .and_then(|p| String::from_utf8(p.to_vec()).ok());
    }
    if let Some(p) = &password {
        config.password(p.as_bytes());
    }
    let mut prompted = false;
    loop {
        match connect_bounded(url, config.clone()) {
            Ok(client) => return Ok(Connected { client, password }),
            Err(ConnectFailure::Other(e)) => return Err(e),
            Err(ConnectFailure::Pg(e)) => {
                let msg = error_text(&e, password.as_deref());
                let missing = password.is_none() && msg.contains("password missing");
                if missing
                    && !prompted
                    && let Some(ask) = prompt
                    && let Some(p) =
                        ask(&format!("Password for {} at {}", url.user(), url.redacted))
                {
                    prompted = true;
                    config.password(p.as_bytes());
                    password = Some(p);
                    continue;
                }
                return Err(classify_connect_error(url, &e, msg, missing, &pgpass_note));
            }
        }
    }
}

fn classify_connect_error(
    url: &DbUrl,
    e: &postgres::Error,
    msg: String,
    missing: bool,
    pgpass_note: &str,
) -> DbError {
    use postgres::error::SqlState;
    let user = url.user().to_string();
    if missing {
        return DbError::NoPassword {
            url: url.redacted.clone(),
            user,
            hint: format!(
                "put it in {} (host:port:database:user:password, chmod 600), set PGPASSWORD, or answer the prompt{pgpass_note}",
                pgpass_path().map_or("~/.pgpass".into(), |p| p.display().to_string())
            ),
        };
    }
    if let Some(db) = e.as_db_error()
        && (db.code() == &SqlState::INVALID_PASSWORD
            || db.code() == &SqlState::INVALID_AUTHORIZATION_SPECIFICATION)
    {
        return DbError::Auth {
            url: url.redacted.clone(),
            user,
            message: format!("{msg}{pgpass_note}"),
        };
    }
    if e.as_db_error().is_some() {
        return DbError::Server {
            url: url.redacted.clone(),
            context: "connecting".into(),
            message: msg,
        };
    }
    if msg.to_ascii_lowercase().contains("tls") || msg.to_ascii_lowercase().contains("ssl") {
        return DbError::Tls {
            url: url.redacted.clone(),
            message: msg,
        };
    }
    DbError::Unreachable {
        url: url.redacted.clone(),
        message: msg,
    }
}

/// A client error as one line (the server's message, detail and hint), with `password`
/// scrubbed out.
pub fn error_text(e: &postgres::Error, password: Option<&str>) -> String {
    use std::error::Error as _;
    let mut s = match e.as_db_error() {
        Some(db) => {
            let mut s = db.message().to_string();
            if let Some(d) = db.detail() {
                s.push_str(&format!(" ({d})"));
            }
            if let Some(h) = db.hint() {
                s.push_str(&format!("; hint: {h}"));
            }
            s
        }
        None => {
            let mut s = e.to_string();
            let mut src = e.source();
            while let Some(inner) = src {
                let t = inner.to_string();
                if !s.contains(&t) {
                    s.push_str(&format!(": {t}"));
                }
                src = inner.source();
            }
            s
        }
    };
    if let Some(p) = password.filter(|p| !p.is_empty()) {
        s = s.replace(p, "***");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_every_form_of_password() {
        assert_eq!(
            redact("postgres://ann:s3cr%40t@db.example:5432/zone?sslmode=require"),
            "postgres://ann:***@db.example:5432/zone?sslmode=require"
        );
        assert_eq!(
            redact("postgres://ann@db/zone?password=hunter2&sslmode=require"),
            "postgres://ann@db/zone?password=***&sslmode=require"
        );
        assert_eq!(
            redact("host=db user=ann password='a b' dbname=z"),
            "host=db user=ann password=*** dbname=z"
        );
        assert_eq!(redact("postgres://ann@db/zone"), "postgres://ann@db/zone");
    }

    #[test]
    fn urls_parse_with_sslmode_and_never_debug_the_password() {
        let u = DbUrl::parse("postgres://ann:pw123@127.0.0.1:6543/zone?sslmode=verify-full")
            .expect("parses");
        assert_eq!(u.ssl(), SslChoice::VerifyFull);
        assert_eq!(u.user(), "ann");
        assert_eq!(u.port(), 6543);
        assert!(!format!("{u:?}").contains("pw123"));
        assert_eq!(u.timeout(), DEFAULT_CONNECT_TIMEOUT);
        let e = DbUrl::parse("postgres://ann:pw123@h/z?sslmode=sometimes")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("sslmode=sometimes"), "{e}");
        assert!(!e.contains("pw123"), "{e}");
        let t = DbUrl::parse("postgres://ann@h/z?connect_timeout=2").expect("parses");
        assert_eq!(t.timeout(), Duration::from_secs(2));
    }

    #[test]
    fn pgpass_lines_unescape_and_keep_colons_in_the_password() {
        assert_eq!(
            pgpass_fields(r"127.0.0.1:5432:*:ann:pa\:ss:word"),
            vec!["127.0.0.1", "5432", "*", "ann", "pa:ss:word"]
        );
        assert_eq!(
            pgpass_fields(r"h:1:d:u:a\\b"),
            vec!["h", "1", "d", "u", r"a\b"]
        );
    }
}
