//! Marking tasks: one open answer (one round of it, with double marking) waiting for a marker.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::marking_tasks;
use super::DbConn;

/// States of a task.
pub mod state {
    /// Waiting in the queue (or its lease ran out).
    pub const OPEN: &str = "open";
    /// Held by a marker under a lease.
    pub const CLAIMED: &str = "claimed";
    /// Scored.
    pub const DONE: &str = "done";
}

/// A stored task.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = marking_tasks)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct TaskRow {
    /// Id.
    pub id: String,
    /// Exam.
    pub exam_id: String,
    /// Attempt.
    pub attempt_id: String,
    /// Question.
    pub question_key: String,
    /// 1, or 2 for the second mark of double marking; 3 for a recruiter's adjudication.
    pub round: i32,
    /// See [`state`].
    pub state: String,
    /// Holder.
    pub claimed_by: Option<String>,
    /// End of the holder's lease.
    pub lease_expires_at: Option<NaiveDateTime>,
    /// Bumped on every claim; a score must carry the fence of its claim.
    pub fence: i64,
    /// Points given (hundredths).
    pub points: Option<i64>,
    /// Marker's comment.
    pub comment: Option<String>,
    /// Who scored it.
    pub marked_by: Option<String>,
    /// When.
    pub marked_at: Option<NaiveDateTime>,
    /// Made.
    pub created_at: NaiveDateTime,
}

/// Inserts a task.
pub fn insert(conn: &mut DbConn, row: &TaskRow) -> QueryResult<()> {
    diesel::insert_into(marking_tasks::table).values(row).execute(conn).map(drop)
}

/// The task with this id.
pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<TaskRow>> {
    marking_tasks::table.find(id).select(TaskRow::as_select()).first(conn).optional()
}

/// Tasks of one attempt.
pub fn of_attempt(conn: &mut DbConn, attempt_id: &str) -> QueryResult<Vec<TaskRow>> {
    marking_tasks::table.filter(marking_tasks::attempt_id.eq(attempt_id)).select(TaskRow::as_select()).load(conn)
}

/// Tasks of one exam.
pub fn of_exam(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<TaskRow>> {
    marking_tasks::table.filter(marking_tasks::exam_id.eq(exam_id)).select(TaskRow::as_select()).load(conn)
}
