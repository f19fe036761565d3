//! `baomi stats`, `baomi list REGISTER`, `baomi show ID`: read-only views of the registers.
//! Ids are `doc-N`, `copy-N`, `person-N`, `cabinet-N`, `user-N`; `list --json` gives them and
//! `show` (and later `print`) accepts them.

use std::path::Path;

use serde_json::{Value, json};

use super::CliError;
use super::secret_input::SecretInput;
use crate::domain::level::Level;
use crate::ledger::borrowing::{self, Which};
use crate::ledger::documents::{self, CopyId, Document, DocumentId};
use crate::ledger::printing::{self, PrintTarget, Printable};
use crate::ledger::search::{self, Query};
use crate::ledger::{Session, cabinets, people, stats, users};

fn open(dir: &Path, input: &mut SecretInput, acting: Option<&str>) -> Result<Session, CliError> {
    super::open_session(dir, input, acting)
}

fn print(value: &Value, json_out: bool, text: impl FnOnce() -> String) -> Result<(), CliError> {
    if json_out {
        out!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        )
    } else {
        let text = text();
        out!("{}", text.strip_suffix('\n').unwrap_or(&text))
    }
}

/// `stats [--json]`.
pub fn stats(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    json_out: bool,
) -> Result<(), CliError> {
    let s = open(dir, input, acting)?;
    let counts = stats::counts(&s)?;
    let value: Value = counts
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    drop(s.lock("cli"));
    print(&value, json_out, || {
        counts.iter().map(|(k, v)| format!("{k}\t{v}\n")).collect()
    })
}

/// `list REGISTER [--json]`.
pub fn list(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    register: &str,
    overdue: bool,
    json_out: bool,
) -> Result<(), CliError> {
    let s = open(dir, input, acting)?;
    let rows: Vec<Value> = match register {
        "borrows" => {
            let which = if overdue { Which::Overdue } else { Which::All };
            let cal = borrowing::calendar(&s)?;
            let today = s.today();
            borrowing::list(&s, which)?
                .iter()
                .map(|b| {
                    json!({"id": format!("borrow-{}", b.id.0), "form_no": b.form_no,
                           "copy": format!("copy-{}", b.copy.0), "title": b.title, "copy_no": b.copy_no,
                           "level": b.level.label_zh(), "borrower": b.borrower_name,
                           "department": b.borrower_department, "state": b.state.label_zh(),
                           "due_on": b.due_on.map(|d| d.to_string()),
                           "days_overdue": borrowing::overdue_days(&cal, b, today)})
                })
                .collect()
        }
        "documents" => documents::list(&s)?.iter().map(doc_json).collect(),
        "people" => people::list(&s)?
            .into_iter()
            .map(|p| {
                json!({"id": format!("person-{}", p.id.0), "name": p.name, "department": p.department,
                       "post": p.post, "phone": p.phone, "clearance": p.clearance.label_zh(),
                       "pledge_signed_on": p.pledge_signed_on.map(|d| d.to_string()), "active": p.active})
            })
            .collect(),
        "cabinets" => cabinets::list(&s)?
            .into_iter()
            .map(|c| {
                json!({"id": format!("cabinet-{}", c.id.0), "code": c.code, "location": c.location,
                       "max_level": c.max_level.label_zh(), "responsible": c.responsible_name,
                       "locked": c.locked})
            })
            .collect(),
        "users" => users::list(&s)?
            .into_iter()
            .map(|u| {
                json!({"id": format!("user-{}", u.id.0), "login": u.login, "name": u.name,
                       "role": u.role.label_zh(), "active": u.active})
            })
            .collect(),
        "backups" => crate::ledger::backups::list(&s)?
            .into_iter()
            .map(|b| {
                json!({"id": format!("backup-{}", b.id), "verified_at": b.at,
                       "created_at": b.created_at, "by": b.by, "file": b.file_name,
                       "folder": b.folder, "removable": b.removable, "bytes": b.bytes,
                       "sha256": b.sha256, "audit_seq": b.audit_seq, "audit_hash": b.audit_hash})
            })
            .collect(),
        other => match super::carriers::rows(&s, other)? {
            Some(rows) => rows,
            None => {
                drop(s.lock("cli"));
                return Err(CliError(format!(
                    "未知登记簿 {other}；可选：documents people cabinets users borrows backups \
                     destructions stocktakes incidents holds"
                )));
            }
        },
    };
    drop(s.lock("cli"));
    let value = Value::Array(rows.clone());
    print(&value, json_out, || table_text(&rows))
}

