//! Backups in the window (issue 12), driven by visible label: a backup to the chosen removable
//! drive with its progress, read back and verified, then the dashboard shows its date; a
//! restore from the first screen of a PC with no ledger yet.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use baomi::backup::media::{Drive, FixedMedia};
use baomi::ui::BaomiApp;
use common::gui::*;
use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn usb(path: &Path) -> FixedMedia {
    FixedMedia(vec![
        Drive {
            name: "/dev/sda2".into(),
            mount_point: "/".into(),
            removable: false,
            read_only: false,
            available: 50 << 30,
            total: 200 << 30,
            file_system: "ext4".into(),
        },
        Drive {
            name: "/dev/sdb1".into(),
            mount_point: path.to_owned(),
            removable: true,
            read_only: false,
            available: 14 << 30,
            total: 15 << 30,
            file_system: "vfat".into(),
        },
    ])
}

/// Steps the window until a label containing `text` shows (the worker runs meanwhile).
fn wait_for(h: &mut Harness<'_, BaomiApp>, text: &str) {
    let start = Instant::now();
    while h.query_all_by_label_contains(text).next().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no “{text}” after 60 s"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    // Another job may start now (the medium's list is read back): step, do not run to rest.
    h.step();
}

/// Clicks a button that starts a background job: the frames go on while it runs, so the harness
/// only steps (running it to rest would count the job's progress frames against its limit).
fn start_job(h: &mut Harness<'_, BaomiApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.step();
}

#[test]
fn r3_3_1_gui_a_backup_to_the_chosen_drive_shows_progress_verifies_and_dates_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let (s, _) = new_vault(dir.path());
    drop(s.lock("test"));
    let mut h = harness_with_media(
        dir.path(),
        clock(),
        egui::vec2(1100.0, 720.0),
        usb(stick.path()),
    );
    common::gui::sign_in(&mut h);
    // Never backed up: the top bar and the dashboard say so, with a button.
    assert_eq!(
        h.query_all_by_label("尚未备份").count(),
        2,
        "top bar and dashboard"
    );
    h.get_by_label_contains("台账还没有经过校验的备份");
    click_button(&mut h, "立即备份");
    h.get_by_label_contains("新建备份");
    // The removable drive is listed first and chosen; the fixed disk needs a confirmation.
    h.get_by_label_contains("移动介质　vfat　可用 14.0 GiB / 共 15.0 GiB");
    start_job(&mut h, "开始备份");
    // The worker runs: a progress bar with a cancel button, and no locking meanwhile.
    let start = Instant::now();
    while h.query_all_by_label("取消").next().is_none()
        && h.query_all_by_label_contains("备份已写入并读回校验")
            .next()
            .is_none()
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "neither progress nor result"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    wait_for(&mut h, "备份已写入并读回校验");
    let files: Vec<_> = std::fs::read_dir(stick.path()).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().to_string_lossy().into_owned();
    assert!(
        name.starts_with("某公司党委办公室-台账备份-20261126-160000"),
        "{name}"
    );
    // The medium's list shows it, read back: this ledger's, verified.
    wait_for(&mut h, "本台账库，校验通过");
    h.get_by_label_contains("备份记录");
    // The top bar and the dashboard now show the date.
    h.get_by_label("上次备份：今天");
    click_button(&mut h, "工作台");
    h.get_by_label("2026-11-26 16:00（今天）");
    assert!(
        h.query_by_label_contains("台账还没有经过校验的备份")
            .is_none()
    );
}

#[test]
fn r3_3_1_gui_a_fixed_disk_needs_a_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = new_vault(dir.path());
    drop(s.lock("test"));
    let elsewhere = tempfile::tempdir().unwrap();
    let mut h = harness_with_media(
        dir.path(),
        clock(),
        egui::vec2(1100.0, 720.0),
        FixedMedia::default(),
    );
    common::gui::sign_in(&mut h);
    click_button(&mut h, "备份与恢复");
    type_into(&mut h, "其他文件夹：", elsewhere.path().to_str().unwrap());
    {
        use egui_kittest::kittest::NodeT;
        assert!(h.get_by_label("开始备份").accesskit_node().is_disabled());
    }
    click(&mut h, "所选位置不是移动存储设备。我确认仍写在这里");
    start_job(&mut h, "开始备份");
    wait_for(&mut h, "备份已写入并读回校验");
    click_button(&mut h, "工作台");
    h.get_by_label_contains("（今天）");
}

#[test]
fn r3_3_1_gui_restore_from_the_first_screen() {
    // A ledger with a backup on a USB stick…
    let old = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let (mut s, _) = new_vault(old.path());
    common::cabinet(&mut s, "JM-01", baomi::domain::level::Level::Jimi);
    let dest = baomi::ledger::backups::destination(&s, stick.path()).unwrap();
    let snap = baomi::ledger::backups::prepare(&mut s).unwrap();
    let written = baomi::backup::export::write_and_verify(
        snap,
        &dest,
        &std::sync::Arc::new(baomi::backup::Progress::default()),
        Default::default(),
    )
    .unwrap();
    baomi::ledger::backups::record(&mut s, &written, true).unwrap();
    drop(s.lock("test"));
    // …and a new PC with no ledger: the first screen offers the restore.
    let new_pc = tempfile::tempdir().unwrap();
    let vault = new_pc.path().join("vault");
    let mut h = harness_with_media(
        &vault,
        clock(),
        egui::vec2(1100.0, 720.0),
        usb(stick.path()),
    );
    h.get_by_label_contains("首次设置");
    click(&mut h, "从备份恢复…");
    h.get_by_label_contains("移动介质上的备份");
    // The stick's backup is found and chosen; a wrong passphrase is refused first.
    type_into(&mut h, "口令或恢复密钥", "not the passphrase");
    start_job(&mut h, "开始恢复");
    wait_for(&mut h, "打不开此备份");
    type_into(&mut h, "口令或恢复密钥", PASS);
    start_job(&mut h, "开始恢复");
    wait_for(&mut h, "已从备份恢复");
    click(&mut h, "去登录");
    h.get_by_label_contains("已从备份恢复。请用备份时有效的口令登录");
    common::gui::sign_in(&mut h);
    assert!(h.query_all_by_label("某公司党委办公室").next().is_some());
    // The backup it came from is on record: no reminder of a missing backup.
    assert!(h.query_by_label("尚未备份").is_none());
    click_button(&mut h, "专柜");
    h.get_by_label("JM-01");
}
