//! Searching the ledger: Chinese substrings over title, 文号, receipt number, issuing unit and
//! remarks, with filters, ranking, sorting and paging.
//!
//! Terms of three characters or more go through the FTS5 trigram index (`documents_fts`); a
//! query with a shorter term falls back to a LIKE scan, since a trigram index cannot answer it.
//! Ranking: matches in the title first, then matches elsewhere; newest first within each.

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

fn like_pattern(term: &str) -> String {
    format!(
        "%{}%",
        term.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// An FTS5 phrase for a term: double quotes doubled, so the user's text is never syntax.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
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
                params.push(Value::Text(like_pattern(t)));
                format!("d.title LIKE ?{} ESCAPE '\\'", params.len())
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        if terms.iter().all(|t| t.chars().count() >= TRIGRAM_MIN_CHARS) {
            let phrase = terms
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
        } else {
            for t in &terms {
                params.push(Value::Text(like_pattern(t)));
                let p = params.len();
                wheres.push(format!(
                    "(d.title LIKE ?{p} ESCAPE '\\' OR d.doc_no LIKE ?{p} ESCAPE '\\' \
                     OR coalesce(d.receipt_no, '') LIKE ?{p} ESCAPE '\\' \
                     OR d.issuing_unit LIKE ?{p} ESCAPE '\\' OR d.remarks LIKE ?{p} ESCAPE '\\')"
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

/// The ids of every match, in order: what a virtualized table needs (it fetches the rows it
/// shows with [`documents_by_id`]).
pub fn search_ids(s: &Session, q: &Query) -> Result<Vec<DocumentId>, LedgerError> {
    let b = build(q);
    let mut stmt = s.conn().prepare_cached(&b.select_ids())?;
    let rows = stmt.query_map(rusqlite::params_from_iter(b.params), |r| {
        Ok(DocumentId(r.get(0)?))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// One page of results (`offset`, at most `limit` rows) and the total number of matches.
pub fn search(s: &Session, q: &Query, offset: usize, limit: usize) -> Result<Page, LedgerError> {
    let b = build(q);
    let total: i64 = s
        .conn()
        .prepare_cached(&format!("SELECT count(*) {}", b.from_where))?
        .query_row(rusqlite::params_from_iter(b.params.iter()), |r| r.get(0))?;
    let sql = b.select_ids();
    let mut params = b.params;
    params.push(Value::Integer(limit as i64));
    params.push(Value::Integer(offset as i64));
    let n = params.len();
    let paged = format!("{sql} LIMIT ?{} OFFSET ?{n}", n - 1);
    let ids: Vec<DocumentId> = {
        let mut stmt = s.conn().prepare_cached(&paged)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok(DocumentId(r.get(0)?))
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    Ok(Page {
        total: total as usize,
        offset,
        rows: documents_by_id(s, &ids)?,
    })
}

/// The documents with these ids, in the same order (missing ids are skipped).
pub fn documents_by_id(s: &Session, ids: &[DocumentId]) -> Result<Vec<Document>, LedgerError> {
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
        assert_eq!(like_pattern("50%_x\\"), "%50\\%\\_x\\\\%");
    }

    #[test]
    fn short_terms_fall_back_to_like() {
        let q = Query {
            text: "保密".into(),
            ..Query::default()
        };
        assert!(!build(&q).from_where.contains("MATCH"));
        let q = Query {
            text: "保密工作".into(),
            ..Query::default()
        };
        assert!(build(&q).from_where.contains("MATCH"));
        let q = Query {
            text: "保密工作 通知".into(),
            ..Query::default()
        };
        assert!(
            !build(&q).from_where.contains("MATCH"),
            "one short term: LIKE for all"
        );
    }
}