/// `show borrow-N`: a borrowing from request to return.
fn show_borrow(s: &Session, id: borrowing::BorrowId) -> Result<(), CliError> {
    let b = borrowing::get(s, id)?;
    out!("{}  {}  {}", b.form_no, b.state.label_zh(), b.marking)?;
    out!("{}（第 {} 份，copy-{}）", b.title, b.copy_no, b.copy.0)?;
    out!(
        "借阅人：{}（{}）  事由：{}",
        b.borrower_name,
        b.borrower_department,
        b.reason
    )?;
    let period = if b.requested_days == 0 {
        "当日".to_owned()
    } else {
        format!("{} 个工作日", b.requested_days)
    };
    out!(
        "期限：{period}  阅读地点：{}  应还：{}  续借：{} 次",
        if b.place.is_empty() { "—" } else { &b.place },
        b.due_on.map(|d| d.to_string()).unwrap_or("—".into()),
        b.renewals
    )?;
    if !b.approver_name.is_empty() {
        out!(
            "审批：{}（{}{}）{}",
            b.approver_name,
            b.approval_kind.as_deref().unwrap_or(""),
            if b.approval_ref.is_empty() {
                String::new()
            } else {
                format!(" {}", b.approval_ref)
            },
            b.decision_note
        )?;
    }
    if let Some(r) = &b.returned_at {
        out!(
            "{}：{}  页数{}  {}",
            if b.state == borrowing::BorrowState::Lost {
                "丢失"
            } else {
                "归还"
            },
            s.zone().time_text(r),
            if b.pages_complete == Some(true) {
                "齐全"
            } else {
                "不全"
            },
            b.return_note
        )?;
    }
    Ok(())
}

/// `due-date --level L --from DATE [--days N]`: the due date of a borrowing that starts on
/// `from`, by the vault's policy and calendar. Warns on stderr for a year the calendar lacks.
pub fn due_date(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    level: &str,
    from: &str,
    days: Option<u32>,
) -> Result<(), CliError> {
    let level = Level::from_code(level)
        .or_else(|| Level::ALL.into_iter().find(|l| l.label_zh() == level))
        .ok_or_else(|| CliError(format!("未知密级 {level}：可选 绝密 机密 秘密 内部敏感")))?;
    let parsed = if from.trim() == "today" {
        None
    } else {
        Some(
            chrono::NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d")
                .map_err(|_| CliError("--from 应写成 2026-03-01 的形式，或 today".into()))?,
        )
    };
    let s = open(dir, input, acting)?;
    // `today` is the office's date (its time zone is a setting of the ledger).
    let from = parsed.unwrap_or_else(|| s.today());
    let result = borrowing::policy(&s).and_then(|p| Ok((p, borrowing::calendar(&s)?)));
    drop(s.lock("cli"));
    let (policy, cal) = result?;
    let rule = policy.for_level(level);
    let days = days.unwrap_or(rule.max_working_days);
    if days > rule.max_working_days {
        return Err(CliError(format!(
            "{}文件借阅期限最长 {} 个工作日",
            level.label_zh(),
            rule.max_working_days
        )));
    }
    let due = cal.due_date(from, days);
    for y in &due.unknown_years {
        eprintln!("注意：工作日历中没有 {y} 年的放假安排，该年只按周末计算");
    }
    out!("{}", due.date)?;
    Ok(())
}

/// `print KIND ID (--out FILE | --printer)`: the same printing use case as the GUI's.
pub fn print_form(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    kind: &str,
    id: &str,
    target: &PrintTarget,
) -> Result<(), CliError> {
    let what = match kind {
        "borrow-form" => Printable::BorrowForm(borrowing::BorrowId(
            id.strip_prefix("borrow-")
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(|| CliError(format!("无法识别的编号 {id}：应为 borrow-N")))?,
        )),
        "labels" => Printable::Labels(DocumentId(
            id.strip_prefix("doc-")
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(|| CliError(format!("无法识别的编号 {id}：应为 doc-N")))?,
        )),
        "destruction-list" => {
            Printable::DestructionList(crate::ledger::destruction::DestructionId(
                id.strip_prefix("destruction-")
                    .and_then(|n| n.parse::<i64>().ok())
                    .ok_or_else(|| CliError(format!("无法识别的编号 {id}：应为 destruction-N")))?,
            ))
        }
        "stocktake-report" => Printable::StocktakeReport(crate::ledger::stocktake::StocktakeId(
            id.strip_prefix("stocktake-")
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(|| CliError(format!("无法识别的编号 {id}：应为 stocktake-N")))?,
        )),
        _ => {
            return Err(CliError(format!(
                "未知表单 {kind}；可选：borrow-form labels destruction-list stocktake-report"
            )));
        }
    };
    let mut s = open(dir, input, acting)?;
    let result = printing::print(&mut s, what, target);
    drop(s.lock("cli"));
    out!("{}", result?.summary)?;
    Ok(())
}

