//! The registers of issue 13 on the command line: `list destructions|stocktakes|incidents|holds`
//! (objects with an `id` that `show` accepts) and `show destruction-N|stocktake-N|incident-N|
//! hold-N`.

use serde_json::{Value, json};

use super::CliError;
use crate::domain::stocktake::Outcome;
use crate::ledger::Session;
use crate::ledger::destruction::{self, DestructionId};
use crate::ledger::holds::{self, HoldId};
use crate::ledger::incidents::{self, IncidentId};
use crate::ledger::stocktake::{self, StocktakeId};

/// The rows of one of these registers, or `None` for another name.
pub fn rows(s: &Session, register: &str) -> Result<Option<Vec<Value>>, CliError> {
    let zone = s.zone();
    Ok(Some(match register {
        "destructions" => destruction::list(s)?
            .into_iter()
            .map(|(d, n)| {
                json!({"id": format!("destruction-{}", d.id.0), "list_no": d.list_no,
                       "state": d.state.label_zh(), "copies": n,
                       "created_at": zone.time_text(&d.created_at),
                       "approver": d.approver_name, "executed_on": d.executed_on,
                       "method": d.method.map(|m| m.label_zh())})
            })
            .collect(),
        "stocktakes" => stocktake::list(s)?
            .into_iter()
            .map(|(r, counts)| {
                let count = |o: Outcome| counts.get(&o).copied();
                json!({"id": format!("stocktake-{}", r.id.0), "round_no": r.round_no,
                       "state": r.state.label_zh(),
                       "cabinets": if r.all_cabinets { "全部".to_owned() } else {
                           r.cabinets.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>().join("、") },
                       "started_at": zone.time_text(&r.started_at),
                       "found": count(Outcome::Found), "missing": count(Outcome::Missing),
                       "wrong_cabinet": count(Outcome::WrongCabinet),
                       "unexpected": count(Outcome::Unexpected), "out": count(Outcome::Out)})
            })
            .collect(),
        "incidents" => incidents::list(s)?
            .into_iter()
            .map(|i| {
                json!({"id": format!("incident-{}", i.id.0), "incident_no": i.incident_no,
                       "kind": i.kind.label_zh(), "occurred_on": i.occurred_on,
                       "description": i.description,
                       "state": if i.closed { "已办结" } else { "处理中" },
                       "reported_to": i.reported_to, "stocktake": i.stocktake,
                       "borrow": i.borrow})
            })
            .collect(),
        "holds" => holds::list(s, false)?
            .into_iter()
            .map(|h| {
                json!({"id": format!("hold-{}", h.id.0), "what": h.what(),
                       "document": format!("doc-{}", h.document.0), "reason": h.reason,
                       "placed_at": zone.time_text(&h.placed_at), "by": h.placed_by,
                       "lifted_at": h.lifted_at.as_deref().map(|t| zone.time_text(t)),
                       "lift_reason": h.lift_reason})
            })
            .collect(),
        _ => return Ok(None),
    }))
}

/// `show` for these registers; `None` when the id is not one of theirs.
pub fn show(s: &Session, id: &str) -> Option<Result<(), CliError>> {
    let parse = |prefix: &str| id.strip_prefix(prefix).and_then(|n| n.parse::<i64>().ok());
    if let Some(n) = parse("destruction-") {
        return Some(show_destruction(s, DestructionId(n)));
    }
    if let Some(n) = parse("stocktake-") {
        return Some(show_stocktake(s, StocktakeId(n)));
    }
    if let Some(n) = parse("incident-") {
        return Some(show_incident(s, IncidentId(n)));
    }
    if let Some(n) = parse("hold-") {
        return Some(show_hold(s, HoldId(n)));
    }
    None
}

