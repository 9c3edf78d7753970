//! What happens when an attempt closes: choice answers are scored at once, open answers become marking
//! tasks, and the attempt's points are kept up to date as marks arrive or keys are corrected.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::new_id;
use super::paper_cache::PaperCache;
use crate::domain::answer::Answer;
use crate::domain::deadline;
use crate::domain::marking::{resolve, Resolution};
use crate::domain::paper::Paper;
use crate::domain::points::Points;
use crate::domain::score_record::ScoreRecord;
use crate::domain::scoring::{grade, grade_attempt, AttemptScore, Grade};
use crate::error::ApiError;
use crate::store::attempts::{self, state, AttemptRow};
use crate::store::exams::{self, ExamRow};
use crate::store::tasks::{self, TaskRow};
use crate::store::time::{from_db, to_db};
use crate::store::{audit, DbConn};

/// Round number of a recruiter's adjudication task.
pub const ADJUDICATION_ROUND: i32 = tasks::ADJUDICATION_ROUND;

/// Parses stored answers; a row that no longer parses counts as blank rather than failing the attempt.
pub fn answers_of(rows: &[attempts::ResponseRow]) -> BTreeMap<String, Answer> {
    rows.iter()
        .filter_map(|r| {
            let answer = serde_json::from_str::<Answer>(r.answer.as_deref()?).ok()?;
            Some((r.question_key.clone(), answer))
        })
        .collect()
}

