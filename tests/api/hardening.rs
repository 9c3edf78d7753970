//! Issue 11: what an outside attack probe broke, one scenario per finding.

use chrono::Duration;
use examd::store::time::to_db;
use serde_json::{json, Value};

use crate::helpers::*;

/// A paper the server grades whole (no open questions), so its exam can be released as soon as it closes.
fn choice_paper() -> Value {
    json!({
        "title": "选择题",
        "sections": [{"title": "单选题", "kind": "single_choice", "points": 2, "questions": [
            {"key": "q1", "prompt": "1+1?", "options": [{"text": "2"}, {"text": "3"}], "answer": "A",
             "explanation": "算术"}
        ]}]
    })
}

/// A recruiter's published choice paper and an exam on it (open from a minute ago for two hours).
async fn choice_exam(app: &TestApp) -> (String, String) {
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.post("/papers", Some(&recruiter), &choice_paper()).await.expect(201).body;
    let id = paper["id"].as_str().unwrap();
    app.post(&format!("/papers/{id}/publish"), Some(&recruiter), &json!({})).await.expect(200);
    let exam = app.create_exam(&recruiter, id, json!({})).await;
    (recruiter, exam["id"].as_str().unwrap().to_string())
}

#[actix_web::test]
async fn a_released_exam_cannot_be_reopened_and_keys_reach_no_open_attempt() {
    let app = spawn_app().await;
    let (recruiter, exam) = choice_exam(&app).await;
    let mut invited = app.invite_names(&recruiter, &exam, &["早到", "迟到"]).await;
    let late = invited.pop().unwrap();
    let (attempt, _) = app.sit(&invited[0].code, &[("q1".into(), json!("A"))], true).await;
    app.clock.advance(Duration::hours(3));
    app.post(&format!("/exams/{exam}/release"), Some(&recruiter), &json!({})).await.expect(200);

    // Reopening the window would hand the released keys to whoever sits next: refused, nothing moves.
    let later = app.clock_now() + Duration::hours(2);
    app.send(
        "PATCH",
        &format!("/exams/{exam}"),
        Some(&recruiter),
        Some("application/json"),
        json!({"closes_at": later}).to_string().into_bytes(),
    )
    .await
    .expect_problem(409, "results_released");
    let read = app.get(&format!("/exams/{exam}"), Some(&recruiter)).await.expect(200).body;
    assert!(read["released_at"].is_string());
    let early = app.candidate_token(&invited[0].code).await;
    app.get(&format!("/attempts/{attempt}/result"), Some(&early)).await.expect(200);

    // Had the window been reopened underneath (an older examd allowed it), an attempt still being sat
    // sees no result, and no result is shown while the window is open.
    let (db, exam_id, closes) = (app.app_state.db.clone(), exam.clone(), to_db(later));
    db.write(move |c| {
        Ok(examd::store::exams::update_window(c, &exam_id, closes - chrono::TimeDelta::hours(9), closes, 3600, 30)?)
    })
    .await
    .unwrap();
    let (late_attempt, late_token) = app.sit(&late.code, &[], false).await;
    let shown = app.get(&format!("/attempts/{late_attempt}/result"), Some(&late_token)).await;
    shown.expect_problem(409, "results_not_released");
    let early_again = app.get(&format!("/attempts/{attempt}/result"), Some(&early)).await;
    assert!(!early_again.text.contains("算术"), "{}", early_again.text);
    early_again.expect_problem(409, "results_not_released");
}

