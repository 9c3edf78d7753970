//! What the recruiter sees of marking: progress per question, and double marks too far apart to
//! average, which the recruiter settles (stored as a round-3 task, which always wins).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::exams::owned_exam;
use super::exams::read_owned_exam;
use super::grading::{self, closed_state_of, settled_marks, ADJUDICATION_ROUND};
use super::marking::check_mark;
use super::marking::exam_paper;
use super::release::release_if_due;
use crate::domain::marking::{step, Resolution};
use crate::domain::points::Points;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::tasks::{self, state as task_state, TaskRow};
use crate::store::time::{from_db, to_db};
use crate::store::{attempts, audit, dialect, invitations};

/// Marking progress of an exam.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkingProgress {
    /// Exam.
    pub exam_id: String,
    /// Two marks per answer.
    pub double_marking: bool,
    /// Tasks waiting (a claim whose lease ran out counts as waiting).
    pub open: usize,
    /// Tasks held under a live lease.
    pub claimed: usize,
    /// Tasks scored.
    pub done: usize,
    /// Answers whose two marks are too far apart, waiting for the recruiter.
    pub awaiting_adjudication: usize,
    /// Per marked question, in paper order.
    pub questions: Vec<QuestionProgress>,
}

/// One question's marking progress.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionProgress {
    /// Key.
    pub key: String,
    /// Kind.
    pub kind: String,
    /// Waiting.
    pub open: usize,
    /// Held.
    pub claimed: usize,
    /// Scored.
    pub done: usize,
}

/// Marking progress of an exam the caller owns, counted by aggregate queries.
pub async fn progress(state: &AppState, who: &StaffPrincipal, exam_id: String) -> Result<MarkingProgress, ApiError> {
    read_owned_exam(state, who, exam_id, move |c, st, exam, paper| {
        let counts: BTreeMap<String, [i64; 3]> =
            tasks::standing_counts(c, &exam.id, to_db(st.clock.now()))?.into_iter().collect();
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        let questions: Vec<QuestionProgress> = paper
            .questions()
            .filter(|q| q.kind().is_open())
            .map(|q| {
                let [open, claimed, done] = counts.get(q.key()).copied().unwrap_or_default().map(count);
                QuestionProgress { key: q.key().to_string(), kind: q.kind().as_str().into(), open, claimed, done }
            })
            .collect();
        let awaiting_adjudication = if exam.double_marking {
            count(tasks::awaiting_adjudication(c, &exam.id, exam.marking_tolerance)?)
        } else {
            0
        };
        Ok(MarkingProgress {
            exam_id: exam.id.clone(),
            double_marking: exam.double_marking,
            open: questions.iter().map(|q| q.open).sum(),
            claimed: questions.iter().map(|q| q.claimed).sum(),
            done: questions.iter().map(|q| q.done).sum(),
            awaiting_adjudication,
            questions,
        })
    })
    .await
}

/// An answer whose two marks are further apart than the tolerance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Adjudication {
    /// Attempt.
    pub attempt_id: String,
    /// Who wrote it (the recruiter may know; markers never do).
    pub candidate: super::results::CandidateLine,
    /// Question key.
    pub question: String,
    /// Its prompt.
    pub prompt: String,
    /// Most points.
    #[schema(value_type = f64)]
    pub max_points: Points,
    /// Marks move in steps of this.
    #[schema(value_type = f64)]
    pub step: Points,
    /// The answer.
    #[schema(schema_with = crate::service::attempts::answer_schema)]
    pub answer: serde_json::Value,
    /// Both marks.
    pub marks: Vec<MarkLine>,
}

/// One marker's mark.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkLine {
    /// 1 or 2.
    pub round: i32,
    /// Points.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Comment.
    pub comment: Option<String>,
    /// Marker's user id.
    pub marked_by: Option<String>,
    /// When.
    pub marked_at: Option<DateTime<Utc>>,
}

