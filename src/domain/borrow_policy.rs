//! Borrowing (借阅, R3.1.3) by the rules of each level: who approves, the longest period in
//! working days, 绝密 read on site the same day and never taken out, renewals; and the checks a
//! request must pass (R3.5.1 pledge, R3.5.3 clearance, no overdue item unless overridden).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::copy_state::CopyState;
use super::level::Level;
use super::person::Clearance;
use super::role::Role;

/// Who approves a borrowing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Approver {
    /// 党办负责人 (绝密, 机密: fixed by R3.1.3).
    PartyOfficeHead,
    /// 部门负责人 of the borrower's department (秘密: fixed by R3.1.3).
    DeptHead,
    /// 保密员 (内部敏感 only, where the policy says so).
    Custodian,
}

impl Approver {
    /// Every approver.
    pub const ALL: [Approver; 3] = [
        Approver::PartyOfficeHead,
        Approver::DeptHead,
        Approver::Custodian,
    ];

    /// The Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Approver::PartyOfficeHead => "党办负责人",
            Approver::DeptHead => "部门负责人",
            Approver::Custodian => "保密员",
        }
    }

    /// The English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Approver::PartyOfficeHead => "Party office head",
            Approver::DeptHead => "Department head",
            Approver::Custodian => "Custodian",
        }
    }

    /// The account role that holds this approval.
    pub fn role(self) -> Role {
        match self {
            Approver::PartyOfficeHead => Role::Head,
            Approver::DeptHead => Role::DeptHead,
            Approver::Custodian => Role::Custodian,
        }
    }
}

/// The rules for one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelPolicy {
    /// Whether copies of the level may be borrowed at all.
    pub allowed: bool,
    pub approver: Approver,
    /// The longest period in working days (0: returned the same working day).
    pub max_working_days: u32,
    /// Read at a named place only, never taken out.
    pub on_site_only: bool,
    /// How many renewals a borrowing may have.
    pub renewals: u32,
}

/// The borrowing policy of the unit (a setting, audited when changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BorrowPolicy {
    pub juemi: LevelPolicy,
    pub jimi: LevelPolicy,
    pub mimi: LevelPolicy,
    pub neibu: LevelPolicy,
    /// R3.1.3 names the 部门负责人 as the approver of 秘密; whether the 党办负责人 (who answers
    /// for everything, R1.3.3) may approve a 秘密 loan too is the unit's choice. Off by default.
    #[serde(default)]
    pub head_may_approve_mimi: bool,
}

impl Default for BorrowPolicy {
    /// R3.1.3 with the deployment's [X] at 机密 5, 秘密 10, 内部敏感 15 working days.
    fn default() -> Self {
        BorrowPolicy {
            juemi: LevelPolicy {
                allowed: true,
                approver: Approver::PartyOfficeHead,
                max_working_days: 0,
                on_site_only: true,
                renewals: 0,
            },
            jimi: LevelPolicy {
                allowed: true,
                approver: Approver::PartyOfficeHead,
                max_working_days: 5,
                on_site_only: false,
                renewals: 1,
            },
            mimi: LevelPolicy {
                allowed: true,
                approver: Approver::DeptHead,
                max_working_days: 10,
                on_site_only: false,
                renewals: 1,
            },
            neibu: LevelPolicy {
                allowed: true,
                approver: Approver::Custodian,
                max_working_days: 15,
                on_site_only: false,
                renewals: 2,
            },
            head_may_approve_mimi: false,
        }
    }
}

/// The longest period any level may be set to, in working days.
pub const MAX_SETTABLE_DAYS: u32 = 60;

/// A policy that contradicts the regulation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// R3.1.3 names the approver of 绝密, 机密 and 秘密.
    #[error("{level}文件的借阅由{wanted}审批（R3.1.3），不能改为{got}")]
    FixedApprover {
        level: &'static str,
        wanted: &'static str,
        got: &'static str,
    },
    /// R3.1.3: 绝密 is read at a designated place and never taken out. Same-day return is this
    /// program's reading of "不得带出", and the text says so.
    #[error(
        "绝密文件只能在指定地点阅读，不得带出（R3.1.3）；本系统据此按当日归还登记，不设借期、不能续借"
    )]
    JuemiOnSite,
    /// A period out of range.
    #[error("{level}借阅期限须在 1 到 {MAX_SETTABLE_DAYS} 个工作日之间")]
    Period { level: &'static str },
    /// Renewals out of range.
    #[error("续借次数须在 0 到 5 之间")]
    Renewals,
}

