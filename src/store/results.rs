//! What the results table and the statistics read: every attempt of an exam with its candidate, and
//! every saved answer of an exam in one query each (not one query per attempt).

use diesel::prelude::*;

use super::attempts::{AttemptRow, ResponseRow};
use super::schema::{attempts, invitations, responses};
use super::DbConn;

/// An attempt with the candidate who sat it.
#[derive(Debug, Clone)]
pub struct AttemptWithCandidate {
    /// The attempt.
    pub attempt: AttemptRow,
    /// Candidate's e-mail.
    pub email: String,
    /// Candidate's name.
    pub name: String,
}

/// Every attempt of an exam with its candidate, oldest first.
pub fn attempts_with_candidates(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<AttemptWithCandidate>> {
    attempts::table
        .inner_join(invitations::table.on(invitations::id.eq(attempts::invitation_id)))
        .filter(attempts::exam_id.eq(exam_id))
        .order((attempts::started_at.asc(), attempts::id.asc()))
        .select((AttemptRow::as_select(), invitations::email, invitations::name))
        .load::<(AttemptRow, String, String)>(conn)
        .map(|rows| {
            rows.into_iter().map(|(attempt, email, name)| AttemptWithCandidate { attempt, email, name }).collect()
        })
}

/// Every saved answer of an exam's attempts.
pub fn responses_of_exam(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<ResponseRow>> {
    responses::table
        .inner_join(attempts::table.on(attempts::id.eq(responses::attempt_id)))
        .filter(attempts::exam_id.eq(exam_id))
        .select(ResponseRow::as_select())
        .load(conn)
}

/// How many attempts of an exam are not graded yet (in progress, or closed awaiting marks).
pub fn ungraded_count(conn: &mut DbConn, exam_id: &str) -> QueryResult<i64> {
    attempts::table
        .filter(attempts::exam_id.eq(exam_id))
        .filter(attempts::state.ne(super::attempts::state::GRADED))
        .count()
        .get_result(conn)
}
