//! One file per screen.

pub mod accounts;
pub mod audit_log;
pub mod backup;
pub mod borrowing;
pub mod cabinets;
pub mod carriers;
pub mod dashboard;
pub mod documents;
pub mod export_dialog;
pub mod login;
pub mod main_window;
pub mod outgoing;
pub mod passphrase_dialog;
pub mod people;
pub mod restore;
pub mod settings;
pub mod setup;
