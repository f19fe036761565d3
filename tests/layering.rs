//! The layering every register copies (docs/architecture.md), checked on the sources: screens
//! never name the vault, the rules never touch a database, a GUI or a crypto crate, and no rule
//! reads the PC's clock or time zone instead of the session's office date.

fn sources(under: &str) -> Vec<(String, String)> {
    let mut dirs = vec![std::path::PathBuf::from(under)];
    let mut out = Vec::new();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    out
}

fn lines_with(under: &str, needles: &[&str], except: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in sources(under) {
        if except.iter().any(|e| path.ends_with(e)) {
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if needles.iter().any(|n| code.contains(n)) {
                found.push(format!("{path}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn screens_never_name_the_vault() {
    let found = lines_with(
        "src/ui",
        &[
            "vault::",
            "Vault::",
            "VaultError",
            ": Vault",
            "<Vault",
            "(Vault",
        ],
        &[],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_rules_use_no_database_gui_or_crypto_crate() {
    let found = lines_with(
        "src/domain",
        &[
            "rusqlite",
            "egui",
            "chacha20",
            "argon2",
            "hmac",
            "sha2",
            "crate::ledger",
            "crate::vault",
        ],
        &[],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_rule_or_screen_reads_the_pc_clock_or_time_zone() {
    let needles = [
        "Utc::now()",
        "Local::now()",
        "chrono::Local",
        "date_naive()",
    ];
    let mut found = Vec::new();
    for under in ["src/domain", "src/ledger", "src/ui", "src/forms", "src/cli"] {
        found.extend(lines_with(
            under,
            &[needles.as_slice(), &["get(..19)"]].concat(),
            &["domain/clock.rs", "domain/office_date.rs"],
        ));
    }
    assert!(found.is_empty(), "{found:#?}");
}
