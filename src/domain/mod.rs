//! The rules of the regulation as pure types and functions: no I/O, no SQL, no GUI, no crypto.
//! Each rule cites its clause of `shared/spec/regulation.md`.

pub mod borrow_policy;
pub mod cabinet;
pub mod calendar;
pub mod clock;
pub mod copy_state;
pub mod destruction;
pub mod error;
pub mod level;
pub mod marking;
pub mod message;
pub mod numbering;
pub mod office_date;
pub mod outgoing;
pub mod passphrase;
pub mod permission;
pub mod person;
pub mod role;
pub mod secrecy;
pub mod stocktake;

pub use clock::{Clock, MockClock, SystemClock};
pub use copy_state::{CopyState, CustodyFlow, OpenRecord};
pub use error::DomainError;
pub use level::{Category, Level};
pub use marking::{SecrecyPeriod, marking};
pub use message::{Explain, Label, Message};
pub use office_date::OfficeZone;
pub use permission::{Duties, Permission};
pub use role::Role;
