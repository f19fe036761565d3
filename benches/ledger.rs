//! Document-ledger benchmark (release): the `demo` insert rate against a bare SQLCipher table
//! with an FTS5 trigram index (the floor); search p50/p95 over 100k documents for 2-, 3- and
//! 6-character queries (first page of ranked results); frame time of the register screen while
//! scrolling at 1k and 100k rows (headless, egui_kittest); memory at 100k rows.
//! Prints figures; never fails. Run: `cargo bench --bench ledger`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use baomi::domain::{Clock, SystemClock};
use baomi::ledger::search::{self, Query};
use baomi::ledger::{KdfChoice, Passphrase};
use baomi::ledger::{Session, SetupInput};
use baomi::ui::{AppConfig, BaomiApp};
use baomi::vault::Vault;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

const BIG: u32 = 100_000;
const SMALL: u32 = 1_000;
const BATCH: u32 = 1_000;
const PASS: &str = "bench passphrase 2026";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn new_session(dir: &Path) -> Session {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    Session::create(
        dir,
        &SetupInput {
            unit_name: "某公司党委办公室".into(),
            login: "wang".into(),
            name: "王保密".into(),
            department: "党办".into(),
            post: "保密员".into(),
            demo: true,
            ..SetupInput::default()
        },
        &Passphrase::new(PASS.into()),
        KdfChoice::INSECURE_FOR_TESTS,
        clock,
    )
    .unwrap()
    .0
}