/// A register named on the command line, with the filters of `list`.
pub struct RegisterArgs<'a> {
    pub name: &'a str,
    pub overdue: bool,
    pub search: Option<&'a str>,
}

fn register_of(a: &RegisterArgs<'_>) -> Result<crate::ledger::reports::Register, CliError> {
    use crate::ledger::reports::Register;
    Ok(match a.name {
        "documents" => Register::Documents(crate::ledger::search::Query {
            text: a.search.unwrap_or("").to_owned(),
            ..Default::default()
        }),
        "borrows" => Register::Loans(if a.overdue {
            Which::Overdue
        } else {
            Which::All
        }),
        "people" => Register::People,
        "cabinets" => Register::Cabinets,
        "audit" => Register::Audit(Default::default()),
        other => match other
            .strip_prefix("cabinet-")
            .and_then(|n| n.parse::<i64>().ok())
        {
            Some(n) => Register::CabinetCopies(crate::ledger::cabinets::CabinetId(n)),
            None => {
                return Err(CliError(format!(
                    "未知登记表 {other}；可选：documents borrows people cabinets audit cabinet-N"
                )));
            }
        },
    })
}

/// `export REGISTER --format F --out FILE`.
pub fn export(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    args: &RegisterArgs<'_>,
    format: &str,
    out: &Path,
) -> Result<(), CliError> {
    use crate::ledger::export::{self, Format};
    let register = register_of(args)?;
    let format = Format::from_code(format)
        .ok_or_else(|| CliError(format!("未知格式 {format}；可选：xlsx csv pdf")))?;
    let mut s = open(dir, input, acting)?;
    let result = export::export(&mut s, &register, format, out);
    drop(s.lock("cli"));
    out!("{}", result?.summary)?;
    Ok(())
}

/// `print register REGISTER --out FILE|--printer`.
pub fn print_register(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    name: &str,
    target: &PrintTarget,
) -> Result<(), CliError> {
    let register = register_of(&RegisterArgs {
        name,
        overdue: false,
        search: None,
    })?;
    let mut s = open(dir, input, acting)?;
    let result = crate::ledger::export::print(&mut s, &register, target);
    drop(s.lock("cli"));
    out!("{}", result?.summary)?;
    Ok(())
}

/// A document as `list` and `search` print it.
fn doc_json(d: &Document) -> Value {
    json!({"id": format!("doc-{}", d.id.0), "direction": d.direction, "receipt_no": d.receipt_no,
           "doc_no": d.doc_no, "title": d.title, "issuing_unit": d.issuing_unit,
           "level": d.level.label_zh(), "marking": d.marking, "dated": d.dated, "pages": d.pages,
           "voided": d.voided})
}

/// Rows of objects as tab-separated lines.
fn table_text(rows: &[Value]) -> String {
    rows.iter()
        .map(|r| {
            let obj = r.as_object().expect("rows are objects");
            let cells: Vec<String> = obj
                .values()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Null => "—".into(),
                    other => other.to_string(),
                })
                .collect();
            format!("{}\n", cells.join("\t"))
        })
        .collect()
}

