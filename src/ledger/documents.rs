//! The document ledger (台账): incoming registration (收文登记, R3.1.1) with receipt numbers
//! that have no gaps and no duplicates, numbered copies (份号), and the custody of every copy.

use crate::domain::Permission;
use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::json;

use super::cabinets::CabinetId;
use super::people::PersonId;
use super::{AuditAction, Event, LedgerError, Session, Write, code_col, custody, opt_code_col};
use crate::domain::copy_state::CopyState;
use crate::domain::level::{Category, Level};
use crate::domain::marking::{SecrecyPeriod, marking};
use crate::domain::numbering::{DEFAULT_RECEIPT_PATTERN, format_number};
use crate::domain::outgoing::OutgoingStep;

/// A document's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DocumentId(pub i64);

/// A copy's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CopyId(pub i64);

/// Most copies one registration may create.
pub const MAX_COPIES: u32 = 999;

/// The 收文登记 form.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingInput {
    /// 收文日期.
    pub received_on: NaiveDate,
    /// 签收人 (R3.1.1: a designated person signs for it).
    pub signed_for_by: PersonId,
    /// 来文单位.
    pub issuing_unit: String,
    /// The original 文号.
    pub doc_no: String,
    /// 标题.
    pub title: String,
    /// R2.1 category.
    pub category: Category,
    /// R2.2 level.
    pub level: Level,
    /// Secrecy period.
    pub period: SecrecyPeriod,
    /// 成文日期.
    pub dated: NaiveDate,
    /// 页数.
    pub pages: u32,
    /// 附件数.
    pub attachments: u32,
    /// The copy numbers (份号) received, e.g. 1, 2, 3 or 5, 6.
    pub copy_numbers: Vec<u32>,
    /// Where the copies go (R3.1.1 stored by level).
    pub cabinet: CabinetId,
    /// 知悉范围.
    pub readers: String,
    /// 备注.
    pub remarks: String,
}

/// A registered document, as the ledger shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub id: DocumentId,
    /// `incoming` (收文) or `outgoing` (发文).
    pub direction: String,
    /// 收文编号 (incoming only).
    pub receipt_no: Option<String>,
    /// 文号: the original one (incoming) or the one assigned at 编号 (outgoing).
    pub doc_no: String,
    pub title: String,
    pub issuing_unit: String,
    pub category: Category,
    pub level: Level,
    pub period: SecrecyPeriod,
    /// The marking text, e.g. `机密★10年`.
    pub marking: String,
    /// 成文日期.
    pub dated: String,
    /// 收文日期.
    pub received_on: Option<String>,
    /// 签收人.
    pub signed_for_by: Option<PersonId>,
    pub pages: u32,
    pub attachments: u32,
    /// 知悉范围.
    pub readers: String,
    pub remarks: String,
    pub voided: bool,
    pub void_reason: Option<String>,
    /// The last step of the outgoing flow done (outgoing only).
    pub out_step: Option<OutgoingStep>,
    /// 拟稿人 (outgoing only).
    pub drafter: Option<PersonId>,
    /// 解密日期, once the declassification review declassified it (YYYY-MM-DD).
    pub declassified_on: Option<String>,
    /// 冻结: a hold is open on the document or one of its copies.
    pub held: bool,
    /// Every copy destroyed (the registration stays for ever).
    pub all_destroyed: bool,
}

/// A copy and where it is now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Copy {
    pub id: CopyId,
    pub document: DocumentId,
    /// 份号.
    pub copy_no: u32,
    pub state: CopyState,
    pub cabinet: Option<CabinetId>,
    pub holder: Option<PersonId>,
    pub place: String,
}

/// One step of a copy's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyEvent {
    pub at: String,
    pub from: Option<CopyState>,
    pub to: CopyState,
    pub cabinet: Option<CabinetId>,
    pub holder: Option<PersonId>,
    pub place: String,
    pub note: String,
}