fn show_destruction(s: &Session, id: DestructionId) -> Result<(), CliError> {
    let d = destruction::get(s, id)?;
    let zone = s.zone();
    out!(
        "{}  {}  共 {} 份",
        d.list_no,
        d.state.label_zh(),
        d.items.len()
    )?;
    if !d.note.is_empty() {
        out!("说明：{}", d.note)?;
    }
    out!("拟定：{}  {}", d.created_by, zone.time_text(&d.created_at))?;
    if let Some(at) = &d.approved_at {
        let how = match d.approval_kind.as_deref() {
            Some("paper") => format!("纸质审批 {}", d.approval_ref),
            _ => "本机签名审批".to_owned(),
        };
        out!("批准：{}（{how}）  {}", d.approver_name, zone.time_text(at))?;
    }
    if let (Some(on), Some(m)) = (&d.executed_on, d.method) {
        let supervisors: Vec<&str> = d.supervisors.iter().map(|(_, n)| n.as_str()).collect();
        out!(
            "销毁：{on}  {}{}{}  地点：{}",
            m.label_zh(),
            if d.method_detail.is_empty() {
                String::new()
            } else {
                format!("（{}）", d.method_detail)
            },
            if d.receipt_no.is_empty() {
                String::new()
            } else {
                format!("  回执 {}", d.receipt_no)
            },
            d.place
        )?;
        out!(
            "销毁人：{}  监销人：{}",
            d.destroyer_name,
            supervisors.join("、")
        )?;
    }
    if d.cancelled_at.is_some() {
        out!("已撤销：{}", d.cancel_reason)?;
    }
    for (i, it) in d.items.iter().enumerate() {
        out!(
            "  {}. copy-{}\t《{}》第 {} 份\t{}\t{}\t{}",
            i + 1,
            it.copy.0,
            it.title,
            it.copy_no,
            it.marking,
            it.state.label_zh(),
            it.reason
        )?;
    }
    Ok(())
}

fn show_stocktake(s: &Session, id: StocktakeId) -> Result<(), CliError> {
    let r = stocktake::report(s, id)?;
    let zone = s.zone();
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
    out!(
        "{}  {}  范围：{scope}",
        r.round.round_no,
        r.round.state.label_zh()
    )?;
    out!(
        "开始：{}  {}",
        r.round.started_by,
        zone.time_text(&r.round.started_at)
    )?;
    let counts: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| format!("{} {}", o.label_zh(), r.count(*o)))
        .collect();
    out!("结果：{}", counts.join("  "))?;
    for l in r.lines.iter().filter(|l| l.outcome != Outcome::Found) {
        out!(
            "  {}\t{}\t{}\t台账：{}\t发现于：{}",
            l.outcome.label_zh(),
            l.copy
                .map(|c| format!("copy-{}", c.0))
                .unwrap_or(l.code.clone()),
            if l.title.is_empty() {
                String::new()
            } else {
                format!("《{}》第 {} 份", l.title, l.copy_no.unwrap_or(0))
            },
            match (l.ledger_state, l.expected_cabinet.as_str()) {
                (None, _) => "台账中没有".to_owned(),
                (Some(st), "") => st.label_zh().to_owned(),
                (Some(crate::domain::CopyState::InCabinet), k) => format!("在柜 {k}"),
                (Some(st), k) => format!("{}（原在 {k}）", st.label_zh()),
            },
            if l.found_cabinet.is_empty() {
                "—"
            } else {
                &l.found_cabinet
            }
        )?;
    }
    Ok(())
}

fn show_incident(s: &Session, id: IncidentId) -> Result<(), CliError> {
    let i = incidents::get(s, id)?;
    out!(
        "{}  {}  {}",
        i.incident_no,
        i.kind.label_zh(),
        if i.closed { "已办结" } else { "处理中" }
    )?;
    out!("发生：{}  发现：{}", i.occurred_on, i.discovered_on)?;
    out!("经过：{}", i.description)?;
    for (c, name, lost) in &i.copies {
        out!(
            "  copy-{}\t{name}{}",
            c.0,
            if *lost { "\t已登记丢失" } else { "" }
        )?;
    }
    let people: Vec<&str> = i.people.iter().map(|(_, n)| n.as_str()).collect();
    if !people.is_empty() || !i.people_note.is_empty() {
        out!("相关人员：{} {}", people.join("、"), i.people_note)?;
    }
    if !i.measures.is_empty() {
        out!("措施：{}", i.measures)?;
    }
    if !i.reported_to.is_empty() {
        out!(
            "报告：{}  {}",
            i.reported_to,
            i.reported_on.as_deref().unwrap_or("")
        )?;
    }
    if !i.outcome.is_empty() {
        out!("结果：{}", i.outcome)?;
    }
    if let Some(r) = &i.stocktake {
        out!("来自清查：{r}")?;
    }
    if let Some(b) = &i.borrow {
        out!("来自借阅：{b}")?;
    }
    Ok(())
}

fn show_hold(s: &Session, id: HoldId) -> Result<(), CliError> {
    let h = holds::get(s, id)?;
    let zone = s.zone();
    out!("hold-{}  {}  doc-{}", h.id.0, h.what(), h.document.0)?;
    out!(
        "冻结：{}  {}  原因：{}",
        h.placed_by,
        zone.time_text(&h.placed_at),
        h.reason
    )?;
    match &h.lifted_at {
        Some(at) => out!(
            "解除：{}  {}  原因：{}",
            h.lifted_by.as_deref().unwrap_or(""),
            zone.time_text(at),
            h.lift_reason
        )?,
        None => out!("尚未解除")?,
    }
    Ok(())
}
