//! Files compiled into the binary: the office PC has no Internet.

/// Noto Sans SC Regular (OFL-1.1, `assets/fonts/`), used by the GUI and the printed forms. The
/// whole font is kept, not a subset: people's names use characters outside GB2312.
pub static NOTO_SANS_SC: &[u8] = include_bytes!("../assets/fonts/NotoSansSC_400Regular.ttf");

/// The application icon (`packaging/icons/baomi.svg` rendered at 128 px): the window's icon.
pub static ICON_PNG: &[u8] = include_bytes!("../packaging/icons/baomi-128.png");

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_decodes() {
        let icon = eframe::icon_data::from_png_bytes(super::ICON_PNG).unwrap();
        assert_eq!((icon.width, icon.height), (128, 128));
    }
}
