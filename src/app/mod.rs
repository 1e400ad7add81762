//! The desktop app (eframe/egui). Not yet written: with no subcommand, `hetao` prints a
//! summary of the embedded zone data instead.

/// Start the app on the embedded zone data.
pub fn run_default() -> anyhow::Result<()> {
    anyhow::bail!("the desktop app is not written yet; try `hetao info data/zone/*.geojson`")
}
