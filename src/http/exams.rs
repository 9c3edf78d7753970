//! Exams, invitations, markers (recruiter).

use actix_web::{get, patch, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{Recruiting, Staff};
use crate::error::{ApiError, Problem};
use crate::service::exams::{self, ExamChange, ExamView, NewExam};
use crate::service::invitations as invites;
use crate::service::invitations::{InvitationView, Invitee, IssuedInvitation};
use crate::state::AppState;

/// Create an exam from a published paper.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    request_body = NewExam,
    responses(
        (status = 201, description = "Created", body = ExamView),
        (status = 422, description = "Invalid window, timing or paper", body = Problem),
    )
)]
#[post("/exams")]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    body: web::Json<NewExam>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(exams::create(&state, &staff.principal, body.into_inner()).await?))
}

/// List the caller's exams.
#[utoipa::path(tag = "exams", security(("bearer" = ["admin", "recruiter"])), responses((status = 200, description = "Exams", body = [ExamView])))]
#[get("/exams")]
pub async fn list(state: web::Data<AppState>, staff: Staff<Recruiting>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(exams::list(&state, &staff.principal).await?))
}

/// Read an exam.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    responses((status = 200, description = "The exam", body = ExamView), (status = 404, description = "No such exam of yours", body = Problem))
)]
#[get("/exams/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(exams::get(&state, &staff.principal, id.into_inner()).await?))
}

/// Change the window or timing; attempts in progress get their deadlines recomputed.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    request_body = ExamChange,
    responses((status = 200, description = "The exam", body = ExamView), (status = 422, description = "Invalid timing", body = Problem))
)]
#[patch("/exams/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    body: web::Json<ExamChange>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(exams::update(&state, &staff.principal, id.into_inner(), body.into_inner()).await?))
}

/// Candidates to invite.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// One entry per candidate.
    candidates: Vec<Invitee>,
    /// Mail each candidate their start link and code (needs `smtp_url`; 409 `mail_not_configured`
    /// without it). Default false.
    #[serde(default)]
    send_email: bool,
}

/// Issued invitations; the codes are shown only here.
#[derive(Serialize, ToSchema)]
pub struct InviteResponse {
    /// One per candidate, in request order.
    invitations: Vec<IssuedInvitation>,
}

/// Invite candidates; each gets a one-time-shown access code.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Invitations with their codes", body = InviteResponse),
        (status = 409, description = "Mail asked for, but this server has no smtp_url", body = Problem),
        (status = 422, description = "Invalid candidates", body = Problem),
    )
)]
#[post("/exams/{id}/invitations")]
pub async fn invite(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    body: web::Json<InviteRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let issued = invites::invite(&state, &staff.principal, id.into_inner(), body.candidates, body.send_email).await?;
    Ok(HttpResponse::Created().json(InviteResponse { invitations: issued }))
}

/// Filters of the invitation list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvitationFilter {
    /// Only invitations whose mail is `not_sent`, `queued`, `sent` or `failed`.
    email_status: Option<String>,
}

/// List invitations with their status and their mail's.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id"), InvitationFilter),
    responses(
        (status = 200, description = "Invitations", body = [InvitationView]),
        (status = 400, description = "Unknown email_status", body = Problem),
    )
)]
#[get("/exams/{id}/invitations")]
pub async fn invitations(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    filter: web::Query<InvitationFilter>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.into_inner().email_status;
    Ok(HttpResponse::Ok().json(invites::invitations(&state, &staff.principal, id.into_inner(), filter).await?))
}

/// Revoke an invitation: its code and token stop working.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id"), ("invitation" = String, Path, description = "Invitation id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such invitation", body = Problem))
)]
#[post("/exams/{id}/invitations/{invitation}/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (exam, invitation) = path.into_inner();
    invites::revoke(&state, &staff.principal, exam, invitation).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Extra time for one candidate.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraTime {
    /// Seconds added to the duration (the window still caps the deadline).
    extra_seconds: i64,
}

/// Grant a candidate extra time; an attempt in progress gets its deadline moved.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id"), ("invitation" = String, Path, description = "Invitation id")),
    request_body = ExtraTime,
    responses((status = 204, description = "Granted"), (status = 422, description = "Invalid amount", body = Problem))
)]
#[put("/exams/{id}/invitations/{invitation}/extra-time")]
pub async fn extra_time(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    path: web::Path<(String, String)>,
    body: web::Json<ExtraTime>,
) -> Result<HttpResponse, ApiError> {
    let (exam, invitation) = path.into_inner();
    invites::set_extra_time(&state, &staff.principal, exam, invitation, body.extra_seconds).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Markers to assign.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignMarkers {
    /// Staff user ids with the marker role.
    user_ids: Vec<String>,
}

/// The exam's markers.
#[derive(Serialize, ToSchema)]
pub struct MarkerList {
    /// User ids.
    user_ids: Vec<String>,
}

/// Assign markers to an exam.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    request_body = AssignMarkers,
    responses((status = 200, description = "All markers of the exam", body = MarkerList), (status = 422, description = "Unknown user or not a marker", body = Problem))
)]
#[post("/exams/{id}/markers")]
pub async fn markers(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    body: web::Json<AssignMarkers>,
) -> Result<HttpResponse, ApiError> {
    let user_ids = exams::assign_markers(&state, &staff.principal, id.into_inner(), body.into_inner().user_ids).await?;
    Ok(HttpResponse::Ok().json(MarkerList { user_ids }))
}
