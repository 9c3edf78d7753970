//! `POST /users`, `PATCH /users/{id}` (admin), `GET /users` (admin; recruiters see cards).

use actix_web::{get, patch, post, web, HttpResponse};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{AdminOnly, Recruiting, Staff};
use crate::error::{ApiError, Problem};
use crate::service;
use crate::service::auth::UserView;
use crate::service::staff_directory::StaffListing;
use crate::service::users::{NewStaff, StaffChange};
use crate::state::AppState;

/// A staff account to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// E-mail, unique.
    email: String,
    /// At least 12 characters.
    #[schema(value_type = String, format = Password)]
    password: SecretString,
    /// `admin`, `recruiter` or `marker`.
    role: String,
    /// Name shown to colleagues.
    display_name: Option<String>,
}

/// Create a staff account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["admin"])),
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 409, description = "E-mail taken", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    admin: Staff<AdminOnly>,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let new = NewStaff { email: b.email, password: b.password, role: b.role, display_name: b.display_name };
    Ok(HttpResponse::Created().json(service::users::create(&state, &admin.principal, new).await?))
}

/// Which accounts to list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only accounts of this role: `admin`, `recruiter` or `marker`.
    role: Option<String>,
}

/// List staff accounts. An admin gets every account whole; a recruiter gets the enabled accounts'
/// `{id, email, display_name}` only — what assigning markers needs (`?role=marker`).
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["admin", "recruiter"])),
    params(ListQuery),
    responses(
        (status = 200, description = "Accounts whole (an admin's view), or a recruiter's cards with id, email and display_name only", body = StaffListing),
        (status = 403, description = "A marker", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown role", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(service::staff_directory::list(&state, &staff.principal, query.into_inner().role).await?))
}

/// What to change about a staff account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeUser {
    /// `admin`, `recruiter` or `marker`.
    role: Option<String>,
    /// `true` disables the account (no login, its tokens stop working at once); `false` enables it.
    disabled: Option<bool>,
}

/// Change a staff account's role, or disable or enable it. Every token the account holds stops
/// working at once.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = ChangeUser,
    responses(
        (status = 200, description = "The account as it is now", body = UserView),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An admin's own account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    admin: Staff<AdminOnly>,
    id: web::Path<String>,
    body: web::Json<ChangeUser>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let change = StaffChange { role: b.role, disabled: b.disabled };
    Ok(HttpResponse::Ok().json(service::users::change(&state, &admin.principal, id.into_inner(), change).await?))
}
