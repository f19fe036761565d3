//! What only a demo vault (`baomi init --demo`) accepts: synthetic data for screenshots,
//! trials and benchmarks. Every function here refuses a real ledger, so demo helpers can never
//! touch a unit's records.

use crate::domain::Permission;
use chrono::Duration;
use rusqlite::params;
use serde_json::json;

use super::borrowing::{self, BorrowId, BorrowState};
use super::{AuditAction, Event, LedgerError, Session, settings};

/// Fails unless the vault was created as a demo vault.
pub fn require_demo(s: &Session) -> Result<(), LedgerError> {
    if settings::is_demo(s)? {
        Ok(())
    } else {
        Err(LedgerError::Invalid(crate::domain::Message::new(
            "这是正式的保密台账库，不能生成演示数据；演示数据只能写入用 init --demo 创建的演示库",
            "This is a real ledger: demo data goes only into a ledger made with init --demo",
        )))
    }
}

/// Moves a demo loan's check-out back by `days` calendar days and recomputes its due date, so
/// a demo vault shows overdue items. Demo vaults only; audited as such.
pub fn backdate_loan(s: &mut Session, id: BorrowId, days: u32) -> Result<(), LedgerError> {
    s.require("生成演示数据", Permission::DemoData)?;
    require_demo(s)?;
    let b = borrowing::get(s, id)?;
    if b.state != BorrowState::Out {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "只有借出中的演示借阅可以回溯日期",
            "Only a demo loan on loan can be backdated",
        )));
    }
    let out = s.today() - Duration::days(i64::from(days));
    let due = borrowing::calendar(s)?.due_date(out, b.requested_days).date;
    let out_at = s.zone().day_start(out) + Duration::hours(9);
    s.write(|w| {
        w.tx.execute(
            "UPDATE borrows SET due_on = ?2, out_at = ?3 WHERE id = ?1 AND state = 'out'",
            params![id.0, due.to_string(), out_at.to_rfc3339()],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::BorrowDemoBackdate,
                id.0,
                json!({"out_on": out.to_string(), "due_on": due.to_string()}),
            ),
        ))
    })
}
