//! Printing is one ledger use case for the GUI and the CLI: it builds the PDF, hands it to its
//! destination, and audits the print only once the destination accepted it.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use baomi::domain::level::{Category, Level};
use baomi::domain::marking::SecrecyPeriod;
use baomi::ledger::documents::{self, IncomingInput};
use baomi::ledger::people::PersonId;
use baomi::ledger::printing::{self, PrintTarget, Printable};
use common::{cabinet, day};

/// A ledger with one 机密 document of 30 copies (two label sheets).
fn ledger(dir: &Path) -> documents::DocumentId {
    let (mut s, _) = common::new_vault(dir);
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    let id = documents::register_incoming(
        &mut s,
        &IncomingInput {
            received_on: day(2026, 11, 20),
            signed_for_by: PersonId(1),
            issuing_unit: "集团公司党委办公室".into(),
            doc_no: "集团党办发〔2026〕45号".into(),
            title: "关于加强重要项目保密管理工作的通知".into(),
            category: Category::MajorDecision,
            level: Level::Jimi,
            period: SecrecyPeriod::Years(10),
            dated: day(2026, 11, 18),
            pages: 6,
            attachments: 0,
            copy_numbers: (1..=30).collect(),
            cabinet: jm,
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    drop(s.lock("test"));
    id
}

fn prints(dir: &Path) -> Vec<serde_json::Value> {
    let mut s = common::sign_in(dir, "custodian", common::PASS, common::system_clock());
    let out = baomi::audit::recent(s.raw_connection_for_tests(), 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("print."))
        .map(|e| serde_json::from_str(&e.detail_json).unwrap())
        .collect();
    drop(s.lock("test"));
    out
}

#[test]
fn a_print_the_destination_refused_leaves_no_audit_event_claiming_it_printed() {
    let dir = tempfile::tempdir().unwrap();
    let id = ledger(dir.path());
    let mut s = common::sign_in(
        dir.path(),
        "custodian",
        common::PASS,
        common::system_clock(),
    );
    let nowhere = dir.path().join("no-such-folder").join("labels.pdf");
    let err = printing::print(
        &mut s,
        Printable::Labels(id),
        &PrintTarget::File(nowhere.clone()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("无法保存 PDF"), "{err}");
    assert!(
        err.to_string().ends_with(&nowhere.display().to_string()),
        "path last: {err}"
    );
    // A folder the user may not write (root may write anywhere: then the print succeeds and
    // is audited, which is also right).
    let locked = dir.path().join("read-only");
    std::fs::create_dir(&locked).unwrap();
    let mut perms = std::fs::metadata(&locked).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&locked, perms).unwrap();
    let ro = printing::print(
        &mut s,
        Printable::Labels(id),
        &PrintTarget::File(locked.join("labels.pdf")),
    );
    let empty = printing::print(&mut s, Printable::Labels(id), &PrintTarget::File("".into()));
    assert!(empty.is_err());
    drop(s.lock("test"));
    let audited = prints(dir.path());
    assert_eq!(audited.len(), usize::from(ro.is_ok()), "{audited:?}");
    assert!(!nowhere.exists());
}

#[test]
fn the_gui_and_the_cli_print_through_the_same_function() {
    use common::gui::{click, harness, type_into};
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let id = ledger(&vault);
    // The CLI.
    // Saved outside the ledger's folder (saving inside it is refused).
    let from_cli_dir = tempfile::tempdir().unwrap();
    let from_cli = from_cli_dir.path().join("cli.pdf");
    let mut child = Command::new(env!("CARGO_BIN_EXE_baomi"))
        .arg("--vault")
        .arg(&vault)
        .args(["print", "labels", &format!("doc-{}", id.0), "--out"])
        .arg(&from_cli)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}\n", common::PASS).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli_line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(cli_line.contains("30 张份号标签（2 页）"), "{cli_line}");
    // The GUI.
    // Saved outside the ledger's folder (saving inside it is refused).
    let from_gui_dir = tempfile::tempdir().unwrap();
    let from_gui = from_gui_dir.path().join("gui.pdf");
    let mut h = harness(&vault, common::clock());
    type_into(&mut h, "口令", common::PASS);
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    click(&mut h, "文件台账");
    click(&mut h, "关于加强重要项目保密管理工作的通知");
    type_into(&mut h, "标签保存位置", from_gui.to_str().unwrap());
    click(&mut h, "标签另存为 PDF");
    h.run();
    let gui_line = format!("已保存 {}：30 张份号标签（2 页）", from_gui.display());
    h.get_by_label(&gui_line);
    drop(h);
    // The same summary, the same PDF, the same audit event but for where it went.
    assert_eq!(
        cli_line,
        format!("已保存 {}：30 张份号标签（2 页）", from_cli.display())
    );
    let (a, b) = (
        std::fs::read(&from_cli).unwrap(),
        std::fs::read(&from_gui).unwrap(),
    );
    assert!(a.starts_with(b"%PDF-") && b.starts_with(b"%PDF-"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&from_gui).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "a classified form is private to its owner"
        );
    }
    let audited = prints(&vault);
    assert_eq!(audited.len(), 2, "{audited:?}");
    for (event, path) in audited.iter().rev().zip([&from_cli, &from_gui]) {
        assert_eq!(event["target"], path.display().to_string());
        assert_eq!(event["pages"], 2);
        assert_eq!(event["labels"], 30);
    }
    if let Ok(out) = Command::new("pdftotext").arg(&from_gui).arg("-").output() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("copy-30") && text.contains("机密★10年"),
            "{text}"
        );
    }
}
