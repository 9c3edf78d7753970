//! `PUT /me/password`: a staff member sets their own password.

use actix_web::{put, web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{client_address, Staff};
use crate::error::{ApiError, Problem};
use crate::service::auth::LoginOutcome;
use crate::service::users::{self, PasswordChange};
use crate::state::AppState;

/// The current password and the new one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The password now.
    #[schema(value_type = String, format = Password)]
    current_password: SecretString,
    /// The new password, 12 to 256 characters.
    #[schema(value_type = String, format = Password)]
    new_password: SecretString,
}

/// Change the caller's own password. Every other session of the account ends at once (its token
/// version moves on); the answer carries a fresh token for this one.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Changed; a new token for this session", body = LoginOutcome),
        (status = 422, description = "Wrong current password, or a new one of the wrong length", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/me/password")]
pub async fn change(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    body: web::Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let change = PasswordChange { current_password: b.current_password, new_password: b.new_password };
    Ok(HttpResponse::Ok().json(users::change_password(&state, &staff.principal, change, &client_address(&req)).await?))
}
