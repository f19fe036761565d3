//! Approvals given by a second person: the approver signs in on this PC with their own
//! passphrase, or the custodian records a paper approval (who, and the paper's number). Shared
//! by borrowing (R3.1.3) and destruction lists; each flow checks the approver's post itself.

use rusqlite::OptionalExtension;

use super::people::PersonId;
use super::{LedgerError, Passphrase, Session};
use crate::domain::Role;

/// Who approves (or rejects).
pub enum Decider<'a> {
    /// The approver signs in on this PC with their own passphrase (second-person check).
    SignedIn {
        login: &'a str,
        passphrase: &'a Passphrase,
    },
    /// The custodian records a paper approval: who, and the paper form's number.
    Paper {
        person: PersonId,
        reference: &'a str,
    },
}

/// Who approved (or refused), as recorded.
pub(crate) struct Decision {
    pub person: PersonId,
    pub role: Role,
    /// `signed_in` or `paper`.
    pub kind: &'static str,
    pub reference: String,
}

/// The person and role behind a decision; the passphrase is checked for a signed-in approver.
pub(crate) fn decider(s: &Session, d: &Decider<'_>) -> Result<Decision, LedgerError> {
    match d {
        Decider::SignedIn { login, passphrase } => {
            let user = super::users::current(s.conn(), login)?.ok_or(LedgerError::UserInactive)?;
            if user.must_change_passphrase {
                return Err(LedgerError::Invalid(crate::domain::Message::new(
                    format!(
                        "{}的口令还是开通账户时的一次性口令：请本人先登录一次并修改口令，再审批",
                        user.name
                    ),
                    format!(
                        "{} still has the one-time passphrase: sign in once and change it, then approve",
                        user.name
                    ),
                )));
            }
            let max = super::settings::passphrase_max_days_of(s.conn())?;
            if let Some(days) = super::users::passphrase_age_past(
                s.conn(),
                user.id,
                s.zone(),
                s.clock().now(),
                max,
            )? {
                return Err(LedgerError::Invalid(crate::domain::Message::new(
                    format!(
                        "{}的口令已使用 {days} 天，超过规定期限：请本人先登录修改口令，再审批",
                        user.name
                    ),
                    format!(
                        "{}'s passphrase is {days} days old, past the limit: sign in and change it, then approve",
                        user.name
                    ),
                )));
            }
            // Counted like the approver's sign-in: guessing here meets the same delay.
            s.vault()
                .verify_passphrase(login, passphrase)
                .map_err(|e| match e {
                    crate::vault::VaultError::SignInDelayed { .. } => e.into(),
                    _ => LedgerError::Invalid(crate::domain::Message::new(
                        "审批人口令不正确",
                        "The approver's passphrase is wrong",
                    )),
                })?;
            Ok(Decision {
                person: user.person_id,
                role: user.role,
                kind: "signed_in",
                reference: String::new(),
            })
        }
        Decider::Paper { person, reference } => {
            if reference.trim().is_empty() {
                return Err(LedgerError::Invalid(crate::domain::Message::new(
                    "请填写纸质审批单的编号",
                    "Write the number of the paper approval form",
                )));
            }
            let role: Option<String> = s
                .conn()
                .query_row(
                    "SELECT role FROM users WHERE person_id = ?1 AND active = 1 \
                     ORDER BY CASE role WHEN 'head' THEN 0 WHEN 'dept_head' THEN 1 ELSE 2 END LIMIT 1",
                    [person.0],
                    |r| r.get(0),
                )
                .optional()?;
            let role = role.and_then(|r| Role::from_code(&r)).ok_or_else(|| {
                LedgerError::Invalid(crate::domain::Message::new(
                    "审批人须有本系统账户，以便核对其职务",
                    "The approver needs an account here, so that their post can be checked",
                ))
            })?;
            Ok(Decision {
                person: *person,
                role,
                kind: "paper",
                reference: reference.trim().to_owned(),
            })
        }
    }
}