/// Takes the next number of the sequence `name` for `year` inside `tx`. Committed with the row
/// that uses it, or rolled back with it: no gaps, no duplicates, also after a crash.
pub(crate) fn next_seq(tx: &Transaction<'_>, name: &str, year: i32) -> Result<u32, LedgerError> {
    Ok(tx.query_row(
        "INSERT INTO sequences (name, year, last) VALUES (?1, ?2, 1) \
         ON CONFLICT (name, year) DO UPDATE SET last = last + 1 RETURNING last",
        params![name, year],
        |r| r.get(0),
    )?)
}

/// The checks every registration and every edit passes (R2.2 period against the level).
pub(crate) struct Described<'a> {
    pub title: &'a str,
    pub pages: u32,
    pub dated: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub level: Level,
    pub period: &'a SecrecyPeriod,
}

pub(crate) fn validate_described(d: &Described<'_>, today: NaiveDate) -> Result<(), LedgerError> {
    let bad = |m: (&str, &str)| Err(LedgerError::Invalid(m.into()));
    if d.title.trim().is_empty() {
        return bad(("请填写文件标题", "Write the title"));
    }
    if d.title.trim().chars().count() > 200 {
        return bad((
            "标题不能超过 200 个字",
            "A title has at most 200 characters",
        ));
    }
    if d.pages == 0 {
        return bad(("页数须大于零", "The pages must be more than zero"));
    }
    if let Some(received_on) = d.received_on {
        if received_on > today {
            return bad((
                "收文日期不能晚于今天",
                "The received date cannot be after today",
            ));
        }
        if d.dated > received_on {
            return bad((
                "成文日期不能晚于收文日期",
                "The document's date cannot be after the day it was received",
            ));
        }
    } else if d.dated > today {
        return bad((
            "成文日期不能晚于今天",
            "The document's date cannot be after today",
        ));
    }
    d.period
        .validate(d.level, d.dated)
        .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))
}

fn validate(input: &IncomingInput, today: NaiveDate) -> Result<(), LedgerError> {
    let bad = |m: (&str, &str)| Err(LedgerError::Invalid(m.into()));
    validate_described(
        &Described {
            title: &input.title,
            pages: input.pages,
            dated: input.dated,
            received_on: Some(input.received_on),
            level: input.level,
            period: &input.period,
        },
        today,
    )?;
    if input.copy_numbers.is_empty() {
        return bad((
            "请填写份号（至少一份）",
            "Write the copy numbers (at least one)",
        ));
    }
    if input.copy_numbers.len() > MAX_COPIES as usize {
        return bad(("一次登记不能超过 999 份", "At most 999 copies at a time"));
    }
    let mut sorted = input.copy_numbers.clone();
    sorted.sort_unstable();
    if sorted[0] == 0 {
        return bad(("份号从 1 开始", "Copy numbers start at 1"));
    }
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return bad(("份号不能重复", "A copy number is written twice"));
    }
    Ok(())
}

/// Writes one registration inside `tx`: number, document, copies, custody rows; returns the
/// document and its audit event.
fn insert_incoming(
    w: &Write<'_>,
    unit: &str,
    input: &IncomingInput,
) -> Result<(DocumentId, Event), LedgerError> {
    validate(input, w.today)?;
    let tx = w.tx;
    let now = w.now;
    let year = input.received_on.year();
    let seq = next_seq(tx, "receipt", year)?;
    let receipt_no = format_number(DEFAULT_RECEIPT_PATTERN, unit, year, seq);
    let (kind, value) = input.period.to_parts();
    tx.prepare_cached(
        "INSERT INTO documents (direction, receipt_no, doc_no, title, issuing_unit, category, level, \
         period_kind, period_value, dated, received_on, signed_for_by, pages, attachments, readers, \
         remarks, created_at) VALUES ('incoming', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
         ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        receipt_no,
        input.doc_no.trim(),
        input.title.trim(),
        input.issuing_unit.trim(),
        input.category.code(),
        input.level.code(),
        kind,
        value,
        input.dated.to_string(),
        input.received_on.to_string(),
        input.signed_for_by.0,
        input.pages,
        input.attachments,
        input.readers.trim(),
        input.remarks.trim(),
        now.to_rfc3339()
    ])?;
    let doc = DocumentId(tx.last_insert_rowid());
    let mut numbers = input.copy_numbers.clone();
    numbers.sort_unstable();
    for &n in &numbers {
        custody::intake(w, doc, n, input.cabinet, "收文登记入柜")?;
    }
    let event = Event::new(
        AuditAction::DocumentRegister,
        doc.0,
        json!({
            "receipt_no": receipt_no, "doc_no": input.doc_no.trim(), "title": input.title.trim(),
            "level": input.level.code(), "marking": marking(input.level, &input.period),
            "copies": numbers, "cabinet_id": input.cabinet.0,
        }),
    );
    Ok((doc, event))
}

