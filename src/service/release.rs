//! Releasing results to candidates — by the recruiter, or by itself under the `when_complete` policy —
//! and the candidate's own result once released.
//!
//! Results are released only after the exam window has closed and every attempt is graded: a result
//! shows the keys and explanations, which must not reach candidates who may still sit the exam, and a
//! half-marked total is not a result. Under `when_complete` the release happens at the first moment both
//! hold (a mark, an adjudication, or the first read after the window closes), without a recruiter.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::auth::{CandidatePrincipal, StaffPrincipal};
use super::exams::{owned_exam, ExamView};
use super::grading::stored_score;
use super::marking::exam_paper;
use crate::domain::paper::{AnswerKey, QuestionKind};
use crate::domain::points::Points;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::state;
use crate::store::exams::{self, ExamRow};
use crate::store::time::{from_db, to_db};
use crate::store::{attempts, audit, dialect, results, DbConn};

/// The release policy that releases by itself.
pub const WHEN_COMPLETE: &str = "when_complete";

/// Whether results may be released now: the window has closed and no attempt awaits grading.
fn releasable(c: &mut DbConn, exam: &ExamRow, now: DateTime<Utc>) -> Result<bool, ApiError> {
    Ok(now >= from_db(exam.closes_at) && results::ungraded_count(c, &exam.id)? == 0)
}

/// Whether a `when_complete` exam's results are due but not yet recorded as released.
pub fn release_due(c: &mut DbConn, exam: &ExamRow, now: DateTime<Utc>) -> Result<bool, ApiError> {
    Ok(exam.released_at.is_none() && exam.release_policy == WHEN_COMPLETE && releasable(c, exam, now)?)
}

/// Whether candidates may see results now: released (or due to be under `when_complete`), and the
/// window closed. The window is checked again on every read, not only at release: a result carries the
/// keys, and no candidate who can still sit the exam may read them.
pub fn is_released(c: &mut DbConn, exam: &ExamRow, now: DateTime<Utc>) -> Result<bool, ApiError> {
    Ok(now >= from_db(exam.closes_at) && (exam.released_at.is_some() || release_due(c, exam, now)?))
}

/// Why an exam's window may not move: a released exam's results (with the keys) have been shown, so
/// reopening it would hand them to whoever sits it next. Moving a closed window within the past is
/// harmless and allowed.
pub fn window_change_blocker(exam: &ExamRow, new_closes_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<ApiError> {
    (exam.released_at.is_some() && new_closes_at > now).then(|| {
        ApiError::conflict(
            "results_released",
            "the results of this exam, with the keys, have been released, so its window cannot be reopened; \
             copy the paper (POST /papers/{id}/copy) and offer it as a new exam",
        )
    })
}

/// Records the release of a `when_complete` exam whose results are due; true when this call did.
/// Call it when an attempt has just become graded: it locks the exam row to count fairly.
pub fn release_if_due(c: &mut DbConn, exam: &ExamRow, now: DateTime<Utc>) -> Result<bool, ApiError> {
    if exam.released_at.is_some() || exam.release_policy != WHEN_COMPLETE || now < from_db(exam.closes_at) {
        return Ok(false);
    }
    dialect::lock_exam(c, &exam.id)?;
    if !release_due(c, exam, now)? || exams::release(c, &exam.id, to_db(now))? == 0 {
        return Ok(false);
    }
    audit::record(
        c,
        now,
        "system",
        "exam.release",
        &format!("exam:{}", exam.id),
        serde_json::json!({"policy": WHEN_COMPLETE}),
    )?;
    Ok(true)
}

/// Releases an exam's results (idempotent: releasing again answers the same).
#[tracing::instrument(skip(state), fields(user = %who.id, exam = %exam_id))]
pub async fn release(state: &AppState, who: &StaffPrincipal, exam_id: String) -> Result<ExamView, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    let row = state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            if exam.released_at.is_some() {
                return Ok(exam);
            }
            let now = st.clock.now();
            if now < from_db(exam.closes_at) {
                return Err(ApiError::conflict(
                    "exam_not_closed",
                    format!(
                        "results are released after the exam window closes ({}); to close it earlier, move closes_at",
                        from_db(exam.closes_at)
                    ),
                ));
            }
            let ungraded = results::ungraded_count(c, &exam.id)?;
            if ungraded > 0 {
                return Err(ApiError::conflict(
                    "marking_incomplete",
                    format!("{ungraded} attempt(s) are not graded yet; see GET /exams/{}/marking", exam.id),
                ));
            }
            exams::release(c, &exam.id, to_db(now))?;
            audit::record(c, now, &who.actor(), "exam.release", &format!("exam:{}", exam.id), serde_json::json!({}))?;
            exams::get(c, &exam.id)?.ok_or(ApiError::NotFound("exam"))
        })
        .await?;
    Ok(row.into())
}

/// A candidate's released result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateResult {
    /// Attempt.
    pub attempt_id: String,
    /// Exam.
    pub exam_id: String,
    /// `graded` (or `submitted`/`expired` for a result released before marking ended).
    pub state: String,
    /// Every answer has points.
    pub complete: bool,
    /// Points earned.
    #[schema(value_type = f64)]
    pub total: Points,
    /// Most points.
    #[schema(value_type = f64)]
    pub max_points: Points,
    /// Points the server gave.
    #[schema(value_type = f64)]
    pub auto_points: Points,
    /// Points markers gave.
    #[schema(value_type = f64)]
    pub marked_points: Points,
    /// When results were released.
    pub released_at: DateTime<Utc>,
    /// Per section.
    pub sections: Vec<super::results::SectionLine>,
    /// Per question, in paper order, with the key, explanation and reference answer.
    pub questions: Vec<CandidateQuestionResult>,
}

