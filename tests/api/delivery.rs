//! Issue 4: invitations, timed attempts, autosave and server-enforced deadlines.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::imports::SEED_001;

/// A recruiter with a published copy of the seed paper and an exam on it.
pub struct ExamSetup {
    pub recruiter: String,
    pub paper_id: String,
    pub exam_id: String,
}

/// An invited candidate.
#[derive(Debug, Clone)]
pub struct Invited {
    pub invitation_id: String,
    pub email: String,
    pub name: String,
    pub code: String,
}

impl TestApp {
    pub async fn published_seed(&self, recruiter: &str) -> String {
        let paper = self.import(recruiter, "format=cn-text", SEED_001).await.expect(201);
        let id = paper.body["id"].as_str().unwrap().to_string();
        self.post(&format!("/papers/{id}/publish"), Some(recruiter), &json!({})).await.expect(200);
        id
    }

    /// An exam open from a minute ago for three hours, one hour per attempt, 30 s grace; `extra` overrides.
    pub async fn seed_exam(&self, extra: Value) -> ExamSetup {
        let (_, recruiter) = self.staff("recruiter").await;
        let paper_id = self.published_seed(&recruiter).await;
        let now = self.clock_now();
        let mut body = json!({
            "paper_id": paper_id,
            "opens_at": now - Duration::minutes(1),
            "closes_at": now + Duration::hours(3),
            "duration_seconds": 3600,
            "grace_seconds": 30,
        });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let exam = self.post("/exams", Some(&recruiter), &body).await.expect(201);
        ExamSetup { exam_id: exam.body["id"].as_str().unwrap().to_string(), recruiter, paper_id }
    }

    pub fn clock_now(&self) -> chrono::DateTime<Utc> {
        use examd::clock::Clock;
        self.clock.now()
    }