/// 收文登记 (R3.1.1): registers an incoming document and its copies into a cabinet fit for the
/// level, under the next receipt number of the year. Custodian only; one transaction, audited.
pub fn register_incoming(
    s: &mut Session,
    input: &IncomingInput,
) -> Result<DocumentId, LedgerError> {
    s.require("收文登记", Permission::RegisterDocuments)?;
    let unit = super::settings::unit_name(s)?;
    s.write(|w| {
        custody::fit_cabinet(w.tx, input.cabinet, input.level)?;
        insert_incoming(w, &unit, input)
    })
}

/// Registers several documents in one transaction (each with its own audit event): all or none.
pub fn register_incoming_batch(
    s: &mut Session,
    inputs: &[IncomingInput],
) -> Result<Vec<DocumentId>, LedgerError> {
    s.require("收文登记", Permission::RegisterDocuments)?;
    let unit = super::settings::unit_name(s)?;
    s.write_many(|w| {
        // Each (cabinet, level) pair is checked once, not once per document.
        let mut checked = std::collections::HashSet::new();
        for input in inputs {
            if checked.insert((input.cabinet, input.level)) {
                custody::fit_cabinet(w.tx, input.cabinet, input.level)?;
            }
        }
        let mut ids = Vec::with_capacity(inputs.len());
        let mut events = Vec::with_capacity(inputs.len());
        for input in inputs {
            let (id, ev) = insert_incoming(w, &unit, input)?;
            ids.push(id);
            events.push(ev);
        }
        Ok((ids, events))
    })
}

/// The fields of a registration that may be corrected afterwards (修改登记). Copies and their
/// custody change only through custody events, never by editing.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentEdit {
    pub title: String,
    /// The original 文号 (incoming only; an outgoing 文号 comes from its numbering step).
    pub doc_no: String,
    pub issuing_unit: String,
    pub category: Category,
    pub level: Level,
    pub period: SecrecyPeriod,
    pub dated: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub signed_for_by: Option<PersonId>,
    pub pages: u32,
    pub attachments: u32,
    pub readers: String,
    pub remarks: String,
}

impl DocumentEdit {
    /// The document's current values, to start an edit from.
    pub fn from_document(d: &Document) -> DocumentEdit {
        let date = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap_or_default();
        DocumentEdit {
            title: d.title.clone(),
            doc_no: d.doc_no.clone(),
            issuing_unit: d.issuing_unit.clone(),
            category: d.category,
            level: d.level,
            period: d.period.clone(),
            dated: date(&d.dated),
            received_on: d.received_on.as_deref().map(date),
            signed_for_by: d.signed_for_by,
            pages: d.pages,
            attachments: d.attachments,
            readers: d.readers.clone(),
            remarks: d.remarks.clone(),
        }
    }

