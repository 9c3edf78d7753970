//! Regrades of exams after a key correction, and the chunks of attempts they work through.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::attempts::{state as attempt_state, AttemptRow};
use super::schema::{attempts, regrades};
use super::DbConn;

/// Regrade states.
pub mod state {
    /// Chunks remain.
    pub const RUNNING: &str = "running";
    /// Every attempt closed before the correction has been regraded.
    pub const DONE: &str = "done";
}

/// A stored regrade.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = regrades)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct RegradeRow {
    /// Id.
    pub id: String,
    /// The exam regraded.
    pub exam_id: String,
    /// The paper whose key changed.
    pub paper_id: String,
    /// The question whose key changed.
    pub question_key: String,
    /// Who corrected the key (as the audit trail names them).
    pub actor: String,
    /// See [`state`].
    pub state: String,
    /// Closed attempts to regrade, counted when the key changed.
    pub total: i32,
    /// Regraded so far.
    pub done: i32,
    /// Of those, how many changed total.
    pub changed: i32,
    /// The last attempt (by id) regraded; the next chunk starts after it.
    pub after_attempt: Option<String>,
    /// When the key changed.
    pub started_at: NaiveDateTime,
    /// When the last chunk committed.
    pub finished_at: Option<NaiveDateTime>,
}

/// Inserts a regrade.
pub fn insert(conn: &mut DbConn, row: &RegradeRow) -> QueryResult<()> {
    diesel::insert_into(regrades::table).values(row).execute(conn).map(drop)
}

/// A regrade.
pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<RegradeRow>> {
    regrades::table.find(id).select(RegradeRow::as_select()).get_result(conn).optional()
}

/// An exam's regrades, newest first.
pub fn of_exam(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<RegradeRow>> {
    regrades::table
        .filter(regrades::exam_id.eq(exam_id))
        .order(regrades::started_at.desc())
        .select(RegradeRow::as_select())
        .load(conn)
}

/// Regrades with chunks left (to resume after a restart).
pub fn running(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    regrades::table.filter(regrades::state.eq(state::RUNNING)).select(regrades::id).load(conn)
}

/// How many attempts of an exam are closed (what a regrade works through).
pub fn closed_count(conn: &mut DbConn, exam_id: &str) -> QueryResult<i64> {
    attempts::table
        .filter(attempts::exam_id.eq(exam_id))
        .filter(attempts::state.ne(attempt_state::IN_PROGRESS))
        .count()
        .get_result(conn)
}

/// The next chunk: up to `limit` closed attempts of the exam after `after` by id.
pub fn next_chunk(conn: &mut DbConn, exam_id: &str, after: Option<&str>, limit: i64) -> QueryResult<Vec<AttemptRow>> {
    let mut query = attempts::table
        .filter(attempts::exam_id.eq(exam_id.to_string()))
        .filter(attempts::state.ne(attempt_state::IN_PROGRESS))
        .order(attempts::id.asc())
        .limit(limit)
        .select(AttemptRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(attempts::id.gt(after.to_string()));
    }
    query.load(conn)
}

/// Records a chunk: the cursor moves from `from` to `to` only if no one else moved it meanwhile
/// (another instance resuming the same regrade); returns how many rows changed (0: someone did).
pub fn advance(
    conn: &mut DbConn,
    id: &str,
    from: Option<&str>,
    to: Option<&str>,
    regraded: i32,
    changed: i32,
    finished_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    let new_state = if finished_at.is_some() { state::DONE } else { state::RUNNING };
    let changes = (
        regrades::after_attempt.eq(to.map(str::to_string)),
        regrades::done.eq(regrades::done + regraded),
        regrades::changed.eq(regrades::changed + changed),
        regrades::state.eq(new_state),
        regrades::finished_at.eq(finished_at),
    );
    let running = regrades::table.find(id).filter(regrades::state.eq(state::RUNNING));
    match from {
        Some(from) => {
            diesel::update(running.filter(regrades::after_attempt.eq(from.to_string()))).set(changes).execute(conn)
        }
        None => diesel::update(running.filter(regrades::after_attempt.is_null())).set(changes).execute(conn),
    }
}
