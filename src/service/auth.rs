//! Who is calling: staff logging in with a password, and the principals tokens stand for.

use secrecy::SecretString;
use serde::Serialize;

use crate::auth::limiter::Secret;
use crate::auth::token::Grant;
use crate::domain::deadline;
use crate::domain::user::{Email, Role};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::users;

/// A staff member, as their token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffPrincipal {
    /// User id.
    pub id: String,
    /// Role at the time the token was issued.
    pub role: Role,
}

impl StaffPrincipal {
    /// How the audit trail names them.
    pub fn actor(&self) -> String {
        format!("user:{}", self.id)
    }
}

/// A candidate, scoped to one invitation of one exam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidatePrincipal {
    /// Invitation id.
    pub invitation_id: String,
    /// Exam id.
    pub exam_id: String,
}

impl CandidatePrincipal {
    /// How the audit trail names them.
    pub fn actor(&self) -> String {
        format!("candidate:{}", self.invitation_id)
    }
}

/// A staff account as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// `admin`, `recruiter` or `marker`.
    pub role: String,
    /// Disabled by an admin: cannot log in, holds no working token.
    pub disabled: bool,
    /// The password is the one examd generated on first start: set your own (`PUT /me/password`).
    pub must_set_password: bool,
}

impl From<users::UserRow> for UserView {
    fn from(u: users::UserRow) -> UserView {
        UserView {
            disabled: u.disabled_at.is_some(),
            must_set_password: u.password_generated,
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
        }
    }
}

/// A successful login.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginOutcome {
    /// Bearer token.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// Who logged in.
    pub user: UserView,
}

/// Checks an e-mail and password. Unknown e-mail and wrong password answer the same, after the same
/// argon2 work; the brakes of `auth::limiter` slow and refuse guessing.
#[tracing::instrument(skip(state, email, password), fields(client = %client))]
pub async fn login(
    state: &AppState,
    email: &str,
    password: SecretString,
    client: &str,
) -> Result<LoginOutcome, ApiError> {
    let wrong = || ApiError::Unauthorized("wrong e-mail or password".into());
    let email = Email::parse(email).map_err(|_| wrong())?;
    let secret = Secret::Password { account: email.as_str() };
    state.brakes.before(secret, client).map_err(ApiError::TooManyRequests)?;
    let lookup = email.as_str().to_string();
    let user = state.db.run(move |c| Ok(users::by_email(c, &lookup)?)).await?;
    let matched = state.passwords.verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let user = match user {
        // A disabled account answers like a wrong password: it reveals nothing to a guesser.
        Some(user) if matched && user.disabled_at.is_none() => user,
        _ => {
            return Err(match state.brakes.refuse(secret, client).await {
                Some(retry) => ApiError::TooManyRequests(retry),
                None => wrong(),
            })
        }
    };
    state.brakes.succeeded(secret, client);
    staff_session(state, user)
}

/// A fresh staff token for an account, carrying its current token version.
pub fn staff_session(state: &AppState, user: users::UserRow) -> Result<LoginOutcome, ApiError> {
    let role = Role::parse(&user.role).ok_or_else(|| ApiError::internal("stored role unknown"))?;
    let now = state.clock.now();
    let ttl = state.settings.staff_token_seconds;
    let access_token = state
        .tokens
        .issue(
            Grant::Staff { user_id: user.id.clone(), role, version: user.token_version },
            now,
            deadline::plus_seconds(now, ttl),
        )
        .map_err(|e| ApiError::internal(format!("signing: {e}")))?;
    Ok(LoginOutcome { access_token, token_type: "Bearer", expires_in: ttl, user: user.into() })
}
