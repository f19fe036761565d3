//! Stock-taking rounds (清查, R4.1 self-inspection): a numbered round (清查〔2026〕N号) over chosen
//! cabinets or all; the custodian marks each copy found by scanning its label (`copy-N`) or
//! ticking it, in the cabinet where it lies; the round is classified by
//! [`crate::domain::stocktake::classify`] (found, missing, wrong cabinet, unexpected, and the copies
//! out on record apart) and frozen at closing so rounds stay comparable. Each mark is audited;
//! marks are never deleted, only withdrawn while the round is open.

use crate::domain::Permission;
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::cabinets::{self, CabinetId};
use super::documents::{CopyId, DocumentId, next_seq};
use super::{AuditAction, Event, LedgerError, Session, Write, code_col, settings};
use crate::domain::Message;
use crate::domain::copy_state::CopyState;
use crate::domain::level::Level;
use crate::domain::marking::{SecrecyPeriod, marking};
use crate::domain::stocktake::{Found, LedgerCopy, Line, Outcome, classify, judge, parse_label};

/// A round's id (`stocktake-N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct StocktakeId(pub i64);

/// Where a round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RoundState {
    Open,
    Closed,
    Cancelled,
}

impl RoundState {
    pub fn code(self) -> &'static str {
        match self {
            RoundState::Open => "open",
            RoundState::Closed => "closed",
            RoundState::Cancelled => "cancelled",
        }
    }

    pub fn from_code(s: &str) -> Option<RoundState> {
        [RoundState::Open, RoundState::Closed, RoundState::Cancelled]
            .into_iter()
            .find(|x| x.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RoundState::Open => "进行中",
            RoundState::Closed => "已完成",
            RoundState::Cancelled => "已作废",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RoundState::Open => "in progress",
            RoundState::Closed => "closed",
            RoundState::Cancelled => "cancelled",
        }
    }
}

/// How a copy was marked found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Its label scanned (or its `copy-N` typed) and Enter.
    Scan,
    /// Ticked in the list.
    Tick,
}

/// A round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub id: StocktakeId,
    pub round_no: String,
    pub all_cabinets: bool,
    /// The cabinets it covers (every cabinet in use when `all_cabinets`), with their codes.
    pub cabinets: Vec<(CabinetId, String)>,
    pub state: RoundState,
    pub note: String,
    pub started_at: String,
    pub started_by: String,
    pub closed_at: Option<String>,
    pub close_note: String,
}

/// What one scan found, as the scanner shows it at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Marked {
    pub outcome: Outcome,
    pub copy: Option<CopyId>,
    /// Scanned before in this round (nothing new recorded).
    pub already: bool,
    pub text: Message,
}

/// One line of a report, with what names the copy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportLine {
    pub outcome: Outcome,
    pub copy: Option<CopyId>,
    pub code: String,
    pub document: Option<DocumentId>,
    pub title: String,
    pub number: String,
    pub copy_no: Option<u32>,
    pub marking: String,
    /// Where the ledger has it (or had it last), by code.
    pub expected_cabinet: String,
    /// Where it was found, by code.
    pub found_cabinet: String,
    pub ledger_state: Option<CopyState>,
}

/// A round's result: every line, the counts, and the previous closed round's counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub round: Round,
    pub lines: Vec<ReportLine>,
    pub counts: BTreeMap<Outcome, usize>,
    /// The previous closed round: its number and counts.
    pub previous: Option<(String, BTreeMap<Outcome, usize>)>,
}

impl Report {
    /// The count of one outcome.
    pub fn count(&self, o: Outcome) -> usize {
        self.counts.get(&o).copied().unwrap_or(0)
    }
}

/// The number of lines of each outcome.
pub type Counts = BTreeMap<Outcome, usize>;

/// The warning setting: days after which a cabinet's last stock-taking is too old.
pub const WARN_DAYS: &str = "stocktake_warn_days";
/// Default of [`WARN_DAYS`]: one quarter (R4.3: the leading group inspects every quarter).
pub const DEFAULT_WARN_DAYS: u32 = 92;
/// The round number's pattern.
pub const ROUND_PATTERN: &str = "清查〔{year}〕{seq}号";

