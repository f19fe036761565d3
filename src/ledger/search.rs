//! Searching the ledger: Chinese substrings over title, 文号, receipt number, issuing unit and
//! remarks, with filters, ranking, sorting and paging.
//!
//! Every term goes through an FTS5 index: a term of three characters or more through the trigram
//! index (`documents_fts`), a shorter one through the single-character index (`documents_chars`,
//! as a phrase of its characters), each candidate then checked for the exact substring. The
//! user's text is always quoted: it is never query syntax.
//! Ranking: matches in the title first, then matches elsewhere; newest first within each.

use crate::domain::Permission;
use rusqlite::types::Value;
use serde::Serialize;

use super::cabinets::CabinetId;
use super::documents::{self, Document, DocumentId};
use super::{LedgerError, Session};
use crate::domain::copy_state::CopyState;
use crate::domain::level::{Category, Level};

/// Narrowing the register.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub level: Option<Level>,
    /// Documents with at least one copy in this state.
    pub state: Option<CopyState>,
    /// Documents with at least one copy in this cabinet.
    pub cabinet: Option<CabinetId>,
    /// Year received (incoming) or dated (outgoing).
    pub year: Option<i32>,
    pub category: Option<Category>,
    /// `incoming` or `outgoing`.
    pub direction: Option<&'static str>,
}

/// The column the results are sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Ranked: title matches first, then newest first (the default).
    #[default]
    Relevance,
    ReceiptNo,
    DocNo,
    Title,
    Level,
    Dated,
    IssuingUnit,
    ReceivedOn,
}

/// A search: text, filters and order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub text: String,
    pub filters: Filters,
    pub sort: SortKey,
    /// Ascending when true (ignored for [`SortKey::Relevance`]).
    pub ascending: bool,
}

/// One page of results and how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<Document>,
}

/// The shortest term the trigram index can answer.
pub const TRIGRAM_MIN_CHARS: usize = 3;

/// An FTS5 phrase for a term: double quotes doubled, so the user's text is never syntax.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The characters of a short term that the single-character index surely holds as tokens
/// (Chinese characters, ASCII letters and digits), spaced; the rest (punctuation, symbols) are
/// left to the exact-substring check. Empty when none is left: the term is then checked by scan.
fn char_phrase(term: &str) -> String {
    let indexed = |c: &char| {
        c.is_ascii_alphanumeric()
            || ('\u{4e00}'..='\u{9fff}').contains(c)
            || ('\u{3400}'..='\u{4dbf}').contains(c)
    };
    let kept: String = term.chars().filter(indexed).collect();
    crate::vault::spaced_chars(&kept)
}

/// Whether the trigram index can answer the term.
fn is_long(term: &str) -> bool {
    term.chars().count() >= TRIGRAM_MIN_CHARS
}

/// A query as SQL: `FROM … WHERE …`, the `ORDER BY` terms, and the parameters.
struct Built {
    from_where: String,
    order: String,
    params: Vec<Value>,
}

impl Built {
    fn select_ids(&self) -> String {
        format!("SELECT d.id {} ORDER BY {}", self.from_where, self.order)
    }
}

