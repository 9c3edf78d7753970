//! Scenario helpers for marking and results: the seed paper published, an exam on it, candidates who
//! sit it through the API, markers, and a second examd instance on the same database.

use chrono::{Duration, SecondsFormat};
use examd::startup::Application;
use serde_json::{json, Value};

pub use crate::delivery::Invited;
use crate::helpers::*;
use crate::imports::SEED_001;

/// Seconds an exam's window stays open from now; tests move the clock past it to close the window.
pub const WINDOW_SECONDS: i64 = 2 * 3600;

/// A question of the seed paper as tests need it.
#[derive(Debug, Clone)]
pub struct Question {
    pub key: String,
    pub kind: String,
    pub answer: Value,
}

impl Question {
    pub fn is_open(&self) -> bool {
        ["short_answer", "scenario", "essay"].contains(&self.kind.as_str())
    }
}

/// Every question of a paper document, in order.
pub fn questions_of(paper: &Value) -> Vec<Question> {
    paper["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["questions"].as_array().unwrap().iter().map(move |q| Question {
                key: q["key"].as_str().unwrap().to_string(),
                kind: q["kind"].as_str().unwrap_or(s["kind"].as_str().unwrap()).to_string(),
                answer: q["answer"].clone(),
            })
        })
        .collect()
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl TestApp {
    /// Imports seed 001 and publishes it; with `partial`, its multiple-choice section scores `partial`.
    pub async fn publish_seed(&self, recruiter: &str, partial: bool) -> Value {
        let draft = self.import(recruiter, "format=cn-text", SEED_001).await.expect(201).body;
        let id = draft["id"].as_str().unwrap().to_string();
        if partial {
            let text = self.get(&format!("/papers/{id}/export?format=json"), Some(recruiter)).await.expect(200).text;
            let mut doc: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(doc["sections"][1]["kind"], "multiple_choice");
            doc["sections"][1]["scoring"] = json!("partial");
            self.put(&format!("/papers/{id}"), Some(recruiter), &doc).await.expect(200);
        }
        self.post(&format!("/papers/{id}/publish"), Some(recruiter), &json!({})).await.expect(200).body
    }

    /// An exam on a published paper, open from a minute ago for [`WINDOW_SECONDS`].
    pub async fn create_exam(&self, recruiter: &str, paper_id: &str, extra: Value) -> Value {
        let now = self.clock_now();
        let mut body = json!({
            "paper_id": paper_id,
            "opens_at": rfc3339(now - Duration::minutes(1)),
            "closes_at": rfc3339(now + Duration::seconds(WINDOW_SECONDS)),
            "duration_seconds": 3600,
            "grace_seconds": 30,
        });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        self.post("/exams", Some(recruiter), &body).await.expect(201).body
    }

    /// Invites candidates with these names (e-mails made from them).
    pub async fn invite_names(&self, recruiter: &str, exam_id: &str, names: &[&str]) -> Vec<Invited> {
        let candidates: Vec<Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| json!({"email": format!("cand{i}-{}@example.com", uuid::Uuid::new_v4().simple()), "name": n}))
            .collect();
        let reply = self
            .post(&format!("/exams/{exam_id}/invitations"), Some(recruiter), &json!({"candidates": candidates}))
            .await
            .expect(201);
        reply.body["invitations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| Invited {
                invitation_id: i["id"].as_str().unwrap().into(),
                email: i["email"].as_str().unwrap().into(),
                name: i["name"].as_str().unwrap().into(),
                code: i["access_code"].as_str().unwrap().into(),
            })
            .collect()
    }

    /// A candidate starts, saves these answers and (with `submit`) hands in; returns (attempt id, token).
    pub async fn sit(&self, code: &str, answers: &[(String, Value)], submit: bool) -> (String, String) {
        let token = self.candidate_token(code).await;
        let attempt = self.post("/attempts", Some(&token), &json!({})).await.expect(201).body;
        let id = attempt["id"].as_str().unwrap().to_string();
        for (seq, (key, answer)) in answers.iter().enumerate() {
            self.put(
                &format!("/attempts/{id}/answers/{key}"),
                Some(&token),
                &json!({"answer": answer, "seq": seq + 1}),
            )
            .await
            .expect(200);
        }
        if submit {
            let closed = self.post(&format!("/attempts/{id}/submit"), Some(&token), &json!({})).await.expect(200);
            assert_ne!(closed.body["state"], "in_progress");
        }
        (id, token)
    }

    /// Assigns markers to an exam.
    pub async fn assign_markers(&self, recruiter: &str, exam_id: &str, ids: &[&str]) {
        self.post(&format!("/exams/{exam_id}/markers"), Some(recruiter), &json!({"user_ids": ids})).await.expect(200);
    }

    /// Claims the next task of an exam.
    pub async fn claim(&self, marker: &str, exam_id: &str) -> Reply {
        self.post("/marking/claim", Some(marker), &json!({"exam_id": exam_id})).await
    }

    /// Scores a claimed task.
    pub async fn score(&self, marker: &str, task: &Value, points: f64, comment: &str) -> Reply {
        let body = json!({"points": points, "comment": comment, "fence": task["fence"]});
        self.post(&format!("/marking/tasks/{}/score", task["id"].as_str().unwrap()), Some(marker), &body).await
    }

    /// Starts a second examd on the same database, secret and clock, as a load balancer would see it.
    pub async fn spawn_peer(&self) -> Peer {
        let dir = std::env::temp_dir().join(format!("examd-peer-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let settings = test_settings(&self.database.url(), &dir, &[]);
        let app = Application::build_with_clock(settings, self.clock.clone()).await.expect("peer starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        Peer { address, _dir: TempDir(dir) }
    }

    /// Sends JSON to any instance (`base` is its address).
    pub async fn post_at(&self, base: &str, path: &str, token: &str, body: &Value) -> Reply {
        let url = format!("{base}/api/v1{path}");
        self.request(&url, "POST", Some(token), Some("application/json"), body.to_string().into_bytes()).await
    }
}

/// Another examd instance sharing the test's database.
pub struct Peer {
    pub address: String,
    _dir: TempDir,
}

/// The answers that earn every automatic point, and a text for every open question.
pub fn perfect_answers(questions: &[Question]) -> Vec<(String, Value)> {
    questions
        .iter()
        .map(|q| {
            let answer = if q.is_open() { json!(format!("我的回答：{}", q.key)) } else { q.answer.clone() };
            (q.key.clone(), answer)
        })
        .collect()
}
