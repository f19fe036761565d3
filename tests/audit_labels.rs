//! Every audit action the ledger writes has a name in the audit log screen (Chinese and
//! English), so an auditor never reads a bare code.

use baomi::ui::i18n::{Lang, action_label};

/// The action codes written in `src` (`action: "x.y"`, both arms of `if … { "x.y" } else
/// { "x.z" }`, and the arms of a `match` choosing one in `src/ledger`).
fn actions() -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                let in_ledger = p.starts_with("src/ledger");
                for line in text
                    .lines()
                    .filter(|l| l.contains("action:") || (in_ledger && l.contains("=> \"")))
                {
                    for part in line.split('"').skip(1).step_by(2) {
                        let code_like = part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
                        if part.contains('.') && code_like {
                            out.push(part.to_owned());
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_audit_action_has_a_name() {
    let all = actions();
    assert!(all.len() > 30, "{all:?}");
    for code in all {
        for lang in [Lang::Zh, Lang::En] {
            assert_ne!(action_label(lang, &code), code, "{code} has no name");
        }
    }
}
