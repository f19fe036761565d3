//! Exporting and printing a register (issue 10): the current filtered view of a list as `.xlsx`
//! (Chinese headers, widths, frozen header, dates as dates, a title block with the unit, the
//! most classified level shown, the time and who exported), CSV (UTF-8 with BOM, for Excel and
//! WPS) or an A4 landscape PDF (page numbers, the audit chain's head). A file goes only where the
//! user chose, is created 0600 beside its final name and renamed; the export is audited once the
//! file is in place, with what it holds.

use crate::domain::Permission;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::printing::PrintTarget;
use super::reports::{self, Cell, Register, Report};
use super::{AuditAction, Event, LedgerError, Session, settings};

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    /// A4 landscape.
    Pdf,
}

impl Format {
    /// Parses `xlsx`, `csv` or `pdf`.
    pub fn from_code(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Pdf => "pdf",
        }
    }
}

/// What the export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// For the screen or the terminal.
    pub summary: crate::domain::Message,
    pub rows: usize,
}

/// Who and when, printed on every export.
struct Meta {
    unit: String,
    by: String,
    at: String,
    audit_head: String,
}

/// The export's file name proposed to the user: register, unit-free, date and time.
pub fn suggested_name(s: &Session, register: &Register, format: Format) -> String {
    // 2026-11-28 00:48 → 2026-11-28-0048: the date, then the time, apart.
    let at = s
        .zone()
        .minute_text(s.clock().now())
        .replace(':', "")
        .replace(' ', "-");
    format!("{}-{at}.{}", register.name(), format.extension())
}

/// Exports `register` (as filtered) to `path` in `format`. Custodian or auditor (the auditor
/// exports the audit log); audited after the file is in place.
pub fn export(
    s: &mut Session,
    register: &Register,
    format: Format,
    path: &Path,
) -> Result<Exported, LedgerError> {
    allowed(s, register)?;
    if path.as_os_str().is_empty() {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "请填写保存的文件名",
            "Write the file name to save to",
        )));
    }
    s.refuse_output_in_vault(path)?;
    let report = reports::build(s, register)?;
    let meta = meta(s)?;
    let bytes = match format {
        Format::Xlsx => xlsx(&report, &meta)?,
        Format::Csv => csv(&report, &meta),
        Format::Pdf => pdf(&report, &meta)?,
    };
    crate::fsutil::write_atomic(path, &bytes).map_err(|e| {
        LedgerError::Invalid(crate::domain::Message::new(
            format!("无法保存（{e}）：{}", path.display()),
            format!("Cannot save ({e}): {}", path.display()),
        ))
    })?;
    record(
        s,
        AuditAction::RegisterExport,
        register,
        &report,
        json!({"format": format.extension(), "path": path.display().to_string(),
               "bytes": bytes.len()}),
    )?;
    Ok(Exported {
        summary: crate::domain::Message::new(
            format!(
                "已导出{}（{} 行）：{}",
                report.title,
                report.rows.len(),
                path.display()
            ),
            format!("Exported {} rows: {}", report.rows.len(), path.display()),
        ),
        rows: report.rows.len(),
    })
}

/// Prints `register` (as filtered) as an A4 landscape PDF to the printer or a file; audited
/// once the destination accepted it.
pub fn print(
    s: &mut Session,
    register: &Register,
    to: &PrintTarget,
) -> Result<Exported, LedgerError> {
    allowed(s, register)?;
    let report = reports::build(s, register)?;
    let meta = meta(s)?;
    let bytes = pdf(&report, &meta)?;
    super::printing::deliver(s, &bytes, to)?;
    record(
        s,
        AuditAction::RegisterPrint,
        register,
        &report,
        json!({"target": to.describe()}),
    )?;
    Ok(Exported {
        summary: match to {
            PrintTarget::Printer => crate::domain::Message::new(
                format!("已送打印机：{}（{} 行）", report.title, report.rows.len()),
                format!("Sent to the printer: {} rows", report.rows.len()),
            ),
            PrintTarget::File(p) => crate::domain::Message::new(
                format!(
                    "已保存 {}：{}（{} 行）",
                    p.display(),
                    report.title,
                    report.rows.len()
                ),
                format!("Saved {} ({} rows)", p.display(), report.rows.len()),
            ),
        },
        rows: report.rows.len(),
    })
}

