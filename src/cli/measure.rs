//! `hetao measure` (not yet written).

use std::io::Write;

/// Arguments of `hetao measure`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the command.
pub fn run(_args: &Args, _out: &mut dyn Write) -> anyhow::Result<i32> {
    anyhow::bail!("`hetao measure` is not implemented yet")
}
