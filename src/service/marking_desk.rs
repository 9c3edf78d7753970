//! What the marking desk needs beside claim and score: the marker's exams with what is left per
//! question, the tasks they hold (a closed tab finds them again), lease renewal, and a look back at
//! their own marks with corrections until the results are released. Like the queue, nothing here
//! names the attempt or the candidate, and a marker sees only their own marks (double marking stays
//! blind).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::grading::{self, closed_state_of};
use super::marking::check_mark;
use super::marking::{
    answer_of, clean_comment, exam_paper, marked_exam, marked_task, open_question, task_question, task_view,
    ScoredTask, TaskQuestion, TaskView,
};
use super::release::{is_released, release_if_due};
use crate::domain::marking::step;
use crate::domain::points::Points;
use crate::domain::user::Role;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::tasks;
use crate::store::time::{from_db, to_db};
use crate::store::{audit, dialect, exams};

/// An exam as its marker sees it in their list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkerExam {
    /// Exam id (what `claim` takes).
    pub exam_id: String,
    /// Title.
    pub title: String,
    /// Answers waiting for a marker (an expired lease counts as waiting).
    pub open: usize,
    /// Answers held under a live lease.
    pub claimed: usize,
    /// Answers scored.
    pub done: usize,
    /// Whether the results are released (marks can then no longer be corrected by markers).
    pub released: bool,
    /// The same counts per marked question, in paper order (marking by question keeps marks consistent).
    pub questions: Vec<MarkerQuestion>,
}

/// One marked question of an exam and what is left of it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkerQuestion {
    /// Key (what `claim` takes as `question`).
    pub key: String,
    /// Position in the paper (1-based).
    pub number: usize,
    /// `short_answer`, `scenario` or `essay`.
    pub kind: String,
    /// Prompt.
    pub prompt: String,
    /// Most points.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Waiting.
    pub open: usize,
    /// Held under a live lease.
    pub claimed: usize,
    /// Scored.
    pub done: usize,
}

/// The exams the caller marks (an admin: every exam), with how much is left in each queue.
pub async fn my_exams(state: &AppState, who: &StaffPrincipal) -> Result<Vec<MarkerExam>, ApiError> {
    if who.role == Role::Recruiter {
        return Err(ApiError::Forbidden);
    }
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .run(move |c| {
            let assigned =
                if who.role == Role::Admin { exams::list(c, None)? } else { exams::assigned_to(c, &who.id)? };
            let now = st.clock.now();
            assigned
                .into_iter()
                .map(|exam| {
                    let paper = exam_paper(c, &st.papers, &exam)?;
                    // Counted by the database, not by loading every task of the exam.
                    let count = |n: i64| usize::try_from(n).unwrap_or(0);
                    let per_question: BTreeMap<String, [usize; 3]> = tasks::standing_counts(c, &exam.id, to_db(now))?
                        .into_iter()
                        .map(|(key, n)| (key, n.map(count)))
                        .collect();
                    let counts = per_question.values().fold([0usize; 3], |sum, n| [0, 1, 2].map(|i| sum[i] + n[i]));
                    let questions = paper
                        .questions()
                        .enumerate()
                        .filter(|(_, q)| q.kind().is_open())
                        .map(|(i, q)| {
                            let [open, claimed, done] = per_question.get(q.key()).copied().unwrap_or_default();
                            MarkerQuestion {
                                key: q.key().to_string(),
                                number: i + 1,
                                kind: q.kind().as_str().to_string(),
                                prompt: q.doc.prompt.clone(),
                                points: q.points(),
                                open,
                                claimed,
                                done,
                            }
                        })
                        .collect();
                    Ok(MarkerExam {
                        released: is_released(c, &exam, now)?,
                        exam_id: exam.id,
                        title: exam.title,
                        open: counts[0],
                        claimed: counts[1],
                        done: counts[2],
                        questions,
                    })
                })
                .collect()
        })
        .await
}

/// The tasks the caller holds under a live lease (of one exam, or of all they mark), oldest claim
/// first: a marker who closed the tab continues with these before claiming more.
pub async fn held(state: &AppState, who: &StaffPrincipal, exam_id: Option<String>) -> Result<Vec<TaskView>, ApiError> {
    if who.role == Role::Recruiter {
        return Err(ApiError::Forbidden);
    }
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .run(move |c| {
            let now = st.clock.now();
            let mut papers = BTreeMap::new();
            let mut out = Vec::new();
            for task in tasks::held_by(c, &who.id, to_db(now))? {
                if exam_id.as_ref().is_some_and(|e| *e != task.exam_id) {
                    continue;
                }
                if !papers.contains_key(&task.exam_id) {
                    // An exam no longer assigned to the caller drops out, as its claims would refuse.
                    let paper = match marked_exam(c, &who, &task.exam_id) {
                        Ok((exam, stamp)) => Some(st.papers.get(c, &exam.paper_id, stamp)?),
                        Err(ApiError::NotFound(_)) => None,
                        Err(other) => return Err(other),
                    };
                    papers.insert(task.exam_id.clone(), paper);
                }
                if let Some(Some(paper)) = papers.get(&task.exam_id) {
                    let answer = answer_of(c, &task)?;
                    out.push(task_view(paper, &task, answer, now)?);
                }
            }
            Ok(out)
        })
        .await
}

/// A renewed lease.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Lease {
    /// Task id.
    pub id: String,
    /// Unchanged: a renewal is the same claim.
    pub fence: i64,
    /// The lease now ends then.
    pub lease_expires_at: DateTime<Utc>,
    /// The server's time when it answered.
    pub server_time: DateTime<Utc>,
}

