//! The panels around the map, one module each. A panel reads and changes the state
//! ([`super::state::HetaoApp`]) and never the other way round; [`super::shell`] lays them out.

pub mod crs_prompt;
pub mod dashboard;
pub mod database;
pub mod edit;
pub mod inspector;
pub mod layers;
pub mod mapping;
pub mod measure;
pub mod menu;
pub mod problems;
pub mod prompts;
pub mod reach;
pub mod search;
pub mod status;
pub mod timeline;
pub mod toolbar;
pub mod windows;
