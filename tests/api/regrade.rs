//! Issue 5: correcting a key on a published paper regrades exactly the attempts it affects.

use examd::store::audit;
use serde_json::{json, Value};

use crate::exam_flow::*;
use crate::helpers::*;

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

#[actix_web::test]
async fn correcting_seed_question_3_regrades_exactly_the_affected_attempts() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.publish_seed(&recruiter, false).await;
    let paper_id = paper["id"].as_str().unwrap().to_string();
    // 多选题 3: keyed A,C,E, while its explanation calls E (with B and D) merely supportive.
    let q3 = questions_of(&paper).into_iter().filter(|q| q.kind == "multiple_choice").nth(2).unwrap();
    assert_eq!(q3.answer, json!(["A", "C", "E"]));
    let exam = app.create_exam(&recruiter, &paper_id, json!({})).await;
    let exam_id = exam["id"].as_str().unwrap().to_string();
    let invited = app.invite_names(&recruiter, &exam_id, &["按原答案", "按解析", "都不对", "还在考"]).await;
    let answer = |a: Value| vec![(q3.key.clone(), a)];
    let (old_key_fan, _) = app.sit(&invited[0].code, &answer(json!(["A", "C", "E"])), true).await;
    let (new_key_fan, _) = app.sit(&invited[1].code, &answer(json!(["A", "C"])), true).await;
    let (wrong, _) = app.sit(&invited[2].code, &answer(json!(["B"])), true).await;
    let (sitting, sitting_token) = app.sit(&invited[3].code, &[], false).await;

    let path = format!("/papers/{paper_id}/questions/{}/key", q3.key);
    let corrected = app.put(&path, Some(&recruiter), &json!({"answer": ["A", "C"]})).await.expect(200).body;
    assert_eq!(corrected["regraded"], 3, "the three closed attempts, not the one in progress");
    let changed: Vec<(String, f64, f64)> = corrected["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["attempt_id"].as_str().unwrap().to_string(),
                c["old_total"].as_f64().unwrap(),
                c["new_total"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(changed.contains(&(old_key_fan.clone(), 3.0, 0.0)));
    assert!(changed.contains(&(new_key_fan.clone(), 0.0, 3.0)));
    assert!(!changed.iter().any(|(id, _, _)| id == &wrong));
    let stored = questions_of(&corrected["paper"]).into_iter().find(|q| q.key == q3.key).unwrap();
    assert_eq!(stored.answer, json!(["A", "C"]));
    assert_eq!(corrected["paper"]["total_points"], 110);

    let results = app.get(&format!("/exams/{exam_id}/results"), Some(&recruiter)).await.expect(200).body;
    let total_of = |id: &str| {
        results["rows"].as_array().unwrap().iter().find(|r| r["attempt_id"] == id).unwrap()["total"].as_f64()
    };
    assert_eq!((total_of(&old_key_fan), total_of(&new_key_fan), total_of(&wrong)), (Some(0.0), Some(3.0), Some(0.0)));
    assert_eq!(total_of(&sitting), None, "an attempt being sat has no result yet");

    // The attempt still being sat is graded with the new key when it closes (the paper cache follows).
    app.put(
        &format!("/attempts/{sitting}/answers/{}", q3.key),
        Some(&sitting_token),
        &json!({"answer": ["A", "C"], "seq": 1}),
    )
    .await
    .expect(200);
    app.post(&format!("/attempts/{sitting}/submit"), Some(&sitting_token), &json!({})).await.expect(200);
    let results = app.get(&format!("/exams/{exam_id}/results?state=graded"), Some(&recruiter)).await.expect(200).body;
    let late = results["rows"].as_array().unwrap().iter().find(|r| r["attempt_id"] == sitting.as_str()).unwrap();
    assert_eq!(late["total"].as_f64(), Some(3.0));

    // The audit trail has the old and new key with the exam's regrade (one record, however many attempts),
    // and each changed attempt with its totals.
    let events = audit_of(&app, format!("paper:{paper_id}")).await;
    let (_, detail) = events.iter().find(|(action, _)| action == "paper.key_correction").unwrap();
    assert_eq!(detail["old_key"]["answer"], json!(["A", "C", "E"]));
    assert_eq!(detail["new_key"]["answer"], json!(["A", "C"]));
    let regrade_id = detail["regrades"][0].as_str().unwrap();
    assert_eq!(corrected["regrades"][0]["id"], regrade_id);
    let progress = app.get(&format!("/exams/{exam_id}/regrades/{regrade_id}"), Some(&recruiter)).await.expect(200).body;
    assert_eq!(
        (progress["state"].as_str(), progress["total"].as_i64(), progress["done"].as_i64()),
        (Some("done"), Some(3), Some(3))
    );
    assert_eq!((progress["changed"].as_i64(), corrected["changed_count"].as_i64()), (Some(2), Some(2)));
    let listed = app.get(&format!("/exams/{exam_id}/regrades"), Some(&recruiter)).await.expect(200).body;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let attempt_events = audit_of(&app, format!("attempt:{old_key_fan}")).await;
    let (_, regrade) = attempt_events.iter().find(|(action, _)| action == "attempt.regrade").unwrap();
    assert_eq!((regrade["old_total"].as_f64(), regrade["new_total"].as_f64()), (Some(3.0), Some(0.0)));
    assert_eq!(regrade["regrade"], regrade_id);
    assert!(audit_of(&app, format!("attempt:{wrong}")).await.iter().all(|(a, _)| a != "attempt.regrade"));

    // The same key again changes nothing.
    let same = app.put(&path, Some(&recruiter), &json!({"answer": ["A", "C"]})).await.expect(200).body;
    assert_eq!((same["regraded"].as_u64(), same["changed"].as_array().unwrap().len()), (Some(0), 0));
    assert_eq!(app.assert_scores_are_fresh(&exam_id).await, 4, "the regraded scores and the late one are stored");
}

#[actix_web::test]
async fn key_corrections_are_checked() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let (_, other) = app.staff("recruiter").await;
    let (_, marker) = app.staff("marker").await;
    let paper = app.publish_seed(&recruiter, false).await;
    let id = paper["id"].as_str().unwrap();
    let questions = questions_of(&paper);
    let single = &questions[0].key;
    let open = &questions.iter().find(|q| q.is_open()).unwrap().key;
    let key = |q: &str| format!("/papers/{id}/questions/{q}/key");
    app.put(&key(open), Some(&recruiter), &json!({"answer": "A"})).await.expect_problem(422, "validation_failed");
    let bad =
        app.put(&key(single), Some(&recruiter), &json!({"answer": "F"})).await.expect_problem(422, "validation_failed");
    assert!(bad.body["errors"][0]["message"].as_str().unwrap().contains("not among the options"), "{}", bad.text);
    app.put(&key(single), Some(&recruiter), &json!({"answer": ["A", "Z"]}))
        .await
        .expect_problem(422, "validation_failed");
    app.put(&key(single), Some(&recruiter), &json!({"accepted": [{"text": "A"}]}))
        .await
        .expect_problem(422, "validation_failed");
    app.put(&key(single), Some(&recruiter), &json!({"answer": "A", "points": 5}))
        .await
        .expect_problem(422, "validation_failed");
    app.put(&key(single), Some(&recruiter), &json!({})).await.expect_problem(422, "validation_failed");
    app.send("PUT", &key(single), Some(&recruiter), Some("application/json"), b"{\"answer\":".to_vec())
        .await
        .expect_problem(400, "malformed_json");
    app.put(&key("nope"), Some(&recruiter), &json!({"answer": "A"})).await.expect_problem(404, "not_found");
    app.put(&key(single), Some(&other), &json!({"answer": "A"})).await.expect_problem(404, "not_found");
    app.put(&key(single), Some(&marker), &json!({"answer": "A"})).await.expect_problem(403, "forbidden");
    app.put(&key(single), None, &json!({"answer": "A"})).await.expect_problem(401, "unauthorized");
    let draft = app.post(&format!("/papers/{id}/copy"), Some(&recruiter), &json!({})).await.expect(201).body;
    app.put(
        &format!("/papers/{}/questions/{single}/key", draft["id"].as_str().unwrap()),
        Some(&recruiter),
        &json!({"answer": "A"}),
    )
    .await
    .expect_problem(409, "paper_not_published");
    // Nothing was changed by any of these.
    let read = app.get(&format!("/papers/{id}"), Some(&recruiter)).await.expect(200).body;
    assert_eq!(read["updated_at"], paper["updated_at"]);
    let fixed = app.put(&key(single), Some(&recruiter), &json!({"answer": "a"})).await.expect(200).body;
    assert_eq!(questions_of(&fixed["paper"])[0].answer, json!("A"));
    assert_eq!(fixed["regraded"], 0);
    // A flawed question with two right options: either, chosen alone, is accepted (issue 18).
    let either = app.put(&key(single), Some(&recruiter), &json!({"answer": ["A", "B"]})).await.expect(200).body;
    assert_eq!(questions_of(&either["paper"])[0].answer, json!(["A", "B"]));
}

