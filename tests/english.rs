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
    let levels = ["绝密", "机密", "秘密", "内部敏感"];
    text == "中文"
        || text.contains("党办发")
        // Numbers the ledger gives in their official form (data): 机要收〔2026〕1号, 借阅〔2026〕1号.
        || text.contains("机要收〔")
        || text.contains("借阅〔")
        // A document's marking as written on it (机密★10年): the regulation's words, data.
        || levels.iter().any(|l| text.starts_with(l) && (text.contains('★') || text == *l))
        // A proposed file name in a path the user may change.
        || text.contains('/')
        // The holidays' names in the calendar table are the State Council's words (data).
        || baomi::domain::calendar::Calendar::builtin()
            .years()
            .flat_map(|y| y.entries())
            .any(|e| e.name == text)
}

/// `text` without the ledger's data in Chinese that it quotes: markings (机密★20年…) and
/// official numbers (机要收〔2026〕1号, 借阅〔2026〕1号, …党办发〔2026〕1号), up to the next "; ".
fn without_data(text: &str) -> String {
    let mut out = String::new();
    for part in text.split("; ") {
        let value = part.split_once(": ").map_or(part, |(_, v)| v);
        if !allowed(value.trim_end_matches('…')) {
            out.push_str(part);
            out.push_str("; ");
        }
    }
    out
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
        // A line of a wrapped text is read with its text (a marking broken over two lines).
        .filter(|n| n.accesskit_node().role() != egui::accesskit::Role::TextRun)
        .filter_map(|n| {
            let a = n.accesskit_node();
            a.value().or_else(|| a.label())
        })
        .filter(|t| without_data(t).chars().any(is_cjk) && !allowed(t))
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
        let mut s = s;
        fill_ascii_ledger(&mut s);
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
    common::gui::click(&mut h, "Restore from a backup…");
    let found = chinese_on_screen(&h);
    if !found.is_empty() {
        missing.push(("login → Restore from a backup".into(), found));
    }
    common::gui::click(&mut h, "Back");
    common::gui::type_into(&mut h, "Passphrase", common::PASS);
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    for section in [
        "Dashboard",
        "Documents",
        "Outgoing",
        "Borrowing",
        "Destruction",
        "Holds",
        "Stock-taking",
        "Incidents",
        "Declassification",
        "Cabinets",
        "People",
        "Audit log",
        "Backup",
        "Settings",
    ] {
        click_button(&mut h, section);
        let found = chinese_on_screen(&h);
        if !found.is_empty() {
            missing.push((section.into(), found));
        }
    }
    // Each list with a row selected (its detail panel), and each dialog opened.
    let mut look = |h: &mut egui_kittest::Harness<'_, baomi::ui::BaomiApp>, what: &str| {
        let found = chinese_on_screen(h);
        if !found.is_empty() {
            missing.push((what.to_owned(), found));
        }
    };
    click_button(&mut h, "Documents");
    common::gui::click(&mut h, "Annual security review notice");
    look(&mut h, "Documents → a document's detail");
    common::gui::click(&mut h, "copy 1 · on loan · Sun Engineering");
    h.get_by_label("Copy 1 history");
    h.get_by_label_contains("registered into its cabinet");
    look(&mut h, "Documents → a copy's history");
    common::gui::click(&mut h, "Register incoming");
    look(&mut h, "Register incoming (dialog)");
    common::gui::click(&mut h, "Cancel");
    click_button(&mut h, "Export · print");
    look(&mut h, "Export (dialog)");
    common::gui::click(&mut h, "Close");
    click_button(&mut h, "Outgoing");
    common::gui::click(&mut h, "Notice on the year's work plan");
    h.get_by_label("Distribution");
    look(&mut h, "Outgoing → a document's flow");
    common::gui::click(&mut h, "New draft");
    look(&mut h, "New draft (dialog)");
    common::gui::click(&mut h, "Cancel");
    click_button(&mut h, "Borrowing");
    common::gui::click(&mut h, "On loan");
    common::gui::click(&mut h, "借阅〔2026〕1号");
    h.get_by_label("Project plan");
    look(&mut h, "Borrowing → a loan's detail");
    common::gui::click(&mut h, "Awaiting approval or hand-out");
    common::gui::click(&mut h, "借阅〔2026〕2号");
    h.get_by_label("Project plan");
    look(&mut h, "Borrowing → a request's detail");
    common::gui::click(&mut h, "New request");
    look(&mut h, "New request (dialog)");
    common::gui::click(&mut h, "Cancel");
    click_button(&mut h, "People");
    common::gui::click(&mut h, "Add person");
    look(&mut h, "Add person (dialog)");
    common::gui::click(&mut h, "Cancel");
    click_button(&mut h, "Cabinets");
    common::gui::click(&mut h, "Add cabinet");
    look(&mut h, "Add cabinet (dialog)");
    common::gui::click(&mut h, "Cancel");
    click_button(&mut h, "Settings");
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

