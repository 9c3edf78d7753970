//! `POST /users`, `GET /users` (admin).

use actix_web::{get, post, web, HttpResponse};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{AdminOnly, Staff};
use crate::error::{ApiError, Problem};
use crate::service;
use crate::service::auth::UserView;
use crate::service::users::NewStaff;
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

/// List staff accounts.
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "Every account", body = [UserView]),
        (status = 403, description = "Not an admin", body = Problem),
    )
)]
#[get("/users")]
pub async fn list(state: web::Data<AppState>, admin: Staff<AdminOnly>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::users::list(&state, &admin.principal).await?))
}
