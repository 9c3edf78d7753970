//! Candidates sitting: starting (or resuming) the one attempt, saving answers until the deadline plus
//! grace, submitting, and the server closing attempts nobody came back to. The server's clock is the
//! only clock.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::attempt_owners::AttemptFacts;
use super::auth::CandidatePrincipal;
use super::candidate_view::{view, AttemptView};
use super::grading;
use super::new_id;
use crate::domain::answer::{check, Answer};
use crate::domain::deadline::{self, WindowError};
use crate::domain::paper::Paper;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::{self, state, AttemptContext, AttemptRow};
use crate::store::exams;
use crate::store::invitations;
use crate::store::time::{from_db, to_db};
use crate::store::{audit, papers, DbConn};

/// Loads an attempt for its candidate; anyone else's attempt is "not found". A revoked invitation's
/// token stops working here even though the token itself is still signed and unexpired.
fn candidate_context(c: &mut DbConn, who: &CandidatePrincipal, attempt_id: &str) -> Result<AttemptContext, ApiError> {
    match attempts::context(c, attempt_id)? {
        Some(ctx) if ctx.attempt.invitation_id == who.invitation_id => {
            if ctx.revoked {
                Err(ApiError::Unauthorized("this invitation has been revoked".into()))
            } else {
                Ok(ctx)
            }
        }
        _ => Err(ApiError::NotFound("attempt")),
    }
}

/// The caller's attempt, closed first if its deadline and grace have passed.
fn settled_context(
    c: &mut DbConn,
    st: &AppState,
    who: &CandidatePrincipal,
    attempt_id: &str,
    now: DateTime<Utc>,
) -> Result<AttemptContext, ApiError> {
    let ctx = candidate_context(c, who, attempt_id)?;
    settle(c, st, ctx, now)
}

/// Closes the attempt if its deadline and grace have passed (so every read shows the truth even before
/// the background sweep reaches it); returns the fresh context.
fn settle(
    c: &mut DbConn,
    state: &AppState,
    ctx: AttemptContext,
    now: DateTime<Utc>,
) -> Result<AttemptContext, ApiError> {
    if overdue(&ctx, now) {
        grading::close(c, &state.papers, &ctx.attempt.id, state::EXPIRED, now, "system")?;
        return attempts::context(c, &ctx.attempt.id)?.ok_or(ApiError::NotFound("attempt"));
    }
    Ok(ctx)
}

/// Starts the caller's attempt, or returns the one that exists (there is never a second). The bool
/// tells whether it was created now.
#[tracing::instrument(skip(state), fields(invitation = %who.invitation_id))]
pub async fn start(state: &AppState, who: &CandidatePrincipal) -> Result<(AttemptView, bool), ApiError> {
    let invitation = who.invitation_id.clone();
    let existing = state.db.run(move |c| Ok(attempts::by_invitation(c, &invitation)?)).await?;
    if let Some(attempt) = existing {
        return Ok((get(state, who, attempt.id).await?, false));
    }
    let (principal, st) = (who.clone(), state.clone());
    let (attempt_id, created) = state.db.write(move |c| create_attempt(c, &st, &principal)).await?;
    Ok((get(state, who, attempt_id).await?, created))
}

/// Creates the attempt in one short write transaction (the view is rendered after it, outside the
/// write lock); returns the attempt id and whether this call created it.
fn create_attempt(c: &mut DbConn, st: &AppState, who: &CandidatePrincipal) -> Result<(String, bool), ApiError> {
    let now = st.clock.now();
    let inv = invitations::get(c, &who.invitation_id)?.ok_or(ApiError::NotFound("invitation"))?;
    if inv.revoked_at.is_some() || inv.exam_id != who.exam_id {
        return Err(ApiError::Unauthorized("this invitation has been revoked".into()));
    }
    // Another request of the same candidate may have won the race to create it.
    if let Some(existing) = attempts::by_invitation(c, &inv.id)? {
        return Ok((existing.id, false));
    }
    let exam = exams::get(c, &inv.exam_id)?.ok_or(ApiError::NotFound("exam"))?;
    let (opens_at, closes_at) = (from_db(exam.opens_at), from_db(exam.closes_at));
    deadline::can_start(now, opens_at, closes_at).map_err(|e| match e {
        WindowError::NotOpenYet(at) => ApiError::conflict("exam_not_open", format!("the exam opens at {at}")),
        WindowError::Closed(at) => ApiError::conflict("exam_closed", format!("the exam closed at {at}")),
    })?;
    let deadline_at =
        deadline::deadline(now, i64::from(exam.duration_seconds), i64::from(inv.extra_seconds), closes_at);
    let row = AttemptRow {
        id: new_id(),
        exam_id: exam.id,
        invitation_id: inv.id,
        seed: rand::random::<i64>(),
        state: state::IN_PROGRESS.into(),
        started_at: to_db(now),
        deadline_at: to_db(deadline_at),
        closed_at: None,
        auto_points: None,
        marked_points: None,
        total_points: None,
        complete: false,
        score_record: None,
    };
    attempts::insert(c, &row)?;
    audit::record(c, now, &who.actor(), "attempt.start", &format!("attempt:{}", row.id), serde_json::json!({}))?;
    Ok((row.id, true))
}

