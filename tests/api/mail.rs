//! Issue 17: invitations by mail, against a real SMTP server (aiosmtpd, `scripts/smtp_sink.py`) that
//! each test starts for itself.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use examd::startup::Application;
use serde_json::{json, Value};

use crate::helpers::*;

/// The SMTP server of one test; killed when the test ends.
pub struct Sink {
    child: Child,
    pub port: u16,
    pub dir: TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sink {
    /// Starts the sink, or says in one line why it cannot (and fails under CI, where it must run).
    pub fn start() -> Option<Sink> {
        use std::io::BufRead;
        let root = env!("CARGO_MANIFEST_DIR");
        let python =
            std::env::var("EXAMD_TEST_SMTP_PYTHON").unwrap_or_else(|_| format!("{root}/target/smtp-venv/bin/python"));
        let ready =
            Command::new(&python).args(["-c", "import aiosmtpd"]).status().map(|s| s.success()).unwrap_or(false);
        if !ready {
            let why = format!("SMTP test server missing: aiosmtpd not found for {python} (run scripts/smtp-venv.sh)");
            assert!(std::env::var_os("CI").is_none(), "{why}");
            eprintln!("{why}; skipping");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("examd-smtp-{}", uuid::Uuid::new_v4().simple()));
        let mut child = Command::new(python)
            .arg(format!("{root}/scripts/smtp_sink.py"))
            .arg(&dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the SMTP sink starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("PORT line");
        let port = line.trim().strip_prefix("PORT ").and_then(|p| p.parse().ok()).expect("a port");
        Some(Sink { child, port, dir: TempDir(dir) })
    }

    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("EXAMD_SMTP_URL", format!("smtp://127.0.0.1:{}", self.port)),
            ("EXAMD_MAIL_FROM", "examd <exam@example.com>".into()),
            ("EXAMD_SMTP_MAX_PER_SECOND", "200".into()),
            ("EXAMD_PUBLIC_URL", "https://exam.example.com".into()),
        ]
    }

    /// The mails received so far, in arrival order.
    pub fn mails(&self) -> Vec<Value> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir.0)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        files.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json")).collect()
    }

    /// Waits (real time: the sender works on its own) until `n` mails arrived; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= n || start.elapsed() > Duration::from_secs(30) {
                return mails;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn app_with(sink: &Sink) -> TestApp {
    let extra = sink.settings();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_with(&extra).await
}

