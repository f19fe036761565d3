//! Printing: one use case for every printed form or list, the same for the GUI and the CLI.
//! [`print`] builds the PDF in memory, hands it to its destination (the printer through CUPS,
//! or a file written atomically and privately), and only after the destination accepted it
//! appends the audit event that says it was printed, where, and how many pages. A print that
//! fails leaves no event claiming it happened. The printer gets the PDF on its standard input;
//! a file is written beside its final name (private, created exclusively), synced and renamed,
//! so no copy of the form lands anywhere the custodian did not choose.

use crate::domain::Permission;
use std::path::PathBuf;

use serde_json::json;

use super::borrowing::{self, BorrowId};
use super::documents::{self, DocumentId};
use super::{AuditAction, Event, LedgerError, Session, settings};

/// What to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printable {
    /// The QR labels of a document's copies still held (24 a page).
    Labels(DocumentId),
    /// 《文件借阅申请表》 (R3.1.3).
    BorrowForm(BorrowId),
    /// 《涉密载体销毁清单》 (R3.2.4), before or after execution.
    DestructionList(super::destruction::DestructionId),
    /// 《涉密载体清查报告》 (R4.1).
    StocktakeReport(super::stocktake::StocktakeId),
}

/// Where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintTarget {
    /// The default printer (CUPS `lp`, fed on standard input).
    Printer,
    /// A PDF file (written to a temporary name beside it, synced, renamed; mode 0600).
    File(PathBuf),
}

impl PrintTarget {
    /// How the audit event and the messages name it.
    pub fn describe(&self) -> String {
        match self {
            PrintTarget::Printer => "打印机".to_owned(),
            PrintTarget::File(p) => p.display().to_string(),
        }
    }
}

/// A print the destination accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// A line for the screen or the terminal: where it went, how many pages and items.
    pub summary: crate::domain::Message,
    pub pages: usize,
}

/// A form built and ready for its destination.
struct Built {
    pdf: Vec<u8>,
    pages: usize,
    action: AuditAction,
    entity_id: i64,
    detail: serde_json::Value,
    what: String,
}

/// Prints `what` to `to`; the print is audited only once the destination accepted it.
pub fn print(s: &mut Session, what: Printable, to: &PrintTarget) -> Result<Printed, LedgerError> {
    let built = match what {
        Printable::Labels(id) => {
            s.require("打印份号标签", Permission::PrintForms)?;
            labels(s, id)?
        }
        Printable::BorrowForm(id) => {
            s.require("打印借阅申请表", Permission::PrintForms)?;
            borrow_form(s, id)?
        }
        Printable::DestructionList(id) => {
            s.require("打印销毁清单", Permission::PrintReports)?;
            destruction_list(s, id)?
        }
        Printable::StocktakeReport(id) => {
            s.require("打印清查报告", Permission::PrintReports)?;
            stocktake_report(s, id)?
        }
    };
    deliver(s, &built.pdf, to)?;
    let target = to.describe();
    let mut detail = built.detail;
    detail["target"] = json!(target);
    detail["pages"] = json!(built.pages);
    s.write(|_| Ok(((), Event::new(built.action, built.entity_id, detail))))
        .map_err(|e| {
            LedgerError::Invalid(crate::domain::Message::new(
                format!("已送出（{target}），但打印记录未能写入审计日志：{e}"),
                format!(
                    "Sent ({target}), but the print could not be recorded in the audit log: {e}"
                ),
            ))
        })?;
    let summary = match to {
        PrintTarget::Printer => crate::domain::Message::new(
            format!("已送打印机：{}（{} 页）", built.what, built.pages),
            format!("Sent to the printer ({} pages)", built.pages),
        ),
        PrintTarget::File(p) => crate::domain::Message::new(
            format!(
                "已保存 {}：{}（{} 页）",
                p.display(),
                built.what,
                built.pages
            ),
            format!("Saved {} ({} pages)", p.display(), built.pages),
        ),
    };
    Ok(Printed {
        summary,
        pages: built.pages,
    })
}

fn labels(s: &Session, id: DocumentId) -> Result<Built, LedgerError> {
    let d = documents::get(s, id)?;
    let copies = documents::copies(s, id)?;
    let labels = crate::forms::labels::for_document(&d, &copies);
    if labels.is_empty() {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "该文件没有在册的份号，无需打印标签",
            "This document has no copies in the ledger: no labels to print",
        )));
    }
    let pdf = crate::forms::labels::render(&labels)
        .map_err(|e| LedgerError::Invalid(crate::domain::Message::from(e.to_string())))?;
    Ok(Built {
        pdf,
        pages: labels.len().div_ceil(crate::forms::labels::PER_SHEET),
        action: AuditAction::PrintLabels,
        entity_id: id.0,
        detail: json!({"labels": labels.len(), "copies": labels.iter().map(|l| l.copy_no).collect::<Vec<_>>()}),
        what: format!("{} 张份号标签", labels.len()),
    })
}

