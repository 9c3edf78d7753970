//! Correcting the key of an auto-graded question on a published paper, and regrading every closed
//! attempt sat on it. Only the key changes: prompts, options and points stay frozen, so every attempt is
//! still graded against the paper it was sat on, with the key it should always have had.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::grading::{self, answers_of, closed_state_of};
use super::papers::{load_paper, owned_paper};
use crate::domain::paper::{AcceptedDoc, AnswerKey, Paper, QuestionKind, Scoring};
use crate::domain::points::Points;
use crate::domain::scoring::grade;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::{self, state};
use crate::store::papers::{self, PaperRow, PUBLISHED};
use crate::store::time::{from_db, to_db};
use crate::store::{audit, dialect, exams, DbConn};

/// The corrected key: `answer` for choice, true/false and numeric questions (with `tolerance` for
/// numeric), `accepted` for fill-in-the-blank.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyCorrection {
    /// `"C"`, `["A","C"]`, `true` or a number.
    #[schema(schema_with = crate::service::attempts::answer_schema)]
    pub answer: Option<AnswerKey>,
    /// Accepted answers of a fill-in-the-blank question.
    #[schema(value_type = Option<Vec<Object>>)]
    pub accepted: Option<Vec<AcceptedDoc>>,
    /// Allowed distance from a numeric key (kept when omitted).
    pub tolerance: Option<f64>,
}

/// An attempt whose total the correction changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangedTotal {
    /// Attempt.
    pub attempt_id: String,
    /// Total before.
    #[schema(value_type = Option<f64>)]
    pub old_total: Option<Points>,
    /// Total after.
    #[schema(value_type = f64)]
    pub new_total: Points,
}

/// What the correction did, before the paper view is added.
#[derive(Debug)]
pub struct Regraded {
    /// Closed attempts regraded.
    pub regraded: usize,
    /// Those whose total changed.
    pub changed: Vec<ChangedTotal>,
}

fn invalid(message: &str) -> ApiError {
    ApiError::field("answer", message)
}

/// Writes the correction into a copy of the document; the caller validates it with [`Paper::parse`].
fn apply(paper: &Paper, key: &str, fix: KeyCorrection) -> Result<crate::domain::paper::PaperDoc, ApiError> {
    let q = paper.question(key).ok_or(ApiError::NotFound("question"))?;
    let kind = q.kind();
    if kind.is_open() {
        return Err(ApiError::field("question", "a marked question has no key; its reference answer guides markers"));
    }
    if kind == QuestionKind::MultipleChoice && q.scoring() == Scoring::Weighted {
        return Err(invalid("a weighted question is scored by its option weights; copy the paper to change them"));
    }
    let (si, qi) = (q.section_index, q.section.questions.iter().position(|d| d.key == key).unwrap_or_default());
    let mut doc = paper.doc().clone();
    let target = &mut doc.sections[si].questions[qi];
    match (kind, fix) {
        (QuestionKind::FillBlank, KeyCorrection { accepted: Some(accepted), answer: None, tolerance: None }) => {
            target.accepted = accepted;
        }
        (QuestionKind::FillBlank, _) => return Err(ApiError::field("accepted", "send `accepted` answers only")),
        (QuestionKind::Numeric, KeyCorrection { answer: Some(answer), accepted: None, tolerance }) => {
            target.answer = Some(answer);
            target.tolerance = tolerance.or(target.tolerance);
        }
        (QuestionKind::Numeric, _) => return Err(invalid("send `answer` (and optionally `tolerance`) only")),
        (_, KeyCorrection { answer: Some(answer), accepted: None, tolerance: None }) => target.answer = Some(answer),
        _ => return Err(invalid("send `answer` only")),
    }
    Ok(doc)
}

/// The new version stamp: now, but always after the old one, so every instance's paper cache (keyed by
/// the stamp) sees a new version even when the clock has not moved since publishing.
fn next_stamp(row: &PaperRow, now: DateTime<Utc>) -> chrono::NaiveDateTime {
    to_db(now).max(row.updated_at + chrono::Duration::microseconds(1))
}

