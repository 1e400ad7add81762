//! `hetao db init|migrate|push|pull|edit|revision`: a team's layers, inventory and
//! scenarios in PostGIS (docs/db.md). Every command takes `--db URL`; the password comes from
//! `~/.pgpass` (or `PGPASSFILE`), `PGPASSWORD`, or a prompt on the terminal, and no output
//! shows it. A conflicting edit exits with status 3, having applied nothing.

use crate::core::db::{self as core_db, Db, DbError, DbUrl, layers, scenario, schema};
use crate::core::zone::Scenario;
use anyhow::Context;
use clap::Subcommand;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Exit status of `hetao db edit` when an edit conflicts.
pub const EXIT_CONFLICT: i32 = 3;

/// Arguments of `hetao db`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: DbCommand,
}

/// The database to use.
#[derive(Debug, Clone, clap::Args)]
pub struct UrlArg {
    /// postgres://user@host:port/dbname[?sslmode=require&connect_timeout=5] (the password
    /// from ~/.pgpass, PGPASSFILE, PGPASSWORD or a prompt; never put it in scripts).
    #[arg(long = "db", value_name = "URL")]
    pub db: String,
}

/// The `hetao db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create the hetao schema (layers, inventory, scenarios, edits), or migrate an older one.
    Init(UrlArg),
    /// Bring a schema made by an older hetao to this version.
    Migrate(UrlArg),
    /// Push the embedded zone (no files), the zone with your inventory (--buildings), or the
    /// given layer files; each layer replaces the one of its name, all in one transaction.
    Push {
        /// The database.
        #[command(flatten)]
        url: UrlArg,
        /// Layer files (any format the loader reads); with none, the embedded zone.
        files: Vec<PathBuf>,
        /// How non-GeoJSON files are opened.
        #[command(flatten)]
        open: crate::cli::OpenArgs,
        /// Push the embedded zone with this building inventory as its buildings.
        #[arg(long, value_name = "FILE")]
        buildings: Option<PathBuf>,
        /// The inventory's mapping TOML (stored with it).
        #[arg(long, value_name = "M.toml", requires = "buildings")]
        mapping: Option<PathBuf>,
    },
    /// Write every layer (GeoJSON), the inventory mapping and the shared scenarios to DIR.
    Pull {
        /// The database.
        #[command(flatten)]
        url: UrlArg,
        /// The folder to write to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Apply a scenario file's edits as new revisions of the shared scenario NAME.
    Edit {
        /// The database.
        #[command(flatten)]
        url: UrlArg,
        /// The shared scenario (created if new).
        #[arg(long = "scenario-name", value_name = "NAME")]
        scenario_name: String,
        /// A scenario file (JSON, `hetao scenario` format).
        #[arg(long, value_name = "FILE.json")]
        edits: PathBuf,
        /// The revision the edits were made on: an edit of a feature someone changed after
        /// it is refused as a conflict (exit status 3, nothing applied).
        #[arg(long, value_name = "N")]
        base_revision: Option<i64>,
    },
    /// Print the current revision of the shared scenario NAME.
    Revision {
        /// The database.
        #[command(flatten)]
        url: UrlArg,
        /// The shared scenario.
        #[arg(long = "scenario-name", value_name = "NAME")]
        scenario_name: String,
    },
}

/// A password typed on the terminal (echo off); `None` without a terminal.
fn tty_prompt(label: &str) -> Option<String> {
    use std::io::BufRead;
    use std::os::fd::AsRawFd;
    // SAFETY: isatty only reads the descriptor's state.
    if unsafe { libc::isatty(0) } != 1 {
        return None;
    }
    // read-only: the prompt goes to stderr (no file is opened for writing here)
    let tty = std::fs::File::open("/dev/tty").ok()?;
    let fd = tty.as_raw_fd();
    // SAFETY: termios is plain data; tcgetattr fills it for a valid terminal descriptor.
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut term) } != 0 {
        return None;
    }
    let old = term;
    term.c_lflag &= !libc::ECHO;
    term.c_lflag |= libc::ECHONL;
    // SAFETY: `term` came from tcgetattr on this descriptor.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &term) };
    eprint!("{label}: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    // SAFETY: restores the settings read above.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &old) };
    read.ok()?;
    let p = line.trim_end_matches(['\n', '\r']).to_string();
    (!p.is_empty()).then_some(p)
}

/// Connect to `url` for a command (terminal prompt when the server wants a password and
/// none is configured).
pub fn connect(url: &str) -> anyhow::Result<Db> {
    let u = DbUrl::parse(url)?;
    Ok(Db::connect(&u, Some(&tty_prompt))?)
}

/// A layer or scenario name as a file name: `/`, `\`, `%`, control characters and a
/// leading `.` percent-encoded, everything else (Chinese too) kept.
pub fn file_stem(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for (i, c) in name.chars().enumerate() {
        if matches!(c, '/' | '\\' | '%') || c.is_control() || (i == 0 && c == '.') {
            let mut b = [0u8; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                s.push_str(&format!("%{byte:02X}"));
            }
        } else {
            s.push(c);
        }
    }
    if s.is_empty() { "_".into() } else { s }
}