    pub async fn invite(&self, setup: &ExamSetup, n: usize) -> Vec<Invited> {
        let names: Vec<String> = (0..n).map(|i| format!("候选人{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.invite_names(&setup.recruiter, &setup.exam_id, &names).await
    }

    /// Exchanges a code for a candidate token.
    pub async fn candidate_token(&self, code: &str) -> String {
        token_of(self.post("/auth/access", None, &json!({"code": code})).await.expect(200))
    }

    pub async fn save_answer(&self, token: &str, attempt: &str, question: &str, answer: Value, seq: i64) -> Reply {
        self.put(
            &format!("/attempts/{attempt}/answers/{question}"),
            Some(token),
            &json!({"answer": answer, "seq": seq}),
        )
        .await
    }
}

/// The order a candidate sees: question keys with their option keys.
fn order(attempt: &Value) -> Vec<(String, Vec<String>)> {
    attempt["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap().iter())
        .map(|q| {
            let options =
                q["options"].as_array().unwrap().iter().map(|o| o["key"].as_str().unwrap().to_string()).collect();
            (q["key"].as_str().unwrap().to_string(), options)
        })
        .collect()
}

#[actix_web::test]
async fn three_candidates_sit_the_seed_paper() {
    let app = spawn_app().await;
    let setup = app.seed_exam(json!({"shuffle_questions": true, "shuffle_options": true})).await;
    let invited = app.invite(&setup, 3).await;

    // Ann starts, saves, reconnects and finds the same order and the same answers.
    let ann = app.candidate_token(&invited[0].code).await;
    let started = app.post("/attempts", Some(&ann), &json!({})).await.expect(201).body;
    let attempt = started["id"].as_str().unwrap().to_string();
    assert_eq!(started["state"], "in_progress");
    assert_eq!(started["remaining_seconds"], 3600);
    assert!(started["server_time"].is_string() && started["deadline_at"].is_string());
    assert_eq!(order(&started).len(), 20);
    app.save_answer(&ann, &attempt, "s1q1", json!("C"), 1).await.expect(200);
    app.save_answer(&ann, &attempt, "s2q1", json!(["A", "B", "C", "E"]), 2).await.expect(200);
    app.save_answer(&ann, &attempt, "s3q1", json!("理解规定底线,灵活处理。"), 3).await.expect(200);
    app.save_answer(&ann, &attempt, "s3q1", json!("理解规定底线,灵活处理,争取理解。"), 4).await.expect(200);
    app.clock.advance(Duration::minutes(5));
    let ann_again = app.candidate_token(&invited[0].code).await;
    let resumed = app.post("/attempts", Some(&ann_again), &json!({})).await.expect(200).body;
    assert_eq!(resumed["id"], attempt.as_str());
    assert_eq!(order(&resumed), order(&started));
    assert_eq!(resumed["answers"]["s1q1"]["answer"], "C");
    assert_eq!(resumed["answers"]["s2q1"]["answer"], json!(["A", "B", "C", "E"]));
    assert_eq!(resumed["answers"]["s3q1"]["answer"], "理解规定底线,灵活处理,争取理解。");
    assert_eq!(resumed["answers"]["s3q1"]["seq"], 4);
    assert_eq!(resumed["remaining_seconds"], 3300);
    let read = app.get(&format!("/attempts/{attempt}"), Some(&ann)).await.expect(200).body;
    assert_eq!(order(&read), order(&started));

    // A delayed older save never overwrites a newer one; an answer that does not fit is refused.
    app.save_answer(&ann, &attempt, "s3q1", json!("旧的答案"), 2).await.expect_problem(409, "stale_seq");
    app.save_answer(&ann, &attempt, "s1q1", json!("F"), 10).await.expect_problem(422, "validation_failed");
    app.save_answer(&ann, &attempt, "s1q1", json!(["A", "B"]), 11).await.expect_problem(422, "validation_failed");
    app.save_answer(&ann, &attempt, "nope", json!("A"), 12).await.expect_problem(404, "not_found");
    let read = app.get(&format!("/attempts/{attempt}"), Some(&ann)).await.expect(200).body;
    assert_eq!(read["answers"]["s3q1"]["answer"], "理解规定底线,灵活处理,争取理解。");
    assert_eq!(read["answers"]["s1q1"]["answer"], "C");

    // Submitting twice gives the same outcome; saving afterwards is refused.
    let first = app.post(&format!("/attempts/{attempt}/submit"), Some(&ann), &json!({})).await.expect(200).body;
    let second = app.post(&format!("/attempts/{attempt}/submit"), Some(&ann), &json!({})).await.expect(200).body;
    assert_eq!(first["state"], "submitted");
    assert_eq!(second["state"], first["state"]);
    assert_eq!(second["closed_at"], first["closed_at"]);
    assert_eq!(second["answers"], first["answers"]);
    app.save_answer(&ann, &attempt, "s1q2", json!("C"), 20).await.expect_problem(409, "attempt_closed");

    // Bo runs out of time: the late save is refused and the earlier answer stands.
    let bo = app.candidate_token(&invited[1].code).await;
    let bo_attempt =
        app.post("/attempts", Some(&bo), &json!({})).await.expect(201).body["id"].as_str().unwrap().to_string();
    app.save_answer(&bo, &bo_attempt, "s1q1", json!("A"), 1).await.expect(200);
    app.clock.advance(Duration::seconds(3600 + 20));
    app.save_answer(&bo, &bo_attempt, "s1q1", json!("C"), 2).await.expect(200);
    app.clock.advance(Duration::seconds(11));
    let late = app.save_answer(&bo, &bo_attempt, "s1q1", json!("D"), 3).await.expect_problem(409, "attempt_closed");
    assert!(late.body["detail"].as_str().unwrap().contains("stands"));

    // Cy starts, saves once, never comes back: the server closes the attempt by itself.
    let cy = app.candidate_token(&invited[2].code).await;
    let cy_attempt =
        app.post("/attempts", Some(&cy), &json!({})).await.expect(201).body["id"].as_str().unwrap().to_string();
    app.save_answer(&cy, &cy_attempt, "s1q1", json!("B"), 1).await.expect(200);
    app.clock.advance(Duration::seconds(3600 + 31));
    let closed = examd::service::attempts::close_expired(&app.app_state).await.unwrap();
    assert!(closed <= 2, "each attempt closes once, got {closed}");
    assert_eq!(examd::service::attempts::close_expired(&app.app_state).await.unwrap(), 0);
    let statuses =
        app.get(&format!("/exams/{}/invitations", setup.exam_id), Some(&setup.recruiter)).await.expect(200).body;
    let status: Vec<&str> = statuses.as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["submitted", "expired", "expired"]);
    let bo_read = app.get(&format!("/attempts/{bo_attempt}"), Some(&bo)).await.expect(200).body;
    assert_eq!(bo_read["answers"]["s1q1"]["answer"], "C");
    // Closed by expiry, and graded at once: Bo left no open answer for markers.
    assert_eq!(bo_read["state"], "graded");
    let cy_read = app.get(&format!("/attempts/{cy_attempt}"), Some(&cy)).await.expect(200).body;
    assert_eq!(cy_read["answers"]["s1q1"]["answer"], "B");
    assert_eq!(cy_read["remaining_seconds"], 0);
}

#[actix_web::test]
async fn the_window_and_extra_time_decide_the_deadline() {
    let app = spawn_app().await;
    let now = app.clock_now();
    let setup = app
        .seed_exam(json!({"opens_at": now + Duration::hours(1), "closes_at": now + Duration::hours(2), "duration_seconds": 5400}))
        .await;
    let invited = app.invite(&setup, 2).await;
    let token = app.candidate_token(&invited[0].code).await;
    let early = app.post("/attempts", Some(&token), &json!({})).await.expect_problem(409, "exam_not_open");
    assert!(early.body["detail"].as_str().unwrap().contains("opens at"));

    app.clock.advance(Duration::hours(1));
    let attempt = app.post("/attempts", Some(&token), &json!({})).await.expect(201).body;
    let id = attempt["id"].as_str().unwrap();
    // 90 minutes allowed, but the window closes in 60: the window is the limit.
    assert_eq!(attempt["remaining_seconds"], 3600);

    // Extending the window extends the attempt; extra time counts on top of the duration.
    app.send(
        "PATCH",
        &format!("/exams/{}", setup.exam_id),
        Some(&setup.recruiter),
        Some("application/json"),
        json!({"closes_at": now + Duration::hours(5)}).to_string().into_bytes(),
    )
    .await
    .expect(200);
    let read = app.get(&format!("/attempts/{id}"), Some(&token)).await.expect(200).body;
    assert_eq!(read["remaining_seconds"], 5400);
    app.put(
        &format!("/exams/{}/invitations/{}/extra-time", setup.exam_id, invited[0].invitation_id),
        Some(&setup.recruiter),
        &json!({"extra_seconds": 600}),
    )
    .await
    .expect(204);
    let read = app.get(&format!("/attempts/{id}"), Some(&token)).await.expect(200).body;
    assert_eq!(read["remaining_seconds"], 6000);

    // After the window closes nobody starts, and the code no longer opens anything.
    app.clock.set(now + Duration::hours(5) + Duration::seconds(10));
    let late = app.candidate_token(&invited[1].code).await;
    app.post("/attempts", Some(&late), &json!({})).await.expect_problem(409, "exam_closed");
    app.clock.advance(Duration::minutes(1));
    app.post("/auth/access", None, &json!({"code": invited[1].code})).await.expect_problem(409, "exam_closed");
}

/// Field names that would carry a key, a model answer or marking material.
const SECRET_FIELDS: &[&str] = &[
    "explanation",
    "reference_answer",
    "rubric",
    "accepted",
    "tolerance",
    "weight",
    "scoring",
    "penalty",
    "guidance",
    "criterion",
];

fn walk<'a>(value: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push((format!("{path}.{k}"), v));
            walk(v, format!("{path}.{k}"), out)
        }),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| walk(v, format!("{path}[{i}]"), out)),
        _ => {}
    }
}

