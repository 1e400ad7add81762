//! zone (to be written).
