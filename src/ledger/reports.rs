//! The registers as tables to hand to an inspector: the current filtered view of a list, with
//! Chinese headers, typed cells (text, date, number) and the most classified level it shows.
//! [`super::export`] writes one as `.xlsx`, CSV or an A4 landscape PDF; the screens and the CLI
//! build the same [`Register`] from their filters, so what is exported is what is shown.

use crate::domain::Permission;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::Serialize;

use super::borrowing::{self, Which};
use super::cabinets::{self, CabinetId};
use super::documents::{self, DocumentId};
use super::search::{self, Query};
use super::{LedgerError, Session, audit_log, people};
use crate::domain::copy_state::CopyState;
use crate::domain::level::Level;

/// Which list, with the filters of the screen or the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum Register {
    /// 文件台账: the documents the query finds, in its order.
    Documents(Query),
    /// 借阅: one tab (待审批, 借出中, 全部).
    Loans(Which),
    /// 人员.
    People,
    /// 专柜.
    Cabinets,
    /// The copies held in one cabinet now (清点).
    CabinetCopies(CabinetId),
    /// 审计日志 (the latest events that pass the filter, at most [`AUDIT_LIMIT`]).
    Audit(audit_log::AuditFilter),
}

/// The most events an audit-log export holds (the screen shows the same latest ones).
pub const AUDIT_LIMIT: i64 = 100_000;

impl Register {
    /// The register's name, for titles, file names and the audit trail.
    pub fn name(&self) -> &'static str {
        match self {
            Register::Documents(_) => "文件台账",
            Register::Loans(_) => "借阅登记",
            Register::People => "涉密人员登记",
            Register::Cabinets => "保密专柜登记",
            Register::CabinetCopies(_) => "专柜清点表",
            Register::Audit(_) => "审计日志",
        }
    }

    /// The register's name in English.
    pub fn name_en(&self) -> &'static str {
        match self {
            Register::Documents(_) => "document register",
            Register::Loans(_) => "borrowing register",
            Register::People => "people with classified duties",
            Register::Cabinets => "cabinets",
            Register::CabinetCopies(_) => "cabinet count sheet",
            Register::Audit(_) => "audit log",
        }
    }

    /// The stable code kept in the audit event.
    pub fn code(&self) -> &'static str {
        match self {
            Register::Documents(_) => "documents",
            Register::Loans(_) => "borrows",
            Register::People => "people",
            Register::Cabinets => "cabinets",
            Register::CabinetCopies(_) => "cabinet_copies",
            Register::Audit(_) => "audit",
        }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Cell {
    Text(String),
    /// A calendar date (a date cell in Excel).
    Date(NaiveDate),
    Number(i64),
    Empty,
}

impl Cell {
    /// The cell as text (CSV, PDF).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Date(d) => d.to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

fn text(t: impl Into<String>) -> Cell {
    Cell::Text(t.into())
}

fn date(t: Option<&str>) -> Cell {
    t.and_then(|t| NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").ok())
        .map_or(Cell::Empty, Cell::Date)
}

/// A column: its header and its width in characters (Excel) — the PDF shares the room in
/// proportion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
}

const fn col(header: &'static str, width: f64) -> Column {
    Column { header, width }
}

/// A register as a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// E.g. 文件台账.
    pub title: String,
    /// The filters in words ("" when none).
    pub filter: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// The most classified level among the rows (the export is marked with it).
    pub highest: Option<Level>,
}

