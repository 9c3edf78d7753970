//! A recruiter's look into one attempt, their correction of a mark, and an exam's audit trail.

use actix_web::{get, put, web, HttpResponse};

use super::extract::{Recruiting, Staff};
use crate::error::{ApiError, Problem};
use crate::service::attempt_review::{self, AttemptReview, MarkCorrected, MarkCorrection};
use crate::service::exam_audit::{self, AuditPage, AuditQuery};
use crate::state::AppState;

/// Read one attempt whole: the candidate, every question with the answer saved (and when), its
/// points, every mark with the marker's name and comment, and the attempt's audit events.
#[utoipa::path(
    tag = "results",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id"), ("attempt" = String, Path, description = "Attempt id")),
    responses(
        (status = 200, description = "The attempt", body = AttemptReview),
        (status = 404, description = "No such exam of yours, or no such attempt in it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exams/{id}/attempts/{attempt}")]
pub async fn read_attempt(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (exam, attempt_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(attempt_review::read(&state, &staff.principal, exam, attempt_id).await?))
}

/// Correct the settled mark of an open answer, with a reason. Stored as the recruiter's mark (round
/// 3, which counts over the markers'), audited as `attempt.mark_correct`, and the attempt regraded;
/// allowed after release, when only a recruiter changes points.
#[utoipa::path(
    tag = "results",
    security(("bearer" = ["admin", "recruiter"])),
    params(
        ("id" = String, Path, description = "Exam id"),
        ("attempt" = String, Path, description = "Attempt id"),
        ("question" = String, Path, description = "Question key"),
    ),
    request_body = MarkCorrection,
    responses(
        (status = 200, description = "The points and the attempt's total before and after", body = MarkCorrected),
        (status = 404, description = "No such exam of yours, attempt or question", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`mark_not_settled`: no settled mark to correct yet", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Points off the question's step or range, or no reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/exams/{id}/attempts/{attempt}/marks/{question}")]
pub async fn correct_mark(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    path: web::Path<(String, String, String)>,
    body: web::Json<MarkCorrection>,
) -> Result<HttpResponse, ApiError> {
    let (exam, attempt, question) = path.into_inner();
    let done = attempt_review::correct(&state, &staff.principal, exam, attempt, question, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(done))
}

/// An exam's audit trail, oldest first: the exam's, its invitations', attempts' and marks' events.
#[utoipa::path(
    tag = "results",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id"), AuditQuery),
    responses(
        (status = 200, description = "One page of events", body = AuditPage),
        (status = 400, description = "A cursor this trail did not give", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such exam of yours, or no such attempt in it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Limit out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exams/{id}/audit")]
pub async fn audit(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(exam_audit::page(&state, &staff.principal, id.into_inner(), query.into_inner()).await?))
}
