//! Issue 5: seed 001 sat end to end — auto-grading, marking, results, CSV, release, statistics — and
//! key corrections that regrade.

use chrono::Duration;
use serde_json::{json, Value};

use crate::exam_flow::*;
use crate::helpers::*;

/// What the marker gives per open kind in these tests: 4 of 5, 7.5 of 10, 12 of 15.
fn mark_for(kind: &str) -> f64 {
    match kind {
        "short_answer" => 4.0,
        "scenario" => 7.5,
        _ => 12.0,
    }
}

/// 5 × 4 + 3 × 7.5 + 2 × 12.
const MARKED: f64 = 66.5;

/// Marks every task of an exam with [`mark_for`], checking that no task names its candidate.
async fn mark_all(app: &TestApp, marker: &str, exam_id: &str, forbidden: &[String]) -> usize {
    let mut scored = 0;
    loop {
        let reply = app.claim(marker, exam_id).await;
        if reply.status == 204 {
            return scored;
        }
        let task = reply.expect(200).body;
        for secret in forbidden {
            assert!(!task.to_string().contains(secret.as_str()), "task reveals {secret}: {task}");
        }
        let kind = task["question"]["kind"].as_str().unwrap().to_string();
        app.score(marker, &task, mark_for(&kind), "符合要点").await.expect(200);
        scored += 1;
    }
}

