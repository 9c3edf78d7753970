//! Issue 6: the security suite. An authorization matrix generated from the route table (the OpenAPI
//! document, which the server builds from the same table), hostile bodies and brute force.

use std::io::{Read, Write};

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::*;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// Anyone.
    Public,
    /// Anyone with a valid token: staff or candidate.
    AnyCaller,
    /// Admins.
    Admin,
    /// Recruiters on their own objects (admins on all). `foreign` is what another recruiter gets.
    Recruiting { foreign: u16 },
    /// The candidate whose attempt it is.
    Candidate,
    /// Any staff member, on their own account.
    AnyStaff,
    /// Markers assigned to the exam.
    Marking { foreign: u16 },
}

/// The expected access of every route. A route missing here fails the suite, so none is forgotten.
fn access(method: &str, path: &str) -> Option<Access> {
    use Access::*;
    let own_object = Recruiting { foreign: 404 };
    Some(match (method, path) {
        (_, "/healthz" | "/readyz" | "/metrics") => Public,
        ("post", "/api/v1/auth/login" | "/api/v1/auth/access") => Public,
        ("get", "/api/v1/me") => AnyCaller,
        ("put", "/api/v1/me/password") => AnyStaff,
        // Recruiters list staff to assign (issue 16); anything else about accounts is the admin's.
        ("get", "/api/v1/users") => Recruiting { foreign: 200 },
        (_, p) if p.starts_with("/api/v1/users") => Admin,
        // Collections: another recruiter sees their own (empty) list or creates their own.
        ("get", "/api/v1/papers" | "/api/v1/exams") => Recruiting { foreign: 200 },
        ("post", "/api/v1/papers" | "/api/v1/papers/import") => Recruiting { foreign: 201 },
        // Creating an exam on another recruiter's paper: that paper does not exist for them.
        ("post", "/api/v1/exams") => Recruiting { foreign: 422 },
        // Mail (issue 17): another recruiter's exam is not found, like every exam route.
        ("post", "/api/v1/exams/{id}/invitations/send" | "/api/v1/exams/{id}/reminders") => own_object,
        (_, p) if p.starts_with("/api/v1/papers/") || p.starts_with("/api/v1/exams/") => own_object,
        (_, p) if p.starts_with("/api/v1/attempts") => Candidate,
        ("get", "/api/v1/exam") => Candidate,
        // The desk's routes (issue 15), named so none slips through on the prefix alone.
        ("get", "/api/v1/marking/tasks" | "/api/v1/marking/exams" | "/api/v1/marking/exams/{id}/marks") => {
            Marking { foreign: 403 }
        }
        ("post", "/api/v1/marking/tasks/{id}/renew") | ("put", "/api/v1/marking/tasks/{id}/score") => {
            Marking { foreign: 403 }
        }
        (_, p) if p.starts_with("/api/v1/marking/") => Marking { foreign: 403 },
        _ => return None,
    })
}

/// Objects of one recruiter and one candidate, to aim every route at.
struct Fixture {
    draft: String,
    paper: String,
    exam: String,
    invitation: String,
    attempt: String,
    candidate: String,
}