/// Extends the lease of a task the caller holds under the claim `fence` by the lease length from now.
/// A lease that has run out is not revived (someone else may have claimed the task): 409 `lease_lost`.
#[tracing::instrument(skip(state), fields(user = %who.id, task = %id))]
pub async fn renew(state: &AppState, who: &StaffPrincipal, id: String, fence: i64) -> Result<Lease, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    let lease = Duration::seconds(state.settings.marking_lease_seconds);
    state
        .db
        .write(move |c| {
            let (task, ..) = marked_task(c, &who, &id)?;
            let now = st.clock.now();
            if tasks::renew(c, &id, &who.id, fence, to_db(now), to_db(now + lease))? == 0 {
                return Err(super::marking::lease_lost(&task));
            }
            Ok(Lease { id, fence, lease_expires_at: from_db(to_db(now + lease)), server_time: now })
        })
        .await
}

/// One of the caller's own marks, to look back at.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyMark {
    /// Task id (what a correction takes).
    pub id: String,
    /// The question, with what markers compare against.
    pub question: TaskQuestion,
    /// Marks move in steps of this many points.
    #[schema(value_type = f64)]
    pub step: Points,
    /// The candidate's answer.
    #[schema(value_type = Object)]
    pub answer: serde_json::Value,
    /// The caller's points.
    #[schema(value_type = f64)]
    pub points: Points,
    /// The caller's comment.
    pub comment: Option<String>,
    /// When scored (or last corrected).
    pub marked_at: Option<DateTime<Utc>>,
}

/// The caller's marks in one exam.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyMarks {
    /// Exam.
    pub exam_id: String,
    /// Released results: the marks can no longer be corrected here (a recruiter's regrade can).
    pub released: bool,
    /// Most recent first. Only the caller's own: with double marking the other mark is never shown.
    pub marks: Vec<MyMark>,
}

/// The marks the caller gave in an exam they mark.
pub async fn my_marks(state: &AppState, who: &StaffPrincipal, exam_id: String) -> Result<MyMarks, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .run(move |c| {
            let (exam, stamp) = marked_exam(c, &who, &exam_id)?;
            let paper = st.papers.get(c, &exam.paper_id, stamp)?;
            let mut marks = Vec::new();
            for task in tasks::scored_by(c, &exam.id, &who.id)? {
                let q = open_question(&paper, &task.question_key)?;
                marks.push(MyMark {
                    id: task.id.clone(),
                    step: step(q.points(), &q.doc.rubric),
                    question: task_question(&paper, q),
                    answer: answer_of(c, &task)?,
                    points: Points::from_hundredths(task.points.unwrap_or(0)),
                    comment: task.comment.clone(),
                    marked_at: task.marked_at.map(from_db),
                });
            }
            Ok(MyMarks { released: is_released(c, &exam, st.clock.now())?, exam_id: exam.id, marks })
        })
        .await
}

/// A corrected mark.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// Between 0 and the question's points, on the task's `step`.
    #[schema(value_type = f64)]
    pub points: Points,
    /// The comment that goes with the new points (replaces the old one; omitted: none).
    pub comment: Option<String>,
}

/// Replaces a mark the caller gave, while the exam's results are not released; audited with the old
/// and new points, and the attempt's score follows through `grading::refresh` like any mark. A task
/// the caller did not score is 404: saying "someone else marked it" would tell a double marker that
/// the other round is done.
#[tracing::instrument(skip(state, correction), fields(user = %who.id, task = %id))]
pub async fn correct(
    state: &AppState,
    who: &StaffPrincipal,
    id: String,
    correction: Correction,
) -> Result<ScoredTask, ApiError> {
    let comment = clean_comment(correction.comment)?;
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .write(move |c| {
            let (task, exam, stamp) = marked_task(c, &who, &id)?;
            if task.state != tasks::state::DONE || task.marked_by.as_deref() != Some(who.id.as_str()) {
                return Err(ApiError::NotFound("task"));
            }
            // Read the release under the exam's lock: a release committing meanwhile is seen.
            dialect::lock_exam(c, &exam.id)?;
            let exam = exams::get(c, &exam.id)?.ok_or(ApiError::NotFound("task"))?;
            let now = st.clock.now();
            if is_released(c, &exam, now)? {
                return Err(ApiError::conflict(
                    "results_released",
                    "the results of this exam have been released; only a recruiter's regrade changes marks now",
                ));
            }
            let attempt = dialect::lock_attempt(c, &task.attempt_id)?.ok_or(ApiError::NotFound("attempt"))?;
            let paper = st.papers.get(c, &exam.paper_id, stamp)?;
            let q = open_question(&paper, &task.question_key)?;
            check_mark(&q, correction.points)?;
            if tasks::correct(c, &id, &who.id, correction.points.hundredths(), comment.as_deref(), to_db(now))? == 0 {
                return Err(ApiError::NotFound("task"));
            }
            let old = task.points.map(Points::from_hundredths);
            audit::record(
                c,
                now,
                &who.actor(),
                "task.correct",
                &format!("task:{id}"),
                serde_json::json!({"attempt_id": task.attempt_id, "question": task.question_key, "round": task.round,
                    "old_points": old, "new_points": correction.points,
                    "old_comment": task.comment, "new_comment": comment}),
            )?;
            if grading::refresh(c, &attempt.id, &paper, &exam, closed_state_of(&attempt, &exam))?.complete {
                release_if_due(c, &exam, now)?;
            }
            Ok(ScoredTask { id, state: tasks::state::DONE.into(), points: correction.points, comment, marked_at: now })
        })
        .await
}
