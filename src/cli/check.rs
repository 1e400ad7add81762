//! `hetao check` (not yet written).

use std::io::Write;

/// Arguments of `hetao check`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the command.
pub fn run(_args: &Args, _out: &mut dyn Write) -> anyhow::Result<i32> {
    anyhow::bail!("`hetao check` is not implemented yet")
}