async fn fixture(app: &TestApp, owner: &str) -> Fixture {
    let setup = crate::delivery::ExamSetup {
        paper_id: app.published_seed(owner).await,
        exam_id: String::new(),
        recruiter: owner.to_string(),
    };
    let now = app.clock_now();
    let exam = app
        .post(
            "/exams",
            Some(owner),
            &json!({"paper_id": setup.paper_id, "opens_at": now - Duration::minutes(1), "closes_at": now + Duration::hours(3), "duration_seconds": 3600}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let setup = crate::delivery::ExamSetup { exam_id: exam.clone(), ..setup };
    let invited = app.invite(&setup, 1).await;
    let candidate = app.candidate_token(&invited[0].code).await;
    let attempt =
        app.post("/attempts", Some(&candidate), &json!({})).await.expect(201).body["id"].as_str().unwrap().to_string();
    let draft = app.post("/papers", Some(owner), &crate::papers::small_paper()).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    Fixture { draft, paper: setup.paper_id, exam, invitation: invited[0].invitation_id.clone(), attempt, candidate }
}

/// The concrete path and a body good enough to get past parsing to the authorization check.
fn aim(method: &str, path: &str, f: &Fixture) -> (String, Value) {
    let id = if path.starts_with("/api/v1/papers/") {
        if method == "put" || method == "delete" {
            &f.draft
        } else {
            &f.paper
        }
    } else if path.starts_with("/api/v1/exams/") || path.starts_with("/api/v1/marking/exams/") {
        &f.exam
    } else {
        &f.attempt
    };
    let concrete = path
        .replace("{id}", id)
        .replace("{invitation}", &f.invitation)
        .replace("{regrade}", "no-such-regrade")
        .replace("{user}", "no-such-user")
        .replace("{attempt}", &f.attempt)
        .replace("{question}", "s1q1")
        .replace("{q}", "s1q1");
    let body = match (method, path) {
        ("put", "/api/v1/papers/{id}") | ("post", "/api/v1/papers" | "/api/v1/papers/import") => {
            crate::papers::small_paper()
        }
        ("post", "/api/v1/exams") => {
            json!({"paper_id": f.paper, "opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-01-02T00:00:00Z", "duration_seconds": 60})
        }
        ("post", "/api/v1/exams/{id}/invitations") => json!({"candidates": [{"email": "x@example.com", "name": "X"}]}),
        ("put", "/api/v1/exams/{id}/invitations/{invitation}/extra-time") => json!({"extra_seconds": 60}),
        ("post", "/api/v1/exams/{id}/markers") => json!({"user_ids": []}),
        ("post", "/api/v1/exams/{id}/invitations/send") => json!({"invitation_ids": [f.invitation]}),
        ("patch", "/api/v1/exams/{id}") => json!({"grace_seconds": 10}),
        ("put", "/api/v1/attempts/{id}/answers/{question}") => json!({"answer": "A", "seq": 1}),
        ("patch", "/api/v1/users/{id}") => json!({"disabled": false}),
        ("post", "/api/v1/users") => json!({"email": "new@example.com", "password": STAFF_PASSWORD, "role": "marker"}),
        ("post", "/api/v1/exams/{id}/adjudications") => {
            json!({"attempt_id": f.attempt, "question": "s3q1", "points": 1})
        }
        ("post", "/api/v1/marking/claim") => json!({"exam_id": f.exam}),
        ("post", "/api/v1/marking/tasks/{id}/score") => json!({"points": 1, "comment": "ok", "fence": 1}),
        ("put", "/api/v1/marking/tasks/{id}/score") => json!({"points": 1, "comment": "ok"}),
        ("put", "/api/v1/exams/{id}/attempts/{attempt}/marks/{question}") => json!({"points": 1, "reason": "x"}),
        ("post", "/api/v1/marking/tasks/{id}/renew") => json!({"fence": 1}),
        ("put", "/api/v1/papers/{id}/questions/{q}/key") => json!({"answer": "A"}),
        _ => json!({}),
    };
    (concrete, body)
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>, body: &Value) -> Reply {
    let path = path.strip_prefix("/api/v1").map(str::to_string).unwrap_or_else(|| path.to_string());
    let query = if path == "/papers/import" { "?format=json" } else { "" };
    app.send(
        &method.to_uppercase(),
        &format!("{path}{query}"),
        token,
        Some("application/json"),
        body.to_string().into_bytes(),
    )
    .await
}

#[actix_web::test]
async fn every_route_refuses_every_caller_it_does_not_serve() {
    let app = spawn_app().await;
    let (_, owner) = app.staff("recruiter").await;
    let (_, stranger) = app.staff("recruiter").await;
    let (_, marker) = app.staff("marker").await;
    let ours = fixture(&app, &owner).await;
    let theirs = fixture(&app, &stranger).await;
    let spec = app.get("/api/openapi.json", None).await.expect(200).body;
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let expected =
                access(method, path).unwrap_or_else(|| panic!("{method} {path} is not in the authorization matrix"));
            let (target, body) = aim(method, path, &ours);
            let what = format!("{method} {path}");
            match expected {
                Access::Public => continue,
                Access::AnyCaller => {
                    assert_eq!(call(&app, method, &target, None, &body).await.status, 401, "{what} without a token");
                }
                Access::Admin | Access::Recruiting { .. } | Access::Marking { .. } | Access::AnyStaff => {
                    assert_eq!(call(&app, method, &target, None, &body).await.status, 401, "{what} without a token");
                    assert_eq!(
                        call(&app, method, &target, Some(&theirs.candidate), &body).await.status,
                        401,
                        "{what} with a candidate token"
                    );
                }
                Access::Candidate => {
                    assert_eq!(call(&app, method, &target, None, &body).await.status, 401, "{what} without a token");
                    assert_eq!(
                        call(&app, method, &target, Some(&owner), &body).await.status,
                        401,
                        "{what} with a staff token"
                    );
                    let foreign = call(&app, method, &target, Some(&theirs.candidate), &body).await;
                    assert!(
                        // Routes without an id answer another candidate about their own exam and attempt.
                        foreign.status == 404
                            || (["/api/v1/attempts", "/api/v1/exam"].contains(&path.as_str()) && foreign.status == 200),
                        "{what} by another candidate: {}",
                        foreign.text
                    );
                }
            }
            match expected {
                Access::Admin => {
                    assert_eq!(
                        call(&app, method, &target, Some(&owner), &body).await.status,
                        403,
                        "{what} by a recruiter"
                    );
                    assert_eq!(
                        call(&app, method, &target, Some(&marker), &body).await.status,
                        403,
                        "{what} by a marker"
                    );
                }
                Access::Recruiting { foreign } => {
                    assert_eq!(
                        call(&app, method, &target, Some(&marker), &body).await.status,
                        403,
                        "{what} by a marker"
                    );
                    let reply = call(&app, method, &target, Some(&stranger), &body).await;
                    assert_eq!(reply.status, foreign, "{what} by another recruiter: {}", reply.text);
                }
                Access::Marking { foreign } => {
                    let reply = call(&app, method, &target, Some(&owner), &body).await;
                    assert!(reply.status == 403 || reply.status == foreign, "{what} by a recruiter: {}", reply.text);
                }
                _ => {}
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} routes checked");
    // Nothing the refused calls sent changed the owner's objects.
    let paper = app.get(&format!("/papers/{}", ours.draft), Some(&owner)).await.expect(200).body;
    assert_eq!(paper["title"], "客服经理笔试");
    let invitations = app.get(&format!("/exams/{}/invitations", ours.exam), Some(&owner)).await.expect(200).body;
    assert_eq!(invitations.as_array().unwrap().len(), 1);
    assert_eq!(invitations[0]["status"], "in_progress");
    let attempt = app.get(&format!("/attempts/{}", ours.attempt), Some(&ours.candidate)).await.expect(200).body;
    assert_eq!(attempt["answers"], json!({}));
}

#[actix_web::test]
async fn a_candidate_cannot_assign_what_is_not_theirs() {
    let app = spawn_app().await;
    let (_, owner) = app.staff("recruiter").await;
    let f = fixture(&app, &owner).await;
    let before = app.get(&format!("/attempts/{}", f.attempt), Some(&f.candidate)).await.expect(200).body;
    for extra in [
        json!({"score": 100}),
        json!({"points": 2}),
        json!({"deadline_at": "2099-01-01T00:00:00Z"}),
        json!({"state": "graded"}),
    ] {
        let mut body = json!({"answer": "C", "seq": 1});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        app.put(&format!("/attempts/{}/answers/s1q1", f.attempt), Some(&f.candidate), &body)
            .await
            .expect_problem(422, "validation_failed");
    }
    app.post(&format!("/attempts/{}/submit", f.attempt), Some(&f.candidate), &json!({"total_points": 110}))
        .await
        .expect(200);
    let after = app.get(&format!("/attempts/{}", f.attempt), Some(&f.candidate)).await.expect(200).body;
    assert_eq!(after["answers"], json!({}));
    assert_eq!(after["deadline_at"], before["deadline_at"]);
    let invitations = app.get(&format!("/exams/{}/invitations", f.exam), Some(&owner)).await.expect(200).body;
    assert_eq!(invitations[0]["status"], "submitted");
    // Staff requests refuse unknown fields too (no role escalation through a stray field).
    let admin = app.admin_token().await;
    app.post(
        "/users",
        Some(&admin),
        &json!({"email": "m@example.com", "password": STAFF_PASSWORD, "role": "marker", "id": "x"}),
    )
    .await
    .expect_problem(422, "validation_failed");
}

#[actix_web::test]
async fn hostile_bodies_get_problems_and_store_nothing() {
    let app = spawn_app().await;
    let (_, owner) = app.staff("recruiter").await;
    let f = fixture(&app, &owner).await;
    let save_path = format!("/attempts/{}/answers/s3q1", f.attempt);
    let ten_mb = format!("{{\"answer\": \"{}\", \"seq\": 1}}", "x".repeat(10 * 1024 * 1024));
    app.send("PUT", &save_path, Some(&f.candidate), Some("application/json"), ten_mb.clone().into_bytes())
        .await
        .expect_problem(413, "payload_too_large");
    app.send("POST", "/papers", Some(&owner), Some("application/json"), ten_mb.into_bytes())
        .await
        .expect_problem(413, "payload_too_large");
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    app.send(
        "PUT",
        &save_path,
        Some(&f.candidate),
        Some("application/json"),
        format!("{{\"answer\": {nested}, \"seq\": 1}}").into_bytes(),
    )
    .await
    // An answer is typed: a list of lists is refused at its first level, before any recursion.
    .expect_problem(422, "validation_failed");
    let deep = format!("{{\"answer\": {}{}, \"seq\": 1}}", "[".repeat(1_000), "]".repeat(1_000));
    app.send("PUT", &save_path, Some(&f.candidate), Some("application/json"), deep.clone().into_bytes())
        .await
        .expect_problem(422, "validation_failed");
    // A paper document nested past any paper's shape is refused before a parser sees it.
    app.send("POST", "/papers", Some(&owner), Some("application/json"), deep.into_bytes())
        .await
        .expect_problem(400, "malformed_json");
    let mut invalid_utf8 = b"{\"answer\": \"".to_vec();
    invalid_utf8.extend([0xc3, 0x28, 0xff]);
    invalid_utf8.extend(b"\", \"seq\": 1}");
    app.send("PUT", &save_path, Some(&f.candidate), Some("application/json"), invalid_utf8)
        .await
        .expect_problem(400, "malformed_json");
    let huge_answer = "答".repeat(60_000);
    let reply = app
        .save_answer(&f.candidate, &f.attempt, "s3q1", json!(huge_answer), 1)
        .await
        .expect_problem(422, "validation_failed");
    assert!(reply.body["detail"].as_str().unwrap().contains("character"));
    let attempt = app.get(&format!("/attempts/{}", f.attempt), Some(&f.candidate)).await.expect(200).body;
    assert_eq!(attempt["answers"], json!({}));
    app.get("/healthz", None).await.expect(200);
}

#[actix_web::test]
async fn guessing_access_codes_is_answered_with_429() {
    let app = spawn_app_with(&[("EXAMD_ADDRESS_MAX_FAILURES", "5")]).await;
    for i in 0..5 {
        let code = format!("{i:0>24}");
        app.post("/auth/access", None, &json!({"code": code})).await.expect_problem(401, "unauthorized");
    }
    let limited = app
        .post("/auth/access", None, &json!({"code": "000000000000000000000009"}))
        .await
        .expect_problem(429, "rate_limited");
    assert!(limited.header("retry-after").is_some());
}

#[actix_web::test]
async fn slow_clients_are_cut_off() {
    let app = spawn_app_with(&[("EXAMD_CLIENT_REQUEST_TIMEOUT_MS", "1000")]).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let outcome = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        // Headers that never finish: the server must answer 408 and close, not wait for ever.
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    })
    .await
    .unwrap();
    assert!(outcome.is_empty() || outcome.starts_with("HTTP/1.1 408"), "{outcome}");
    app.get("/healthz", None).await.expect(200);
}