/// The answers of an exam the caller owns that wait for adjudication.
pub async fn list(state: &AppState, who: &StaffPrincipal, exam_id: String) -> Result<Vec<Adjudication>, ApiError> {
    read_owned_exam(state, who, exam_id, move |c, _, exam, paper| {
        let mut by_attempt: BTreeMap<String, Vec<TaskRow>> = BTreeMap::new();
        for t in tasks::of_exam(c, &exam.id)? {
            by_attempt.entry(t.attempt_id.clone()).or_default().push(t);
        }
        let mut out = Vec::new();
        for (attempt_id, ts) in by_attempt {
            for (key, resolution) in settled_marks(&exam, &ts).1 {
                if !matches!(resolution, Resolution::NeedsAdjudication { .. }) {
                    continue;
                }
                let Some(q) = paper.question(&key) else { continue };
                let attempt = attempts::get(c, &attempt_id)?.ok_or(ApiError::NotFound("attempt"))?;
                let inv = invitations::get(c, &attempt.invitation_id)?.ok_or(ApiError::NotFound("invitation"))?;
                let answer = attempts::response(c, &attempt_id, &key)?
                    .and_then(|r| serde_json::from_str(r.answer.as_deref()?).ok())
                    .unwrap_or(serde_json::Value::Null);
                let mut marks: Vec<MarkLine> = ts
                    .iter()
                    .filter(|t| t.question_key == key && t.round < ADJUDICATION_ROUND)
                    .filter_map(|t| {
                        Some(MarkLine {
                            round: t.round,
                            points: Points::from_hundredths(t.points?),
                            comment: t.comment.clone(),
                            marked_by: t.marked_by.clone(),
                            marked_at: t.marked_at.map(from_db),
                        })
                    })
                    .collect();
                marks.sort_by_key(|m| m.round);
                out.push(Adjudication {
                    attempt_id: attempt_id.clone(),
                    candidate: super::results::CandidateLine { email: inv.email, name: inv.name },
                    question: key.clone(),
                    prompt: q.doc.prompt.clone(),
                    max_points: q.points(),
                    step: step(q.points(), &q.doc.rubric),
                    answer,
                    marks,
                });
            }
        }
        Ok(out)
    })
    .await
}

/// A recruiter's decision on one answer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settle {
    /// Attempt.
    pub attempt_id: String,
    /// Question key.
    pub question: String,
    /// The points that count, on the question's step.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Why.
    pub comment: Option<String>,
}

/// Settles an answer waiting for adjudication; the attempt's points follow.
#[tracing::instrument(skip(state, settle), fields(user = %who.id, exam = %exam_id))]
pub async fn settle(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    settle: Settle,
) -> Result<Adjudicated, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            let attempt = dialect::lock_attempt(c, &settle.attempt_id)?
                .filter(|a| a.exam_id == exam.id)
                .ok_or(ApiError::NotFound("attempt"))?;
            let paper = exam_paper(c, &st.papers, &exam)?;
            let q = paper.question(&settle.question).ok_or(ApiError::NotFound("question"))?;
            check_mark(&q, settle.points)?;
            let ts = tasks::of_attempt(c, &attempt.id)?;
            let waiting = settled_marks(&exam, &ts)
                .1
                .into_iter()
                .any(|(k, r)| k == settle.question && matches!(r, Resolution::NeedsAdjudication { .. }));
            if !waiting {
                return Err(ApiError::conflict("not_adjudicable", "this answer is not waiting for adjudication"));
            }
            let now = st.clock.now();
            let mut row = grading::new_task(&exam.id, &attempt.id, &settle.question, ADJUDICATION_ROUND, now);
            row.state = task_state::DONE.into();
            row.points = Some(settle.points.hundredths());
            row.comment = settle.comment.clone().filter(|c| !c.trim().is_empty());
            row.marked_by = Some(who.id.clone());
            row.marked_at = Some(to_db(now));
            tasks::insert(c, &row)?;
            audit::record(
                c,
                now,
                &who.actor(),
                "marking.adjudicate",
                &format!("attempt:{}", attempt.id),
                serde_json::json!({"question": settle.question, "points": settle.points}),
            )?;
            let score = grading::refresh(c, &attempt.id, &paper, &exam, closed_state_of(&attempt, &exam))?;
            if score.complete {
                release_if_due(c, &exam, now)?;
            }
            Ok(Adjudicated {
                attempt_id: attempt.id,
                question: settle.question,
                points: settle.points,
                total: score.total,
                complete: score.complete,
            })
        })
        .await
}

/// What an adjudication did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Adjudicated {
    /// Attempt.
    pub attempt_id: String,
    /// Question.
    pub question: String,
    /// The points that now count.
    #[schema(value_type = f64)]
    pub points: Points,
    /// The attempt's new total.
    #[schema(value_type = f64)]
    pub total: Points,
    /// Whether the attempt is now fully graded.
    pub complete: bool,
}