/// Closes an attempt (submitted by the candidate or expired by the server) and grades what the server
/// can. Returns false when it was closed already: closing is idempotent, and when several instances race
/// to close one attempt exactly one does the grading.
pub fn close(
    c: &mut DbConn,
    cache: &PaperCache,
    attempt_id: &str,
    to_state: &str,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<bool, ApiError> {
    // Close first: on PostgreSQL the update locks the attempt row, so a key correction running now
    // either committed before (and the paper read below has the new key) or regrades this attempt after.
    if attempts::close(c, attempt_id, to_state, to_db(now))? == 0 {
        return Ok(false);
    }
    let ctx = attempts::context(c, attempt_id)?.ok_or(ApiError::NotFound("attempt"))?;
    let exam = exams::get(c, &ctx.attempt.exam_id)?.ok_or(ApiError::NotFound("exam"))?;
    let paper = cache.get(c, &ctx.paper_id, ctx.paper_updated_at)?;
    let answers = answers_of(&attempts::responses_of(c, attempt_id)?);
    let rounds = if exam.double_marking { 2 } else { 1 };
    let mut open_tasks = 0;
    for question in paper.questions() {
        match grade(&question, answers.get(question.key())) {
            Grade::Auto(points) => {
                attempts::set_response_points(c, attempt_id, question.key(), Some(points.hundredths()))?;
            }
            Grade::NeedsMarking => {
                for round in 1..=rounds {
                    tasks::insert(c, &new_task(&exam.id, attempt_id, question.key(), round, now))?;
                    open_tasks += 1;
                }
            }
        }
    }
    let score = refresh(c, &ctx.attempt.id, &paper, &exam, to_state)?;
    let action = if to_state == state::SUBMITTED { "attempt.submit" } else { "attempt.expire" };
    audit::record(
        c,
        now,
        actor,
        action,
        &format!("attempt:{attempt_id}"),
        serde_json::json!({"auto_points": score.auto_points, "marking_tasks": open_tasks}),
    )?;
    Ok(true)
}

/// A new open task.
pub fn new_task(exam_id: &str, attempt_id: &str, key: &str, round: i32, now: DateTime<Utc>) -> TaskRow {
    TaskRow {
        id: new_id(),
        exam_id: exam_id.to_string(),
        attempt_id: attempt_id.to_string(),
        question_key: key.to_string(),
        round,
        state: tasks::state::OPEN.into(),
        claimed_by: None,
        lease_expires_at: None,
        fence: 0,
        points: None,
        comment: None,
        marked_by: None,
        marked_at: None,
        created_at: to_db(now),
    }
}

/// The markers' settled points per question of one attempt, and the questions still unsettled.
pub fn settled_marks(exam: &ExamRow, tasks: &[TaskRow]) -> (BTreeMap<String, Points>, Vec<(String, Resolution)>) {
    let mut by_question: BTreeMap<&str, [Option<Points>; 3]> = BTreeMap::new();
    for t in tasks {
        let slot = by_question.entry(t.question_key.as_str()).or_default();
        let index = usize::try_from(t.round - 1).unwrap_or(0).min(2);
        slot[index] = t.points.map(Points::from_hundredths);
    }
    let tolerance = Points::from_hundredths(exam.marking_tolerance);
    let mut settled = BTreeMap::new();
    let mut unsettled = Vec::new();
    for (key, [first, second, adjudicated]) in by_question {
        match resolve(exam.double_marking, tolerance, first, second, adjudicated) {
            Resolution::Resolved(p) => {
                settled.insert(key.to_string(), p);
            }
            other => unsettled.push((key.to_string(), other)),
        }
    }
    (settled, unsettled)
}

/// Recomputes an attempt's points from its answers and settled marks, stores them as the one record
/// every reader reads, and moves the attempt to `graded` when every question has points.
/// `closed_state` is what it stays as while marks are awaited. Every change to a closed attempt's
/// points (close, mark, adjudication, regrade) ends here.
pub fn refresh(
    c: &mut DbConn,
    attempt_id: &str,
    paper: &Paper,
    exam: &ExamRow,
    closed_state: &str,
) -> Result<AttemptScore, ApiError> {
    let score = compute_score(c, paper, exam, attempt_id)?;
    store_score(c, attempt_id, closed_state, &score)?;
    Ok(score)
}

/// Stores a score just computed for a closed attempt (by `refresh`, or a regrade chunk that read the
/// answers and marks of many attempts at once), moving it to `graded` when complete.
pub fn store_score(c: &mut DbConn, attempt_id: &str, closed_state: &str, score: &AttemptScore) -> Result<(), ApiError> {
    let new_state = if score.complete { state::GRADED } else { closed_state };
    attempts::set_score(c, attempt_id, new_state, &ScoreRecord::of(score))?;
    Ok(())
}

/// Grades a closed attempt afresh from its answers and settled marks (what `refresh` stores).
pub fn compute_score(
    c: &mut DbConn,
    paper: &Paper,
    exam: &ExamRow,
    attempt_id: &str,
) -> Result<AttemptScore, ApiError> {
    let answers = answers_of(&attempts::responses_of(c, attempt_id)?);
    let (marks, _) = settled_marks(exam, &tasks::of_attempt(c, attempt_id)?);
    Ok(grade_attempt(paper, &answers, &marks))
}

/// A closed attempt's score as grading last stored it. An attempt closed before scores were stored (or
/// whose record no longer fits the paper) is graded afresh.
pub fn stored_score(
    c: &mut DbConn,
    paper: &Paper,
    exam: &ExamRow,
    attempt: &AttemptRow,
) -> Result<AttemptScore, ApiError> {
    let stored = attempt.score_record.as_deref().and_then(|json| serde_json::from_str::<ScoreRecord>(json).ok());
    match stored.and_then(|record| record.score(paper)) {
        Some(score) => Ok(score),
        None => compute_score(c, paper, exam, &attempt.id),
    }
}

/// How a closed attempt ended, from its times alone: a submit is accepted only until deadline + grace
/// and the server expires attempts only after it, and a closed attempt's deadline never moves again.
pub fn how_it_ended(deadline_at: NaiveDateTime, closed_at: NaiveDateTime, grace_seconds: i32) -> &'static str {
    if deadline::accepts_saves(from_db(closed_at), from_db(deadline_at), i64::from(grace_seconds)) {
        state::SUBMITTED
    } else {
        state::EXPIRED
    }
}

/// The state an attempt returns to while it awaits marks: how it ended (a graded attempt does not say).
pub fn closed_state_of(attempt: &AttemptRow, exam: &ExamRow) -> &'static str {
    match (attempt.state.as_str(), attempt.closed_at) {
        (state::EXPIRED, _) => state::EXPIRED,
        (state::GRADED, Some(closed)) => how_it_ended(attempt.deadline_at, closed, exam.grace_seconds),
        _ => state::SUBMITTED,
    }
}
