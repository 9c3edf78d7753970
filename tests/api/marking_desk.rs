//! Issue 15: what the marking desk needs of the API — held tasks found again, leases renewed with the
//! fence, a marker's own marks looked back at and corrected before release (refused after), and double
//! marking that stays blind.

use chrono::Duration;
use examd::store::audit;
use serde_json::{json, Value};

use crate::exam_flow::*;
use crate::helpers::*;
use crate::marking::{exam_with_answers, Marked};

/// Default lease (config/default.toml).
const LEASE_SECONDS: i64 = 600;

/// One marker's desk, through the API.
struct Desk<'a> {
    app: &'a TestApp,
    token: String,
    exam_id: String,
}

impl<'a> Desk<'a> {
    fn of(app: &'a TestApp, m: &Marked, marker: usize) -> Desk<'a> {
        Desk { app, token: m.markers[marker].1.clone(), exam_id: m.exam_id.clone() }
    }

    async fn claim_next(&self) -> Value {
        self.app.claim(&self.token, &self.exam_id).await.expect(200).body
    }

    async fn held(&self) -> Reply {
        self.app.get("/marking/tasks?held=true", Some(&self.token)).await
    }

    async fn renew(&self, task: &Value, fence: &Value) -> Reply {
        let path = format!("/marking/tasks/{}/renew", task["id"].as_str().unwrap());
        self.app.post(&path, Some(&self.token), &json!({"fence": fence})).await
    }

    async fn score(&self, task: &Value, points: f64, comment: &str) -> Reply {
        self.app.score(&self.token, task, points, comment).await
    }

    async fn my_marks(&self) -> Value {
        self.app.get(&format!("/marking/exams/{}/marks", self.exam_id), Some(&self.token)).await.expect(200).body
    }

    async fn correct(&self, task_id: &str, points: Value, comment: &str) -> Reply {
        let path = format!("/marking/tasks/{task_id}/score");
        self.app.put(&path, Some(&self.token), &json!({"points": points, "comment": comment})).await
    }
}

/// The recruiter's total for the (only) attempt, and whether it is complete.
async fn total_of(app: &TestApp, m: &Marked) -> (Value, Value) {
    let results = app.get(&format!("/exams/{}/results", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    (results["rows"][0]["total"].clone(), results["rows"][0]["complete"].clone())
}

/// Nothing in a response the desk receives names the attempt or the candidate.
fn assert_blind(m: &Marked, reply: &str) {
    for attempt in &m.attempts {
        assert!(!reply.contains(attempt.as_str()), "an attempt id reached the marker: {reply}");
    }
    for invited in &m.invited {
        assert!(!reply.contains(&invited.code), "an access code reached the marker");
    }
    assert!(!reply.contains("考生") && !reply.contains("@example.com"), "a candidate reached the marker: {reply}");
}

#[actix_web::test]
async fn a_closed_tab_finds_its_held_tasks_and_the_lease_is_renewed_with_its_fence() {
    let app = spawn_app().await;
    let m = exam_with_answers(&app, 2, 2, json!({})).await;
    let (desk, other) = (Desk::of(&app, &m, 0), Desk::of(&app, &m, 1));
    let first = desk.claim_next().await;
    let second = desk.claim_next().await;
    other.claim_next().await;

    // The tab is gone; the held list gives both back, as the claims returned them, and only the caller's.
    let held = desk.held().await.expect(200);
    assert_blind(&m, &held.text);
    let ids: Vec<&Value> = held.body.as_array().unwrap().iter().map(|t| &t["id"]).collect();
    assert_eq!(ids, [&first["id"], &second["id"]]);
    assert_eq!(held.body[0]["fence"], first["fence"]);
    assert_eq!(held.body[0]["question"], first["question"]);
    assert_eq!(held.body[0]["answer"], first["answer"]);
    let exam_filter = format!("/marking/tasks?held=true&exam_id={}", m.exam_id);
    assert_eq!(app.get(&exam_filter, Some(&desk.token)).await.expect(200).body.as_array().unwrap().len(), 2);
    assert_eq!(app.get("/marking/tasks?held=true&exam_id=x", Some(&desk.token)).await.expect(200).body, json!([]));
    app.get("/marking/tasks", Some(&desk.token)).await.expect_problem(422, "validation_failed");
    app.get("/marking/tasks?held=false", Some(&desk.token)).await.expect_problem(422, "validation_failed");
    app.get("/marking/tasks?held=true", Some(&m.recruiter)).await.expect_problem(403, "forbidden");

    // Renewed before it runs out, the lease runs a full length from now, under the same fence.
    app.clock.advance(Duration::seconds(LEASE_SECONDS - 60));
    let renewed = desk.renew(&first, &first["fence"]).await.expect(200).body;
    assert_eq!(renewed["fence"], first["fence"]);
    let ends = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(
        ends(&renewed["lease_expires_at"]) - ends(&first["lease_expires_at"]),
        Duration::seconds(LEASE_SECONDS - 60)
    );
    assert_eq!(ends(&renewed["lease_expires_at"]) - ends(&renewed["server_time"]), Duration::seconds(LEASE_SECONDS));
    desk.renew(&first, &json!(first["fence"].as_i64().unwrap() + 1)).await.expect_problem(409, "lease_lost");
    other.renew(&first, &first["fence"]).await.expect_problem(409, "lease_lost");
    app.post(
        &format!("/marking/tasks/{}/renew", first["id"].as_str().unwrap()),
        Some(&m.recruiter),
        &json!({"fence": 1}),
    )
    .await
    .expect_problem(403, "forbidden");
    app.post("/marking/tasks/nope/renew", Some(&desk.token), &json!({"fence": 1}))
        .await
        .expect_problem(404, "not_found");
    desk.renew(&first, &json!(null)).await.expect_problem(422, "validation_failed");

    // Past the first lease's end: the renewed task still scores, the other has run out and cannot be revived.
    app.clock.advance(Duration::seconds(120));
    desk.renew(&second, &second["fence"]).await.expect_problem(409, "lease_lost");
    let held = desk.held().await.expect(200).body;
    assert_eq!(held.as_array().unwrap().iter().map(|t| &t["id"]).collect::<Vec<_>>(), [&first["id"]]);
    desk.score(&first, 2.0, "renewed in time").await.expect(200);
    desk.score(&second, 2.0, "too late").await.expect_problem(409, "lease_lost");
    desk.renew(&first, &first["fence"]).await.expect_problem(409, "lease_lost");
    assert_eq!(desk.held().await.expect(200).body, json!([]));
}

#[actix_web::test]
async fn a_marker_corrects_their_own_mark_before_release_and_not_after() {
    let app = spawn_app().await;
    let m = exam_with_answers(&app, 1, 2, json!({})).await;
    let (desk, colleague) = (Desk::of(&app, &m, 0), Desk::of(&app, &m, 1));
    for _ in 0..9 {
        let task = desk.claim_next().await;
        desk.score(&task, 1.0, "一分").await.expect(200);
    }
    let held_by_colleague = colleague.claim_next().await;
    assert_eq!(total_of(&app, &m).await, (json!(9), json!(false)), "one answer is still unmarked");

    let marks = app.get(&format!("/marking/exams/{}/marks", m.exam_id), Some(&desk.token)).await.expect(200);
    assert_blind(&m, &marks.text);
    let marks = marks.body;
    assert_eq!(marks["released"], false);
    let list = marks["marks"].as_array().unwrap();
    assert_eq!(list.len(), 9);
    assert!(list.iter().all(|mark| mark["points"] == 1 && mark["comment"] == "一分" && mark["answer"].is_string()));
    assert_eq!(colleague.my_marks().await["marks"], json!([]), "only one's own marks");

    // The look back shows a slip; it is corrected, and the attempt's score follows.
    let slip = list[0]["id"].as_str().unwrap().to_string();
    let corrected = desk.correct(&slip, json!(3), "重看后给三分").await.expect(200).body;
    assert_eq!((corrected["points"].clone(), corrected["state"].clone()), (json!(3), json!("done")));
    let mark = desk.my_marks().await["marks"].as_array().unwrap().iter().find(|x| x["id"] == slip.as_str()).cloned();
    assert_eq!(mark.unwrap()["comment"], "重看后给三分");
    colleague.score(&held_by_colleague, 1.0, "").await.expect(200);
    assert_eq!(
        total_of(&app, &m).await,
        (json!(12), json!(true)),
        "nine 1s, one corrected to 3, and the colleague's 1"
    );
    assert_eq!(app.assert_scores_are_fresh(&m.exam_id).await, 1);
    let events = audit_of(&app, format!("task:{slip}")).await;
    let correction = events.iter().find(|(action, _)| action == "task.correct").expect("the correction audited");
    assert_eq!((correction.1["old_points"].clone(), correction.1["new_points"].clone()), (json!(1), json!(3)));
    assert_eq!(correction.1["old_comment"], "一分");

    // Off the step, too much, someone else's mark, a task nobody scored: refused.
    desk.correct(&slip, json!(2.3), "").await.expect_problem(422, "validation_failed");
    desk.correct(&slip, json!(99), "").await.expect_problem(422, "validation_failed");
    colleague.correct(&slip, json!(2), "").await.expect_problem(404, "not_found");
    let colleagues_mark = held_by_colleague["id"].as_str().unwrap();
    desk.correct(colleagues_mark, json!(2), "").await.expect_problem(404, "not_found");
    app.put(&format!("/marking/tasks/{slip}/score"), Some(&m.recruiter), &json!({"points": 2}))
        .await
        .expect_problem(403, "forbidden");

    // Released: only a recruiter's regrade changes marks now.
    app.clock.advance(Duration::seconds(WINDOW_SECONDS + 60));
    app.post(&format!("/exams/{}/release", m.exam_id), Some(&m.recruiter), &json!({})).await.expect(200);
    desk.correct(&slip, json!(4), "").await.expect_problem(409, "results_released");
    assert_eq!(desk.my_marks().await["released"], true);
    assert_eq!(total_of(&app, &m).await, (json!(12), json!(true)));
}

#[actix_web::test]
async fn the_second_marker_never_sees_the_first_mark() {
    let app = spawn_app().await;
    let m = exam_with_answers(&app, 1, 2, json!({"double_marking": true, "marking_tolerance": 1})).await;
    let (first, second) = (Desk::of(&app, &m, 0), Desk::of(&app, &m, 1));
    let task = first.claim_next().await;
    first.score(&task, 4.0, "第一位阅卷人的评语").await.expect(200);
    let key = task["question"]["key"].as_str().unwrap();
    let body = json!({"exam_id": m.exam_id, "question": key});
    let other_round = app.post("/marking/claim", Some(&second.token), &body).await.expect(200);
    assert_ne!(other_round.body["id"], task["id"]);
    assert!(!other_round.text.contains("第一位阅卷人"), "the first comment reached the second marker");
    assert!(other_round.body.get("points").is_none() && other_round.body.get("comment").is_none());
    let held = second.held().await.expect(200);
    assert!(!held.text.contains("第一位阅卷人"));
    assert_eq!(second.my_marks().await["marks"], json!([]));

    // The exam list counts by question for both, and never by marker.
    let exams = app.get("/marking/exams", Some(&second.token)).await.expect(200);
    assert_blind(&m, &exams.text);
    let exam = &exams.body[0];
    let questions = exam["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 10);
    let this = questions.iter().find(|q| q["key"] == key).unwrap();
    assert_eq!((this["open"].clone(), this["claimed"].clone(), this["done"].clone()), (json!(0), json!(1), json!(1)));
    assert!(this["number"].as_u64().unwrap() > 0 && this["prompt"].is_string());
    assert_eq!(exam["done"], 1);
    assert_eq!(exam["released"], false);
}

async fn audit_of(app: &TestApp, subject: String) -> Vec<(String, Value)> {
    app.app_state
        .db
        .run(move |c| Ok(audit::for_subject(c, &subject)?))
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, serde_json::from_str(&e.detail).unwrap()))
        .collect()
}