fn bad<T>(m: impl Into<Message>) -> Result<T, LedgerError> {
    Err(LedgerError::Invalid(m.into()))
}

/// The warning's days.
pub fn warn_days(s: &Session) -> Result<u32, LedgerError> {
    settings::days(s, WARN_DAYS, DEFAULT_WARN_DAYS)
}

/// Sets the warning (7 to 366 days). The ledger's settings (the custodian's); audited.
pub fn set_warn_days(s: &mut Session, days: u32) -> Result<(), LedgerError> {
    settings::set_days(
        s,
        WARN_DAYS,
        days,
        7..=366,
        ("清查提醒天数", "The stock-taking reminder"),
        DEFAULT_WARN_DAYS,
    )
}

/// Starts a round over `cabinets` (`None`: every cabinet in use). One round at a time.
pub fn start(
    s: &mut Session,
    cabinets: Option<&[CabinetId]>,
    note: &str,
) -> Result<StocktakeId, LedgerError> {
    s.require("开始清查", Permission::Stocktaking)?;
    if let Some(list) = cabinets
        && list.is_empty()
    {
        return bad(("请至少选择一个专柜", "Choose at least one cabinet"));
    }
    s.write(|w| {
        let open: Option<String> =
            w.tx.query_row(
                "SELECT round_no FROM stocktakes WHERE state = 'open' LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(no) = open {
            return bad((
                format!("{no}尚未完成：请先完成或作废它，再开始新的清查"),
                format!("{no} is still open: close or cancel it before starting another"),
            ));
        }
        let year = w.today.year();
        let seq = next_seq(w.tx, "stocktake", year)?;
        let round_no = ROUND_PATTERN
            .replace("{year}", &year.to_string())
            .replace("{seq}", &seq.to_string());
        w.tx.execute(
            "INSERT INTO stocktakes (round_no, all_cabinets, state, note, started_at, started_by) \
             VALUES (?1, ?2, 'open', ?3, ?4, ?5)",
            params![round_no, cabinets.is_none(), note.trim(), w.at(), w.user.0],
        )?;
        let id = StocktakeId(w.tx.last_insert_rowid());
        let mut codes = Vec::new();
        // A round of every cabinet lists them too: one added later was not checked by it.
        let every: Vec<CabinetId> = match cabinets {
            Some(_) => Vec::new(),
            None => {
                let mut stmt =
                    w.tx.prepare("SELECT id FROM cabinets WHERE retired = 0 ORDER BY code")?;
                stmt.query_map([], |r| Ok(CabinetId(r.get(0)?)))?
                    .collect::<Result<Vec<_>, _>>()?
            }
        };
        for k in cabinets.unwrap_or(&every) {
            let cabinet = cabinets::get_in(w.tx, *k)?;
            if cabinet.retired {
                return bad((
                    format!("专柜 {} 已停用", cabinet.code),
                    format!("Cabinet {} is out of use", cabinet.code),
                ));
            }
            w.tx.execute(
                "INSERT INTO stocktake_cabinets (stocktake_id, cabinet_id) VALUES (?1, ?2)",
                params![id.0, k.0],
            )?;
            codes.push(cabinet.code);
        }
        Ok((
            id,
            Event::new(
                AuditAction::StocktakeStart,
                id.0,
                json!({"round_no": round_no, "cabinets": codes, "all": cabinets.is_none(),
                       "note": note.trim()}),
            ),
        ))
    })
}

/// The round's number and state, and whether `cabinet` is in it.
fn round_in(
    conn: &rusqlite::Connection,
    id: StocktakeId,
) -> Result<(String, RoundState, bool), LedgerError> {
    conn.prepare_cached("SELECT round_no, state, all_cabinets FROM stocktakes WHERE id = ?1")?
        .query_row([id.0], |r| {
            Ok((r.get(0)?, code_col(r, 1, RoundState::from_code)?, r.get(2)?))
        })
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(Message::from(format!("没有 stocktake-{} 这次清查", id.0)))
        })
}

