//! The candidate's path: code → token → attempt → answers → submit.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{client_address, Candidate};
use crate::error::{ApiError, Problem};
use crate::service::access::AccessOutcome;
use crate::service::attempts::{self, SaveAnswer, SavedAnswer};
use crate::service::candidate_view::AttemptView;
use crate::service::exam_intro::{self, ExamIntro};
use crate::state::AppState;

/// An access code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    /// The code from the invitation.
    code: String,
}

/// Exchange an invitation's access code for a candidate token.
#[utoipa::path(
    tag = "candidates",
    request_body = AccessRequest,
    responses(
        (status = 200, description = "Token scoped to this candidate and exam", body = AccessOutcome),
        (status = 401, description = "Unknown or revoked code", body = Problem),
        (status = 409, description = "The exam has closed", body = Problem),
        (status = 429, description = "Too many wrong codes from this address", body = Problem),
    )
)]
#[post("/auth/access")]
pub async fn access(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<AccessRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(crate::service::access::access(&state, &body.code, &client_address(&req)).await?))
}

/// The caller's exam before (and after) starting: title, instructions, duration, window, sections with
/// their question counts, points and scoring rules, and the caller's attempt if there is one. Reading it
/// starts nothing: the clock starts with `POST /attempts`.
#[utoipa::path(
    tag = "candidates",
    security(("candidate" = [])),
    responses(
        (status = 200, description = "The exam and where the caller stands", body = ExamIntro),
        (status = 401, description = "No valid candidate token, or the invitation was revoked", body = Problem),
    )
)]
#[get("/exam")]
pub async fn exam(state: web::Data<AppState>, candidate: Candidate) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(exam_intro::intro(&state, &candidate.0).await?))
}

/// Start the caller's attempt, or resume the one in progress.
#[utoipa::path(
    tag = "candidates",
    security(("candidate" = [])),
    responses(
        (status = 201, description = "Started", body = AttemptView),
        (status = 200, description = "The existing attempt", body = AttemptView),
        (status = 409, description = "The exam is not open", body = Problem),
    )
)]
#[post("/attempts")]
pub async fn start(state: web::Data<AppState>, candidate: Candidate) -> Result<HttpResponse, ApiError> {
    let (view, created) = attempts::start(&state, &candidate.0).await?;
    Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(view))
}

/// The caller's attempt: state, saved answers, remaining time.
#[utoipa::path(
    tag = "candidates",
    security(("candidate" = [])),
    params(("id" = String, Path, description = "Attempt id")),
    responses((status = 200, description = "The attempt", body = AttemptView), (status = 404, description = "Not your attempt", body = Problem))
)]
#[get("/attempts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    candidate: Candidate,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(attempts::get(&state, &candidate.0, id.into_inner()).await?))
}

/// Save one answer.
#[utoipa::path(
    tag = "candidates",
    security(("candidate" = [])),
    params(("id" = String, Path, description = "Attempt id"), ("question" = String, Path, description = "Question key")),
    request_body = SaveAnswer,
    responses(
        (status = 200, description = "Saved", body = SavedAnswer),
        (status = 409, description = "Attempt closed (`attempt_closed`) or a newer save is stored (`stale_seq`)", body = Problem),
        (status = 422, description = "The answer does not fit the question", body = Problem),
    )
)]
#[put("/attempts/{id}/answers/{question}")]
pub async fn save(
    state: web::Data<AppState>,
    candidate: Candidate,
    path: web::Path<(String, String)>,
    body: web::Json<SaveAnswer>,
) -> Result<HttpResponse, ApiError> {
    let (attempt, question) = path.into_inner();
    Ok(HttpResponse::Ok().json(attempts::save(&state, &candidate.0, attempt, question, body.into_inner()).await?))
}

/// Hand the attempt in (idempotent).
#[utoipa::path(
    tag = "candidates",
    security(("candidate" = [])),
    params(("id" = String, Path, description = "Attempt id")),
    responses((status = 200, description = "The closed attempt", body = AttemptView))
)]
#[post("/attempts/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    candidate: Candidate,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(attempts::submit(&state, &candidate.0, id.into_inner()).await?))
}