fn code_in(mail: &Value) -> String {
    let text = mail["text"].as_str().unwrap();
    let at =
        text.find("https://exam.example.com/take#").expect("a start link") + "https://exam.example.com/take#".len();
    text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn invite(app: &TestApp, setup: &crate::delivery::ExamSetup, candidates: Value) -> Vec<Value> {
    let path = format!("/exams/{}/invitations", setup.exam_id);
    let body = json!({"candidates": candidates, "send_email": true});
    app.post(&path, Some(&setup.recruiter), &body).await.expect(201).body["invitations"].as_array().unwrap().clone()
}

async fn listing(app: &TestApp, setup: &crate::delivery::ExamSetup, query: &str) -> Vec<Value> {
    let path = format!("/exams/{}/invitations{query}", setup.exam_id);
    app.get(&path, Some(&setup.recruiter)).await.expect(200).body.as_array().unwrap().clone()
}

/// Polls the listing (real time) until `done` holds for it.
async fn wait_listing(
    app: &TestApp,
    setup: &crate::delivery::ExamSetup,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let rows = listing(app, setup, "").await;
        if done(&rows) || start.elapsed() > Duration::from_secs(30) {
            return rows;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn three_invitations_arrive_once_each_in_their_language_with_a_working_link() {
    let Some(sink) = Sink::start() else { return };
    let app = app_with(&sink).await;
    let setup = app.seed_exam(json!({"title": "Support <b>lead</b>", "language": "en"})).await;
    let issued = invite(
        &app,
        &setup,
        json!([{"email": "ann@example.com", "name": "Ann <i>O'Neil</i>"}, {"email": "bo@example.com", "name": "Bo"},
               {"email": "wang@example.com", "name": "王芳", "language": "zh"}]),
    )
    .await;
    let mails = sink.wait_for(3).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let mails = if sink.mails().len() > mails.len() { sink.mails() } else { mails };
    assert_eq!(mails.len(), 3, "{mails:?}");
    let by_rcpt: HashMap<String, &Value> =
        mails.iter().map(|m| (m["to"][0].as_str().unwrap().to_string(), m)).collect();
    assert_eq!(by_rcpt.len(), 3, "each candidate once");
    for inv in &issued {
        let mail = by_rcpt[inv["email"].as_str().unwrap()];
        let code = code_in(mail);
        assert_eq!(code, inv["access_code"].as_str().unwrap());
        assert!(mail["html"].as_str().unwrap().contains(&format!("href=\"https://exam.example.com/take#{code}\"")));
        app.post("/auth/access", None, &json!({"code": code})).await.expect(200);
    }
    assert!(by_rcpt["ann@example.com"]["subject"].as_str().unwrap().starts_with("Invitation: Support <b>lead</b>"));
    let html = by_rcpt["ann@example.com"]["html"].as_str().unwrap();
    assert!(html.contains("Ann &lt;i&gt;O&#39;Neil&lt;/i&gt;") && !html.contains("<i>"), "{html}");
    assert!(by_rcpt["wang@example.com"]["subject"].as_str().unwrap().starts_with("笔试邀请"));
    assert!(by_rcpt["wang@example.com"]["text"].as_str().unwrap().contains("王芳，您好"));

    let rows = wait_listing(&app, &setup, |rows| rows.iter().all(|r| r["email_status"] == "sent")).await;
    assert!(rows.iter().all(|r| r["email_status"] == "sent" && r["email_sent_at"].is_string()), "{rows:?}");
    assert_eq!(listing(&app, &setup, "?email_status=sent").await.len(), 3);
    assert_eq!(listing(&app, &setup, "?email_status=failed").await.len(), 0);
    app.get(&format!("/exams/{}/invitations?email_status=lost", setup.exam_id), Some(&setup.recruiter))
        .await
        .expect_problem(400, "bad_query");
    // The codes left the outbox with their mails.
    let held: i64 = app
        .app_state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use examd::store::schema::mail_outbox;
            Ok(mail_outbox::table.filter(mail_outbox::access_code.is_not_null()).count().get_result(c)?)
        })
        .await
        .unwrap();
    assert_eq!(held, 0);
}

#[actix_web::test]
async fn a_451_is_retried_after_the_backoff_and_a_550_fails_with_the_reply() {
    let Some(sink) = Sink::start() else { return };
    let app = app_with(&sink).await;
    let setup = app.seed_exam(json!({})).await;
    invite(
        &app,
        &setup,
        json!([{"email": "tempfail@example.com", "name": "T"}, {"email": "reject@example.com", "name": "R"}]),
    )
    .await;
    let rows = wait_listing(&app, &setup, |rows| {
        rows.iter().any(|r| r["email_status"] == "failed")
            && rows.iter().any(|r| r["email_error"].as_str().is_some_and(|e| e.contains("451")))
    })
    .await;
    let of = |email: &str| rows.iter().find(|r| r["email"] == email).unwrap().clone();
    let rejected = of("reject@example.com");
    assert_eq!(rejected["email_status"], "failed");
    assert!(
        rejected["email_error"].as_str().unwrap().contains("550")
            && rejected["email_error"].as_str().unwrap().contains("mailbox unavailable"),
        "{rejected}"
    );
    let deferred = of("tempfail@example.com");
    assert_eq!(deferred["email_status"], "queued", "{deferred}");
    assert!(sink.mails().is_empty());
    // The retry waits for its backoff on the app's clock.
    app.clock.advance(Span::seconds(31));
    let mails = sink.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["to"][0], "tempfail@example.com");
    let rows = wait_listing(&app, &setup, |rows| rows.iter().any(|r| r["email_status"] == "sent")).await;
    assert_eq!(rows.iter().filter(|r| r["email_status"] == "sent").count(), 1);
}