#[actix_web::test]
async fn an_interrupted_regrade_resumes_at_the_next_start_and_regrades_each_attempt_once() {
    // One attempt per chunk: the regrade takes several transactions, as a large exam's does.
    let app = spawn_app_with(&[("EXAMD_REGRADE_CHUNK_ATTEMPTS", "1")]).await;
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.publish_seed(&recruiter, false).await;
    let paper_id = paper["id"].as_str().unwrap().to_string();
    let q3 = questions_of(&paper).into_iter().filter(|q| q.kind == "multiple_choice").nth(2).unwrap();
    let exam = app.create_exam(&recruiter, &paper_id, json!({})).await;
    let exam_id = exam["id"].as_str().unwrap().to_string();
    let invited = app.invite_names(&recruiter, &exam_id, &["甲", "乙", "丙"]).await;
    let mut sat = Vec::new();
    for (who, answer) in invited.iter().zip([json!(["A", "C", "E"]), json!(["A", "C"]), json!(["B"])]) {
        sat.push(app.sit(&who.code, &[(q3.key.clone(), answer)], true).await.0);
    }

    // examd stopped right after the correction committed: the paper has the new key and the regrade is
    // recorded, but no chunk ran.
    let (key, id, exam) = (q3.key.clone(), paper_id.clone(), exam_id.clone());
    let now = app.clock_now();
    let regrade_id = app
        .app_state
        .db
        .write(move |c| {
            use examd::store::{papers, regrades};
            let row = papers::get(c, &id)?.unwrap();
            let mut doc: Value = serde_json::from_str(&row.document).unwrap();
            for q in doc["sections"][1]["questions"].as_array_mut().unwrap() {
                if q["key"] == key.as_str() {
                    q["answer"] = json!(["A", "C"]);
                }
            }
            let stamp = row.updated_at + chrono::TimeDelta::microseconds(1);
            papers::replace_published_document(c, &id, &doc.to_string(), stamp)?;
            let regrade = regrades::RegradeRow {
                id: uuid::Uuid::now_v7().to_string(),
                exam_id: exam,
                paper_id: id,
                question_key: key,
                actor: "user:test".into(),
                state: regrades::state::RUNNING.into(),
                total: 3,
                done: 0,
                changed: 0,
                after_attempt: None,
                started_at: examd::store::time::to_db(now),
                finished_at: None,
            };
            regrades::insert(c, &regrade)?;
            Ok(regrade.id)
        })
        .await
        .unwrap();

    // The next start (another instance on the same database) finds it and works it to the end.
    let _restarted = app.spawn_peer().await;
    let path = format!("/exams/{exam_id}/regrades/{regrade_id}");
    let mut progress = Value::Null;
    for _ in 0..400 {
        progress = app.get(&path, Some(&recruiter)).await.expect(200).body;
        if progress["state"] == "done" {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(progress["state"], "done", "{progress}");
    assert_eq!((progress["done"].as_i64(), progress["changed"].as_i64()), (Some(3), Some(2)));
    assert_eq!(app.assert_scores_are_fresh(&exam_id).await, 3);
    for attempt in &sat {
        let regraded = audit_of(&app, format!("attempt:{attempt}")).await;
        assert!(regraded.iter().filter(|(a, _)| a == "attempt.regrade").count() <= 1, "{attempt} regraded twice");
    }
}