/// Builds the table of `register` as the screen shows it.
pub fn build(s: &Session, register: &Register) -> Result<Report, LedgerError> {
    let mut highest: Option<Level> = None;
    let mut see = |l: Level| {
        if highest.is_none_or(|h| l < h) {
            highest = Some(l);
        }
    };
    let (columns, rows, filter) = match register {
        Register::Documents(q) => {
            let ids = search::search_ids(s, q)?;
            let counts = copy_counts(s)?;
            let mut rows = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(256) {
                for d in search::documents_by_id(s, chunk)? {
                    see(d.level);
                    let c = counts.get(&d.id).cloned().unwrap_or_default();
                    rows.push(vec![
                        text(d.receipt_no.clone().unwrap_or_default()),
                        text(&d.doc_no),
                        text(if d.voided {
                            format!("（已作废）{}", d.title)
                        } else {
                            d.title.clone()
                        }),
                        text(&d.marking),
                        text(&d.issuing_unit),
                        date(d.received_on.as_deref()),
                        date(Some(&d.dated)),
                        Cell::Number(c.total),
                        Cell::Number(c.in_cabinet),
                        Cell::Number(c.borrowed),
                        Cell::Number(c.sent_out),
                        text(c.cabinets),
                        text(match (d.direction.as_str(), d.out_step) {
                            (_, Some(step)) => format!("发文 · 已{}", step.label_zh()),
                            _ => "收文".to_owned(),
                        }),
                    ]);
                }
            }
            (
                vec![
                    col("收文编号", 16.0),
                    col("文号", 24.0),
                    col("标题", 40.0),
                    col("密级标志", 14.0),
                    col("来文单位", 20.0),
                    col("收文日期", 11.0),
                    col("成文日期", 11.0),
                    col("份数", 6.0),
                    col("在柜", 6.0),
                    col("借出", 6.0),
                    col("外发", 6.0),
                    col("专柜", 12.0),
                    col("收发·状态", 14.0),
                ],
                rows,
                query_words(q),
            )
        }
        Register::Loans(which) => {
            let cal = borrowing::calendar(s)?;
            let today = s.today();
            let mut rows = Vec::new();
            for b in borrowing::list(s, *which)? {
                see(b.level);
                let late = borrowing::overdue_days(&cal, &b, today);
                rows.push(vec![
                    text(&b.form_no),
                    text(&b.doc_no),
                    text(&b.title),
                    text(&b.marking),
                    Cell::Number(i64::from(b.copy_no)),
                    text(format!("{} {}", b.borrower_name, b.borrower_department).trim()),
                    text(&b.reason),
                    text(b.state.label_zh()),
                    text(&b.approver_name),
                    date(
                        b.out_at
                            .as_deref()
                            .map(|t| s.zone().time_text(t))
                            .as_deref(),
                    ),
                    b.due_on.map_or(Cell::Empty, Cell::Date),
                    date(
                        b.returned_at
                            .as_deref()
                            .map(|t| s.zone().time_text(t))
                            .as_deref(),
                    ),
                    if late > 0 {
                        Cell::Number(i64::from(late))
                    } else {
                        Cell::Empty
                    },
                ]);
            }
            (
                vec![
                    col("申请表编号", 16.0),
                    col("文号", 22.0),
                    col("标题", 36.0),
                    col("密级标志", 14.0),
                    col("份号", 6.0),
                    col("借阅人", 14.0),
                    col("事由", 20.0),
                    col("状态", 8.0),
                    col("审批人", 10.0),
                    col("借出日期", 11.0),
                    col("应还日期", 11.0),
                    col("归还日期", 11.0),
                    col("逾期工作日", 9.0),
                ],
                rows,
                match which {
                    Which::Pending => "待审批 · 待借出".to_owned(),
                    Which::Out => "借出中".to_owned(),
                    Which::Overdue => "逾期未还".to_owned(),
                    Which::All => String::new(),
                },
            )
        }
        Register::People => {
            let rows = people::list(s)?
                .into_iter()
                .map(|p| {
                    vec![
                        text(&p.name),
                        text(&p.department),
                        text(&p.post),
                        text(p.clearance.label_zh()),
                        p.pledge_signed_on.map_or(Cell::Empty, Cell::Date),
                        text(if p.active { "在岗" } else { "离岗" }),
                    ]
                })
                .collect();
            (
                vec![
                    col("姓名", 12.0),
                    col("部门", 16.0),
                    col("职务", 16.0),
                    col("涉密等级", 14.0),
                    col("承诺书签订日期", 14.0),
                    col("状态", 8.0),
                ],
                rows,
                String::new(),
            )
        }
        Register::Cabinets => {
            let counts = cabinet_counts(s)?;
            let rows = cabinets::list(s)?
                .into_iter()
                .map(|c| {
                    vec![
                        text(&c.code),
                        text(&c.location),
                        text(c.max_level.label_zh()),
                        text(c.responsible_name.clone().unwrap_or_default()),
                        text(if c.locked { "是" } else { "否" }),
                        Cell::Number(counts.get(&c.id).copied().unwrap_or(0)),
                        text(if c.retired { "停用" } else { "在用" }),
                    ]
                })
                .collect();
            (
                vec![
                    col("专柜编号", 12.0),
                    col("存放位置", 20.0),
                    col("最高密级", 10.0),
                    col("责任人", 12.0),
                    col("加锁", 6.0),
                    col("在柜份数", 9.0),
                    col("状态", 8.0),
                ],
                rows,
                String::new(),
            )
        }
        Register::CabinetCopies(id) => {
            let cabinet = cabinets::list(s)?
                .into_iter()
                .find(|c| c.id == *id)
                .ok_or_else(|| {
                    LedgerError::Invalid(crate::domain::Message::from(format!(
                        "没有编号 {} 的专柜",
                        id.0
                    )))
                })?;
            let mut stmt = s.conn().prepare_cached(
                "SELECT c.copy_no, d.id FROM copies c JOIN documents d ON d.id = c.document_id \
                 WHERE c.cabinet_id = ?1 AND c.state = ?2 ORDER BY d.id, c.copy_no",
            )?;
            let held: Vec<(i64, i64)> = stmt
                .query_map(rusqlite::params![id.0, CopyState::InCabinet.code()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut rows = Vec::with_capacity(held.len());
            for (copy_no, doc) in held {
                let d = documents::get(s, DocumentId(doc))?;
                see(d.level);
                rows.push(vec![
                    text(d.receipt_no.clone().unwrap_or_default()),
                    text(&d.doc_no),
                    text(&d.title),
                    text(&d.marking),
                    Cell::Number(copy_no),
                    text("□"),
                ]);
            }
            (
                vec![
                    col("收文编号", 16.0),
                    col("文号", 24.0),
                    col("标题", 44.0),
                    col("密级标志", 14.0),
                    col("份号", 6.0),
                    col("清点", 6.0),
                ],
                rows,
                format!("{} {}", cabinet.code, cabinet.location),
            )
        }
        Register::Audit(f) => {
            let zone = s.zone();
            let rows = audit_log::search(s, f, AUDIT_LIMIT)?
                .into_iter()
                .map(|e| {
                    vec![
                        Cell::Number(e.seq),
                        text(zone.time_text(&e.at)),
                        text(&e.login),
                        text(
                            super::AuditAction::from_code(&e.action)
                                .map_or(e.action.clone(), |a| a.label_zh().to_owned()),
                        ),
                        text(format!("{}-{}", e.entity, e.entity_id)),
                        text(&e.detail_json),
                    ]
                })
                .collect();
            (
                vec![
                    col("序号", 8.0),
                    col("时间", 20.0),
                    col("用户", 12.0),
                    col("操作", 16.0),
                    col("对象", 16.0),
                    col("详情", 60.0),
                ],
                rows,
                audit_words(f),
            )
        }
    };
    Ok(Report {
        title: register.name().to_owned(),
        filter,
        columns,
        rows,
        highest,
    })
}

/// Copies of a document by where they are, and the cabinets holding them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub total: i64,
    pub in_cabinet: i64,
    pub borrowed: i64,
    pub sent_out: i64,
    /// The codes of the cabinets holding its copies, comma-separated.
    pub cabinets: String,
}

const COUNTS: &str = "SELECT c.document_id, count(*), \
        sum(c.state = 'in_cabinet'), sum(c.state = 'borrowed'), sum(c.state = 'sent_out'), \
        coalesce(group_concat(DISTINCT k.code), '') \
 FROM copies c LEFT JOIN cabinets k ON k.id = c.cabinet_id AND c.state = 'in_cabinet'";

/// The counts of the documents `ids` (a page of the register on screen).
pub fn copy_counts_for(
    s: &Session,
    ids: &[DocumentId],
) -> Result<std::collections::HashMap<DocumentId, Counts>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare_cached(&format!(
        "{COUNTS} WHERE c.document_id = ?1 GROUP BY c.document_id"
    ))?;
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for id in ids {
        let row = stmt.query_row([id.0], counts_row).optional()?;
        if let Some((id, c)) = row {
            out.insert(id, c);
        }
    }
    Ok(out)
}

