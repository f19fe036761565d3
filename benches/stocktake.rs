//! Stock-taking benchmark (release): one cabinet of 10 000 copies; every label scanned one by
//! one through the ledger's use case (one transaction and one audit event per scan, as the
//! custodian's scanner does it), with a few copies left unscanned, one from another cabinet and
//! a stray label; then the live report, the closing (every outcome frozen), the frozen report
//! and the printed report. Goals: a scan under 5 ms at the 95th percentile, the report under
//! 1 s. Prints figures and ratios to the goals; never fails. Run: `cargo bench --bench stocktake`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use baomi::domain::level::{Category, Level};
use baomi::domain::marking::SecrecyPeriod;
use baomi::domain::stocktake::Outcome;
use baomi::domain::{Clock, SystemClock};
use baomi::ledger::cabinets::{self, CabinetInput};
use baomi::ledger::documents::{self, IncomingInput};
use baomi::ledger::people::PersonId;
use baomi::ledger::printing::{self, PrintTarget, Printable};
use baomi::ledger::stocktake::{self, How};
use baomi::ledger::{KdfChoice, Passphrase, Session, SetupInput};

const COPIES: usize = 10_000;
const PER_DOC: u32 = 5;
const MISSING: usize = 20;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    // `cargo test --all-targets` runs this file too: only `cargo bench` runs the benchmark.
    if !std::env::args().any(|a| a == "--bench") {
        println!("stocktake bench: run with `cargo bench --bench stocktake`");
        return;
    }
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut s = Session::create(
        dir.path(),
        &SetupInput {
            unit_name: "某公司党委办公室".into(),
            login: "wang".into(),
            name: "王保密".into(),
            ..SetupInput::default()
        },
        &Passphrase::new("bench passphrase 2026".into()),
        KdfChoice::INSECURE_FOR_TESTS,
        clock,
    )
    .unwrap()
    .0;
    let cabinet = |s: &mut Session, code: &str| {
        cabinets::create(
            s,
            &CabinetInput {
                code: code.into(),
                location: "机要室".into(),
                max_level: Level::Jimi,
                responsible: Some(PersonId(1)),
                locked: true,
            },
        )
        .unwrap()
    };
    let big = cabinet(&mut s, "JM-01");
    let other = cabinet(&mut s, "JM-02");
    let today = s.today();
    let docs = COPIES / PER_DOC as usize;
    let setup = Instant::now();
    for chunk in (0..docs).collect::<Vec<_>>().chunks(500) {
        let inputs: Vec<IncomingInput> = chunk
            .iter()
            .map(|i| IncomingInput {
                received_on: today,
                signed_for_by: PersonId(1),
                issuing_unit: "集团公司党委办公室".into(),
                doc_no: format!("集团党办发〔2026〕{i}号"),
                title: format!("关于加强重要项目保密管理工作的通知（第{i}号）"),
                category: Category::MajorDecision,
                level: Level::Jimi,
                period: SecrecyPeriod::Years(10),
                dated: today,
                pages: 4,
                attachments: 0,
                copy_numbers: (1..=PER_DOC).collect(),
                cabinet: big,
                readers: String::new(),
                remarks: String::new(),
            })
            .collect();
        documents::register_incoming_batch(&mut s, &inputs).unwrap();
    }
    let stray_doc = documents::register_incoming(
        &mut s,
        &IncomingInput {
            received_on: today,
            signed_for_by: PersonId(1),
            issuing_unit: "集团公司党委办公室".into(),
            doc_no: "集团党办发〔2026〕9999号".into(),
            title: "放错专柜的文件".into(),
            category: Category::MajorDecision,
            level: Level::Jimi,
            period: SecrecyPeriod::Years(10),
            dated: today,
            pages: 1,
            attachments: 0,
            copy_numbers: vec![1],
            cabinet: other,
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    let stray = documents::copies(&s, stray_doc).unwrap()[0].id;
    let copies = cabinets::copies_in(&s, big).unwrap();
    assert_eq!(copies.len(), COPIES);
    println!(
        "stocktake bench: {COPIES} copies in one cabinet (set up in {:.1} s)",
        setup.elapsed().as_secs_f64()
    );
    let round = stocktake::start(&mut s, Some(&[big]), "bench").unwrap();
    let mut times = Vec::with_capacity(COPIES);
    let all = Instant::now();
    for c in &copies[MISSING..] {
        let t = Instant::now();
        stocktake::mark(&mut s, round, big, &format!("copy-{}", c.0), How::Scan).unwrap();
        times.push(t.elapsed());
    }
    stocktake::mark(&mut s, round, big, &format!("copy-{}", stray.0), How::Scan).unwrap();
    stocktake::mark(&mut s, round, big, "copy-99999999", How::Scan).unwrap();
    let total = all.elapsed();
    times.sort();
    let p50 = percentile(&times, 0.50);
    let p95 = percentile(&times, 0.95);
    let max = *times.last().unwrap();
    println!(
        "scan: {} scans in {:.1} s; p50 {:.2} ms, p95 {:.2} ms (goal < 5 ms: {:.2} of it), max {:.1} ms",
        times.len(),
        total.as_secs_f64(),
        ms(p50),
        ms(p95),
        ms(p95) / 5.0,
        ms(max)
    );
    let t = Instant::now();
    let live = stocktake::report(&s, round).unwrap();
    let live_t = t.elapsed();
    println!(
        "report (live): {:.0} ms (goal < 1000 ms: {:.2} of it); found {}, missing {}, wrong cabinet {}, unexpected {}",
        ms(live_t),
        ms(live_t) / 1000.0,
        live.count(Outcome::Found),
        live.count(Outcome::Missing),
        live.count(Outcome::WrongCabinet),
        live.count(Outcome::Unexpected)
    );
    assert_eq!(live.count(Outcome::Missing), MISSING);
    let t = Instant::now();
    stocktake::close(&mut s, round, "").unwrap();
    println!(
        "close (freeze {} lines): {:.0} ms",
        live.lines.len(),
        ms(t.elapsed())
    );
    let t = Instant::now();
    let frozen = stocktake::report(&s, round).unwrap();
    let frozen_t = t.elapsed();
    println!(
        "report (closed round): {:.0} ms (goal < 1000 ms: {:.2} of it)",
        ms(frozen_t),
        ms(frozen_t) / 1000.0
    );
    assert_eq!(frozen.count(Outcome::Found), live.count(Outcome::Found));
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("report.pdf");
    let t = Instant::now();
    let printed = printing::print(
        &mut s,
        Printable::StocktakeReport(round),
        &PrintTarget::File(pdf.clone()),
    )
    .unwrap();
    println!(
        "printed report: {:.0} ms, {} pages, {} KiB",
        ms(t.elapsed()),
        printed.pages,
        std::fs::metadata(&pdf).unwrap().len() / 1024
    );
}
