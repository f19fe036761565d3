//! Destruction of classified carriers (销毁, R3.2.4 and national practice: approved equipment or
//! the designated destruction unit, two people present, recorded on a 销毁清单), as pure rules:
//! which copies may go on a list, who must be present, what an execution must state.

use serde::{Deserialize, Serialize};

use super::copy_state::CopyState;
use super::message::Message;

/// The clause behind destruction. The regulation's R3.2.4 says meeting documents no longer
/// needed are destroyed "under the rules"; the rules are the national practice for carriers.
pub const CLAUSE: &str = "R3.2.4";

/// How the copies were destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// 碎纸机 of an approved model (保密碎纸机).
    Shredder,
    /// 焚烧 at a designated place.
    Incineration,
    /// Handed to the designated destruction unit (销毁工作机构), which gives a receipt.
    DestructionUnit,
}

impl Method {
    pub const ALL: [Method; 3] = [
        Method::Shredder,
        Method::Incineration,
        Method::DestructionUnit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Method::Shredder => "shredder",
            Method::Incineration => "incineration",
            Method::DestructionUnit => "destruction_unit",
        }
    }

    pub fn from_code(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Method::Shredder => "保密碎纸机粉碎",
            Method::Incineration => "焚烧",
            Method::DestructionUnit => "送销毁工作机构",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Method::Shredder => "approved shredder",
            Method::Incineration => "incineration",
            Method::DestructionUnit => "handed to the destruction unit",
        }
    }

    /// What the detail field asks for with this method.
    pub fn detail_label(self) -> (&'static str, &'static str) {
        match self {
            Method::Shredder => ("碎纸机型号", "Shredder model"),
            Method::Incineration => ("焚烧方式（可不填）", "How (optional)"),
            Method::DestructionUnit => ("销毁工作机构名称", "Destruction unit"),
        }
    }
}

/// The reasons the list offers (a reason may also be typed).
pub const REASONS: [(&str, &str); 5] = [
    (
        "超过保密期限且无保存价值",
        "Secrecy period over, no value to keep",
    ),
    ("已解密且无保存价值", "Declassified, no value to keep"),
    ("会议结束后不再需要", "No longer needed after the meeting"),
    ("已清退，留存件多余", "Recalled; a surplus copy"),
    ("破损无法使用", "Damaged beyond use"),
];

/// What is known of a copy when it is put on a list, approved, or destroyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts<'a> {
    pub copy_no: u32,
    pub state: CopyState,
    /// A borrowing requested, approved or out.
    pub open_borrow: Option<&'a str>,
    /// A sending whose receipt has not come back.
    pub open_distribution: bool,
    /// An open hold on the copy or its document: its reason.
    pub hold: Option<&'a str>,
    /// Another list not executed or cancelled that holds it: its number.
    pub other_list: Option<&'a str>,
}

/// Only a copy in its cabinet (or one declassified by the old path), not on loan, not held, not
/// in an open distribution and on no other open list may be destroyed.
pub fn check_item(f: &ItemFacts<'_>) -> Result<(), Message> {
    let n = f.copy_no;
    if f.state == CopyState::Destroyed {
        return Err(Message::new(
            format!("第{n}份已销毁"),
            format!("Copy {n} is destroyed already"),
        ));
    }
    if let Some(form) = f.open_borrow {
        return Err(Message::new(
            format!("第{n}份有未办结的借阅（{form}），不能销毁：须先归还或撤销申请"),
            format!(
                "Copy {n} has a borrowing under way ({form}): it cannot be destroyed until it is returned or withdrawn"
            ),
        ));
    }
    if f.open_distribution {
        return Err(Message::new(
            format!("第{n}份已分发、回执未收回，不能销毁"),
            format!("Copy {n} was sent out and its receipt is not back: it cannot be destroyed"),
        ));
    }
    if let Some(reason) = f.hold {
        return Err(Message::new(
            format!("第{n}份已被冻结（{reason}），解除冻结前不能销毁"),
            format!(
                "Copy {n} is on hold ({reason}): it cannot be destroyed until the hold is lifted"
            ),
        ));
    }
    if let Some(list) = f.other_list {
        return Err(Message::new(
            format!("第{n}份已列入{list}"),
            format!("Copy {n} is on {list} already"),
        ));
    }
    if !matches!(f.state, CopyState::InCabinet | CopyState::Declassified) {
        return Err(Message::new(
            format!(
                "第{n}份现在“{}”，只有在柜的份号才能列入销毁清单",
                f.state.label_zh()
            ),
            format!(
                "Copy {n} is {}: only a copy in its cabinet can go on a destruction list",
                f.state.label_en()
            ),
        ));
    }
    Ok(())
}

/// The people of an execution, by person id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present {
    pub approver: i64,
    pub destroyer: i64,
    pub supervisors: Vec<i64>,
}

