//! Audit trail at scale (release): 1 000 000 events. The 工作台 must open in 50 ms or less
//! (its chain check runs on a worker, from where this sitting's last check ended); prints the
//! time to open it, the full verification's throughput on the worker and on the session (what
//! `check` and `audit verify` do), and the resumed check after one more event. Prints figures and
//! ratios to the goal; never fails. Run: `cargo bench --bench audit`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use baomi::domain::{Clock, SystemClock};
use baomi::ledger::audit_log;
use baomi::ledger::{KdfChoice, Passphrase, Session, SetupInput};
use baomi::ui::screens::dashboard::Dashboard;

const EVENTS: usize = 1_000_000;
const GOAL_OPEN_MS: f64 = 50.0;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Waits for the dashboard's chain check; returns its outcome and how long it took.
fn wait(d: &mut Dashboard) -> (baomi::audit::ChainStatus, Duration) {
    let started = Instant::now();
    loop {
        if let Some(status) = d.poll_chain() {
            return (status, started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn main() {
    // `cargo test --all-targets` runs this file too: only `cargo bench` runs the benchmark.
    if !std::env::args().any(|a| a == "--bench") {
        println!("audit bench: run with `cargo bench --bench audit`");
        return;
    }
    let dir = tempfile::tempdir_in(std::env::temp_dir()).unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (mut s, _) = Session::create(
        &dir.path().join("v"),
        &SetupInput {
            unit_name: "基准测试单位".into(),
            login: "bench".into(),
            name: "基准".into(),
            ..SetupInput::default()
        },
        &Passphrase::new("基准测试用的一句口令 2026".into()),
        KdfChoice::INSECURE_FOR_TESTS,
        clock,
    )
    .unwrap();
    let started = Instant::now();
    s.append_events_for_bench(EVENTS).unwrap();
    let fill = started.elapsed();
    println!(
        "audit bench: {EVENTS} events appended in {:.1} s ({:.0} events/s)",
        fill.as_secs_f64(),
        EVENTS as f64 / fill.as_secs_f64()
    );
    let s: &mut Session = &mut s;

    // The 工作台 opens: its check starts on a worker.
    let started = Instant::now();
    let mut d = Dashboard::load(s);
    let open = started.elapsed();
    let (status, full) = wait(&mut d);
    assert!(status.is_intact());
    audit_log::chain_checked(s, &status);
    println!(
        "audit bench: 工作台 opens in {:.1} ms at {EVENTS} events (goal ≤ {GOAL_OPEN_MS} ms, ratio {:.2}); \
         its check on the worker: {:.2} s ({:.0} events/s)",
        ms(open),
        ms(open) / GOAL_OPEN_MS,
        full.as_secs_f64(),
        EVENTS as f64 / full.as_secs_f64()
    );

    // check / audit verify: the whole chain on the session's connection.
    let started = Instant::now();
    let status = s.verify_audit_with(|_| {}).unwrap();
    let whole = started.elapsed();
    assert!(status.is_intact());
    println!(
        "audit bench: full verification on the session: {:.2} s ({:.0} events/s)",
        whole.as_secs_f64(),
        EVENTS as f64 / whole.as_secs_f64()
    );

    // One more event, the 工作台 again: the check reads only what was added.
    s.append_events_for_bench(1).unwrap();
    let started = Instant::now();
    let mut d = Dashboard::load(s);
    let open_again = started.elapsed();
    let (status, resumed) = wait(&mut d);
    assert!(status.is_intact());
    println!(
        "audit bench: 工作台 again after one more event: opens in {:.1} ms (ratio {:.2}), check resumed in {:.1} ms",
        ms(open_again),
        ms(open_again) / GOAL_OPEN_MS,
        ms(resumed)
    );
    drop(d);
}