fn borrow_form(s: &Session, id: BorrowId) -> Result<Built, LedgerError> {
    let b = borrowing::get(s, id)?;
    let due_text = borrowing::due_text(s, &b)?;
    let renewals = borrowing::renewals(s, id)?;
    let unit = settings::unit_name(s)?;
    let printed_at = s.zone().minute_text(s.clock().now());
    let audit_head = s.audit_head_hex()?;
    let pdf = crate::forms::borrow_form::render(
        &b,
        &crate::forms::borrow_form::FormContext {
            unit: &unit,
            printed_by: &s.user().name,
            printed_at: &printed_at,
            audit_head: &audit_head,
            due_text: &due_text,
            renewals: &renewals,
            decided_on: day_of(s, b.decided_at.as_deref()),
            out_on: day_of(s, b.out_at.as_deref()),
            returned_on: day_of(s, b.returned_at.as_deref()),
        },
    )
    .map_err(|e| LedgerError::Invalid(crate::domain::Message::from(e.to_string())))?;
    Ok(Built {
        pdf,
        pages: 1,
        action: AuditAction::PrintBorrowForm,
        entity_id: id.0,
        detail: json!({"form_no": b.form_no, "audit_head": audit_head}),
        what: format!("《文件借阅申请表》{}", b.form_no),
    })
}

fn destruction_list(
    s: &Session,
    id: super::destruction::DestructionId,
) -> Result<Built, LedgerError> {
    let d = super::destruction::get(s, id)?;
    let unit = settings::unit_name(s)?;
    let printed_at = s.zone().minute_text(s.clock().now());
    let audit_head = s.audit_head_hex()?;
    let (pdf, pages) = crate::forms::destruction_list::render(
        &d,
        &crate::forms::destruction_list::ListContext {
            unit: &unit,
            printed_by: &s.user().name,
            printed_at: &printed_at,
            audit_head: &audit_head,
            approved_on: day_of(s, d.approved_at.as_deref()),
        },
    )
    .map_err(|e| LedgerError::Invalid(crate::domain::Message::from(e.to_string())))?;
    Ok(Built {
        pdf,
        pages,
        action: AuditAction::PrintDestructionList,
        entity_id: id.0,
        detail: json!({"list_no": d.list_no, "state": d.state.code(), "copies": d.items.len(),
                       "audit_head": audit_head}),
        what: format!("《涉密载体销毁清单》{}", d.list_no),
    })
}

fn stocktake_report(s: &Session, id: super::stocktake::StocktakeId) -> Result<Built, LedgerError> {
    let r = super::stocktake::report(s, id)?;
    let unit = settings::unit_name(s)?;
    let printed_at = s.zone().minute_text(s.clock().now());
    let audit_head = s.audit_head_hex()?;
    let started = s.zone().time_text(&r.round.started_at);
    let closed = r.round.closed_at.as_deref().map(|t| s.zone().time_text(t));
    let (pdf, pages) = crate::forms::stocktake_report::render(
        &r,
        &crate::forms::stocktake_report::ReportContext {
            unit: &unit,
            printed_by: &s.user().name,
            printed_at: &printed_at,
            audit_head: &audit_head,
            started: &started,
            closed: closed.as_deref(),
        },
    )
    .map_err(|e| LedgerError::Invalid(crate::domain::Message::from(e.to_string())))?;
    Ok(Built {
        pdf,
        pages,
        action: AuditAction::PrintStocktakeReport,
        entity_id: id.0,
        detail: json!({"round_no": r.round.round_no, "audit_head": audit_head}),
        what: format!("《涉密载体清查报告》{}", r.round.round_no),
    })
}

/// The office date of a stored time (`YYYY-MM-DD`).
fn day_of(s: &Session, at: Option<&str>) -> Option<String> {
    at.map(|t| s.zone().time_text(t).chars().take(10).collect())
}

/// Hands the PDF to its destination; an error says which and why, with the path last.
pub(crate) fn deliver(s: &Session, pdf: &[u8], to: &PrintTarget) -> Result<(), LedgerError> {
    if let PrintTarget::File(path) = to {
        s.refuse_output_in_vault(path)?;
    }
    match to {
        PrintTarget::Printer => {
            crate::forms::send_to_printer(pdf).map_err(|e| LedgerError::Invalid(e.into()))
        }
        PrintTarget::File(path) => {
            if path.as_os_str().is_empty() {
                return Err(LedgerError::Invalid(crate::domain::Message::new(
                    "请填写保存的文件名",
                    "Write the file name to save to",
                )));
            }
            crate::fsutil::write_atomic(path, pdf).map_err(|e| {
                LedgerError::Invalid(crate::domain::Message::new(
                    format!("无法保存 PDF（{e}）：{}", path.display()),
                    format!("Cannot save the PDF ({e}): {}", path.display()),
                ))
            })
        }
    }
}
