//! 《涉密载体销毁清单》 (R3.2.4): the list's number, each copy with its marking and reason, the
//! approval, the execution (date, method, place, the destruction unit's receipt) and the
//! signature lines of the approver, the person who destroys and the supervising person (监销人).
//! Printed before execution (to take to the shredder, the lines blank) and after (filled in).
//! A4 portrait; 20 items fit on one page, longer lists go on with page numbers.

use super::{A4, Canvas, PrintError, page_number, pages_a4, paginate};
use crate::ledger::destruction::{Destruction, ListState};

/// What the list shows besides itself.
pub struct ListContext<'a> {
    pub unit: &'a str,
    pub printed_by: &'a str,
    /// The office's time, `YYYY-MM-DD HH:MM`.
    pub printed_at: &'a str,
    /// The audit chain's head when printed (hex).
    pub audit_head: &'a str,
    /// The approval's office date, once approved.
    pub approved_on: Option<String>,
}

const LEFT: f32 = 40.0;
const RIGHT: f32 = A4.0 - 40.0;
const SIZE: f32 = 8.5;
const LINE: f32 = 11.0;
const PAD: f32 = 3.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = A4.1 - 48.0;
/// Columns: 序号, 文件标题, 编号/文号, 密级标志, 份号, 销毁原因.
/// A title of 24 characters and a reason of 12 stay on one line: 20 such items fit one page.
const COLS: [(&str, f32); 6] = [
    ("序号", 22.0),
    ("文件标题", 200.0),
    ("收文编号/文号", 98.0),
    ("密级标志", 60.0),
    ("份号", 22.0),
    ("销毁原因", 113.0),
];
const HEAD_H: f32 = 18.0;
const TAIL_H: f32 = 172.0;

fn cells(d: &Destruction) -> Vec<[String; 6]> {
    d.items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            [
                (i + 1).to_string(),
                it.title.clone(),
                it.number.clone(),
                it.marking.clone(),
                it.copy_no.to_string(),
                it.reason.clone(),
            ]
        })
        .collect()
}

fn wrapped(c: &super::Measure<'_>, row: &[String; 6]) -> Vec<Vec<String>> {
    row.iter()
        .zip(COLS)
        .map(|(text, (_, w))| c.wrap(text, SIZE, w - 2.0 * PAD))
        .collect()
}

fn row_height(lines: &[Vec<String>]) -> f32 {
    let n = lines.iter().map(|l| l.len()).max().unwrap_or(1).max(1);
    n as f32 * LINE + 2.0 * PAD
}

fn draw_row(c: &mut Canvas<'_, '_>, y: f32, lines: &[Vec<String>], h: f32) {
    let mut x = LEFT;
    for (col, (_, w)) in lines.iter().zip(COLS) {
        c.rect(x, y, w, h, 0.6);
        for (i, l) in col.iter().enumerate() {
            c.text(x + PAD, y + PAD + SIZE + i as f32 * LINE, SIZE, l);
        }
        x += w;
    }
}

