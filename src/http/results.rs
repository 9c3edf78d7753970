//! Results: the recruiter's table and CSV, statistics, release, key corrections; the candidate's result.

use actix_web::{get, post, put, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::{Candidate, Recruiting, Staff};
use crate::error::{ApiError, Problem};
use crate::service::exams::ExamView;
use crate::service::regrade::{self, ChangedTotal, KeyCorrection, RegradeView};
use crate::service::release::{self, CandidateResult};
use crate::service::results::{self, ResultsFilter, ResultsTable};
use crate::service::statistics::{self, ExamStatistics};
use crate::state::AppState;

/// The results table of an exam.
#[utoipa::path(
    tag = "results",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id"), ResultsFilter),
    responses(
        (status = 200, description = "One row per attempt", body = ResultsTable),
        (status = 404, description = "No such exam of yours", body = Problem),
        (status = 422, description = "Unknown state filter", body = Problem),
    )
)]
#[get("/exams/{id}/results")]
pub async fn results_table(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    filter: web::Query<ResultsFilter>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(results::table(&state, &staff.principal, id.into_inner(), filter.into_inner()).await?))
}

/// The results table as CSV: e-mail, name, state, complete, automatic, marked and total points, then
/// one column per section and per question, headed in the paper's language with each maximum; without
/// a filter, invited candidates who never started close it (`not_started`). The file is named after
/// the exam's title and date (`filename*`, UTF-8).
#[utoipa::path(
    tag = "results",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id"), ResultsFilter),
    responses(
        (status = 200, description = "CSV, UTF-8 with a byte-order mark", body = String, content_type = "text/csv"),
        (status = 404, description = "No such exam of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exams/{id}/results.csv")]
pub async fn results_csv(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    filter: web::Query<ResultsFilter>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (disposition, rows) = results::csv(&state, &staff.principal, id, filter.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", disposition))
        .streaming(rows))
}

/// Release results to candidates (once the window has closed and every attempt is graded).
#[utoipa::path(
    tag = "results",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    responses(
        (status = 200, description = "The exam with `released_at`", body = ExamView),
        (status = 404, description = "No such exam of yours", body = Problem),
        (status = 409, description = "`exam_not_closed` or `marking_incomplete`", body = Problem),
    )
)]
#[post("/exams/{id}/release")]
pub async fn release_results(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(release::release(&state, &staff.principal, id.into_inner()).await?))
}

/// Per-question statistics over graded attempts: mean, facility, discrimination.
#[utoipa::path(
    tag = "results",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    responses(
        (status = 200, description = "Statistics per question", body = ExamStatistics),
        (status = 404, description = "No such exam of yours", body = Problem),
    )
)]
#[get("/exams/{id}/statistics")]
pub async fn exam_statistics(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(statistics::statistics(&state, &staff.principal, id.into_inner()).await?))
}

/// The caller's own result, once released: total, sections, per-question points with keys and
/// explanations.
#[utoipa::path(
    tag = "candidates",
    security(("candidate" = [])),
    params(("id" = String, Path, description = "Attempt id")),
    responses(
        (status = 200, description = "The result", body = CandidateResult),
        (status = 404, description = "Not your attempt", body = Problem),
        (status = 409, description = "`results_not_released`", body = Problem),
    )
)]
#[get("/attempts/{id}/result")]
pub async fn candidate_result(
    state: web::Data<AppState>,
    candidate: Candidate,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(release::candidate_result(&state, &candidate.0, id.into_inner()).await?))
}

/// What a key correction did.
#[derive(Serialize, ToSchema)]
pub struct KeyCorrected {
    /// The paper with the new key.
    #[schema(value_type = Object)]
    paper: crate::service::papers::PaperView,
    /// Closed attempts regraded.
    regraded: usize,
    /// How many of them changed total.
    changed_count: usize,
    /// Attempts whose total changed (the first 1,000; the audit trail has each one).
    changed: Vec<ChangedTotal>,
    /// The regrade of each exam on the paper, done.
    regrades: Vec<RegradeView>,
}

/// Correct the key of an auto-graded question of a published paper and regrade every closed attempt.
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Paper id"), ("q" = String, Path, description = "Question key")),
    request_body = KeyCorrection,
    responses(
        (status = 200, description = "The paper, how many attempts were regraded and whose total changed", body = KeyCorrected),
        (status = 404, description = "No such paper of yours, or question", body = Problem),
        (status = 409, description = "`paper_not_published`: edit a draft with PUT instead", body = Problem),
        (status = 422, description = "Not an auto-graded question, or an invalid key", body = Problem),
    )
)]
#[put("/papers/{id}/questions/{q}/key")]
pub async fn correct_key(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    path: web::Path<(String, String)>,
    body: web::Json<KeyCorrection>,
) -> Result<HttpResponse, ApiError> {
    let (paper_id, key) = path.into_inner();
    let outcome = regrade::correct_key(&state, &staff.principal, paper_id.clone(), key, body.into_inner()).await?;
    let paper = crate::service::papers::get(&state, &staff.principal, paper_id).await?;
    Ok(HttpResponse::Ok().json(KeyCorrected {
        paper,
        regraded: outcome.regraded,
        changed_count: outcome.changed_count,
        changed: outcome.changed,
        regrades: outcome.regrades,
    }))
}

/// An exam's regrades after key corrections, newest first.
#[utoipa::path(
    tag = "results",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    responses(
        (status = 200, description = "Each regrade with its progress", body = [RegradeView]),
        (status = 404, description = "No such exam of yours", body = Problem),
    )
)]
#[get("/exams/{id}/regrades")]
pub async fn regrades(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(regrade::list(&state, &staff.principal, id.into_inner()).await?))
}

/// One regrade's progress: how many of the exam's closed attempts it has regraded, and how many changed.
#[utoipa::path(
    tag = "results",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id"), ("regrade" = String, Path, description = "Regrade id")),
    responses(
        (status = 200, description = "The regrade", body = RegradeView),
        (status = 404, description = "No such exam of yours, or regrade of it", body = Problem),
    )
)]
#[get("/exams/{id}/regrades/{regrade}")]
pub async fn regrade_progress(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (exam, id) = path.into_inner();
    Ok(HttpResponse::Ok().json(regrade::view(&state, &staff.principal, exam, id).await?))
}
