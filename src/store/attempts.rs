//! Attempts and their saved responses.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{attempts, responses};
use super::DbConn;
use crate::domain::score_record::ScoreRecord;

/// States an attempt moves through.
pub mod state {
    /// Being sat.
    pub const IN_PROGRESS: &str = "in_progress";
    /// Handed in by the candidate.
    pub const SUBMITTED: &str = "submitted";
    /// Closed by the server at the deadline.
    pub const EXPIRED: &str = "expired";
    /// Every answer has points.
    pub const GRADED: &str = "graded";
}

/// A stored attempt.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attempts)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AttemptRow {
    /// Id.
    pub id: String,
    /// Exam.
    pub exam_id: String,
    /// Invitation (one attempt per invitation).
    pub invitation_id: String,
    /// Seed of the candidate's shuffle.
    pub seed: i64,
    /// See [`state`].
    pub state: String,
    /// Started.
    pub started_at: NaiveDateTime,
    /// Deadline.
    pub deadline_at: NaiveDateTime,
    /// Submitted or expired.
    pub closed_at: Option<NaiveDateTime>,
    /// Points from auto-grading (hundredths).
    pub auto_points: Option<i64>,
    /// Points from markers (hundredths).
    pub marked_points: Option<i64>,
    /// Total (hundredths).
    pub total_points: Option<i64>,
    /// Every question has points.
    pub complete: bool,
    /// The score as last graded ([`crate::domain::score_record::ScoreRecord`] as JSON).
    pub score_record: Option<String>,
}

/// A saved answer.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = responses)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ResponseRow {
    /// Attempt.
    pub attempt_id: String,
    /// Question key.
    pub question_key: String,
    /// The answer as JSON; `None` when cleared.
    pub answer: Option<String>,
    /// Client sequence number of the save that wrote it.
    pub seq: i64,
    /// When it was saved.
    pub saved_at: NaiveDateTime,
    /// Points, once graded (hundredths).
    pub points: Option<i64>,
}

/// Inserts an attempt.
pub fn insert(conn: &mut DbConn, row: &AttemptRow) -> QueryResult<()> {
    diesel::insert_into(attempts::table).values(row).execute(conn).map(drop)
}

/// The attempt with this id.
pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<AttemptRow>> {
    attempts::table.find(id).select(AttemptRow::as_select()).get_result(conn).optional()
}

/// The attempt of an invitation.
pub fn by_invitation(conn: &mut DbConn, invitation_id: &str) -> QueryResult<Option<AttemptRow>> {
    attempts::table
        .filter(attempts::invitation_id.eq(invitation_id))
        .select(AttemptRow::as_select())
        .get_result(conn)
        .optional()
}

