//! Issue 5: the marking queue — leases, fences, release, double marking and adjudication, and many
//! markers on two instances at once.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::exam_flow::*;
use crate::helpers::*;

/// Default lease (config/default.toml).
const LEASE_SECONDS: i64 = 600;

/// A published seed exam with markers assigned and `candidates` who answered every open question.
pub struct Marked {
    pub recruiter: String,
    pub exam_id: String,
    pub attempts: Vec<String>,
    pub invited: Vec<Invited>,
    pub markers: Vec<(String, String)>,
    pub open_keys: Vec<String>,
    pub choice_key: String,
}

pub async fn exam_with_answers(app: &TestApp, candidates: usize, markers: usize, extra: Value) -> Marked {
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.publish_seed(&recruiter, false).await;
    let exam = app.create_exam(&recruiter, paper["id"].as_str().unwrap(), extra).await;
    let exam_id = exam["id"].as_str().unwrap().to_string();
    let names: Vec<String> = (0..candidates).map(|i| format!("考生{i}")).collect();
    let invited = app.invite_names(&recruiter, &exam_id, &names.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let questions = questions_of(&paper);
    let open_keys: Vec<String> = questions.iter().filter(|q| q.is_open()).map(|q| q.key.clone()).collect();
    let choice_key = questions.iter().find(|q| !q.is_open()).unwrap().key.clone();
    let open: Vec<(String, Value)> =
        perfect_answers(&questions).into_iter().filter(|(k, _)| open_keys.contains(k)).collect();
    let mut attempts = Vec::new();
    for i in &invited {
        attempts.push(app.sit(&i.code, &open, true).await.0);
    }
    let mut list = Vec::new();
    for _ in 0..markers {
        list.push(app.staff("marker").await);
    }
    let ids: Vec<&str> = list.iter().map(|(id, _)| id.as_str()).collect();
    app.assign_markers(&recruiter, &exam_id, &ids).await;
    Marked { recruiter, exam_id, attempts, invited, markers: list, open_keys, choice_key }
}

/// Claims and scores until the queue is empty for this marker; returns the ids claimed and scored.
async fn drain(app: &TestApp, base: &str, token: &str, exam_id: &str) -> (Vec<String>, Vec<String>) {
    let (mut claimed, mut scored) = (Vec::new(), Vec::new());
    loop {
        let reply = app.post_at(base, "/marking/claim", token, &json!({"exam_id": exam_id})).await;
        if reply.status == 204 {
            return (claimed, scored);
        }
        let task = reply.expect(200).body;
        let id = task["id"].as_str().unwrap().to_string();
        claimed.push(id.clone());
        let path = format!("/marking/tasks/{id}/score");
        app.post_at(base, &path, token, &json!({"points": 1, "comment": "ok", "fence": task["fence"]}))
            .await
            .expect(200);
        scored.push(id);
    }
}

#[actix_web::test]
async fn sixteen_markers_on_two_instances_mark_every_answer_exactly_once() {
    let app = spawn_app().await;
    let peer = app.spawn_peer().await;
    let m = exam_with_answers(&app, 6, 16, json!({})).await;
    let total_tasks = 6 * 10;

    // One marker claims and walks away: the task must come back after its lease.
    let abandoned = app.claim(&m.markers[0].1, &m.exam_id).await.expect(200).body;
    let abandoned_id = abandoned["id"].as_str().unwrap().to_string();

    let bases: Vec<String> =
        (0..16).map(|i| if i % 2 == 0 { app.address.clone() } else { peer.address.clone() }).collect();
    let runs =
        join_all(m.markers.iter().zip(&bases).map(|((_, token), base)| drain(&app, base, token, &m.exam_id))).await;

    let mut holder: BTreeMap<String, usize> = BTreeMap::new();
    let mut scored = BTreeSet::new();
    for (marker, (claimed, done)) in runs.iter().enumerate() {
        for id in claimed {
            // No lease expired during the run, so every claim was live: no id may reach two markers.
            if let Some(other) = holder.insert(id.clone(), marker) {
                panic!("task {id} handed to markers {other} and {marker}");
            }
        }
        for id in done {
            assert!(scored.insert(id.clone()), "task {id} scored twice");
        }
    }
    assert!(!holder.contains_key(&abandoned_id), "a leased task was handed out again before its lease ran out");
    assert_eq!(scored.len(), total_tasks - 1);
    assert!(runs.iter().filter(|(c, _)| !c.is_empty()).count() > 1, "the work was shared");
    let progress = app.get(&format!("/exams/{}/marking", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    assert_eq!((progress["open"].as_u64(), progress["claimed"].as_u64()), (Some(0), Some(1)));

    // The lease runs out: the task is claimable again (on the other instance), with a new fence.
    app.clock.advance(Duration::seconds(LEASE_SECONDS + 1));
    let progress = app.get(&format!("/exams/{}/marking", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    assert_eq!((progress["open"].as_u64(), progress["claimed"].as_u64()), (Some(1), Some(0)));
    let token = &m.markers[5].1;
    let back =
        app.post_at(&peer.address, "/marking/claim", token, &json!({"exam_id": m.exam_id})).await.expect(200).body;
    assert_eq!(back["id"], abandoned["id"]);
    assert!(back["fence"].as_i64().unwrap() > abandoned["fence"].as_i64().unwrap());
    let late = app.score(&m.markers[0].1, &abandoned, 2.0, "late").await.expect_problem(409, "lease_lost");
    assert!(late.body["detail"].as_str().unwrap().contains("lease"));
    app.score(token, &back, 2.0, "ok").await.expect(200);
    app.score(token, &back, 2.0, "twice").await.expect_problem(409, "lease_lost");
    app.claim(token, &m.exam_id).await.expect(204);

    let progress = app.get(&format!("/exams/{}/marking", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    assert_eq!(progress["done"].as_u64(), Some(total_tasks as u64));
    let results = app.get(&format!("/exams/{}/results", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    for row in results["rows"].as_array().unwrap() {
        assert_eq!(row["state"], "graded", "{row}");
        assert!(m.attempts.contains(&row["attempt_id"].as_str().unwrap().to_string()));
    }
    let marked: f64 = results["rows"].as_array().unwrap().iter().map(|r| r["marked_points"].as_f64().unwrap()).sum();
    assert_eq!(marked, (total_tasks - 1) as f64 + 2.0, "each answer counted once");
}

#[actix_web::test]
async fn a_lease_can_be_given_back_and_scores_are_checked() {
    let app = spawn_app().await;
    let m = exam_with_answers(&app, 1, 2, json!({})).await;
    let (first, second) = (&m.markers[0].1, &m.markers[1].1);
    let one = json!({"exam_id": m.exam_id, "question": m.open_keys[0]});
    let task = app.post("/marking/claim", Some(first), &one).await.expect(200).body;
    let id = task["id"].as_str().unwrap();
    let forbidden = [m.invited[0].email.as_str(), m.invited[0].name.as_str(), m.attempts[0].as_str()];
    for secret in forbidden {
        assert!(!task.to_string().contains(secret), "{task}");
    }
    for field in ["id", "exam_id", "lease_expires_at", "fence", "step", "question", "answer"] {
        assert!(task.get(field).is_some(), "{field} missing: {task}");
    }
    assert_eq!(task["question"]["kind"], "short_answer");
    assert_eq!((task["question"]["points"].as_f64(), task["step"].as_f64()), (Some(5.0), Some(0.5)));
    assert!(task["question"]["reference_answer"].as_str().unwrap().contains("理解规定底线"));
    assert!(task["answer"].as_str().unwrap().starts_with("我的回答"));

    // Out of range, off the step, wrong fence, someone else's task.
    let path = format!("/marking/tasks/{id}/score");
    let fence = task["fence"].clone();
    for bad in [json!(5.5), json!(-1), json!(2.3), json!(0.333)] {
        app.post(&path, Some(first), &json!({"points": bad, "fence": fence}))
            .await
            .expect_problem(422, "validation_failed");
    }
    app.post(&path, Some(first), &json!({"points": 2, "fence": 99})).await.expect_problem(409, "lease_lost");
    app.post(&path, Some(second), &json!({"points": 2, "fence": fence})).await.expect_problem(409, "lease_lost");
    app.post(&path, Some(first), &json!({"points": 2})).await.expect_problem(422, "validation_failed");
    app.post(&path, Some(first), &json!({"points": 2, "fence": fence, "who": "x"}))
        .await
        .expect_problem(422, "validation_failed");
    app.post("/marking/tasks/nope/score", Some(first), &json!({"points": 2, "fence": 1}))
        .await
        .expect_problem(404, "not_found");

    // Given back, it is the next task for anyone; the old claim's fence is dead.
    let release = format!("/marking/tasks/{id}/release");
    app.post(&release, Some(second), &json!({})).await.expect_problem(409, "lease_lost");
    app.send("POST", &release, Some(first), Some("application/json"), b"{".to_vec())
        .await
        .expect_problem(400, "malformed_json");
    app.post(&release, Some(first), &json!({"fence": fence})).await.expect(204);
    app.post(&release, Some(first), &json!({"fence": fence})).await.expect_problem(409, "lease_lost");
    let again = app.claim(second, &m.exam_id).await.expect(200).body;
    assert_eq!(again["id"], task["id"]);
    app.post(&path, Some(first), &json!({"points": 2, "fence": fence})).await.expect_problem(409, "lease_lost");
    app.score(second, &again, 4.5, "").await.expect(200);
    app.send("POST", &format!("/marking/tasks/{}/release", again["id"].as_str().unwrap()), Some(second), None, vec![])
        .await
        .expect_problem(409, "lease_lost");

    // Claiming one question only.
    let other_key = &m.open_keys[1];
    let only = app.post("/marking/claim", Some(second), &json!({"exam_id": m.exam_id, "question": other_key})).await;
    assert_eq!(only.expect(200).body["question"]["key"], other_key.as_str());
    app.post("/marking/claim", Some(second), &one).await.expect(204);
    app.post("/marking/claim", Some(second), &json!({"exam_id": m.exam_id, "question": m.choice_key}))
        .await
        .expect_problem(422, "validation_failed");
    app.post("/marking/claim", Some(second), &json!({"exam": m.exam_id}))
        .await
        .expect_problem(422, "validation_failed");
}

#[actix_web::test]
async fn marking_routes_check_who_calls() {
    let app = spawn_app().await;
    let m = exam_with_answers(&app, 1, 1, json!({})).await;
    let (_, stranger) = app.staff("marker").await;
    let (_, other_recruiter) = app.staff("recruiter").await;
    let candidate = app.candidate_token(&m.invited[0].code).await;
    let marker = &m.markers[0].1;
    let claim = json!({"exam_id": m.exam_id});
    app.post("/marking/claim", Some(&stranger), &claim).await.expect_problem(404, "not_found");
    app.post("/marking/claim", Some(&m.recruiter), &claim).await.expect_problem(403, "forbidden");
    app.post("/marking/claim", Some(&candidate), &claim).await.expect_problem(401, "unauthorized");
    app.post("/marking/claim", None, &claim).await.expect_problem(401, "unauthorized");
    app.post("/marking/claim", Some(marker), &json!({"exam_id": "no-such-exam"}))
        .await
        .expect_problem(404, "not_found");
    let task = app.claim(marker, &m.exam_id).await.expect(200).body;
    let path = format!("/marking/tasks/{}/score", task["id"].as_str().unwrap());
    let body = json!({"points": 1, "fence": task["fence"]});
    app.post(&path, Some(&stranger), &body).await.expect_problem(404, "not_found");
    app.post(&path, Some(&m.recruiter), &body).await.expect_problem(403, "forbidden");
    app.post(&path, Some(&candidate), &body).await.expect_problem(401, "unauthorized");
    let release = format!("/marking/tasks/{}/release", task["id"].as_str().unwrap());
    app.post(&release, Some(&stranger), &json!({})).await.expect_problem(404, "not_found");
    app.post(
        &format!("/exams/{}/adjudications", m.exam_id),
        Some(&other_recruiter),
        &json!({"attempt_id": m.attempts[0], "question": m.open_keys[0], "points": 1}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("/exams/{}/adjudications", m.exam_id),
        Some(marker),
        &json!({"attempt_id": m.attempts[0], "question": m.open_keys[0], "points": 1}),
    )
    .await
    .expect_problem(403, "forbidden");
    app.post(&path, Some(marker), &body).await.expect(200);

    // A marker finds the exams assigned to them, and only those.
    let mine = app.get("/marking/exams", Some(marker)).await.expect(200).body;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["exam_id"], m.exam_id.as_str());
    assert_eq!(mine[0]["done"], 1);
    assert_eq!(mine[0]["claimed"], 0);
    assert_eq!(app.get("/marking/exams", Some(&stranger)).await.expect(200).body, json!([]));
    app.get("/marking/exams", Some(&m.recruiter)).await.expect_problem(403, "forbidden");
    app.get("/marking/exams", Some(&candidate)).await.expect_problem(401, "unauthorized");
}

#[actix_web::test]
async fn double_marking_needs_two_markers_and_sends_distant_marks_to_the_recruiter() {
    let app = spawn_app().await;
    let m = exam_with_answers(&app, 1, 2, json!({"double_marking": true, "marking_tolerance": 1})).await;
    let (first, second) = (&m.markers[0].1, &m.markers[1].1);
    // The first marker takes one round of each of the 10 answers, and is then refused the other rounds.
    let mut firsts = Vec::new();
    while let Some(task) = Some(app.claim(first, &m.exam_id).await).filter(|r| r.status == 200) {
        firsts.push(task.body);
    }
    assert_eq!(firsts.len(), 10);
    let keys: BTreeSet<&str> = firsts.iter().map(|t| t["question"]["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 10, "one round of each answer");
    let mut seconds = Vec::new();
    while let Some(task) = Some(app.claim(second, &m.exam_id).await).filter(|r| r.status == 200) {
        seconds.push(task.body);
    }
    assert_eq!(seconds.len(), 10);
    // Short answers 4 and 4.5 (mean 4.25), scenarios 5 and 8 (too far apart), essays 10 and 10.5.
    let marks = |kind: &str, round: usize| match (kind, round) {
        ("short_answer", 0) => 4.0,
        ("short_answer", _) => 4.5,
        ("scenario", 0) => 5.0,
        ("scenario", _) => 8.0,
        (_, 0) => 10.0,
        _ => 10.5,
    };
    for (round, (token, tasks)) in [(first, &firsts), (second, &seconds)].into_iter().enumerate() {
        for t in tasks {
            app.score(token, t, marks(t["question"]["kind"].as_str().unwrap(), round), &format!("round {round}"))
                .await
                .expect(200);
        }
    }
    let progress = app.get(&format!("/exams/{}/marking", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    assert_eq!((progress["done"].as_u64(), progress["awaiting_adjudication"].as_u64()), (Some(20), Some(3)));
    let results = app.get(&format!("/exams/{}/results", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    assert_eq!(
        (results["rows"][0]["state"].as_str(), results["rows"][0]["complete"].as_bool()),
        (Some("submitted"), Some(false))
    );

    let waiting = app.get(&format!("/exams/{}/adjudications", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    let waiting = waiting.as_array().unwrap();
    assert_eq!(waiting.len(), 3);
    let first_case = &waiting[0];
    let marks_seen: Vec<f64> =
        first_case["marks"].as_array().unwrap().iter().map(|k| k["points"].as_f64().unwrap()).collect();
    assert_eq!(marks_seen, [5.0, 8.0]);
    assert_eq!(first_case["marks"][0]["comment"], "round 0");
    assert_eq!(first_case["candidate"]["email"], m.invited[0].email.as_str());
    let settle = format!("/exams/{}/adjudications", m.exam_id);
    let attempt = &m.attempts[0];
    app.post(
        &settle,
        Some(&m.recruiter),
        &json!({"attempt_id": attempt, "question": first_case["question"], "points": 6.3}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.post(&settle, Some(&m.recruiter), &json!({"attempt_id": attempt, "question": m.open_keys[0], "points": 4}))
        .await
        .expect_problem(409, "not_adjudicable");
    app.post(&settle, Some(&m.recruiter), &json!({"attempt_id": "nope", "question": m.open_keys[6], "points": 4}))
        .await
        .expect_problem(404, "not_found");
    let mut last = Value::Null;
    for case in waiting {
        last = app
            .post(
                &settle,
                Some(&m.recruiter),
                &json!({"attempt_id": attempt, "question": case["question"], "points": 6.5}),
            )
            .await
            .expect(200)
            .body;
    }
    assert_eq!(last["complete"], true);
    // 5 × 4.25 + 3 × 6.5 + 2 × 10.25; no choice answers were given.
    assert_eq!(last["total"].as_f64(), Some(61.25));
    app.post(
        &settle,
        Some(&m.recruiter),
        &json!({"attempt_id": attempt, "question": waiting[0]["question"], "points": 1}),
    )
    .await
    .expect_problem(409, "not_adjudicable");
    let results = app.get(&format!("/exams/{}/results", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    assert_eq!(
        (results["rows"][0]["state"].as_str(), results["rows"][0]["total"].as_f64()),
        (Some("graded"), Some(61.25))
    );
    assert_eq!(
        app.get(&format!("/exams/{}/adjudications", m.exam_id), Some(&m.recruiter)).await.expect(200).body,
        json!([])
    );
    // Double marks, their mean and the recruiter's adjudications are all in the stored score.
    assert_eq!(app.assert_scores_are_fresh(&m.exam_id).await, 1);
}

#[actix_web::test]
async fn when_complete_releases_with_the_last_mark_after_the_window() {
    let app = spawn_app().await;
    let m = exam_with_answers(&app, 1, 1, json!({"release_policy": "when_complete"})).await;
    let marker = &m.markers[0].1;
    app.clock.advance(Duration::seconds(WINDOW_SECONDS + 60));
    let exam_path = format!("/exams/{}", m.exam_id);
    for remaining in (0..10).rev() {
        let task = app.claim(marker, &m.exam_id).await.expect(200).body;
        app.score(marker, &task, 1.0, "").await.expect(200);
        let exam = app.get(&exam_path, Some(&m.recruiter)).await.expect(200).body;
        assert_eq!(exam["released_at"].is_string(), remaining == 0, "{remaining} left: {exam}");
    }
    let token = app.candidate_token(&m.invited[0].code).await;
    let result = app.get(&format!("/attempts/{}/result", m.attempts[0]), Some(&token)).await.expect(200).body;
    assert_eq!(result["total"], 10);
}
