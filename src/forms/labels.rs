//! Copy labels: an A4 sheet of 3 × 8 labels (70 × 37 mm), one per numbered copy, each with a QR
//! code of the copy's id (`copy-N`, what `show` accepts and the 借阅 scan field reads), the
//! title shortened, the 份号 and the marking.

use super::{A4, PrintError, pages_a4};

/// One label.
pub struct Label {
    /// `copy-N`.
    pub id: String,
    pub title: String,
    pub copy_no: u32,
    pub marking: String,
    /// 收文编号 or 文号.
    pub number: String,
}

/// The labels of a document's copies that are still held (not destroyed, sent or returned).
pub fn for_document(
    d: &crate::ledger::documents::Document,
    copies: &[crate::ledger::documents::Copy],
) -> Vec<Label> {
    copies
        .iter()
        .filter(|c| !c.state.is_final() && c.state != crate::domain::copy_state::CopyState::SentOut)
        .map(|c| Label {
            id: format!("copy-{}", c.id.0),
            title: d.title.clone(),
            copy_no: c.copy_no,
            marking: d.marking.clone(),
            number: d.receipt_no.clone().unwrap_or_else(|| d.doc_no.clone()),
        })
        .collect()
}

/// Labels per sheet.
pub const PER_SHEET: usize = 24;
const MM: f32 = 72.0 / 25.4;

/// The label sheets as one PDF, [`PER_SHEET`] labels a page.
pub fn render(labels: &[Label]) -> Result<Vec<u8>, PrintError> {
    let (w, h) = (70.0 * MM, 37.0 * MM);
    let top = (A4.1 - 8.0 * h) / 2.0;
    let mut qr_error = None;
    let sheets: Vec<&[Label]> = labels.chunks(PER_SHEET).collect();
    let pdf = pages_a4("份号标签", sheets.len(), |page, c| {
        for (i, l) in sheets[page].iter().enumerate() {
            let (col, row) = ((i % 3) as f32, (i / 3) as f32);
            let (x, y) = (col * w, top + row * h);
            let q = 27.0 * MM;
            if let Err(e) = c.qr(x + 4.0 * MM, y + 5.0 * MM, q, &l.id) {
                qr_error = Some(e);
            }
            let tx = x + 4.0 * MM + q + 3.0 * MM;
            let tw = w - (tx - x) - 3.0 * MM;
            let mut ty = y + 9.0 * MM;
            for line in c.measure.wrap(&l.title, 8.0, tw).iter().take(2) {
                c.text(tx, ty, 8.0, line);
                ty += 11.0;
            }
            c.text(tx, ty + 2.0, 9.0, &format!("第{}份", l.copy_no));
            c.text(tx, ty + 14.0, 8.0, &l.marking);
            c.text(tx, ty + 25.0, 7.0, &l.number);
            c.text(tx, ty + 35.0, 7.0, &l.id);
        }
        top + 8.0 * h
    })?;
    match qr_error {
        Some(e) => Err(e),
        None => Ok(pdf),
    }
}
