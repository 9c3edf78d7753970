//! Who is calling, from the bearer token alone (no database hit): `Staff<R>` for staff of the roles
//! `R` allows, `Candidate` for a candidate token. Object ownership is checked in the service.

use std::future::{ready, Ready};
use std::marker::PhantomData;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use crate::auth::token::{TokenError, CANDIDATE_AUDIENCE, STAFF_AUDIENCE};
use crate::domain::user::Role;
use crate::error::ApiError;
use crate::service::auth::{CandidatePrincipal, StaffPrincipal};
use crate::state::AppState;

/// Which staff roles a route admits.
pub trait Roles {
    /// The admitted roles.
    const ALLOWED: &'static [Role];
}

/// Any staff member.
#[derive(Debug)]
pub struct AnyStaff;
impl Roles for AnyStaff {
    const ALLOWED: &'static [Role] = &[Role::Admin, Role::Recruiter, Role::Marker];
}

/// Admins only.
#[derive(Debug)]
pub struct AdminOnly;
impl Roles for AdminOnly {
    const ALLOWED: &'static [Role] = &[Role::Admin];
}

/// Recruiters (and admins, who see everything).
#[derive(Debug)]
pub struct Recruiting;
impl Roles for Recruiting {
    const ALLOWED: &'static [Role] = &[Role::Admin, Role::Recruiter];
}

/// Markers (and admins).
#[derive(Debug)]
pub struct Marking;
impl Roles for Marking {
    const ALLOWED: &'static [Role] = &[Role::Admin, Role::Marker];
}

/// A staff member whose role `R` admits.
#[derive(Debug)]
pub struct Staff<R: Roles = AnyStaff> {
    /// Who.
    pub principal: StaffPrincipal,
    _roles: PhantomData<R>,
}

/// A candidate token's holder.
#[derive(Debug)]
pub struct Candidate(pub CandidatePrincipal);

/// The bearer token of the request.
pub fn bearer(req: &HttpRequest) -> Result<&str, ApiError> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))
}

fn state(req: &HttpRequest) -> Result<&AppState, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .map(|d| d.get_ref())
        .ok_or_else(|| ApiError::internal("application state missing"))
}

fn claims(req: &HttpRequest, audience: &str) -> Result<crate::auth::token::Claims, ApiError> {
    let state = state(req)?;
    state.tokens.verify(bearer(req)?, audience, state.clock.now()).map_err(|e| match e {
        TokenError::Expired => ApiError::Unauthorized("the token has expired".into()),
        TokenError::Invalid => ApiError::Unauthorized("invalid token".into()),
    })
}

fn staff<R: Roles>(req: &HttpRequest) -> Result<Staff<R>, ApiError> {
    let claims = claims(req, STAFF_AUDIENCE)?;
    let role = claims.role.ok_or_else(|| ApiError::Unauthorized("invalid token".into()))?;
    if !R::ALLOWED.contains(&role) {
        return Err(ApiError::Forbidden);
    }
    Ok(Staff { principal: StaffPrincipal { id: claims.sub, role }, _roles: PhantomData })
}

fn candidate(req: &HttpRequest) -> Result<Candidate, ApiError> {
    // A token of the other audience is simply not a candidate token: 401, like any invalid one.
    let claims = claims(req, CANDIDATE_AUDIENCE)?;
    let exam_id = claims.exam.ok_or_else(|| ApiError::Unauthorized("invalid token".into()))?;
    Ok(Candidate(CandidatePrincipal { invitation_id: claims.sub, exam_id }))
}

impl<R: Roles> FromRequest for Staff<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(staff::<R>(req))
    }
}

impl FromRequest for Candidate {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(candidate(req))
    }
}

/// The client's address for rate limiting: the TCP peer. Forwarded headers are not trusted, since
/// anyone can send them; behind a proxy all clients share the proxy's budget.
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}