/// The floor: 100k Chinese titles into a bare SQLCipher table with an FTS5 trigram index.
fn floor(dir: &Path) -> Duration {
    let (_vault, mut ledger, _) = Vault::create(
        dir,
        "floor",
        &Passphrase::new(PASS.into()),
        KdfChoice::INSECURE_FOR_TESTS,
    )
    .unwrap();
    let conn = ledger.conn_mut();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, title TEXT NOT NULL); \
         CREATE VIRTUAL TABLE t_fts USING fts5(title, content='t', content_rowid='id', tokenize='trigram');",
    )
    .unwrap();
    let started = Instant::now();
    let mut id = 0i64;
    while id < i64::from(BIG) {
        let tx = conn.transaction().unwrap();
        for _ in 0..BATCH {
            id += 1;
            let title = format!("关于加强第{id}号重要项目保密管理工作的通知");
            tx.execute("INSERT INTO t (id, title) VALUES (?1, ?2)", (id, &title))
                .unwrap();
            tx.execute(
                "INSERT INTO t_fts (rowid, title) VALUES (?1, ?2)",
                (id, &title),
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    started.elapsed()
}

fn search_figures(s: &Session) {
    let groups: [(&str, &[&str]); 3] = [
        (
            "2 characters",
            &["保密", "通知", "会议", "审计", "安全", "项目", "整改", "函"],
        ),
        (
            "3 characters",
            &[
                "保密管",
                "自查自",
                "的通知",
                "党委会",
                "统计报",
                "数字化",
                "巡视整",
                "信息系",
            ],
        ),
        (
            "6 characters",
            &[
                "加强涉密人员",
                "重大投资项目",
                "年度预算编制",
                "深化企业改革",
                "落实巡视整改",
                "信息系统安全",
                "开展专项审计",
                "印发年度工作",
            ],
        ),
    ];
    for (what, queries) in groups {
        let mut times = Vec::new();
        let mut matches = 0usize;
        for round in 0..5 {
            for q in queries {
                let query = Query {
                    text: (*q).to_owned(),
                    ..Query::default()
                };
                let started = Instant::now();
                let page = search::search(s, &query, 0, 50).unwrap();
                let took = started.elapsed();
                if round > 0 {
                    times.push(took);
                }
                matches = matches.max(page.total);
                assert!(!page.rows.is_empty(), "{q}");
            }
        }
        times.sort();
        println!(
            "search {what:<13} first page of 50, ranked: p50 {:.2} ms  p95 {:.2} ms  (up to {matches} matches)",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
        );
    }
}

/// Frame times of the 文件台账 screen while the wheel scrolls through `rows` rows.
fn frame_times(dir: &Path) -> (Duration, Duration, f64) {
    let app = BaomiApp::new(AppConfig {
        vault_dir: dir.to_owned(),
        kdf: KdfChoice::INSECURE_FOR_TESTS,
        clock: Arc::new(SystemClock),
        media: std::sync::Arc::new(baomi::backup::media::FixedMedia::default()),
    });
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(60)
        .with_context_setup(baomi::ui::fonts::install)
        .build_ui_state(|ui, app: &mut BaomiApp| app.ui(ui), app);
    h.run_ok();
    h.get_by_role(egui::accesskit::Role::PasswordInput)
        .type_text(PASS);
    h.run_ok();
    h.key_press(egui::Key::Enter);
    h.run_ok();
    h.get_by_label("文件台账").click();
    h.run_ok();
    h.hover_at(egui::pos2(600.0, 500.0));
    // A user scrolling down with the wheel from the top: 5 rows a frame, 190 frames — the same
    // distance (950 rows, new text on every frame) in the 1k and the 100k register.
    let mut times = Vec::new();
    for round in 0..3 {
        if round > 0 {
            // Back to the top (not timed).
            for _ in 0..30 {
                h.event(egui::Event::MouseWheel {
                    unit: egui::MouseWheelUnit::Point,
                    delta: egui::vec2(0.0, 1.0e6),
                    phase: egui::TouchPhase::Move,
                    source: egui::MouseWheelSource::Wheel,
                    modifiers: egui::Modifiers::NONE,
                });
                h.step();
            }
        }
        for _ in 0..190 {
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -120.0),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
                modifiers: egui::Modifiers::NONE,
            });
            let started = Instant::now();
            h.step();
            times.push(started.elapsed());
        }
    }
    let rss = rss_mib();
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.95), rss)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("ledger bench: run with `cargo bench --bench ledger`");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let floor = floor(d.path());
    println!(
        "floor: bare SQLCipher table + FTS5 trigram, {BIG} Chinese titles: {:.0} ms ({:.0} rows/s)",
        ms(floor),
        f64::from(BIG) / floor.as_secs_f64()
    );

    let small_dir = tempfile::tempdir().unwrap();
    let mut s = new_session(small_dir.path());
    baomi::cli::demo::fill(&mut s, SMALL, BATCH, false).unwrap();
    drop(s.lock("bench"));

    let big_dir = tempfile::tempdir().unwrap();
    let mut s = new_session(big_dir.path());
    let started = Instant::now();
    baomi::cli::demo::fill(&mut s, BIG, BATCH, false).unwrap();
    let took = started.elapsed();
    println!(
        "demo --documents {BIG} --batch {BATCH}: {:.0} ms ({:.0} documents/s, each with copies, custody rows, \
         audit event, FTS index); ratio to the floor {:.1}",
        ms(took),
        f64::from(BIG) / took.as_secs_f64(),
        took.as_secs_f64() / floor.as_secs_f64()
    );
    search_figures(&s);
    // The screens that read the whole trail or its latest page, best of three.
    let (mut dashboard, mut audit) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let started = Instant::now();
        let _ = baomi::ui::screens::dashboard::Dashboard::load(&s);
        dashboard = dashboard.min(started.elapsed());
        let mut log = baomi::ui::screens::audit_log::AuditLogScreen::default();
        let started = Instant::now();
        log.reload(&s);
        audit = audit.min(started.elapsed());
    }
    let events: i64 = s
        .raw_connection_for_tests()
        .query_row("SELECT count(*) FROM audit_events", [], |r| r.get(0))
        .unwrap();
    println!(
        "opening 工作台 (verifies all {events} audit events, lists loans): {:.0} ms; \
         opening 审计日志 (latest 1000 events, names): {:.1} ms",
        ms(dashboard),
        ms(audit)
    );
    drop(s.lock("bench"));

    let before = rss_mib();
    // Best of three runs each, interleaved, against the noise of a shared 2-core machine.
    let (mut p50_small, mut p95_small) = (Duration::MAX, Duration::MAX);
    let (mut p50_big, mut p95_big, mut rss_big) = (Duration::MAX, Duration::MAX, 0.0f64);
    for _ in 0..3 {
        let (a, b, _) = frame_times(small_dir.path());
        p50_small = p50_small.min(a);
        p95_small = p95_small.min(b);
        let (a, b, rss) = frame_times(big_dir.path());
        p50_big = p50_big.min(a);
        p95_big = p95_big.min(b);
        rss_big = rss_big.max(rss);
    }
    println!(
        "register screen, scrolling (headless frame): {SMALL} rows p50 {:.2} ms p95 {:.2} ms; \
         {BIG} rows p50 {:.2} ms p95 {:.2} ms; ratio p95 {:.2} (goals: <= 1.2, p95 <= 2 ms)",
        ms(p50_small),
        ms(p95_small),
        ms(p50_big),
        ms(p95_big),
        p95_big.as_secs_f64() / p95_small.as_secs_f64()
    );
    println!(
        "memory: resident {rss_big:.0} MiB with the {BIG}-row register open (process before the GUI runs: {before:.0} MiB)"
    );
}
