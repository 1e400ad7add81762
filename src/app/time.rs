//! The timeline's years and the layers whose drawing depends on the year.

/// First and last year of the timeline.
pub const YEARS: std::ops::RangeInclusive<i32> = 2017..=2035;
/// Layers whose drawing depends on the year (they carry a `history`).
pub const TEMPORAL_LAYERS: &[&str] = &["buildings", "research_units"];
/// Seconds per year while the timeline plays.
pub const PLAY_STEP_S: f64 = 0.7;
