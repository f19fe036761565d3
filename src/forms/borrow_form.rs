//! 《文件借阅申请表》 (R3.1.3): one A4 page with the document, the borrower, the reason and
//! period, the undertakings, the approval and the signature lines for check-out and return.

use super::{A4, Canvas, PrintError, one_page_a4};
use crate::ledger::borrowing::{Borrow, BorrowState, Renewal};

/// What the form shows besides the borrowing itself.
pub struct FormContext<'a> {
    pub unit: &'a str,
    pub printed_by: &'a str,
    /// The office's time, `YYYY-MM-DD HH:MM`.
    pub printed_at: &'a str,
    /// The audit chain's head when printed (hex), so the paper can be matched to the ledger.
    pub audit_head: &'a str,
    /// The due date text (or what it will be once handed out).
    pub due_text: &'a str,
    /// Each renewal with its own approval (R3.1.3).
    pub renewals: &'a [Renewal],
    /// The office dates of the decision, the hand-out and the return, once they happened
    /// (`YYYY-MM-DD`): printed in their places, so a form printed later is complete.
    pub decided_on: Option<String>,
    pub out_on: Option<String>,
    pub returned_on: Option<String>,
}

/// The borrower's undertakings (R3.1.3).
pub const UNDERTAKINGS: &str = "本人保证：妥善保管所借文件，不转借他人；未经批准不复印、摘录、拍照；\
在规定期限内按时归还，并办理归还手续。";

const LEFT: f32 = 56.0;
const RIGHT: f32 = A4.0 - 56.0;
const LABEL_W: f32 = 92.0;
const SIZE: f32 = 11.0;
const LINE: f32 = 17.0;
const PAD: f32 = 7.0;
/// Room for a handwritten signature below a signature line.
const SIGN_ROOM: f32 = 14.0;

/// One row of the table: label cell, then the value wrapped to the width left.
fn row(c: &mut Canvas<'_, '_>, y: f32, label: &str, value: &str) -> f32 {
    let width = RIGHT - LEFT - LABEL_W - 2.0 * PAD;
    let lines = c.measure.wrap(value, SIZE, width);
    let mut h = (lines.len().max(1) as f32) * LINE + 2.0 * PAD - 4.0;
    if value.contains("签字") {
        h += SIGN_ROOM;
    }
    c.rect(LEFT, y, RIGHT - LEFT, h, 0.8);
    c.line(LEFT + LABEL_W, y, LEFT + LABEL_W, y + h, 0.8);
    c.text(LEFT + PAD, y + PAD + SIZE, SIZE, label);
    for (i, l) in lines.iter().enumerate() {
        c.text(
            LEFT + LABEL_W + PAD,
            y + PAD + SIZE + i as f32 * LINE,
            SIZE,
            l,
        );
    }
    y + h
}

/// The borrowing-application form as PDF bytes.
pub fn render(b: &Borrow, ctx: &FormContext<'_>) -> Result<Vec<u8>, PrintError> {
    let title = format!("文件借阅申请表 {}", b.form_no);
    one_page_a4(&title, |c| {
        c.text_centered(A4.0 / 2.0, 78.0, 20.0, "文件借阅申请表");
        let mut y = 104.0;
        c.text(LEFT, y, 10.5, &format!("单位：{}", ctx.unit));
        let no = format!("编号：{}", b.form_no);
        let w = c.measure.width(&no, 10.5);
        c.text(RIGHT - w, y, 10.5, &no);
        y += 10.0;
        let period = if b.requested_days == 0 {
            format!("当日阅读，当日归还（{}）", ctx.due_text)
        } else {
            format!("{} 个工作日，应还日期：{}", b.requested_days, ctx.due_text)
        };
        let approval = match b.state {
            BorrowState::Requested => "（待审批）".to_owned(),
            _ if b.approver_name.is_empty() => String::new(),
            _ => {
                let how = match b.approval_kind.as_deref() {
                    Some("signed_in") => "本机登录确认".to_owned(),
                    Some("paper") => format!("纸质审批单 {}", b.approval_ref),
                    _ => String::new(),
                };
                format!(
                    "{}：{}（{}）{}",
                    if b.state == BorrowState::Rejected {
                        "不批准"
                    } else {
                        "批准"
                    },
                    b.approver_name,
                    how,
                    if b.decision_note.is_empty() {
                        String::new()
                    } else {
                        format!("，意见：{}", b.decision_note)
                    }
                )
            }
        };
        let renewals = if ctx.renewals.is_empty() {
            "—".to_owned()
        } else {
            ctx.renewals
                .iter()
                .map(|r| {
                    let how = if r.approval_kind == "paper" {
                        format!("纸质审批单 {}", r.approval_ref)
                    } else {
                        "本机登录确认".to_owned()
                    };
                    format!(
                        "第{}次：续借 {} 个工作日，应还日期 {} → {}，批准：{}（{}）",
                        r.n, r.days, r.from_due, r.to_due, r.approver_name, how
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut rows: Vec<(&str, String)> = vec![
            ("文件名称", b.title.clone()),
            ("文号", b.doc_no.clone()),
            ("份号", format!("第 {} 份", b.copy_no)),
            ("密级", b.marking.clone()),
            (
                "借阅人",
                format!("{}（{}）", b.borrower_name, b.borrower_department),
            ),
            ("借阅事由", b.reason.clone()),
            ("借阅期限", period),
            (
                "阅读地点",
                if b.place.is_empty() {
                    "—".into()
                } else {
                    format!("{}（只能在此阅读，不得带出）", b.place)
                },
            ),
            (
                "借阅人承诺",
                format!("{UNDERTAKINGS}\n借阅人签字：                    日期："),
            ),
            (
                "审批意见",
                format!(
                    "{approval}\n审批人签字：                    日期：{}",
                    ctx.decided_on.as_deref().unwrap_or("")
                ),
            ),
            (
                "借出登记",
                format!(
                    "保密员签字：                    借出日期：{}",
                    ctx.out_on.as_deref().unwrap_or("")
                ),
            ),
            (
                "归还登记",
                format!(
                    "保密员签字：                    归还日期：{}\n页数核对：{}",
                    ctx.returned_on.as_deref().unwrap_or(""),
                    match b.pages_complete {
                        Some(true) => "■ 齐全  □ 不全".to_owned(),
                        Some(false) => format!("□ 齐全  ■ 不全（情况：{}）", b.return_note),
                        None => "□ 齐全  □ 不全（情况：                    ）".to_owned(),
                    }
                ),
            ),
        ];
        if !b.justification.is_empty() {
            rows.insert(6, ("确需借阅理由", b.justification.clone()));
        }
        rows.insert(rows.len() - 1, ("续借", renewals));
        for (label, value) in &rows {
            y = row(c, y, label, value);
        }
        y += 22.0;
        let footer = format!("打印人：{}    打印时间：{}", ctx.printed_by, ctx.printed_at);
        c.text(LEFT, y, 9.0, &footer);
        y += 14.0;
        c.text(LEFT, y, 9.0, &format!("审计链：{}", ctx.audit_head));
        y += 14.0;
        c.text(
            LEFT,
            y,
            9.0,
            "本表随文件借阅登记保存；涉密内容不得写入本表以外的载体。",
        );
        y
    })
}
