//! Exporting and printing the registers (issue 10): the filtered view as .xlsx (read back with
//! calamine: headers, rows, dates as dates), CSV with a BOM, an A4 landscape PDF whose text is
//! extractable; files 0600; audited after they are written; only the roles allowed.

mod common;

use common::{cabinet, day};

use baomi::domain::level::{Category, Level};
use baomi::domain::marking::SecrecyPeriod;
use baomi::ledger::borrowing::Which;
use baomi::ledger::documents::{self, IncomingInput};
use baomi::ledger::export::{self, Format};
use baomi::ledger::people::PersonId;
use baomi::ledger::printing::PrintTarget;
use baomi::ledger::reports::Register;
use baomi::ledger::search::Query;
use baomi::ledger::{AuditAction, Session, audit_log};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

fn register_three(s: &mut Session) {
    let jm = cabinet(s, "JM-01", Level::Jimi);
    for (i, (level, title)) in [
        (Level::Mimi, "关于年度保密检查的通知"),
        (Level::Jimi, "关于重要项目保密管理的通知"),
        (Level::Mimi, "关于保密宣传月活动的安排"),
    ]
    .into_iter()
    .enumerate()
    {
        documents::register_incoming(
            s,
            &IncomingInput {
                received_on: day(2026, 11, 20 + i as u32),
                signed_for_by: PersonId(1),
                issuing_unit: "集团公司党委办公室".into(),
                doc_no: format!("集团党办发〔2026〕{}号", 40 + i),
                title: title.into(),
                category: Category::MajorDecision,
                level,
                period: SecrecyPeriod::Unspecified,
                dated: day(2026, 11, 18),
                pages: 6,
                attachments: 0,
                copy_numbers: vec![1, 2],
                cabinet: jm,
                readers: String::new(),
                remarks: String::new(),
            },
        )
        .unwrap();
    }
}

fn exports(s: &Session) -> Vec<audit_log::AuditRow> {
    audit_log::search(
        s,
        &audit_log::AuditFilter {
            action: Some(AuditAction::RegisterExport.code().into()),
            ..Default::default()
        },
        100,
    )
    .unwrap()
}

#[test]
fn the_filtered_register_exports_to_xlsx_with_headers_dates_and_the_level() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    register_three(&mut s);
    // The view the screen shows: a search for 保密检查 and 保密宣传 ("保密" matches all three;
    // "通知" two of them).
    let register = Register::Documents(Query {
        text: "通知".into(),
        ..Default::default()
    });
    // Saved outside the ledger's folder (saving inside it is refused).
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("台账.xlsx");
    let done = export::export(&mut s, &register, Format::Xlsx, &out).unwrap();
    assert_eq!(done.rows, 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let bytes = std::fs::read(&out).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("文件台账").unwrap();
    // Title block: unit and register; the most classified level shown; who.
    let title = range.get((0, 0)).unwrap().to_string();
    assert!(
        title.contains("某公司党委办公室") && title.contains("文件台账"),
        "{title}"
    );
    let sub = range.get((1, 0)).unwrap().to_string();
    assert!(
        sub.contains("密级：机密") && sub.contains("王保密") && sub.contains("通知"),
        "{sub}"
    );
    // Header row, then one row per document found.
    let header: Vec<String> = (0..13)
        .map(|c| range.get((2, c)).unwrap().to_string())
        .collect();
    assert_eq!(&header[..4], ["收文编号", "文号", "标题", "密级标志"]);
    assert!(header.contains(&"收文日期".to_owned()) && header.contains(&"在柜".to_owned()));
    assert_eq!(range.height(), 3 + 2);
    let titles: Vec<String> = (3..5)
        .map(|r| range.get((r, 2)).unwrap().to_string())
        .collect();
    assert!(titles.iter().all(|t| t.contains("通知")), "{titles:?}");
    // 收文日期 is a date cell, not text.
    let received = header.iter().position(|h| h == "收文日期").unwrap();
    let cell = range.get((3, received)).unwrap();
    assert!(matches!(cell, Data::DateTime(_)), "{cell:?}");
    // 份数 and 在柜 are numbers.
    let in_cabinet = header.iter().position(|h| h == "在柜").unwrap();
    assert_eq!(range.get((3, in_cabinet)), Some(&Data::Float(2.0)));
    // Audited after the file was written.
    let ev = exports(&s);
    assert_eq!(ev.len(), 1);
    assert!(
        ev[0].detail_json.contains("\"rows\":2"),
        "{}",
        ev[0].detail_json
    );
    assert!(ev[0].detail_json.contains("xlsx"));
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn csv_has_a_bom_and_quotes_and_the_pdf_is_a4_landscape_with_extractable_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    register_three(&mut s);
    // Saved outside the ledger's folder (saving inside it is refused).
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("people.csv");
    export::export(&mut s, &Register::People, Format::Csv, &out).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "姓名,部门,职务,涉密等级,承诺书签订日期,状态");
    assert!(lines[2].starts_with("王保密,党办,保密员"), "{}", lines[2]);

    // Saved outside the ledger's folder (saving inside it is refused).
    let pdf_dir = tempfile::tempdir().unwrap();
    let pdf = pdf_dir.path().join("台账.pdf");
    export::print(
        &mut s,
        &Register::Documents(Query::default()),
        &PrintTarget::File(pdf.clone()),
    )
    .unwrap();
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // Landscape: the page is wider than high (pdfinfo, where poppler is installed).
    if let Ok(out) = std::process::Command::new("pdfinfo").arg(&pdf).output() {
        let info = String::from_utf8_lossy(&out.stdout);
        assert!(info.contains("841.89 x 595.28 pts"), "{info}");
    }
    if let Ok(out) = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("文件台账"), "{text}");
        assert!(text.contains("关于重要项目保密管理的通知"), "{text}");
        assert!(text.contains("第 1 页，共 1 页"), "{text}");
    }
    let printed = audit_log::search(
        &s,
        &audit_log::AuditFilter {
            action: Some(AuditAction::RegisterPrint.code().into()),
            ..Default::default()
        },
        10,
    )
    .unwrap();
    assert_eq!(printed.len(), 1);
}

