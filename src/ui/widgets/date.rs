//! Date fields: a date is typed as `2026-11-27` or picked from a month calendar that marks the
//! office's holidays (休) and make-up working days (班) as the working-day calendar has them.
//!
//! Not egui_extras' `DatePickerButton`: its words are English only ("Save", "Cancel", "Mo",
//! "January", its hover texts), its button carries a glyph the embedded font lacks, and it
//! cannot show the office calendar a custodian checks a due date against.

use std::sync::Arc;

use chrono::{Datelike, Days, Months, NaiveDate};
use egui::{Color32, RichText, Ui};

use super::{DANGER, row_label, row_width};
use crate::domain::calendar::{Calendar, DayKind};
use crate::ui::i18n::Lang;

/// The office's date and calendar, published by the main window each frame for the date
/// fields of every screen (the widgets know no session).
#[derive(Clone)]
pub struct OfficeDays {
    pub today: NaiveDate,
    pub calendar: Arc<Calendar>,
}

fn key() -> egui::Id {
    egui::Id::unique("baomi_office_days")
}

/// Makes the office's date and calendar known to the date fields drawn after this call.
pub fn publish(ctx: &egui::Context, days: OfficeDays) {
    ctx.data_mut(|d| d.insert_temp(key(), days));
}

fn office_days(ctx: &egui::Context) -> Option<OfficeDays> {
    ctx.data(|d| d.get_temp::<OfficeDays>(key()))
}