/// The audit log is the auditor's (and the custodian's) to export; the other registers the
/// custodian's.
fn allowed(s: &Session, register: &Register) -> Result<(), LedgerError> {
    match register {
        Register::Audit(_) => s.require("导出审计日志", Permission::ExportAuditLog),
        _ => s.require("导出登记表", Permission::PrintForms),
    }
}

fn meta(s: &Session) -> Result<Meta, LedgerError> {
    Ok(Meta {
        unit: settings::unit_name(s)?,
        by: s.user().name.clone(),
        at: s.zone().minute_text(s.clock().now()),
        audit_head: s.audit_head_hex()?,
    })
}

fn record(
    s: &mut Session,
    action: AuditAction,
    register: &Register,
    report: &Report,
    mut detail: serde_json::Value,
) -> Result<(), LedgerError> {
    detail["register"] = json!(register.code());
    detail["rows"] = json!(report.rows.len());
    detail["filter"] = json!(report.filter);
    detail["highest_level"] = json!(report.highest.map(|l| l.label_zh()));
    s.write(|_| Ok(((), Event::new(action, register.code(), detail))))
        .map_err(|e| {
            LedgerError::Invalid(crate::domain::Message::new(format!("文件已写出，但这次导出未能写入审计日志：{e}"
            ), format!("The file was written, but the export could not be recorded in the audit log: {e}"
            )))
        })
}

/// The title block's lines.
fn heading(report: &Report, meta: &Meta) -> (String, String) {
    let level = report.highest.map_or("无密级文件".to_owned(), |l| {
        format!("密级：{}", l.label_zh())
    });
    let title = format!("{}　{}", meta.unit, report.title);
    let mut sub = format!(
        "{level}　共 {} 行　{} 导出　导出人：{}",
        report.rows.len(),
        meta.at,
        meta.by
    );
    if !report.filter.is_empty() {
        sub.push_str(&format!("　条件：{}", report.filter));
    }
    (title, sub)
}

