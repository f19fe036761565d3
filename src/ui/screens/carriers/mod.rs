//! The screens of issue 13: 销毁 (destruction lists and holds), 清查 (stock-taking and
//! incidents) and 解密审查 (the declassification review). Beside them, `actions.rs`: what they
//! ask the ledger to do ([`CarrierAction`]).

mod actions;
pub mod destruction;
pub mod review;
pub mod stocktake;

pub use actions::{CarrierAction, Made};