/// Reads a date typed as `2026-11-27` (spaces around it ignored).
pub fn read(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// A date row of a two-column [`egui::Grid`]: the label, the field and its calendar button.
/// Returns the field's response (changed when a day is picked too).
pub fn date_row(ui: &mut Ui, lang: Lang, label: &str, text: &mut String) -> egui::Response {
    let l = row_label(ui, label);
    let width = row_width(ui);
    let r = date_cell(ui, lang, label, text, width).labelled_by(l.id);
    ui.end_row();
    r
}

/// A date field and its calendar button in one cell of a grid, `width` wide at most (a
/// `ui.horizontal` would take all the width there is and widen the grid, and its dialog).
pub fn date_cell(
    ui: &mut Ui,
    lang: Lang,
    id_salt: &str,
    text: &mut String,
    width: f32,
) -> egui::Response {
    ui.allocate_ui_with_layout(
        egui::vec2(width, ui.spacing().interact_size.y),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| date_edit(ui, lang, id_salt, text, (width - 64.0).clamp(96.0, 130.0)),
    )
    .inner
}

/// A date field of `width` and its calendar button (a filter bar's 自 / 至).
pub fn date_edit(
    ui: &mut Ui,
    lang: Lang,
    id_salt: &str,
    text: &mut String,
    width: f32,
) -> egui::Response {
    let mut field = ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(lang.tr("年-月-日", "YYYY-MM-DD"))
            .desired_width(width),
    );
    let button = ui
        .button(lang.tr("日历", "Calendar"))
        .on_hover_text(lang.tr("从日历中选择日期", "Pick the date from a calendar"));
    let popup_id = ui.make_persistent_id(("date_popup", id_salt));
    if button.clicked() {
        let shown = read(text)
            .or_else(|| office_days(ui.ctx()).map(|d| d.today))
            .map(first_of_month);
        ui.data_mut(|d| d.insert_temp(popup_id, shown));
    }
    // Inside a dialog the calendar stays above it (see `combo_box`).
    let layer = ui.layer_id();
    if layer.order == egui::Order::Foreground {
        let list = egui::LayerId::new(egui::Order::Foreground, popup_id);
        ui.ctx().set_sublayer(layer, list);
    }
    // The button opens and closes it (`Popup::menu` toggles on a click).
    let picked = egui::Popup::menu(&button)
        .id(popup_id)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show(|ui| month_ui(ui, lang, popup_id, read(text)))
        .and_then(|r| r.inner);
    if let Some(day) = picked {
        *text = day.format("%Y-%m-%d").to_string();
        field.mark_changed();
        egui::Popup::close_id(ui.ctx(), popup_id);
    }
    field
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// One month: 上一月 / 下一月, the weekdays, the days. Returns the day clicked.
fn month_ui(
    ui: &mut Ui,
    lang: Lang,
    popup_id: egui::Id,
    selected: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let days = office_days(ui.ctx());
    let today = days.as_ref().map(|d| d.today);
    let calendar = days.map(|d| d.calendar);
    let fallback = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a valid date");
    let mut month = ui
        .data(|d| d.get_temp::<Option<NaiveDate>>(popup_id))
        .flatten()
        .or(today.map(first_of_month))
        .unwrap_or(fallback);
    let mut picked = None;
    ui.horizontal(|ui| {
        if ui.button(lang.tr("上一月", "Previous")).clicked() {
            month = month - Months::new(1);
        }
        let title = match lang {
            Lang::Zh => format!("{}年{}月", month.year(), month.month()),
            Lang::En => month.format("%B %Y").to_string(),
        };
        ui.add_sized(
            [110.0, 20.0],
            egui::Label::new(RichText::new(title).strong()),
        );
        if ui.button(lang.tr("下一月", "Next")).clicked() {
            month = month + Months::new(1);
        }
        if let Some(t) = today
            && ui.button(lang.tr("今天", "Today")).clicked()
        {
            picked = Some(t);
        }
    });
    ui.data_mut(|d| d.insert_temp(popup_id, Some(month)));
    let names = match lang {
        Lang::Zh => ["一", "二", "三", "四", "五", "六", "日"],
        Lang::En => ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"],
    };
    let cell = egui::vec2(38.0, 30.0);
    egui::Grid::new(popup_id.with("grid"))
        .spacing([2.0, 2.0])
        .show(ui, |ui| {
            for n in names {
                ui.add_sized(cell, egui::Label::new(RichText::new(n).weak()));
            }
            ui.end_row();
            let lead = month.weekday().num_days_from_monday();
            for _ in 0..lead {
                ui.allocate_space(cell);
            }
            let mut column = lead;
            let mut d = month;
            while d.month() == month.month() {
                let kind = calendar
                    .as_ref()
                    .map_or_else(|| weekend_only(d), |c| c.day_kind(d));
                if day_button(
                    ui,
                    lang,
                    d,
                    kind,
                    Some(d) == selected,
                    Some(d) == today,
                    cell,
                )
                .clicked()
                {
                    picked = Some(d);
                }
                column += 1;
                if column == 7 {
                    ui.end_row();
                    column = 0;
                }
                d = d + Days::new(1);
            }
        });
    ui.label(
        RichText::new(lang.tr(
            "红色：休息日；“休”：法定节假日；“班”：调休上班日",
            "Red: rest days; H: public holiday; W: make-up working day",
        ))
        .small()
        .weak(),
    );
    picked
}

fn weekend_only(d: NaiveDate) -> DayKind {
    if d.weekday().num_days_from_monday() >= 5 {
        DayKind::Weekend
    } else {
        DayKind::Workday
    }
}

fn day_button(
    ui: &mut Ui,
    lang: Lang,
    d: NaiveDate,
    kind: DayKind,
    selected: bool,
    today: bool,
    size: egui::Vec2,
) -> egui::Response {
    let mark = match kind {
        DayKind::Holiday => lang.tr("休", "H"),
        DayKind::MakeUpWorkday => lang.tr("班", "W"),
        DayKind::Workday | DayKind::Weekend => "",
    };
    let mut text = RichText::new(format!("{}{mark}", d.day()));
    if !kind.is_working() {
        text = text.color(DANGER);
    }
    if today {
        text = text.strong().underline();
    }
    let mut button = egui::Button::selectable(selected, text);
    if kind == DayKind::MakeUpWorkday {
        button = button.stroke(egui::Stroke::new(1.0, Color32::GRAY));
    }
    // Read out (and found by tests) as the date and what kind of day it is.
    let mut full = d.format("%Y-%m-%d").to_string();
    match kind {
        DayKind::Holiday => full.push_str(lang.tr(" 放假", " public holiday")),
        DayKind::MakeUpWorkday => full.push_str(lang.tr(" 调休上班", " make-up working day")),
        DayKind::Weekend => full.push_str(lang.tr(" 休息日", " weekend")),
        DayKind::Workday => {}
    }
    let r = ui.add_sized(size, button);
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &full));
    r.on_hover_text(full)
}
