//! Borrowing benchmark (release): time to generate the 《文件借阅申请表》 PDF (goal ≤ 100 ms) and
//! the throughput of due-date computation on the working-day calendar.
//! Prints figures; never fails. Run: `cargo bench --bench borrowing`.

use std::time::{Duration, Instant};

use baomi::domain::calendar::Calendar;
use baomi::domain::level::Level;
use baomi::forms::borrow_form::{FormContext, render};
use baomi::ledger::borrowing::{Borrow, BorrowId, BorrowState};
use baomi::ledger::documents::{CopyId, DocumentId};
use baomi::ledger::people::PersonId;
use chrono::{Datelike, NaiveDate};

fn sample() -> Borrow {
    Borrow {
        id: BorrowId(1),
        form_no: "借阅〔2026〕17号".into(),
        copy: CopyId(3),
        copy_no: 3,
        document: DocumentId(1),
        title: "关于加强重要项目保密管理工作的通知".repeat(5),
        doc_no: "集团党办发〔2026〕45号".into(),
        level: Level::Jimi,
        marking: "机密★10年".into(),
        borrower: PersonId(2),
        borrower_name: "欧阳晓东".into(),
        borrower_department: "工程部".into(),
        reason: "编制项目保密方案，需对照原文".into(),
        requested_days: 5,
        place: String::new(),
        overdue_override: None,
        state: BorrowState::Approved,
        requested_at: "2026-11-26T08:00:00+00:00".into(),
        approver: Some(PersonId(3)),
        approver_name: "赵主任".into(),
        approval_kind: Some("signed_in".into()),
        approval_ref: String::new(),
        decided_at: None,
        decision_note: "同意".into(),
        out_at: None,
        due_on: None,
        renewals: 0,
        returned_at: None,
        received_by: None,
        pages_complete: None,
        return_note: String::new(),
        justification: String::new(),
        cabinet: None,
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("borrowing bench: run with `cargo bench --bench borrowing`");
        return;
    }
    let b = sample();
    let ctx = FormContext {
        unit: "某公司党委办公室",
        printed_by: "王保密",
        printed_at: "2026-11-26 16:00",
        audit_head: "415:3a242fc406610eb0ce7d007ddf76766bd1500df60f4014d68c07e77709a7f986",
        due_text: "2026-12-03",
        renewals: &[],
        decided_on: Some("2026-11-26".into()),
        out_on: Some("2026-11-26".into()),
        returned_on: None,
    };
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..20 {
        let started = Instant::now();
        let pdf = render(&b, &ctx).unwrap();
        times.push(started.elapsed());
        size = pdf.len();
    }
    let first = times[0];
    times.sort();
    println!(
        "borrow form: first {:.1} ms (font parsed cold), median {:.1} ms, max {:.1} ms, {} KB (goal <= 100 ms)",
        ms(first),
        ms(times[times.len() / 2]),
        ms(*times.last().unwrap()),
        size / 1024
    );
    let cal = Calendar::builtin();
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let n = 200_000u32;
    let started = Instant::now();
    let mut acc = 0i64;
    for i in 0..n {
        let from = start + chrono::Days::new(u64::from(i % 700));
        let due = cal.due_date(from, 1 + i % 20);
        acc += i64::from(due.date.day0());
    }
    let took = started.elapsed();
    println!(
        "due dates: {n} computations (1–20 working days, 2025–2026) in {:.0} ms = {:.0} per second (checksum {acc})",
        ms(took),
        f64::from(n) / took.as_secs_f64()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