/// Corrects a key and regrades every closed attempt of every exam sat on the paper, in one transaction.
#[tracing::instrument(skip(state, fix), fields(user = %who.id, paper = %paper_id, question = %key))]
pub async fn correct_key(
    state: &AppState,
    who: &StaffPrincipal,
    paper_id: String,
    key: String,
    fix: KeyCorrection,
) -> Result<Regraded, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .write(move |c| {
            let row = owned_paper(c, &who, &paper_id)?;
            if row.status != PUBLISHED {
                return Err(ApiError::conflict(
                    "paper_not_published",
                    "a draft's key is changed by replacing the draft (PUT /papers/{id})",
                ));
            }
            let old = load_paper(&row)?;
            let doc = apply(&old, &key, fix)?;
            let new = Paper::parse(doc).map_err(ApiError::fields)?;
            let (old_q, new_q) = (key_of(&old, &key), key_of(&new, &key));
            if old_q == new_q {
                // Sending the key it already has changes nothing (a retried request is not an error).
                return Ok(Regraded { regraded: 0, changed: Vec::new() });
            }
            let now = st.clock.now();
            let document = serde_json::to_string(new.doc()).map_err(|e| ApiError::internal(e.to_string()))?;
            if papers::replace_published_document(c, &row.id, &document, next_stamp(&row, now))? != 1 {
                return Err(ApiError::conflict("paper_not_published", "the paper is not published"));
            }
            let outcome = regrade(c, &new, &row.id, &key, &who.actor(), now)?;
            audit::record(
                c,
                now,
                &who.actor(),
                "paper.key_correction",
                &format!("paper:{}", row.id),
                serde_json::json!({"question": key, "old_key": old_q, "new_key": new_q, "regraded": outcome.regraded,
                    "changed": outcome.changed.iter().map(|ch| serde_json::json!({"attempt_id": ch.attempt_id,
                        "old_total": ch.old_total, "new_total": ch.new_total})).collect::<Vec<_>>()}),
            )?;
            Ok(outcome)
        })
        .await
}

/// A question's key as the audit trail records it.
fn key_of(paper: &Paper, key: &str) -> serde_json::Value {
    paper
        .question(key)
        .map(|q| serde_json::json!({"answer": q.doc.answer, "accepted": q.doc.accepted, "tolerance": q.doc.tolerance}))
        .unwrap_or_default()
}

/// Regrades every closed attempt of every exam on the paper; attempts in progress are graded with the
/// new key when they close.
fn regrade(
    c: &mut DbConn,
    paper: &Paper,
    paper_id: &str,
    key: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Regraded, ApiError> {
    let question = paper.question(key).ok_or(ApiError::NotFound("question"))?;
    let mut outcome = Regraded { regraded: 0, changed: Vec::new() };
    for exam in exams::using_paper(c, paper_id)? {
        for attempt in attempts::of_exam(c, &exam.id)? {
            if attempt.state == state::IN_PROGRESS {
                continue;
            }
            // Locked and read again: a mark scored meanwhile on another instance is in the old total.
            let attempt = dialect::lock_attempt(c, &attempt.id)?.ok_or(ApiError::NotFound("attempt"))?;
            let answers = answers_of(&attempts::responses_of(c, &attempt.id)?);
            let points = grade(&question, answers.get(key)).points().map(Points::hundredths);
            attempts::set_response_points(c, &attempt.id, key, points)?;
            let score = grading::refresh(c, &attempt.id, paper, &exam, closed_state_of(&attempt, &exam))?;
            outcome.regraded += 1;
            if attempt.total_points != Some(score.total.hundredths()) {
                let old_total = attempt.total_points.map(Points::from_hundredths);
                audit::record(
                    c,
                    now,
                    actor,
                    "attempt.regrade",
                    &format!("attempt:{}", attempt.id),
                    serde_json::json!({"paper_id": paper_id, "question": key, "old_total": old_total,
                        "new_total": score.total, "closed_at": attempt.closed_at.map(from_db)}),
                )?;
                outcome.changed.push(ChangedTotal { attempt_id: attempt.id, old_total, new_total: score.total });
            }
        }
    }
    Ok(outcome)
}
