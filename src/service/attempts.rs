//! Candidates: exchanging an access code for a token, starting (or resuming) the one attempt, saving
//! answers until the deadline plus grace, submitting, and the server closing attempts nobody came
//! back to. The server's clock is the only clock.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::attempt_owners::AttemptFacts;
use super::auth::CandidatePrincipal;
use super::exams::candidate_token_expiry;
use super::grading;
use super::new_id;
use crate::auth::token::CANDIDATE_AUDIENCE;
use crate::domain::access::AccessCode;
use crate::domain::answer::{check, Answer};
use crate::domain::deadline::{self, WindowError};
use crate::domain::paper::{Paper, QuestionKind};
use crate::domain::points::Points;
use crate::domain::shuffle::{layout_for_exam, ExamShuffle};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::{self, state, AttemptContext, AttemptRow, ResponseRow};
use crate::store::exams::{self, ExamRow};
use crate::store::invitations;
use crate::store::time::{from_db, to_db};
use crate::store::{audit, papers, DbConn};

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

/// The exam as a candidate sees it before starting.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateExam {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Instructions of the paper.
    pub instructions: String,
    /// Window start.
    pub opens_at: DateTime<Utc>,
    /// Window end.
    pub closes_at: DateTime<Utc>,
    /// Time allowed (before any extra time).
    pub duration_seconds: i64,
    /// Extra time granted to this candidate.
    pub extra_seconds: i64,
    /// Most points.
    #[schema(value_type = f64)]
    pub total_points: Points,
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
        exam: CandidateExam {
            id: exam.id,
            title: exam.title,
            instructions: paper.doc().instructions.clone(),
            opens_at: from_db(exam.opens_at),
            closes_at: from_db(exam.closes_at),
            duration_seconds: i64::from(exam.duration_seconds),
            extra_seconds: i64::from(inv.extra_seconds),
            total_points: paper.total_points(),
        },
        candidate: CandidateInfo { email: inv.email, name: inv.name },
    })
}

/// An attempt as its candidate sees it: the paper without keys, in the attempt's order, and the answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    /// Id.
    pub id: String,
    /// Exam.
    pub exam_id: String,
    /// `in_progress`, `submitted`, `expired` or `graded`.
    pub state: String,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// When time runs out.
    pub deadline_at: DateTime<Utc>,
    /// The server's clock now; the client timer follows it.
    pub server_time: DateTime<Utc>,
    /// Seconds before the deadline.
    pub remaining_seconds: i64,
    /// Seconds after the deadline during which saves are still accepted.
    pub grace_seconds: i64,
    /// Submitted or expired at.
    pub closed_at: Option<DateTime<Utc>>,
    /// Paper title.
    pub title: String,
    /// Paper instructions.
    pub instructions: String,
    /// The paper, without keys, explanations, reference answers or rubrics.
    pub sections: Vec<CandidateSection>,
    /// Saved answers by question key.
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

/// A section as the candidate sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateSection {
    /// Heading.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// Points per question.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Questions in this attempt's order.
    pub questions: Vec<CandidateQuestion>,
}

/// A question as the candidate sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateQuestion {
    /// Key, used to save the answer.
    pub key: String,
    /// Kind.
    pub kind: String,
    /// Prompt.
    pub prompt: String,
    /// Options in this attempt's order.
    pub options: Vec<CandidateOption>,
    /// Points.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Word limit of an open answer.
    pub word_limit: Option<u32>,
}

/// An option as the candidate sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateOption {
    /// Key to answer with.
    pub key: String,
    /// Text.
    pub text: String,
}

/// Renders the paper for one attempt. Built field by field from what a candidate may see, so a key,
/// explanation, reference answer or rubric cannot slip in by a new field on the paper.
fn candidate_sections(paper: &Paper, seed: u64, exam: &ExamRow) -> Vec<CandidateSection> {
    let shuffle = ExamShuffle { questions: exam.shuffle_questions, options: exam.shuffle_options };
    let layout = layout_for_exam(paper, seed, shuffle);
    paper
        .doc()
        .sections
        .iter()
        .zip(layout.sections)
        .map(|(section, placed)| CandidateSection {
            title: section.title.clone(),
            kind: section.kind.as_str().to_string(),
            points: section.points,
            questions: placed
                .iter()
                .filter_map(|p| paper.question(&p.key).map(|q| (p, q)))
                .map(|(p, q)| CandidateQuestion {
                    key: q.key().to_string(),
                    kind: q.kind().as_str().to_string(),
                    prompt: q.doc.prompt.clone(),
                    options: p
                        .options
                        .iter()
                        .filter_map(|k| q.doc.options.iter().find(|o| &o.key == k))
                        .map(|o| CandidateOption { key: o.key.clone(), text: o.text.clone() })
                        .collect(),
                    points: q.points(),
                    word_limit: q.doc.word_limit.filter(|_| q.kind().is_open() || q.kind() == QuestionKind::FillBlank),
                })
                .collect(),
        })
        .collect()
}

fn answers_json(rows: Vec<ResponseRow>) -> serde_json::Map<String, serde_json::Value> {
    rows.into_iter()
        .map(|r| {
            let answer = r.answer.and_then(|a| serde_json::from_str(&a).ok()).unwrap_or(serde_json::Value::Null);
            let saved = serde_json::json!({"answer": answer, "seq": r.seq, "saved_at": from_db(r.saved_at)});
            (r.question_key, saved)
        })
        .collect()
}

fn view(c: &mut DbConn, state: &AppState, ctx: &AttemptContext, now: DateTime<Utc>) -> Result<AttemptView, ApiError> {
    let attempt = &ctx.attempt;
    let exam = exams::get(c, &attempt.exam_id)?.ok_or(ApiError::NotFound("exam"))?;
    let paper = state.papers.get(c, &ctx.paper_id, ctx.paper_updated_at)?;
    let deadline_at = from_db(attempt.deadline_at);
    Ok(AttemptView {
        id: attempt.id.clone(),
        exam_id: attempt.exam_id.clone(),
        state: attempt.state.clone(),
        started_at: from_db(attempt.started_at),
        deadline_at,
        server_time: now,
        remaining_seconds: if attempt.state == state::IN_PROGRESS {
            deadline::remaining_seconds(now, deadline_at)
        } else {
            0
        },
        grace_seconds: i64::from(exam.grace_seconds),
        closed_at: attempt.closed_at.map(from_db),
        title: paper.doc().title.clone(),
        instructions: paper.doc().instructions.clone(),
        sections: candidate_sections(&paper, attempt.seed as u64, &exam),
        answers: answers_json(attempts::responses_of(c, &attempt.id)?),
    })
}

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
            let ctx = candidate_context(c, &who, &attempt_id)?;
            let ctx = settle(c, &st, ctx, now)?;
            view(c, &st, &ctx, now)
        })
        .await
}

fn overdue(ctx: &AttemptContext, now: DateTime<Utc>) -> bool {
    ctx.attempt.state == state::IN_PROGRESS
        && !deadline::accepts_saves(now, from_db(ctx.attempt.deadline_at), i64::from(ctx.grace_seconds))
}

/// One answer to save.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAnswer {
    /// `"C"`, `["A","C"]`, `true`, a number, or text; `null` clears it.
    #[schema(value_type = Object)]
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
    #[schema(value_type = Object)]
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
            let ctx = candidate_context(c, &who, &attempt_id)?;
            let ctx = settle(c, &st, ctx, now)?;
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
