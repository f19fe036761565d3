//! The window's preferences kept between runs (eframe's storage, beside the language): which
//! columns the register shows and how wide the user dragged them. Never ledger data: column
//! names and widths only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// eframe storage key of the preferences.
pub const PREFS_KEY: &str = "baomi.prefs";

/// What the user chose about the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The register's columns by key (`doc_no`, `received_on`…), in no particular order; empty:
    /// the default set.
    pub register_columns: Vec<String>,
    /// Widths (points) of the register's columns the user resized, by key.
    pub register_widths: BTreeMap<String, f32>,
}
