//! Candidates in: exchanging an invitation's access code for a token scoped to that candidate and exam.

use serde::Serialize;

use super::exam_intro::candidate_exam;
pub use super::exam_intro::CandidateExam;
use super::invitations::candidate_token_expiry;
use crate::auth::token::CANDIDATE_AUDIENCE;
use crate::domain::access::AccessCode;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::time::from_db;
use crate::store::{exams, invitations, papers};

/// Lifetime of a candidate token issued after the exam closed, to read a released result.
const RESULT_TOKEN_SECONDS: i64 = 3600;

/// A successful code exchange.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessOutcome {
    /// Bearer token scoped to this candidate and exam.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Seconds until it expires (when the exam closes).
    pub expires_in: i64,
    /// The exam.
    pub exam: CandidateExam,
    /// Who the invitation is for.
    pub candidate: CandidateInfo,
}

/// The invited person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateInfo {
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
}

/// Exchanges an access code for a candidate token. No password hashing on this path: the code is a
/// 144-bit random secret looked up by its SHA-256. Wrong codes count against the client's address.
#[tracing::instrument(skip(state, code), fields(client = %client))]
pub async fn access(state: &AppState, code: &str, client: &str) -> Result<AccessOutcome, ApiError> {
    let brake = [format!("access:{client}")];
    state.login_failures.check(&brake).map_err(ApiError::TooManyRequests)?;
    let invalid = || ApiError::Unauthorized("invalid access code".into());
    let Some(code) = AccessCode::parse(code) else {
        state.login_failures.fail(&brake);
        return Err(invalid());
    };
    let (hash, cache) = (code.hash(), state.papers.clone());
    let now = state.clock.now();
    let found = state
        .db
        .run(move |c| {
            let Some(inv) = invitations::by_code_hash(c, &hash)? else { return Ok(None) };
            let exam = exams::get(c, &inv.exam_id)?.ok_or(ApiError::NotFound("exam"))?;
            let stamp = papers::stamp(c, &exam.paper_id)?.ok_or(ApiError::NotFound("paper"))?;
            let paper = cache.get(c, &exam.paper_id, stamp)?;
            let released = super::release::is_released(c, &exam, now)?;
            Ok(Some((inv, exam, paper, released)))
        })
        .await?;
    let Some((inv, exam, paper, released)) = found else {
        state.login_failures.fail(&brake);
        return Err(invalid());
    };
    if inv.revoked_at.is_some() {
        return Err(ApiError::Unauthorized("this invitation has been revoked".into()));
    }
    let mut expires = candidate_token_expiry(&exam, i64::from(inv.extra_seconds));
    if expires <= now {
        if !released {
            return Err(ApiError::conflict("exam_closed", format!("the exam closed at {}", from_db(exam.closes_at))));
        }
        // Results are released after the window: the code still opens the candidate's result, for a
        // short while per exchange (the attempt itself is closed, so nothing else can be done with it).
        expires = now + chrono::Duration::seconds(RESULT_TOKEN_SECONDS);
    }
    let access_token = state
        .tokens
        .issue(CANDIDATE_AUDIENCE, &inv.id, now, expires, None, Some(exam.id.clone()))
        .map_err(|e| ApiError::internal(format!("signing: {e}")))?;
    Ok(AccessOutcome {
        access_token,
        token_type: "Bearer",
        expires_in: (expires - now).num_seconds(),
        exam: candidate_exam(exam, &inv, &paper),
        candidate: CandidateInfo { email: inv.email, name: inv.name },
    })
}
