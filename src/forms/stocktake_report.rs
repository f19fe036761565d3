//! 《涉密载体清查报告》 (R4.1 self-inspection): the round, its cabinets, the counts of each outcome
//! beside the previous round's, every copy that needs attention (missing, in the wrong cabinet,
//! unexpected) and the copies out on record, then the signature lines. Copies found where the
//! ledger says are counted per cabinet, not listed. A4 portrait with page numbers.

use std::collections::BTreeMap;

use super::{A4, Canvas, PrintError, page_number, pages_a4, paginate};
use crate::domain::stocktake::Outcome;
use crate::ledger::stocktake::{Report, RoundState};

/// What the report shows besides itself.
pub struct ReportContext<'a> {
    pub unit: &'a str,
    pub printed_by: &'a str,
    pub printed_at: &'a str,
    pub audit_head: &'a str,
    /// The round's start and close in office time.
    pub started: &'a str,
    pub closed: Option<&'a str>,
}

const LEFT: f32 = 50.0;
const RIGHT: f32 = A4.0 - 50.0;
const SIZE: f32 = 9.5;
const LINE: f32 = 12.5;
const PAD: f32 = 4.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = A4.1 - 48.0;
const COLS: [(&str, f32); 6] = [
    ("结果", 62.0),
    ("文件标题", 160.0),
    ("收文编号/文号", 95.0),
    ("份号", 30.0),
    ("台账记录", 80.0),
    ("实际发现", 68.0),
];
const HEAD_H: f32 = 20.0;
const TAIL_H: f32 = 96.0;

fn row_cells(r: &Report) -> Vec<[String; 6]> {
    r.lines
        .iter()
        .filter(|l| l.outcome != Outcome::Found)
        .map(|l| {
            let ledger = match (l.ledger_state, l.expected_cabinet.as_str()) {
                (None, _) => "台账中没有".to_owned(),
                (Some(s), "") => s.label_zh().to_owned(),
                (Some(crate::domain::CopyState::InCabinet), k) => format!("在柜 {k}"),
                (Some(s), k) => format!("{}（原在 {k}）", s.label_zh()),
            };
            [
                l.outcome.label_zh().to_owned(),
                if l.title.is_empty() {
                    l.code.clone()
                } else {
                    l.title.clone()
                },
                l.number.clone(),
                l.copy_no.map(|n| n.to_string()).unwrap_or_default(),
                ledger,
                if l.outcome == Outcome::Out {
                    "—".to_owned()
                } else if l.found_cabinet.is_empty() {
                    "未发现".to_owned()
                } else {
                    l.found_cabinet.clone()
                },
            ]
        })
        .collect()
}