    /// Each field as (column, stored text), for comparing and writing.
    fn columns(&self) -> Vec<(&'static str, Option<String>)> {
        let (kind, value) = self.period.to_parts();
        vec![
            ("title", Some(self.title.trim().to_owned())),
            ("doc_no", Some(self.doc_no.trim().to_owned())),
            ("issuing_unit", Some(self.issuing_unit.trim().to_owned())),
            ("category", Some(self.category.code().to_owned())),
            ("level", Some(self.level.code().to_owned())),
            ("period_kind", Some(kind.to_owned())),
            ("period_value", Some(value)),
            ("dated", Some(self.dated.to_string())),
            ("received_on", self.received_on.map(|d| d.to_string())),
            ("signed_for_by", self.signed_for_by.map(|p| p.0.to_string())),
            ("pages", Some(self.pages.to_string())),
            ("attachments", Some(self.attachments.to_string())),
            ("readers", Some(self.readers.trim().to_owned())),
            ("remarks", Some(self.remarks.trim().to_owned())),
        ]
    }
}

/// The Chinese name of an editable column, for the edit history.
pub fn field_label_zh(column: &str) -> &'static str {
    match column {
        "title" => "标题",
        "doc_no" => "文号",
        "issuing_unit" => "来文单位",
        "category" => "类别",
        "level" => "密级",
        "period_kind" => "保密期限类型",
        "period_value" => "保密期限",
        "dated" => "成文日期",
        "received_on" => "收文日期",
        "signed_for_by" => "签收人",
        "pages" => "页数",
        "attachments" => "附件数",
        "readers" => "知悉范围",
        "remarks" => "备注",
        _ => "其他",
    }
}

/// The English name of a registration field (the edit history in the English interface).
pub fn field_label_en(column: &str) -> &'static str {
    match column {
        "title" => "title",
        "doc_no" => "doc no.",
        "issuing_unit" => "from",
        "category" => "category",
        "level" => "level",
        "period_kind" => "kind of period",
        "period_value" => "secrecy period",
        "dated" => "dated",
        "received_on" => "received on",
        "signed_for_by" => "signed for by",
        "pages" => "pages",
        "attachments" => "attachments",
        "readers" => "who may read",
        "remarks" => "remarks",
        _ => "other",
    }
}

/// One saved edit of a registration: who, when, why, and each field's old and new value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub at: String,
    pub user_id: i64,
    pub reason: String,
    /// (column, old, new).
    pub changes: Vec<(String, Option<String>, Option<String>)>,
}

