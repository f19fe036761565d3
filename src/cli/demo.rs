//! `baomi demo --documents N [--batch B]`: fills a vault with realistic synthetic data (Chinese
//! titles, units, people, cabinets, copies) for screenshots and benchmarks. Prints
//! `committed <total>` after each committed transaction. Deterministic: the same N gives the
//! same data.

use std::path::Path;

use chrono::{Duration, NaiveDate};

use super::CliError;
use super::secret_input::SecretInput;
use crate::domain::Role;
use crate::domain::copy_state::CopyState;
use crate::domain::level::{Category, Level};
use crate::domain::marking::SecrecyPeriod;
use crate::domain::outgoing::Channel;
use crate::domain::person::Clearance;
use crate::ledger::Passphrase;
use crate::ledger::borrowing::{self, BorrowRequest, Decider};
use crate::ledger::cabinets::{self, CabinetId, CabinetInput};
use crate::ledger::documents::{self, IncomingInput};
use crate::ledger::outgoing::{self, DistributionInput, OutgoingDraft};
use crate::ledger::people::{self, NewPerson, PersonId};
use crate::ledger::users::{self, NewUser};
use crate::ledger::{Session, search};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "晓东",
];
const DEPARTMENTS: &[&str] = &[
    "党办",
    "综合办公室",
    "财务部",
    "人力资源部",
    "工程部",
    "市场部",
    "纪检监察室",
    "安全环保部",
];
const UNITS: &[&str] = &[
    "集团公司党委办公室",
    "集团公司办公室",
    "省国资委党委",
    "市委办公室",
    "集团公司纪委",
    "集团公司财务部",
    "区委组织部",
    "集团公司战略发展部",
];
const TOPICS: &[&str] = &[
    "加强重要项目保密管理工作",
    "做好年度预算编制",
    "开展保密自查自评",
    "调整领导班子分工",
    "重大投资项目决策",
    "深化企业改革三年行动",
    "做好节日期间安全生产",
    "加强涉密人员管理",
    "召开党委会议",
    "印发年度工作要点",
    "开展专项审计",
    "加强信息系统安全防护",
    "报送统计报表",
    "落实巡视整改任务",
    "推进数字化转型",
];
const KINDS: &[&str] = &[
    "通知",
    "报告",
    "意见",
    "批复",
    "会议纪要",
    "实施方案",
    "请示",
    "函",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Runs the command.
pub fn run(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    documents_wanted: u32,
    batch: u32,
) -> Result<(), CliError> {
    if batch == 0 {
        return Err(CliError("--batch 须大于零".into()));
    }
    let mut s = super::open_session(dir, input, acting)?;
    let result = fill(&mut s, documents_wanted, batch, true);
    drop(s.lock("demo"));
    result
}

/// Fills an unlocked vault: people, cabinets, `wanted` incoming documents in transactions of
/// `batch`, and (from 20 documents) the outgoing flow. With `report`, prints `committed <total>`
/// after each transaction. Also used by the benchmarks.
pub fn fill(s: &mut Session, wanted: u32, batch: u32, report: bool) -> Result<(), CliError> {
    if batch == 0 {
        return Err(CliError("--batch 须大于零".into()));
    }
    crate::ledger::demo::require_demo(s)?;
    let mut rng = Rng(0x5eed_0000_0000_0001 ^ u64::from(wanted));
    let mut staff: Vec<PersonId> = vec![s.user().person_id];
    let mut total = 0u64;
    for i in 0..24 {
        let name = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
        let clearance = [
            Clearance::Core,
            Clearance::Important,
            Clearance::General,
            Clearance::None,
        ][i % 4];
        let id = people::add(
            s,
            &NewPerson {
                name,
                department: rng.pick(DEPARTMENTS).to_owned(),
                post: ["主任", "副主任", "科员", "部长", "主管"][i % 5].to_owned(),
                phone: format!("88{:02}", 10 + i),
                clearance,
                pledge_signed_on: (i % 6 != 5).then(|| {
                    NaiveDate::from_ymd_opt(2025, 1 + (i % 12) as u32, 10).expect("valid")
                }),
            },
        )?;
        staff.push(id);
        total += 1;
        if report {
            out!("committed {total}")?;
        }
    }
    let keeper = Some(s.user().person_id);
    let mut cabinet_for = std::collections::HashMap::new();
    for (code, location, level, locked) in [
        ("JM-01", "机要室一号柜", Level::Juemi, true),
        ("JM-02", "机要室二号柜", Level::Jimi, true),
        ("MM-01", "党办档案柜", Level::Mimi, true),
        ("NB-01", "综合办资料柜", Level::NeibuMingan, false),
    ] {
        let existing = cabinets::list(s)?
            .into_iter()
            .find(|c| c.code == code)
            .map(|c| c.id);
        let id: CabinetId = match existing {
            Some(id) => id,
            None => {
                let id = cabinets::create(
                    s,
                    &CabinetInput {
                        code: code.into(),
                        location: location.into(),
                        max_level: level,
                        responsible: keeper,
                        locked,
                    },
                )?;
                total += 1;
                if report {
                    out!("committed {total}")?;
                }
                id
            }
        };
        cabinet_for.insert(level, id);
    }
    let today = s.today();
    let mut made = 0u32;
    while made < wanted {
        let n = batch.min(wanted - made);
        let mut inputs = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let roll = rng.below(100);
            let level = match roll {
                0..5 => Level::Juemi,
                5..35 => Level::Jimi,
                35..80 => Level::Mimi,
                _ => Level::NeibuMingan,
            };
            let period = match (level, rng.below(4)) {
                (Level::NeibuMingan, _) => SecrecyPeriod::Unspecified,
                (Level::Juemi, 0) => SecrecyPeriod::LongTerm,
                (_, 0) => SecrecyPeriod::Unspecified,
                (Level::Juemi, _) => SecrecyPeriod::Years(30),
                (Level::Jimi, 1) => SecrecyPeriod::Years(20),
                (Level::Jimi, _) => SecrecyPeriod::Years(10),
                (_, 1) => SecrecyPeriod::Months(6),
                _ => SecrecyPeriod::Years(5),
            };
            let received_on = today - Duration::days(1 + rng.below(690) as i64);
            let dated = received_on - Duration::days(rng.below(10) as i64);
            let copies = 1 + rng.below(5) as u32;
            let first = 1 + rng.below(20) as u32;
            let year = dated.format("%Y");
            let unit = rng.pick(UNITS);
            inputs.push(IncomingInput {
                received_on,
                signed_for_by: staff[rng.below(staff.len())],
                issuing_unit: unit.to_owned(),
                doc_no: format!(
                    "{}〔{year}〕{}号",
                    &unit[..unit.len().min(6)],
                    1 + rng.below(300)
                ),
                title: format!("关于{}的{}", rng.pick(TOPICS), rng.pick(KINDS)),
                category: Category::ALL[rng.below(Category::ALL.len())],
                level,
                period,
                dated,
                pages: 1 + rng.below(40) as u32,
                attachments: rng.below(3) as u32,
                copy_numbers: (first..first + copies).collect(),
                cabinet: cabinet_for[&level],
                readers: format!("{}班子成员", rng.pick(DEPARTMENTS)),
                remarks: String::new(),
            });
        }
        documents::register_incoming_batch(s, &inputs)?;
        made += n;
        total += u64::from(n);
        if report {
            out!("committed {total}")?;
        }
    }
    if wanted >= OUTGOING_MIN_DOCUMENTS {
        fill_outgoing(s, &mut rng, &staff, &cabinet_for, &mut total, report)?;
        fill_borrows(s, &mut rng, &mut total, report)?;
        fill_carriers(s, &staff, &mut total, report)?;
    }
    Ok(())
}