fn counts_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(DocumentId, Counts)> {
    Ok((
        DocumentId(r.get(0)?),
        Counts {
            total: r.get(1)?,
            in_cabinet: r.get(2)?,
            borrowed: r.get(3)?,
            sent_out: r.get(4)?,
            cabinets: r.get(5)?,
        },
    ))
}

fn copy_counts(s: &Session) -> Result<std::collections::HashMap<DocumentId, Counts>, LedgerError> {
    let mut stmt = s
        .conn()
        .prepare_cached(&format!("{COUNTS} GROUP BY c.document_id"))?;
    let rows = stmt.query_map([], counts_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn cabinet_counts(s: &Session) -> Result<std::collections::HashMap<CabinetId, i64>, LedgerError> {
    let mut stmt = s.conn().prepare_cached(
        "SELECT cabinet_id, count(*) FROM copies WHERE state = 'in_cabinet' \
         AND cabinet_id IS NOT NULL GROUP BY cabinet_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((CabinetId(r.get(0)?), r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The document query in words, for the export's title block.
fn query_words(q: &Query) -> String {
    let mut parts = Vec::new();
    if !q.text.trim().is_empty() {
        parts.push(format!("搜索“{}”", q.text.trim()));
    }
    let f = format!("{:?}", q.filters);
    if f != format!("{:?}", search::Filters::default()) {
        parts.push("已按条件筛选".to_owned());
    }
    parts.join("，")
}

fn audit_words(f: &audit_log::AuditFilter) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &f.action {
        parts.push(format!(
            "操作：{}",
            super::AuditAction::from_code(a).map_or(a.as_str(), |x| x.label_zh())
        ));
    }
    if let Some(l) = &f.login {
        parts.push(format!("用户：{l}"));
    }
    if let Some(d) = f.from {
        parts.push(format!("自 {d}"));
    }
    if let Some(d) = f.to {
        parts.push(format!("至 {d}"));
    }
    if !f.text.trim().is_empty() {
        parts.push(format!("包含“{}”", f.text.trim()));
    }
    parts.join("，")
}