/// The caller's attempt: state, saved answers, remaining time. A read; only an attempt found past its
/// deadline and grace takes the write path to be closed first.
pub async fn get(state: &AppState, who: &CandidatePrincipal, attempt_id: String) -> Result<AttemptView, ApiError> {
    let (principal, id, st) = (who.clone(), attempt_id.clone(), state.clone());
    let read = state
        .db
        .run(move |c| {
            let now = st.clock.now();
            let ctx = candidate_context(c, &principal, &id)?;
            if overdue(&ctx, now) {
                return Ok(None);
            }
            view(c, &st, &ctx, now).map(Some)
        })
        .await?;
    if let Some(view) = read {
        return Ok(view);
    }
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .write(move |c| {
            let now = st.clock.now();
            let ctx = settled_context(c, &st, &who, &attempt_id, now)?;
            view(c, &st, &ctx, now)
        })
        .await
}

fn overdue(ctx: &AttemptContext, now: DateTime<Utc>) -> bool {
    ctx.attempt.state == state::IN_PROGRESS
        && !deadline::accepts_saves(now, from_db(ctx.attempt.deadline_at), i64::from(ctx.grace_seconds))
}

/// The OpenAPI schema of an answer (and of a key), so generated clients can send and read one:
/// `"C"`, `["A","C"]`, `true`, a number, or text; `null` for none.
pub fn answer_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    let of = |t: Type| ObjectBuilder::new().schema_type(t);
    OneOfBuilder::new()
        .item(of(Type::String))
        .item(ArrayBuilder::new().items(of(Type::String)))
        .item(of(Type::Boolean))
        .item(of(Type::Number))
        .item(of(Type::Null))
        .description(Some(
            "An option key (\"C\"), a list of them ([\"A\",\"C\"]), true/false, a number, or text; null for none",
        ))
        .into()
}

/// One answer to save.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAnswer {
    /// `"C"`, `["A","C"]`, `true`, a number, or text; `null` clears it.
    #[schema(schema_with = answer_schema)]
    pub answer: Option<Answer>,
    /// The client's sequence number: a save with a lower one than stored never overwrites it.
    pub seq: i64,
}

/// What a save did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SavedAnswer {
    /// Question key.
    pub question: String,
    /// The answer as stored.
    #[schema(schema_with = answer_schema)]
    pub answer: Option<Answer>,
    /// Its sequence number.
    pub seq: i64,
    /// When it was stored.
    pub saved_at: DateTime<Utc>,
    /// The server's clock now.
    pub server_time: DateTime<Utc>,
    /// When time runs out.
    pub deadline_at: DateTime<Utc>,
}

