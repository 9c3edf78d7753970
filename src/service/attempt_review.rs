//! A recruiter reads one attempt whole — the candidate, every answer with its points, who marked it
//! and what they wrote, when each answer was saved, and the attempt's audit trail — and corrects a
//! settled mark with a reason.
//!
//! A correction is stored as the recruiter's round-3 mark (the round an adjudication uses, which
//! always wins), so the markers' own marks stay on record beside it, and the attempt is regraded
//! through `grading::refresh` like any other mark: the stored score every reader reads follows.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::exams::owned_exam;
use super::grading::{self, closed_state_of, settled_marks, stored_score, ADJUDICATION_ROUND};
use super::marking::check_mark;
use super::marking::exam_paper;
use crate::domain::points::Points;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::{self, state as attempt_state};
use crate::store::tasks::{self, state as task_state};
use crate::store::time::{from_db, to_db};
use crate::store::{audit, dialect, invitations, users, DbConn};

/// One attempt as its recruiter reads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptReview {
    /// Attempt.
    pub id: String,
    /// Exam.
    pub exam_id: String,
    /// `in_progress`, `submitted`, `expired` or `graded`.
    pub state: String,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Deadline.
    pub deadline_at: DateTime<Utc>,
    /// Submitted or expired.
    pub closed_at: Option<DateTime<Utc>>,
    /// Every question has its points.
    pub complete: bool,
    /// Total so far (`null` while being sat).
    #[schema(value_type = Option<f64>)]
    pub total: Option<Points>,
    /// Most points.
    #[schema(value_type = f64)]
    pub max_points: Points,
    /// Who sat it.
    pub candidate: ReviewCandidate,
    /// Every question of the paper in order, answered or not.
    pub answers: Vec<ReviewAnswer>,
    /// The attempt's audit events (its own, its marks', its invitation's), oldest first.
    pub events: Vec<AuditEventView>,
}

/// The candidate of an attempt.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewCandidate {
    /// Invitation.
    pub invitation_id: String,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
}

/// One question with the candidate's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewAnswer {
    /// Question key.
    pub key: String,
    /// 1-based position in the paper.
    pub number: usize,
    /// Section title.
    pub section: String,
    /// Question kind.
    pub kind: String,
    /// The prompt.
    pub prompt: String,
    /// Most points.
    #[schema(value_type = f64)]
    pub max_points: Points,
    /// The answer as saved (`null`: never answered or cleared).
    #[schema(value_type = Object)]
    pub answer: serde_json::Value,
    /// Sequence number of the save that stands.
    pub seq: Option<i64>,
    /// When it was saved.
    pub saved_at: Option<DateTime<Utc>>,
    /// Points that count (`null`: not yet graded or marked).
    #[schema(value_type = Option<f64>)]
    pub points: Option<Points>,
    /// Scored by the key, not by a marker.
    pub auto: bool,
    /// Every mark given: markers' rounds, then an adjudication or correction (round 3).
    pub marks: Vec<ReviewMark>,
}

/// One mark of an open answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewMark {
    /// 1 or 2 for markers, 3 for the recruiter's adjudication or correction.
    pub round: i32,
    /// `open`, `claimed` or `done`.
    pub state: String,
    /// Points given.
    #[schema(value_type = Option<f64>)]
    pub points: Option<Points>,
    /// What the marker (or recruiter) wrote.
    pub comment: Option<String>,
    /// Who marked it.
    pub marker: Option<String>,
    /// Their user id.
    pub marker_id: Option<String>,
    /// When.
    pub marked_at: Option<DateTime<Utc>>,
}

/// An audit event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventView {
    /// Id (time-ordered).
    pub id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// `user:<id>`, `candidate:<invitation>` or `system`.
    pub actor: String,
    /// What, e.g. `attempt.start`.
    pub action: String,
    /// On what, e.g. `attempt:<id>`.
    pub subject: String,
    /// Details.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<audit::AuditEvent> for AuditEventView {
    fn from(e: audit::AuditEvent) -> AuditEventView {
        AuditEventView {
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            id: e.id,
            at: from_db(e.at),
            actor: e.actor,
            action: e.action,
            subject: e.subject,
        }
    }
}

/// Reads one attempt of one of the caller's exams whole.
pub async fn read(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    attempt_id: String,
) -> Result<AttemptReview, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    state.db.run(move |c| review(c, &st, &who, &exam_id, &attempt_id)).await
}

