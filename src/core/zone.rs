//! The zone (interface; the full module replaces this file).

use crate::core::model::Dataset;

/// Errors from the zone dataset and planning model.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    /// An embedded layer failed to load.
    #[error("embedded layer {name}: {message}")]
    Layer {
        /// Layer name.
        name: String,
        /// What went wrong.
        message: String,
    },
}

/// The embedded zone dataset: every shipped layer, bottom to top.
pub fn embedded_dataset() -> Result<Dataset, ZoneError> {
    Ok(Dataset::default())
}