/// One question of a candidate's result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateQuestionResult {
    /// Key.
    pub key: String,
    /// Index of its section.
    pub section: usize,
    /// Kind.
    pub kind: String,
    /// Prompt.
    pub prompt: String,
    /// Options of a choice question, in paper order, so a page can show what each key said.
    pub options: Vec<super::candidate_view::CandidateOption>,
    /// Points earned (`null` while a mark is awaited).
    #[schema(value_type = Option<f64>)]
    pub points: Option<Points>,
    /// Most points.
    #[schema(value_type = f64)]
    pub max_points: Points,
    /// The candidate's answer.
    #[schema(schema_with = crate::service::attempts::answer_schema)]
    pub answer: serde_json::Value,
    /// The key: an option key, a list of them, true/false, a number, or the accepted texts.
    #[schema(schema_with = crate::service::attempts::answer_schema)]
    pub correct_answer: Option<serde_json::Value>,
    /// Why the key is right.
    pub explanation: Option<String>,
    /// The model answer of a marked question.
    pub reference_answer: Option<String>,
}

fn correct_answer(kind: QuestionKind, answer: Option<&AnswerKey>, accepted: &[String]) -> Option<serde_json::Value> {
    match kind {
        QuestionKind::FillBlank => Some(serde_json::json!(accepted)),
        k if k.is_open() => None,
        _ => answer.and_then(|a| serde_json::to_value(a).ok()),
    }
}

/// The caller's result, once released; 409 `results_not_released` before. Anyone else's attempt is
/// "not found".
#[tracing::instrument(skip(state), fields(invitation = %who.invitation_id, attempt = %attempt_id))]
pub async fn candidate_result(
    state: &AppState,
    who: &CandidatePrincipal,
    attempt_id: String,
) -> Result<CandidateResult, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    let now = state.clock.now();
    let (result, due) = state
        .db
        .run(move |c| {
            let ctx = attempts::context(c, &attempt_id)?
                .filter(|ctx| ctx.attempt.invitation_id == who.invitation_id)
                .ok_or(ApiError::NotFound("attempt"))?;
            if ctx.revoked {
                return Err(ApiError::Unauthorized("this invitation has been revoked".into()));
            }
            let exam = exams::get(c, &ctx.attempt.exam_id)?.ok_or(ApiError::NotFound("exam"))?;
            let due = release_due(c, &exam, now)?;
            let shown = ctx.attempt.state != state::IN_PROGRESS && is_released(c, &exam, now)?;
            let released_at = match exam.released_at {
                Some(at) if shown => from_db(at),
                None if shown && due => now,
                _ => {
                    return Err(ApiError::conflict(
                        "results_not_released",
                        "results are not released yet; they are shown here once the recruiter releases them",
                    ))
                }
            };
            let paper = exam_paper(c, &st.papers, &exam)?;
            let score = stored_score(c, &paper, &exam, &ctx.attempt)?;
            let answers: std::collections::BTreeMap<String, serde_json::Value> =
                attempts::responses_of(c, &ctx.attempt.id)?
                    .into_iter()
                    .filter_map(|r| Some((r.question_key, serde_json::from_str(r.answer.as_deref()?).ok()?)))
                    .collect();
            let questions = paper
                .questions()
                .zip(&score.questions)
                .map(|(q, s)| CandidateQuestionResult {
                    key: q.key().to_string(),
                    section: q.section_index,
                    kind: q.kind().as_str().to_string(),
                    prompt: q.doc.prompt.clone(),
                    options: q
                        .doc
                        .options
                        .iter()
                        .map(|o| super::candidate_view::CandidateOption { key: o.key.clone(), text: o.text.clone() })
                        .collect(),
                    points: s.points,
                    max_points: s.max_points,
                    answer: answers.get(q.key()).cloned().unwrap_or(serde_json::Value::Null),
                    correct_answer: correct_answer(
                        q.kind(),
                        q.doc.answer.as_ref(),
                        &q.doc.accepted.iter().map(|a| a.text.clone()).collect::<Vec<_>>(),
                    ),
                    explanation: q.doc.explanation.clone(),
                    reference_answer: q.doc.reference_answer.clone(),
                })
                .collect();
            let result = CandidateResult {
                attempt_id: ctx.attempt.id.clone(),
                exam_id: exam.id.clone(),
                state: ctx.attempt.state.clone(),
                complete: score.complete,
                total: score.total,
                max_points: paper.total_points(),
                auto_points: score.auto_points,
                marked_points: score.marked_points,
                released_at,
                sections: score.sections.iter().map(super::results::SectionLine::from).collect(),
                questions,
            };
            Ok((result, due.then_some(exam)))
        })
        .await?;
    if let Some(exam) = due {
        // Reading found the results due: record the release (and its audit event) once.
        state.db.write(move |c| release_if_due(c, &exam, now)).await?;
    }
    Ok(result)
}
