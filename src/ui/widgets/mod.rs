//! Small widgets shared by screens.

pub mod date;
pub mod form_rows;
pub mod pickers;

pub use date::date_row;

use egui::{Color32, RichText, TextEdit, Ui};

/// A labelled single-line field in a two-column [`egui::Grid`]; the label names the field for
/// screen readers and tests.
pub fn field_row(ui: &mut Ui, label: &str, text: &mut String, password: bool) -> egui::Response {
    let l = row_label(ui, label);
    let r = ui
        .add(
            TextEdit::singleline(text)
                .password(password)
                .char_limit(if password { 256 } else { usize::MAX })
                .desired_width(row_width(ui)),
        )
        .labelled_by(l.id);
    if password {
        forget_history(ui.ctx(), r.id);
    }
    ui.end_row();
    r
}

/// Drops a secret field's undo history: egui keeps plain copies of every state of a text field
/// for Ctrl+Z, password fields included, for as long as the widget lives. Called each frame
/// after the field is drawn, so no earlier state of the secret stays in memory. (egui's memory
/// is never written to disk: `persist_egui_memory` is off.)
pub fn forget_history(ctx: &egui::Context, id: egui::Id) {
    if let Some(mut state) = TextEdit::load_state(ctx, id) {
        state.set_undoer(Default::default());
        state.store(ctx, id);
    }
}

/// The width of a form row's field: 420 points (a 30-character title shows whole), or what the row has left in a narrow panel
/// (a wider field would push the panel over the table beside it).
fn row_width(ui: &Ui) -> f32 {
    ui.available_width().clamp(120.0, 420.0)
}

/// A field's name in the first column of a form grid: on one line, even in a narrow panel
/// whose text wraps (a two-character name broken over two lines reads badly).
pub fn row_label(ui: &mut Ui, label: &str) -> egui::Response {
    ui.add(egui::Label::new(label).wrap_mode(egui::TextWrapMode::Extend))
}

/// An error message in red. A clause id the message cites ("（R3.1.3）") is not shown in the
/// text (a custodian reads the rule, not its number) but stays in the tooltip.
pub fn error_text(ui: &mut Ui, text: &str) {
    let (shown, clauses) = split_clauses(text);
    let r = ui.label(RichText::new(shown).color(DANGER));
    if !clauses.is_empty() {
        r.on_hover_text(format!("制度条款 / clause: {}", clauses.join(", ")));
    }
}

/// A dialog: modal, centred horizontally, its top at a fixed height. It grows downwards only,
/// so a hint or an error line appearing never moves the fields above it from under the pointer
/// (a centred modal re-centres and shifts every row by half a line).
pub fn dialog(id: &str) -> egui::Modal {
    let id = egui::Id::unique(id);
    egui::Modal::new(id)
        .area(egui::Modal::default_area(id).anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 32.0)))
}

/// The colour of refusals and risky actions.
pub const DANGER: Color32 = Color32::from_rgb(0xc0, 0x1c, 0x28);

/// Splits clause ids in parentheses ("（R3.1.3）", "(R3.5.1)", "（R3.1.3，R3.5.1）") out of a
/// message: the message without them, and the ids.
pub fn split_clauses(text: &str) -> (String, Vec<String>) {
    let mut shown = String::with_capacity(text.len());
    let mut clauses = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(['（', '(']) {
        let open_len = rest[start..].chars().next().map_or(1, char::len_utf8);
        let after = &rest[start + open_len..];
        let Some(end) = after.find(['）', ')']) else {
            break;
        };
        let inner = &after[..end];
        let close_len = after[end..].chars().next().map_or(1, char::len_utf8);
        let ids: Vec<&str> = inner
            .split(['，', ',', '、', ' '])
            .filter(|x| !x.is_empty())
            .collect();
        let is_clause = |id: &&str| {
            id.strip_prefix('R').is_some_and(|n| {
                n.starts_with(|c: char| c.is_ascii_digit())
                    && n.chars().all(|c| c.is_ascii_digit() || c == '.')
            })
        };
        // "（R3.1.3）", "（R3.5.1、R3.5.3）", "（R3.1.1 专人专柜）": the parentheses go.
        if ids.first().is_some_and(is_clause) {
            shown.push_str(rest[..start].trim_end());
            clauses.extend(
                ids.iter()
                    .filter(|id| is_clause(id))
                    .map(|s| (*s).to_owned()),
            );
        } else {
            shown.push_str(&rest[..start + open_len + end + close_len]);
        }
        rest = &after[end + close_len..];
    }
    shown.push_str(rest);
    (shown, clauses)
}

