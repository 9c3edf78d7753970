//! `POST /auth/login`, `GET /me`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{client_address, Caller};
use crate::error::{ApiError, Problem};
use crate::service;
use crate::service::access::CandidateMe;
use crate::service::auth::{LoginOutcome, UserView};
use crate::state::AppState;

/// Staff credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// E-mail.
    email: String,
    /// Password.
    #[schema(value_type = String, format = Password)]
    password: SecretString,
}

/// Exchange an e-mail and password for a staff token.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginOutcome),
        (status = 401, description = "Wrong e-mail or password", body = Problem),
        (status = 429, description = "Too many failed attempts", body = Problem),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let outcome = service::auth::login(&state, &body.email, body.password, &client_address(&req)).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// The caller: a staff member's account, or a candidate's invitation and exam.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = []), ("candidate" = [])),
    responses(
        (status = 200, description = "The caller: a staff account (`role` admin, recruiter or marker) or a candidate (`role` candidate) with the exam", body = Me),
        (status = 401, description = "No valid token", body = Problem),
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let me = match caller {
        Caller::Staff(staff) => Me::Staff(service::users::me(&state, &staff).await?),
        Caller::Candidate(candidate) => Me::Candidate(service::access::whoami(&state, &candidate).await?),
    };
    Ok(HttpResponse::Ok().json(me))
}

/// Who `GET /me` says the caller is.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum Me {
    /// A staff account.
    Staff(UserView),
    /// A candidate.
    Candidate(CandidateMe),
}
