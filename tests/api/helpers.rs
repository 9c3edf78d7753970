//! Starts the real examd on a random port against a database of its own, and talks to it over HTTP.
//!
//! SQLite by default (a temp file per test); set `EXAMD_TEST_DATABASE_URL=postgres://…` to run every
//! test on PostgreSQL, each in a database made for it and dropped after.

use std::sync::Arc;

use chrono::Utc;
use diesel::{Connection, PgConnection, RunQueryDsl};
use examd::clock::ManualClock;
use examd::settings::Settings;
use examd::startup::Application;
use serde_json::{json, Value};

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin password for tests";
pub const STAFF_PASSWORD: &str = "correct horse battery";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// A running examd and what the test needs to drive it.
pub struct TestApp {
    pub address: String,
    /// `http://127.0.0.1:<port>` of the metrics listener, when `EXAMD_METRICS_BIND` is set.
    pub metrics_address: Option<String>,
    pub clock: Arc<ManualClock>,
    pub client: awc::Client,
    pub app_state: examd::state::AppState,
    pub database: TestDatabase,
    _data_dir: TempDir,
}

/// A directory removed when the test ends.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The test's own database.
pub enum TestDatabase {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    fn create(dir: &std::path::Path) -> TestDatabase {
        match std::env::var("EXAMD_TEST_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let name = format!("examd_test_{}", uuid::Uuid::new_v4().simple());
                // No TLS to the local test server: libpq's OpenSSL teardown at process exit raced the
                // pools' threads and crashed the test binary once in a few dozen runs.
                let admin_url = format!("{}/postgres?sslmode=disable", url.trim_end_matches('/'));
                let mut conn = PgConnection::establish(&admin_url).expect("PostgreSQL reachable for tests");
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn).expect("create test database");
                TestDatabase::Postgres { admin_url, name }
            }
            _ => TestDatabase::Sqlite(dir.join("examd.db")),
        }
    }

    pub fn url(&self) -> String {
        match self {
            TestDatabase::Sqlite(path) => path.display().to_string(),
            TestDatabase::Postgres { admin_url, name } => {
                format!("{}/{name}?sslmode=disable", admin_url.trim_end_matches("/postgres?sslmode=disable"))
            }
        }
    }

    /// Makes the database unreachable, as an outage would.
    pub fn destroy(&self) {
        match self {
            TestDatabase::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            TestDatabase::Postgres { admin_url, name } => {
                let mut conn = PgConnection::establish(admin_url).expect("PostgreSQL reachable");
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .expect("drop test database");
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
            }
        }
    }
}

