//! The `hetao` command line: every job the app does, headless and scriptable.
//!
//! Each subcommand lives in its own module with a `clap` `Args` struct and a
//! `run(&Args, &mut dyn Write) -> anyhow::Result<i32>` that returns the exit status.
//! [`run_args`] runs a command line in-process (tests use it).

use clap::{Parser, Subcommand};
use std::io::Write;

pub mod check;
pub mod db;
pub mod distance;
pub mod export;
pub mod info;
pub mod measure;
pub mod query;
pub mod reach;
pub mod scenario;
pub mod search;
#[cfg(feature = "gui")]
pub mod snapshot;
pub mod stats;
pub mod transform;
pub mod travel_time;

/// Hetao Atlas: GIS planning and visualization for the Hetao Shenzhen–Hong Kong
/// Science and Technology Innovation Cooperation Zone.
#[derive(Debug, Parser)]
#[command(name = "hetao", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// The job to do; with none, the desktop app starts.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The desktop app's flags (only without a subcommand).
    #[command(flatten)]
    pub app: AppArgs,
}

/// Flags of the desktop app entry (`hetao` with no subcommand). Every app-only flag lives
/// here, so none of them shows in a subcommand's help or is accepted after a subcommand.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AppArgs {
    /// Start the app, render its first frames, write a screenshot of the window to this PNG
    /// file and exit.
    #[arg(long, value_name = "FILE.png")]
    pub screenshot: Option<std::path::PathBuf>,

    /// The app window's size in logical px, e.g. 1280x720 (default
    /// 1440x900, made smaller when the screen is).
    #[arg(long, value_name = "WxH", value_parser = parse_window_size)]
    pub window_size: Option<[f32; 2]>,

    /// Open this layer file (GeoJSON, Shapefile, GeoPackage, ... see
    /// docs/formats.md; every layer of it) once the zone is loaded (repeat for more files).
    #[arg(long, value_name = "FILE")]
    pub open: Vec<std::path::PathBuf>,

    /// Files to open as layers, as with `--open` (`hetao buildings.geojson roads.geojson`);
    /// with `--screenshot`, the screenshot waits until they are loaded and drawn.
    #[arg(value_name = "FILE")]
    pub files: Vec<std::path::PathBuf>,

    /// Log every frame (start time, duration, view centre and zoom) to this file, written
    /// about once a second and at exit; the app then repaints continuously. The
    /// `HETAO_FRAME_LOG` environment variable does the same.
    #[arg(long, value_name = "FILE")]
    pub frame_log: Option<std::path::PathBuf>,

    /// Write the Problems panel's lines (`hetao check`'s messages for files
    /// that failed to load) to this file whenever they change.
    #[arg(long, value_name = "FILE")]
    pub problems_log: Option<std::path::PathBuf>,
}

/// How files in formats other than GeoJSON are opened (docs/formats.md): flattened into
/// every command that reads files.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OpenArgs {
    /// The CRS of files that declare none (CSV, DXF, a Shapefile without .prj), e.g.
    /// EPSG:4547; a file that declares its CRS keeps its own.
    #[arg(long = "crs", visible_alias = "source-crs", value_name = "EPSG:n")]
    pub crs: Option<String>,
    /// The text encoding of a Shapefile's .dbf (e.g. GBK, GB18030, UTF-8), overriding its
    /// .cpg; needed for a non-UTF-8 .dbf without .cpg.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
}

impl OpenArgs {
    /// The core's open options for these flags (and `layer`, where the command has one).
    pub fn options<'a>(&'a self, layer: Option<&'a str>) -> crate::core::io::OpenOptions<'a> {
        crate::core::io::OpenOptions {
            layer,
            crs: self.crs.as_deref(),
            encoding: self.encoding.as_deref(),
            ..crate::core::io::OpenOptions::default()
        }
    }
}