/// 修改登记: corrects a registration, keeping every old value in its history (no silent
/// overwrite). Refused for a voided entry, without a reason, when nothing changed, and when a
/// new level would leave a copy in a cabinet not designated for it (R3.1.1).
pub fn edit(
    s: &mut Session,
    id: DocumentId,
    new: &DocumentEdit,
    reason: &str,
) -> Result<(), LedgerError> {
    s.require("修改登记", Permission::RegisterDocuments)?;
    if reason.trim().is_empty() {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "请填写修改原因",
            "Write the reason for the change",
        )));
    }
    let current = get(s, id)?;
    if current.voided {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "已作废的登记不能修改",
            "A voided registration cannot be edited",
        )));
    }
    validate_described(
        &Described {
            title: &new.title,
            pages: new.pages,
            dated: new.dated,
            received_on: new.received_on,
            level: new.level,
            period: &new.period,
        },
        s.today(),
    )?;
    let outgoing_numbered = current
        .out_step
        .is_some_and(|st| st >= OutgoingStep::Numbered);
    if outgoing_numbered && new.doc_no.trim() != current.doc_no {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "发文文号由编号步骤生成，不能修改",
            "An outgoing number comes from the numbering step and cannot be edited",
        )));
    }
    if current.all_destroyed {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "该文件的全部份号已销毁，登记永久保留，不能再修改",
            "Every copy of this document is destroyed: its registration is kept as it is",
        )));
    }
    let old = DocumentEdit::from_document(&current).columns();
    let changes: Vec<_> = old
        .into_iter()
        .zip(new.columns())
        .filter(|(a, b)| a.1 != b.1)
        .map(|((col, a), (_, b))| (col, a, b))
        .collect();
    if changes.is_empty() {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "没有修改任何内容",
            "Nothing was changed",
        )));
    }
    let changes_json = serde_json::Value::Object(
        changes
            .iter()
            .map(|(col, a, b)| ((*col).to_owned(), json!([a, b])))
            .collect(),
    );
    // The date matters to the period too: its end moves with it (R2.2).
    let secrecy_changed = changes
        .iter()
        .any(|(col, _, _)| matches!(*col, "level" | "period_kind" | "period_value" | "dated"));
    let plain: Vec<_> = changes
        .iter()
        .filter(|(col, _, _)| !matches!(*col, "level" | "period_kind" | "period_value"))
        .cloned()
        .collect();
    let editor = s.user().name.clone();
    s.write(|w| {
        let tx = w.tx;
        let changes = &plain;
        let sets = changes
            .iter()
            .enumerate()
            .map(|(i, (col, _, _))| format!("{col} = ?{}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let mut values: Vec<rusqlite::types::Value> = vec![id.0.into()];
        for (col, _, b) in changes {
            values.push(match (b, *col) {
                (None, _) => rusqlite::types::Value::Null,
                (Some(v), "signed_for_by" | "pages" | "attachments") => v
                    .parse::<i64>()
                    .map_err(|_| LedgerError::Invalid(crate::domain::Message::from(v.clone())))?
                    .into(),
                (Some(v), _) => v.clone().into(),
            });
        }
        if !changes.is_empty() {
            tx.execute(
                &format!("UPDATE documents SET {sets} WHERE id = ?1"),
                rusqlite::params_from_iter(values),
            )?;
        }
        // The level and period change only through the one path of the declassification
        // review, as a correction (after the other fields, so a corrected date counts): the
        // copies are checked against the new level there.
        if secrecy_changed {
            super::secrecy::apply(
                w,
                id,
                &super::secrecy::Decision {
                    kind: crate::domain::secrecy::DecisionKind::Correction,
                    level: new.level,
                    period: new.period.clone(),
                    decided_on: w.today,
                    decided_by: editor.clone(),
                    authority: "修改登记".to_owned(),
                    reason: reason.trim().to_owned(),
                    move_to: None,
                },
            )?;
        }

        tx.execute(
            "INSERT INTO document_revisions (document_id, at, user_id, changes, reason) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id.0,
                w.at(),
                w.user.0,
                changes_json.to_string(),
                reason.trim()
            ],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::DocumentEdit,
                id.0,
                json!({ "changes": changes_json, "reason": reason.trim() }),
            ),
        ))
    })
}

/// The edit history of a registration, oldest first.
pub fn revisions(s: &Session, id: DocumentId) -> Result<Vec<Revision>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(
        "SELECT at, user_id, reason, changes FROM document_revisions WHERE document_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (at, user_id, reason, changes) = row?;
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&changes)
            .map_err(|e| {
                LedgerError::Invalid(crate::domain::Message::from(format!(
                    "修改记录无法读取：{e}"
                )))
            })?;
        let as_text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        out.push(Revision {
            at,
            user_id,
            reason,
            changes: map
                .iter()
                .map(|(k, v)| (k.clone(), as_text(&v[0]), as_text(&v[1])))
                .collect(),
        });
    }
    Ok(out)
}