#[actix_web::test]
async fn deeply_nested_documents_are_refused_as_nesting_and_others_still_served() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let deep = format!("title: {}{}\n", "[".repeat(40_000), "]".repeat(40_000));
    let refused = app.send("POST", "/papers", Some(&recruiter), Some("application/yaml"), deep.into_bytes()).await;
    let refused = refused.expect_problem(400, "malformed_yaml");
    assert!(refused.body["detail"].as_str().unwrap().contains("nest more than"), "{}", refused.text);
    let deep_json = format!("{{\"title\": {}{}}}", "[".repeat(5_000), "]".repeat(5_000));
    let import = app.send("POST", "/papers/import?format=json", Some(&recruiter), None, deep_json.into_bytes()).await;
    assert!(import.expect_problem(422, "validation_failed").text.contains("nest more than"));
    app.get("/healthz", None).await.expect(200);
    assert_eq!(app.get("/papers", Some(&recruiter)).await.expect(200).body, json!([]));
}

#[actix_web::test]
async fn dates_past_year_9999_are_refused_and_stored_ones_do_not_panic() {
    let app = spawn_app().await;
    let (recruiter, exam) = choice_exam(&app).await;
    let paper = app.get(&format!("/exams/{exam}"), Some(&recruiter)).await.expect(200).body["paper_id"].clone();
    let body = json!({"paper_id": paper, "opens_at": app.clock_now(), "closes_at": "+262142-01-01T00:00:00Z",
        "duration_seconds": 3600});
    let refused = app.post("/exams", Some(&recruiter), &body).await.expect_problem(422, "validation_failed");
    assert_eq!(refused.body["errors"][0]["field"], "closes_at");
    let patch = json!({"closes_at": "+262142-01-01T00:00:00Z"}).to_string().into_bytes();
    app.send("PATCH", &format!("/exams/{exam}"), Some(&recruiter), Some("application/json"), patch)
        .await
        .expect_problem(422, "validation_failed");

    // A window at the end of time (written before this check existed) exchanges codes without a panic.
    let invited = app.invite_names(&recruiter, &exam, &["远"]).await;
    let (db, id, now) = (app.app_state.db.clone(), exam.clone(), to_db(app.clock_now()));
    let end = chrono::NaiveDateTime::MAX - chrono::TimeDelta::seconds(1);
    db.write(move |c| Ok(examd::store::exams::update_window(c, &id, now, end, 3600, 3600)?)).await.unwrap();
    let token = app.candidate_token(&invited[0].code).await;
    app.post("/attempts", Some(&token), &json!({})).await.expect(201);
}

#[actix_web::test]
async fn wrong_guesses_lock_out_only_the_guesser() {
    let app = spawn_app_with(&[("EXAMD_LOGIN_MAX_FAILURES", "10"), ("EXAMD_ADDRESS_MAX_FAILURES", "30")]).await;
    let guesser = client_from("127.0.0.2");
    let wrong = json!({"email": ADMIN_EMAIL, "password": "not the password at all"});
    for _ in 0..10 {
        app.post_via(&guesser, "/auth/login", None, &wrong).await.expect_problem(401, "unauthorized");
    }
    // The guesser's own address is refused now, even the right password…
    let right = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
    let locked = app.post_via(&guesser, "/auth/login", None, &right).await.expect_problem(429, "rate_limited");
    assert!(locked.header("retry-after").is_some());
    // …but the admin at their own desk logs in.
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200);

    // A test centre: one address, many candidates, some mistyping their codes.
    let (recruiter, exam) = choice_exam(&app).await;
    let invited = app.invite_names(&recruiter, &exam, &["甲"]).await;
    let centre = client_from("127.0.0.3");
    for i in 0..30 {
        let code = json!({"code": format!("{i:0>24}")});
        app.post_via(&centre, "/auth/access", None, &code).await.expect_problem(401, "unauthorized");
    }
    let code = json!({"code": "000000000000000000000099"});
    app.post_via(&centre, "/auth/access", None, &code).await.expect_problem(429, "rate_limited");
    let own = app.post_via(&centre, "/auth/access", None, &json!({"code": invited[0].code})).await;
    own.expect(200);
}

