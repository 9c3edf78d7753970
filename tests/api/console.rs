//! Issue 16: what the recruiter's console needs from the API — papers read and written back as they
//! are, staff to assign, attempts read whole, marks corrected, the audit trail, accounts.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::papers::small_paper;

#[actix_web::test]
async fn a_paper_read_is_written_back_as_it_is() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let id = app.post("/papers", Some(&recruiter), &small_paper()).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut read = app.get(&format!("/papers/{id}"), Some(&recruiter)).await.expect(200).body;
    for field in ["id", "status", "version", "total_points", "owner_id", "created_at", "updated_at"] {
        assert!(read.get(field).is_some(), "the read gives {field}");
    }
    // The console edits points in a form and sends the read back whole.
    read["sections"][0]["points"] = json!(3);
    let written = app.put(&format!("/papers/{id}"), Some(&recruiter), &read).await.expect(200).body;
    assert_eq!(written["sections"][0]["points"], json!(3));
    assert_eq!(written["id"], read["id"]);
    assert_ne!(written["total_points"], read["total_points"], "the total is the server's, not the one sent");

    // The same in YAML.
    let yaml = serde_yaml::to_string(&written).unwrap();
    app.send("PUT", &format!("/papers/{id}"), Some(&recruiter), Some("application/yaml"), yaml.into_bytes())
        .await
        .expect(200);

    // Only the read's own fields are forgiven: anything else unknown is still a 422 naming it.
    let mut typo = written.clone();
    typo["colour"] = json!("red");
    let refused = app.put(&format!("/papers/{id}"), Some(&recruiter), &typo).await.expect(422);
    assert!(refused.text.contains("colour"), "{}", refused.text);
    let mut nested: Value = written.clone();
    nested["sections"][0]["id"] = json!("x");
    app.put(&format!("/papers/{id}"), Some(&recruiter), &nested).await.expect(422);
}

#[actix_web::test]
async fn a_recruiter_finds_markers_by_name_assigns_and_removes_them() {
    let app = spawn_app().await;
    let setup = app.seed_exam(json!({})).await;
    let (marker_id, marker) = app.staff("marker").await;
    let (_, other_recruiter) = app.staff("recruiter").await;
    let admin = app.admin_token().await;

    // Without admin rights: id, e-mail and name only, of the role asked for.
    let found = app.get("/users?role=marker", Some(&setup.recruiter)).await.expect(200).body;
    let card = found.as_array().unwrap().iter().find(|u| u["id"] == marker_id.as_str()).unwrap().clone();
    assert_eq!(card.as_object().unwrap().keys().collect::<Vec<_>>(), ["display_name", "email", "id"]);
    assert!(found.as_array().unwrap().iter().all(|u| u.get("role").is_none()));
    let everyone = app.get("/users", Some(&admin)).await.expect(200).body;
    assert!(everyone.as_array().unwrap().iter().all(|u| u.get("role").is_some()), "an admin sees accounts whole");
    app.get("/users?role=marker", Some(&marker)).await.expect(403);
    app.get("/users?role=boss", Some(&setup.recruiter)).await.expect(422);

    let exam = &setup.exam_id;
    app.post(&format!("/exams/{exam}/markers"), Some(&setup.recruiter), &json!({"user_ids": [marker_id]}))
        .await
        .expect(200);
    let assigned = app.get(&format!("/exams/{exam}/markers"), Some(&setup.recruiter)).await.expect(200).body;
    assert_eq!(assigned, json!([card]));
    app.get(&format!("/exams/{exam}/markers"), Some(&other_recruiter)).await.expect(404);
    app.delete(&format!("/exams/{exam}/markers/{marker_id}"), Some(&other_recruiter)).await.expect(404);
    app.get("/marking/exams", Some(&marker)).await.expect(200);

    app.delete(&format!("/exams/{exam}/markers/{marker_id}"), Some(&setup.recruiter)).await.expect(204);
    assert_eq!(app.get(&format!("/exams/{exam}/markers"), Some(&setup.recruiter)).await.expect(200).body, json!([]));
    app.delete(&format!("/exams/{exam}/markers/{marker_id}"), Some(&setup.recruiter)).await.expect(404);
    app.post("/marking/claim", Some(&marker), &json!({"exam_id": exam})).await.expect(404);
}

/// Marks every open answer of the exam with 1 point and a comment naming the marker.
async fn mark_everything(app: &TestApp, marker: &str, exam_id: &str) -> usize {
    let mut marked = 0;
    while let Some(task) = Some(app.claim(marker, exam_id).await).filter(|r| r.status == 200) {
        app.score(marker, &task.body, 1.0, "a fair try").await.expect(200);
        marked += 1;
    }
    marked
}

