//! Per-request span with a request id (returned in `x-request-id`), and Prometheus counters.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};
use tracing::Instrument;

/// The request id header, taken from the client when it sends a sane one.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The server's metrics.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    /// Registers the request metrics.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route, method and status"),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route and method")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["route", "method"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Metrics { registry, requests, latency })
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        String::from_utf8(buf).unwrap_or_default()
    }

    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.latency.with_label_values(&[route, method]).observe(seconds);
    }
}

/// The method as a metric label: the standard methods by name, anything else as `other`. actix
/// accepts any token as a method, and each distinct one made new series (200 made-up methods grew
/// `/metrics` by 259 KB).
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
    }
}

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Wraps every request: span, request id, metrics, access log line.
pub async fn observe(
    metrics: Metrics,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    let method = method_label(req.method());
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.path(), status = tracing::field::Empty);
    let start = Instant::now();
    async move {
        let mut res = next.call(req).await?;
        // The route pattern, never the raw path: ids would explode the metric's cardinality. Patterns
        // come from the route table, so they are bounded; every unmatched path is one value.
        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
        let status = res.status().as_u16();
        let seconds = start.elapsed().as_secs_f64();
        metrics.observe(&route, method, status, seconds);
        tracing::Span::current().record("status", status);
        tracing::info!(route = %route, status, latency_ms = seconds * 1000.0, "request");
        if let Ok(v) = HeaderValue::from_str(&id) {
            res.headers_mut().insert(REQUEST_ID, v);
        }
        Ok(res)
    }
    .instrument(span)
    .await
}
