//! Issue 2: staff auth, tokens, errors, operations.

use base64::Engine;
use chrono::Duration;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;

use crate::helpers::*;

fn b64(v: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn claims(aud: &str, exp_offset: i64) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "someone", "iss": "examd", "aud": aud, "iat": now, "exp": now + exp_offset, "role": "admin"})
}

#[actix_web::test]
async fn login_returns_a_token_that_me_accepts() {
    let app = spawn_app().await;
    let reply = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200);
    assert_eq!(reply.body["user"]["role"], "admin");
    assert!(reply.body["expires_in"].as_i64().unwrap() > 0);
    let me = app.get("/me", Some(&token_of(reply))).await.expect(200);
    assert_eq!(me.body["email"], ADMIN_EMAIL);
}

#[actix_web::test]
async fn wrong_password_and_unknown_user_answer_the_same() {
    let app = spawn_app().await;
    let wrong = app.login(ADMIN_EMAIL, "not the password at all").await.expect_problem(401, "unauthorized");
    let unknown = app.login("nobody@example.com", "not the password at all").await.expect_problem(401, "unauthorized");
    assert_eq!(wrong.body, unknown.body);
}

#[actix_web::test]
async fn repeated_failed_logins_are_refused_with_retry_after() {
    let app = spawn_app_with(&[("EXAMD_LOGIN_MAX_FAILURES", "3")]).await;
    for _ in 0..3 {
        app.login(ADMIN_EMAIL, "wrong password here").await.expect(401);
    }
    let limited = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect_problem(429, "rate_limited");
    assert!(limited.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
}

#[actix_web::test]
async fn bad_tokens_are_refused() {
    let app = spawn_app().await;
    let good = app.admin_token().await;
    let secret = EncodingKey::from_secret(JWT_SECRET.as_bytes());

    let mut tampered = good.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let other_key =
        encode(&Header::default(), &claims("examd:staff", 3600), &EncodingKey::from_secret(&[7; 40])).unwrap();
    let alg_none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims("examd:staff", 3600)));
    let wrong_audience = encode(&Header::default(), &claims("examd:candidate", 3600), &secret).unwrap();
    let wrong_issuer = {
        let mut c = claims("examd:staff", 3600);
        c["iss"] = json!("someone-else");
        encode(&Header::default(), &c, &secret).unwrap()
    };
    let no_exp = {
        let mut c = claims("examd:staff", 3600);
        c.as_object_mut().unwrap().remove("exp");
        encode(&Header::default(), &c, &secret).unwrap()
    };
    let hs512 = encode(&Header::new(jsonwebtoken::Algorithm::HS512), &claims("examd:staff", 3600), &secret).unwrap();
    // HS/RS confusion: a token that claims RS256 (as if the HMAC secret were a public key) is refused.
    let rs256 = {
        let parts: Vec<&str> = good.split('.').collect();
        format!("{}.{}.{}", b64(&json!({"alg": "RS256", "typ": "JWT"})), parts[1], parts[2])
    };
    for (what, token) in [
        ("tampered", tampered),
        ("another key", other_key),
        ("alg none", alg_none),
        ("wrong audience", wrong_audience),
        ("wrong issuer", wrong_issuer),
        ("missing exp", no_exp),
        ("other algorithm", hs512),
        ("RS256 header", rs256),
        ("garbage", "not-a-token".to_string()),
    ] {
        let reply = app.get("/me", Some(&token)).await;
        assert_eq!(reply.status, 401, "{what}: {}", reply.text);
        assert_eq!(reply.body["code"], "unauthorized", "{what}");
    }
    app.get("/me", None).await.expect_problem(401, "unauthorized");
}

#[actix_web::test]
async fn tokens_expire_on_the_server_clock() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    app.get("/me", Some(&token)).await.expect(200);
    app.clock.advance(Duration::days(2));
    let reply = app.get("/me", Some(&token)).await.expect_problem(401, "unauthorized");
    assert!(reply.body["detail"].as_str().unwrap().contains("expired"));
}

#[actix_web::test]
async fn a_marker_cannot_call_an_admin_route() {
    let app = spawn_app().await;
    let (_, marker) = app.staff("marker").await;
    app.post("/users", Some(&marker), &json!({"email": "x@example.com", "password": STAFF_PASSWORD, "role": "admin"}))
        .await
        .expect_problem(403, "forbidden");
    app.get("/users", Some(&marker)).await.expect_problem(403, "forbidden");
}

#[actix_web::test]
async fn creating_users_validates_every_field_and_refuses_duplicates() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let reply = app
        .post("/users", Some(&admin), &json!({"email": "not-an-email", "password": "short", "role": "boss"}))
        .await
        .expect_problem(422, "validation_failed");
    let fields: Vec<_> = reply.body["errors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
    assert_eq!(fields, [json!("email"), json!("role"), json!("password")]);
    let user = json!({"email": "Rita@Example.com", "password": STAFF_PASSWORD, "role": "recruiter"});
    app.post("/users", Some(&admin), &user).await.expect(201);
    app.post("/users", Some(&admin), &user).await.expect_problem(409, "email_taken");
    let listed = app.get("/users", Some(&admin)).await.expect(200);
    assert!(listed.body.as_array().unwrap().iter().any(|u| u["email"] == "rita@example.com"));
    app.login("rita@example.com", STAFF_PASSWORD).await.expect(200);
}

#[actix_web::test]
async fn bad_bodies_get_problems_not_panics() {
    let app = spawn_app_with(&[("EXAMD_MAX_BODY_BYTES", "1024")]).await;
    let post = |body: &'static [u8], ct: Option<&'static str>| {
        let app = &app;
        async move { app.send("POST", "/auth/login", None, ct, body.to_vec()).await }
    };
    post(b"{\"email\": ", Some("application/json")).await.expect_problem(400, "malformed_json");
    post(b"{\"email\": 5}", Some("application/json")).await.expect_problem(422, "validation_failed");
    post(b"email=a", Some("application/x-www-form-urlencoded")).await.expect_problem(415, "unsupported_media_type");
    post(&[0xff, 0xfe, 0x00], Some("application/json")).await.expect_problem(400, "malformed_json");
    let big = format!("{{\"email\": \"{}\", \"password\": \"x\"}}", "a".repeat(4096));
    app.send("POST", "/auth/login", None, Some("application/json"), big.into_bytes())
        .await
        .expect_problem(413, "payload_too_large");
    app.get("/no/such/route", None).await.expect_problem(404, "not_found");
}

#[actix_web::test]
async fn operations_endpoints_answer() {
    let app = spawn_app().await;
    let health = app.get("/healthz", None).await.expect(200);
    assert!(health.header("x-request-id").is_some());
    app.get("/readyz", None).await.expect(200);
    let metrics = app.get("/metrics", None).await.expect(200);
    assert!(
        metrics.text.contains("http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
        "{}",
        metrics.text
    );
}

#[actix_web::test]
async fn readyz_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.get("/readyz", None).await.expect(200);
    app.database.destroy();
    app.get("/readyz", None).await.expect_problem(503, "unavailable");
    app.get("/healthz", None).await.expect(200);
}

#[actix_web::test]
async fn openapi_describes_every_route() {
    let app = spawn_app().await;
    let spec = app.get("/api/openapi.json", None).await.expect(200).body;
    let paths = spec["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path} has no summary");
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has no responses");
        }
    }
    for route in ["/api/v1/auth/login", "/api/v1/me", "/api/v1/users", "/healthz", "/readyz", "/metrics"] {
        assert!(paths.contains_key(route), "{route} missing from the OpenAPI document");
    }
}