/// Voids a wrong entry with a reason; it stays visible, marked void, with its history.
pub fn void(s: &mut Session, id: DocumentId, reason: &str) -> Result<(), LedgerError> {
    s.require("作废登记", Permission::RegisterDocuments)?;
    if reason.trim().is_empty() {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "请填写作废原因",
            "Write the reason for voiding",
        )));
    }
    s.write(|w| {
        // Inside the transaction: a destruction cannot slip in between.
        let destroyed: bool = w.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM copies WHERE document_id = ?1 AND state = 'destroyed')",
            [id.0],
            |r| r.get(0),
        )?;
        if destroyed {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                "该文件已有份号经销毁清单销毁，登记须永久保留，不能作废",
                "Copies of this document were destroyed on a destruction list: its registration is kept for ever and cannot be voided",
            )));
        }
        let listed: Option<String> = rusqlite::OptionalExtension::optional(w.tx.query_row(
            "SELECT x.list_no FROM destruction_items i JOIN destructions x ON x.id = i.destruction_id \
             JOIN copies c ON c.id = i.copy_id WHERE c.document_id = ?1 AND i.removed_at IS NULL \
             AND x.state IN ('draft', 'approved') LIMIT 1",
            [id.0],
            |r| r.get(0),
        ))?;
        if let Some(list) = listed {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                format!("该文件有份号列在{list}中：请先移出清单或撤销清单，再作废登记"),
                format!("Copies of this document are on {list}: take them off or cancel the list first"),
            )));
        }
        let changed = w.tx.execute(
            "UPDATE documents SET voided_at = ?2, void_reason = ?3 WHERE id = ?1 AND voided_at IS NULL",
            params![id.0, w.at(), reason.trim()],
        )?;
        if changed == 0 {
            return Err(LedgerError::Invalid(crate::domain::Message::new("该登记不存在或已作废", "This registration does not exist or is voided")));
        }
        Ok((
            (),
            Event::new(
                AuditAction::DocumentVoid,
                id.0,
                json!({ "reason": reason.trim() }),
            ),
        ))
    })
}

pub(crate) const SELECT_DOC: &str = "SELECT id, direction, receipt_no, doc_no, title, issuing_unit, category, \
     level, period_kind, period_value, dated, received_on, signed_for_by, pages, attachments, readers, \
     remarks, voided_at IS NOT NULL, void_reason, out_step, drafter_person_id, declassified_on, \
     EXISTS (SELECT 1 FROM holds h WHERE h.lifted_at IS NULL AND (h.document_id = documents.id \
        OR h.copy_id IN (SELECT c.id FROM copies c WHERE c.document_id = documents.id))), \
     EXISTS (SELECT 1 FROM copies c WHERE c.document_id = documents.id) \
        AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.document_id = documents.id \
                        AND c.state <> 'destroyed') \
     FROM documents";

pub(crate) fn doc_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Document> {
    let level = code_col(r, 7, Level::from_code)?;
    let value: String = r.get(9)?;
    let period = code_col(r, 8, |kind| SecrecyPeriod::from_parts(kind, &value))?;
    Ok(Document {
        id: DocumentId(r.get(0)?),
        direction: r.get(1)?,
        receipt_no: r.get(2)?,
        doc_no: r.get(3)?,
        title: r.get(4)?,
        issuing_unit: r.get(5)?,
        category: code_col(r, 6, Category::from_code)?,
        level,
        marking: {
            let m = marking(level, &period);
            match r.get::<_, Option<String>>(21)? {
                Some(_) => format!("已解密（原{m}）"),
                None => m,
            }
        },
        period,
        dated: r.get(10)?,
        received_on: r.get(11)?,
        signed_for_by: r.get::<_, Option<i64>>(12)?.map(PersonId),
        pages: r.get(13)?,
        attachments: r.get(14)?,
        readers: r.get(15)?,
        remarks: r.get(16)?,
        voided: r.get(17)?,
        void_reason: r.get(18)?,
        out_step: opt_code_col(r, 19, OutgoingStep::from_code)?,
        drafter: r.get::<_, Option<i64>>(20)?.map(PersonId),
        declassified_on: r.get(21)?,
        held: r.get(22)?,
        all_destroyed: r.get(23)?,
    })
}

/// One document.
pub fn get(s: &Session, id: DocumentId) -> Result<Document, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    s.conn()
        .query_row(&format!("{SELECT_DOC} WHERE id = ?1"), [id.0], doc_from_row)
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(crate::domain::Message::from(format!(
                "台账中没有编号 {} 的文件",
                id.0
            )))
        })
}