/// Which building inventory a command runs the floor-space model on (`stats`, `snapshot`,
/// `export`, `query`, `scenario check|apply`): the embedded buildings, the user's file through
/// a mapping ([`crate::core::zone::inventory`]), or the layers and inventory pushed to a
/// PostGIS database (`--db URL [--scenario-name NAME]`, [`crate::core::db`]).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InventoryArgs {
    /// The building inventory to use instead of the embedded buildings (any layer file the
    /// commands read: GeoJSON, and the GDAL formats where built in).
    #[arg(long, value_name = "FILE")]
    pub buildings: Option<std::path::PathBuf>,
    /// A TOML file mapping the inventory's fields and values onto the model's (without it,
    /// the file must already use the model's field names and values).
    #[arg(long, value_name = "M.toml", requires = "buildings")]
    pub mapping: Option<std::path::PathBuf>,
    /// A PostGIS database (postgres://user@host:port/dbname[?sslmode=require]; the password
    /// from ~/.pgpass, PGPASSFILE or a prompt): run on the layers and inventory `hetao db
    /// push` put there instead of the embedded zone.
    #[arg(long = "db", value_name = "URL", conflicts_with_all = ["buildings", "mapping"])]
    pub db: Option<String>,
    /// With --db: apply the shared scenario NAME (every revision) first.
    #[arg(long = "scenario-name", value_name = "NAME", requires = "db")]
    pub scenario_name: Option<String>,
    /// The database's inventory note, once `dataset()` has read it.
    #[arg(skip)]
    db_note: std::sync::OnceLock<String>,
}

impl InventoryArgs {
    /// True when a command's data come from these flags (an inventory file or a database)
    /// rather than from its FILE arguments or the embedded zone.
    pub fn is_set(&self) -> bool {
        self.buildings.is_some() || self.db.is_some()
    }

    /// The dataset to run on: the embedded zone with this inventory as its buildings, or
    /// the database's layers (with the shared scenario applied).
    pub fn dataset(&self) -> anyhow::Result<crate::core::model::Dataset> {
        if let Some(url) = &self.db {
            let (ds, note) = db::dataset(url, self.scenario_name.as_deref())?;
            let _ = self.db_note.set(note);
            return Ok(ds);
        }
        Ok(crate::core::zone::inventory::dataset(
            self.buildings.as_deref(),
            self.mapping.as_deref(),
        )?)
    }

    /// The line a table or image says about the buildings: illustrative (embedded) or the
    /// supplied file.
    pub fn buildings_note(&self) -> String {
        if let Some(note) = self.db_note.get() {
            return note.clone();
        }
        inventory_note(self.buildings.as_deref())
    }
}

/// The line a table or image says about the buildings: the embedded (illustrative) ones, or
/// the supplied file (what `hetao db push` stores with the inventory, so that `--db` prints
/// the same).
pub fn inventory_note(buildings: Option<&std::path::Path>) -> String {
    match buildings {
        None => crate::core::zone::planning::ILLUSTRATIVE_NOTE.to_string(),
        Some(p) => format!("Buildings: the supplied inventory {}.", p.display()),
    }
}

/// `WxH` (e.g. `1280x720`) as a window size; each side 200 to 16384 px.
pub fn parse_window_size(s: &str) -> Result<[f32; 2], String> {
    let (w, h) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("{s:?} is not WxH (e.g. 1280x720)"))?;
    let side = |v: &str| -> Result<f32, String> {
        let n: u32 = v
            .trim()
            .parse()
            .map_err(|_| format!("{v:?} in {s:?} is not a whole number of pixels"))?;
        if (200..=16384).contains(&n) {
            Ok(n as f32)
        } else {
            Err(format!("{n} px in {s:?} is outside 200-16384"))
        }
    };
    Ok([side(w)?, side(h)?])
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate layer files (GeoJSON: errors and warnings with line and column; other formats
    /// through GDAL).
    Check(check::Args),
    /// Geodesic area, perimeter, length and centroid of every feature.
    Measure(measure::Args),
    /// Geodesic distance and azimuths between two points.
    Distance(distance::Args),
    /// Query features with the R-tree: by box, by point, or nearest.
    Query(query::Args),
    /// Summarise layer files: layers, counts, bbox, properties, area.
    Info(info::Args),
    /// Transform coordinates between coordinate systems (PROJ).
    Transform(transform::Args),
    /// Floor space by park, use and status, and progress toward the 2035 target.
    Stats(stats::Args),
    /// Generate or apply planning scenarios.
    Scenario(scenario::Args),
    /// Find buildings, research units and places by id or name.
    Search(search::Args),
    /// Render a map snapshot to PNG.
    #[cfg(feature = "gui")]
    Snapshot(snapshot::Args),
    /// Export the features of layers in a bounding box (GeoJSON, GeoPackage, Shapefile,
    /// FlatGeobuf, CSV).
    Export(export::Args),
    /// Travel-time isochrones from a point.
    Reach(reach::Args),
    /// Travel time and route between two points.
    TravelTime(travel_time::Args),
    /// Share layers, the inventory and scenarios through a PostGIS database.
    Db(db::Args),
}