/// The main action of a form or dialog: filled in the accent colour.
pub fn primary_button(text: &str) -> egui::Button<'static> {
    egui::Button::new(
        RichText::new(text.to_owned())
            .color(Color32::WHITE)
            .strong(),
    )
    .fill(Color32::from_rgb(0x1f, 0x5f, 0xa8))
}

/// An action that refuses, voids, deactivates or loses something: red text and frame, asked
/// to be confirmed where it cannot be undone.
pub fn danger_button(text: &str) -> egui::Button<'static> {
    egui::Button::new(RichText::new(text.to_owned()).color(DANGER))
        .stroke(egui::Stroke::new(1.0, DANGER))
}

/// A hint in a muted colour; a clause id it cites goes to the tooltip, as in [`error_text`].
pub fn hint_text(ui: &mut Ui, text: &str) {
    let (shown, clauses) = split_clauses(text);
    let r = ui.label(RichText::new(shown).weak());
    if !clauses.is_empty() {
        r.on_hover_text(format!("制度条款 / clause: {}", clauses.join(", ")));
    }
}

/// A framed card of `width` centred horizontally, its contents laid out top to bottom.
pub fn centered_card<R>(ui: &mut Ui, width: f32, add: impl FnOnce(&mut Ui) -> R) -> R {
    let margin = ((ui.available_width() - width) / 2.0).max(0.0);
    ui.horizontal(|ui| {
        ui.add_space(margin);
        egui::Frame::group(ui.style())
            .inner_margin(16.0)
            .show(ui, |ui| {
                ui.set_width(width - 32.0);
                ui.vertical(add).inner
            })
            .inner
    })
    .inner
}

/// The two rows "new passphrase" and "repeat new passphrase" of a [`egui::Grid`].
pub fn new_passphrase_rows(
    ui: &mut Ui,
    lang: crate::ui::i18n::Lang,
    new1: &mut String,
    new2: &mut String,
) {
    field_row(ui, lang.tr("新口令", "New passphrase"), new1, true);
    field_row(
        ui,
        lang.tr("再次输入新口令", "Repeat new passphrase"),
        new2,
        true,
    );
}

/// What is wrong with a new passphrase typed twice, if anything (R3.3.1: the rules of
/// [`crate::domain::passphrase`]; the ledger checks them again with the login).
pub fn new_passphrase_problem(
    lang: crate::ui::i18n::Lang,
    new1: &str,
    new2: &str,
) -> Option<&'static str> {
    if let Err(p) = crate::domain::passphrase::check(new1, "") {
        Some(match lang {
            crate::ui::i18n::Lang::Zh => match p {
                crate::domain::passphrase::Problem::TooShort => {
                    "新口令太短：至少 12 个字符，或 4 个以上的词"
                }
                _ => "新口令太容易猜到：请加长，或用几个互不相关的词",
            },
            crate::ui::i18n::Lang::En => p.en(),
        })
    } else if new1 != new2 {
        Some(lang.tr("两次输入的新口令不一致", "The two entries differ"))
    } else {
        None
    }
}

/// The header row of a register table: one bold title per column.
pub fn header_cells(row: &mut egui_extras::TableRow<'_, '_>, titles: &[&str]) {
    for t in titles {
        row.col(|ui| {
            ui.strong(*t);
        });
    }
}

/// A labelled drop-down in a two-column [`egui::Grid`]; `add` lists the choices.
pub fn combo_row(ui: &mut Ui, label: &str, id: &str, selected: &str, add: impl FnOnce(&mut Ui)) {
    let l = row_label(ui, label);
    let width = row_width(ui);
    combo_box(ui, id, selected, width, add).labelled_by(l.id);
    ui.end_row();
}

/// A drop-down list (every drop-down of the app is made here). Inside a dialog its list is kept
/// directly above the dialog: egui orders layers of the same kind by the order they were last
/// raised, and a dialog raised by the click that opens the list (press and release in one frame)
/// would otherwise cover a list it had covered before — the second time a dialog opened, its
/// lists opened behind it.
pub fn combo_box(
    ui: &mut Ui,
    id_salt: &str,
    selected: impl Into<egui::WidgetText>,
    width: f32,
    add: impl FnOnce(&mut Ui),
) -> egui::Response {
    let response = egui::ComboBox::from_id_salt(id_salt)
        .selected_text(selected)
        .width(width)
        .show_ui(ui, add)
        .response;
    let layer = ui.layer_id();
    if layer.order == egui::Order::Foreground {
        // The id egui's ComboBox gives its list: the button's id `.with("popup")`
        // (`ComboBox::widget_to_popup_id`); the response is the button's.
        let list = egui::LayerId::new(egui::Order::Foreground, response.id.with("popup"));
        ui.ctx().set_sublayer(layer, list);
    }
    response
}