impl BorrowPolicy {
    /// The rules of a level.
    pub fn for_level(&self, level: Level) -> &LevelPolicy {
        match level {
            Level::Juemi => &self.juemi,
            Level::Jimi => &self.jimi,
            Level::Mimi => &self.mimi,
            Level::NeibuMingan => &self.neibu,
        }
    }

    /// Checks the policy against the fixed rules of R3.1.3.
    pub fn validate(&self) -> Result<(), PolicyError> {
        for (level, wanted) in [
            (Level::Juemi, Approver::PartyOfficeHead),
            (Level::Jimi, Approver::PartyOfficeHead),
            (Level::Mimi, Approver::DeptHead),
        ] {
            let got = self.for_level(level).approver;
            if got != wanted {
                return Err(PolicyError::FixedApprover {
                    level: level.label_zh(),
                    wanted: wanted.label_zh(),
                    got: got.label_zh(),
                });
            }
        }
        if !self.juemi.on_site_only || self.juemi.max_working_days != 0 || self.juemi.renewals != 0
        {
            return Err(PolicyError::JuemiOnSite);
        }
        for level in [Level::Jimi, Level::Mimi, Level::NeibuMingan] {
            let p = self.for_level(level);
            if !(1..=MAX_SETTABLE_DAYS).contains(&p.max_working_days) {
                return Err(PolicyError::Period {
                    level: level.label_zh(),
                });
            }
            if p.renewals > 5 {
                return Err(PolicyError::Renewals);
            }
        }
        Ok(())
    }
}

/// What a borrow request is checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFacts<'a> {
    pub level: Level,
    /// Where the copy is now.
    pub copy_state: CopyState,
    pub borrower_clearance: Clearance,
    /// R3.5.1: the date the borrower signed the confidentiality pledge.
    pub borrower_pledge: Option<NaiveDate>,
    pub borrower_active: bool,
    /// Working days asked for.
    pub requested_days: u32,
    /// Place of reading (绝密).
    pub place: &'a str,
    /// Why the work truly needs it (绝密: "一般不予借阅"; required).
    pub justification: &'a str,
    /// Whether the borrower holds an overdue item.
    pub has_overdue: bool,
    /// The 党办负责人's written reason to lend despite an overdue item.
    pub overdue_override: Option<&'a str>,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BorrowRefusal {
    #[error("该份号当前{0}，不在柜中，不能借出")]
    NotInCabinet(&'static str),
    #[error("按本单位借阅规定，{0}文件不外借")]
    NotAllowed(&'static str),
    #[error("{level}文件借阅期限最长 {max} 个工作日，申请了 {asked} 个工作日（R3.1.3）")]
    TooLong {
        level: &'static str,
        max: u32,
        asked: u32,
    },
    #[error("借阅期限至少 1 个工作日")]
    NoPeriod,
    #[error("绝密文件须在指定地点阅读，不得带出（R3.1.3）：请写明阅读地点")]
    PlaceRequired,
    #[error("绝密文件一般不予借阅（R3.1.3）：确因工作需要的，须写明理由，由党办负责人批准")]
    JustificationRequired,
    #[error("借阅人有逾期未还的文件；须由党办负责人写明理由后方可借出")]
    Overdue,
    #[error("借阅人尚未签订保密承诺书（R3.5.1）")]
    NoPledge,
    #[error("借阅人为{clearance}，不能借阅{level}文件（R3.5.3）")]
    NotCleared {
        clearance: &'static str,
        level: &'static str,
    },
    #[error("借阅人已离岗")]
    Inactive,
}

/// R3.1.3, R3.5.1, R3.5.3: checks a request against the policy; the first reason to refuse.
pub fn check_request(policy: &BorrowPolicy, f: &RequestFacts<'_>) -> Result<(), BorrowRefusal> {
    let p = policy.for_level(f.level);
    if !p.allowed {
        return Err(BorrowRefusal::NotAllowed(f.level.label_zh()));
    }
    if f.copy_state != CopyState::InCabinet {
        return Err(BorrowRefusal::NotInCabinet(f.copy_state.label_zh()));
    }
    check_borrower(
        f.level,
        f.borrower_clearance,
        f.borrower_pledge,
        f.borrower_active,
    )?;
    if f.level == Level::Juemi && f.justification.trim().is_empty() {
        return Err(BorrowRefusal::JustificationRequired);
    }
    if p.on_site_only {
        if f.place.trim().is_empty() {
            return Err(BorrowRefusal::PlaceRequired);
        }
    } else if f.requested_days == 0 {
        return Err(BorrowRefusal::NoPeriod);
    }
    if f.requested_days > p.max_working_days {
        return Err(BorrowRefusal::TooLong {
            level: f.level.label_zh(),
            max: p.max_working_days,
            asked: f.requested_days,
        });
    }
    if f.has_overdue && f.overdue_override.is_none_or(|r| r.trim().is_empty()) {
        return Err(BorrowRefusal::Overdue);
    }
    Ok(())
}

/// R3.1.3, R3.5.1, R3.5.3: whether a person may borrow a copy of `level` at all — in post,
/// pledge signed, clearance enough (the part of [`check_request`] about the person; the
/// borrower pickers offer only those it accepts).
pub fn check_borrower(
    level: Level,
    clearance: Clearance,
    pledge: Option<NaiveDate>,
    active: bool,
) -> Result<(), BorrowRefusal> {
    if !active {
        return Err(BorrowRefusal::Inactive);
    }
    if pledge.is_none() {
        return Err(BorrowRefusal::NoPledge);
    }
    if !clearance.may_handle(level) {
        return Err(BorrowRefusal::NotCleared {
            clearance: clearance.label_zh(),
            level: level.label_zh(),
        });
    }
    Ok(())
}

/// Why an approval is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalRefusal {
    #[error("{level}文件的借阅须由{wanted}审批（R3.1.3）")]
    WrongApprover {
        level: &'static str,
        wanted: &'static str,
    },
    #[error("部门负责人只能审批本部门人员的借阅（R3.1.3）")]
    OtherDepartment,
    #[error("不能审批自己的借阅申请")]
    OwnRequest,
}