#[actix_web::test]
async fn a_copied_draft_can_be_deleted_and_its_copy_stays() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let draft = app.post("/papers", Some(&recruiter), &choice_paper()).await.expect(201).body;
    let id = draft["id"].as_str().unwrap();
    let copy = app.post(&format!("/papers/{id}/copy"), Some(&recruiter), &json!({})).await.expect(201).body;
    assert_eq!(copy["derived_from"], id);
    app.delete(&format!("/papers/{id}"), Some(&recruiter)).await.expect(204);
    app.get(&format!("/papers/{id}"), Some(&recruiter)).await.expect_problem(404, "not_found");
    let kept = app.get(&format!("/papers/{}", copy["id"].as_str().unwrap()), Some(&recruiter)).await.expect(200).body;
    assert_eq!(kept["title"], "选择题");
    assert!(kept.get("derived_from").is_none(), "{kept}");
}

#[actix_web::test]
async fn an_extended_window_extends_the_tokens_already_issued() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.post("/papers", Some(&recruiter), &choice_paper()).await.expect(201).body;
    let paper = paper["id"].as_str().unwrap();
    app.post(&format!("/papers/{paper}/publish"), Some(&recruiter), &json!({})).await.expect(200);
    // Six hours allowed, but the window closes in two: the window is the candidate's limit.
    let exam = app.create_exam(&recruiter, paper, json!({"duration_seconds": 6 * 3600})).await;
    let exam = exam["id"].as_str().unwrap().to_string();
    let invited = app.invite_names(&recruiter, &exam, &["慢"]).await;
    let token = app.candidate_token(&invited[0].code).await;
    let attempt = app.post("/attempts", Some(&token), &json!({})).await.expect(201).body;
    let attempt = attempt["id"].as_str().unwrap().to_string();
    app.clock.advance(Duration::minutes(90));
    let later = app.clock_now() + Duration::hours(3);
    let patch = json!({"closes_at": later}).to_string().into_bytes();
    app.send("PATCH", &format!("/exams/{exam}"), Some(&recruiter), Some("application/json"), patch).await.expect(200);
    // Past the token's signed expiry (the old close plus grace), the same token still saves.
    app.clock.advance(Duration::minutes(60));
    app.save_answer(&token, &attempt, "q1", json!("A"), 1).await.expect(200);
    app.get(&format!("/attempts/{attempt}"), Some(&token)).await.expect(200);
    // Past the new window it is expired like any other.
    app.clock.advance(Duration::hours(3));
    app.get(&format!("/attempts/{attempt}"), Some(&token)).await.expect_problem(401, "unauthorized");
}

#[actix_web::test]
async fn a_disabled_or_changed_account_loses_its_tokens_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (id, recruiter) = app.staff("recruiter").await;
    let email = app.get("/me", Some(&recruiter)).await.expect(200).body["email"].as_str().unwrap().to_string();
    app.get("/papers", Some(&recruiter)).await.expect(200);

    let user = format!("/users/{id}");
    let patch = |body: Value| body.to_string().into_bytes();
    let disabled = app.send("PATCH", &user, Some(&admin), Some("application/json"), patch(json!({"disabled": true})));
    assert_eq!(disabled.await.expect(200).body["disabled"], true);
    app.get("/papers", Some(&recruiter)).await.expect_problem(401, "unauthorized");
    app.login(&email, STAFF_PASSWORD).await.expect_problem(401, "unauthorized");

    app.send("PATCH", &user, Some(&admin), Some("application/json"), patch(json!({"disabled": false})))
        .await
        .expect(200);
    // Enabled again: the old token stays dead (the account changed since), a new login works.
    app.get("/papers", Some(&recruiter)).await.expect_problem(401, "unauthorized");
    let fresh = token_of(app.login(&email, STAFF_PASSWORD).await.expect(200));
    app.get("/papers", Some(&fresh)).await.expect(200);

    // A role change: the recruiter's token no longer opens recruiter routes, not even for 8 hours.
    let demoted = app.send("PATCH", &user, Some(&admin), Some("application/json"), patch(json!({"role": "marker"})));
    assert_eq!(demoted.await.expect(200).body["role"], "marker");
    app.get("/papers", Some(&fresh)).await.expect_problem(401, "unauthorized");
    let marker = token_of(app.login(&email, STAFF_PASSWORD).await.expect(200));
    app.get("/papers", Some(&marker)).await.expect_problem(403, "forbidden");

    // An admin cannot lock themselves out; a non-admin cannot change anyone.
    let own = app.get("/me", Some(&admin)).await.expect(200).body["id"].as_str().unwrap().to_string();
    app.send(
        "PATCH",
        &format!("/users/{own}"),
        Some(&admin),
        Some("application/json"),
        patch(json!({"disabled": true})),
    )
    .await
    .expect_problem(409, "own_account");
    app.send("PATCH", &user, Some(&marker), Some("application/json"), patch(json!({"role": "admin"})))
        .await
        .expect_problem(403, "forbidden");
    app.send("PATCH", &user, Some(&admin), Some("application/json"), patch(json!({"role": "boss"})))
        .await
        .expect_problem(422, "validation_failed");
}

