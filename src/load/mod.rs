//! `examd-load`, the load generator of examd (as pgbench is to PostgreSQL). It prepares an exam through
//! the real HTTP API, then drives invited candidates through code exchange, start, autosaves and
//! submit, optionally markers through the marking queue, and optionally `/healthz` as a baseline of
//! what the server does with no database work. Each phase reports throughput, latency percentiles and
//! failures by kind.
//!
//! It lives in the library so the test suite can run a small load through [`run`]; the `examd-load`
//! binary is a thin command line over it. Everything runs on one thread (awc is single-threaded): pin it
//! to its own core, away from the server's.

pub mod acklog;
pub mod candidate;
pub mod client;
pub mod marking;
pub mod report;
pub mod schedule;
pub mod setup;
pub mod verify;

use std::cell::RefCell;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use self::acklog::AckLog;
use self::candidate::{Amount, Candidate, Pace, Shared};
use self::client::{Http, Request};
use self::report::{PhaseStats, Report};

/// A run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Base URLs of the examd instances (`http://127.0.0.1:8080`); candidates and markers are dealt
    /// round-robin, the setup uses the first.
    pub targets: Vec<String>,
    /// An admin account of the server.
    pub admin_email: String,
    /// Its password.
    pub admin_password: String,
    /// The paper to import (cn-text).
    pub paper: &'static str,
    /// Candidates to invite and drive.
    pub candidates: usize,
    /// Requests in flight at most (and connections open at most).
    pub connections: usize,
    /// How fast saves go.
    pub pace: Pace,
    /// How many saves.
    pub amount: Amount,
    /// Spread the candidates' code exchanges evenly over this long (zero: all at once).
    pub start_within: Duration,
    /// Markers to create and drive after the submits.
    pub markers: usize,
    /// Longest time the markers work.
    pub marking_limit: Duration,
    /// Drive `GET /healthz` this long first, to compare with.
    pub baseline: Option<Duration>,
    /// The exam's duration per attempt.
    pub exam_duration: Duration,
    /// The exam's grace after the deadline.
    pub grace: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Where to log acknowledged saves, for `verify`.
    pub ack_log: Option<PathBuf>,
    /// Candidates per invitation request.
    pub invite_batch: usize,
}

fn mode(pace: Pace) -> String {
    match pace {
        Pace::Rate(r) => format!("rate {r} saves/s (open loop)"),
        Pace::Burst => "burst (closed loop)".into(),
    }
}

/// `GET /healthz` from `connections` loops for `length`: the server's HTTP ceiling with this client.
async fn baseline(http: &Http, cfg: &Config, length: Duration, stats: &RefCell<PhaseStats>) {
    let start = Instant::now();
    let until = start + length;
    stats.borrow_mut().begin(start);
    let loops = (0..cfg.connections.max(1)).map(|j| {
        let url = format!("{}/healthz", cfg.targets[j % cfg.targets.len()]);
        async move {
            while Instant::now() < until {
                let (outcome, latency) = http.call(Request::get(url.clone()), None).await;
                let mut s = stats.borrow_mut();
                s.end(Instant::now());
                match outcome {
                    Ok(_) => s.ok(latency),
                    Err(f) => s.error(&f.kind),
                }
            }
        }
    });
    join_all(loops).await;
}

/// Runs the whole load and reports it. Fails only when the setup fails; request failures during the
/// run are counted in the report.
pub async fn run(cfg: &Config) -> Result<Report, String> {
    if cfg.targets.is_empty() {
        return Err("give at least one target".into());
    }
    let cfg =
        &Config { targets: cfg.targets.iter().map(|t| t.trim_end_matches('/').to_string()).collect(), ..cfg.clone() };
    let http = Http::new(cfg.connections, cfg.timeout);
    let acks = cfg.ack_log.as_deref().map(AckLog::create).transpose()?.map(RefCell::new);
    let shared = Shared { http: http.clone(), acks: acks.as_ref() };
    let phase = |name| RefCell::new(PhaseStats::new(name));
    let (base, access, start, save) = (&phase("baseline"), &phase("access"), &phase("start"), &phase("save"));
    let (submit, claim, score) = (&phase("submit"), &phase("claim"), &phase("score"));

    if let Some(length) = cfg.baseline {
        baseline(&http, cfg, length, base).await;
    }
    let prepared = setup::prepare(&http, cfg).await?;
    let mut candidates: Vec<Candidate> = prepared
        .codes
        .into_iter()
        .enumerate()
        .map(|(i, code)| Candidate::new(i, code, cfg.targets[i % cfg.targets.len()].clone()))
        .collect();
    let n = candidates.len();

    // Each phase waits for the previous one to finish on every candidate, so its figures are its own.
    let t0 = Instant::now();
    access.borrow_mut().begin(t0);
    start.borrow_mut().begin(t0);
    join_all(candidates.iter_mut().map(|c| {
        let intended = t0 + schedule::start_offset(c.index(), n, cfg.start_within);
        c.start(&shared, intended, access, start)
    }))
    .await;

    let t1 = Instant::now();
    save.borrow_mut().begin(t1);
    join_all(candidates.iter_mut().map(|c| c.save_all(&shared, (cfg.pace, cfg.amount), (t1, n), save))).await;

    submit.borrow_mut().begin(Instant::now());
    join_all(candidates.iter_mut().map(|c| c.submit(&shared, submit))).await;

    let (mut notes, mut double_claims, mut marked) = (Vec::new(), 0, false);
    if !prepared.markers.is_empty() {
        let phases = marking::Phases { claim, score };
        let outcome = marking::run(&http, &prepared.exam_id, &prepared.markers, &phases, cfg.marking_limit).await;
        if outcome.unavailable {
            notes.push("marking not available (POST /api/v1/marking/claim: route not found)".into());
        }
        (double_claims, marked) = (outcome.double_claims, !outcome.unavailable);
    }
    if let Some(log) = &acks {
        log.borrow_mut().flush()?;
    }

    let ran = |name: &str| match name {
        "baseline" => cfg.baseline.is_some(),
        "claim" | "score" => marked,
        _ => true,
    };
    let all = [base, access, start, save, submit, claim, score];
    let phases = all.iter().map(|s| s.borrow().summary()).filter(|p| ran(&p.name)).collect();
    let mut report = Report {
        targets: cfg.targets.clone(),
        candidates: n,
        connections: cfg.connections,
        mode: mode(cfg.pace),
        phases,
        save_to_baseline: None,
        double_claims,
        notes,
    };
    report.compute_ratio();
    Ok(report)
}