/// A compact labelled drop-down for a filter bar (no grid row).
pub fn filter_combo(ui: &mut Ui, label: &str, id: &str, selected: &str, add: impl FnOnce(&mut Ui)) {
    let l = ui.label(label);
    combo_box(ui, id, selected, 90.0, add).labelled_by(l.id);
}

/// A table header cell that sorts by its column when clicked: ▲ ascending, ▼ descending.
/// Returns true when clicked.
pub fn sort_header(ui: &mut Ui, title: &str, active: Option<bool>) -> bool {
    let text = match active {
        Some(true) => format!("{title} ▲"),
        Some(false) => format!("{title} ▼"),
        None => title.to_owned(),
    };
    ui.add(egui::Button::new(RichText::new(text).strong()).frame(false))
        .clicked()
}

/// The clickable cell that selects a table row: a selectable label without vertical padding, so
/// its text sits on the same line as the plain cells beside it.
pub fn row_select(
    ui: &mut Ui,
    selected: bool,
    text: impl Into<egui::WidgetText>,
) -> egui::Response {
    ui.spacing_mut().button_padding.y = 0.0;
    ui.selectable_label(selected, text)
}

/// Up/Down in a register: -1, +1, or 0 when neither was pressed, or a text field or an open
/// drop-down has the keyboard (the keys are then theirs). The keys are consumed.
pub fn arrow_step(ui: &Ui) -> i32 {
    let typing = ui
        .ctx()
        .memory(|m| m.focused())
        .is_some_and(|id| egui::text_edit::TextEditState::load(ui.ctx(), id).is_some());
    if typing || egui::Popup::is_any_open(ui.ctx()) {
        return 0;
    }
    ui.input_mut(|i| {
        let down = i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown);
        let up = i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp);
        i32::from(down) - i32::from(up)
    })
}

/// Up/Down in a register of `rows`: the row to select and scroll to next, if any (see
/// [`arrow_step`]; the first row when none is selected).
pub fn walked_row<T>(ui: &Ui, rows: &[T], is_selected: impl Fn(&T) -> bool) -> Option<usize> {
    stepped_row(
        rows.iter().position(is_selected),
        arrow_step(ui),
        rows.len(),
    )
}

/// The row `step` away from `current` in a list of `len` rows (the first row when none is
/// current), kept inside the list.
pub fn stepped_row(current: Option<usize>, step: i32, len: usize) -> Option<usize> {
    if len == 0 || step == 0 {
        return None;
    }
    Some(match current {
        None => 0,
        Some(i) => (i as i64 + i64::from(step)).clamp(0, len as i64 - 1) as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::stepped_row;

    #[test]
    fn up_and_down_stay_inside_the_register() {
        assert_eq!(stepped_row(None, 1, 5), Some(0));
        assert_eq!(stepped_row(Some(0), -1, 5), Some(0));
        assert_eq!(stepped_row(Some(3), 1, 5), Some(4));
        assert_eq!(stepped_row(Some(4), 1, 5), Some(4));
        assert_eq!(stepped_row(Some(2), 0, 5), None);
        assert_eq!(stepped_row(None, 1, 0), None);
    }
}

#[cfg(test)]
mod clause_tests {
    use super::split_clauses;

    #[test]
    fn clause_ids_leave_the_message_for_the_tooltip() {
        let (t, c) = split_clauses("绝密文件须在指定地点阅读，不得带出（R3.1.3）：请写明阅读地点");
        assert_eq!(t, "绝密文件须在指定地点阅读，不得带出：请写明阅读地点");
        assert_eq!(c, ["R3.1.3"]);
        let (t, c) = split_clauses(
            "份号由“在柜”变为“借出”只能通过借阅流程（申请 → 审批 → 借出 → 归还，R3.1.3）办理",
        );
        assert_eq!(
            t,
            "份号由“在柜”变为“借出”只能通过借阅流程（申请 → 审批 → 借出 → 归还，R3.1.3）办理"
        );
        assert!(c.is_empty());
        let (t, c) = split_clauses("权限不足 (R3.3.2)，以及（R3.5.1、R3.5.3）");
        assert_eq!(t, "权限不足，以及");
        assert_eq!(c, ["R3.3.2", "R3.5.1", "R3.5.3"]);
        assert_eq!(split_clauses("没有括号").0, "没有括号");
        let (t, c) = split_clauses("绝密专柜必须指定专人负责（R3.1.1 专人专柜）");
        assert_eq!(
            (t.as_str(), c),
            ("绝密专柜必须指定专人负责", vec!["R3.1.1".to_owned()])
        );
    }
}
