//! The marking desk's routes beside claim and score: the marker's exams by question, held tasks,
//! lease renewal, the marker's own marks and their correction before release.

use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Marking, Staff};
use crate::error::{ApiError, Problem};
use crate::service::marking::{ScoredTask, TaskView};
use crate::service::marking_desk::{self, Correction, Lease, MarkerExam, MyMarks};
use crate::state::AppState;

/// The exams the caller marks, with what is left in each queue and per question.
#[utoipa::path(
    tag = "marking",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Assigned exams (an admin: all), each with its marked questions", body = [MarkerExam]),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a marker", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/marking/exams")]
pub async fn my_exams(state: web::Data<AppState>, staff: Staff<Marking>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(marking_desk::my_exams(&state, &staff.principal).await?))
}

/// Which tasks to list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TaskFilter {
    /// Must be `true`: the caller's tasks under a live lease (the only listing of tasks a marker has).
    held: Option<bool>,
    /// Only tasks of this exam.
    exam_id: Option<String>,
}

/// The tasks the caller holds under a live lease, oldest claim first, as the claim returned them (a
/// closed tab loses nothing: the marker continues with these).
#[utoipa::path(
    tag = "marking",
    security(("bearer" = [])),
    params(TaskFilter),
    responses(
        (status = 200, description = "Held tasks; nothing identifies the candidate", body = [TaskView]),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a marker", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`held=true` missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/marking/tasks")]
pub async fn held(
    state: web::Data<AppState>,
    staff: Staff<Marking>,
    filter: web::Query<TaskFilter>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.into_inner();
    if filter.held != Some(true) {
        return Err(ApiError::field("held", "list the tasks you hold with held=true"));
    }
    Ok(HttpResponse::Ok().json(marking_desk::held(&state, &staff.principal, filter.exam_id).await?))
}

/// The claim whose lease to renew.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewLease {
    /// The fence of the claim.
    fence: i64,
}

/// Renew the lease of a task the caller holds: it then ends one lease length from now. The fence
/// stays the same.
#[utoipa::path(
    tag = "marking",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    request_body = RenewLease,
    responses(
        (status = 200, description = "Renewed", body = Lease),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a marker", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task of an exam the caller marks", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`lease_lost`: the lease ran out, or the task was claimed again, given back or scored", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No fence", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/marking/tasks/{id}/renew")]
pub async fn renew(
    state: web::Data<AppState>,
    staff: Staff<Marking>,
    id: web::Path<String>,
    body: web::Json<RenewLease>,
) -> Result<HttpResponse, ApiError> {
    let lease = marking_desk::renew(&state, &staff.principal, id.into_inner(), body.fence).await?;
    Ok(HttpResponse::Ok().json(lease))
}

/// Correct a mark the caller gave, while the exam's results are not released. Audited with the old
/// and new points; the attempt's total follows.
#[utoipa::path(
    tag = "marking",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Task id")),
    request_body = Correction,
    responses(
        (status = 200, description = "Corrected", body = ScoredTask),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a marker", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No task the caller scored in an exam they mark", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`results_released`: only a recruiter's regrade changes marks now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Points outside 0..max or off the step; comment too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/marking/tasks/{id}/score")]
pub async fn correct(
    state: web::Data<AppState>,
    staff: Staff<Marking>,
    id: web::Path<String>,
    body: web::Json<Correction>,
) -> Result<HttpResponse, ApiError> {
    let corrected = marking_desk::correct(&state, &staff.principal, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(corrected))
}

/// The marks the caller gave in an exam they mark, most recent first (never another marker's).
#[utoipa::path(
    tag = "marking",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Exam id")),
    responses(
        (status = 200, description = "The caller's marks, and whether they can still be corrected", body = MyMarks),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a marker", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such exam assigned to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/marking/exams/{id}/marks")]
pub async fn my_marks(
    state: web::Data<AppState>,
    staff: Staff<Marking>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(marking_desk::my_marks(&state, &staff.principal, id.into_inner()).await?))
}