/// The list as PDF bytes, and its page count.
pub fn render(d: &Destruction, ctx: &ListContext<'_>) -> Result<(Vec<u8>, usize), PrintError> {
    let measure = super::Measure::new(crate::assets::NOTO_SANS_SC)?;
    let rows: Vec<Vec<Vec<String>>> = cells(d).iter().map(|r| wrapped(&measure, r)).collect();
    let heights: Vec<f32> = rows.iter().map(|r| row_height(r)).collect();
    let first_top = TOP + 78.0;
    let pages = paginate(
        &heights,
        BOTTOM - first_top - HEAD_H,
        BOTTOM - TOP - 24.0 - HEAD_H,
        TAIL_H,
    );
    let n = pages.len();
    let title = format!("涉密载体销毁清单 {}", d.list_no);
    let pdf = pages_a4(&title, n, |p, c| {
        let mut y = if p == 0 {
            c.text_centered(A4.0 / 2.0, TOP + 8.0, 18.0, "涉密载体销毁清单");
            let no = format!("编号：{}", d.list_no);
            c.text(LEFT, TOP + 36.0, 10.0, &format!("单位：{}", ctx.unit));
            let w = c.measure.width(&no, 10.0);
            c.text(RIGHT - w, TOP + 36.0, 10.0, &no);
            let state = match d.state {
                ListState::Draft => "状态：待审批（本清单未经批准，不得销毁）".to_owned(),
                ListState::Approved => format!(
                    "状态：已批准待销毁（{}批准，{}）",
                    d.approver_name,
                    ctx.approved_on.as_deref().unwrap_or("")
                ),
                ListState::Executed => {
                    format!("状态：已销毁（{}）", d.executed_on.as_deref().unwrap_or(""))
                }
                ListState::Cancelled => format!("状态：已撤销（{}）", d.cancel_reason),
            };
            c.text(LEFT, TOP + 54.0, 10.0, &state);
            c.text(LEFT, TOP + 70.0, 10.0, &format!("共 {} 份", d.items.len()));
            first_top
        } else {
            c.text(LEFT, TOP + 8.0, 10.0, &format!("{}（续）", title));
            TOP + 24.0
        };
        // The table's header on every page.
        let mut x = LEFT;
        for (name, w) in COLS {
            c.rect(x, y, w, HEAD_H, 0.8);
            c.text_centered(x + w / 2.0, y + 12.5, SIZE, name);
            x += w;
        }
        y += HEAD_H;
        for i in pages[p].clone() {
            draw_row(c, y, &rows[i], heights[i]);
            y += heights[i];
        }
        if p + 1 == n {
            y = tail(c, y + 14.0, d, ctx);
        }
        page_number(c, p, n);
        y
    })?;
    Ok((pdf, n))
}

/// The execution, the signatures and the footer.
fn tail(c: &mut Canvas<'_, '_>, mut y: f32, d: &Destruction, ctx: &ListContext<'_>) -> f32 {
    let executed = d.state == ListState::Executed;
    let blank = "________________";
    let method = match (d.method, executed) {
        (Some(m), true) => {
            let mut t = m.label_zh().to_owned();
            if !d.method_detail.is_empty() {
                t.push_str(&format!("（{}）", d.method_detail));
            }
            if !d.receipt_no.is_empty() {
                t.push_str(&format!("，回执编号 {}", d.receipt_no));
            }
            t
        }
        _ => "□保密碎纸机（型号________）  □焚烧  □送销毁工作机构（回执________）".to_owned(),
    };
    let on = d
        .executed_on
        .clone()
        .filter(|_| executed)
        .unwrap_or_else(|| "______年____月____日".into());
    let place = if executed {
        d.place.clone()
    } else {
        blank.into()
    };
    for line in [
        format!("销毁日期：{on}    销毁地点：{place}"),
        format!("销毁方式：{method}"),
    ] {
        for l in c.measure.wrap(&line, 10.0, RIGHT - LEFT) {
            c.text(LEFT, y + 10.0, 10.0, &l);
            y += 16.0;
        }
    }
    y += 10.0;
    let supervisors: Vec<&str> = d.supervisors.iter().map(|(_, n)| n.as_str()).collect();
    let name_or_blank = |n: &str| {
        if n.is_empty() {
            blank.to_owned()
        } else {
            n.to_owned()
        }
    };
    let lines = [
        ("审批人（党办负责人）", name_or_blank(&d.approver_name)),
        ("销毁人", name_or_blank(&d.destroyer_name)),
        ("监销人", name_or_blank(&supervisors.join("、"))),
    ];
    for (label, name) in lines {
        c.text(LEFT, y + 12.0, 10.5, &format!("{label}：{name}"));
        c.text(LEFT + 260.0, y + 12.0, 10.5, "签字：");
        c.line(LEFT + 292.0, y + 14.0, LEFT + 400.0, y + 14.0, 0.6);
        c.text(LEFT + 410.0, y + 12.0, 10.5, "日期：");
        c.line(LEFT + 442.0, y + 14.0, RIGHT, y + 14.0, 0.6);
        y += 28.0;
    }
    y += 4.0;
    let foot = format!(
        "打印：{}  {}    审计链：{}",
        ctx.printed_by,
        ctx.printed_at,
        &ctx.audit_head[..ctx.audit_head.len().min(16)]
    );
    c.text(LEFT, y + 10.0, 8.0, &foot);
    c.text(
        LEFT,
        y + 22.0,
        8.0,
        "销毁须两人在场：销毁人与监销人不得为同一人；本清单与台账记录一并保存。",
    );
    y + 26.0
}
