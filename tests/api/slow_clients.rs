//! Issue 11, finding 3: slow bodies are cut off at their deadline, one address cannot hold more than its
//! share of connections, and everyone else keeps being served meanwhile. Slow clients connect from
//! 127.0.0.2 (all of 127.0.0.0/8 is loopback on Linux), the well-behaved ones from 127.0.0.1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::helpers::*;

const BODY_TIMEOUT_MS: u64 = 600;
const CAP: usize = 10;

fn server(app: &TestApp) -> SocketAddr {
    app.address.trim_start_matches("http://").parse().unwrap()
}

/// A connection to the app from `source` (an address of the loopback network).
fn connect_from(source: &str, to: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&format!("{source}:0").parse::<SocketAddr>().unwrap().into()).unwrap();
    socket.connect(&to.into()).unwrap();
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream
}

/// Headers promising 100 bytes of body, then one byte.
fn send_slow(stream: &mut TcpStream, path: &str, token: Option<&str>, content_type: &str) {
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: {content_type}\r\nContent-Length: 100\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).unwrap();
}

/// Everything the server sends until it closes the connection (or the read times out).
fn read_all(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[actix_web::test]
async fn slow_bodies_are_cut_off_and_one_address_cannot_hold_every_connection() {
    let timeout = BODY_TIMEOUT_MS.to_string();
    let cap = CAP.to_string();
    let app = spawn_app_with(&[("EXAMD_BODY_READ_TIMEOUT_MS", &timeout), ("EXAMD_MAX_CONNECTIONS_PER_IP", &cap)]).await;
    let (_, recruiter) = app.staff("recruiter").await;
    let to = server(&app);

    // A JSON body (actix's extractor) and a raw one (`read_body`, imports and YAML) are both cut off.
    // One connection more than the cap: which one is refused depends on which worker takes which.
    let opened = Instant::now();
    let mut slow = Vec::new();
    for i in 0..=CAP {
        let mut stream = connect_from("127.0.0.2", to);
        if i % 2 == 0 {
            send_slow(&mut stream, "/api/v1/auth/login", None, "application/json");
        } else {
            send_slow(&mut stream, "/api/v1/papers", Some(&recruiter), "application/yaml");
        }
        slow.push(stream);
    }

    // Meanwhile other clients are served.
    let started = Instant::now();
    app.get("/healthz", None).await.expect(200);
    assert!(started.elapsed() < Duration::from_secs(1), "healthz took {:?}", started.elapsed());
    app.post("/auth/login", None, &serde_json::json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .await
        .expect(200);

    // The one over the cap was answered 503 at once; every other slow client gets a 408 problem at
    // the deadline, and its connection is closed.
    let (mut refused, mut timed_out) = (0, 0);
    for mut stream in slow {
        let reply = read_all(&mut stream);
        if reply.starts_with("HTTP/1.1 503") {
            refused += 1;
            continue;
        }
        assert!(reply.starts_with("HTTP/1.1 408"), "slow body answered: {reply}");
        assert!(reply.contains("application/problem+json") && reply.contains("body_timeout"), "{reply}");
        timed_out += 1;
    }
    assert_eq!((refused, timed_out), (1, CAP), "one refused over the cap, the others cut off at the deadline");
    let elapsed = opened.elapsed();
    assert!(elapsed >= Duration::from_millis(BODY_TIMEOUT_MS), "cut off before the deadline: {elapsed:?}");
    assert!(elapsed < Duration::from_millis(BODY_TIMEOUT_MS + 3000), "cut off late: {elapsed:?}");

    // The closed connections gave their slots back: the address is served again.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let mut stream = connect_from("127.0.0.2", to);
        let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        let reply = read_all(&mut stream);
        if reply.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "the address was not admitted again: {reply}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn a_slow_chunked_body_is_cut_off_too() {
    let timeout = BODY_TIMEOUT_MS.to_string();
    let app = spawn_app_with(&[("EXAMD_BODY_READ_TIMEOUT_MS", &timeout)]).await;
    // The server starts on this thread's runtime; the blocking reads below would stall it otherwise.
    app.get("/healthz", None).await.expect(200);
    let to = server(&app);
    // A route that reads the body, and one that answers without reading it (its body is then drained).
    for path in ["/api/v1/auth/login", "/healthz"] {
        let mut stream = connect_from("127.0.0.2", to);
        let method = if path == "/healthz" { "GET" } else { "POST" };
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{{\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let opened = Instant::now();
        let reply = read_all(&mut stream);
        assert!(reply.starts_with("HTTP/1.1 408") || reply.starts_with("HTTP/1.1 200"), "{path}: {reply}");
        assert!(opened.elapsed() < Duration::from_millis(BODY_TIMEOUT_MS + 3000), "{path} held {:?}", opened.elapsed());
    }
}