/// R3.1.3: whether a user of `role` (in `department`, who is or is not the borrower) may approve.
pub fn check_approver(
    policy: &BorrowPolicy,
    level: Level,
    role: Role,
    is_borrower: bool,
    same_department: bool,
) -> Result<(), ApprovalRefusal> {
    if is_borrower {
        return Err(ApprovalRefusal::OwnRequest);
    }
    let wanted = policy.for_level(level).approver;
    // R3.1.3 names the 部门负责人 for 秘密; the head may stand in only where the unit's policy
    // says so (R1.3.3: the head answers for everything).
    let ok = role == wanted.role()
        || (wanted == Approver::DeptHead && role == Role::Head && policy.head_may_approve_mimi);
    if !ok {
        return Err(ApprovalRefusal::WrongApprover {
            level: level.label_zh(),
            wanted: wanted.label_zh(),
        });
    }
    if role == Role::DeptHead && !same_department {
        return Err(ApprovalRefusal::OtherDepartment);
    }
    Ok(())
}

impl super::message::Explain for PolicyError {
    fn en(&self) -> String {
        use super::message::label_en_of;
        match self {
            PolicyError::FixedApprover { level, wanted, got } => format!(
                "Borrowing {} documents is approved by the {} (R3.1.3), not the {}",
                label_en_of(level),
                label_en_of(wanted),
                label_en_of(got)
            ),
            PolicyError::JuemiOnSite => "Top secret documents are read at a designated place and never taken out (R3.1.3); they are returned the same day, with no loan period and no renewal".into(),
            PolicyError::Period { level } => format!(
                "The loan period of {} must be 1 to {MAX_SETTABLE_DAYS} working days",
                label_en_of(level)
            ),
            PolicyError::Renewals => "Renewals must be 0 to 5".into(),
        }
    }
}

