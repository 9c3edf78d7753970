//! Issue 12 (the API side of the exam room): start links, the candidate's exam intro, the result's
//! option texts, and how the pages are served (types, caching, security headers, gzip).

use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn each_invitation_carries_a_start_link_with_the_code_in_the_fragment() {
    let app = spawn_app_with(&[("EXAMD_PUBLIC_URL", "https://exam.example.com/")]).await;
    let setup = app.seed_exam(json!({})).await;
    let reply = app
        .post(
            &format!("/exams/{}/invitations", setup.exam_id),
            Some(&setup.recruiter),
            &json!({"candidates": [{"email": "a@example.com", "name": "A"}]}),
        )
        .await
        .expect(201);
    let invitation = &reply.body["invitations"][0];
    let code = invitation["access_code"].as_str().unwrap();
    assert_eq!(invitation["start_url"], format!("https://exam.example.com/take#{code}"));
    let spec = app.get("/api/openapi.json", None).await.expect(200).body;
    assert!(spec["components"]["schemas"]["IssuedInvitation"]["properties"]["start_url"].is_object());
}

#[actix_web::test]
async fn the_intro_shows_the_exam_before_starting_and_starts_nothing() {
    let app = spawn_app().await;
    let setup = app.seed_exam(json!({"title": "客服经理笔试"})).await;
    let invited = app.invite(&setup, 1).await;
    let token = app.candidate_token(&invited[0].code).await;
    let intro = app.get("/exam", Some(&token)).await.expect(200).body;
    assert_eq!(intro["exam"]["title"], "客服经理笔试");
    assert_eq!(intro["attempt"], serde_json::Value::Null);
    assert_eq!(intro["results_released"], false);
    let sections = intro["exam"]["sections"].as_array().unwrap();
    let summary: Vec<(String, u64, f64)> = sections
        .iter()
        .map(|s| {
            (s["kind"].as_str().unwrap().into(), s["questions"].as_u64().unwrap(), s["max_points"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(summary[0], ("single_choice".into(), 5, 10.0));
    assert_eq!(summary[1], ("multiple_choice".into(), 5, 15.0));
    assert_eq!(sections[1]["scoring"], "all_or_nothing");
    assert_eq!(sections[0]["scoring"], serde_json::Value::Null);
    assert_eq!(sections[2]["marked_by_people"], true);
    assert!(!intro.to_string().contains("prompt"), "the intro holds no question text: {intro}");
    // Reading the intro started no clock; starting is explicit.
    let listing = app.get(&format!("/exams/{}/invitations", setup.exam_id), Some(&setup.recruiter)).await.expect(200);
    assert_eq!(listing.body[0]["status"], "not_started");
    let attempt = app.post("/attempts", Some(&token), &json!({})).await.expect(201).body;
    let intro = app.get("/exam", Some(&token)).await.expect(200).body;
    assert_eq!(intro["attempt"]["id"], attempt["id"]);
    assert_eq!(intro["attempt"]["state"], "in_progress");
    // The access answer carries the same exam summary.
    let access = app.post("/auth/access", None, &json!({"code": invited[0].code})).await.expect(200).body;
    assert_eq!(access["exam"]["sections"], intro["exam"]["sections"]);
}

#[actix_web::test]
async fn the_intro_is_for_candidates_only_and_stops_at_revocation() {
    let app = spawn_app().await;
    let setup = app.seed_exam(json!({})).await;
    let invited = app.invite(&setup, 1).await;
    let token = app.candidate_token(&invited[0].code).await;
    app.get("/exam", None).await.expect_problem(401, "unauthorized");
    app.get("/exam", Some(&setup.recruiter)).await.expect_problem(401, "unauthorized");
    app.post(
        &format!("/exams/{}/invitations/{}/revoke", setup.exam_id, invited[0].invitation_id),
        Some(&setup.recruiter),
        &json!({}),
    )
    .await
    .expect(204);
    app.get("/exam", Some(&token)).await.expect_problem(401, "unauthorized");
}

#[actix_web::test]
async fn pages_are_served_with_types_caching_and_a_strict_policy() {
    let app = spawn_app().await;
    for path in ["/", "/take", "/mark", "/console"] {
        let page = app.request(&format!("{}{path}", app.address), "GET", None, None, Vec::new()).await.expect(200);
        assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"), "{path}");
        let csp = page.header("content-security-policy").unwrap();
        for rule in ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"] {
            assert!(csp.contains(rule), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(page.header("cache-control"), Some("no-cache"));
    }
    let take = app.request(&format!("{}/take", app.address), "GET", None, None, Vec::new()).await;
    let etag = take.header("etag").unwrap().to_string();
    let again = app
        .client
        .get(format!("{}/take", app.address))
        .insert_header(("If-None-Match", etag.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    // The shell names its assets under a versioned path, cached for a year.
    let script = take.text.split('"').find(|s| s.starts_with("/assets/") && s.ends_with("/room.js")).unwrap();
    let js = app.request(&format!("{}{script}", app.address), "GET", None, None, Vec::new()).await.expect(200);
    assert_eq!(js.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert_eq!(js.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(js.header("content-security-policy").is_some());
    let css = script.replace("room.js", "style.css");
    let css = app.request(&format!("{}{css}", app.address), "GET", None, None, Vec::new()).await.expect(200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    // gzip for whoever asks for it.
    let gz = app
        .client
        .get(format!("{}{script}", app.address))
        .insert_header(("Accept-Encoding", "gzip"))
        .no_decompress()
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers().get("content-encoding").and_then(|v| v.to_str().ok()), Some("gzip"));
    // Nothing else is served from the assets, and no path leaves them.
    for bad in ["/assets/x/take.html", "/assets/x/../Cargo.toml", "/assets/x/nope.js", "/exam"] {
        let reply = app.request(&format!("{}{bad}", app.address), "GET", None, None, Vec::new()).await;
        assert_eq!(reply.status, 404, "{bad}");
    }
}