fn covers(
    conn: &rusqlite::Connection,
    id: StocktakeId,
    all: bool,
    cabinet: CabinetId,
) -> Result<bool, LedgerError> {
    if all {
        return Ok(true);
    }
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM stocktake_cabinets WHERE stocktake_id = ?1 \
             AND cabinet_id = ?2)",
        )?
        .query_row(params![id.0, cabinet.0], |r| r.get(0))?)
}

fn open_round(w: &Write<'_>, id: StocktakeId) -> Result<(String, bool), LedgerError> {
    let (no, state, all) = round_in(w.tx, id)?;
    if state != RoundState::Open {
        return bad((
            format!("{no}{}，不能再登记", state.label_zh()),
            format!("{no} is {}: nothing more can be recorded", state.label_en()),
        ));
    }
    Ok((no, all))
}

/// Marks a label found in `cabinet` (scanned, typed or ticked). Returns at once what it is
/// (在位, 位置不符, 账外); a second scan of the same copy records nothing and says so.
pub fn mark(
    s: &mut Session,
    id: StocktakeId,
    cabinet: CabinetId,
    label: &str,
    how: How,
) -> Result<Marked, LedgerError> {
    s.require("清查登记", Permission::Stocktaking)?;
    let code = label.trim().to_owned();
    if code.is_empty() {
        return bad(("请扫描或输入份号标签", "Scan or type a copy label"));
    }
    let copy_id = parse_label(&code);
    let mut voided_registration = false;
    s.write_many(|w| {
        let (round_no, all) = open_round(w, id)?;
        if !covers(w.tx, id, all, cabinet)? {
            return bad((
                "该专柜不在本次清查范围内",
                "That cabinet is not part of this round",
            ));
        }
        let copy: Option<(LedgerCopy, u32, String)> = match copy_id {
            None => None,
            Some(c) => {
                w.tx.prepare_cached(
                    "SELECT c.state, c.cabinet_id, c.copy_no, d.title, d.voided_at IS NOT NULL \
                     FROM copies c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
                )?
                .query_row([c], |r| {
                    Ok((
                        LedgerCopy {
                            copy_id: c,
                            state: code_col(r, 0, CopyState::from_code)?,
                            cabinet: r.get(1)?,
                            home_cabinet: None,
                        },
                        r.get(2)?,
                        r.get(3)?,
                        r.get::<_, bool>(4)?,
                    ))
                })
                .optional()?
                .map(|(c, n, t, voided)| {
                    voided_registration = voided;
                    (c, n, t)
                })
            }
        };
        let known = copy.as_ref().map(|(c, _, _)| c.copy_id);
        let already: bool =
            w.tx.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM stocktake_marks WHERE stocktake_id = ?1 \
                 AND withdrawn_at IS NULL AND (copy_id = ?2 OR (?2 IS NULL AND code = ?3)))",
            )?
            .query_row(params![id.0, known, code], |r| r.get(0))?;
        let outcome = if voided_registration {
            Outcome::Unexpected
        } else {
            judge(copy.as_ref().map(|(c, _, _)| c), cabinet.0)
        };
        let name = match &copy {
            Some((_, n, title)) => format!("《{title}》第{n}份"),
            None => format!("标签 {code}"),
        };
        let name_en = match &copy {
            Some((_, n, title)) => format!("《{title}》 copy {n}"),
            None => format!("label {code}"),
        };
        let why = match (&copy, outcome) {
            (None, _) => (
                "台账中没有此份号".to_owned(),
                "not in the ledger".to_owned(),
            ),
            (Some(_), _) if voided_registration => (
                "账外：所属登记已作废".to_owned(),
                "unexpected: its registration is voided".to_owned(),
            ),
            (Some(_), Outcome::Found) => ("在位".to_owned(), "found".to_owned()),
            (Some((c, _, _)), Outcome::WrongCabinet) => {
                let code = c
                    .cabinet
                    .and_then(|k| cabinets::get_in(w.tx, CabinetId(k)).ok())
                    .map(|k| k.code)
                    .unwrap_or_default();
                (
                    format!("位置不符：台账记在专柜 {code}"),
                    format!("wrong cabinet: the ledger has it in {code}"),
                )
            }
            (Some((c, _, _)), _) => (
                format!("账外：台账记为“{}”", c.state.label_zh()),
                format!("unexpected: the ledger has it {}", c.state.label_en()),
            ),
        };
        if already {
            return Ok((
                Marked {
                    outcome,
                    copy: known.map(CopyId),
                    already: true,
                    text: Message::new(
                        format!("{name}已登记过（{}）", why.0),
                        format!("{name_en} was marked already ({})", why.1),
                    ),
                },
                Vec::new(),
            ));
        }
        w.tx.prepare_cached(
            "INSERT INTO stocktake_marks (stocktake_id, cabinet_id, copy_id, code, how, outcome, \
             ledger_state, expected_cabinet_id, at, user_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            id.0,
            cabinet.0,
            known,
            code,
            match how {
                How::Scan => "scan",
                How::Tick => "tick",
            },
            outcome.code(),
            copy.as_ref().map(|(c, _, _)| c.state.code()).unwrap_or(""),
            copy.as_ref().and_then(|(c, _, _)| c.cabinet),
            w.at(),
            w.user.0
        ])?;
        Ok((
            Marked {
                outcome,
                copy: known.map(CopyId),
                already: false,
                text: Message::new(
                    format!("{name}：{}", why.0),
                    format!("{name_en}: {}", why.1),
                ),
            },
            vec![Event::new(
                AuditAction::StocktakeMark,
                id.0,
                json!({"round_no": round_no, "copy_id": known, "code": code,
                       "cabinet_id": cabinet.0, "outcome": outcome.code()}),
            )],
        ))
    })
}