impl super::message::Explain for BorrowRefusal {
    fn en(&self) -> String {
        use super::message::label_en_of;
        match self {
            BorrowRefusal::NotInCabinet(state) => format!(
                "This copy is {} now, not in its cabinet: it cannot be lent",
                label_en_of(state)
            ),
            BorrowRefusal::NotAllowed(level) => format!(
                "The unit's policy does not lend {} documents",
                label_en_of(level)
            ),
            BorrowRefusal::TooLong { level, max, asked } => format!(
                "{} documents are lent for at most {max} working days; {asked} were asked for (R3.1.3)",
                label_en_of(level)
            ),
            BorrowRefusal::NoPeriod => "A loan lasts at least 1 working day".into(),
            BorrowRefusal::PlaceRequired => "Top secret documents are read at a designated place and never taken out (R3.1.3): write the place".into(),
            BorrowRefusal::JustificationRequired => "Top secret documents are normally not lent (R3.1.3): write why the work needs it; the office head approves".into(),
            BorrowRefusal::Overdue => "The borrower has an overdue item; the office head must write a reason to lend anyway".into(),
            BorrowRefusal::NoPledge => "The borrower has not signed the confidentiality pledge (R3.5.1)".into(),
            BorrowRefusal::NotCleared { clearance, level } => format!(
                "A borrower who is {} cannot borrow {} documents (R3.5.3)",
                label_en_of(clearance),
                label_en_of(level)
            ),
            BorrowRefusal::Inactive => "The borrower has left their post".into(),
        }
    }
}

impl super::message::Explain for ApprovalRefusal {
    fn en(&self) -> String {
        use super::message::label_en_of;
        match self {
            ApprovalRefusal::WrongApprover { level, wanted } => format!(
                "Borrowing {} documents must be approved by the {} (R3.1.3)",
                label_en_of(level),
                label_en_of(wanted)
            ),
            ApprovalRefusal::OtherDepartment => {
                "A department head approves only the borrowings of their own department (R3.1.3)"
                    .into()
            }
            ApprovalRefusal::OwnRequest => "No one approves their own request".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(level: Level) -> RequestFacts<'static> {
        RequestFacts {
            level,
            copy_state: CopyState::InCabinet,
            borrower_clearance: Clearance::Core,
            borrower_pledge: NaiveDate::from_ymd_opt(2026, 1, 5),
            borrower_active: true,
            requested_days: 3,
            place: "",
            justification: "",
            has_overdue: false,
            overdue_override: None,
        }
    }

    #[test]
    fn r3_1_3_the_default_policy_follows_the_regulation() {
        let p = BorrowPolicy::default();
        assert_eq!(p.validate(), Ok(()));
        let mut bad = p.clone();
        bad.jimi.approver = Approver::DeptHead;
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "机密文件的借阅由党办负责人审批（R3.1.3），不能改为部门负责人"
        );
        let mut bad = p.clone();
        bad.juemi.on_site_only = false;
        assert_eq!(bad.validate(), Err(PolicyError::JuemiOnSite));
        let mut bad = p.clone();
        bad.mimi.max_working_days = 0;
        assert!(bad.validate().is_err());
        let mut ok = p;
        ok.neibu.approver = Approver::DeptHead;
        ok.mimi.max_working_days = 7;
        assert_eq!(ok.validate(), Ok(()));
    }

    #[test]
    fn r3_1_3_top_secret_is_read_on_site_the_same_day() {
        let p = BorrowPolicy::default();
        let mut f = facts(Level::Juemi);
        f.requested_days = 0;
        assert_eq!(
            check_request(&p, &f),
            Err(BorrowRefusal::JustificationRequired)
        );
        f.justification = "  ";
        assert_eq!(
            check_request(&p, &f),
            Err(BorrowRefusal::JustificationRequired)
        );
        f.justification = "起草专项报告须核对原文";
        assert_eq!(check_request(&p, &f), Err(BorrowRefusal::PlaceRequired));
        assert!(
            BorrowRefusal::PlaceRequired
                .to_string()
                .contains("在指定地点阅读，不得带出（R3.1.3）")
        );
        f.place = "机要阅览室";
        assert_eq!(check_request(&p, &f), Ok(()));
        f.requested_days = 1;
        assert!(matches!(
            check_request(&p, &f),
            Err(BorrowRefusal::TooLong { max: 0, .. })
        ));
        let mut closed = p.clone();
        closed.juemi.allowed = false;
        f.requested_days = 0;
        assert_eq!(
            check_request(&closed, &f),
            Err(BorrowRefusal::NotAllowed("绝密"))
        );
    }