#[actix_web::test]
async fn a_recruiter_reads_an_attempt_whole_and_corrects_a_mark() {
    let app = spawn_app().await;
    let m = crate::marking::exam_with_answers(&app, 2, 1, json!({})).await;
    let (marker_id, marker) = m.markers[0].clone();
    assert!(mark_everything(&app, &marker, &m.exam_id).await > 0);
    let attempt = &m.attempts[0];
    let path = format!("/exams/{}/attempts/{attempt}", m.exam_id);

    let read = app.get(&path, Some(&m.recruiter)).await.expect(200).body;
    assert_eq!(read["candidate"]["name"], "考生0");
    assert_eq!(read["state"], "graded");
    let open = m.open_keys[0].as_str();
    let answer = read["answers"].as_array().unwrap().iter().find(|a| a["key"] == open).unwrap().clone();
    assert!(answer["answer"].is_string() && answer["saved_at"].is_string() && answer["seq"].is_number());
    assert_eq!(answer["points"], json!(1));
    assert_eq!(answer["marks"][0]["comment"], "a fair try");
    assert_eq!(answer["marks"][0]["marker"], "marker");
    assert_eq!(answer["marks"][0]["marker_id"], marker_id.as_str());
    let unanswered = read["answers"].as_array().unwrap().iter().find(|a| a["key"] == m.choice_key.as_str()).unwrap();
    assert_eq!((unanswered["answer"].clone(), unanswered["auto"].clone()), (Value::Null, json!(true)));
    let actions: Vec<&str> = read["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"attempt.start") && actions.contains(&"task.score"), "{actions:?}");
    let total = read["total"].as_f64().unwrap();

    // Another recruiter reaches neither the attempt nor its marks; an attempt of another exam is 404.
    let (_, stranger) = app.staff("recruiter").await;
    app.get(&path, Some(&stranger)).await.expect(404);
    let other = app.seed_exam(json!({})).await;
    app.get(&format!("/exams/{}/attempts/{attempt}", other.exam_id), Some(&other.recruiter)).await.expect(404);

    // The correction needs a reason and a mark on the question's step; then the total follows.
    let mark = format!("{path}/marks/{open}");
    app.put(&mark, Some(&m.recruiter), &json!({"points": 2, "reason": " "})).await.expect(422);
    app.put(&mark, Some(&m.recruiter), &json!({"points": 1000, "reason": "too generous"})).await.expect(422);
    app.put(&mark, Some(&stranger), &json!({"points": 2, "reason": "mine"})).await.expect(404);
    let done = app
        .put(&mark, Some(&m.recruiter), &json!({"points": 2, "reason": "the second point was earned"}))
        .await
        .expect(200)
        .body;
    assert_eq!((done["old_points"].clone(), done["points"].clone()), (json!(1), json!(2)));
    assert_eq!(done["total"].as_f64().unwrap(), total + 1.0);
    // A second correction replaces the first rather than piling up.
    app.put(&mark, Some(&m.recruiter), &json!({"points": 1.5, "reason": "on reflection"})).await.expect(200);
    let read = app.get(&path, Some(&m.recruiter)).await.expect(200).body;
    assert_eq!(read["total"].as_f64().unwrap(), total + 0.5);
    let answer = read["answers"].as_array().unwrap().iter().find(|a| a["key"] == open).unwrap().clone();
    assert_eq!(answer["points"], json!(1.5));
    assert_eq!(answer["marks"].as_array().unwrap().len(), 2, "the marker's mark stays beside the correction");
    assert_eq!(answer["marks"][1]["comment"], "on reflection");
    let results = app.get(&format!("/exams/{}/results", m.exam_id), Some(&m.recruiter)).await.expect(200).body;
    let row = results["rows"].as_array().unwrap().iter().find(|r| r["attempt_id"] == attempt.as_str()).unwrap();
    assert_eq!(row["total"].as_f64().unwrap(), total + 0.5, "results read the stored score");
    assert_eq!(app.assert_scores_are_fresh(&m.exam_id).await, 2);

    // The trail: filtered by attempt and by action, paged by cursor.
    let audit = format!("/exams/{}/audit", m.exam_id);
    let corrections = app
        .get(&format!("{audit}?attempt={attempt}&action=attempt.mark_correct"), Some(&m.recruiter))
        .await
        .expect(200)
        .body;
    let events = corrections["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["detail"]["reason"], "the second point was earned");
    assert_eq!(events[0]["detail"]["old_points"], json!(1));
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page_path = match &cursor {
            Some(c) => format!("{audit}?limit=3&cursor={c}"),
            None => format!("{audit}?limit=3"),
        };
        let page = app.get(&page_path, Some(&m.recruiter)).await.expect(200).body;
        seen.extend(page["events"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let all = app.get(&format!("{audit}?limit=1000"), Some(&m.recruiter)).await.expect(200).body;
    let ids: Vec<String> =
        all["events"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(seen, ids);
    let actions: Vec<&str> = all["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for expected in
        ["exam.create", "exam.invite", "access.token", "attempt.start", "task.score", "attempt.mark_correct"]
    {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let marking = app.get(&format!("{audit}?action=task."), Some(&m.recruiter)).await.expect(200).body;
    assert!(marking["events"].as_array().unwrap().iter().all(|e| e["action"].as_str().unwrap().starts_with("task.")));
    let later = app.get(&format!("{audit}?from=2999-01-01T00:00:00Z"), Some(&m.recruiter)).await.expect(200).body;
    assert_eq!(later["events"], json!([]));
    app.get(&format!("{audit}?cursor=nonsense"), Some(&m.recruiter)).await.expect(400);
    app.get(&audit, Some(&stranger)).await.expect(404);
}

#[actix_web::test]
async fn a_user_changes_their_password_and_their_other_sessions_end() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let email = "lin@example.com";
    app.post("/users", Some(&admin), &json!({"email": email, "password": STAFF_PASSWORD, "role": "recruiter"}))
        .await
        .expect(201);
    let laptop = token_of(app.login(email, STAFF_PASSWORD).await.expect(200));
    let phone = token_of(app.login(email, STAFF_PASSWORD).await.expect(200));
    let new = "a much longer passphrase";

    let wrong = json!({"current_password": "not my password", "new_password": new});
    let refused = app.put("/me/password", Some(&laptop), &wrong).await.expect(422);
    assert!(refused.text.contains("current_password"), "{}", refused.text);
    app.put("/me/password", Some(&laptop), &json!({"current_password": STAFF_PASSWORD, "new_password": "short"}))
        .await
        .expect(422);
    let changed = app
        .put("/me/password", Some(&laptop), &json!({"current_password": STAFF_PASSWORD, "new_password": new}))
        .await
        .expect(200);
    let fresh = token_of(changed);
    app.get("/me", Some(&fresh)).await.expect(200);
    app.get("/me", Some(&laptop)).await.expect(401);
    app.get("/me", Some(&phone)).await.expect(401);
    app.login(email, STAFF_PASSWORD).await.expect(401);
    app.login(email, new).await.expect(200);
    let events = app.get("/users", Some(&admin)).await.expect(200);
    assert!(events.body.as_array().unwrap().iter().all(|u| u["must_set_password"] == false));
}

#[actix_web::test]
async fn a_generated_first_admin_password_stops_working_once_the_admin_sets_their_own() {
    // No configured admin: examd generates one and marks it.
    let app = spawn_app_with(&[("EXAMD_ADMIN_EMAIL", ""), ("EXAMD_ADMIN_PASSWORD", "")]).await;
    let generated = known_generated_password(&app).await;
    let login = app.login("admin@examd.local", &generated).await.expect(200);
    assert_eq!(login.body["user"]["must_set_password"], true);
    let token = token_of(login);
    let mine = "the admin's own passphrase";
    let changed = app
        .put("/me/password", Some(&token), &json!({"current_password": generated, "new_password": mine}))
        .await
        .expect(200);
    assert_eq!(changed.body["user"]["must_set_password"], false);
    app.login("admin@examd.local", &generated).await.expect(401);
    let me = app.get("/me", Some(&token_of(app.login("admin@examd.local", mine).await.expect(200)))).await;
    assert_eq!(me.expect(200).body["must_set_password"], false);
}

/// The generated password was only logged; the test puts one it knows in its place, keeping the mark.
async fn known_generated_password(app: &TestApp) -> String {
    let password = "generated-in-the-log".to_string();
    let hash = app.app_state.passwords.hash_now(&password).unwrap();
    app.app_state
        .db
        .run(move |c| {
            let admin = examd::store::users::by_email(c, "admin@examd.local")?.expect("a generated admin");
            assert!(admin.password_generated);
            let set = examd::store::users::AccountChange { password_hash: Some(&hash), ..Default::default() };
            examd::store::users::change(c, &admin.id, &set)?;
            Ok(())
        })
        .await
        .unwrap();
    password
}

#[actix_web::test]
async fn the_results_csv_speaks_the_papers_language_and_lists_who_never_started() {
    let app = spawn_app().await;
    let m = crate::marking::exam_with_answers(&app, 2, 1, json!({"title": "客服经理笔试 2030"})).await;
    mark_everything(&app, &m.markers[0].1, &m.exam_id).await;
    app.invite_names(&m.recruiter, &m.exam_id, &["没来的人"]).await;
    let csv = app.get(&format!("/exams/{}/results.csv", m.exam_id), Some(&m.recruiter)).await.expect(200);
    let disposition = csv.header("content-disposition").unwrap().to_string();
    assert!(disposition.contains("filename*=UTF-8''%E5%AE%A2"), "{disposition}");
    let text = csv.text.trim_start_matches('\u{feff}');
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), 1 + 2 + 1, "{text}");
    assert!(lines[0].iter().skip(6).all(|h| h.contains("（满分")), "{:?}", lines[0]);
    let last = lines.last().unwrap();
    assert_eq!((last[1], last[2]), ("没来的人", "not_started"));
    assert_eq!(last.len(), lines[0].len());
    // A filter selects attempts only.
    let graded = app.get(&format!("/exams/{}/results.csv?state=graded", m.exam_id), Some(&m.recruiter)).await;
    assert!(!graded.expect(200).text.contains("not_started"));
}