/// Saves one answer: it must fit the question, arrive before deadline + grace, and carry a higher `seq`
/// than what is stored. The answer saved last before the deadline stands. The hot path: no database
/// read before the save is queued (ownership and paper come from caches of facts that never change), and
/// the write is group-committed with other saves; the reply waits for the commit.
#[tracing::instrument(skip(state, save), fields(invitation = %who.invitation_id, attempt = %attempt_id, question = %question))]
pub async fn save(
    state: &AppState,
    who: &CandidatePrincipal,
    attempt_id: String,
    question: String,
    save: SaveAnswer,
) -> Result<SavedAnswer, ApiError> {
    if save.seq < 0 {
        return Err(ApiError::field("seq", "seq is a non-negative whole number"));
    }
    let facts = attempt_facts(state, &attempt_id).await?;
    if facts.invitation_id != who.invitation_id {
        return Err(ApiError::NotFound("attempt"));
    }
    let paper = paper_for_checks(state, &facts.paper_id).await?;
    let q = paper.question(&question).ok_or(ApiError::NotFound("question"))?;
    let answer = save
        .answer
        .map(|a| check(&q, &a, state.settings.max_answer_chars).map_err(|e| ApiError::field("answer", e.to_string())))
        .transpose()?;
    let stored = match &answer {
        Some(a) => Some(serde_json::to_string(a).map_err(|e| ApiError::internal(e.to_string()))?),
        None => None,
    };
    let ack = state.autosave.save(attempt_id, question.clone(), stored, save.seq).await?;
    Ok(SavedAnswer {
        question,
        answer,
        seq: save.seq,
        saved_at: ack.saved_at,
        server_time: state.clock.now(),
        deadline_at: ack.deadline_at,
    })
}

async fn attempt_facts(state: &AppState, attempt_id: &str) -> Result<AttemptFacts, ApiError> {
    if let Some(facts) = state.attempt_owners.get(attempt_id) {
        return Ok(facts);
    }
    let id = attempt_id.to_string();
    let ctx = state.db.run(move |c| attempts::context(c, &id)?.ok_or(ApiError::NotFound("attempt"))).await?;
    let facts = AttemptFacts { invitation_id: ctx.attempt.invitation_id, paper_id: ctx.paper_id };
    state.attempt_owners.put(attempt_id, facts.clone());
    Ok(facts)
}

async fn paper_for_checks(state: &AppState, paper_id: &str) -> Result<Arc<Paper>, ApiError> {
    if let Some(paper) = state.papers.any(paper_id) {
        return Ok(paper);
    }
    let (id, cache) = (paper_id.to_string(), state.papers.clone());
    state
        .db
        .run(move |c| {
            let stamp = papers::stamp(c, &id)?.ok_or(ApiError::NotFound("paper"))?;
            cache.get(c, &id, stamp)
        })
        .await
}

/// Hands the attempt in. Idempotent: a second submit answers the same; after the deadline and grace the
/// attempt is closed as expired instead and the answer says so.
#[tracing::instrument(skip(state), fields(invitation = %who.invitation_id))]
pub async fn submit(state: &AppState, who: &CandidatePrincipal, attempt_id: String) -> Result<AttemptView, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .write(move |c| {
            let now = st.clock.now();
            let ctx = settled_context(c, &st, &who, &attempt_id, now)?;
            if ctx.attempt.state == state::IN_PROGRESS {
                grading::close(c, &st.papers, &attempt_id, state::SUBMITTED, now, &who.actor())?;
            }
            let ctx = attempts::context(c, &attempt_id)?.ok_or(ApiError::NotFound("attempt"))?;
            view(c, &st, &ctx, now)
        })
        .await
}

/// Closes every attempt whose deadline and grace have passed; returns how many this call closed.
/// Runs in the background on every instance; the conditional close makes each attempt close once.
pub async fn close_expired(state: &AppState) -> Result<usize, ApiError> {
    let now = state.clock.now();
    // The longest grace bounds the look-back; each candidate is checked against its own exam's grace.
    let cutoff = to_db(now);
    let due = state.db.run(move |c| Ok(attempts::overdue(c, cutoff, 500)?)).await?;
    let mut closed = 0;
    for attempt in due {
        let st = state.clone();
        closed += state
            .db
            .write(move |c| {
                let Some(ctx) = attempts::context(c, &attempt.id)? else { return Ok(0) };
                let past_grace =
                    !deadline::accepts_saves(now, from_db(ctx.attempt.deadline_at), i64::from(ctx.grace_seconds));
                if ctx.attempt.state != state::IN_PROGRESS || !past_grace {
                    return Ok(0);
                }
                Ok(usize::from(grading::close(c, &st.papers, &attempt.id, state::EXPIRED, now, "system")?))
            })
            .await?;
    }
    Ok(closed)
}

/// The background task: closes overdue attempts every `expiry_sweep_seconds`.
pub async fn run_expiry_sweeper(state: AppState) {
    let period = std::time::Duration::from_secs(state.settings.expiry_sweep_seconds.max(1));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match close_expired(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(closed = n, "closed attempts past their deadline"),
            Err(e) => tracing::warn!(error = %e, "expiry sweep failed; will retry"),
        }
    }
}