fn push(
    db: &mut Db,
    files: &[PathBuf],
    open: &crate::cli::OpenArgs,
    buildings: Option<&Path>,
    mapping: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut to_push = Vec::new();
    let mut inventory = None;
    if files.is_empty() || buildings.is_some() {
        let ds = crate::core::zone::inventory::dataset(buildings, mapping)?;
        let mapping_text = match mapping {
            Some(m) => Some(
                std::fs::read_to_string(m).with_context(|| format!("reading {}", m.display()))?,
            ),
            None => None,
        };
        inventory = Some(layers::InventorySource {
            note: crate::cli::inventory_note(buildings),
            source: buildings.map(|b| b.display().to_string()),
            mapping: mapping_text,
        });
        to_push.extend(ds.layers);
    }
    for f in files {
        let ls = crate::core::io::open_layers(f, &open.options(None))?;
        to_push.extend(ls);
    }
    let refs: Vec<&crate::core::model::Layer> = to_push.iter().collect();
    let pushed = layers::push(db, &refs, inventory.as_ref())?;
    let total: usize = pushed.iter().map(|p| p.features).sum();
    for p in &pushed {
        writeln!(out, "pushed {:?}: {} feature(s)", p.layer, p.features)?;
    }
    writeln!(
        out,
        "pushed {} layer(s), {total} feature(s) to {}",
        pushed.len(),
        db.url()
    )?;
    Ok(())
}

fn pull(db: &mut Db, dir: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let ds = {
        schema::require_current(db)?;
        layers::pull_dataset(db)?
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for l in &ds.layers {
        let path = dir.join(format!("{}.geojson", file_stem(&l.name)));
        crate::core::io::write_layer(&path, l)?;
        writeln!(
            out,
            "wrote {} ({} feature(s) of layer {:?})",
            path.display(),
            l.features.len(),
            l.name
        )?;
    }
    if let Some(inv) = layers::inventory(db)?
        && let Some(m) = &inv.mapping
    {
        let path = dir.join("mapping.toml");
        crate::core::io::write_text(&path, m)?;
        writeln!(out, "wrote {} (the inventory mapping)", path.display())?;
    }
    let names = scenario::list(db)?;
    if !names.is_empty() {
        let sdir = dir.join("scenarios");
        std::fs::create_dir_all(&sdir).with_context(|| format!("creating {}", sdir.display()))?;
        for (name, _) in names {
            let shared = scenario::load(db, &name)?;
            let path = sdir.join(format!("{}.json", file_stem(&name)));
            let mut sc = shared.scenario.clone();
            if sc.description.is_empty() {
                sc.description = format!("shared scenario {name:?}");
            }
            sc.description = format!("{} (revision {})", sc.description, shared.revision);
            sc.save(&path)?;
            writeln!(
                out,
                "wrote {} (scenario {name:?} at revision {})",
                path.display(),
                shared.revision
            )?;
        }
    }
    Ok(())
}

fn edit(
    db: &mut Db,
    name: &str,
    file: &Path,
    base: Option<i64>,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let sc = Scenario::load(file)?;
    match scenario::apply_edits(db, name, &sc.description, &sc.edits, base) {
        Ok(o) => {
            if o.applied == 0 {
                writeln!(
                    out,
                    "no edits in {}; scenario {name:?} unchanged",
                    file.display()
                )?;
            } else if o.applied == 1 {
                writeln!(
                    out,
                    "applied 1 edit to scenario {name:?} as revision {} (by {})",
                    o.first,
                    db.author()
                )?;
            } else {
                writeln!(
                    out,
                    "applied {} edits to scenario {name:?} as revisions {}-{} (by {})",
                    o.applied,
                    o.first,
                    o.revision,
                    db.author()
                )?;
            }
            writeln!(out, "revision {}", o.revision)?;
            Ok(0)
        }
        Err(DbError::Conflict(cs)) => {
            eprintln!("{}", scenario::conflict_message(&cs));
            Ok(EXIT_CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

/// Run `hetao db ...`.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    match &args.command {
        DbCommand::Init(u) => {
            let mut db = connect(&u.db)?;
            let o = schema::init(&mut db)?;
            writeln!(out, "{o} in {}", db.url())?;
        }
        DbCommand::Migrate(u) => {
            let mut db = connect(&u.db)?;
            let o = schema::migrate(&mut db)?;
            writeln!(out, "{o} in {}", db.url())?;
        }
        DbCommand::Push {
            url,
            files,
            open,
            buildings,
            mapping,
        } => {
            let mut db = connect(&url.db)?;
            push(
                &mut db,
                files,
                open,
                buildings.as_deref(),
                mapping.as_deref(),
                out,
            )?;
        }
        DbCommand::Pull { url, out: dir } => {
            let mut db = connect(&url.db)?;
            pull(&mut db, dir, out)?;
        }
        DbCommand::Edit {
            url,
            scenario_name,
            edits,
            base_revision,
        } => {
            let mut db = connect(&url.db)?;
            return edit(&mut db, scenario_name, edits, *base_revision, out);
        }
        DbCommand::Revision { url, scenario_name } => {
            let mut db = connect(&url.db)?;
            let r = scenario::current_revision(&mut db, scenario_name)?;
            writeln!(out, "{r}")?;
        }
    }
    Ok(0)
}

/// The dataset of `--db URL [--scenario-name NAME]` and its inventory note (the CLI's and the
/// app's one way in).
pub fn dataset(
    url: &str,
    scenario: Option<&str>,
) -> anyhow::Result<(crate::core::model::Dataset, String)> {
    let mut db = connect(url)?;
    Ok(core_db::dataset(&mut db, scenario)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_keep_names_but_not_paths() {
        assert_eq!(file_stem("buildings"), "buildings");
        assert_eq!(file_stem("建筑"), "建筑");
        assert_eq!(file_stem("../etc/passwd"), "%2E.%2Fetc%2Fpasswd");
        assert_eq!(file_stem("x\"; DROP TABLE t; --"), "x\"; DROP TABLE t; --");
        assert_eq!(file_stem(""), "_");
    }
}
