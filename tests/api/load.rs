//! Issue 6: the load tool itself, run small against the real server so CI exercises it end to end.

use std::time::Duration;

use examd::load::candidate::{Amount, Pace};
use examd::load::verify::{verify, VerifyConfig};
use examd::load::{run, Config};

use crate::helpers::*;
use crate::imports::SEED_001;

fn tiny(app: &TestApp, ack_log: &std::path::Path) -> Config {
    Config {
        targets: vec![app.address.clone()],
        admin_email: ADMIN_EMAIL.into(),
        admin_password: ADMIN_PASSWORD.into(),
        paper: SEED_001,
        candidates: 5,
        connections: 4,
        pace: Pace::Burst,
        amount: Amount::Each(3),
        start_within: Duration::ZERO,
        markers: 1,
        marking_limit: Duration::from_secs(20),
        baseline: Some(Duration::from_millis(100)),
        exam_duration: Duration::from_secs(3600),
        grace: Duration::from_secs(30),
        timeout: Duration::from_secs(30),
        ack_log: Some(ack_log.to_path_buf()),
        // Two requests' worth, so the batching is exercised too.
        invite_batch: 3,
    }
}

fn scratch() -> TempDir {
    let dir = TempDir(std::env::temp_dir().join(format!("examd-load-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).expect("temp dir");
    dir
}

async fn verified(log: &std::path::Path) -> examd::load::verify::Verdict {
    let cfg =
        VerifyConfig { logs: vec![log.to_path_buf()], target: None, connections: 4, timeout: Duration::from_secs(30) };
    verify(&cfg).await.expect("ack log readable")
}

#[actix_web::test]
async fn a_tiny_burst_runs_without_errors_and_every_acknowledged_save_verifies() {
    let app = spawn_app().await;
    let dir = scratch();
    let log = dir.0.join("acks.jsonl");
    let report = run(&tiny(&app, &log)).await.expect("the run sets up");
    let text = report.to_text();
    assert_eq!(report.failures(), 0, "{text}");
    assert_eq!(report.double_claims, 0, "{text}");
    let ok = |phase: &str| report.phase(phase).map(|p| p.ok);
    assert_eq!([ok("access"), ok("start"), ok("save"), ok("submit")], [Some(5), Some(5), Some(15), Some(5)], "{text}");
    assert!(ok("baseline").is_some_and(|n| n > 0), "{text}");
    assert!(report.save_to_baseline.is_some(), "{text}");
    let verdict = verified(&log).await;
    assert!(verdict.ok(), "{}", verdict.to_text());
    assert_eq!((verdict.attempts, verdict.saves), (5, 15));
}

#[actix_web::test]
async fn an_open_loop_run_with_a_spread_start_verifies_too() {
    let app = spawn_app().await;
    let dir = scratch();
    let log = dir.0.join("acks.jsonl");
    let cfg = Config {
        pace: Pace::Rate(200.0),
        amount: Amount::For(Duration::from_millis(100)),
        start_within: Duration::from_millis(100),
        markers: 0,
        baseline: None,
        ..tiny(&app, &log)
    };
    let report = run(&cfg).await.expect("the run sets up");
    assert_eq!(report.failures(), 0, "{}", report.to_text());
    // 200 saves/s for 0.1 s over 5 candidates: 4 each.
    assert_eq!(report.phase("save").map(|p| p.ok), Some(20), "{}", report.to_text());
    assert!(report.phase("baseline").is_none() && report.phase("claim").is_none());
    let verdict = verified(&log).await;
    assert!(verdict.ok(), "{}", verdict.to_text());
    assert_eq!(verdict.attempts, 5);
}