/// Run one parsed subcommand, writing its output to `out`; returns the exit status.
pub fn run_command(cmd: &Command, out: &mut dyn Write) -> anyhow::Result<i32> {
    match cmd {
        Command::Check(a) => check::run(a, out),
        Command::Measure(a) => measure::run(a, out),
        Command::Distance(a) => distance::run(a, out),
        Command::Query(a) => query::run(a, out),
        Command::Info(a) => info::run(a, out),
        Command::Transform(a) => transform::run(a, out),
        Command::Stats(a) => stats::run(a, out),
        Command::Scenario(a) => scenario::run(a, out),
        Command::Search(a) => search::run(a, out),
        #[cfg(feature = "gui")]
        Command::Snapshot(a) => snapshot::run(a, out),
        Command::Export(a) => export::run(a, out),
        Command::Reach(a) => reach::run(a, out),
        Command::TravelTime(a) => travel_time::run(a, out),
        Command::Db(a) => db::run(a, out),
    }
}

/// Parse `args` (without the program name) and run the command in-process.
/// Returns the exit status and what the command printed (stdout), or the error text.
pub fn run_args(args: &[&str]) -> (i32, String) {
    let argv = std::iter::once("hetao").chain(args.iter().copied());
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => return (2, e.to_string()),
    };
    let Some(cmd) = cli.command else {
        return (2, "no subcommand".into());
    };
    let mut out = Vec::new();
    match run_command(&cmd, &mut out) {
        Ok(code) => (code, String::from_utf8_lossy(&out).into_owned()),
        Err(e) => (2, format!("{}error: {e:#}", String::from_utf8_lossy(&out))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_flags_belong_to_the_app_entry_only() {
        let help = match Cli::try_parse_from(["hetao", "stats", "--help"]) {
            Err(e) => e.to_string(),
            Ok(_) => String::new(),
        };
        assert!(help.contains("Usage: hetao stats"), "{help}");
        assert!(!help.contains("--screenshot"), "{help}");
        assert!(Cli::try_parse_from(["hetao", "stats", "--screenshot", "x.png"]).is_err());
        let cli = Cli::try_parse_from(["hetao", "--screenshot", "x.png"]).expect("app entry");
        assert!(cli.command.is_none());
        assert_eq!(
            cli.app.screenshot.as_deref(),
            Some(std::path::Path::new("x.png"))
        );
    }

    #[test]
    fn files_on_the_command_line_open_in_the_app_and_subcommands_still_win() {
        let cli =
            Cli::try_parse_from(["hetao", "a.geojson", "dir/b.json", "--screenshot", "s.png"])
                .expect("files for the app");
        assert!(cli.command.is_none());
        let want: Vec<std::path::PathBuf> = vec!["a.geojson".into(), "dir/b.json".into()];
        assert_eq!(cli.app.files, want);
        assert_eq!(
            cli.app.screenshot.as_deref(),
            Some(std::path::Path::new("s.png"))
        );
        let cli = Cli::try_parse_from(["hetao", "check", "a.geojson"]).expect("a subcommand");
        assert!(matches!(cli.command, Some(Command::Check(_))));
        assert!(cli.app.files.is_empty());
        let cli = Cli::try_parse_from(["hetao", "--open", "a.geojson", "b.geojson"]).expect("both");
        assert_eq!(cli.app.open, vec![std::path::PathBuf::from("a.geojson")]);
        assert_eq!(cli.app.files, vec![std::path::PathBuf::from("b.geojson")]);
    }

    #[test]
    fn negative_coordinates_parse_in_every_coordinate_argument() {
        let lines: &[&[&str]] = &[
            &["distance", "-1,-1", "-2,-2"],
            &["query", "--bbox", "-1,-1,1,1"],
            &["query", "--point", "-1,-1"],
            &["export", "--bbox", "-1,-1,1,1", "--out", "x.geojson"],
            &["reach", "--from", "-1,-1"],
            &["travel-time", "--from", "-1,-1", "--to", "-2,-2"],
            &[
                "transform",
                "--from",
                "EPSG:4326",
                "--to",
                "EPSG:3857",
                "-1,-1",
            ],
            #[cfg(feature = "gui")]
            &["snapshot", "--bbox", "-1,-1,1,1", "--out", "x.png"],
            #[cfg(feature = "gui")]
            &[
                "snapshot", "--center", "-1,-1", "--zoom", "3", "--out", "x.png",
            ],
        ];
        for args in lines {
            let argv = std::iter::once("hetao").chain(args.iter().copied());
            if let Err(e) = Cli::try_parse_from(argv) {
                panic!("{args:?}: {e}");
            }
        }
    }
}