fn review(
    c: &mut DbConn,
    st: &AppState,
    who: &StaffPrincipal,
    exam_id: &str,
    attempt_id: &str,
) -> Result<AttemptReview, ApiError> {
    let exam = owned_exam(c, who, exam_id)?;
    let attempt =
        attempts::get(c, attempt_id)?.filter(|a| a.exam_id == exam.id).ok_or(ApiError::NotFound("attempt"))?;
    let invitation = invitations::get(c, &attempt.invitation_id)?.ok_or(ApiError::NotFound("attempt"))?;
    let paper = exam_paper(c, &st.papers, &exam)?;
    let score = match attempt.state.as_str() {
        attempt_state::IN_PROGRESS => None,
        _ => Some(stored_score(c, &paper, &exam, &attempt)?),
    };
    let saved: BTreeMap<String, attempts::ResponseRow> =
        attempts::responses_of(c, &attempt.id)?.into_iter().map(|r| (r.question_key.clone(), r)).collect();
    let task_rows = tasks::of_attempt(c, &attempt.id)?;
    let marker_ids: Vec<String> = task_rows.iter().filter_map(|t| t.marked_by.clone()).collect();
    let names: BTreeMap<String, String> =
        users::by_ids(c, &marker_ids)?.into_iter().map(|u| (u.id, u.display_name)).collect();
    let mut answers = Vec::new();
    for (i, q) in paper.questions().enumerate() {
        let response = saved.get(q.key());
        let graded = score.as_ref().and_then(|s| s.questions.iter().find(|g| g.key == q.key()));
        let mut marks: Vec<ReviewMark> = task_rows
            .iter()
            .filter(|t| t.question_key == q.key())
            .map(|t| ReviewMark {
                round: t.round,
                state: t.state.clone(),
                points: t.points.map(Points::from_hundredths),
                comment: t.comment.clone(),
                marker: t.marked_by.as_ref().and_then(|id| names.get(id).cloned()),
                marker_id: t.marked_by.clone(),
                marked_at: t.marked_at.map(from_db),
            })
            .collect();
        marks.sort_by_key(|m| m.round);
        answers.push(ReviewAnswer {
            key: q.key().to_string(),
            number: i + 1,
            section: q.section.title.clone(),
            kind: q.kind().as_str().to_string(),
            prompt: q.doc.prompt.clone(),
            max_points: q.points(),
            answer: response
                .and_then(|r| r.answer.as_deref())
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or(serde_json::Value::Null),
            seq: response.map(|r| r.seq),
            saved_at: response.map(|r| from_db(r.saved_at)),
            points: graded.and_then(|g| g.points),
            auto: graded.is_some_and(|g| g.auto) || !q.kind().is_open(),
            marks,
        });
    }
    let mut subjects = vec![format!("attempt:{}", attempt.id), format!("invitation:{}", invitation.id)];
    subjects.extend(task_rows.iter().map(|t| format!("task:{}", t.id)));
    let events = audit::for_subjects(c, &subjects)?.into_iter().map(AuditEventView::from).collect();
    Ok(AttemptReview {
        id: attempt.id,
        exam_id: exam.id,
        state: attempt.state,
        started_at: from_db(attempt.started_at),
        deadline_at: from_db(attempt.deadline_at),
        closed_at: attempt.closed_at.map(from_db),
        complete: score.as_ref().is_some_and(|s| s.complete),
        total: score.as_ref().map(|s| s.total),
        max_points: paper.total_points(),
        candidate: ReviewCandidate { invitation_id: invitation.id, email: invitation.email, name: invitation.name },
        answers,
        events,
    })
}

/// A recruiter's correction of a settled mark.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkCorrection {
    /// The points that count from now on, on the question's step.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Why (required: it is the record of the change).
    pub reason: String,
}

/// What a correction did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkCorrected {
    /// Attempt.
    pub attempt_id: String,
    /// Question.
    pub question: String,
    /// Points before.
    #[schema(value_type = f64)]
    pub old_points: Points,
    /// Points now.
    #[schema(value_type = f64)]
    pub points: Points,
    /// The attempt's total before.
    #[schema(value_type = Option<f64>)]
    pub old_total: Option<Points>,
    /// The attempt's total now.
    #[schema(value_type = f64)]
    pub total: Points,
}

/// Corrects the settled mark of an open answer: stored as the recruiter's round-3 mark (replacing an
/// earlier adjudication or correction), audited with the old and new points and the reason, and the
/// attempt regraded. Allowed after release too: after release only a recruiter changes points.
#[tracing::instrument(skip(state, change), fields(user = %who.id, exam = %exam_id, attempt = %attempt_id))]
pub async fn correct(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    attempt_id: String,
    question: String,
    change: MarkCorrection,
) -> Result<MarkCorrected, ApiError> {
    let reason = change.reason.trim().to_string();
    if reason.is_empty() {
        return Err(ApiError::field("reason", "say why the mark changes"));
    }
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            let attempt = dialect::lock_attempt(c, &attempt_id)?
                .filter(|a| a.exam_id == exam.id)
                .ok_or(ApiError::NotFound("attempt"))?;
            let paper = exam_paper(c, &st.papers, &exam)?;
            let q = paper.question(&question).ok_or(ApiError::NotFound("question"))?;
            check_mark(&q, change.points)?;
            let ts = tasks::of_attempt(c, &attempt.id)?;
            let Some(&old_points) = settled_marks(&exam, &ts).0.get(&question) else {
                return Err(ApiError::conflict(
                    "mark_not_settled",
                    "this answer has no settled mark to correct: it is unmarked, being marked, or awaits adjudication",
                ));
            };
            let now = st.clock.now();
            let existing = ts.iter().find(|t| t.question_key == question && t.round == ADJUDICATION_ROUND);
            let comment = Some(reason.as_str());
            match existing {
                Some(t) => {
                    tasks::set_recruiter_mark(c, &t.id, change.points.hundredths(), comment, &who.id, to_db(now))?;
                }
                None => {
                    let mut row = grading::new_task(&exam.id, &attempt.id, &question, ADJUDICATION_ROUND, now);
                    row.state = task_state::DONE.into();
                    row.points = Some(change.points.hundredths());
                    row.comment = Some(reason.clone());
                    row.marked_by = Some(who.id.clone());
                    row.marked_at = Some(to_db(now));
                    tasks::insert(c, &row)?;
                }
            }
            let old_total = attempt.total_points.map(Points::from_hundredths);
            let score = grading::refresh(c, &attempt.id, &paper, &exam, closed_state_of(&attempt, &exam))?;
            audit::record(
                c,
                now,
                &who.actor(),
                "attempt.mark_correct",
                &format!("attempt:{}", attempt.id),
                serde_json::json!({"question": question, "old_points": old_points, "points": change.points,
                    "reason": reason, "old_total": old_total, "total": score.total}),
            )?;
            Ok(MarkCorrected {
                attempt_id: attempt.id,
                question,
                old_points,
                points: change.points,
                old_total,
                total: score.total,
            })
        })
        .await
}