fn n(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Checks that a row's parts add up: sections to the total, auto + marked to the total.
fn assert_adds_up(row: &Value) {
    let sections: f64 = row["sections"].as_array().unwrap().iter().map(|s| n(&s["points"])).sum();
    assert!((sections - n(&row["total"])).abs() < 1e-9, "{row}");
    assert!((n(&row["auto_points"]) + n(&row["marked_points"]) - n(&row["total"])).abs() < 1e-9, "{row}");
    let questions: f64 = row["questions"].as_array().unwrap().iter().map(|q| n(&q["points"])).sum();
    assert!((questions - n(&row["total"])).abs() < 1e-9, "{row}");
}

#[actix_web::test]
async fn seed_001_is_sat_marked_released_and_exported() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let (marker_id, marker) = app.staff("marker").await;
    let (_, outsider) = app.staff("marker").await;
    let paper = app.publish_seed(&recruiter, false).await;
    let questions = questions_of(&paper);
    let mc = questions.iter().find(|q| q.kind == "multiple_choice" && q.answer == json!(["A", "B", "C", "E"])).unwrap();
    let exam = app.create_exam(&recruiter, paper["id"].as_str().unwrap(), json!({})).await;
    let exam_id = exam["id"].as_str().unwrap().to_string();
    let invited = app.invite_names(&recruiter, &exam_id, &["王小明", "李华"]).await;
    app.assign_markers(&recruiter, &exam_id, &[&marker_id]).await;

    // The second paper: the same questions with partial credit for multiple choice, released by itself.
    let partial_paper = app.publish_seed(&recruiter, true).await;
    let partial_exam = app
        .create_exam(&recruiter, partial_paper["id"].as_str().unwrap(), json!({"release_policy": "when_complete"}))
        .await;
    let partial_id = partial_exam["id"].as_str().unwrap().to_string();
    let carol = app.invite_names(&recruiter, &partial_id, &["张三"]).await.remove(0);
    app.assign_markers(&recruiter, &partial_id, &[&marker_id]).await;

    let perfect = perfect_answers(&questions);
    let mut three_of_four = perfect.clone();
    three_of_four.iter_mut().find(|(k, _)| k == &mc.key).unwrap().1 = json!(["A", "B", "C"]);
    let (alice_attempt, alice_token) = app.sit(&invited[0].code, &perfect, true).await;
    let (bob_attempt, _) = app.sit(&invited[1].code, &three_of_four, true).await;
    let (carol_attempt, carol_token) = app.sit(&carol.code, &three_of_four, true).await;

    // Before marking: the automatic part only, nothing complete.
    let results = app.get(&format!("/exams/{exam_id}/results"), Some(&recruiter)).await.expect(200).body;
    let rows = results["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (n(&rows[0]["auto_points"]), n(&rows[1]["auto_points"])),
        (25.0, 22.0),
        "all_or_nothing: 3 of 4 earns 0"
    );
    assert!(rows.iter().all(|r| r["complete"] == false && r["state"] == "submitted"));
    let partial_rows = app.get(&format!("/exams/{partial_id}/results"), Some(&recruiter)).await.expect(200).body;
    assert_eq!(n(&partial_rows["rows"][0]["auto_points"]), 24.25, "partial: 3 × 3/4 = 2.25");
    assert_eq!(
        app.get(&format!("/exams/{exam_id}/results?complete=false"), Some(&recruiter)).await.expect(200).body["rows"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let progress = app.get(&format!("/exams/{exam_id}/marking"), Some(&recruiter)).await.expect(200).body;
    assert_eq!((progress["open"].as_u64(), progress["done"].as_u64()), (Some(20), Some(0)));
    assert_eq!(progress["questions"].as_array().unwrap().len(), 10);

    // A marker not assigned gets nothing; the assigned one marks all 20 answers without learning who wrote them.
    app.claim(&outsider, &exam_id).await.expect_problem(404, "not_found");
    let mut forbidden: Vec<String> = invited.iter().flat_map(|i| [i.email.clone(), i.name.clone()]).collect();
    forbidden.extend([alice_attempt.clone(), bob_attempt.clone()]);
    assert_eq!(mark_all(&app, &marker, &exam_id, &forbidden).await, 20);
    let progress = app.get(&format!("/exams/{exam_id}/marking"), Some(&recruiter)).await.expect(200).body;
    assert_eq!(
        (progress["open"].as_u64(), progress["claimed"].as_u64(), progress["done"].as_u64()),
        (Some(0), Some(0), Some(20))
    );

    let results = app.get(&format!("/exams/{exam_id}/results"), Some(&recruiter)).await.expect(200).body;
    let rows = results["rows"].as_array().unwrap();
    let totals: Vec<f64> = rows.iter().map(|r| n(&r["total"])).collect();
    assert_eq!(totals, [25.0 + MARKED, 22.0 + MARKED]);
    for row in rows {
        assert_eq!((row["state"].as_str(), row["complete"].as_bool()), (Some("graded"), Some(true)));
        assert_eq!(n(&row["marked_points"]), MARKED);
        assert_adds_up(row);
    }
    let sections: Vec<f64> = rows[0]["sections"].as_array().unwrap().iter().map(|s| n(&s["points"])).collect();
    assert_eq!(sections, [10.0, 15.0, 20.0, 22.5, 24.0]);
    assert_eq!(rows[1]["candidate"]["name"], "李华");
    let graded = app.get(&format!("/exams/{exam_id}/results?state=graded&complete=true"), Some(&recruiter)).await;
    assert_eq!(graded.expect(200).body["rows"].as_array().unwrap().len(), 2);

    // Candidates see nothing before release; release waits for the window to close.
    let not_yet = app.get(&format!("/attempts/{alice_attempt}/result"), Some(&alice_token)).await;
    not_yet.expect_problem(409, "results_not_released");
    app.post(&format!("/exams/{exam_id}/release"), Some(&recruiter), &json!({}))
        .await
        .expect_problem(409, "exam_not_closed");

    // The partial-credit exam releases itself once marked and closed.
    assert_eq!(mark_all(&app, &marker, &partial_id, &[carol.email.clone(), carol.name.clone()]).await, 10);
    app.get(&format!("/attempts/{carol_attempt}/result"), Some(&carol_token))
        .await
        .expect_problem(409, "results_not_released");

    app.clock.advance(Duration::seconds(WINDOW_SECONDS + 60));
    let released = app.post(&format!("/exams/{exam_id}/release"), Some(&recruiter), &json!({})).await.expect(200);
    assert!(released.body["released_at"].is_string());
    let again = app.post(&format!("/exams/{exam_id}/release"), Some(&recruiter), &json!({})).await.expect(200);
    assert_eq!(again.body["released_at"], released.body["released_at"]);

    // After the window the candidate's token has expired; the code opens the released result.
    app.get(&format!("/attempts/{alice_attempt}/result"), Some(&alice_token)).await.expect_problem(401, "unauthorized");
    let alice = app.candidate_token(&invited[0].code).await;
    let result = app.get(&format!("/attempts/{alice_attempt}/result"), Some(&alice)).await.expect(200).body;
    assert_eq!(n(&result["total"]), 25.0 + MARKED);
    assert_eq!(n(&result["max_points"]), 110.0);
    assert_eq!(result["sections"], rows[0]["sections"]);
    let q1 = &result["questions"][0];
    assert_eq!((q1["points"].as_f64(), &q1["correct_answer"]), (Some(2.0), &questions[0].answer));
    assert!(q1["explanation"].as_str().unwrap().starts_with("医疗客服的核心"));
    app.get(&format!("/attempts/{bob_attempt}/result"), Some(&alice)).await.expect_problem(404, "not_found");
    let start_again = app.post("/attempts", Some(&alice), &json!({})).await;
    assert_eq!(start_again.status, 200, "the closed attempt is shown, not a new one: {}", start_again.text);
    assert_ne!(start_again.body["state"], "in_progress");

    let carol_now = app.candidate_token(&carol.code).await;
    let result = app.get(&format!("/attempts/{carol_attempt}/result"), Some(&carol_now)).await.expect(200).body;
    assert_eq!(n(&result["total"]), 24.25 + MARKED);
    let partial_exam = app.get(&format!("/exams/{partial_id}"), Some(&recruiter)).await.expect(200).body;
    assert!(partial_exam["released_at"].is_string(), "when_complete recorded the release: {partial_exam}");

    // The CSV has one line per candidate with the same numbers.
    let csv = app.get(&format!("/exams/{exam_id}/results.csv"), Some(&recruiter)).await.expect(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.text.trim_start_matches('\u{feff}');
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), 3, "{text}");
    // Headers in the paper's language, each points column with its maximum (issue 16).
    assert_eq!(&lines[0][..6], ["邮箱", "姓名", "状态", "已评完", "自动评分", "人工评分"]);
    assert!(lines[0][6].starts_with("总分（满分"), "{}", lines[0][6]);
    let question_columns = rows[0]["questions"].as_array().unwrap().len();
    assert_eq!(lines[0].len(), 7 + 5 + question_columns);
    assert!(lines[0][7 + 5].starts_with("第1题（满分"), "{}", lines[0][12]);
    for (line, row) in lines[1..].iter().zip(rows) {
        assert_eq!(line[0], row["candidate"]["email"].as_str().unwrap());
        assert_eq!(line[1], row["candidate"]["name"].as_str().unwrap());
        assert_eq!((line[2], line[3]), ("graded", "true"));
        let numbers: Vec<f64> = line[4..].iter().map(|c| c.parse().unwrap()).collect();
        let mut expected = vec![n(&row["auto_points"]), n(&row["marked_points"]), n(&row["total"])];
        expected.extend(row["sections"].as_array().unwrap().iter().map(|s| n(&s["points"])));
        expected.extend(row["questions"].as_array().unwrap().iter().map(|q| n(&q["points"])));
        assert_eq!(numbers, expected);
    }

    // Statistics over the two graded attempts.
    let stats = app.get(&format!("/exams/{exam_id}/statistics"), Some(&recruiter)).await.expect(200).body;
    assert_eq!(stats["graded_attempts"], 2);
    let by_key = |k: &str| stats["questions"].as_array().unwrap().iter().find(|q| q["key"] == k).unwrap().clone();
    let first = by_key(&questions[0].key);
    assert_eq!((first["mean"].as_f64(), first["facility"].as_f64()), (Some(2.0), Some(1.0)));
    let split = by_key(&mc.key);
    assert_eq!((split["mean"].as_f64(), split["facility"].as_f64()), (Some(1.5), Some(0.5)));
    // Auto-graded, marked by hand, released by itself: what every reader showed is what is stored.
    assert_eq!(app.assert_scores_are_fresh(&exam_id).await, 2);
    assert_eq!(app.assert_scores_are_fresh(&partial_id).await, 1);
}

#[actix_web::test]
async fn results_routes_check_who_calls_and_what_they_send() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let (_, other) = app.staff("recruiter").await;
    let (_, marker) = app.staff("marker").await;
    let paper = app.publish_seed(&recruiter, false).await;
    let exam = app.create_exam(&recruiter, paper["id"].as_str().unwrap(), json!({})).await;
    let id = exam["id"].as_str().unwrap();
    let invited = app.invite_names(&recruiter, id, &["王小明"]).await;
    let (attempt, token) = app.sit(&invited[0].code, &[], true).await;

    for path in ["results", "results.csv", "statistics", "marking", "adjudications"] {
        let path = format!("/exams/{id}/{path}");
        app.get(&path, Some(&other)).await.expect_problem(404, "not_found");
        app.get(&path, Some(&marker)).await.expect_problem(403, "forbidden");
        app.get(&path, Some(&token)).await.expect_problem(401, "unauthorized");
        app.get(&path, None).await.expect_problem(401, "unauthorized");
        app.get(&path, Some(&recruiter)).await.expect(200);
    }
    app.post(&format!("/exams/{id}/release"), Some(&other), &json!({})).await.expect_problem(404, "not_found");
    app.post(&format!("/exams/{id}/release"), Some(&marker), &json!({})).await.expect_problem(403, "forbidden");
    app.get(&format!("/exams/{id}/results?state=finished"), Some(&recruiter))
        .await
        .expect_problem(422, "validation_failed");
    app.get(&format!("/exams/{id}/results?complete=maybe"), Some(&recruiter)).await.expect_problem(400, "bad_query");
    app.get(&format!("/attempts/{attempt}/result"), Some(&recruiter)).await.expect_problem(401, "unauthorized");
    app.get(&format!("/attempts/{attempt}/result"), Some(&token)).await.expect_problem(409, "results_not_released");

    // Everything blank: graded at once (blank open answers need no marker), released after the window.
    let row = app.get(&format!("/exams/{id}/results?state=graded"), Some(&recruiter)).await.expect(200).body;
    assert_eq!(n(&row["rows"][0]["total"]), 0.0);
    app.clock.advance(Duration::seconds(WINDOW_SECONDS + 60));
    app.post(&format!("/exams/{id}/release"), Some(&recruiter), &json!({})).await.expect(200);
    let other_candidate = app.invite_names(&recruiter, id, &["李华"]).await;
    // A code exchanged after the window only reads results: the exam cannot be started any more.
    let late = app.candidate_token(&other_candidate[0].code).await;
    app.post("/attempts", Some(&late), &json!({})).await.expect_problem(409, "exam_closed");
}
