//! Every audit action the ledger writes is a case of one enum with its Chinese and English
//! names, so an auditor never reads a bare code; no use case builds an event by hand.

use baomi::ledger::AuditAction;
use baomi::ui::i18n::{Lang, action_label};

#[test]
fn every_audit_action_has_a_name_in_both_languages() {
    assert!(AuditAction::ALL.len() > 30);
    for a in AuditAction::ALL {
        assert_eq!(action_label(Lang::Zh, a.code()), a.label_zh());
        assert_eq!(action_label(Lang::En, a.code()), a.label_en());
        assert_ne!(action_label(Lang::Zh, a.code()), a.code());
    }
}

/// Events are built only as `Event::new(AuditAction::…)`; the raw `NewEvent` of the audit
/// layer is filled in by the session alone (with the acting user), so a code cannot be a free
/// string and the user cannot be forgotten.
#[test]
fn no_use_case_writes_a_raw_event_or_a_free_action_string() {
    let mut dirs = vec![std::path::PathBuf::from("src")];
    let mut offenders = Vec::new();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs")
                || p.starts_with("src/audit")
                || p.ends_with("ledger/session.rs")
            {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, line) in text.lines().enumerate() {
                if line.contains("NewEvent {") || line.contains("action: \"") {
                    offenders.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