/// A ledger of ASCII data in every state the screens show: a cabinet, people, an incoming
/// document with a copy on loan, a request waiting, an outgoing document distributed.
fn fill_ascii_ledger(s: &mut Session) {
    use baomi::domain::level::{Category, Level};
    use baomi::domain::marking::SecrecyPeriod;
    use baomi::domain::outgoing::Channel;
    use baomi::domain::person::Clearance;
    use baomi::domain::role::Role;
    use baomi::ledger::borrowing::{self, BorrowRequest, Decider};
    use baomi::ledger::documents::{self, IncomingInput};
    use baomi::ledger::outgoing::{self, DistributionInput, OutgoingDraft};
    use baomi::ledger::people::{self, NewPerson, PersonId};
    use baomi::ledger::users::{self, NewUser};
    let jm = baomi::ledger::cabinets::create(
        s,
        &baomi::ledger::cabinets::CabinetInput {
            code: "JM-01".into(),
            location: "Room 1".into(),
            max_level: Level::Jimi,
            responsible: Some(PersonId(1)),
            locked: true,
        },
    )
    .unwrap();
    let person = |name: &str, dept: &str| NewPerson {
        name: name.into(),
        department: dept.into(),
        post: "Engineer".into(),
        clearance: Clearance::Important,
        pledge_signed_on: Some(common::day(2026, 1, 5)),
        ..NewPerson::default()
    };
    users::add_user(
        s,
        &NewUser {
            login: "head".into(),
            person: person("Zhao", "Office"),
            role: Role::Head,
        },
        &common::pass("office chief passphrase 2026"),
    )
    .unwrap();
    let head = people::list(s)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Zhao")
        .unwrap()
        .id;
    let sun = people::add(s, &person("Sun", "Engineering")).unwrap();
    let incoming = |title: &str| IncomingInput {
        received_on: common::day(2026, 11, 10),
        signed_for_by: PersonId(1),
        issuing_unit: "Group Office".into(),
        doc_no: "GO-45".into(),
        title: title.into(),
        category: Category::MajorDecision,
        level: Level::Jimi,
        period: SecrecyPeriod::Unspecified,
        dated: common::day(2026, 11, 9),
        pages: 6,
        attachments: 0,
        copy_numbers: vec![1, 2],
        cabinet: jm,
        readers: String::new(),
        remarks: String::new(),
    };
    let lent = documents::register_incoming(s, &incoming("Annual security review notice")).unwrap();
    let asked =
        documents::register_incoming(s, &incoming("Notice on the year's work plan")).unwrap();
    let ask = |copy| BorrowRequest {
        copy,
        borrower: sun,
        reason: "Project plan".into(),
        days: 3,
        place: String::new(),
        justification: String::new(),
        overdue_override: None,
    };
    let copy = documents::copies(s, lent).unwrap()[0].id;
    let id = borrowing::request(s, &ask(copy)).unwrap();
    let paper = Decider::Paper {
        person: head,
        reference: "P-1",
    };
    borrowing::approve(s, id, &paper, "").unwrap();
    borrowing::check_out(s, id).unwrap();
    let copy = documents::copies(s, asked).unwrap()[0].id;
    borrowing::request(s, &ask(copy)).unwrap();
    let draft = outgoing::create_draft(
        s,
        &OutgoingDraft {
            title: "Notice on the year's work plan".into(),
            category: Category::InternalWork,
            level: Level::Jimi,
            period: SecrecyPeriod::Unspecified,
            dated: common::day(2026, 11, 20),
            pages: 3,
            drafter: PersonId(1),
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    outgoing::review(s, draft, head, "").unwrap();
    outgoing::sign(s, draft, head, "").unwrap();
    outgoing::assign_number(s, draft).unwrap();
    outgoing::register(s, draft, "").unwrap();
    outgoing::print(s, draft, 2, jm).unwrap();
    let copy = documents::copies(s, draft).unwrap()[0].id;
    outgoing::distribute(
        s,
        copy,
        &DistributionInput {
            recipient_unit: "Branch office".into(),
            channel: Channel::ConfidentialMail,
            carrier: None,
            tracking_no: "JY-001".into(),
            sent_on: common::day(2026, 11, 25),
        },
    )
    .unwrap();
}
