//! GUI flows of the app shell, driven with egui_kittest by visible label as a user would:
//! the setup wizard, lock and unlock, wrong passphrase, idle auto-lock, passphrase change.

mod common;

use common::gui::{click, harness, run_wizard, type_into};
use egui_kittest::kittest::Queryable;

#[test]
fn wizard_creates_the_vault_and_opens_the_main_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    assert!(h.state().is_unlocked());
    assert_eq!(
        h.query_all_by_label("工作台").count(),
        2,
        "navigation and heading"
    );
    h.get_by_label("锁定");
    h.get_by_label("王保密（保密员）");
    assert!(
        h.query_all_by_label("某公司党委办公室").count() >= 1,
        "unit in the top bar"
    );
    assert!(dir.path().join("ledger.keys").exists());
}

#[test]
fn wizard_refuses_mismatched_passphrases_and_keeps_the_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    type_into(&mut h, "单位名称", "某单位");
    type_into(&mut h, "登录名", "wang");
    type_into(&mut h, "姓名", "王保密");
    click(&mut h, "下一步");
    type_into(&mut h, "口令", "保密工作人人有责 2026!");
    type_into(&mut h, "再次输入口令", "保密工作人人有责 2027!");
    h.get_by_label("两次输入的口令不一致");
    h.get_by_label("创建台账库").click();
    h.run();
    assert!(!dir.path().join("ledger.keys").exists(), "nothing created");
    click(&mut h, "上一步");
    assert_eq!(
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "单位名称")
            .value()
            .as_deref(),
        Some("某单位")
    );
}

#[test]
fn lock_then_login_unlocks_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    click(&mut h, "锁定");
    assert!(!h.state().is_unlocked());
    h.get_by_label("台账已锁定");
    type_into(&mut h, "口令", "保密工作人人有责 2026!");
    click(&mut h, "解锁");
    h.run();
    assert!(h.state().is_unlocked());
    h.get_by_label("锁定");
}

#[test]
fn wrong_passphrase_shows_the_message_and_delays_after_five_even_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let mut h = harness(dir.path(), clock.clone());
    run_wizard(&mut h);
    click(&mut h, "锁定");
    for _ in 0..5 {
        type_into(&mut h, "口令", "not my passphrase");
        click(&mut h, "解锁");
        h.run();
        assert!(!h.state().is_unlocked());
        h.get_by_label("口令错误，或密钥文件已损坏");
    }
    h.get_by_label_contains("连续 5 次失败，请 30 秒后再试");
    // Closing the app and starting it again does not clear the delay (ledger.attempts).
    drop(h);
    let mut h = harness(dir.path(), clock.clone());
    h.run();
    h.get_by_label_contains("连续 5 次失败，请 30 秒后再试");
    type_into(&mut h, "口令", "保密工作人人有责 2026!");
    h.get_by_label("解锁").click();
    h.run();
    assert!(
        !h.state().is_unlocked(),
        "the delay holds even with the right passphrase"
    );
    clock.advance(chrono::Duration::seconds(20));
    h.run();
    h.get_by_label_contains("请 10 秒后再试");
    clock.advance(chrono::Duration::seconds(11));
    h.run();
    click(&mut h, "解锁");
    h.run();
    assert!(h.state().is_unlocked());
    // The failed attempts are in the audit log, which the custodian can read.
    click(&mut h, "审计日志");
    h.get_by_label("登录失败");
    h.get_by_label_contains("数量：5");
}

#[test]
fn idle_auto_lock_after_the_set_minutes_on_a_simulated_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let mut h = harness(dir.path(), clock.clone());
    run_wizard(&mut h);
    clock.advance(chrono::Duration::minutes(4));
    h.run();
    assert!(h.state().is_unlocked(), "4 idle minutes < 5");
    clock.advance(chrono::Duration::seconds(61));
    h.run();
    assert!(!h.state().is_unlocked(), "locked after 5 idle minutes");
    h.get_by_label("空闲超时，已自动锁定");
}

#[test]
fn passphrase_change_dialog_changes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    click(&mut h, "设置");
    click(&mut h, "修改口令");
    type_into(&mut h, "当前口令", "wrong one");
    type_into(&mut h, "新口令", "新的一句口令 12345");
    type_into(&mut h, "再次输入新口令", "新的一句口令 12345");
    click(&mut h, "确定");
    h.run();
    h.get_by_label("当前口令不正确");
    type_into(&mut h, "当前口令", "保密工作人人有责 2026!");
    type_into(&mut h, "新口令", "新的一句口令 12345");
    type_into(&mut h, "再次输入新口令", "新的一句口令 12345");
    click(&mut h, "确定");
    h.run();
    h.get_by_label("口令已修改");
    click(&mut h, "锁定");
    type_into(&mut h, "口令", "新的一句口令 12345");
    click(&mut h, "解锁");
    h.run();
    assert!(h.state().is_unlocked());
}

#[test]
fn english_can_be_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    click(&mut h, "设置");
    click(&mut h, "English");
    assert_eq!(
        h.query_all_by_label("Dashboard").count(),
        1,
        "the navigation"
    );
    h.get_by_label("Lock");
    assert_eq!(h.query_all_by_label("Settings").count(), 2);
}

/// egui keeps every state of a text field for Ctrl+Z, password fields included: a secret typed
/// and corrected would stay in memory in plain text. The passphrase field keeps no history, so
/// Ctrl+Z in it changes nothing (with egui's history it went back to the empty field).
#[test]
fn a_passphrase_field_keeps_no_undo_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    click(&mut h, "锁定");
    type_into(&mut h, "口令", "保密工作人人有责 2026!");
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Z]);
    h.run();
    click(&mut h, "解锁");
    h.run();
    assert!(
        h.state().is_unlocked(),
        "Ctrl+Z brought back an earlier state"
    );
}
