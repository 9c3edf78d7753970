//! Who is calling, from the bearer token: `Staff<R>` for staff of the roles `R` allows, `Candidate`
//! for a candidate token. The token's signature, audience and expiry are checked here; whether it
//! still stands (a staff account changed, a candidate's window extended) is `service::token_standing`,
//! which answers from a cache on most requests. Object ownership is checked in the service.

use std::marker::PhantomData;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::{ready, Either, LocalBoxFuture, Ready};
use futures_util::FutureExt;

use crate::auth::token::{Claims, TokenError, CANDIDATE_AUDIENCE, STAFF_AUDIENCE};
use crate::domain::user::Role;
use crate::error::ApiError;
use crate::service::auth::{CandidatePrincipal, StaffPrincipal};
use crate::service::token_standing;
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

/// The credentials of an `Authorization: Bearer …` header; the scheme is case-insensitive (RFC 7235).
pub fn bearer(req: &HttpRequest) -> Result<&str, ApiError> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_start().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))
}

fn state(req: &HttpRequest) -> Result<&AppState, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .map(|d| d.get_ref())
        .ok_or_else(|| ApiError::internal("application state missing"))
}

fn claims(req: &HttpRequest, audience: &str) -> Result<Claims, TokenError> {
    let state = state(req).map_err(|_| TokenError::Invalid)?;
    let token = bearer(req).map_err(|_| TokenError::Invalid)?;
    state.tokens.verify(token, audience, state.clock.now())
}

fn refused(e: TokenError) -> ApiError {
    match e {
        TokenError::Expired(_) => ApiError::Unauthorized("the token has expired".into()),
        TokenError::Invalid => ApiError::Unauthorized("invalid token".into()),
    }
}

fn staff<R: Roles>(req: &HttpRequest) -> Result<(AppState, StaffPrincipal, Option<i32>), ApiError> {
    bearer(req)?;
    let claims = claims(req, STAFF_AUDIENCE).map_err(refused)?;
    let role = claims.role.ok_or_else(|| ApiError::Unauthorized("invalid token".into()))?;
    if !R::ALLOWED.contains(&role) {
        return Err(ApiError::Forbidden);
    }
    Ok((state(req)?.clone(), StaffPrincipal { id: claims.sub, role }, claims.ver))
}

impl<R: Roles> FromRequest for Staff<R> {
    type Error = ApiError;
    type Future = Either<Ready<Result<Self, ApiError>>, LocalBoxFuture<'static, Result<Self, ApiError>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        match staff::<R>(req) {
            Err(e) => Either::Left(ready(Err(e))),
            Ok((state, principal, version)) => Either::Right(
                async move {
                    token_standing::check_staff(&state, &principal.id, version).await?;
                    Ok(Staff { principal, _roles: PhantomData })
                }
                .boxed_local(),
            ),
        }
    }
}

impl FromRequest for Candidate {
    type Error = ApiError;
    type Future = Either<Ready<Result<Self, ApiError>>, LocalBoxFuture<'static, Result<Self, ApiError>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Err(e) = bearer(req) {
            return Either::Left(ready(Err(e)));
        }
        // A token of the other audience is simply not a candidate token: 401, like any invalid one.
        match (claims(req, CANDIDATE_AUDIENCE), state(req)) {
            (Ok(claims), _) => Either::Left(ready(match claims.exam {
                Some(exam_id) => Ok(Candidate(CandidatePrincipal { invitation_id: claims.sub, exam_id })),
                None => Err(ApiError::Unauthorized("invalid token".into())),
            })),
            (Err(TokenError::Expired(claims)), Ok(state)) => {
                let state = state.clone();
                Either::Right(
                    async move { Ok(Candidate(token_standing::candidate_beyond_expiry(&state, *claims).await?)) }
                        .boxed_local(),
                )
            }
            (Err(e), _) => Either::Left(ready(Err(refused(e)))),
        }
    }
}

/// Any caller with a valid token: a staff member of any role, or a candidate.
#[derive(Debug)]
pub enum Caller {
    /// A staff member.
    Staff(StaffPrincipal),
    /// A candidate.
    Candidate(CandidatePrincipal),
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The token's own audience says which it is; a candidate token is "invalid" as a staff token.
        let staff = matches!(claims(req, STAFF_AUDIENCE), Ok(_) | Err(TokenError::Expired(_)));
        if staff {
            let fut = Staff::<AnyStaff>::from_request(req, payload);
            async move { Ok(Caller::Staff(fut.await?.principal)) }.boxed_local()
        } else {
            let fut = Candidate::from_request(req, payload);
            async move { Ok(Caller::Candidate(fut.await?.0)) }.boxed_local()
        }
    }
}

/// The client's address for rate limiting: the TCP peer. Forwarded headers are not trusted, since
/// anyone can send them; behind a proxy all clients share the proxy's budget.
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}
