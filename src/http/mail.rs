//! Mailing candidates (recruiter): send or resend invitations, remind those who have not started.

use actix_web::{post, web, HttpResponse};

use super::extract::{Recruiting, Staff};
use crate::error::{ApiError, Problem};
use crate::service::mail::{self, SendRequest, SendSummary};
use crate::state::AppState;

/// Mail invitations: the chosen ones (a resend), or every one not started whose mail was never sent or
/// failed. Each mailed invitation gets a fresh code; the old one stops working.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    request_body(content = SendRequest, description = "Leave `invitation_ids` out (or send `{}`) for all unsent"),
    responses(
        (status = 202, description = "Queued; the sender delivers them", body = SendSummary),
        (status = 404, description = "No such exam of yours", body = Problem),
        (status = 409, description = "This server has no smtp_url", body = Problem),
        (status = 422, description = "An invitation of another exam, or none named", body = Problem),
    )
)]
#[post("/exams/{id}/invitations/send")]
pub async fn send(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    body: web::Json<SendRequest>,
) -> Result<HttpResponse, ApiError> {
    let summary = mail::send(&state, &staff.principal, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Accepted().json(summary))
}

/// Remind candidates who have not started and were mailed before; each reminder carries a fresh code.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    responses(
        (status = 202, description = "Reminders queued", body = SendSummary),
        (status = 404, description = "No such exam of yours", body = Problem),
        (status = 409, description = "This server has no smtp_url, or the exam has closed", body = Problem),
    )
)]
#[post("/exams/{id}/reminders")]
pub async fn remind(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Accepted().json(mail::remind(&state, &staff.principal, id.into_inner()).await?))
}
