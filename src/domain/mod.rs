//! The rules of the regulation as pure types and functions: no I/O, no SQL, no GUI, no crypto.
//! Each rule cites its clause of `shared/spec/regulation.md`.

pub mod clock;
pub mod passphrase;
pub mod role;

pub use clock::{Clock, MockClock, SystemClock};
pub use role::Role;
