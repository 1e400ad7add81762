//! Hetao Atlas: a desktop GIS planning and visualization engine for the Hetao
//! Shenzhen–Hong Kong Science and Technology Innovation Cooperation Zone.
//!
//! The crate is layered; each layer knows only those below it:
//! - [`core`]: the headless engine (model, GeoJSON I/O and validation, geodesic
//!   measurement, R-tree index, coordinate systems, floor-space planning, travel reach).
//! - [`render`]: the wgpu map renderer (never imports egui or winit).
//! - [`app`] and [`cli`]: the desktop app and the `hetao` command.

#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod core;
#[cfg(feature = "gui")]
pub mod render;
