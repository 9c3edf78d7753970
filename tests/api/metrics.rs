//! Issue 11, finding 4: metric series are bounded, and `/metrics` can be closed or moved.

use crate::helpers::*;

async fn metrics_text(app: &TestApp) -> String {
    app.get("/metrics", None).await.expect(200).text
}

#[actix_web::test]
async fn made_up_methods_and_paths_do_not_create_series() {
    let app = spawn_app().await;
    // The first few create the `other` and `unmatched` series; the next 200 must add none.
    for i in 0..5 {
        app.send(&format!("WARMUP{i}"), "/healthz", None, None, Vec::new()).await;
        app.send(&format!("WARMUP{i}"), &format!("/no/such/path/{i}"), None, None, Vec::new()).await;
    }
    metrics_text(&app).await; // the scrape's own series
    let before = metrics_text(&app).await;
    for i in 0..200 {
        app.send(&format!("MADEUP{i}"), "/healthz", None, None, Vec::new()).await;
        app.send(&format!("MADEUP{i}"), &format!("/no/such/path/{i}"), None, None, Vec::new()).await;
    }
    let after = metrics_text(&app).await;
    assert!(!after.contains("MADEUP") && !after.contains("WARMUP"), "a made-up method became a label");
    assert!(!after.contains("/no/such/path"), "a raw path became a label");
    let series = |text: &str| text.lines().filter(|l| l.starts_with("http_requests_total{")).count();
    assert_eq!(series(&after), series(&before), "before:\n{before}\nafter:\n{after}");
    // Only counts grew (a few digits each).
    assert!(after.len() < before.len() + 256, "/metrics grew from {} to {} bytes", before.len(), after.len());
    assert!(after.contains("method=\"other\""), "{after}");
}

#[actix_web::test]
async fn a_metrics_token_is_enforced_when_set() {
    let app = spawn_app_with(&[("EXAMD_METRICS_TOKEN", "scrape-token-for-tests")]).await;
    app.get("/metrics", None).await.expect_problem(401, "unauthorized");
    app.get("/metrics", Some("wrong-token")).await.expect_problem(401, "unauthorized");
    let admin = app.admin_token().await;
    app.get("/metrics", Some(&admin)).await.expect_problem(401, "unauthorized");
    let text = app.get("/metrics", Some("scrape-token-for-tests")).await.expect(200).text;
    assert!(text.contains("http_requests_total"), "{text}");
}

#[actix_web::test]
async fn metrics_bind_moves_metrics_off_the_api_listener() {
    let app = spawn_app_with(&[("EXAMD_METRICS_BIND", "127.0.0.1:0")]).await;
    app.get("/healthz", None).await.expect(200);
    app.get("/metrics", None).await.expect_problem(404, "not_found");
    let metrics = app.metrics_address.clone().expect("a metrics listener");
    let reply = app.request(&format!("{metrics}/metrics"), "GET", None, None, Vec::new()).await.expect(200);
    assert!(reply.text.contains("route=\"/healthz\""), "{}", reply.text);
    app.request(&format!("{metrics}/api/v1/me"), "GET", None, None, Vec::new()).await.expect_problem(404, "not_found");
}