/// Withdraws a mark made by mistake (the round still open); the mark's row stays.
pub fn unmark(s: &mut Session, id: StocktakeId, label: &str) -> Result<(), LedgerError> {
    s.require("撤回清查登记", Permission::Stocktaking)?;
    let code = label.trim().to_owned();
    let copy = parse_label(&code);
    s.write(|w| {
        let (round_no, _) = open_round(w, id)?;
        let n = w.tx.execute(
            "UPDATE stocktake_marks SET withdrawn_at = ?4 WHERE stocktake_id = ?1 \
             AND withdrawn_at IS NULL AND (copy_id = ?2 OR (copy_id IS NULL AND code = ?3))",
            params![id.0, copy, code, w.at()],
        )?;
        if n == 0 {
            return bad((
                "本次清查没有登记过这个标签",
                "That label was not marked in this round",
            ));
        }
        Ok((
            (),
            Event::new(
                AuditAction::StocktakeUnmark,
                id.0,
                json!({"round_no": round_no, "copy_id": copy, "code": code}),
            ),
        ))
    })
}

fn round_of(conn: &rusqlite::Connection, id: StocktakeId) -> Result<Round, LedgerError> {
    let mut round = conn
        .query_row(
            "SELECT s.id, s.round_no, s.all_cabinets, s.state, s.note, s.started_at, u.login, \
             s.closed_at, s.close_note FROM stocktakes s JOIN users u ON u.id = s.started_by \
             WHERE s.id = ?1",
            [id.0],
            |r| {
                Ok(Round {
                    id: StocktakeId(r.get(0)?),
                    round_no: r.get(1)?,
                    all_cabinets: r.get(2)?,
                    cabinets: Vec::new(),
                    state: code_col(r, 3, RoundState::from_code)?,
                    note: r.get(4)?,
                    started_at: r.get(5)?,
                    started_by: r.get(6)?,
                    closed_at: r.get(7)?,
                    close_note: r.get(8)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(Message::from(format!("没有 stocktake-{} 这次清查", id.0)))
        })?;
    let mut stmt = conn.prepare(
        "SELECT k.id, k.code FROM stocktake_cabinets x JOIN cabinets k ON k.id = x.cabinet_id \
         WHERE x.stocktake_id = ?1 ORDER BY k.code",
    )?;
    round.cabinets = stmt
        .query_map([id.0], |r| Ok((CabinetId(r.get(0)?), r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(round)
}

/// One round.
pub fn get(s: &Session, id: StocktakeId) -> Result<Round, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    round_of(s.conn(), id)
}

/// The classification now, from the ledger and the marks.
fn classify_now(conn: &rusqlite::Connection, round: &Round) -> Result<Vec<Line>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.state, c.cabinet_id, CASE WHEN c.state = 'in_cabinet' THEN c.cabinet_id \
         ELSE (SELECT e.cabinet_id FROM copy_events e WHERE e.copy_id = c.id \
               AND e.cabinet_id IS NOT NULL ORDER BY e.id DESC LIMIT 1) END \
         FROM copies c WHERE (c.state IN ('in_cabinet', 'borrowed', 'sent_out', 'in_meeting') \
           AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = c.document_id \
                           AND d.voided_at IS NOT NULL)) \
         OR c.id IN (SELECT copy_id FROM stocktake_marks WHERE stocktake_id = ?1 \
                     AND withdrawn_at IS NULL)",
    )?;
    let copies = stmt
        .query_map([round.id.0], |r| {
            Ok(LedgerCopy {
                copy_id: r.get(0)?,
                state: code_col(r, 1, CopyState::from_code)?,
                cabinet: r.get(2)?,
                home_cabinet: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT copy_id, code, cabinet_id, outcome, expected_cabinet_id, ledger_state \
         FROM stocktake_marks WHERE stocktake_id = ?1 AND withdrawn_at IS NULL ORDER BY id",
    )?;
    let found = stmt
        .query_map([round.id.0], |r| {
            let state: String = r.get(5)?;
            Ok(Found {
                copy_id: r.get(0)?,
                code: r.get(1)?,
                cabinet: r.get(2)?,
                judged: Some((
                    code_col(r, 3, Outcome::from_code)?,
                    r.get(4)?,
                    CopyState::from_code(&state),
                )),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let scope: std::collections::HashSet<i64> = round.cabinets.iter().map(|(k, _)| k.0).collect();
    Ok(classify(|k| scope.contains(&k), &copies, &found))
}

/// The frozen classification of a closed round.
fn frozen(conn: &rusqlite::Connection, id: StocktakeId) -> Result<Vec<Line>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT copy_id, code, outcome, expected_cabinet_id, found_cabinet_id, ledger_state \
         FROM stocktake_results WHERE stocktake_id = ?1",
    )?;
    let mut lines = stmt
        .query_map([id.0], |r| {
            let state: String = r.get(5)?;
            Ok(Line {
                copy_id: r.get(0)?,
                code: r.get(1)?,
                outcome: code_col(r, 2, Outcome::from_code)?,
                expected_cabinet: r.get(3)?,
                found_cabinet: r.get(4)?,
                ledger_state: CopyState::from_code(&state),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    lines.sort_by_key(|l| (l.outcome, l.copy_id));
    Ok(lines)
}

fn counts_of(lines: &[Line]) -> BTreeMap<Outcome, usize> {
    let mut counts = BTreeMap::new();
    for o in Outcome::ALL {
        counts.insert(o, 0);
    }
    for l in lines {
        *counts.entry(l.outcome).or_default() += 1;
    }
    counts
}

/// The round's report: live while open, as frozen once closed.
pub fn report(s: &Session, id: StocktakeId) -> Result<Report, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let conn = s.conn();
    let round = round_of(conn, id)?;
    let lines = if round.state == RoundState::Closed {
        frozen(conn, id)?
    } else {
        classify_now(conn, &round)?
    };
    let counts = counts_of(&lines);
    let cabinet_codes: HashMap<i64, String> = cabinets::list(s)?
        .into_iter()
        .map(|k| (k.id.0, k.code))
        .collect();
    let mut info: HashMap<i64, (DocumentId, String, String, u32, String)> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, d.id, d.title, coalesce(d.receipt_no, d.doc_no), c.copy_no, d.level, \
             d.period_kind, d.period_value FROM copies c JOIN documents d ON d.id = c.document_id \
             WHERE c.id = ?1",
        )?;
        for l in &lines {
            let Some(c) = l.copy_id else { continue };
            if let Some(row) = stmt
                .query_row([c], |r| {
                    let level = code_col(r, 5, Level::from_code)?;
                    let value: String = r.get(7)?;
                    let period = code_col(r, 6, |k| SecrecyPeriod::from_parts(k, &value))?;
                    Ok((
                        DocumentId(r.get(1)?),
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        marking(level, &period),
                    ))
                })
                .optional()?
            {
                info.insert(c, row);
            }
        }
    }
    let code_of = |k: Option<i64>| {
        k.and_then(|k| cabinet_codes.get(&k).cloned())
            .unwrap_or_default()
    };
    let lines = lines
        .into_iter()
        .map(|l| {
            let i = l.copy_id.and_then(|c| info.get(&c));
            ReportLine {
                outcome: l.outcome,
                copy: l.copy_id.map(CopyId),
                code: l.code,
                document: i.map(|x| x.0),
                title: i.map(|x| x.1.clone()).unwrap_or_default(),
                number: i.map(|x| x.2.clone()).unwrap_or_default(),
                copy_no: i.map(|x| x.3),
                marking: i.map(|x| x.4.clone()).unwrap_or_default(),
                expected_cabinet: code_of(l.expected_cabinet),
                found_cabinet: code_of(l.found_cabinet),
                ledger_state: l.ledger_state,
            }
        })
        .collect();
    let previous = conn
        .query_row(
            "SELECT id, round_no FROM stocktakes WHERE state = 'closed' AND id < ?1 \
             ORDER BY id DESC LIMIT 1",
            [id.0],
            |r| Ok((StocktakeId(r.get(0)?), r.get::<_, String>(1)?)),
        )
        .optional()?;
    let previous = match previous {
        Some((pid, no)) => Some((no, counts_of(&frozen(conn, pid)?))),
        None => None,
    };
    Ok(Report {
        round,
        lines,
        counts,
        previous,
    })
}

/// 完成清查: freezes every copy's outcome and closes the round. Returns the counts.
pub fn close(
    s: &mut Session,
    id: StocktakeId,
    note: &str,
) -> Result<BTreeMap<Outcome, usize>, LedgerError> {
    s.require("完成清查", Permission::Stocktaking)?;
    s.write(|w| {
        let (round_no, _) = open_round(w, id)?;
        let round = round_of(w.tx, id)?;
        let lines = classify_now(w.tx, &round)?;
        {
            let mut insert = w.tx.prepare_cached(
                "INSERT INTO stocktake_results (stocktake_id, copy_id, code, outcome, \
                 expected_cabinet_id, found_cabinet_id, ledger_state) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for l in &lines {
                insert.execute(params![
                    id.0,
                    l.copy_id,
                    l.code,
                    l.outcome.code(),
                    l.expected_cabinet,
                    l.found_cabinet,
                    l.ledger_state.map(|s| s.code()).unwrap_or("")
                ])?;
            }
        }
        w.tx.execute(
            "UPDATE stocktakes SET state = 'closed', closed_at = ?2, closed_by = ?3, \
             close_note = ?4 WHERE id = ?1",
            params![id.0, w.at(), w.user.0, note.trim()],
        )?;
        let counts = counts_of(&lines);
        let detail: serde_json::Map<String, serde_json::Value> = counts
            .iter()
            .map(|(o, n)| (o.code().to_owned(), json!(n)))
            .collect();
        Ok((
            counts,
            Event::new(
                AuditAction::StocktakeClose,
                id.0,
                json!({"round_no": round_no, "result": detail, "note": note.trim()}),
            ),
        ))
    })
}

/// 作废: a round started by mistake is cancelled with a reason (its marks stay, unused).
pub fn cancel(s: &mut Session, id: StocktakeId, reason: &str) -> Result<(), LedgerError> {
    s.require("作废清查", Permission::Stocktaking)?;
    if reason.trim().is_empty() {
        return bad(("请写明作废的原因", "Write why the round is cancelled"));
    }
    s.write(|w| {
        let (round_no, _) = open_round(w, id)?;
        w.tx.execute(
            "UPDATE stocktakes SET state = 'cancelled', closed_at = ?2, closed_by = ?3, \
             close_note = ?4 WHERE id = ?1",
            params![id.0, w.at(), w.user.0, reason.trim()],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::StocktakeCancel,
                id.0,
                json!({"round_no": round_no, "reason": reason.trim()}),
            ),
        ))
    })
}

/// Every round, newest first, with its counts (frozen for closed rounds; empty otherwise).
pub fn list(s: &Session) -> Result<Vec<(Round, Counts)>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let ids: Vec<StocktakeId> = {
        let mut stmt = s
            .conn()
            .prepare("SELECT id FROM stocktakes ORDER BY id DESC")?;
        stmt.query_map([], |r| Ok(StocktakeId(r.get(0)?)))?
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut out = Vec::new();
    for id in ids {
        let round = round_of(s.conn(), id)?;
        let counts = if round.state == RoundState::Closed {
            counts_of(&frozen(s.conn(), id)?)
        } else {
            BTreeMap::new()
        };
        out.push((round, counts));
    }
    Ok(out)
}

/// The open round, if any.
pub fn open(s: &Session) -> Result<Option<StocktakeId>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    Ok(s.conn()
        .query_row(
            "SELECT id FROM stocktakes WHERE state = 'open' LIMIT 1",
            [],
            |r| Ok(StocktakeId(r.get(0)?)),
        )
        .optional()?)
}

/// Each cabinet in use with the office date of its last closed round and whether that is
/// older than the warning (or there was none).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CabinetCheck {
    pub cabinet: CabinetId,
    pub code: String,
    pub last: Option<NaiveDate>,
    pub overdue: bool,
}

/// The last stock-taking of every cabinet in use (the dashboard's table).
pub fn last_by_cabinet(s: &Session) -> Result<Vec<CabinetCheck>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let warn = i64::from(warn_days(s)?);
    let today = s.today();
    let zone = s.zone();
    let mut stmt = s.conn().prepare(
        "SELECT k.id, k.code, (SELECT max(t.closed_at) FROM stocktakes t WHERE t.state = 'closed' \
           AND EXISTS (SELECT 1 FROM stocktake_cabinets x \
                WHERE x.stocktake_id = t.id AND x.cabinet_id = k.id)) \
         FROM cabinets k WHERE k.retired = 0 ORDER BY k.code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            CabinetId(r.get(0)?),
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (cabinet, code, at) = row?;
        let last = at
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| zone.date_of(t.with_timezone(&chrono::Utc)));
        let overdue = last.is_none_or(|d| (today - d).num_days() > warn);
        out.push(CabinetCheck {
            cabinet,
            code,
            last,
            overdue,
        });
    }
    Ok(out)
}

/// The copies a round expects in `cabinet` and whether each is marked (the tick list).
pub fn expected_in(
    s: &Session,
    id: StocktakeId,
    cabinet: CabinetId,
) -> Result<Vec<(CopyId, String, bool)>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(
        "SELECT c.id, d.title, c.copy_no, EXISTS (SELECT 1 FROM stocktake_marks m \
           WHERE m.stocktake_id = ?1 AND m.copy_id = c.id AND m.withdrawn_at IS NULL) \
         FROM copies c JOIN documents d ON d.id = c.document_id \
         WHERE c.state = 'in_cabinet' AND c.cabinet_id = ?2 AND d.voided_at IS NULL \
         ORDER BY d.id, c.copy_no",
    )?;
    let rows = stmt.query_map(params![id.0, cabinet.0], |r| {
        Ok((
            CopyId(r.get(0)?),
            format!("《{}》第{}份", r.get::<_, String>(1)?, r.get::<_, u32>(2)?),
            r.get(3)?,
        ))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
