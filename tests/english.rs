//! English mode (issue 10, item 9): every screen walked in English shows no Chinese character
//! except the ledger's own data. The ledger here holds ASCII data only, so any CJK character on
//! screen is a missing translation.

mod common;

use std::sync::Arc;

use baomi::domain::Clock;
use baomi::ledger::{KdfChoice, Session, SetupInput};
use common::gui::{click_button, harness_sized};
use egui_kittest::kittest::{NodeT, Queryable};

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
}

/// Texts that hold Chinese on purpose: the language's own name on its button, and the outgoing
/// number pattern (the unit's data, shown with its example).
fn allowed(text: &str) -> bool {
    text == "中文"
        || text.contains("党办发")
        // The holidays' names in the calendar table are the State Council's words (data).
        || baomi::domain::calendar::Calendar::builtin()
            .years()
            .flat_map(|y| y.entries())
            .any(|e| e.name == text)
}

/// Every text on screen that holds a CJK character.
fn chinese_on_screen(h: &egui_kittest::Harness<'_, baomi::ui::BaomiApp>) -> Vec<String> {
    let mut found: Vec<String> = h
        .query_all_by(|n| {
            n.label()
                .into_iter()
                .chain(n.value())
                .any(|t| t.chars().any(is_cjk))
        })
        .filter_map(|n| {
            let a = n.accesskit_node();
            a.value().or_else(|| a.label())
        })
        .filter(|t| t.chars().any(is_cjk) && !allowed(t))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn gui_every_screen_in_english_shows_no_chinese_but_data() {
    let dir = tempfile::tempdir().unwrap();
    {
        let clock: Arc<dyn Clock> = Arc::new(common::clock());
        let (s, _) = Session::create(
            dir.path(),
            &SetupInput {
                unit_name: "Test Office".into(),
                login: "custodian".into(),
                name: "Wang".into(),
                department: "Office".into(),
                post: "Custodian".into(),
                ..SetupInput::default()
            },
            &common::pass(common::PASS),
            KdfChoice::INSECURE_FOR_TESTS,
            clock,
        )
        .unwrap();
        drop(s.lock("test"));
    }
    let mut h = harness_sized(dir.path(), common::clock(), egui::vec2(1366.0, 768.0));
    // The login screen offers the language; the choice holds for the session.
    click_button(&mut h, "English");
    let mut missing: Vec<(String, Vec<String>)> = Vec::new();
    let found = chinese_on_screen(&h);
    if !found.is_empty() {
        missing.push(("login".into(), found));
    }
    common::gui::type_into(&mut h, "Passphrase", common::PASS);
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    for section in [
        "Dashboard",
        "Documents",
        "Outgoing",
        "Borrowing",
        "Cabinets",
        "People",
        "Audit log",
        "Settings",
    ] {
        click_button(&mut h, section);
        let found = chinese_on_screen(&h);
        if !found.is_empty() {
            missing.push((section.into(), found));
        }
    }
    // The calendar of a year as a table, and a date picked from a month.
    click_button(&mut h, "2026");
    let found = chinese_on_screen(&h);
    if !found.is_empty() {
        missing.push(("Settings → 2026 calendar".into(), found));
    }
    h.get_by_label("Add a make-up working day");
    click_button(&mut h, "Audit log");
    h.query_all_by_role_and_label(egui::accesskit::Role::Button, "Calendar")
        .next()
        .expect("a calendar beside From")
        .click();
    h.run();
    h.get_by_label("November 2026");
    let found = chinese_on_screen(&h);
    if !found.is_empty() {
        missing.push(("the date picker".into(), found));
    }
    h.key_press(egui::Key::Escape);
    h.run();
    click_button(&mut h, "Settings");
    click_button(&mut h, "Accounts");
    let found = chinese_on_screen(&h);
    if !found.is_empty() {
        missing.push(("Settings → Accounts".into(), found));
    }
    assert!(
        missing.is_empty(),
        "untranslated in English mode: {missing:#?}"
    );
}
