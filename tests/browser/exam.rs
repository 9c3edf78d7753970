//! The recruiter's side of a browser scenario, through the API: a published paper, an exam on it, an
//! invitation with its start link; and what the server stored, read back with the candidate's code.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use examd::clock::ManualClock;
use serde_json::{json, Value};

use crate::helpers::*;

/// Seed 001: the medical customer-service manager paper, as found.
pub const SEED_001: &str = include_str!("../fixtures/seeds/001_feb79bb3dd53de14.txt");

/// The browser lives in real time, so the app's clock follows the wall clock (the API tests' clock
/// stands still until moved, which a page's countdown cannot do).
pub async fn app() -> TestApp {
    app_with(&[]).await
}

/// The same, with settings of its own (a short marking lease, say).
pub async fn app_with(extra: &[(&str, &str)]) -> TestApp {
    let app = spawn_app_with(extra).await;
    actix_web::rt::spawn(follow_wall_clock(app.clock.clone()));
    app
}

async fn follow_wall_clock(clock: std::sync::Arc<ManualClock>) {
    loop {
        clock.set(Utc::now());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One invited candidate's way in.
pub struct Invitation {
    pub code: String,
    /// The candidate's e-mail (made up per invitation).
    pub email: String,
    /// The start link's path and fragment (`/take#<code>`), to open at whichever origin the test uses.
    pub start_path: String,
}

/// An exam for a test: the recruiter's token, the paper (with its keys) and the exam id.
pub struct Exam {
    pub recruiter: String,
    pub paper: Value,
    pub exam_id: String,
}

fn rfc3339(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Exam {
    /// Imports seed 001 (cn-text), publishes it and opens an exam on it.
    pub async fn seed(app: &TestApp, exam: Value) -> Exam {
        let (_, recruiter) = app.staff("recruiter").await;
        let reply = app
            .send(
                "POST",
                "/papers/import?format=cn-text",
                Some(&recruiter),
                Some("text/plain"),
                SEED_001.as_bytes().to_vec(),
            )
            .await
            .expect(201);
        Exam::publish(app, recruiter, reply.body["id"].as_str().unwrap(), exam).await
    }

    /// Creates a paper from a document, publishes it and opens an exam on it.
    pub async fn paper(app: &TestApp, doc: Value, exam: Value) -> Exam {
        let (_, recruiter) = app.staff("recruiter").await;
        let reply = app.post("/papers", Some(&recruiter), &doc).await.expect(201);
        Exam::publish(app, recruiter, reply.body["id"].as_str().unwrap(), exam).await
    }

    /// Publishes a draft of `recruiter` and opens an exam on it.
    pub async fn publish(app: &TestApp, recruiter: String, paper_id: &str, extra: Value) -> Exam {
        app.post(&format!("/papers/{paper_id}/publish"), Some(&recruiter), &json!({})).await.expect(200);
        let paper = app.get(&format!("/papers/{paper_id}"), Some(&recruiter)).await.expect(200).body;
        let now = Utc::now();
        let mut body = json!({
            "paper_id": paper_id,
            "opens_at": rfc3339(now - chrono::Duration::minutes(1)),
            "closes_at": rfc3339(now + chrono::Duration::hours(3)),
            "duration_seconds": 3600,
            "grace_seconds": 30,
        });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let exam = app.post("/exams", Some(&recruiter), &body).await.expect(201).body;
        Exam { recruiter, paper, exam_id: exam["id"].as_str().unwrap().to_string() }
    }

    /// Invites one candidate.
    pub async fn invite(&self, app: &TestApp, name: &str) -> Invitation {
        let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
        let candidates = json!({"candidates": [{"email": email, "name": name}]});
        let reply = app
            .post(&format!("/exams/{}/invitations", self.exam_id), Some(&self.recruiter), &candidates)
            .await
            .expect(201);
        let invitation = &reply.body["invitations"][0];
        let code = invitation["access_code"].as_str().unwrap().to_string();
        let start_url = invitation["start_url"].as_str().unwrap();
        assert!(start_url.ends_with(&format!("/take#{code}")), "{start_url}");
        let start_path = start_url[start_url.find("/take#").unwrap()..].to_string();
        Invitation { code, email, start_path }
    }

    /// The question at paper position `n` (1-based, in paper order).
    pub fn question(&self, n: usize) -> Value {
        self.paper["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["questions"].as_array().unwrap().clone())
            .nth(n - 1)
            .unwrap()
    }

    /// The text of option `key` of question `n`.
    pub fn option(&self, n: usize, key: &str) -> String {
        let q = self.question(n);
        let option = q["options"].as_array().unwrap().iter().find(|o| o["key"] == key).unwrap();
        option["text"].as_str().unwrap().to_string()
    }

    /// A marker scores every open answer with `points`.
    pub async fn mark_all(&self, app: &TestApp, points: f64) {
        let (marker_id, marker) = app.staff("marker").await;
        let markers = json!({"user_ids": [marker_id]});
        app.post(&format!("/exams/{}/markers", self.exam_id), Some(&self.recruiter), &markers).await.expect(200);
        loop {
            let task = app.post("/marking/claim", Some(&marker), &json!({"exam_id": self.exam_id})).await;
            if task.status == 204 {
                return;
            }
            let task = task.expect(200).body;
            let score = json!({"points": points, "comment": "要点清楚", "fence": task["fence"]});
            app.post(&format!("/marking/tasks/{}/score", task["id"].as_str().unwrap()), Some(&marker), &score)
                .await
                .expect(200);
        }
    }

    /// Closes the window early (results are released only after it) and releases the results.
    pub async fn release(&self, app: &TestApp) {
        let closes_at = rfc3339(Utc::now() + chrono::Duration::seconds(2));
        app.send(
            "PATCH",
            &format!("/exams/{}", self.exam_id),
            Some(&self.recruiter),
            Some("application/json"),
            json!({"closes_at": closes_at}).to_string().into_bytes(),
        )
        .await
        .expect(200);
        tokio::time::sleep(Duration::from_secs(3)).await;
        app.post(&format!("/exams/{}/release", self.exam_id), Some(&self.recruiter), &json!({})).await.expect(200);
    }
}

/// The attempt as the server holds it (state and stored answers), read with the candidate's code.
pub async fn stored(app: &TestApp, code: &str) -> Value {
    let token = token_of(app.post("/auth/access", None, &json!({"code": code})).await.expect(200));
    let intro = app.get("/exam", Some(&token)).await.expect(200).body;
    let id = intro["attempt"]["id"].as_str().expect("an attempt").to_string();
    app.get(&format!("/attempts/{id}"), Some(&token)).await.expect(200).body
}