#[actix_web::test]
async fn reminders_and_resends_carry_a_fresh_code_and_the_old_one_stops() {
    let Some(sink) = Sink::start() else { return };
    let app = app_with(&sink).await;
    let setup = app.seed_exam(json!({})).await;
    let issued = invite(&app, &setup, json!([{"email": "a@example.com", "name": "A"}])).await;
    sink.wait_for(1).await;
    wait_listing(&app, &setup, |rows| rows[0]["email_status"] == "sent").await;
    let summary =
        app.post(&format!("/exams/{}/reminders", setup.exam_id), Some(&setup.recruiter), &json!({})).await.expect(202);
    assert_eq!(summary.body["queued"].as_array().unwrap().len(), 1);
    let mails = sink.wait_for(2).await;
    assert_eq!(mails.len(), 2);
    assert!(mails[1]["subject"].as_str().unwrap().starts_with("提醒："));
    let fresh = code_in(&mails[1]);
    assert_ne!(fresh, issued[0]["access_code"].as_str().unwrap());
    app.post("/auth/access", None, &json!({"code": issued[0]["access_code"]})).await.expect(401);
    app.post("/auth/access", None, &json!({"code": fresh})).await.expect(200);
    // A plain invitation (no mail) is sent later by /send; one of another exam is refused.
    let path = format!("/exams/{}/invitations", setup.exam_id);
    app.post(&path, Some(&setup.recruiter), &json!({"candidates": [{"email": "b@example.com", "name": "B"}]}))
        .await
        .expect(201);
    let sent = app.post(&format!("{path}/send"), Some(&setup.recruiter), &json!({})).await.expect(202);
    assert_eq!(sent.body["queued"].as_array().unwrap().len(), 1);
    assert_eq!(sink.wait_for(3).await[2]["to"][0], "b@example.com");
    app.post(&format!("{path}/send"), Some(&setup.recruiter), &json!({"invitation_ids": ["nope"]}))
        .await
        .expect_problem(422, "validation_failed");
}

#[actix_web::test]
async fn without_smtp_url_mail_is_refused_and_templates_are_checked() {
    let app = spawn_app().await;
    let setup = app.seed_exam(json!({})).await;
    let path = format!("/exams/{}/invitations", setup.exam_id);
    let body = json!({"candidates": [{"email": "a@example.com", "name": "A"}], "send_email": true});
    app.post(&path, Some(&setup.recruiter), &body).await.expect_problem(409, "mail_not_configured");
    app.post(&format!("{path}/send"), Some(&setup.recruiter), &json!({}))
        .await
        .expect_problem(409, "mail_not_configured");
    app.post(&format!("/exams/{}/reminders", setup.exam_id), Some(&setup.recruiter), &json!({}))
        .await
        .expect_problem(409, "mail_not_configured");
    assert_eq!(listing(&app, &setup, "").await.len(), 0, "nothing was invited");
    let exam = format!("/exams/{}", setup.exam_id);
    let bad = app
        .send(
            "PATCH",
            &exam,
            Some(&setup.recruiter),
            Some("application/json"),
            json!({"mail_body": "Hi {nmae}", "language": "fr"}).to_string().into_bytes(),
        )
        .await
        .expect_problem(422, "validation_failed");
    let fields: Vec<&str> =
        bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["language", "mail_body"]);
    let ok = app
        .send(
            "PATCH",
            &exam,
            Some(&setup.recruiter),
            Some("application/json"),
            json!({"mail_subject": "{exam}: {{start}}", "language": "en"}).to_string().into_bytes(),
        )
        .await
        .expect(200);
    assert_eq!(
        (ok.body["language"].as_str(), ok.body["mail_subject"].as_str()),
        (Some("en"), Some("{exam}: {{start}}"))
    );
}

#[actix_web::test]
async fn two_instances_on_one_database_send_each_mail_once() {
    let Some(sink) = Sink::start() else { return };
    let app = app_with(&sink).await;
    let dir = std::env::temp_dir().join(format!("examd-peer-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let extra = sink.settings();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let peer = Application::build_with_clock(test_settings(&app.database.url(), &dir, &extra), app.clock.clone())
        .await
        .unwrap();
    actix_web::rt::spawn(peer.run_until_stopped());
    let setup = app.seed_exam(json!({})).await;
    let candidates: Vec<Value> =
        (0..60).map(|i| json!({"email": format!("c{i}@example.com"), "name": format!("C{i}")})).collect();
    invite(&app, &setup, json!(candidates)).await;
    let mails = sink.wait_for(60).await;
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    let mails = if sink.mails().len() > mails.len() { sink.mails() } else { mails };
    let mut count: HashMap<String, usize> = HashMap::new();
    for m in &mails {
        *count.entry(m["to"][0].as_str().unwrap().to_string()).or_default() += 1;
    }
    assert_eq!(count.len(), 60);
    assert!(count.values().all(|n| *n == 1), "{count:?}");
    let _ = std::fs::remove_dir_all(dir);
}
