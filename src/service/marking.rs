//! The marking queue: a marker claims the next open answer of an exam assigned to them under a lease,
//! then scores it or gives it back. A marker never learns whose answer it is: the task carries the
//! question and the answer, nothing about the attempt or the candidate.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::grading::{self, closed_state_of};
use super::paper_cache::PaperCache;
use super::release::release_if_due;
use crate::domain::marking::{step, valid_mark};
use crate::domain::paper::{Paper, QuestionRef};
use crate::domain::points::Points;
use crate::domain::user::Role;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::exams::{self, ExamRow};
use crate::store::tasks::{self, TaskRow, ADJUDICATION_ROUND};
use crate::store::time::{from_db, to_db};
use crate::store::{attempts, audit, dialect, papers, DbConn};

/// Longest marker comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 5000;

/// What a marker asks for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// An exam assigned to the caller.
    pub exam_id: String,
    /// Only answers to this question (marking one question across all candidates keeps marks consistent).
    pub question: Option<String>,
}

/// A claimed task: the question, the answer and the lease — never the candidate.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    /// Task id.
    pub id: String,
    /// Exam.
    pub exam_id: String,
    /// The lease ends then; the task goes back to the queue after it.
    pub lease_expires_at: DateTime<Utc>,
    /// Send it back with the score; a later claim of the same task makes it stale.
    pub fence: i64,
    /// The server's time when it answered, so a page can show the lease's time left whatever its own
    /// clock says.
    pub server_time: DateTime<Utc>,
    /// Marks move in steps of this many points.
    #[schema(value_type = f64)]
    pub step: Points,
    /// The question with what markers compare against.
    pub question: TaskQuestion,
    /// The candidate's answer, as saved (`null` never reaches markers: blank answers score 0 at once).
    #[schema(schema_with = crate::service::attempts::answer_schema)]
    pub answer: serde_json::Value,
}

/// The question as a marker sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskQuestion {
    /// Key.
    pub key: String,
    /// Its position in the paper (1-based), as the recruiter and markers speak of it.
    pub number: usize,
    /// `short_answer`, `scenario` or `essay`.
    pub kind: String,
    /// Prompt.
    pub prompt: String,
    /// Most points.
    #[schema(value_type = f64)]
    pub points: Points,
    /// The model answer.
    pub reference_answer: Option<String>,
    /// Marking criteria.
    pub rubric: Vec<RubricLine>,
    /// The section's guidance for markers.
    pub guidance: Option<String>,
    /// The word limit the candidate had.
    pub word_limit: Option<u32>,
}

/// One marking criterion.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RubricLine {
    /// What to look for.
    pub criterion: String,
    /// What it is worth.
    #[schema(value_type = f64)]
    pub points: Points,
}

/// A marker's score.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// Between 0 and the question's points, on the task's `step`.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Why (kept for adjudication and disputes; not shown to the candidate).
    pub comment: Option<String>,
    /// The fence of the claim.
    pub fence: i64,
}

/// A scored task.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScoredTask {
    /// Task id.
    pub id: String,
    /// `done`.
    pub state: String,
    /// Points given.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Comment.
    pub comment: Option<String>,
    /// When.
    pub marked_at: DateTime<Utc>,
}

/// The paper an exam is sat on, from the shared cache. Only its stamp is read to check the cached copy;
/// the document itself (tens of kilobytes) only when that copy is missing or stale.
pub fn exam_paper(c: &mut DbConn, cache: &PaperCache, exam: &ExamRow) -> Result<Arc<Paper>, ApiError> {
    let stamp = papers::stamp(c, &exam.paper_id)?.ok_or(ApiError::NotFound("paper"))?;
    cache.get(c, &exam.paper_id, stamp)
}

