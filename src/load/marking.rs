//! Markers working through the queue: claim the next open answer of the exam, score it, repeat until
//! the server has nothing left (204). The routes may not exist yet on the server measured: a claim
//! answered "route not found" ends the phase with a note instead of a failure.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix_web::rt::time::sleep;
use serde_json::json;

use super::client::{Http, Request};
use super::report::PhaseStats;

/// A marker: the instance they talk to and their token.
#[derive(Debug, Clone)]
pub struct Marker {
    /// Base URL.
    pub target: String,
    /// Staff token.
    pub token: String,
}

/// What the markers found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// How many tasks were handed out more than once.
    pub double_claims: u64,
    /// Whether the claim route does not exist on the server.
    pub unavailable: bool,
}

/// Stats of the two requests of the phase.
pub struct Phases<'a> {
    /// `POST /marking/claim`.
    pub claim: &'a RefCell<PhaseStats>,
    /// `POST /marking/tasks/{id}/score`.
    pub score: &'a RefCell<PhaseStats>,
}

/// Runs every marker until the queue is empty, the routes turn out missing, or `limit` has passed.
pub async fn run(http: &Http, exam_id: &str, markers: &[Marker], phases: &Phases<'_>, limit: Duration) -> Outcome {
    let until = Instant::now() + limit;
    let now = Instant::now();
    phases.claim.borrow_mut().begin(now);
    phases.score.borrow_mut().begin(now);
    let claimed: RefCell<HashMap<String, u64>> = RefCell::default();
    let unavailable = RefCell::new(false);
    let work = markers.iter().map(|m| mark(http, exam_id, m, phases, &claimed, &unavailable, until));
    futures_util::future::join_all(work).await;
    let double_claims = claimed.borrow().values().filter(|n| **n > 1).count() as u64;
    Outcome { double_claims, unavailable: unavailable.into_inner() }
}

async fn mark(
    http: &Http,
    exam_id: &str,
    marker: &Marker,
    phases: &Phases<'_>,
    claimed: &RefCell<HashMap<String, u64>>,
    unavailable: &RefCell<bool>,
    until: Instant,
) {
    let api = format!("{}/api/v1", marker.target);
    while Instant::now() < until && !*unavailable.borrow() {
        let req = Request::post(format!("{api}/marking/claim"), json!({ "exam_id": exam_id })).bearer(&marker.token);
        let (outcome, latency) = http.call(req, None).await;
        phases.claim.borrow_mut().end(Instant::now());
        let answer = match outcome {
            Ok(a) => a,
            // examd answers an unknown route with this problem; any other 404 (say, an exam the marker
            // is not assigned to) is a real failure, and one that retrying will not mend.
            Err(f) if f.status == Some(404) => {
                if f.detail == "route not found" {
                    *unavailable.borrow_mut() = true;
                } else {
                    phases.claim.borrow_mut().error(&f.kind);
                }
                return;
            }
            Err(f) => {
                phases.claim.borrow_mut().error(&f.kind);
                // Back off a little so a failing server is not spun against until the time limit.
                sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        phases.claim.borrow_mut().ok(latency);
        if answer.status == 204 {
            return;
        }
        let Ok(task) = answer.json() else {
            phases.claim.borrow_mut().error("200 unreadable task");
            continue;
        };
        let (Some(id), Some(fence)) = (task["id"].as_str(), task.get("fence").cloned()) else {
            phases.claim.borrow_mut().error("200 task without id or fence");
            continue;
        };
        *claimed.borrow_mut().entry(id.to_string()).or_default() += 1;
        // Half marks, rounded down: always within 0..=points.
        let points = (task["question"]["points"].as_f64().unwrap_or_default() / 2.0).floor();
        let body = json!({ "points": points, "comment": "examd-load", "fence": fence });
        let req = Request::post(format!("{api}/marking/tasks/{id}/score"), body).bearer(&marker.token);
        let (outcome, latency) = http.call(req, None).await;
        let mut score = phases.score.borrow_mut();
        score.end(Instant::now());
        match outcome {
            Ok(_) => score.ok(latency),
            Err(f) => score.error(&f.kind),
        }
    }
}