/// Builds the SQL for the query.
fn build(q: &Query) -> Built {
    let terms: Vec<&str> = q.text.split_whitespace().collect();
    let mut params: Vec<Value> = Vec::new();
    let mut from = String::from("FROM documents d");
    let mut wheres: Vec<String> = Vec::new();
    // The relevance tier: 0 when the title holds every term, 1 otherwise.
    let mut tier = String::new();
    if !terms.is_empty() {
        let title_all = terms
            .iter()
            .map(|t| {
                params.push(Value::Text((*t).to_owned()));
                format!("instr(d.title, ?{}) > 0", params.len())
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        let long: Vec<&str> = terms.iter().copied().filter(|t| is_long(t)).collect();
        let short: Vec<&str> = terms.iter().copied().filter(|t| !is_long(t)).collect();
        if !long.is_empty() {
            let phrase = long
                .iter()
                .map(|t| fts_phrase(t))
                .collect::<Vec<_>>()
                .join(" AND ");
            params.push(Value::Text(phrase));
            from.push_str(&format!(
                " JOIN (SELECT rowid AS rid FROM documents_fts WHERE documents_fts MATCH ?{}) m \
                 ON m.rid = d.id",
                params.len()
            ));
        }
        if !short.is_empty() {
            let phrases: Vec<String> = short
                .iter()
                .map(|t| char_phrase(t))
                .filter(|p| !p.is_empty())
                .map(|p| fts_phrase(&p))
                .collect();
            if !phrases.is_empty() {
                params.push(Value::Text(phrases.join(" AND ")));
                from.push_str(&format!(
                    " JOIN (SELECT rowid AS cid FROM documents_chars WHERE documents_chars MATCH ?{}) c1 \
                     ON c1.cid = d.id",
                    params.len()
                ));
            }
            // The character index ignores punctuation and case: check the exact substring.
            for t in short {
                params.push(Value::Text(t.to_owned()));
                let p = params.len();
                wheres.push(format!(
                    "(instr(d.title, ?{p}) OR instr(d.doc_no, ?{p}) \
                     OR instr(coalesce(d.receipt_no, ''), ?{p}) \
                     OR instr(d.issuing_unit, ?{p}) OR instr(d.remarks, ?{p}))"
                ));
            }
        }
        tier = format!("CASE WHEN {title_all} THEN 0 ELSE 1 END, ");
    }
    let f = &q.filters;
    if let Some(l) = f.level {
        params.push(Value::Text(l.code().into()));
        wheres.push(format!("d.level = ?{}", params.len()));
    }
    if let Some(c) = f.category {
        params.push(Value::Text(c.code().into()));
        wheres.push(format!("d.category = ?{}", params.len()));
    }
    if let Some(dir) = f.direction {
        params.push(Value::Text(dir.into()));
        wheres.push(format!("d.direction = ?{}", params.len()));
    }
    if let Some(y) = f.year {
        params.push(Value::Text(format!("{y:04}")));
        wheres.push(format!(
            "substr(coalesce(d.received_on, d.dated), 1, 4) = ?{}",
            params.len()
        ));
    }
    if let Some(st) = f.state {
        params.push(Value::Text(st.code().into()));
        wheres.push(format!(
            "EXISTS (SELECT 1 FROM copies c WHERE c.document_id = d.id AND c.state = ?{})",
            params.len()
        ));
    }
    if let Some(cab) = f.cabinet {
        params.push(Value::Integer(cab.0));
        wheres.push(format!(
            "EXISTS (SELECT 1 FROM copies c WHERE c.document_id = d.id AND c.cabinet_id = ?{})",
            params.len()
        ));
    }
    let dir = if q.ascending { "ASC" } else { "DESC" };
    let order = match q.sort {
        SortKey::Relevance => format!("{tier}d.id DESC"),
        SortKey::ReceiptNo => format!(
            "d.receipt_no IS NULL, substr(d.received_on, 1, 4) {dir}, \
             length(d.receipt_no) {dir}, d.receipt_no {dir}, d.id {dir}"
        ),
        SortKey::DocNo => format!("d.doc_no = '', d.doc_no {dir}, d.id {dir}"),
        SortKey::Title => format!("d.title {dir}, d.id {dir}"),
        SortKey::Level => format!(
            "CASE d.level WHEN 'juemi' THEN 3 WHEN 'jimi' THEN 2 WHEN 'mimi' THEN 1 ELSE 0 END {dir}, \
             d.id {dir}"
        ),
        SortKey::Dated => format!("d.dated {dir}, d.id {dir}"),
        SortKey::IssuingUnit => format!("d.issuing_unit = '', d.issuing_unit {dir}, d.id {dir}"),
        SortKey::ReceivedOn => format!("d.received_on IS NULL, d.received_on {dir}, d.id {dir}"),
    };
    let mut from_where = from;
    if !wheres.is_empty() {
        from_where.push_str(" WHERE ");
        from_where.push_str(&wheres.join(" AND "));
    }
    Built {
        from_where,
        order,
        params,
    }
}

/// For the ranked order without filters, the two tiers as FTS5 expressions: the title holds
/// every term; the terms are found, but not all in the title. Each tier is then read from the
/// index alone, newest first, stopping at the page's end.
fn fts_tiers(q: &Query) -> Option<(String, String)> {
    if q.sort != SortKey::Relevance || q.filters != Filters::default() {
        return None;
    }
    let terms: Vec<&str> = q.text.split_whitespace().collect();
    if terms.is_empty() || !terms.iter().all(|t| is_long(t)) {
        return None;
    }
    let join =
        |f: &dyn Fn(&str) -> String| terms.iter().map(|t| f(t)).collect::<Vec<_>>().join(" AND ");
    let all = join(&|t| fts_phrase(t));
    let title = join(&|t| format!("title : {}", fts_phrase(t)));
    Some((title.clone(), format!("({all}) NOT ({title})")))
}

fn fts_ids(
    s: &Session,
    expr: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<DocumentId>, LedgerError> {
    let mut stmt = s.conn().prepare_cached(
        "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?1 \
         ORDER BY rowid DESC LIMIT ?2 OFFSET ?3",
    )?;
    let rows = stmt.query_map(rusqlite::params![expr, limit, offset], |r| {
        Ok(DocumentId(r.get(0)?))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn fts_count(s: &Session, expr: &str) -> Result<usize, LedgerError> {
    let n: i64 = s
        .conn()
        .prepare_cached("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?1")?
        .query_row([expr], |r| r.get(0))?;
    Ok(n as usize)
}

/// The ids of every match, in order: what a virtualized table needs (it fetches the rows it
/// shows with [`documents_by_id`]).
pub fn search_ids(s: &Session, q: &Query) -> Result<Vec<DocumentId>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    if let Some((title, rest)) = fts_tiers(q) {
        let mut ids = fts_ids(s, &title, -1, 0)?;
        ids.extend(fts_ids(s, &rest, -1, 0)?);
        return Ok(ids);
    }
    let b = build(q);
    let mut stmt = s.conn().prepare_cached(&b.select_ids())?;
    let rows = stmt.query_map(rusqlite::params_from_iter(b.params), |r| {
        Ok(DocumentId(r.get(0)?))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The longest search text: a title is at most a few dozen characters; a longer text is a
/// paste by mistake (32 000 words once built a 6 MB statement).
pub const MAX_QUERY_CHARS: usize = 200;

/// One page of results (`offset`, at most `limit` rows) and the total number of matches.
pub fn search(s: &Session, q: &Query, offset: usize, limit: usize) -> Result<Page, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    if q.text.chars().count() > MAX_QUERY_CHARS {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!("搜索内容太长：最多 {MAX_QUERY_CHARS} 个字"),
            format!("The search text is too long: at most {MAX_QUERY_CHARS} characters"),
        )));
    }
    let (total, ids) = if let Some((title, rest)) = fts_tiers(q) {
        let in_title = fts_count(s, &title)?;
        let total = in_title + fts_count(s, &rest)?;
        let (limit_i, offset_i) = (limit as i64, offset as i64);
        let mut ids = Vec::new();
        if offset < in_title {
            ids = fts_ids(s, &title, limit_i, offset_i)?;
        }
        if ids.len() < limit {
            let skip = offset.saturating_sub(in_title) as i64;
            ids.extend(fts_ids(s, &rest, (limit - ids.len()) as i64, skip)?);
        }
        (total, ids)
    } else {
        // One pass over the matches: the count and the page come from the same scan.
        let all = search_ids(s, q)?;
        let page = all.iter().skip(offset).take(limit).copied().collect();
        (all.len(), page)
    };
    Ok(Page {
        total,
        offset,
        rows: documents_by_id(s, &ids)?,
    })
}

/// The documents with these ids, in the same order (missing ids are skipped).
pub fn documents_by_id(s: &Session, ids: &[DocumentId]) -> Result<Vec<Document>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s
        .conn()
        .prepare_cached(&format!("{} WHERE id = ?1", documents::SELECT_DOC))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let mut rows = stmt.query_map([id.0], documents::doc_from_row)?;
        if let Some(d) = rows.next() {
            out.push(d?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_never_fts_syntax() {
        assert_eq!(fts_phrase("a\"b OR c"), "\"a\"\"b OR c\"");
    }

    #[test]
    fn only_long_terms_take_the_index_only_path() {
        let q = |t: &str| Query {
            text: t.into(),
            ..Query::default()
        };
        assert!(fts_tiers(&q("保密工作")).is_some());
        assert!(fts_tiers(&q("保密")).is_none());
        assert!(fts_tiers(&q("保密工作 通知")).is_none());
        assert!(build(&q("保密")).from_where.contains("documents_chars"));
        assert!(!build(&q("%")).from_where.contains("documents_chars"));
        assert_eq!(char_phrase("5%"), "5");
        assert_eq!(char_phrase("〔1"), "1");
        assert_eq!(char_phrase("保密"), "保 密");
    }
}
