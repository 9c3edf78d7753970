//! An exam's markers by name: listed and removed (assigning is `POST /exams/{id}/markers`).

use actix_web::{delete, get, web, HttpResponse};

use super::extract::{Recruiting, Staff};
use crate::error::{ApiError, Problem};
use crate::service::staff_directory::{self, StaffCard};
use crate::state::AppState;

/// The markers assigned to an exam, with their names and e-mails.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id")),
    responses(
        (status = 200, description = "Assigned markers, by name", body = [StaffCard]),
        (status = 404, description = "No such exam of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exams/{id}/markers")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(staff_directory::markers(&state, &staff.principal, id.into_inner()).await?))
}

/// Take a marker off an exam. Their marks stay; they can no longer claim or score its answers.
#[utoipa::path(
    tag = "exams",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Exam id"), ("user" = String, Path, description = "The marker's user id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such exam of yours, or the user is not its marker", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/exams/{id}/markers/{user}")]
pub async fn remove(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (exam, user) = path.into_inner();
    staff_directory::remove_marker(&state, &staff.principal, exam, user).await?;
    Ok(HttpResponse::NoContent().finish())
}
