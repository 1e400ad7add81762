//! The PostgreSQL + PostGIS server the database tests (tests/db_*.rs) run against: a real
//! one, never a mock. `HETAO_TEST_DB` names one (an administrator's URL whose role may create
//! databases and the postgis extension; its password in PGPASSFILE or the URL); otherwise a
//! throwaway cluster is started once per test binary with scripts/pg-cluster.sh and stopped
//! when the binary exits. In CI (`CI` set) a server that cannot start fails the tests;
//! elsewhere they print why and skip.
#![allow(dead_code)]

use hetao_atlas::core::db::Db;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running server.
pub struct Server {
    /// host:port.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The role the tool connects as.
    pub user: String,
    /// Its password (kept out of URLs given to the binary, which reads PGPASSFILE).
    pub password: String,
    /// The administrator URL (with password), for creating databases.
    admin: String,
    /// A password file for the binary (`PGPASSFILE`).
    pub pgpass: PathBuf,
    /// A template database with PostGIS (our cluster), or none (create the extension).
    template: Option<String>,
    /// The server's self-signed TLS certificate (our cluster, when openssl made one).
    pub cert: Option<PathBuf>,
}

static SERVER: OnceLock<Option<Server>> = OnceLock::new();
static CLUSTER_DIR: OnceLock<PathBuf> = OnceLock::new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary under test (`HETAO_BIN` overrides, as for the e2e tests: the target dir is
/// shared).
pub fn bin() -> PathBuf {
    std::env::var_os("HETAO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_hetao")))
}

extern "C" fn stop_cluster() {
    if let Some(dir) = CLUSTER_DIR.get() {
        let _ = Command::new("bash")
            .arg(root().join("scripts/pg-cluster.sh"))
            .arg("stop")
            .arg(dir)
            .status();
    }
}

fn unavailable(why: String) -> Option<Server> {
    if std::env::var_os("CI").is_some() {
        panic!("CI: the database tests need a PostgreSQL server: {why}");
    }
    eprintln!("skipping the database tests: {why}");
    None
}

fn pgpass_line(path: &Path, user: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find(|l| l.split(':').nth(3) == Some(user))
        .and_then(|l| l.splitn(5, ':').nth(4).map(str::to_string))
}