fn count_line(counts: &BTreeMap<Outcome, usize>) -> String {
    Outcome::ALL
        .iter()
        .map(|o| format!("{} {}", o.label_zh(), counts.get(o).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join("   ")
}

/// The report as PDF bytes, and its page count.
pub fn render(r: &Report, ctx: &ReportContext<'_>) -> Result<(Vec<u8>, usize), PrintError> {
    let measure = super::Measure::new(crate::assets::NOTO_SANS_SC)?;
    let rows: Vec<Vec<Vec<String>>> = row_cells(r)
        .iter()
        .map(|row| {
            row.iter()
                .zip(COLS)
                .map(|(t, (_, w))| measure.wrap(t, SIZE, w - 2.0 * PAD))
                .collect()
        })
        .collect();
    let heights: Vec<f32> = rows
        .iter()
        .map(|cols: &Vec<Vec<String>>| {
            cols.iter().map(|l| l.len()).max().unwrap_or(1).max(1) as f32 * LINE + 2.0 * PAD
        })
        .collect();
    // Found per cabinet, for the summary.
    let mut found_by: BTreeMap<&str, usize> = BTreeMap::new();
    for l in r.lines.iter().filter(|l| l.outcome == Outcome::Found) {
        *found_by.entry(l.found_cabinet.as_str()).or_default() += 1;
    }
    let scope = if r.round.all_cabinets {
        "全部专柜".to_owned()
    } else {
        r.round
            .cabinets
            .iter()
            .map(|(_, c)| c.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut summary = vec![
        format!("清查范围：{scope}"),
        format!(
            "开始：{}    完成：{}    状态：{}",
            ctx.started,
            ctx.closed.unwrap_or("—"),
            r.round.state.label_zh()
        ),
        format!("结果：{}", count_line(&r.counts)),
    ];
    if let Some((no, prev)) = &r.previous {
        summary.push(format!("上次（{no}）：{}", count_line(prev)));
    }
    if !found_by.is_empty() {
        summary.push(format!(
            "在位份数：{}",
            found_by
                .iter()
                .map(|(k, n)| format!("{k} {n} 份"))
                .collect::<Vec<_>>()
                .join("，")
        ));
    }
    if r.round.state == RoundState::Open {
        summary.push("本次清查尚未完成，以上为打印时的情况。".to_owned());
    }
    let summary: Vec<String> = summary
        .iter()
        .flat_map(|l| measure.wrap(l, 10.0, RIGHT - LEFT))
        .collect();
    let first_top = TOP + 46.0 + summary.len() as f32 * 16.0 + 10.0;
    let pages = paginate(
        &heights,
        BOTTOM - first_top - HEAD_H,
        BOTTOM - TOP - 24.0 - HEAD_H,
        TAIL_H,
    );
    let n = pages.len();
    let title = format!("涉密载体清查报告 {}", r.round.round_no);
    let pdf = pages_a4(&title, n, |p, c| {
        let mut y = if p == 0 {
            c.text_centered(A4.0 / 2.0, TOP + 8.0, 18.0, "涉密载体清查报告");
            c.text(LEFT, TOP + 34.0, 10.0, &format!("单位：{}", ctx.unit));
            let no = format!("编号：{}", r.round.round_no);
            let w = c.measure.width(&no, 10.0);
            c.text(RIGHT - w, TOP + 34.0, 10.0, &no);
            let mut y = TOP + 46.0;
            for l in &summary {
                c.text(LEFT, y + 10.0, 10.0, l);
                y += 16.0;
            }
            first_top
        } else {
            c.text(LEFT, TOP + 8.0, 10.0, &format!("{title}（续）"));
            TOP + 24.0
        };
        if !rows.is_empty() {
            let mut x = LEFT;
            for (name, w) in COLS {
                c.rect(x, y, w, HEAD_H, 0.8);
                c.text_centered(x + w / 2.0, y + 14.0, SIZE, name);
                x += w;
            }
            y += HEAD_H;
        }
        for i in pages[p].clone() {
            let mut x = LEFT;
            for (col, (_, w)) in rows[i].iter().zip(COLS) {
                c.rect(x, y, w, heights[i], 0.6);
                for (k, l) in col.iter().enumerate() {
                    c.text(x + PAD, y + PAD + SIZE + k as f32 * LINE, SIZE, l);
                }
                x += w;
            }
            y += heights[i];
        }
        if p + 1 == n {
            y = tail(c, y + 16.0, ctx);
        }
        page_number(c, p, n);
        y
    })?;
    Ok((pdf, n))
}

fn tail(c: &mut Canvas<'_, '_>, mut y: f32, ctx: &ReportContext<'_>) -> f32 {
    for label in ["清查人", "监督人（党办负责人）"] {
        let text = format!("{label}签字：");
        c.text(LEFT, y + 12.0, 10.5, &text);
        let x = LEFT + c.measure.width(&text, 10.5) + 4.0;
        c.line(x, y + 14.0, LEFT + 280.0, y + 14.0, 0.6);
        c.text(LEFT + 300.0, y + 12.0, 10.5, "日期：");
        c.line(LEFT + 332.0, y + 14.0, RIGHT, y + 14.0, 0.6);
        y += 30.0;
    }
    c.text(
        LEFT,
        y + 10.0,
        8.0,
        &format!(
            "打印：{}  {}    审计链：{}",
            ctx.printed_by,
            ctx.printed_at,
            &ctx.audit_head[..ctx.audit_head.len().min(16)]
        ),
    );
    y + 14.0
}