/// The largest cabinet the demo stock-takes (one commit per scan, as the custodian scans).
const STOCKTAKE_MAX_COPIES: usize = 400;

/// Destruction lists (one executed, one approved, one awaiting approval), a hold, a closed
/// stock-taking round of the smallest cabinet with one copy not found and its incident, and a
/// decision of the declassification review.
fn fill_carriers(
    s: &mut Session,
    staff: &[PersonId],
    total: &mut u64,
    report: bool,
) -> Result<(), CliError> {
    use crate::domain::destruction::Method;
    use crate::ledger::{destruction, holds, incidents, secrecy, stocktake};
    let mut committed = |n: u64| -> Result<(), CliError> {
        for _ in 0..n {
            *total += 1;
            if report {
                out!("committed {total}")?;
            }
        }
        Ok(())
    };
    let head = users::list(s)?
        .into_iter()
        .find(|u| u.login == "demo-head")
        .map(|u| u.person_id);
    let Some(head) = head else { return Ok(()) };
    let me = s.user().person_id;
    let witness = staff
        .iter()
        .copied()
        .find(|p| *p != me && *p != head)
        .unwrap_or(head);
    // Copies free to go on a list: first those whose period has ended, then any in a cabinet
    // with no borrowing, oldest documents first.
    let mut free = Vec::new();
    for (c, _) in destruction::candidates(s)?.into_iter().take(5) {
        free.push((documents::document_of_copy(s, c)?.id, c));
    }
    for d in search::search(s, &search::Query::default(), 0, 400)?
        .rows
        .iter()
        .rev()
    {
        if d.voided || d.direction != "incoming" {
            continue;
        }
        for c in documents::copies(s, d.id)? {
            if c.state == CopyState::InCabinet
                && borrowing::active_for_copy(s, c.id)?.is_none()
                && !free.iter().any(|(_, f)| *f == c.id)
            {
                free.push((d.id, c.id));
            }
        }
        if free.len() >= 12 {
            break;
        }
    }
    if free.len() < 7 {
        return Ok(());
    }
    let paper = Decider::Paper {
        person: head,
        reference: "演示审批单",
    };
    let reasons = ["超过保密期限且无保存价值", "已清退，留存件多余"];
    // Executed.
    let done = destruction::create(s, "年度清理")?;
    for (i, (_, c)) in free[0..2].iter().enumerate() {
        destruction::add_item(s, done, *c, reasons[i % 2])?;
    }
    destruction::approve(s, done, &paper, "同意销毁")?;
    destruction::execute(
        s,
        done,
        &destruction::Execution {
            on: s.today(),
            method: Method::Shredder,
            detail: "科密 3888".into(),
            receipt_no: String::new(),
            place: "党办机要室".into(),
            destroyer: me,
            supervisors: vec![witness],
        },
    )?;
    committed(5)?;
    // Approved, to destroy at the destruction unit.
    let approved = destruction::create(s, "送销毁工作机构")?;
    destruction::add_item(s, approved, free[2].1, reasons[0])?;
    destruction::approve(s, approved, &paper, "同意")?;
    committed(3)?;
    // Awaiting approval.
    let draft = destruction::create(s, "")?;
    for (_, c) in &free[3..5] {
        destruction::add_item(s, draft, *c, reasons[0])?;
    }
    committed(3)?;
    // A hold on a whole document.
    holds::place(
        s,
        holds::HoldTarget::Document(free[5].0),
        "上级保密检查调阅，暂停借阅和销毁",
    )?;
    committed(1)?;
    // The review: extend one document's period, if one is due.
    if let Some(due) = secrecy::due(s)?.into_iter().next() {
        let d = documents::get(s, due.document)?;
        if let Some(max) = d.level.statutory_max_years() {
            let _ = secrecy::decide(
                s,
                d.id,
                &secrecy::Decision {
                    kind: crate::domain::secrecy::DecisionKind::Extend,
                    level: d.level,
                    period: SecrecyPeriod::Years(max),
                    decided_on: s.today(),
                    decided_by: d.issuing_unit.clone(),
                    authority: "演示：原定密单位延期通知".into(),
                    reason: "仍需保密".into(),
                    move_to: None,
                },
            )
            .map(|_| committed(1));
        }
    }
    // Stock-taking of the smallest cabinet holding copies: all found but one.
    let mut best: Option<(CabinetId, Vec<crate::ledger::documents::CopyId>)> = None;
    for k in cabinets::list(s)?.into_iter().filter(|k| !k.retired) {
        let copies: Vec<_> = cabinets::copies_in(s, k.id)?;
        if copies.len() >= 2
            && copies.len() <= STOCKTAKE_MAX_COPIES
            && best.as_ref().is_none_or(|(_, b)| copies.len() < b.len())
        {
            best = Some((k.id, copies));
        }
    }
    if let Some((cabinet, copies)) = best {
        let round = stocktake::start(s, Some(&[cabinet]), "季度自查")?;
        committed(1)?;
        let (missing, found) = copies.split_last().expect("two or more");
        for c in found {
            stocktake::mark(
                s,
                round,
                cabinet,
                &format!("copy-{}", c.0),
                stocktake::How::Scan,
            )?;
            committed(1)?;
        }
        stocktake::close(s, round, "")?;
        incidents::open(
            s,
            &incidents::NewIncident {
                kind: incidents::Kind::Loss,
                occurred_on: s.today(),
                discovered_on: s.today(),
                description: "季度清查时未找到该份文件".into(),
                copies: vec![(*missing, true)],
                people: vec![me],
                people_note: String::new(),
                measures: "在机要室和借阅人处全面查找".into(),
                stocktake: Some(round),
                borrow: None,
            },
        )?;
        committed(2)?;
    }
    Ok(())
}

