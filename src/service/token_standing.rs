//! Whether a genuine token still stands for what it was issued for.
//!
//! - **Staff.** A staff token carries its account's token version; changing the role, disabling the
//!   account or changing the password bumps the version, so every token issued before stops working.
//!   Each staff request compares the token's version with a per-instance cache of the accounts'
//!   standings, read again from the database after [`STANDING_TTL`]: most requests cost no round trip.
//!   The instance that makes a change forgets the account at once; other instances see it within
//!   [`STANDING_TTL`].
//! - **Candidates.** A candidate token is signed to expire when the exam closes (plus grace and extra
//!   time) as it stood at the exchange. A recruiter may extend the window later, and the candidate may
//!   then save for longer, so a candidate token past its signed expiry is checked against the
//!   invitation's expiry as it stands now. That costs a read only on that path; the save path itself
//!   checks deadline and revocation inside its batch anyway.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::auth::CandidatePrincipal;
use super::invitations::candidate_token_expiry;
use crate::auth::token::Claims;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::users::{self, TokenStanding};
use crate::store::{exams, invitations};

/// How long an instance trusts the standing it read for an account.
pub const STANDING_TTL: Duration = Duration::from_secs(5);

/// Bound on cached accounts; past it the cache starts over.
const CAPACITY: usize = 10_000;

/// The per-instance cache of staff accounts' token standings.
#[derive(Debug, Default)]
pub struct StaffStandings {
    entries: Mutex<HashMap<String, (Instant, TokenStanding)>>,
}

impl StaffStandings {
    fn fresh(&self, user_id: &str) -> Option<TokenStanding> {
        let entries = self.entries.lock().ok()?;
        entries.get(user_id).filter(|(at, _)| at.elapsed() < STANDING_TTL).map(|(_, standing)| *standing)
    }

    fn remember(&self, user_id: &str, standing: TokenStanding) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(user_id.to_string(), (Instant::now(), standing));
        }
    }

    /// Drops what this instance knows of an account, after changing it.
    pub fn forget(&self, user_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(user_id);
        }
    }
}

/// Whether a staff token of this account and version still stands.
pub async fn check_staff(state: &AppState, user_id: &str, version: Option<i32>) -> Result<(), ApiError> {
    let standing = match state.staff_standings.fresh(user_id) {
        Some(standing) => standing,
        None => {
            let id = user_id.to_string();
            let standing = state
                .db
                .run(move |c| {
                    users::token_standing(c, &id)?.ok_or(ApiError::Unauthorized("the account no longer exists".into()))
                })
                .await?;
            state.staff_standings.remember(user_id, standing);
            standing
        }
    };
    if standing.disabled_at.is_some() {
        return Err(ApiError::Unauthorized("this account is disabled".into()));
    }
    // Tokens signed before versions existed carry none: they stand for the first version.
    if version.unwrap_or(0) != standing.token_version {
        return Err(ApiError::Unauthorized("the account changed since this token was issued; log in again".into()));
    }
    Ok(())
}

/// The candidate an expired candidate token stands for, if the exam's window (or the candidate's extra
/// time) has since been extended past the token's signed expiry.
pub async fn candidate_beyond_expiry(state: &AppState, claims: Claims) -> Result<CandidatePrincipal, ApiError> {
    let expired = || ApiError::Unauthorized("the token has expired".into());
    let exam_id = claims.exam.ok_or_else(|| ApiError::Unauthorized("invalid token".into()))?;
    let (invitation_id, now) = (claims.sub, state.clock.now());
    let (id, exam) = (invitation_id.clone(), exam_id.clone());
    let expiry = state
        .db
        .run(move |c| {
            let Some(inv) = invitations::get(c, &id)?.filter(|i| i.exam_id == exam) else { return Ok(None) };
            let exam = exams::get(c, &inv.exam_id)?.ok_or(ApiError::NotFound("exam"))?;
            Ok(Some(candidate_token_expiry(&exam, i64::from(inv.extra_seconds))))
        })
        .await?;
    match expiry {
        Some(expiry) if now < expiry => Ok(CandidatePrincipal { invitation_id, exam_id }),
        _ => Err(expired()),
    }
}
