//! The `examd` binary as an operator uses it: `user add`, `paper import`, then `serve` and log in.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::json;

use crate::helpers::*;

fn examd(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_examd"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EXAMD_ARGON2_MEMORY_KIB", "64")
        .env("EXAMD_ARGON2_ITERATIONS", "1")
        .env("EXAMD_BIND", "127.0.0.1:0")
        .env("EXAMD_LOG_FORMAT", "json");
    cmd
}

#[actix_web::test]
async fn an_operator_adds_a_user_imports_a_paper_and_logs_in() {
    let dir = TempDir(std::env::temp_dir().join(format!("examd-cli-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let mut add = examd(&dir.0)
        .args([
            "user",
            "add",
            "--email",
            "Rita@Example.com",
            "--role",
            "recruiter",
            "--name",
            "Rita",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"a long passphrase\n").unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("created recruiter rita@example.com"));

    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds/001_feb79bb3dd53de14.txt");
    let import = examd(&dir.0)
        .args(["paper", "import", seed.to_str().unwrap(), "--format", "cn-text", "--owner", "rita@example.com"])
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    assert!(String::from_utf8_lossy(&import.stdout).contains("110 points"));

    let short_secret = examd(&dir.0).env("EXAMD_JWT_SECRET", "too short").args(["migrate"]).output().unwrap();
    assert!(!short_secret.status.success());
    assert!(String::from_utf8_lossy(&short_secret.stderr).contains("at least 32 bytes"));

    let mut server = examd(&dir.0).arg("serve").stderr(Stdio::piped()).spawn().unwrap();
    let mut logs = BufReader::new(server.stderr.take().unwrap());
    let mut port = None;
    let mut line = String::new();
    while port.is_none() && logs.read_line(&mut line).unwrap() > 0 {
        if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) {
            port = event["port"].as_u64().filter(|_| event["message"] == "examd listening");
        }
        line.clear();
    }
    let port = port.expect("the server logs its port");
    let client = awc::Client::default();
    let base = format!("http://127.0.0.1:{port}");
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let mut login = client
        .post(format!("{base}/api/v1/auth/login"))
        .send_json(&json!({"email": "rita@example.com", "password": "a long passphrase"}))
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let token = login.json::<serde_json::Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let mut me = client
        .get(format!("{base}/api/v1/me"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<serde_json::Value>().await.unwrap()["role"], "recruiter");
    let mut papers = client
        .get(format!("{base}/api/v1/papers"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(papers.json::<serde_json::Value>().await.unwrap()[0]["total_points"], 110);
    server.kill().unwrap();
    let _ = server.wait();
    let secret = std::fs::metadata(dir.0.join("data/jwt-secret")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(secret.permissions().mode() & 0o777, 0o600);
}