/// `search TEXT [--json] [--page N] [--per-page N]`: ranked matches, one page.
pub fn search(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    text: &str,
    page: usize,
    per_page: usize,
    json_out: bool,
) -> Result<(), CliError> {
    if per_page == 0 || page == 0 {
        return Err(CliError("--page 与 --per-page 须大于零".into()));
    }
    const MAX_PER_PAGE: usize = 10_000;
    if per_page > MAX_PER_PAGE {
        return Err(CliError(format!("--per-page 最大为 {MAX_PER_PAGE}")));
    }
    let Some(offset) = (page - 1)
        .checked_mul(per_page)
        .filter(|o| *o <= i64::MAX as usize)
    else {
        return Err(CliError("--page 太大".into()));
    };
    let s = open(dir, input, acting)?;
    let q = Query {
        text: text.to_owned(),
        ..Query::default()
    };
    let result = search::search(&s, &q, offset, per_page);
    drop(s.lock("cli"));
    let found = result?;
    let rows: Vec<Value> = found.rows.iter().map(doc_json).collect();
    let value = json!({"total": found.total, "page": page, "per_page": per_page, "rows": rows});
    print(&value, json_out, || {
        format!("共 {} 条，第 {page} 页\n{}", found.total, table_text(&rows))
    })?;
    Ok(())
}

/// `show ID`: a document with its copies, or a copy's full history.
pub fn show(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    id: &str,
) -> Result<(), CliError> {
    let parse = |prefix: &str| id.strip_prefix(prefix).and_then(|n| n.parse::<i64>().ok());
    let s = open(dir, input, acting)?;
    let result = if let Some(r) = super::carriers::show(&s, id) {
        r
    } else if let Some(n) = parse("doc-") {
        let d = documents::get(&s, DocumentId(n))?;
        out!(
            "{}  {}  {}",
            d.receipt_no.as_deref().unwrap_or(""),
            d.doc_no,
            d.marking
        )?;
        out!("{}", d.title)?;
        if d.voided {
            out!("已作废：{}", d.void_reason.as_deref().unwrap_or(""))?;
        }
        for c in documents::copies(&s, d.id)? {
            out!(
                "  copy-{}\t第 {} 份\t{}",
                c.id.0,
                c.copy_no,
                c.state.label_zh()
            )?;
        }
        for r in documents::revisions(&s, d.id)? {
            out!("修改 {}  {}", s.zone().time_text(&r.at), r.reason)?;
            for (col, old, new) in r.changes {
                out!(
                    "  {}：{} → {}",
                    documents::field_label_zh(&col),
                    old.unwrap_or_default(),
                    new.unwrap_or_default()
                )?;
            }
        }
        Ok(())
    } else if let Some(n) = parse("copy-") {
        for e in documents::copy_history(&s, CopyId(n))? {
            out!(
                "{}\t{} → {}\t{}\t{}",
                s.zone().time_text(&e.at),
                e.from.map(|f| f.label_zh()).unwrap_or("—"),
                e.to.label_zh(),
                e.place,
                e.note
            )?;
        }
        Ok(())
    } else if let Some(n) = parse("borrow-") {
        show_borrow(&s, borrowing::BorrowId(n))
    } else if let Some(n) = parse("person-") {
        people::get(&s, crate::ledger::people::PersonId(n))
            .map_err(CliError::from)
            .and_then(|p| {
                out!(
                    "{}  {}  {}  {}",
                    p.name,
                    p.department,
                    p.post,
                    p.clearance.label_zh()
                )?;
                out!(
                    "电话：{}  保密承诺书：{}  {}",
                    p.phone,
                    p.pledge_signed_on
                        .map(|d| d.to_string())
                        .unwrap_or("未签订".into()),
                    if p.active { "在岗" } else { "已离岗" }
                )
            })
    } else if let Some(n) = parse("cabinet-") {
        cabinets::get(&s, crate::ledger::cabinets::CabinetId(n))
            .map_err(CliError::from)
            .and_then(|c| {
                out!(
                    "{}  {}  最高密级：{}  负责人：{}  {}",
                    c.code,
                    c.location,
                    c.max_level.label_zh(),
                    c.responsible_name.as_deref().unwrap_or("—"),
                    if c.locked { "加锁" } else { "未加锁" }
                )
            })
    } else if let Some(n) = parse("user-") {
        users::list(&s).map_err(CliError::from).and_then(|all| {
            let u = all
                .into_iter()
                .find(|u| u.id.0 == n)
                .ok_or_else(|| CliError(format!("没有编号 {id} 的用户")))?;
            out!(
                "{}  {}（{}）  {}  {}",
                u.login,
                u.name,
                u.department,
                u.role.label_zh(),
                if u.active { "启用" } else { "已停用" }
            )?;
            Ok(())
        })
    } else {
        Err(CliError(format!(
            "无法识别的编号 {id}：应为 doc-N、copy-N、borrow-N、person-N、cabinet-N 或 user-N"
        )))
    };
    drop(s.lock("cli"));
    result
}