/// Settings a test app runs with; `extra` overrides any of them.
pub fn test_settings(database_url: &str, data_dir: &std::path::Path, extra: &[(&str, &str)]) -> Settings {
    let mut env: Vec<(String, String)> = vec![
        ("EXAMD_BIND".into(), "127.0.0.1:0".into()),
        ("EXAMD_DATABASE_URL".into(), database_url.into()),
        ("EXAMD_DATA_DIR".into(), data_dir.display().to_string()),
        ("EXAMD_JWT_SECRET".into(), JWT_SECRET.into()),
        // Tests lower the argon2 cost through configuration; the server warns that it is below OWASP.
        ("EXAMD_ARGON2_MEMORY_KIB".into(), "64".into()),
        ("EXAMD_ARGON2_ITERATIONS".into(), "1".into()),
        ("EXAMD_ADMIN_EMAIL".into(), ADMIN_EMAIL.into()),
        ("EXAMD_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
        ("EXAMD_DB_POOL_SIZE".into(), "4".into()),
        ("EXAMD_SQLITE_SYNCHRONOUS".into(), "normal".into()),
        ("EXAMD_LOG_LEVEL".into(), "warn".into()),
        // Refusals wait a little longer each time past the third; tests need the rule, not the wait.
        ("EXAMD_FAILURE_DELAY_MS".into(), "1".into()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Settings::load_from(env).expect("test settings")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let dir = std::env::temp_dir().join(format!("examd-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let database = TestDatabase::create(&dir);
    let settings = test_settings(&database.url(), &dir, extra);
    let clock = ManualClock::new(Utc::now());
    let app = Application::build_with_clock(settings, clock.clone()).await.expect("app starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app.metrics_port().map(|port| format!("http://127.0.0.1:{port}"));
    let app_state = app.state().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::builder().timeout(std::time::Duration::from_secs(60)).finish();
    TestApp { address, metrics_address, clock, client, app_state, database, _data_dir: TempDir(dir) }
}

/// A response as the test reads it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        self
    }

    /// Asserts a problem+json answer with this status and code.
    #[track_caller]
    pub fn expect_problem(self, status: u16, code: &str) -> Reply {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        let content_type = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(content_type, "application/problem+json", "body: {}", self.text);
        assert_eq!(self.body["code"], code, "body: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["errors"].is_array() && self.body["type"].is_string() && self.body["title"].is_string());
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') && !path.starts_with("/api") && !["/healthz", "/readyz", "/metrics"].contains(&path) {
            format!("{}/api/v1{path}", self.address)
        } else {
            format!("{}{path}", self.address)
        }
    }

    /// Sends a request with an optional bearer token and raw body.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        self.request(&self.url(path), method, token, content_type, body).await
    }

    /// Sends a request to a full URL (any instance).
    pub async fn request(
        &self,
        url: &str,
        method: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        request_via(&self.client, url, method, token, content_type, body).await
    }

    /// Posts JSON through another client (one bound to another source address).
    pub async fn post_via(&self, client: &awc::Client, path: &str, token: Option<&str>, body: &Value) -> Reply {
        request_via(client, &self.url(path), "POST", token, Some("application/json"), body.to_string().into_bytes())
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("GET", path, token, None, Vec::new()).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.send("POST", path, token, Some("application/json"), body.to_string().into_bytes()).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.send("PUT", path, token, Some("application/json"), body.to_string().into_bytes()).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("DELETE", path, token, None, Vec::new()).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.post("/auth/login", None, &json!({"email": email, "password": password})).await
    }

    pub async fn admin_token(&self) -> String {
        token_of(self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.expect(200))
    }

    /// Creates a staff member with this role and logs them in; returns (user id, token).
    pub async fn staff(&self, role: &str) -> (String, String) {
        let admin = self.admin_token().await;
        let email = format!("{role}-{}@example.com", uuid::Uuid::new_v4().simple());
        let user = self
            .post(
                "/users",
                Some(&admin),
                &json!({"email": email, "password": STAFF_PASSWORD, "role": role, "display_name": role}),
            )
            .await
            .expect(201);
        let token = token_of(self.login(&email, STAFF_PASSWORD).await.expect(200));
        (user.body["id"].as_str().expect("id").to_string(), token)
    }
}

/// A client whose connections come from `ip`: every 127.x.y.z address reaches the test server, so a
/// test can be several machines behind several addresses.
pub fn client_from(ip: &str) -> awc::Client {
    let connector = awc::Connector::new().local_address(ip.parse().expect("an IP address"));
    awc::Client::builder().connector(connector).timeout(std::time::Duration::from_secs(60)).finish()
}

async fn request_via(
    client: &awc::Client,
    url: &str,
    method: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    if let Some(ct) = content_type {
        req = req.insert_header(("Content-Type", ct));
    }
    let mut res = req.send_body(body).await.expect("request sent");
    let bytes = res.body().limit(64 * 1024 * 1024).await.expect("body read");
    let text = String::from_utf8_lossy(&bytes).to_string();
    Reply {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

impl TestApp {
    /// Checks that every closed attempt of the exam has a stored score equal to grading it afresh now:
    /// the stored numbers are the one truth every reader shows. Returns how many were checked.
    pub async fn assert_scores_are_fresh(&self, exam_id: &str) -> usize {
        use examd::domain::score_record::ScoreRecord;
        use examd::store::results::{page, Selection, SortKey};
        let (papers, id) = (self.app_state.papers.clone(), exam_id.to_string());
        self.app_state
            .db
            .run(move |c| {
                let exam = examd::store::exams::get(c, &id)?.expect("exam");
                let stamp = examd::store::papers::stamp(c, &exam.paper_id)?.expect("paper");
                let paper = papers.get(c, &exam.paper_id, stamp)?;
                let mut checked = 0;
                for a in page(c, &id, &Selection::default(), SortKey::Started, false, None, 1_000_000)? {
                    if a.attempt.state == "in_progress" {
                        continue;
                    }
                    let stored: ScoreRecord =
                        serde_json::from_str(a.attempt.score_record.as_deref().expect("a record"))
                            .expect("a record that parses");
                    let fresh = examd::service::grading::compute_score(c, &paper, &exam, &a.attempt.id)?;
                    assert_eq!(stored, ScoreRecord::of(&fresh), "attempt {}", a.attempt.id);
                    assert_eq!((a.attempt.total_points, a.attempt.complete), (Some(stored.total), stored.complete));
                    checked += 1;
                }
                Ok(checked)
            })
            .await
            .expect("scores read")
    }
}

pub fn token_of(reply: Reply) -> String {
    reply.body["access_token"].as_str().expect("access_token").to_string()
}