/// Every document, newest first.
pub fn list(s: &Session) -> Result<Vec<Document>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s
        .conn()
        .prepare(&format!("{SELECT_DOC} ORDER BY id DESC"))?;
    let rows = stmt.query_map([], doc_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The years the ledger holds (received, or dated for outgoing documents), newest first.
pub fn years(s: &Session) -> Result<Vec<i32>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare_cached(
        "SELECT DISTINCT CAST(substr(coalesce(received_on, dated), 1, 4) AS INTEGER) AS y \
         FROM documents ORDER BY y DESC",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The document a copy belongs to.
pub fn document_of_copy(s: &Session, copy: CopyId) -> Result<Document, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let id: Option<i64> = s
        .conn()
        .query_row(
            "SELECT document_id FROM copies WHERE id = ?1",
            [copy.0],
            |r| r.get(0),
        )
        .optional()?;
    get(
        s,
        DocumentId(id.ok_or_else(|| {
            LedgerError::Invalid(crate::domain::Message::from(format!(
                "没有编号为 copy-{} 的份号",
                copy.0
            )))
        })?),
    )
}

/// The copies of a document, by 份号.
pub fn copies(s: &Session, id: DocumentId) -> Result<Vec<Copy>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(
        "SELECT id, document_id, copy_no, state, cabinet_id, holder_person_id, place FROM copies \
         WHERE document_id = ?1 ORDER BY copy_no",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok(Copy {
            id: CopyId(r.get(0)?),
            document: DocumentId(r.get(1)?),
            copy_no: r.get(2)?,
            state: code_col(r, 3, CopyState::from_code)?,
            cabinet: r.get::<_, Option<i64>>(4)?.map(CabinetId),
            holder: r.get::<_, Option<i64>>(5)?.map(PersonId),
            place: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// A copy's full history, oldest first ("where has copy 3 been?").
pub fn copy_history(s: &Session, id: CopyId) -> Result<Vec<CopyEvent>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let exists: Option<i64> = s
        .conn()
        .query_row("SELECT id FROM copies WHERE id = ?1", [id.0], |r| r.get(0))
        .optional()?;
    if exists.is_none() {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!("没有编号为 copy-{} 的份号", id.0),
            format!("There is no copy copy-{}", id.0),
        )));
    }
    let mut stmt = s.conn().prepare(
        "SELECT at, from_state, to_state, cabinet_id, holder_person_id, place, note FROM copy_events \
         WHERE copy_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok(CopyEvent {
            at: r.get(0)?,
            from: opt_code_col(r, 1, CopyState::from_code)?,
            to: code_col(r, 2, CopyState::from_code)?,
            cabinet: r.get::<_, Option<i64>>(3)?.map(CabinetId),
            holder: r.get::<_, Option<i64>>(4)?.map(PersonId),
            place: r.get(5)?,
            note: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Receipt numbers and 文号: four writers racing on one database file (each its own
    /// connection, as two processes would be) take 225 numbers; none is given twice, none is
    /// skipped, and rolled-back attempts give theirs back.
    #[test]
    fn sequence_numbers_have_no_gaps_or_duplicates_under_concurrent_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seq.db");
        let setup = rusqlite::Connection::open(&path).unwrap();
        setup
            .execute_batch(
                "PRAGMA journal_mode = WAL; \
                 CREATE TABLE sequences (name TEXT NOT NULL, year INTEGER NOT NULL, \
                 last INTEGER NOT NULL, PRIMARY KEY (name, year));",
            )
            .unwrap();
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut conn = rusqlite::Connection::open(&path).unwrap();
                    conn.busy_timeout(std::time::Duration::from_secs(30))
                        .unwrap();
                    let mut got = Vec::new();
                    for i in 0..60 {
                        let tx = conn
                            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                            .unwrap();
                        let n = next_seq(&tx, "receipt", 2026).unwrap();
                        // Every fourth attempt of one writer fails after taking its number.
                        if t == 0 && i % 4 == 3 {
                            drop(tx);
                            continue;
                        }
                        tx.commit().unwrap();
                        got.push(n);
                    }
                    got
                })
            })
            .collect();
        let mut all: Vec<u32> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort_unstable();
        let expected: Vec<u32> = (1..=all.len() as u32).collect();
        assert_eq!(all.len(), 4 * 60 - 15);
        assert_eq!(all, expected, "no gap, no duplicate");
    }
}
