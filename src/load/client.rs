//! The load tool's HTTP client: awc on the current thread, at most `connections` requests in flight.
//! Every request of a run goes through [`Http::call`], which takes a slot, times the request and sorts
//! a failure into a short kind for the report.

use std::rc::Rc;
use std::time::{Duration, Instant};

use awc::http::Method;
use serde_json::Value;
use tokio::sync::Semaphore;

/// Largest response body read (an invitation batch of thousands of codes is the biggest).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// A shared client with a bounded number of requests in flight.
#[derive(Clone)]
pub struct Http {
    client: awc::Client,
    slots: Rc<Semaphore>,
}

/// A request to send.
pub struct Request<'a> {
    method: Method,
    url: String,
    token: Option<&'a str>,
    body: Body,
}

enum Body {
    None,
    Json(Value),
    Text(&'static str),
}

impl<'a> Request<'a> {
    /// `GET url`.
    pub fn get(url: String) -> Request<'a> {
        Request { method: Method::GET, url, token: None, body: Body::None }
    }

    /// `POST url` with a JSON body.
    pub fn post(url: String, body: Value) -> Request<'a> {
        Request { method: Method::POST, url, token: None, body: Body::Json(body) }
    }

    /// `PUT url` with a JSON body.
    pub fn put(url: String, body: Value) -> Request<'a> {
        Request { method: Method::PUT, url, token: None, body: Body::Json(body) }
    }

    /// `POST url` with a plain-text body (a paper file).
    pub fn post_text(url: String, text: &'static str) -> Request<'a> {
        Request { method: Method::POST, url, token: None, body: Body::Text(text) }
    }

    /// Adds a bearer token.
    pub fn bearer(mut self, token: &'a str) -> Request<'a> {
        self.token = Some(token);
        self
    }
}

/// A 2xx answer.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Body (empty for 204).
    pub body: actix_web::web::Bytes,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| format!("unreadable JSON answer: {e}"))
    }
}

/// A request that did not get a 2xx: its kind for the report, and its status when the server answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `<status> <problem code>` or `transport: <error>`.
    pub kind: String,
    /// The HTTP status, if any came back.
    pub status: Option<u16>,
    /// The problem's `detail`, for setup errors shown to the operator.
    pub detail: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.detail.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.kind, self.detail)
        }
    }
}

/// A timed request: its outcome and the latency (from the intended time when one was given).
pub type Timed = (Result<Answer, Failure>, Duration);

impl Http {
    /// A client opening at most `connections` connections, each request failing after `timeout`.
    pub fn new(connections: usize, timeout: Duration) -> Http {
        let connections = connections.max(1);
        let connector = awc::Connector::new().limit(connections).timeout(timeout);
        let client = awc::Client::builder().connector(connector).timeout(timeout).finish();
        Http { client, slots: Rc::new(Semaphore::new(connections)) }
    }

    /// Sends a request once a slot is free. The latency runs from `intended` when given (open loop:
    /// waiting for a slot counts) and from the moment the slot was taken otherwise (closed loop).
    pub async fn call(&self, req: Request<'_>, intended: Option<Instant>) -> Timed {
        let Ok(_slot) = self.slots.acquire().await else {
            return (Err(failure("client: closed", None, String::new())), Duration::ZERO);
        };
        let began = intended.unwrap_or_else(Instant::now);
        let outcome = self.send(req).await;
        (outcome, super::schedule::latency_since(began, Instant::now()))
    }

    async fn send(&self, req: Request<'_>) -> Result<Answer, Failure> {
        let mut builder = self.client.request(req.method, &req.url);
        if let Some(token) = req.token {
            builder = builder.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let sent = match req.body {
            Body::None => builder.send().await,
            Body::Json(v) => builder.send_json(&v).await,
            Body::Text(t) => builder.insert_header(("Content-Type", "text/plain; charset=utf-8")).send_body(t).await,
        };
        let mut res = sent.map_err(|e| failure(&transport_kind(&e), None, e.to_string()))?;
        let status = res.status().as_u16();
        let body =
            res.body().limit(MAX_BODY).await.map_err(|e| failure("transport: body", Some(status), e.to_string()))?;
        if (200..300).contains(&status) {
            return Ok(Answer { status, body });
        }
        // A problem+json answer names its `code`; anything else is known by its status alone.
        let problem: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let kind = match problem["code"].as_str() {
            Some(code) => format!("{status} {code}"),
            None => status.to_string(),
        };
        let detail = problem["detail"].as_str().unwrap_or_default().to_string();
        Err(failure(&kind, Some(status), detail))
    }
}

fn failure(kind: &str, status: Option<u16>, detail: String) -> Failure {
    Failure { kind: kind.to_string(), status, detail }
}

/// Few, stable kinds: the report counts them, so the OS error text (with addresses) must not split them.
fn transport_kind(e: &awc::error::SendRequestError) -> String {
    use awc::error::{ConnectError, SendRequestError as E};
    match e {
        E::Timeout => "transport: timeout".into(),
        E::Connect(ConnectError::Timeout) => "transport: connect timeout".into(),
        E::Connect(ConnectError::Io(io)) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "transport: connection refused".into()
        }
        E::Connect(_) => "transport: connect".into(),
        E::Send(io) => format!("transport: send: {:?}", io.kind()),
        E::Response(_) => "transport: bad response".into(),
        _ => "transport: other".into(),
    }
}