    #[test]
    fn r3_1_3_periods_are_capped_per_level() {
        let p = BorrowPolicy::default();
        for (level, max) in [
            (Level::Jimi, 5),
            (Level::Mimi, 10),
            (Level::NeibuMingan, 15),
        ] {
            let mut f = facts(level);
            f.requested_days = max;
            assert_eq!(check_request(&p, &f), Ok(()), "{level:?}");
            f.requested_days = max + 1;
            assert!(matches!(
                check_request(&p, &f),
                Err(BorrowRefusal::TooLong { .. })
            ));
        }
        let mut f = facts(Level::Jimi);
        f.requested_days = 0;
        assert_eq!(check_request(&p, &f), Err(BorrowRefusal::NoPeriod));
    }

    #[test]
    fn r3_5_1_pledge_and_r3_5_3_clearance_are_required() {
        let p = BorrowPolicy::default();
        let mut f = facts(Level::Jimi);
        f.borrower_pledge = None;
        assert_eq!(check_request(&p, &f), Err(BorrowRefusal::NoPledge));
        let mut f = facts(Level::Jimi);
        f.borrower_clearance = Clearance::General;
        assert_eq!(
            check_request(&p, &f).unwrap_err().to_string(),
            "借阅人为一般涉密人员，不能借阅机密文件（R3.5.3）"
        );
        let mut f = facts(Level::Mimi);
        f.copy_state = CopyState::Borrowed;
        assert_eq!(
            check_request(&p, &f),
            Err(BorrowRefusal::NotInCabinet("借出"))
        );
    }

    #[test]
    fn r3_1_3_secret_is_approved_by_the_department_head_the_head_only_if_the_policy_says_so() {
        let mut p = BorrowPolicy::default();
        assert!(!p.head_may_approve_mimi);
        assert!(matches!(
            check_approver(&p, Level::Mimi, Role::Head, false, false),
            Err(ApprovalRefusal::WrongApprover {
                wanted: "部门负责人",
                ..
            })
        ));
        p.head_may_approve_mimi = true;
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(
            check_approver(&p, Level::Mimi, Role::Head, false, false),
            Ok(())
        );
        // A stored policy from before the setting existed reads as "off".
        let old = r#"{"juemi":{"allowed":true,"approver":"PartyOfficeHead","max_working_days":0,"on_site_only":true,"renewals":0},"jimi":{"allowed":true,"approver":"PartyOfficeHead","max_working_days":5,"on_site_only":false,"renewals":1},"mimi":{"allowed":true,"approver":"DeptHead","max_working_days":10,"on_site_only":false,"renewals":1},"neibu":{"allowed":true,"approver":"Custodian","max_working_days":15,"on_site_only":false,"renewals":2}}"#;
        let parsed: BorrowPolicy = serde_json::from_str(old).unwrap();
        assert_eq!(parsed, BorrowPolicy::default());
    }

    #[test]
    fn r3_1_3_an_overdue_item_blocks_unless_the_head_overrides_with_a_reason() {
        let p = BorrowPolicy::default();
        let mut f = facts(Level::Mimi);
        f.has_overdue = true;
        assert_eq!(check_request(&p, &f), Err(BorrowRefusal::Overdue));
        f.overdue_override = Some("  ");
        assert_eq!(check_request(&p, &f), Err(BorrowRefusal::Overdue));
        f.overdue_override = Some("专项检查急需，已催还逾期文件");
        assert_eq!(check_request(&p, &f), Ok(()));
    }

    #[test]
    fn r3_1_3_the_right_person_approves_never_their_own_request() {
        let p = BorrowPolicy::default();
        assert_eq!(
            check_approver(&p, Level::Jimi, Role::Head, false, false),
            Ok(())
        );
        assert!(matches!(
            check_approver(&p, Level::Jimi, Role::DeptHead, false, true),
            Err(ApprovalRefusal::WrongApprover {
                wanted: "党办负责人",
                ..
            })
        ));
        assert_eq!(
            check_approver(&p, Level::Mimi, Role::DeptHead, false, true),
            Ok(())
        );
        assert_eq!(
            check_approver(&p, Level::Mimi, Role::DeptHead, false, false),
            Err(ApprovalRefusal::OtherDepartment)
        );
        assert_eq!(
            check_approver(&p, Level::Jimi, Role::Head, true, true),
            Err(ApprovalRefusal::OwnRequest)
        );
        assert!(check_approver(&p, Level::Juemi, Role::Custodian, false, true).is_err());
        assert_eq!(
            check_approver(&p, Level::NeibuMingan, Role::Custodian, false, false),
            Ok(())
        );
    }
}