/// The exam if the caller marks it, with its paper's stamp. An exam not assigned to them is "not found",
/// as if it did not exist, so exam ids reveal nothing; admins mark anything.
pub(super) fn marked_exam(
    c: &mut DbConn,
    who: &StaffPrincipal,
    exam_id: &str,
) -> Result<(ExamRow, NaiveDateTime), ApiError> {
    if who.role == Role::Recruiter {
        return Err(ApiError::Forbidden);
    }
    match exams::for_marker(c, exam_id, &who.id)? {
        Some((exam, paper_stamp, assigned)) if who.role == Role::Admin || assigned => Ok((exam, paper_stamp)),
        _ => Err(ApiError::NotFound("exam")),
    }
}

/// A marker's task: one of an exam they mark, and never a recruiter's adjudication.
pub(super) fn marked_task(
    c: &mut DbConn,
    who: &StaffPrincipal,
    id: &str,
) -> Result<(TaskRow, ExamRow, NaiveDateTime), ApiError> {
    let task = tasks::get(c, id)?.filter(|t| t.round < ADJUDICATION_ROUND).ok_or(ApiError::NotFound("task"))?;
    let (exam, paper_stamp) = marked_exam(c, who, &task.exam_id).map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("task"),
        other => other,
    })?;
    Ok((task, exam, paper_stamp))
}

pub(super) fn lease_lost(task: &TaskRow) -> ApiError {
    let detail = if task.state == tasks::state::DONE {
        "this task has been scored already"
    } else {
        "you no longer hold this task: its lease ran out, it was claimed again or given back; claim a new one"
    };
    ApiError::conflict("lease_lost", detail)
}

pub(super) fn open_question<'p>(paper: &'p Paper, key: &str) -> Result<QuestionRef<'p>, ApiError> {
    paper.question(key).filter(|q| q.kind().is_open()).ok_or_else(|| ApiError::internal(format!("task for {key}")))
}

/// A mark for this question: between 0 and its points, on its step (half points, or finer where the
/// points or the rubric are finer); the one check of every way a mark is given.
pub(super) fn check_mark(q: &QuestionRef<'_>, points: Points) -> Result<(), ApiError> {
    let step = step(q.points(), &q.doc.rubric);
    if valid_mark(points, q.points(), step) {
        Ok(())
    } else {
        Err(ApiError::field("points", format!("a mark is between 0 and {} in steps of {step}", q.points())))
    }
}

/// What a marker sees of a task they hold: the question, the answer and the lease.
pub(super) fn task_view(
    paper: &Paper,
    task: &TaskRow,
    answer: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<TaskView, ApiError> {
    let q = open_question(paper, &task.question_key)?;
    Ok(TaskView {
        id: task.id.clone(),
        exam_id: task.exam_id.clone(),
        lease_expires_at: task
            .lease_expires_at
            .map(from_db)
            .ok_or_else(|| ApiError::internal("claim without lease"))?,
        fence: task.fence,
        server_time: now,
        step: step(q.points(), &q.doc.rubric),
        question: task_question(paper, q),
        answer,
    })
}

/// The question as a marker sees it.
pub(super) fn task_question(paper: &Paper, q: QuestionRef<'_>) -> TaskQuestion {
    TaskQuestion {
        key: q.key().to_string(),
        number: paper.questions().position(|other| other.key() == q.key()).map_or(0, |i| i + 1),
        kind: q.kind().as_str().to_string(),
        prompt: q.doc.prompt.clone(),
        points: q.points(),
        reference_answer: q.doc.reference_answer.clone(),
        rubric: q.doc.rubric.iter().map(|r| RubricLine { criterion: r.criterion.clone(), points: r.points }).collect(),
        guidance: q.section.guidance.clone(),
        word_limit: q.doc.word_limit,
    }
}

/// The candidate's saved answer to a task's question (`null` if it no longer parses).
pub(super) fn answer_of(c: &mut DbConn, task: &TaskRow) -> Result<serde_json::Value, ApiError> {
    Ok(attempts::response(c, &task.attempt_id, &task.question_key)?
        .and_then(|r| r.answer)
        .and_then(|a| serde_json::from_str(&a).ok())
        .unwrap_or(serde_json::Value::Null))
}

/// A comment as stored: trimmed, empty as none, refused when too long.
pub(super) fn clean_comment(comment: Option<String>) -> Result<Option<String>, ApiError> {
    let comment = comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(ApiError::field("comment", format!("a comment has at most {MAX_COMMENT_CHARS} characters")));
    }
    Ok(comment)
}

