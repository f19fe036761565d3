//! Dates are picked from a month calendar that marks the office's holidays and make-up working
//! days (issue 10: "dates through a date picker"), in a dialog opened twice, above the dialog
//! each time; and typed dates still work.

mod common;

use common::gui::{click, harness, run_wizard};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};

/// The centre of the node labelled `label`.
fn centre(h: &egui_kittest::Harness<'_, baomi::ui::BaomiApp>, label: &str) -> egui::Pos2 {
    common::gui::centre(&h.get_by_label(label))
}

#[test]
fn gui_the_received_date_is_picked_from_the_office_calendar_each_time_the_dialog_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    common::gui::add_cabinet(&mut h, "JM-01");
    click(&mut h, "文件台账");
    for (round, day) in [(1, "2026-10-12"), (2, "2026-10-09")] {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
        h.run();
        // Two date fields: 成文日期, then 收文日期.
        let buttons: Vec<_> = h
            .query_all_by_role_and_label(Role::Button, "日历")
            .map(|n| n.accesskit_node().bounding_box().unwrap().y0)
            .collect();
        assert_eq!(
            buttons.len(),
            2,
            "round {round}: a calendar beside each date"
        );
        h.query_all_by_role_and_label(Role::Button, "日历")
            .max_by(|a, b| {
                let y = |n: &egui_kittest::Node<'_>| n.accesskit_node().bounding_box().unwrap().y0;
                y(a).total_cmp(&y(b))
            })
            .unwrap()
            .click();
        h.run();
        // It opens at the office's month, today underlined; then the month before.
        h.get_by_label("2026年11月");
        click(&mut h, "上一月");
        h.get_by_label("2026年10月");
        // 国庆节 and its make-up Saturday as the State Council published them.
        h.get_by_label("2026-10-01 放假");
        h.get_by_label("2026-10-10 调休上班");
        h.get_by_label("2026-10-11 休息日");
        // The calendar lies above the dialog, not behind it.
        let at = centre(&h, day);
        let dialog =
            egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("register_dialog"));
        assert_ne!(
            h.ctx.layer_id_at(at),
            Some(dialog),
            "round {round}: the calendar opened behind the dialog"
        );
        h.get_by_label(day).click();
        h.run();
        assert!(
            h.query_by_label("2026年10月").is_none(),
            "round {round}: the calendar closes on a pick"
        );
        let received = h
            .get_by_role_and_label(Role::TextInput, "收文日期")
            .value()
            .unwrap();
        assert_eq!(received, day, "round {round}");
        click(&mut h, "取消");
        h.run();
    }
}

#[test]
fn gui_the_audit_log_filters_by_days_picked_from_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    click(&mut h, "审计日志");
    let from = h
        .query_all_by_role_and_label(Role::Button, "日历")
        .min_by(|a, b| {
            let x = |n: &egui_kittest::Node<'_>| n.accesskit_node().bounding_box().unwrap().x0;
            x(a).total_cmp(&x(b))
        })
        .unwrap();
    from.click();
    h.run();
    // An empty field opens at the office's month.
    h.get_by_label("2026年11月");
    click(&mut h, "2026-11-26");
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, "自")
            .value()
            .unwrap(),
        "2026-11-26"
    );
    // The setup's events are of that day: they are still listed.
    h.get_by_label_contains("创建台账库");
}