#[actix_web::test]
async fn candidate_responses_carry_no_key_explanation_reference_answer_or_rubric() {
    let app = spawn_app().await;
    let setup = app.seed_exam(json!({})).await;
    let paper = app.get(&format!("/papers/{}", setup.paper_id), Some(&setup.recruiter)).await.expect(200).body;
    // Every secret text of the paper, to look for anywhere in what candidates receive.
    let mut secrets: Vec<String> = Vec::new();
    let mut fields = Vec::new();
    walk(&paper, String::new(), &mut fields);
    for (path, v) in &fields {
        let secret = ["explanation", "reference_answer", "criterion"].iter().any(|f| path.ends_with(&format!(".{f}")));
        if let (true, Some(text)) = (secret, v.as_str()) {
            secrets.push(text.chars().take(12).collect());
        }
    }
    assert!(secrets.len() >= 10, "the seed paper has explanations and a reference answer");

    let invited = app.invite(&setup, 1).await;
    let access = app.post("/auth/access", None, &json!({"code": invited[0].code})).await.expect(200).body;
    let token = access["access_token"].as_str().unwrap().to_string();
    let started = app.post("/attempts", Some(&token), &json!({})).await.expect(201).body;
    let id = started["id"].as_str().unwrap().to_string();
    let saved = app.save_answer(&token, &id, "s1q1", json!("C"), 1).await.expect(200).body;
    let read = app.get(&format!("/attempts/{id}"), Some(&token)).await.expect(200).body;
    let submitted = app.post(&format!("/attempts/{id}/submit"), Some(&token), &json!({})).await.expect(200).body;

    for (name, response) in
        [("access", &access), ("start", &started), ("save", &saved), ("get", &read), ("submit", &submitted)]
    {
        let mut all = Vec::new();
        walk(response, String::new(), &mut all);
        for (path, value) in &all {
            let field = path.rsplit('.').next().unwrap();
            // The exam's summary states each section's scoring rule and penalty in the open, as the
            // paper's own headings do (少选、错选不得分; 答错倒扣1分): candidates read them before starting.
            let stated_rule = path.starts_with(".exam.sections[") && ["scoring", "penalty"].contains(&field);
            assert!(stated_rule || !SECRET_FIELDS.contains(&field), "{name}: {path} is a secret field");
            assert!(!(path.contains(".sections") && field == "answer"), "{name}: {path} carries a key");
            if let Some(text) = value.as_str() {
                for secret in &secrets {
                    assert!(!text.contains(secret.as_str()), "{name}: {path} contains marking material: {text}");
                }
            }
        }
    }
}

