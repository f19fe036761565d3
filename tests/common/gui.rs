//! Driving the GUI with egui_kittest by visible label, as a user would.

use std::sync::Arc;

use baomi::domain::MockClock;
use baomi::ui::{AppConfig, BaomiApp};
use baomi::vault::KdfChoice;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

pub fn harness(dir: &std::path::Path, clock: MockClock) -> Harness<'static, BaomiApp> {
    harness_sized(dir, clock, egui::vec2(1100.0, 720.0))
}

/// The app on the ledger in `dir`, in a window of `size`.
pub fn harness_sized(
    dir: &std::path::Path,
    clock: MockClock,
    size: egui::Vec2,
) -> Harness<'static, BaomiApp> {
    harness_with_media(
        dir,
        clock,
        size,
        baomi::backup::media::FixedMedia::default(),
    )
}

/// The app with the drives of `media` (a test's removable "USB stick" is a temporary folder).
pub fn harness_with_media(
    dir: &std::path::Path,
    clock: MockClock,
    size: egui::Vec2,
    media: baomi::backup::media::FixedMedia,
) -> Harness<'static, BaomiApp> {
    let app = BaomiApp::new(AppConfig {
        vault_dir: dir.to_owned(),
        kdf: KdfChoice::INSECURE_FOR_TESTS,
        clock: Arc::new(clock),
        media: Arc::new(media),
    });
    Harness::builder()
        .with_size(size)
        .with_max_steps(40)
        .with_context_setup(baomi::ui::fonts::install)
        .build_ui_state(|ui, app: &mut BaomiApp| app.ui(ui), app)
}

/// A text or password field by its visible label.
pub fn field<'h>(h: &'h Harness<'_, BaomiApp>, label: &'h str) -> egui_kittest::Node<'h> {
    use egui::accesskit::Role;
    h.query_by_role_and_label(Role::TextInput, label)
        .or_else(|| h.query_by_role_and_label(Role::PasswordInput, label))
        .unwrap_or_else(|| panic!("no field labelled {label}"))
}

/// Clicks into a field, clears it, types as a user would.
pub fn type_into(h: &mut Harness<'_, BaomiApp>, label: &str, text: &str) {
    field(h, label).scroll_to_me();
    h.run();
    field(h, label).click();
    h.run();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.run();
    h.key_press(egui::Key::Backspace);
    h.run();
    field(h, label).type_text(text);
    h.run();
}

/// Clicks the widget with this label, scrolling it into view first as a user would.
pub fn click(h: &mut Harness<'_, BaomiApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.run();
}

/// Runs the wizard to the end; the app is then unlocked.
pub fn run_wizard(h: &mut Harness<'_, BaomiApp>) {
    h.get_by_label_contains("首次设置");
    type_into(h, "单位名称", "某公司党委办公室");
    type_into(h, "登录名", "wang");
    type_into(h, "姓名", "王保密");
    click(h, "下一步");
    type_into(h, "口令", "保密工作人人有责 2026!");
    type_into(h, "再次输入口令", "保密工作人人有责 2026!");
    h.get_by_label_contains("口令强度");
    click(h, "创建台账库");
    h.run();
    h.get_by_label_contains("只显示这一次");
    click(h, "我已抄写并妥善保管恢复密钥");
    click(h, "完成，进入台账");
}

/// Registers cabinet `code` in 机要室 through the 专柜 screen (default level 机密).
pub fn add_cabinet(h: &mut Harness<'_, BaomiApp>, code: &str) {
    click_button(h, "专柜");
    click(h, "登记专柜");
    type_into(h, "专柜编号", code);
    type_into(h, "存放位置", "机要室");
    click(h, "保存");
    h.run();
}

/// Signs in on the login screen with the custodian's passphrase (the user picker shows the
/// first login) and waits for the main window.
pub fn sign_in(h: &mut Harness<'_, BaomiApp>) {
    sign_in_as(h, super::PASS);
}

/// Signs in the first login with `passphrase`.
pub fn sign_in_as(h: &mut Harness<'_, BaomiApp>, passphrase: &str) {
    type_into(h, "口令", passphrase);
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
}

/// Clicks the button with this label (when a heading or a column bears the same text).
pub fn click_button(h: &mut Harness<'_, BaomiApp>, label: &str) {
    use egui::accesskit::Role;
    h.get_by_role_and_label(Role::Button, label).scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::Button, label).click();
    h.run();
}

/// The one-time passphrase the 开通账户 dialog shows (four groups of four characters).
pub fn shown_one_time_passphrase(h: &Harness<'_, BaomiApp>) -> String {
    let looks = |t: &str| {
        let groups: Vec<&str> = t.split('-').collect();
        groups.len() == 4
            && groups
                .iter()
                .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_alphanumeric()))
    };
    h.query_all_by(|n| n.value().is_some_and(|v| looks(&v)))
        .next()
        .expect("the one-time passphrase is shown")
        .value()
        .unwrap()
}

/// The centre of a node on screen.
pub fn centre(node: &egui_kittest::Node<'_>) -> egui::Pos2 {
    use egui_kittest::kittest::NodeT;
    let r = node
        .accesskit_node()
        .bounding_box()
        .expect("a node on screen");
    egui::pos2(((r.x0 + r.x1) / 2.0) as f32, ((r.y0 + r.y1) / 2.0) as f32)
}

/// A click of the mouse at `at`: moved there, pressed in one frame, released in the next (an
/// accessibility click would reach a widget even behind a dialog; a mouse does not).
pub fn mouse_click(h: &mut Harness<'_, BaomiApp>, at: egui::Pos2) {
    h.event(egui::Event::PointerMoved(at));
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.step();
    h.run();
}

/// Picks `option` from the drop-down labelled `combo` with the mouse, as a user does (the
/// lowest one of that label on screen: a dialog's, not the filter bar's above it), and checks
/// that it was picked: a list opened behind its dialog cannot be clicked.
pub fn pick(h: &mut Harness<'_, BaomiApp>, combo: &str, option: &str) {
    use egui::accesskit::Role;
    use egui_kittest::kittest::NodeT;
    let lowest = |h: &Harness<'_, BaomiApp>| {
        h.query_all_by_role_and_label(Role::ComboBox, combo)
            .max_by(|a, b| centre(a).y.total_cmp(&centre(b).y))
            .unwrap_or_else(|| panic!("no drop-down labelled {combo}"))
            .accesskit_node()
            .id()
    };
    let id = lowest(h);
    h.query_all_by_role_and_label(Role::ComboBox, combo)
        .find(|n| n.accesskit_node().id() == id)
        .unwrap()
        .scroll_to_me();
    h.run();
    let at = centre(
        &h.query_all_by_role_and_label(Role::ComboBox, combo)
            .find(|n| n.accesskit_node().id() == id)
            .unwrap(),
    );
    mouse_click(h, at);
    let at = centre(
        &h.query_all_by_label(option)
            .last()
            .unwrap_or_else(|| panic!("{combo}: no choice {option}")),
    );
    mouse_click(h, at);
    let shown = h
        .query_all_by_role_and_label(Role::ComboBox, combo)
        .find(|n| n.accesskit_node().id() == id)
        .and_then(|n| n.accesskit_node().value().map(|v| v.to_string()));
    assert_eq!(
        shown.as_deref(),
        Some(option),
        "{combo}: {option} was not picked (its list opened behind the dialog?)"
    );
}
