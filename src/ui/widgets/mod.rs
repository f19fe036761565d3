//! Small widgets shared by screens.

use egui::{Color32, RichText, TextEdit, Ui};

/// A labelled single-line field in a two-column [`egui::Grid`]; the label names the field for
/// screen readers and tests.
pub fn field_row(ui: &mut Ui, label: &str, text: &mut String, password: bool) -> egui::Response {
    let l = ui.label(label);
    let r = ui
        .add(
            TextEdit::singleline(text)
                .password(password)
                .desired_width(280.0),
        )
        .labelled_by(l.id);
    ui.end_row();
    r
}

/// An error message in red.
pub fn error_text(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).color(Color32::from_rgb(0xc0, 0x1c, 0x28)));
}

/// A hint in a muted colour.
pub fn hint_text(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).weak());
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
