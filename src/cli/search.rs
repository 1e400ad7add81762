//! `hetao search QUERY`: find buildings, research units and places of the zone by id or name
//! (English or Chinese, prefix and fuzzy), with the matcher the app's search box uses
//! ([`crate::core::search`]). One line per hit, grouped by kind:
//! `kind<TAB>label<TAB>id<TAB>detail<TAB>lon,lat`; exit status 1 when nothing matches.

use crate::core::search::SearchIndex;
use crate::core::zone::{self, Scenario};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao search`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to look for ("SZ-B1", "Hong Kong Science", "福田").
    pub query: String,
    /// At most this many hits.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// A scenario file (JSON) of edits to apply first.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let mut ds = zone::embedded_dataset()?;
    if let Some(p) = &args.scenario {
        Scenario::load(p)?
            .apply(&mut ds)
            .with_context(|| format!("scenario {}", p.display()))?;
    }
    let ix = SearchIndex::zone(ds.layers.iter());
    let hits = ix.search(&args.query, args.limit);
    for h in &hits {
        let e = h.entry;
        let at = e
            .lonlat
            .map(|[x, y]| format!("{x:.6},{y:.6}"))
            .unwrap_or_default();
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{at}",
            e.kind.heading(),
            e.label,
            e.id.as_deref().unwrap_or(""),
            e.detail
        )?;
    }
    Ok(if hits.is_empty() { 1 } else { 0 })
}