#[actix_web::test]
async fn names_are_text_people_can_read() {
    let app = spawn_app().await;
    let (recruiter, exam) = choice_exam(&app).await;
    let invitations = format!("/exams/{exam}/invitations");
    for hostile in ["a\u{0}b", "evil\u{202E}gnp.exe", "\u{200B}\u{200D}", "\u{2066}x"] {
        let body = json!({"candidates": [{"email": "x@example.com", "name": hostile}]});
        let refused = app.post(&invitations, Some(&recruiter), &body).await.expect_problem(422, "validation_failed");
        assert_eq!(refused.body["errors"][0]["field"], "candidates[0].name");
    }
    let body = json!({"candidates": [{"email": "x@example.com", "name": "  王\u{3000}小明  "}]});
    let invited = app.post(&invitations, Some(&recruiter), &body).await.expect(201).body;
    assert_eq!(invited["invitations"][0]["name"], "王 小明");
    let admin = app.admin_token().await;
    let staff =
        json!({"email": "n@example.com", "password": STAFF_PASSWORD, "role": "marker", "display_name": "x\u{7}"});
    app.post("/users", Some(&admin), &staff).await.expect_problem(422, "validation_failed");
    app.get(&invitations, Some(&recruiter)).await.expect(200);
}

#[actix_web::test]
async fn me_answers_candidates_too_and_every_code_exchange_is_on_record() {
    let app = spawn_app().await;
    let (recruiter, exam) = choice_exam(&app).await;
    let invited = app.invite_names(&recruiter, &exam, &["李华"]).await;
    let first = app.candidate_token(&invited[0].code).await;
    let me = app.get("/me", Some(&first)).await.expect(200).body;
    assert_eq!((me["role"].as_str(), me["candidate"]["name"].as_str()), (Some("candidate"), Some("李华")));
    assert_eq!(me["exam"]["id"], exam.as_str());
    assert_eq!(me["invitation_id"], invited[0].invitation_id.as_str());
    assert_eq!(app.get("/me", Some(&recruiter)).await.expect(200).body["role"], "recruiter");

    // A second device exchanges the same code: both tokens work, and both exchanges are recorded.
    let _second = app.candidate_token(&invited[0].code).await;
    let (db, subject) = (app.app_state.db.clone(), format!("invitation:{}", invited[0].invitation_id));
    let events = db.run(move |c| Ok(examd::store::audit::for_subject(c, &subject)?)).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.action == "access.token").count(), 2);
}

#[actix_web::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let mut res = app
            .client
            .get(app.url("/me"))
            .insert_header(("Authorization", format!("{scheme} {admin}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{scheme}: {:?}", res.body().await);
    }
    let mut res =
        app.client.get(app.url("/me")).insert_header(("Authorization", format!("Basic {admin}"))).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401, "{:?}", res.body().await);
}
