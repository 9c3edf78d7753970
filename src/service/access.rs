//! Candidates in: exchanging an invitation's access code for a token scoped to that candidate and exam.

use serde::Serialize;

use super::audit_log::AuditEntry;
use super::auth::CandidatePrincipal;
use super::exam_intro::candidate_exam;
pub use super::exam_intro::CandidateExam;
use super::invitations::candidate_token_expiry;
use crate::auth::limiter::Secret;
use crate::auth::token::Grant;
use crate::domain::access::AccessCode;
use crate::domain::deadline;
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

/// A candidate as `GET /me` shows them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateMe {
    /// Always `candidate` (a staff account's `role` is its role).
    pub role: &'static str,
    /// The invitation the token is scoped to.
    pub invitation_id: String,
    /// Who the invitation is for.
    pub candidate: CandidateInfo,
    /// The exam.
    pub exam: CandidateExam,
}

/// The candidate behind a token, with their exam.
pub async fn whoami(state: &AppState, who: &CandidatePrincipal) -> Result<CandidateMe, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    let (inv, exam, paper) = state.db.run(move |c| super::exam_intro::invited(c, &st, &who)).await?;
    Ok(CandidateMe {
        role: "candidate",
        invitation_id: inv.id.clone(),
        exam: candidate_exam(exam, &inv, &paper),
        candidate: CandidateInfo { email: inv.email, name: inv.name },
    })
}

/// Exchanges an access code for a candidate token. No password hashing on this path: the code is a
/// 144-bit random secret looked up by its SHA-256. Wrong codes are braked by `auth::limiter`.
#[tracing::instrument(skip(state, code), fields(client = %client))]
pub async fn access(state: &AppState, code: &str, client: &str) -> Result<AccessOutcome, ApiError> {
    let refused = || async {
        match state.brakes.refuse(Secret::AccessCode, client).await {
            Some(retry) => ApiError::TooManyRequests(retry),
            None => ApiError::Unauthorized("invalid access code".into()),
        }
    };
    state.brakes.before(Secret::AccessCode, client).map_err(ApiError::TooManyRequests)?;
    let Some(code) = AccessCode::parse(code) else { return Err(refused().await) };
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
    let Some((inv, exam, paper, released)) = found else { return Err(refused().await) };
    if inv.revoked_at.is_some() {
        return Err(ApiError::Unauthorized("this invitation has been revoked".into()));
    }
    let mut expires = candidate_token_expiry(&exam, i64::from(inv.extra_seconds));
    let expires_after_close = expires <= now;
    if expires_after_close {
        if !released {
            return Err(ApiError::conflict("exam_closed", format!("the exam closed at {}", from_db(exam.closes_at))));
        }
        // Results are released after the window: the code still opens the candidate's result, for a
        // short while per exchange (the attempt itself is closed, so nothing else can be done with it).
        expires = deadline::plus_seconds(now, RESULT_TOKEN_SECONDS);
    }
    let access_token = state
        .tokens
        .issue(Grant::Candidate { invitation_id: inv.id.clone(), exam_id: exam.id.clone() }, now, expires)
        .map_err(|e| ApiError::internal(format!("signing: {e}")))?;
    // One code may be exchanged any number of times (a second device, a reload after a crash); each
    // token it gave is on record.
    state
        .audit_log
        .record(AuditEntry {
            at: now,
            actor: format!("candidate:{}", inv.id),
            action: "access.token",
            subject: format!("invitation:{}", inv.id),
            detail: serde_json::json!({"client": client, "expires_at": expires, "result_only": expires_after_close}),
        })
        .await?;
    Ok(AccessOutcome {
        access_token,
        token_type: "Bearer",
        expires_in: (expires - now).num_seconds(),
        exam: candidate_exam(exam, &inv, &paper),
        candidate: CandidateInfo { email: inv.email, name: inv.name },
    })
}