/// The report as an Excel workbook: a title block (unit and register, level, time, who), the
/// header row frozen below it, dates as dates.
fn xlsx(report: &Report, meta: &Meta) -> Result<Vec<u8>, LedgerError> {
    use rust_xlsxwriter::{ExcelDateTime, Format as Fx, FormatBorder, Workbook};
    let bad = |e: rust_xlsxwriter::XlsxError| {
        LedgerError::Invalid(crate::domain::Message::new(
            format!("无法生成 Excel 文件：{e}"),
            format!("Cannot make the Excel file: {e}"),
        ))
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(report.title.clone()).map_err(bad)?;
    let font = "宋体";
    let title_fmt = Fx::new().set_bold().set_font_size(14).set_font_name(font);
    let sub_fmt = Fx::new().set_font_name(font).set_font_size(10);
    let head_fmt = Fx::new()
        .set_bold()
        .set_font_name(font)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xE8EEF7);
    let cell_fmt = Fx::new().set_font_name(font).set_border(FormatBorder::Thin);
    let date_fmt = cell_fmt.clone().set_num_format("yyyy-mm-dd");
    let last_col = report.columns.len().saturating_sub(1) as u16;
    let (title, sub) = heading(report, meta);
    sheet
        .merge_range(0, 0, 0, last_col.max(1), &title, &title_fmt)
        .map_err(bad)?;
    sheet
        .merge_range(1, 0, 1, last_col.max(1), &sub, &sub_fmt)
        .map_err(bad)?;
    const HEAD: u32 = 2;
    for (i, c) in report.columns.iter().enumerate() {
        let i = i as u16;
        sheet.set_column_width(i, c.width).map_err(bad)?;
        sheet
            .write_string_with_format(HEAD, i, c.header, &head_fmt)
            .map_err(bad)?;
    }
    for (r, row) in report.rows.iter().enumerate() {
        let r = HEAD + 1 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => {
                    sheet
                        .write_string_with_format(r, c, t, &cell_fmt)
                        .map_err(bad)?;
                }
                Cell::Number(n) => {
                    sheet
                        .write_number_with_format(r, c, *n as f64, &cell_fmt)
                        .map_err(bad)?;
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let x =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(bad)?;
                    sheet
                        .write_date_with_format(r, c, x, &date_fmt)
                        .map_err(bad)?;
                }
                Cell::Empty => {
                    sheet.write_blank(r, c, &cell_fmt).map_err(bad)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(HEAD + 1, 0).map_err(bad)?;
    sheet.set_landscape().set_paper_size(9);
    sheet.set_repeat_rows(HEAD, HEAD).map_err(bad)?;
    sheet.set_footer(format!(
        "&C第 &P 页，共 &N 页　审计链末端 {}",
        short(&meta.audit_head)
    ));
    book.save_to_buffer().map_err(bad)
}

/// The report as CSV: UTF-8 with a BOM (Excel and WPS open it as Chinese), a comment line with
/// the title block, then the header and the rows; fields quoted where needed.
fn csv(report: &Report, meta: &Meta) -> Vec<u8> {
    fn field(t: &str) -> String {
        if t.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", t.replace('"', "\"\""))
        } else {
            t.to_owned()
        }
    }
    let (title, sub) = heading(report, meta);
    let mut out = String::from("\u{feff}");
    out.push_str(&field(&format!("{title}　{sub}")));
    out.push_str("\r\n");
    let head: Vec<String> = report.columns.iter().map(|c| field(c.header)).collect();
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    for row in &report.rows {
        let cells: Vec<String> = row.iter().map(|c| field(&c.text())).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn short(head: &str) -> &str {
    head.get(..16).unwrap_or(head)
}

/// The report as an A4 landscape PDF: the title block on the first page, the header on every
/// page, cells cut to their column with "…", page numbers and the audit chain's head in the
/// footer.
fn pdf(report: &Report, meta: &Meta) -> Result<Vec<u8>, LedgerError> {
    use crate::forms::{A4, pages};
    const MARGIN: f32 = 36.0;
    const ROW: f32 = 16.0;
    const SIZE: f32 = 8.5;
    let (w, h) = (A4.1, A4.0);
    let usable = w - 2.0 * MARGIN;
    let widths = column_widths(report, usable, SIZE)?;
    let first_top = MARGIN + 46.0;
    let top = MARGIN + 16.0;
    let bottom = h - MARGIN - 18.0;
    let first_rows = ((bottom - first_top - ROW) / ROW).floor().max(1.0) as usize;
    let other_rows = ((bottom - top - ROW) / ROW).floor().max(1.0) as usize;
    let n = report.rows.len();
    let page_count = if n <= first_rows {
        1
    } else {
        1 + (n - first_rows).div_ceil(other_rows)
    };
    let (title, sub) = heading(report, meta);
    let bytes = pages(&report.title, (w, h), page_count, |p, c| {
        let (start, count, mut y) = if p == 0 {
            c.text(MARGIN, MARGIN + 14.0, 14.0, &title);
            for (i, line) in c.measure.wrap(&sub, 9.0, usable).iter().take(2).enumerate() {
                c.text(MARGIN, MARGIN + 30.0 + 11.0 * i as f32, 9.0, line);
            }
            (0, first_rows, first_top)
        } else {
            c.text(
                MARGIN,
                MARGIN + 6.0,
                9.0,
                &format!("{}（续）", report.title),
            );
            (first_rows + (p - 1) * other_rows, other_rows, top)
        };
        let fit = |c: &crate::forms::Canvas<'_, '_>, t: &str, width: f32| -> String {
            let room = width - 4.0;
            if c.measure.width(t, SIZE) <= room {
                return t.to_owned();
            }
            let mut s = String::new();
            for ch in t.chars() {
                let mut next = s.clone();
                next.push(ch);
                next.push('…');
                if c.measure.width(&next, SIZE) > room {
                    break;
                }
                s.push(ch);
            }
            s.push('…');
            s
        };
        // Header.
        let mut x = MARGIN;
        c.line(MARGIN, y, MARGIN + usable, y, 0.8);
        for (col, width) in report.columns.iter().zip(&widths) {
            let t = fit(c, col.header, *width);
            c.text(x + 2.0, y + ROW - 4.5, SIZE, &t);
            x += width;
        }
        y += ROW;
        c.line(MARGIN, y, MARGIN + usable, y, 0.8);
        for row in report.rows.iter().skip(start).take(count) {
            let mut x = MARGIN;
            for (cell, width) in row.iter().zip(&widths) {
                let t = fit(c, &cell.text(), *width);
                c.text(x + 2.0, y + ROW - 4.5, SIZE, &t);
                x += width;
            }
            y += ROW;
            c.line(MARGIN, y, MARGIN + usable, y, 0.3);
        }
        c.text_centered(
            w / 2.0,
            h - MARGIN + 4.0,
            8.0,
            &format!(
                "第 {} 页，共 {page_count} 页　{}　审计链末端 {}",
                p + 1,
                meta.unit,
                short(&meta.audit_head)
            ),
        );
        y
    })
    .map_err(|e| LedgerError::Invalid(crate::domain::Message::from(e.to_string())))?;
    Ok(bytes)
}

/// The PDF's column widths: each column as wide as its widest cell (the first 2000 rows) and
/// its header; when that is more than the page holds, the short columns (dates, numbers,
/// codes) keep their width and the long ones (titles, units, numbers of documents) share the
/// rest in proportion, their text cut with "…".
fn column_widths(report: &Report, usable: f32, size: f32) -> Result<Vec<f32>, LedgerError> {
    let measure = crate::forms::Measure::new(crate::assets::NOTO_SANS_SC)
        .map_err(|e| LedgerError::Invalid(crate::domain::Message::from(e.to_string())))?;
    let pad = 6.0;
    let mut natural: Vec<f32> = report
        .columns
        .iter()
        .map(|c| measure.width(c.header, size) + pad)
        .collect();
    for row in report.rows.iter().take(2000) {
        for (n, cell) in natural.iter_mut().zip(row) {
            *n = n.max(measure.width(&cell.text(), size) + pad);
        }
    }
    let total: f32 = natural.iter().sum();
    if total <= usable {
        // Room to spare: the long columns get it.
        let extra = usable - total;
        let long: f32 = natural.iter().filter(|n| **n > 80.0).sum();
        return Ok(natural
            .iter()
            .map(|n| {
                if *n > 80.0 && long > 0.0 {
                    n + extra * n / long
                } else {
                    *n
                }
            })
            .collect());
    }
    let fixed: f32 = natural.iter().filter(|n| **n <= 80.0).sum();
    let long: f32 = natural.iter().filter(|n| **n > 80.0).sum();
    let room = (usable - fixed).max(0.0);
    Ok(natural
        .iter()
        .map(|n| {
            if *n <= 80.0 {
                *n
            } else {
                (room * n / long).max(40.0)
            }
        })
        .collect())
}

/// The default folder and name proposed for an export (the user's home).
pub fn default_path(s: &Session, register: &Register, format: Format) -> PathBuf {
    dirs::home_dir()
        .unwrap_or_default()
        .join(suggested_name(s, register, format))
}