/// A demo of `demo --documents N` with at least this many also gets outgoing documents.
pub const OUTGOING_MIN_DOCUMENTS: u32 = 20;
/// How many outgoing documents the demo drafts: one stopped at each step, and a few more sent.
pub const OUTGOING_DOCUMENTS: usize = 10;

/// Borrowings in every state, two of them overdue. The approvers get accounts with random
/// passphrases that nobody knows (their role is what the approval rules check); approvals are
/// recorded as paper forms.
fn fill_borrows(
    s: &mut Session,
    rng: &mut Rng,
    total: &mut u64,
    report: bool,
) -> Result<(), CliError> {
    let mut committed = || -> Result<(), CliError> {
        *total += 1;
        if report {
            out!("committed {total}")?;
        }
        Ok(())
    };
    let approver = |s: &mut Session,
                    login: &str,
                    name: &str,
                    role: Role,
                    department: &str|
     -> Result<PersonId, CliError> {
        let existing = users::list(s)?.into_iter().find(|u| u.login == login);
        if let Some(u) = existing {
            return Ok(u.person_id);
        }
        let mut secret = [0u8; 24];
        getrandom::fill(&mut secret).map_err(|_| CliError("无法取得随机数".into()))?;
        let text: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        secret.fill(0);
        users::add_user(
            s,
            &NewUser {
                login: login.into(),
                person: NewPerson {
                    name: name.into(),
                    department: department.into(),
                    post: role.label_zh().into(),
                    phone: String::new(),
                    clearance: Clearance::Core,
                    pledge_signed_on: NaiveDate::from_ymd_opt(2025, 3, 1),
                },
                role,
            },
            &Passphrase::new(text),
        )?;
        Ok(users::list(s)?
            .into_iter()
            .find(|u| u.login == login)
            .map(|u| u.person_id)
            .expect("just added"))
    };
    let head = approver(s, "demo-head", "赵党办主任", Role::Head, "党办")?;
    committed()?;
    // R3.1.3: 秘密 is approved by the borrower's own 部门负责人, one account a department.
    let mut dept_heads: std::collections::HashMap<String, PersonId> = Default::default();
    // Borrowers: pledged, cleared for 秘密 or above, not the approver.
    let borrowers: Vec<PersonId> = people::list(s)?
        .into_iter()
        .filter(|p| {
            p.active
                && p.pledge_signed_on.is_some()
                && p.clearance.may_handle(Level::Mimi)
                && p.id != head
        })
        .map(|p| p.id)
        .collect();
    if borrowers.is_empty() {
        return Ok(());
    }
    // Copies of 机密 and 秘密 documents in their cabinets.
    let q = search::Query::default();
    let mut candidates = Vec::new();
    for d in search::search(s, &q, 0, 200)?.rows {
        if !matches!(d.level, Level::Jimi | Level::Mimi) || d.voided {
            continue;
        }
        if let Some(c) = documents::copies(s, d.id)?
            .into_iter()
            .find(|c| c.state == CopyState::InCabinet)
        {
            candidates.push((c.id, d.level));
        }
        // More than the twelve states below need: a request may be refused (clearance, an
        // overdue loan of the same borrower), and the states go by the requests that stand.
        if candidates.len() >= 40 {
            break;
        }
    }
    let reasons = [
        "编制年度工作计划",
        "准备专项检查材料",
        "起草整改报告",
        "项目评审参考",
    ];
    let mut i = 0usize;
    for (copy, level) in candidates {
        if i >= 12 {
            break;
        }
        let borrower = borrowers[rng.below(borrowers.len())];
        let p = borrowing::policy(s)?;
        let days = 1 + rng.below(p.for_level(level).max_working_days as usize) as u32;
        let request = BorrowRequest {
            copy,
            borrower,
            reason: rng.pick(&reasons).to_owned(),
            days,
            place: String::new(),
            justification: String::new(),
            overdue_override: None,
        };
        let Ok(id) = borrowing::request(s, &request) else {
            continue;
        };
        committed()?;
        i += 1;
        let i = i - 1;
        // 0-1 requested, 2-3 approved, 4 rejected, 5 cancelled, 6-9 out (6, 7 overdue), 10-11 returned.
        let approver_person = if level == Level::Mimi {
            let department = people::get(s, borrower)?.department;
            match dept_heads.get(&department) {
                Some(p) => *p,
                None => {
                    let k = dept_heads.len() + 1;
                    let p = approver(
                        s,
                        &format!("demo-dept{k}"),
                        &format!("{}部长", rng.pick(SURNAMES)),
                        Role::DeptHead,
                        &department,
                    )?;
                    committed()?;
                    dept_heads.insert(department, p);
                    p
                }
            }
        } else {
            head
        };
        let paper = Decider::Paper {
            person: approver_person,
            reference: "演示审批单",
        };
        match i {
            0 | 1 => continue,
            4 => {
                borrowing::reject(s, id, &paper, "暂不具备借阅条件")?;
                committed()?;
                continue;
            }
            5 => {
                borrowing::cancel(s, id, "借阅人出差")?;
                committed()?;
                continue;
            }
            _ => {}
        }
        borrowing::approve(s, id, &paper, "同意")?;
        committed()?;
        if i < 6 {
            continue;
        }
        borrowing::check_out(s, id)?;
        committed()?;
        if i == 6 || i == 7 {
            crate::ledger::demo::backdate_loan(s, id, 20 + i as u32)?;
            committed()?;
        }
        if i >= 10 {
            borrowing::return_copy(s, id, s.user().person_id, true, "", None)?;
            committed()?;
        }
    }
    Ok(())
}