#[actix_web::test]
async fn candidates_reach_only_their_own_attempt() {
    let app = spawn_app().await;
    let setup = app.seed_exam(json!({})).await;
    let other_exam = app.seed_exam(json!({})).await;
    let invited = app.invite(&setup, 2).await;
    let elsewhere = app.invite(&other_exam, 1).await;
    let ann = app.candidate_token(&invited[0].code).await;
    let bo = app.candidate_token(&invited[1].code).await;
    let eve = app.candidate_token(&elsewhere[0].code).await;
    let ann_attempt =
        app.post("/attempts", Some(&ann), &json!({})).await.expect(201).body["id"].as_str().unwrap().to_string();
    app.save_answer(&ann, &ann_attempt, "s1q1", json!("C"), 1).await.expect(200);

    for intruder in [&bo, &eve] {
        app.get(&format!("/attempts/{ann_attempt}"), Some(intruder)).await.expect_problem(404, "not_found");
        app.save_answer(intruder, &ann_attempt, "s1q1", json!("A"), 99).await.expect_problem(404, "not_found");
        app.post(&format!("/attempts/{ann_attempt}/submit"), Some(intruder), &json!({}))
            .await
            .expect_problem(404, "not_found");
    }
    let read = app.get(&format!("/attempts/{ann_attempt}"), Some(&ann)).await.expect(200).body;
    assert_eq!((read["answers"]["s1q1"]["answer"].clone(), read["state"].clone()), (json!("C"), json!("in_progress")));

    // A candidate token is not a staff token (`GET /me` answers any caller, as the candidate).
    assert_eq!(app.get("/me", Some(&ann)).await.expect(200).body["role"], "candidate");
    app.get(&format!("/exams/{}/invitations", setup.exam_id), Some(&ann)).await.expect_problem(401, "unauthorized");
    app.get(&format!("/papers/{}", setup.paper_id), Some(&ann)).await.expect_problem(401, "unauthorized");
    // A staff token is not a candidate token.
    app.post("/attempts", Some(&setup.recruiter), &json!({})).await.expect_problem(401, "unauthorized");

    // The code opens the same attempt again, never a second one.
    let again = app.candidate_token(&invited[0].code).await;
    let same = app.post("/attempts", Some(&again), &json!({})).await.expect(200).body;
    assert_eq!(same["id"], ann_attempt.as_str());

    // Wrong codes are refused alike; a revoked invitation's code and token stop working.
    app.post("/auth/access", None, &json!({"code": "AAAAAAAAAAAAAAAAAAAAAAAA"}))
        .await
        .expect_problem(401, "unauthorized");
    app.post("/auth/access", None, &json!({"code": "short"})).await.expect_problem(401, "unauthorized");
    app.post(
        &format!("/exams/{}/invitations/{}/revoke", setup.exam_id, invited[0].invitation_id),
        Some(&setup.recruiter),
        &json!({}),
    )
    .await
    .expect(204);
    app.post("/auth/access", None, &json!({"code": invited[0].code})).await.expect_problem(401, "unauthorized");
    app.post("/attempts", Some(&ann), &json!({})).await.expect_problem(401, "unauthorized");
    app.save_answer(&ann, &ann_attempt, "s1q2", json!("C"), 2).await.expect_problem(401, "unauthorized");
    let statuses =
        app.get(&format!("/exams/{}/invitations", setup.exam_id), Some(&setup.recruiter)).await.expect(200).body;
    assert_eq!(statuses[0]["status"], "revoked");
    assert_eq!(statuses[1]["status"], "not_started");

    // Another recruiter cannot see or manage the exam.
    let (_, stranger) = app.staff("recruiter").await;
    app.get(&format!("/exams/{}", setup.exam_id), Some(&stranger)).await.expect_problem(404, "not_found");
    app.post(
        &format!("/exams/{}/invitations", setup.exam_id),
        Some(&stranger),
        &json!({"candidates": [{"email": "x@example.com", "name": "X"}]}),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(&format!("/exams/{}/invitations", setup.exam_id), Some(&stranger)).await.expect_problem(404, "not_found");
}

#[actix_web::test]
async fn exams_are_validated() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let draft =
        app.import(&recruiter, "format=cn-text", SEED_001).await.expect(201).body["id"].as_str().unwrap().to_string();
    let now = app.clock_now();
    let body =
        json!({"paper_id": draft, "opens_at": now, "closes_at": now + Duration::hours(1), "duration_seconds": 600});
    let reply = app.post("/exams", Some(&recruiter), &body).await.expect_problem(422, "validation_failed");
    assert!(reply.body["detail"].as_str().unwrap().contains("publish"));
    app.post(&format!("/papers/{draft}/publish"), Some(&recruiter), &json!({})).await.expect(200);
    let bad = json!({"paper_id": draft, "opens_at": now, "closes_at": now - Duration::hours(1), "duration_seconds": 0, "grace_seconds": -1});
    let reply = app.post("/exams", Some(&recruiter), &bad).await.expect_problem(422, "validation_failed");
    let fields: Vec<&str> =
        reply.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["closes_at", "duration_seconds", "grace_seconds"]);
    app.post("/exams", Some(&recruiter), &json!({"paper_id": draft, "opens_at": "tomorrow"}))
        .await
        .expect_problem(422, "validation_failed");
    let exam = app.post("/exams", Some(&recruiter), &body).await.expect(201).body;
    let reply = app
        .post(
            &format!("/exams/{}/invitations", exam["id"].as_str().unwrap()),
            Some(&recruiter),
            &json!({"candidates": [{"email": "nope", "name": ""}]}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "candidates[0].email");
}

