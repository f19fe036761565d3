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