#[test]
fn a_long_register_prints_on_numbered_pages_and_loans_export_with_their_tab() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    for i in 0..70 {
        documents::register_incoming(
            &mut s,
            &IncomingInput {
                received_on: day(2026, 11, 20),
                signed_for_by: PersonId(1),
                issuing_unit: "集团公司党委办公室".into(),
                doc_no: format!("集团党办发〔2026〕{i}号"),
                title: format!(
                    "第{i}份关于保密工作的通知，标题很长很长很长很长很长很长很长很长很长很长很长"
                ),
                category: Category::MajorDecision,
                level: Level::Mimi,
                period: SecrecyPeriod::Unspecified,
                dated: day(2026, 11, 18),
                pages: 2,
                attachments: 0,
                copy_numbers: vec![1],
                cabinet: jm,
                readers: String::new(),
                remarks: String::new(),
            },
        )
        .unwrap();
    }
    // Saved outside the ledger's folder (saving inside it is refused).
    let pdf_dir = tempfile::tempdir().unwrap();
    let pdf = pdf_dir.path().join("long.pdf");
    export::print(
        &mut s,
        &Register::Documents(Query::default()),
        &PrintTarget::File(pdf.clone()),
    )
    .unwrap();
    if let Ok(out) = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("第 3 页，共 3 页"), "{text}");
        assert!(text.contains("文件台账（续）"));
    }
    // Saved outside the ledger's folder (saving inside it is refused).
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("loans.xlsx");
    let done = export::export(&mut s, &Register::Loans(Which::Out), Format::Xlsx, &out).unwrap();
    assert_eq!(done.rows, 0);
    let book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(std::fs::read(&out).unwrap())).unwrap();
    assert_eq!(book.sheet_names(), ["借阅登记"]);
}

#[test]
fn r3_3_2_only_the_custodian_exports_registers_and_a_bad_path_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    register_three(&mut s);
    let before = exports(&s).len();
    let err = export::export(
        &mut s,
        &Register::People,
        Format::Xlsx,
        &dir.path().join("no/such/folder/x.xlsx"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("无法保存"), "{err}");
    assert_eq!(exports(&s).len(), before, "a failed export is not recorded");
}
