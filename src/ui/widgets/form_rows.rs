//! Form rows the registration forms share (收文登记, 修改登记, 发文拟稿): title, 成文日期, level
//! and secrecy period, category; each reads the text typed and lets `domain` check it.

use chrono::NaiveDate;
use egui::Ui;

use super::{combo_row, field_row};
use crate::domain::Message;
use crate::domain::level::{Category, Level};
use crate::domain::marking::SecrecyPeriod;
use crate::ui::i18n::Lang;

/// What every registration form asks the same way: a title, 成文日期, the secrecy period
/// (checked against the level) and the number of pages.
pub fn parse_common(
    title: &str,
    dated: &str,
    (period_kind, period_value): (&str, &str),
    level: Level,
    pages: &str,
) -> Result<(NaiveDate, SecrecyPeriod, u32), Message> {
    if title.trim().is_empty() {
        return Err(Message::new("请填写标题", "Write the title"));
    }
    let dated = parse_date(dated, ("成文日期", "the date of the document"))?;
    let period = parse_period(period_kind, period_value, level, dated)?;
    let pages: u32 = pages
        .trim()
        .parse()
        .map_err(|_| Message::new("页数请填写数字", "Write the pages as a number"))?;
    Ok((dated, period, pages))
}

/// The period a form describes, read and checked by the domain (R2.2).
pub fn parse_period(
    kind: &str,
    value: &str,
    level: Level,
    dated: NaiveDate,
) -> Result<SecrecyPeriod, Message> {
    SecrecyPeriod::from_form(kind, value, level, dated)
        .map_err(|e| crate::domain::Explain::message(&e))
}

/// The category (R2.1) row of a form.
pub fn category_row(ui: &mut Ui, lang: Lang, category: &mut Category) {
    combo_row(
        ui,
        lang.tr("类别", "Category"),
        "category",
        lang.label(*category),
        |ui| {
            for c in Category::ALL {
                ui.selectable_value(category, c, lang.label(c));
            }
        },
    );
}

/// The level and period rows of a form.
pub fn level_period_rows(
    ui: &mut Ui,
    lang: Lang,
    level: &mut Level,
    kind: &mut &'static str,
    value: &mut String,
) {
    combo_row(
        ui,
        lang.tr("密级", "Level"),
        "level",
        lang.label(*level),
        |ui| {
            for l in Level::ALL {
                ui.selectable_value(level, l, lang.label(l));
            }
        },
    );
    let kind_label = crate::domain::marking::PERIOD_KINDS
        .iter()
        .find(|k| k.0 == *kind)
        .map(|k| lang.tr(k.1, crate::domain::marking::period_kind_en(k.0)))
        .unwrap_or("");
    combo_row(
        ui,
        lang.tr("保密期限", "Secrecy period"),
        "period_kind",
        kind_label,
        |ui| {
            for (code, label) in crate::domain::marking::PERIOD_KINDS {
                ui.selectable_value(
                    kind,
                    code,
                    lang.tr(label, crate::domain::marking::period_kind_en(code)),
                );
            }
        },
    );
    if matches!(*kind, "years" | "months" | "until" | "condition") {
        field_row(ui, lang.tr("期限值", "Period value"), value, false);
    }
}

/// Reads a date field; `what` names it in Chinese and in English.
pub fn parse_date(t: &str, (zh, en): (&str, &str)) -> Result<NaiveDate, Message> {
    NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
        Message::new(
            format!("{zh}应写成 2026-03-01 的形式"),
            format!("Write {en} as 2026-03-01"),
        )
    })
}