/// Claims the next task of an exam the caller marks; `None` when nothing is left for them.
#[tracing::instrument(skip(state, request), fields(user = %who.id, exam = %request.exam_id))]
pub async fn claim(
    state: &AppState,
    who: &StaffPrincipal,
    request: ClaimRequest,
) -> Result<Option<TaskView>, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    let lease = Duration::seconds(state.settings.marking_lease_seconds);
    state
        .db
        .write(move |c| {
            let (exam, paper_stamp) = marked_exam(c, &who, &request.exam_id)?;
            let paper = st.papers.get(c, &exam.paper_id, paper_stamp)?;
            if let Some(key) = &request.question {
                if !paper.question(key).is_some_and(|q| q.kind().is_open()) {
                    return Err(ApiError::field("question", format!("the paper has no marked question `{key}`")));
                }
            }
            let now = st.clock.now();
            let claimed =
                dialect::claim_task(c, &exam.id, request.question.as_deref(), &who.id, to_db(now), to_db(now + lease))?;
            let Some(task) = claimed else { return Ok(None) };
            let answer = answer_of(c, &task)?;
            task_view(&paper, &task, answer, now).map(Some)
        })
        .await
}

/// Scores a task the caller holds; the attempt's points follow, and it becomes `graded` with its last mark.
#[tracing::instrument(skip(state, score), fields(user = %who.id, task = %id))]
pub async fn score(
    state: &AppState,
    who: &StaffPrincipal,
    id: String,
    score: ScoreRequest,
) -> Result<ScoredTask, ApiError> {
    let comment = clean_comment(score.comment)?;
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .write(move |c| {
            let (task, exam, paper_stamp) = marked_task(c, &who, &id)?;
            let attempt = dialect::lock_attempt(c, &task.attempt_id)?.ok_or(ApiError::NotFound("attempt"))?;
            let paper = st.papers.get(c, &exam.paper_id, paper_stamp)?;
            let q = open_question(&paper, &task.question_key)?;
            check_mark(&q, score.points)?;
            let now = st.clock.now();
            let stored = tasks::Score {
                marker: &who.id,
                fence: score.fence,
                points: score.points.hundredths(),
                comment: comment.as_deref(),
                at: to_db(now),
            };
            if tasks::score(c, &id, &stored)? == 0 {
                return Err(lease_lost(&task));
            }
            audit::record(
                c,
                now,
                &who.actor(),
                "task.score",
                &format!("task:{id}"),
                serde_json::json!({"attempt_id": task.attempt_id, "question": task.question_key, "round": task.round,
                    "points": score.points}),
            )?;
            if grading::refresh(c, &attempt.id, &paper, &exam, closed_state_of(&attempt, &exam))?.complete {
                release_if_due(c, &exam, now)?;
            }
            Ok(ScoredTask { id, state: tasks::state::DONE.into(), points: score.points, comment, marked_at: now })
        })
        .await
}

/// Gives a task the caller holds back to the queue. With `fence`, only that claim is given back (a
/// stale browser tab cannot release the claim a fresh one made).
#[tracing::instrument(skip(state), fields(user = %who.id, task = %id))]
pub async fn release(state: &AppState, who: &StaffPrincipal, id: String, fence: Option<i64>) -> Result<(), ApiError> {
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .write(move |c| {
            let (task, ..) = marked_task(c, &who, &id)?;
            let now = st.clock.now();
            let fence = fence.unwrap_or(task.fence);
            if tasks::release(c, &id, &who.id, fence, to_db(now))? == 0 {
                return Err(lease_lost(&task));
            }
            audit::record(c, now, &who.actor(), "task.release", &format!("task:{id}"), serde_json::json!({}))?;
            Ok(())
        })
        .await
}
