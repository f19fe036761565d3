//! Files compiled into the binary: the office PC has no Internet.

/// Noto Sans SC Regular (OFL-1.1, `assets/fonts/`), used by the GUI and the printed forms. The
/// whole font is kept, not a subset: people's names use characters outside GB2312.
pub static NOTO_SANS_SC: &[u8] = include_bytes!("../assets/fonts/NotoSansSC_400Regular.ttf");
