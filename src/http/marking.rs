//! Marking: the marker's queue (claim, score, release) and the recruiter's view of it (progress,
//! adjudication).

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{Marking, Recruiting, Staff};
use super::read_body;
use crate::error::{ApiError, Problem};
use crate::service::adjudication::{self, Adjudicated, Adjudication, MarkingProgress, Settle};
use crate::service::marking::{self, ClaimRequest, ScoreRequest, ScoredTask, TaskView};
use crate::state::AppState;

/// Claim the next answer to mark of an exam assigned to the caller.
#[utoipa::path(
    tag = "marking",
    security(("bearer" = ["admin", "marker"])),
    request_body = ClaimRequest,
    responses(
        (status = 200, description = "A task under a lease; nothing identifies the candidate", body = TaskView),
        (status = 204, description = "Nothing left to mark for the caller"),
        (status = 404, description = "No such exam assigned to the caller", body = Problem),
        (status = 422, description = "No such marked question", body = Problem),
    )
)]
#[post("/marking/claim")]
pub async fn claim(
    state: web::Data<AppState>,
    staff: Staff<Marking>,
    body: web::Json<ClaimRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(match marking::claim(&state, &staff.principal, body.into_inner()).await? {
        Some(task) => HttpResponse::Ok().json(task),
        None => HttpResponse::NoContent().finish(),
    })
}

/// Score a task the caller holds.
#[utoipa::path(
    tag = "marking",
    security(("bearer" = ["admin", "marker"])),
    params(("id" = String, Path, description = "Task id")),
    request_body = ScoreRequest,
    responses(
        (status = 200, description = "Scored", body = ScoredTask),
        (status = 404, description = "No such task of an exam the caller marks", body = Problem),
        (status = 409, description = "`lease_lost`: the lease ran out, or the task was claimed again or scored", body = Problem),
        (status = 422, description = "Points outside 0..max or off the step", body = Problem),
    )
)]
#[post("/marking/tasks/{id}/score")]
pub async fn score(
    state: web::Data<AppState>,
    staff: Staff<Marking>,
    id: web::Path<String>,
    body: web::Json<ScoreRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(marking::score(&state, &staff.principal, id.into_inner(), body.into_inner()).await?))
}

/// Which claim to give back.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseTask {
    /// The fence of the claim (optional: without it, whatever claim the caller holds).
    fence: Option<i64>,
}

/// Give a task back to the queue. The body `{fence}` is optional.
#[utoipa::path(
    tag = "marking",
    security(("bearer" = ["admin", "marker"])),
    params(("id" = String, Path, description = "Task id")),
    request_body(content = Option<ReleaseTask>, description = "Optional: the claim's fence"),
    responses(
        (status = 204, description = "Back in the queue"),
        (status = 404, description = "No such task of an exam the caller marks", body = Problem),
        (status = 409, description = "`lease_lost`: the caller does not hold it", body = Problem),
    )
)]
#[post("/marking/tasks/{id}/release")]
pub async fn release(
    state: web::Data<AppState>,
    staff: Staff<Marking>,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(body, 1024).await?;
    let fence = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let parsed: ReleaseTask = serde_json::from_slice(&body).map_err(|e| {
            if e.is_data() {
                ApiError::field("body", e.to_string())
            } else {
                ApiError::bad_request("malformed_json", format!("malformed JSON: {e}"))
            }
        })?;
        parsed.fence
    };
    marking::release(&state, &staff.principal, id.into_inner(), fence).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marking progress of an exam: open, claimed and done per question.
#[utoipa::path(
    tag = "marking",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    responses(
        (status = 200, description = "Counts per question", body = MarkingProgress),
        (status = 404, description = "No such exam of yours", body = Problem),
    )
)]
#[get("/exams/{id}/marking")]
pub async fn progress(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(adjudication::progress(&state, &staff.principal, id.into_inner()).await?))
}

/// Answers whose two marks are further apart than the tolerance.
#[utoipa::path(
    tag = "marking",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    responses(
        (status = 200, description = "Answers waiting for the recruiter, with both marks", body = [Adjudication]),
        (status = 404, description = "No such exam of yours", body = Problem),
    )
)]
#[get("/exams/{id}/adjudications")]
pub async fn adjudications(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(adjudication::list(&state, &staff.principal, id.into_inner()).await?))
}

/// Settle an answer waiting for adjudication.
#[utoipa::path(
    tag = "marking",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    request_body = Settle,
    responses(
        (status = 200, description = "Settled; the attempt's new total", body = Adjudicated),
        (status = 404, description = "No such exam, attempt or question", body = Problem),
        (status = 409, description = "`not_adjudicable`: the answer is not waiting for adjudication", body = Problem),
        (status = 422, description = "Points outside 0..max or off the step", body = Problem),
    )
)]
#[post("/exams/{id}/adjudications")]
pub async fn adjudicate(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    body: web::Json<Settle>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(adjudication::settle(&state, &staff.principal, id.into_inner(), body.into_inner()).await?))
}
