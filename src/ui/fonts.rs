//! The embedded CJK font (Noto Sans SC, OFL-1.1, `assets/fonts/`): the office PC has no
//! Internet and may have no Chinese font installed. The whole font is kept, not a subset:
//! people's names use characters outside GB2312.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily, FontId, TextStyle};

pub use crate::assets::NOTO_SANS_SC;

/// Installs the font first in both families and sets comfortable text sizes.
pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "noto_sans_sc".into(),
        Arc::new(FontData::from_static(NOTO_SANS_SC)),
    );
    // First for text; after the built-in monospace font for code-like text (recovery key,
    // hashes), so Latin digits stay aligned and Chinese falls back to Noto.
    fonts
        .families
        .entry(FontFamily::Proportional)
        .or_default()
        .insert(0, "noto_sans_sc".into());
    fonts
        .families
        .entry(FontFamily::Monospace)
        .or_default()
        .push("noto_sans_sc".into());
    ctx.set_fonts(fonts);
    // A light theme: closer to the paper forms the custodian works with.
    ctx.set_theme(egui::Theme::Light);
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(22.0)),
            (TextStyle::Body, FontId::proportional(15.0)),
            (TextStyle::Button, FontId::proportional(15.0)),
            (TextStyle::Small, FontId::proportional(12.0)),
            (TextStyle::Monospace, FontId::monospace(15.0)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 8.0);
        style.spacing.button_padding = egui::vec2(10.0, 4.0);
    });
}