/// Every attempt of an exam.
pub fn of_exam(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<AttemptRow>> {
    attempts::table
        .filter(attempts::exam_id.eq(exam_id))
        .order(attempts::started_at.asc())
        .select(AttemptRow::as_select())
        .load(conn)
}

/// Attempts still in progress whose deadline is before `before`.
pub fn overdue(conn: &mut DbConn, before: NaiveDateTime, limit: i64) -> QueryResult<Vec<AttemptRow>> {
    attempts::table
        .filter(attempts::state.eq(state::IN_PROGRESS))
        .filter(attempts::deadline_at.lt(before))
        .order(attempts::deadline_at.asc())
        .limit(limit)
        .select(AttemptRow::as_select())
        .load(conn)
}

/// In-progress attempts of an exam (to move their deadlines when the exam changes).
pub fn in_progress_of_exam(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<AttemptRow>> {
    attempts::table
        .filter(attempts::exam_id.eq(exam_id))
        .filter(attempts::state.eq(state::IN_PROGRESS))
        .select(AttemptRow::as_select())
        .load(conn)
}

/// Moves an in-progress attempt's deadline.
pub fn set_deadline(conn: &mut DbConn, id: &str, deadline: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(attempts::table.find(id).filter(attempts::state.eq(state::IN_PROGRESS)))
        .set(attempts::deadline_at.eq(deadline))
        .execute(conn)
}

/// Closes an attempt if it is still in progress; 1 when this call closed it, 0 when someone else had.
/// Several instances may race to close the same attempt: exactly one wins.
pub fn close(conn: &mut DbConn, id: &str, to_state: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(attempts::table.find(id).filter(attempts::state.eq(state::IN_PROGRESS)))
        .set((attempts::state.eq(to_state), attempts::closed_at.eq(Some(at))))
        .execute(conn)
}

/// Records the attempt's score and state after grading: the record every reader reads, and beside it
/// the numbers results are filtered and sorted by.
pub fn set_score(conn: &mut DbConn, id: &str, state: &str, record: &ScoreRecord) -> QueryResult<usize> {
    let json = serde_json::to_string(record).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::update(attempts::table.find(id))
        .set((
            attempts::state.eq(state),
            attempts::auto_points.eq(Some(record.auto)),
            attempts::marked_points.eq(Some(record.marked)),
            attempts::total_points.eq(Some(record.total)),
            attempts::complete.eq(record.complete),
            attempts::score_record.eq(Some(json)),
        ))
        .execute(conn)
}

/// An attempt's saved responses.
pub fn responses_of(conn: &mut DbConn, attempt_id: &str) -> QueryResult<Vec<ResponseRow>> {
    responses::table.filter(responses::attempt_id.eq(attempt_id)).select(ResponseRow::as_select()).load(conn)
}

/// The saved responses of these attempts.
pub fn responses_of_attempts(conn: &mut DbConn, attempt_ids: &[String]) -> QueryResult<Vec<ResponseRow>> {
    responses::table.filter(responses::attempt_id.eq_any(attempt_ids)).select(ResponseRow::as_select()).load(conn)
}

/// One saved response.
pub fn response(conn: &mut DbConn, attempt_id: &str, key: &str) -> QueryResult<Option<ResponseRow>> {
    responses::table.find((attempt_id, key)).select(ResponseRow::as_select()).get_result(conn).optional()
}

/// Sets a response's points.
pub fn set_response_points(conn: &mut DbConn, attempt_id: &str, key: &str, points: Option<i64>) -> QueryResult<usize> {
    diesel::update(responses::table.find((attempt_id, key))).set(responses::points.eq(points)).execute(conn)
}

/// Inserts a response row carrying only points (a question the candidate never touched).
pub fn insert_response(conn: &mut DbConn, row: &ResponseRow) -> QueryResult<()> {
    diesel::insert_into(responses::table).values(row).execute(conn).map(drop)
}

/// What every candidate request about an attempt needs, in one query: the attempt, whether its
/// invitation is revoked, the exam's grace and the paper's id and version stamp.
#[derive(Debug, Clone)]
pub struct AttemptContext {
    /// The attempt.
    pub attempt: AttemptRow,
    /// Its invitation was revoked.
    pub revoked: bool,
    /// The exam's grace.
    pub grace_seconds: i32,
    /// The paper sat.
    pub paper_id: String,
    /// The paper's version stamp (for the paper cache).
    pub paper_updated_at: NaiveDateTime,
}

/// Loads an attempt's context.
pub fn context(conn: &mut DbConn, attempt_id: &str) -> QueryResult<Option<AttemptContext>> {
    use super::schema::{exams, invitations, papers};
    attempts::table
        .inner_join(invitations::table.on(invitations::id.eq(attempts::invitation_id)))
        .inner_join(exams::table.on(exams::id.eq(attempts::exam_id)))
        .inner_join(papers::table.on(papers::id.eq(exams::paper_id)))
        .filter(attempts::id.eq(attempt_id))
        .select((
            AttemptRow::as_select(),
            invitations::revoked_at.is_not_null(),
            exams::grace_seconds,
            papers::id,
            papers::updated_at,
        ))
        .get_result::<(AttemptRow, bool, i32, String, NaiveDateTime)>(conn)
        .optional()
        .map(|row| {
            row.map(|(attempt, revoked, grace_seconds, paper_id, paper_updated_at)| AttemptContext {
                attempt,
                revoked,
                grace_seconds,
                paper_id,
                paper_updated_at,
            })
        })
}

/// What the save path checks inside its transaction, per attempt: state, deadline, the exam's grace and
/// whether the invitation was revoked. Read in the same transaction as the write, so no save is ever
/// judged against a stale deadline.
#[derive(Debug, Clone)]
pub struct SaveGuard {
    /// Attempt id.
    pub attempt_id: String,
    /// Attempt state.
    pub state: String,
    /// Deadline.
    pub deadline_at: NaiveDateTime,
    /// The exam's grace.
    pub grace_seconds: i32,
    /// The invitation was revoked.
    pub revoked: bool,
}

/// The guards of several attempts in one query (one round trip on PostgreSQL), kept prepared.
pub fn save_guards(conn: &mut DbConn, ids: &[&str]) -> QueryResult<Vec<SaveGuard>> {
    use super::schema::{exams, invitations};
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    attempts::table
        .inner_join(invitations::table.on(invitations::id.eq(attempts::invitation_id)))
        .inner_join(exams::table.on(exams::id.eq(attempts::exam_id)))
        .filter(super::in_list::in_list(attempts::id, ids))
        .select((
            attempts::id,
            attempts::state,
            attempts::deadline_at,
            exams::grace_seconds,
            invitations::revoked_at.is_not_null(),
        ))
        .load::<(String, String, NaiveDateTime, i32, bool)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(attempt_id, state, deadline_at, grace_seconds, revoked)| SaveGuard {
                    attempt_id,
                    state,
                    deadline_at,
                    grace_seconds,
                    revoked,
                })
                .collect()
        })
}

/// The stored responses for these (attempt, question) pairs.
pub fn responses_for(conn: &mut DbConn, keys: &[(String, String)]) -> QueryResult<Vec<ResponseRow>> {
    let attempt_ids: Vec<&String> = keys.iter().map(|(a, _)| a).collect();
    let rows: Vec<ResponseRow> = responses::table
        .filter(responses::attempt_id.eq_any(attempt_ids))
        .select(ResponseRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().filter(|r| keys.iter().any(|(a, q)| a == &r.attempt_id && q == &r.question_key)).collect())
}