/// Two people present (销毁人 and at least one different 监销人), both named; the approver may
/// supervise but not destroy: the approver alone never makes a destruction.
pub fn check_present(p: &Present) -> Result<(), Message> {
    if p.supervisors.is_empty() {
        return Err(Message::new(
            "销毁须两人在场：请填写至少一名监销人",
            "Destruction needs two people present: name at least one supervisor",
        ));
    }
    if p.supervisors.contains(&p.destroyer) {
        return Err(Message::new(
            "监销人不能是销毁人本人：须另一人在场监销",
            "The supervisor cannot be the person who destroys: another person must be present",
        ));
    }
    if p.destroyer == p.approver {
        return Err(Message::new(
            "审批人不能同时担任销毁人：审批、销毁须分别由不同的人负责",
            "The approver cannot also destroy: approving and destroying are for different people",
        ));
    }
    Ok(())
}

/// What an execution states, checked before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionFacts<'a> {
    pub method: Method,
    pub detail: &'a str,
    pub receipt_no: &'a str,
    pub place: &'a str,
}

/// The method's own details: a shredder's model, the destruction unit's name and receipt; and
/// the place.
pub fn check_execution(e: &ExecutionFacts<'_>) -> Result<(), Message> {
    if e.place.trim().is_empty() {
        return Err(Message::new(
            "请填写销毁地点",
            "Write where the destruction took place",
        ));
    }
    match e.method {
        Method::Shredder if e.detail.trim().is_empty() => Err(Message::new(
            "请填写保密碎纸机的型号（须为经批准的型号）",
            "Write the shredder's model (an approved model)",
        )),
        Method::DestructionUnit if e.detail.trim().is_empty() => Err(Message::new(
            "请填写销毁工作机构的名称",
            "Write the name of the destruction unit",
        )),
        Method::DestructionUnit if e.receipt_no.trim().is_empty() => Err(Message::new(
            "请填写销毁工作机构出具的回执编号",
            "Write the number of the destruction unit's receipt",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(state: CopyState) -> ItemFacts<'static> {
        ItemFacts {
            copy_no: 2,
            state,
            open_borrow: None,
            open_distribution: false,
            hold: None,
            other_list: None,
        }
    }

    #[test]
    fn r3_2_4_only_a_copy_in_its_cabinet_free_of_loans_holds_and_distributions() {
        assert!(check_item(&facts(CopyState::InCabinet)).is_ok());
        assert!(check_item(&facts(CopyState::Declassified)).is_ok());
        for s in [
            CopyState::Borrowed,
            CopyState::SentOut,
            CopyState::InMeeting,
            CopyState::Lost,
            CopyState::ReturnedToSender,
            CopyState::Destroyed,
        ] {
            assert!(check_item(&facts(s)).is_err(), "{s:?}");
        }
        let loan = ItemFacts {
            open_borrow: Some("借阅〔2026〕3号"),
            ..facts(CopyState::InCabinet)
        };
        assert!(
            check_item(&loan)
                .unwrap_err()
                .zh()
                .contains("借阅〔2026〕3号")
        );
        let held = ItemFacts {
            hold: Some("审计调阅"),
            ..facts(CopyState::InCabinet)
        };
        assert!(check_item(&held).unwrap_err().zh().contains("冻结"));
        let sent = ItemFacts {
            open_distribution: true,
            ..facts(CopyState::InCabinet)
        };
        assert!(check_item(&sent).unwrap_err().zh().contains("回执"));
        let listed = ItemFacts {
            other_list: Some("销毁〔2026〕1号"),
            ..facts(CopyState::InCabinet)
        };
        assert!(
            check_item(&listed)
                .unwrap_err()
                .zh()
                .contains("销毁〔2026〕1号")
        );
    }

    #[test]
    fn r3_2_4_two_different_people_and_not_the_approver_alone() {
        let ok = Present {
            approver: 1,
            destroyer: 2,
            supervisors: vec![1],
        };
        assert!(check_present(&ok).is_ok(), "the approver may supervise");
        let alone = Present {
            supervisors: vec![],
            ..ok.clone()
        };
        assert!(check_present(&alone).unwrap_err().zh().contains("两人在场"));
        let same = Present {
            supervisors: vec![2],
            ..ok.clone()
        };
        assert!(
            check_present(&same)
                .unwrap_err()
                .zh()
                .contains("监销人不能是销毁人")
        );
        let approver_destroys = Present {
            approver: 2,
            destroyer: 2,
            supervisors: vec![3],
        };
        assert!(check_present(&approver_destroys).is_err());
    }

    #[test]
    fn r3_2_4_an_execution_names_its_method_details_and_place() {
        let e = ExecutionFacts {
            method: Method::Shredder,
            detail: "",
            receipt_no: "",
            place: "党办机要室",
        };
        assert!(check_execution(&e).is_err());
        assert!(
            check_execution(&ExecutionFacts {
                detail: "科密 3888",
                ..e.clone()
            })
            .is_ok()
        );
        let unit = ExecutionFacts {
            method: Method::DestructionUnit,
            detail: "市国家保密局销毁中心",
            ..e.clone()
        };
        assert!(check_execution(&unit).unwrap_err().zh().contains("回执"));
        assert!(check_execution(&ExecutionFacts { place: " ", ..unit }).is_err());
        for m in Method::ALL {
            assert_eq!(Method::from_code(m.code()), Some(m));
        }
    }
}
