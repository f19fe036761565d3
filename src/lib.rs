//! Baomi (保密台账): the confidentiality ledger of a Party Office, kept on one air-gapped PC.
//!
//! Layers point downwards only: `ui` and `cli` call `ledger` (use cases), which uses `domain`
//! (the regulation's rules, pure), `audit` (the hash chain) and `vault` (encrypted storage);
//! `forms` lays out the printed forms (PDF) from what the ledger returns.
#![forbid(unsafe_code)]

pub mod assets;
pub mod audit;
pub mod backup;
pub mod cli;
pub mod domain;
pub mod forms;
pub mod fsutil;
pub mod ledger;
pub mod process;
pub mod ui;
pub mod vault;
