//! Operations: liveness, readiness, Prometheus metrics, the OpenAPI document.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::middleware::Metrics;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A health answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "ops", responses((status = 200, description = "Up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(
    tag = "ops",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Database unreachable", body = Problem),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if state.db.ready().await {
        Ok(HttpResponse::Ok().json(Health { status: "ok" }))
    } else {
        Err(ApiError::Unavailable("database not reachable".into()))
    }
}

/// Who may read `/metrics` on a listener.
#[derive(Clone, Debug)]
pub struct MetricsAccess {
    /// Whether this listener serves `/metrics` (not the API's when `metrics_bind` names another).
    pub served_here: bool,
    /// SHA-256 of the bearer token required (`metrics_token`), or `None` when open.
    pub token_digest: Option<[u8; 32]>,
}

impl MetricsAccess {
    /// From the settings: `metrics_token` (empty: open).
    pub fn new(served_here: bool, token: &str) -> MetricsAccess {
        let token_digest = (!token.is_empty()).then(|| digest(token));
        MetricsAccess { served_here, token_digest }
    }
}

// Compared as digests: equal-length values whose comparison time says nothing about the token.
fn digest(token: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).into()
}

/// Request counts and latency by route and status, in Prometheus text format. With `metrics_token`
/// set it requires `Authorization: Bearer <metrics_token>`; with `metrics_bind` set it is served only
/// there (404 on the API's listener).
#[utoipa::path(
    tag = "ops",
    security((), ("metrics" = [])),
    responses(
        (status = 200, description = "Prometheus text", content_type = "text/plain"),
        (status = 401, description = "`metrics_token` is set and the request does not carry it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Served on `metrics_bind` instead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics(
    req: actix_web::HttpRequest,
    metrics: web::Data<Metrics>,
    access: web::Data<MetricsAccess>,
) -> Result<HttpResponse, ApiError> {
    if !access.served_here {
        return Err(ApiError::NotFound("route"));
    }
    if let Some(expected) = &access.token_digest {
        let given =
            super::extract::bearer(&req).map_err(|_| ApiError::Unauthorized("the metrics token is required".into()))?;
        if digest(given) != *expected {
            return Err(ApiError::Unauthorized("wrong metrics token".into()));
        }
    }
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(metrics.render()))
}