fn start() -> Option<Server> {
    if let Ok(admin) = std::env::var("HETAO_TEST_DB") {
        // host, port, user and password of the administrator URL
        let cfg: postgres::Config = admin.parse().ok()?;
        let host = match cfg.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "localhost".into(),
        };
        let port = cfg.get_ports().first().copied().unwrap_or(5432);
        let user = cfg.get_user().unwrap_or("postgres").to_string();
        let password = cfg
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .or_else(|| {
                std::env::var_os("PGPASSFILE").and_then(|p| pgpass_line(Path::new(&p), &user))
            })
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("hetao-test-db-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let pgpass = dir.join("pgpass");
        let _ = std::fs::write(&pgpass, format!("*:*:*:{user}:{password}\n"));
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600));
        }
        let admin = format!("postgres://{user}:{password}@{host}:{port}/postgres");
        return Some(Server {
            host,
            port,
            user,
            password,
            admin,
            pgpass,
            template: None,
            cert: None,
        });
    }
    let dir = std::env::temp_dir().join(format!("hetao-test-pg-{}", std::process::id()));
    let out = Command::new("bash")
        .arg(root().join("scripts/pg-cluster.sh"))
        .arg("start")
        .arg(&dir)
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => return unavailable(format!("cannot run scripts/pg-cluster.sh: {e}")),
    };
    if !out.status.success() {
        let _ = Command::new("bash")
            .arg(root().join("scripts/pg-cluster.sh"))
            .arg("stop")
            .arg(&dir)
            .status();
        return unavailable(format!(
            "scripts/pg-cluster.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let _ = CLUSTER_DIR.set(dir.clone());
    // SAFETY: registering a plain extern "C" function with no captured state.
    unsafe { libc::atexit(stop_cluster) };
    let port: u16 = std::fs::read_to_string(dir.join("port"))
        .ok()
        .and_then(|p| p.trim().parse().ok())
        .expect("pg-cluster.sh writes the port");
    let pgpass = dir.join("pgpass");
    let password = pgpass_line(&pgpass, "hetao").expect("the hetao password");
    let su = pgpass_line(&pgpass, "postgres").expect("the superuser password");
    Some(Server {
        host: "127.0.0.1".into(),
        port,
        user: "hetao".into(),
        password,
        admin: format!("postgres://postgres:{su}@127.0.0.1:{port}/postgres"),
        pgpass,
        template: Some("hetao_template".into()),
        cert: Some(dir.join("server.crt")).filter(|c| c.exists()),
    })
}

/// The server, started on first use; `None`: skip (never in CI).
pub fn server() -> Option<&'static Server> {
    SERVER.get_or_init(start).as_ref()
}

impl Server {
    /// The URL of database `db` as a planner writes it (no password: it is in PGPASSFILE).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{}@{}:{}/{db}", self.user, self.host, self.port)
    }

    /// The same with the password in it (for in-process connections in the tests).
    pub fn url_with_password(&self, db: &str) -> String {
        format!(
            "postgres://{}:{}@{}:{}/{db}",
            self.user, self.password, self.host, self.port
        )
    }

    /// A new, empty database with PostGIS, named after `tag`; returns its name.
    pub fn fresh_db(&self, tag: &str) -> String {
        let n = NEXT_DB.fetch_add(1, Ordering::SeqCst);
        let name = format!("t_{}_{}_{n}", tag, std::process::id());
        let mut admin = postgres::Client::connect(&self.admin, postgres::NoTls).expect("admin");
        match &self.template {
            Some(t) => admin
                .batch_execute(&format!(
                    "CREATE DATABASE \"{name}\" TEMPLATE \"{t}\" OWNER \"{}\"",
                    self.user
                ))
                .expect("create database"),
            None => {
                admin
                    .batch_execute(&format!(
                        "CREATE DATABASE \"{name}\" OWNER \"{}\"",
                        self.user
                    ))
                    .expect("create database");
                let mut c = postgres::Client::connect(&self.admin_url(&name), postgres::NoTls)
                    .expect("admin");
                c.batch_execute("CREATE EXTENSION IF NOT EXISTS postgis")
                    .expect("postgis");
            }
        }
        name
    }

    /// The administrator URL for database `db`.
    fn admin_url(&self, db: &str) -> String {
        let base = self.admin.strip_suffix("/postgres").unwrap_or(&self.admin);
        format!("{base}/{db}")
    }

    /// A superuser (administrator) client on database `db`.
    pub fn admin_client(&self, db: &str) -> postgres::Client {
        postgres::Client::connect(&self.admin_url(db), postgres::NoTls).expect("admin client")
    }

    /// The URL of database `db` for another role.
    pub fn url_as(&self, user: &str, db: &str) -> String {
        format!("postgres://{user}@{}:{}/{db}", self.host, self.port)
    }

    /// A direct client on database `db` as the tool's role (for checks behind the tool's back).
    pub fn client(&self, db: &str) -> postgres::Client {
        postgres::Client::connect(&self.url_with_password(db), postgres::NoTls).expect("client")
    }

    /// The library's connection to `db`.
    pub fn db(&self, db: &str) -> Db {
        Db::open(&self.url_with_password(db)).expect("connect")
    }

    /// `hetao ARGS` with PGPASSFILE set, ready to run.
    pub fn hetao(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args)
            .env("PGPASSFILE", &self.pgpass)
            .env_remove("PGPASSWORD")
            .current_dir(root());
        c
    }

    /// Run `hetao ARGS`; (status, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let o = self.hetao(args).output().expect("run hetao");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    /// Run `hetao ARGS` and require success; stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "hetao {args:?}\nstdout: {out}\nstderr: {err}");
        out
    }

    /// A fresh database with the schema and the embedded zone pushed; its URL.
    pub fn zone_db(&self, tag: &str) -> String {
        let name = self.fresh_db(tag);
        let url = self.url(&name);
        self.ok(&["db", "init", "--db", &url]);
        self.ok(&["db", "push", "--db", &url]);
        url
    }
}

/// Run `hetao ARGS` without a database (the local reference); stdout.
pub fn local(args: &[&str]) -> String {
    let o = Command::new(bin())
        .args(args)
        .current_dir(root())
        .output()
        .expect("run hetao");
    assert!(
        o.status.success(),
        "hetao {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
