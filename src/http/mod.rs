//! HTTP: thin handlers (extract → parse → service → respond), one route table, one error mapping.

pub mod assignments;
pub mod attempts;
pub mod auth;
pub mod exams;
pub mod extract;
pub mod limits;
pub mod mail;
pub mod marking;
pub mod marking_desk;
pub mod middleware;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod papers;
pub mod password;
pub mod results;
pub mod review;
pub mod upload;
pub mod users;

use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::UtoipaApp;

use crate::error::ApiError;

/// Every route of the server but the OpenAPI document itself.
pub fn register<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.service(utoipa_actix_web::scope("/api/v1").configure(configure))
        .service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
}

/// The `/api/v1` route table. Every handler carries `#[utoipa::path]`, so a route cannot exist without
/// its OpenAPI description (registering one without it does not compile).
pub fn configure(cfg: &mut ServiceConfig) {
    // actix tries routes in this order, matching each dynamic path with a regex: the candidates' hot
    // path comes first (autosave alone is most of the traffic), then marking, then everything else.
    cfg.service(attempts::save)
        .service(attempts::get)
        .service(attempts::start)
        .service(attempts::submit)
        .service(attempts::access)
        .service(attempts::exam)
        .service(results::candidate_result)
        .service(marking::claim)
        .service(marking::score)
        .service(marking::release)
        .service(marking_desk::renew)
        .service(marking_desk::correct)
        .service(marking_desk::held)
        .service(marking_desk::my_exams)
        .service(marking_desk::my_marks)
        .service(auth::login)
        .service(auth::me)
        .service(password::change)
        .service(users::create)
        .service(users::list)
        .service(users::update)
        .service(papers::import)
        .service(papers::create)
        .service(papers::list)
        .service(papers::get)
        .service(papers::replace)
        .service(papers::remove)
        .service(papers::publish)
        .service(papers::copy)
        .service(papers::export)
        .service(results::correct_key)
        .service(exams::create)
        .service(exams::list)
        .service(exams::get)
        .service(exams::update)
        .service(exams::invite)
        .service(exams::invitations)
        .service(mail::send)
        .service(mail::remind)
        .service(exams::revoke)
        .service(exams::extra_time)
        .service(exams::markers)
        .service(assignments::list)
        .service(assignments::remove)
        .service(review::read_attempt)
        .service(review::correct_mark)
        .service(review::audit)
        .service(marking::progress)
        .service(marking::adjudications)
        .service(marking::adjudicate)
        .service(results::results_table)
        .service(results::results_csv)
        .service(results::release_results)
        .service(results::exam_statistics)
        .service(results::regrades)
        .service(results::regrade_progress);
}

/// How extractor failures become problems instead of actix's plain-text 400s.
pub fn extractor_config(max_body: usize) -> (web::JsonConfig, web::QueryConfig, web::PathConfig) {
    let json = web::JsonConfig::default().limit(max_body).error_handler(|e, _req: &HttpRequest| json_error(e).into());
    let query = web::QueryConfig::default()
        .error_handler(|e: QueryPayloadError, _req| ApiError::bad_request("bad_query", e.to_string()).into());
    let path = web::PathConfig::default()
        .error_handler(|e: PathError, _req| ApiError::bad_request("bad_path", e.to_string()).into());
    (json, query, path)
}

fn json_error(e: JsonPayloadError) -> ApiError {
    match e {
        JsonPayloadError::Overflow { limit } | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge(limit)
        }
        JsonPayloadError::Payload(e) if limits::is_body_timeout(&e) => ApiError::BodyTimeout,
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("the body must be JSON (Content-Type: application/json)".into())
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::field("body", e.to_string()),
        JsonPayloadError::Deserialize(e) => ApiError::bad_request("malformed_json", format!("malformed JSON: {e}")),
        other => ApiError::bad_request("malformed_json", other.to_string()),
    }
}

/// Unknown routes answer a problem, not an empty 404.
pub async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound("route"))
}

/// Reads a raw body up to `limit` bytes; larger bodies are refused with 413 before they are buffered,
/// and one still incomplete at its deadline ([`limits::body_deadline`]) with 408.
pub async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            e if limits::is_body_timeout(&e) => ApiError::BodyTimeout,
            e => ApiError::bad_request("bad_body", format!("reading the body: {e}")),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