/// Outgoing documents at every step of the flow, some distributed with receipts. One commit
/// per step, as the custodian would record them.
fn fill_outgoing(
    s: &mut Session,
    rng: &mut Rng,
    staff: &[PersonId],
    cabinet_for: &std::collections::HashMap<Level, CabinetId>,
    total: &mut u64,
    report: bool,
) -> Result<(), CliError> {
    let mut committed = || -> Result<(), CliError> {
        *total += 1;
        if report {
            out!("committed {total}")?;
        }
        Ok(())
    };
    let today = s.today();
    for i in 0..OUTGOING_DOCUMENTS {
        let level = [Level::Jimi, Level::Mimi, Level::Juemi, Level::NeibuMingan][i % 4];
        let id = outgoing::create_draft(
            s,
            &OutgoingDraft {
                title: format!("关于{}的{}", rng.pick(TOPICS), rng.pick(KINDS)),
                category: Category::ALL[rng.below(Category::ALL.len())],
                level,
                period: SecrecyPeriod::Unspecified,
                dated: today - Duration::days(rng.below(20) as i64),
                pages: 1 + rng.below(12) as u32,
                drafter: staff[1 + rng.below(staff.len() - 1)],
                readers: format!("{}负责人", rng.pick(DEPARTMENTS)),
                remarks: String::new(),
            },
        )?;
        committed()?;
        let target = (i % 7) + usize::from(i >= 7) * 6;
        let person = |rng: &mut Rng| staff[1 + rng.below(staff.len() - 1)];
        for step in 1..=target.min(6) {
            match step {
                1 => outgoing::review(s, id, person(rng), "同意")?,
                2 => outgoing::sign(s, id, person(rng), "同意印发")?,
                3 => outgoing::assign_number(s, id).map(|_| ())?,
                4 => outgoing::register(s, id, "")?,
                5 => outgoing::print(s, id, 2 + rng.below(4) as u32, cabinet_for[&level])?,
                _ => {
                    let copies = documents::copies(s, id)?;
                    for (k, c) in copies.iter().take(2).enumerate() {
                        let channel = Channel::allowed_for(level)[k % 2];
                        let carrier = (channel == Channel::DesignatedPerson).then(|| person(rng));
                        outgoing::distribute(
                            s,
                            c.id,
                            &DistributionInput {
                                recipient_unit: rng.pick(UNITS).to_owned(),
                                channel,
                                carrier,
                                tracking_no: if carrier.is_some() {
                                    String::new()
                                } else {
                                    format!("JY{}{:04}", today.format("%Y%m%d"), rng.below(10_000))
                                },
                                sent_on: today,
                            },
                        )?;
                        if k == 0 {
                            committed()?;
                            outgoing::record_receipt(s, c.id, today)?;
                        }
                    }
                }
            }
            committed()?;
        }
    }
    Ok(())
}