#[actix_web::test]
async fn concurrent_saves_are_group_committed_and_the_highest_seq_wins() {
    let app = spawn_app().await;
    let setup = app.seed_exam(json!({})).await;
    let invited = app.invite(&setup, 4).await;
    let mut sittings = Vec::new();
    for inv in &invited {
        let token = app.candidate_token(&inv.code).await;
        let id =
            app.post("/attempts", Some(&token), &json!({})).await.expect(201).body["id"].as_str().unwrap().to_string();
        sittings.push((token, id));
    }
    // Every candidate answers every single-choice question at once, and races ten saves of one answer.
    let keys: Vec<String> = (1..=5).map(|q| format!("s1q{q}")).collect();
    let mut saves = Vec::new();
    for (token, id) in &sittings {
        for key in &keys {
            saves.push(app.save_answer(token, id, key, json!("B"), 1));
        }
        for seq in 1..=10 {
            saves.push(app.save_answer(token, id, "s3q1", json!(format!("第{seq}稿")), seq));
        }
    }
    let replies = futures_util::future::join_all(saves).await;
    for reply in &replies {
        assert!(reply.status == 200 || reply.body["code"] == "stale_seq", "{}", reply.text);
    }
    for (token, id) in &sittings {
        let read = app.get(&format!("/attempts/{id}"), Some(token)).await.expect(200).body;
        for q in 1..=5 {
            assert_eq!(read["answers"][format!("s1q{q}")]["answer"], "B");
        }
        assert_eq!(read["answers"]["s3q1"]["seq"], 10);
        assert_eq!(read["answers"]["s3q1"]["answer"], "第10稿");
    }
    // A retry of the stored save is acknowledged again; an older one is refused.
    let (token, id) = &sittings[0];
    app.save_answer(token, id, "s3q1", json!("第10稿"), 10).await.expect(200);
    app.save_answer(token, id, "s3q1", json!("第9稿"), 9).await.expect_problem(409, "stale_seq");
    app.save_answer(token, id, "s3q1", json!(null), 11).await.expect(200);
    let read = app.get(&format!("/attempts/{id}"), Some(token)).await.expect(200).body;
    assert_eq!(read["answers"]["s3q1"]["answer"], Value::Null);
    assert_eq!(read["answers"]["s3q1"]["seq"], 11);
}
