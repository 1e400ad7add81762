//! The building inventory the floor-space model runs on: the embedded (illustrative and
//! OSM) buildings by default, or the user's own building layer read through
//! [`crate::core::io::open_layers`] and a [`Mapping`].
//!
//! - [`mapping`]: the TOML mapping file (fields, values, ledger).
//! - [`ledger`]: the status ledger (one row per id, year, status).
//! - [`apply`]: a layer + mapping + ledger → the model's `buildings` layer.
//!
//! [`dataset`] is the one function every command calls (`stats`, `snapshot`, `export`,
//! `scenario`): with no buildings file it is the embedded zone; with one, the embedded
//! zone whose `buildings` layer is the user's (research-space units kept only for the
//! buildings that are still there). [`from_layer`] does the same for a layer already in
//! memory (the app's "Use as inventory…").

pub mod apply;
pub mod ledger;
pub mod mapping;

pub use mapping::Mapping;

use crate::core::io::{LoadError, OpenOptions, open_layers};
use crate::core::model::{Dataset, Layer};
use crate::core::zone::{ZoneError, embedded_dataset, feature_id};
use std::path::Path;

/// Why an inventory cannot be used. Every variant names the file; feature-level ones the
/// feature (number, id, line) and the file's field; ledger ones the row.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// A file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// File name.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The mapping file is malformed.
    #[error("mapping {file}: {message}")]
    Mapping {
        /// The mapping file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The buildings or ledger file could not be opened.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The embedded zone could not be loaded.
    #[error(transparent)]
    Zone(#[from] ZoneError),
    /// A multi-layer file without `layer = ...` in the mapping.
    #[error(
        "{file}: the file has {count} layers ({names}); say which is the inventory with layer = \"...\" in the mapping"
    )]
    WhichLayer {
        /// File name.
        file: String,
        /// How many layers.
        count: usize,
        /// Their names.
        names: String,
    },
    /// A required field is missing on a feature.
    #[error("{file}: {feature}: no field {field:?} (the model's {model}; map it in [fields])")]
    MissingField {
        /// File name.
        file: String,
        /// The feature.
        feature: String,
        /// The file's field.
        field: String,
        /// The model field it stands for.
        model: String,
    },
    /// A value the mapping does not cover.
    #[error("{file}: {feature}: field {field:?} has value {value:?}, which {table}")]
    UnmappedValue {
        /// File name.
        file: String,
        /// The feature.
        feature: String,
        /// The file's field.
        field: String,
        /// The value.
        value: String,
        /// Which table of which mapping does not map it, and the values it does map.
        table: String,
    },
    /// A value of the wrong kind (not a number, a year, ...).
    #[error("{file}: {feature}: field {field:?} has value {value:?}: {message}")]
    BadValue {
        /// File name.
        file: String,
        /// The feature.
        feature: String,
        /// The file's field.
        field: String,
        /// The value.
        value: String,
        /// What is wrong.
        message: String,
    },
    /// A feature whose id field is empty.
    #[error("{file}: {feature}: the id field {field:?} is empty")]
    EmptyId {
        /// File name.
        file: String,
        /// The feature.
        feature: String,
        /// The file's id field.
        field: String,
    },
    /// Two features with one id.
    #[error("{file}: duplicate id {id:?}: {first} and {second}")]
    DuplicateId {
        /// File name.
        file: String,
        /// The id.
        id: String,
        /// The first feature with it.
        first: String,
        /// The second.
        second: String,
    },
    /// A ledger row is unusable.
    #[error("ledger {file}: row {row}: {message}")]
    Ledger {
        /// The ledger file.
        file: String,
        /// 1-based row (0: the file as a whole).
        row: usize,
        /// What is wrong.
        message: String,
    },
}

/// Read the user's buildings file through `mapping` (none: the identity mapping) into the
/// model's `buildings` layer.
pub fn load(buildings: &Path, mapping: Option<&Path>) -> Result<Layer, InventoryError> {
    let mapping = match mapping {
        Some(p) => Mapping::load(p)?,
        None => Mapping::default(),
    };
    let opts = OpenOptions {
        layer: mapping.layer.as_deref(),
        ..OpenOptions::default()
    };
    let mut layers = open_layers(buildings, &opts)?;
    if layers.len() != 1 {
        return Err(InventoryError::WhichLayer {
            file: buildings.display().to_string(),
            count: layers.len(),
            names: layers
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let mut layer = layers.remove(0);
    if layer.source.is_none() {
        layer.source = Some(buildings.to_path_buf());
    }
    from_layer(&layer, &mapping)
}

/// A layer already loaded (the app's), through `mapping` and its ledger, into the model's
/// `buildings` layer.
pub fn from_layer(layer: &Layer, mapping: &Mapping) -> Result<Layer, InventoryError> {
    let histories = match &mapping.ledger {
        Some(spec) => ledger::read(spec, mapping)?,
        None => ledger::Histories::new(),
    };
    apply::apply(layer, mapping, &histories)
}

/// Make `buildings` the dataset's inventory: it replaces the `buildings` layer (keeping its
/// place in the stack), and research-space units of buildings no longer there go.
pub fn install(ds: &mut Dataset, buildings: Layer) {
    let ids: std::collections::HashSet<String> =
        buildings.features.iter().filter_map(feature_id).collect();
    match ds.layers.iter_mut().position(|l| l.name == "buildings") {
        Some(i) => ds.layers[i] = buildings,
        None => ds.layers.push(buildings),
    }
    if let Some(units) = ds.layer_mut("research_units") {
        units
            .features
            .retain(|u| u.prop_str("building_id").is_some_and(|b| ids.contains(b)));
    }
}

/// The dataset a command runs on: the embedded zone, with the user's `buildings` file
/// (through `mapping`) as its inventory when given.
pub fn dataset(
    buildings: Option<&Path>,
    mapping: Option<&Path>,
) -> Result<Dataset, InventoryError> {
    let mut ds = embedded_dataset()?;
    if let Some(b) = buildings {
        let layer = load(b, mapping)?;
        install(&mut ds, layer);
    }
    Ok(ds)
}
